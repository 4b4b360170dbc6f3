use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::daemon::{Daemon, cidr, inner};

declare_rule! {
    /// ## What it does
    /// Checks `bip`: it must be the default bridge's gateway *address* with a prefix
    /// (`172.26.0.1/16`), not the network address (`172.26.0.0/16`), not the broadcast
    /// address, and not an address without a prefix.
    ///
    /// ## Why it matters
    /// With the network address dockerd fails to create the default bridge and does not
    /// start: `failed to allocate gateway (172.26.0.0): Address already in use`. Without a
    /// prefix: `parse bip failed: invalid CIDR address`.
    ///
    /// ## Example
    /// ```json
    /// {"bip": "172.26.0.0/16"}
    /// ```
    ///
    /// ## Fix
    /// Use the first address of the subnet: `"bip": "172.26.0.1/16"` (the quick fix).
    pub static DAEMON_BIP_NETWORK_ADDRESS = {
        code: "daemon-bip-network-address",
        severity: Error,
        applies_to: "daemon.json",
        summary: "`bip` written as a network address or without a prefix",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some((bip, e)) = d.str("bip") else { return };
    let span = e.value.span.clone();
    let Some(net) = cidr(bip) else {
        out.push(Finding::new(
            &DAEMON_BIP_NETWORK_ADDRESS,
            span,
            format!("dockerd will not start: \"parse bip failed: invalid CIDR address: {bip}\". Write the gateway address with a prefix, such as 172.26.0.1/16"),
        ));
        return;
    };
    let broadcast = matches!(net, ipnet::IpNet::V4(_))
        && net.addr() == net.broadcast()
        && net.prefix_len() < 31;
    if net.addr() != net.network() && !broadcast {
        return;
    }
    let what = if broadcast {
        "the broadcast address"
    } else {
        "the network address"
    };
    let gateway = net.hosts().next();
    let mut f = Finding::new(
        &DAEMON_BIP_NETWORK_ADDRESS,
        span.clone(),
        format!(
            "`bip` is {what} of {}, so dockerd does not start. It cannot give that address to the bridge (\"failed to allocate gateway ({}): Address already in use\"). Use an address inside, such as {}/{}",
            net.trunc(),
            net.addr(),
            gateway.map_or_else(|| "?".to_string(), |g| g.to_string()),
            net.prefix_len()
        ),
    );
    if let Some(g) = gateway {
        f = f.with_fix(
            format!("Use {g}/{}", net.prefix_len()),
            vec![Edit {
                range: inner(&span),
                new_text: format!("{g}/{}", net.prefix_len()),
            }],
        );
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn bip_values() {
        let f = findings("{\"bip\": \"172.17.0.0/16\"}", "daemon-bip-network-address");
        assert_eq!(f[0].fixes[0].edits[0].new_text, "172.17.0.1/16");
        assert!(
            findings("{\"bip\": \"172.17.0.1\"}", "daemon-bip-network-address")[0]
                .message
                .contains("invalid CIDR")
        );
        assert!(
            findings(
                "{\"bip\": \"192.168.1.255/24\"}",
                "daemon-bip-network-address"
            )[0]
            .message
            .contains("broadcast")
        );
        assert!(findings("{\"bip\": \"172.17.0.1/16\"}", "daemon-bip-network-address").is_empty());
    }
}
