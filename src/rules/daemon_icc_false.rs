use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `icc: false`: a note that it only isolates containers on the default
    /// bridge, and an error when `iptables` (or, with `ipv6`, `ip6tables`) is false too.
    ///
    /// ## Why it matters
    /// `icc: false` does nothing for Compose projects, whose networks are user-defined
    /// (use `com.docker.network.bridge.enable_icc` per network). It works through iptables:
    /// with `iptables: false` dockerd refuses to start (`ICC=false uses iptables to
    /// function`).
    ///
    /// ## Example
    /// ```json
    /// {"icc": false, "iptables": false}
    /// ```
    ///
    /// ## Fix
    /// Keep iptables on with `icc: false`, and isolate Compose services with separate
    /// networks (or `enable_icc: "false"` in a network's `driver_opts`).
    pub static DAEMON_ICC_FALSE = {
        code: "daemon-icc-false",
        severity: Info,
        applies_to: "daemon.json",
        summary: "`icc: false` only affects the default bridge",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some((false, e)) = d.bool("icc") else {
        return;
    };
    let iptables_off = matches!(d.bool("iptables"), Some((false, _)));
    let ip6_off = matches!(d.bool("ipv6"), Some((true, _)))
        && matches!(d.bool("ip6tables"), Some((false, _)));
    let f = if iptables_off || ip6_off {
        let (flag, tool) = if iptables_off {
            ("--iptables", "iptables")
        } else {
            ("--ip6tables", "ip6tables")
        };
        Finding::new(
            &DAEMON_ICC_FALSE,
            e.value.span.clone(),
            format!("dockerd will not start: `icc: false` needs {tool}. It fails with \"You specified {flag}=false with --icc=false. ICC=false uses {tool} to function. Please set --icc or {flag} to true\""),
        )
        .with_severity(Severity::Error)
    } else {
        Finding::new(
            &DAEMON_ICC_FALSE,
            e.value.span.clone(),
            "`icc: false` only blocks traffic between containers on the default bridge. Compose networks are user-defined and unaffected (use `com.docker.network.bridge.enable_icc` per network)",
        )
    };
    out.push(f);
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn icc() {
        assert_eq!(
            findings("{\"icc\": false}", "daemon-icc-false")[0].severity,
            Severity::Info
        );
        assert_eq!(
            findings("{\"icc\": false, \"iptables\": false}", "daemon-icc-false")[0].severity,
            Severity::Error
        );
        assert!(findings("{\"icc\": true}", "daemon-icc-false").is_empty());
    }
}
