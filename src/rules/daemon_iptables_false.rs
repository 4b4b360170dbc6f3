use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `iptables: false`.
    ///
    /// ## Why it matters
    /// Docker then adds no NAT or filter rules: published ports are not mapped from the
    /// host's addresses ("all ports of all containers will be accessible from the network,
    /// and none will be mapped from Docker host IP addresses"), and there is no masquerade,
    /// so containers cannot reach the internet, whatever `ip-masq` says.
    ///
    /// ## Example
    /// ```json
    /// {"iptables": false}
    /// ```
    ///
    /// ## Fix
    /// Leave iptables on and add your own rules to the `DOCKER-USER` chain, which Docker
    /// leaves alone.
    pub static DAEMON_IPTABLES_FALSE = {
        code: "daemon-iptables-false",
        severity: Warning,
        applies_to: "daemon.json",
        summary: "`iptables: false` disables port mapping and masquerade",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some((false, e)) = d.bool("iptables") {
        out.push(Finding::new(
            &DAEMON_IPTABLES_FALSE,
            e.value.span.clone(),
            "With `iptables: false` published ports are not mapped from the host's addresses. Containers get no masquerade to reach the internet either. Keep it on and filter in the DOCKER-USER chain",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn iptables() {
        assert_eq!(
            findings("{\"iptables\": false}", "daemon-iptables-false").len(),
            1
        );
        assert!(findings("{\"iptables\": true}", "daemon-iptables-false").is_empty());
    }
}
