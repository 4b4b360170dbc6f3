use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `ip` (the default host address of published ports), which applies to the
    /// default bridge only.
    ///
    /// ## Why it matters
    /// `"ip": "127.0.0.1"` looks like it keeps published ports local, but Compose projects
    /// use their own networks, where it does not apply: their ports stay published on every
    /// interface.
    ///
    /// ## Example
    /// ```json
    /// {"ip": "127.0.0.1"}
    /// ```
    ///
    /// ## Fix
    /// For every new network, set `"default-network-opts": {"bridge":
    /// {"com.docker.network.bridge.host_binding_ipv4": "127.0.0.1"}}`; or give the address in
    /// each Compose port (`"127.0.0.1:8080:80"`).
    pub static DAEMON_IP_NOT_FOR_COMPOSE = {
        code: "daemon-ip-not-for-compose",
        severity: Info,
        applies_to: "daemon.json",
        summary: "`ip` does not apply to Compose networks",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some((ip, e)) = d.str("ip") {
        out.push(Finding::new(
            &DAEMON_IP_NOT_FOR_COMPOSE,
            e.value.span.clone(),
            format!("`ip` ({ip}) only applies to ports published from the default bridge. Compose networks still publish on every interface. Use default-network-opts.bridge.\"com.docker.network.bridge.host_binding_ipv4\" for new networks"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn ip() {
        assert_eq!(
            findings("{\"ip\": \"127.0.0.1\"}", "daemon-ip-not-for-compose").len(),
            1
        );
    }
}
