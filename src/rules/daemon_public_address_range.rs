use ipnet::{IpNet, Ipv4Net};

use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports an IPv4 range in daemon.json's `bip`, `fixed-cidr` or
    /// `default-address-pools` bases that is not private address space: outside
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and the shared 100.64.0.0/10. A common
    /// slip is `172.80.0.0/16`, which looks like Docker's 172.x ranges but is not in
    /// 172.16.0.0/12.
    ///
    /// ## Why it matters
    /// Docker routes these ranges to its bridges. A public range then shadows the real
    /// machines that own those addresses: the host and its containers reach a container,
    /// or nothing, instead of the internet service at that address, and the failure looks
    /// like a remote outage.
    ///
    /// ## Example
    /// ```json
    /// {"default-address-pools": [{"base": "172.80.0.0/16", "size": 24}]}
    /// ```
    ///
    /// ## Fix
    /// Take the range from private space: `{"base": "172.28.0.0/16", "size": 24}` or
    /// `{"base": "10.200.0.0/16", "size": 24}`.
    pub static DAEMON_PUBLIC_ADDRESS_RANGE = {
        code: "daemon-public-address-range",
        severity: Warning,
        applies_to: "daemon.json",
        summary: "A Docker address range in public address space",
        daemon: [check_daemon],
    };
}

/// RFC 1918 private space and RFC 6598 shared space (carrier-grade NAT).
const PRIVATE: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
];

fn public(net: &Ipv4Net) -> bool {
    !PRIVATE
        .iter()
        .filter_map(|p| p.parse::<Ipv4Net>().ok())
        .any(|p| p.contains(net))
}

fn message(what: &str, net: &Ipv4Net) -> String {
    format!(
        "{what} {net} is public address space: containers on it shadow the real hosts there. It is not inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, and the host and containers can no longer reach the real hosts at those addresses. Choose a private range"
    )
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    for key in ["bip", "fixed-cidr"] {
        if let Some((value, e)) = d.str(key)
            && let Ok(IpNet::V4(net)) = value.parse::<IpNet>()
            && public(&net.trunc())
        {
            out.push(Finding::new(
                &DAEMON_PUBLIC_ADDRESS_RANGE,
                e.value.span.clone(),
                message(&format!("`{key}`"), &net.trunc()),
            ));
        }
    }
    for (net, span) in d.pool_bases().unwrap_or_default() {
        if let IpNet::V4(net) = net
            && public(&net.trunc())
        {
            out.push(Finding::new(
                &DAEMON_PUBLIC_ADDRESS_RANGE,
                span,
                message("The pool", &net.trunc()),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings;

    #[test]
    fn public_ranges() {
        let text = "{\"bip\": \"172.80.0.1/24\", \"fixed-cidr\": \"10.1.0.0/24\", \"default-address-pools\": [{\"base\": \"172.80.0.0/16\", \"size\": 24}, {\"base\": \"172.28.0.0/16\", \"size\": 24}, {\"base\": \"100.64.0.0/16\", \"size\": 24}, {\"base\": \"fd00:1::/48\", \"size\": 64}]}";
        let f = daemon_findings(text, "daemon-public-address-range");
        let at: Vec<&str> = f.iter().map(|f| &text[f.range.clone()]).collect();
        assert_eq!(at, ["\"172.80.0.1/24\"", "\"172.80.0.0/16\""]);
        assert!(
            f[1].message
                .contains("not inside 10.0.0.0/8, 172.16.0.0/12"),
            "{}",
            f[1].message
        );
    }
}
