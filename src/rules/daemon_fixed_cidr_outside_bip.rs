use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::{Daemon, cidr};

declare_rule! {
    /// ## What it does
    /// Reports a `fixed-cidr` (the range container addresses on the default bridge come
    /// from) that is not inside the `bip` subnet, is larger than it, or is not a CIDR.
    ///
    /// ## Why it matters
    /// dockerd fails to set up the default bridge (`network does not contain specified
    /// subnet`) or refuses the value (`parse fixed-cidr failed`), and does not start.
    ///
    /// ## Example
    /// ```json
    /// {"bip": "192.168.1.1/24", "fixed-cidr": "192.168.2.0/25"}
    /// ```
    ///
    /// ## Fix
    /// Pick a range inside the bip subnet: `"fixed-cidr": "192.168.1.0/25"`.
    pub static DAEMON_FIXED_CIDR_OUTSIDE_BIP = {
        code: "daemon-fixed-cidr-outside-bip",
        severity: Error,
        applies_to: "daemon.json",
        summary: "`fixed-cidr` outside the `bip` subnet",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some((fixed, e)) = d.str("fixed-cidr") else {
        return;
    };
    let Some(range) = cidr(fixed) else {
        out.push(Finding::new(
            &DAEMON_FIXED_CIDR_OUTSIDE_BIP,
            e.value.span.clone(),
            format!(
                "dockerd will not start: \"parse fixed-cidr failed: invalid CIDR address: {fixed}\""
            ),
        ));
        return;
    };
    let Some((bip, b)) = d.str("bip") else { return };
    let Some(subnet) = cidr(bip).map(|n| n.trunc()) else {
        return;
    };
    if subnet.contains(&range.trunc()) {
        return;
    }
    out.push(
        Finding::new(
            &DAEMON_FIXED_CIDR_OUTSIDE_BIP,
            e.value.span.clone(),
            format!("`fixed-cidr` {} is not inside the bip subnet {subnet}. dockerd cannot set up the default bridge (\"network does not contain specified subnet\")", range.trunc()),
        )
        .with_related(b.value.span.clone(), format!("the bip subnet is {subnet}")),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn fixed_cidr() {
        assert_eq!(
            findings(
                "{\"bip\": \"192.168.1.1/24\", \"fixed-cidr\": \"192.168.2.0/25\"}",
                "daemon-fixed-cidr-outside-bip"
            )
            .len(),
            1
        );
        assert_eq!(
            findings(
                "{\"bip\": \"192.168.1.1/24\", \"fixed-cidr\": \"192.168.0.0/16\"}",
                "daemon-fixed-cidr-outside-bip"
            )
            .len(),
            1
        );
        assert!(
            findings(
                "{\"bip\": \"192.168.1.1/24\", \"fixed-cidr\": \"192.168.1.0/25\"}",
                "daemon-fixed-cidr-outside-bip"
            )
            .is_empty()
        );
    }
}
