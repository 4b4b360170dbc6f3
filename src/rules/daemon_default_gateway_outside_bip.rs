use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::{Daemon, cidr};

declare_rule! {
    /// ## What it does
    /// Reports a `default-gateway` that is not inside the default bridge's subnet (`bip`,
    /// or `fixed-cidr` when there is no bip).
    ///
    /// ## Why it matters
    /// dockerd fails to create the default bridge: `auxiliary address: (DefaultGatewayIPv4:
    /// 10.20.1.1) must belong to the master pool: 192.168.1.0/24` (newer engines: `default
    /// gateway ip must be part of the network`), and does not start.
    ///
    /// ## Example
    /// ```json
    /// {"bip": "192.168.1.1/24", "default-gateway": "10.20.1.1"}
    /// ```
    ///
    /// ## Fix
    /// Use an address of the bridge's subnet, or remove `default-gateway` (the bridge's own
    /// address is the default route).
    pub static DAEMON_DEFAULT_GATEWAY_OUTSIDE_BIP = {
        code: "daemon-default-gateway-outside-bip",
        severity: Error,
        applies_to: "daemon.json",
        summary: "`default-gateway` outside the default bridge's subnet",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some((gw, e)) = d.str("default-gateway") else {
        return;
    };
    let Ok(ip) = gw.parse::<std::net::IpAddr>() else {
        return;
    };
    let subnet = d
        .str("bip")
        .or_else(|| d.str("fixed-cidr"))
        .and_then(|(s, b)| Some((cidr(s)?.trunc(), b)));
    let Some((subnet, b)) = subnet else { return };
    if subnet.contains(&ip) {
        return;
    }
    out.push(
        Finding::new(
            &DAEMON_DEFAULT_GATEWAY_OUTSIDE_BIP,
            e.value.span.clone(),
            format!("dockerd will not start: {ip} is not in the default bridge's subnet {subnet}. It fails with \"default gateway ip must be part of the network\""),
        )
        .with_related(b.value.span.clone(), format!("the subnet is {subnet}")),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn gateway() {
        assert_eq!(
            findings(
                "{\"bip\": \"192.168.1.1/24\", \"default-gateway\": \"10.20.1.1\"}",
                "daemon-default-gateway-outside-bip"
            )
            .len(),
            1
        );
        assert!(
            findings(
                "{\"bip\": \"192.168.1.1/24\", \"default-gateway\": \"192.168.1.254\"}",
                "daemon-default-gateway-outside-bip"
            )
            .is_empty()
        );
    }
}
