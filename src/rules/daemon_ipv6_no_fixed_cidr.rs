use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `ipv6: true` without `fixed-cidr-v6`.
    ///
    /// ## Why it matters
    /// On Engine 20.10 to 27.x dockerd does not start: `Please specify a IPv6 subnet using
    /// --fixed-cidr-v6 when IPv6 is enabled on the default bridge`. From Engine 28.0 it
    /// picks a random ULA /64 instead, so the subnet changes from host to host.
    ///
    /// ## Example
    /// ```json
    /// {"ipv6": true}
    /// ```
    ///
    /// ## Fix
    /// Add a ULA subnet: `"fixed-cidr-v6": "fd00:dead:beef::/64"`.
    pub static DAEMON_IPV6_NO_FIXED_CIDR = {
        code: "daemon-ipv6-no-fixed-cidr",
        severity: Warning,
        applies_to: "daemon.json",
        summary: "`ipv6: true` without `fixed-cidr-v6`",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some((true, e)) = d.bool("ipv6")
        && d.get("fixed-cidr-v6").is_none()
    {
        out.push(Finding::new(
            &DAEMON_IPV6_NO_FIXED_CIDR,
            e.value.span.clone(),
            "Engines before 28.0 do not start with `ipv6: true` and no `fixed-cidr-v6`. They fail with \"Please specify a IPv6 subnet using --fixed-cidr-v6\"; 28.0 and later pick a random ULA /64. Add \"fixed-cidr-v6\", e.g. \"fd00:dead:beef::/64\"",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn ipv6() {
        assert_eq!(
            findings("{\"ipv6\": true}", "daemon-ipv6-no-fixed-cidr").len(),
            1
        );
        assert!(
            findings(
                "{\"ipv6\": true, \"fixed-cidr-v6\": \"fd00::/64\"}",
                "daemon-ipv6-no-fixed-cidr"
            )
            .is_empty()
        );
    }
}
