use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `host-gateway-ip` together with `host-gateway-ips`, and more than one IPv4
    /// (or IPv6) address in `host-gateway-ips`.
    ///
    /// ## Why it matters
    /// dockerd refuses both: `host-gateway-ip and host-gateway-ips must not both be
    /// specified in the config file`, `only one IPv4 host gateway IP address can be
    /// specified`. These addresses are what `host-gateway` in `extra_hosts` resolves to.
    ///
    /// ## Example
    /// ```json
    /// {"host-gateway-ip": "172.17.0.1", "host-gateway-ips": ["172.17.0.1", "10.0.0.1"]}
    /// ```
    ///
    /// ## Fix
    /// Keep `host-gateway-ips` with at most one IPv4 and one IPv6 address.
    pub static DAEMON_HOST_GATEWAY_IP_BOTH = {
        code: "daemon-host-gateway-ip-both",
        severity: Error,
        applies_to: "daemon.json",
        summary: "`host-gateway-ip` with `host-gateway-ips`, or two addresses of a family",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let (Some(single), Some(plural)) = (d.get("host-gateway-ip"), d.get("host-gateway-ips")) {
        out.push(
            Finding::new(&DAEMON_HOST_GATEWAY_IP_BOTH, single.key_span.clone(), "dockerd will not start: `host-gateway-ip` and `host-gateway-ips` are both set. It fails with \"host-gateway-ip and host-gateway-ips must not both be specified in the config file\". Keep host-gateway-ips")
                .with_related(plural.key_span.clone(), "host-gateway-ips is set here"),
        );
    }
    let addrs = d.strings("host-gateway-ips");
    for v4 in [true, false] {
        let same: Vec<_> = addrs
            .iter()
            .filter(|(a, _)| {
                a.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_ipv4() == v4)
            })
            .collect();
        if let [_, second, ..] = same.as_slice() {
            let family = if v4 { "IPv4" } else { "IPv6" };
            out.push(Finding::new(
                &DAEMON_HOST_GATEWAY_IP_BOTH,
                second.1.clone(),
                format!("dockerd will not start: \"only one {family} host gateway IP address can be specified\""),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn gateways() {
        assert_eq!(findings("{\"host-gateway-ip\": \"172.17.0.1\", \"host-gateway-ips\": [\"172.17.0.1\", \"10.0.0.1\"]}", "daemon-host-gateway-ip-both").len(), 2);
        assert!(
            findings(
                "{\"host-gateway-ips\": [\"172.17.0.1\", \"fd00::1\"]}",
                "daemon-host-gateway-ip-both"
            )
            .is_empty()
        );
    }
}
