use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `ip-forward: false`.
    ///
    /// ## Why it matters
    /// Bridge networks need the kernel to forward packets: without it containers reach
    /// neither the internet nor published ports from outside. Docker warns at every
    /// container start: `IPv4 forwarding is disabled. Networking will not work.`
    ///
    /// ## Example
    /// ```json
    /// {"ip-forward": false}
    /// ```
    ///
    /// ## Fix
    /// Remove it. To keep the host's FORWARD policy (a host that routes for VMs or a VPN),
    /// use `"ip-forward-no-drop": true` instead.
    pub static DAEMON_IP_FORWARD_FALSE = {
        code: "daemon-ip-forward-false",
        severity: Warning,
        applies_to: "daemon.json",
        summary: "`ip-forward: false` stops container networking",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some((false, e)) = d.bool("ip-forward") {
        out.push(Finding::new(
            &DAEMON_IP_FORWARD_FALSE,
            e.value.span.clone(),
            "With `ip-forward: false` bridge networking does not work. Docker warns \"IPv4 forwarding is disabled. Networking will not work.\" Remove it; `ip-forward-no-drop: true` keeps the host's FORWARD policy instead",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn forward() {
        assert_eq!(
            findings("{\"ip-forward\": false}", "daemon-ip-forward-false").len(),
            1
        );
    }
}
