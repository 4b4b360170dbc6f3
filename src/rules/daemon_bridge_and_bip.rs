use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `bridge` together with `bip` or `bip6`.
    ///
    /// ## Why it matters
    /// They are mutually exclusive: with `bridge` Docker uses an existing bridge and its
    /// addresses. dockerd refuses to start: `You specified -b & --bip, mutually exclusive
    /// options. Please specify only one`.
    ///
    /// ## Example
    /// ```json
    /// {"bridge": "br0", "bip": "10.0.0.1/24"}
    /// ```
    ///
    /// ## Fix
    /// Keep one: `bridge` to use your own bridge (configure its address outside Docker), or
    /// `bip` to let Docker manage docker0.
    pub static DAEMON_BRIDGE_AND_BIP = {
        code: "daemon-bridge-and-bip",
        severity: Error,
        applies_to: "daemon.json",
        summary: "`bridge` with `bip`",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some((bridge, b)) = d.str("bridge") else {
        return;
    };
    if bridge.is_empty() {
        return;
    }
    for (key, flag) in [("bip", "--bip"), ("bip6", "--bip6")] {
        if let Some(e) = d.get(key) {
            out.push(
                Finding::new(
                    &DAEMON_BRIDGE_AND_BIP,
                    e.key_span.clone(),
                    format!("dockerd will not start: `bridge` and `{key}` exclude each other. It fails with \"You specified -b & {flag}, mutually exclusive options. Please specify only one\""),
                )
                .with_related(b.key_span.clone(), "`bridge` is set here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn both() {
        assert_eq!(
            findings(
                "{\"bridge\": \"br0\", \"bip\": \"10.0.0.1/24\"}",
                "daemon-bridge-and-bip"
            )
            .len(),
            1
        );
        assert!(findings("{\"bip\": \"10.0.0.1/24\"}", "daemon-bridge-and-bip").is_empty());
    }
}
