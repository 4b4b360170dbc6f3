use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::{Daemon, cidr};
use crate::syntax::json::JsonKind;

declare_rule! {
    /// ## What it does
    /// Checks `default-address-pools`: each entry is `{"base": CIDR, "size": N}` with `base`
    /// in canonical form and `size` at least the base's prefix length (and at most 32 for
    /// IPv4, 128 for IPv6); pools must not overlap each other or the `bip` subnet.
    ///
    /// ## Why it matters
    /// dockerd refuses malformed pools (`network at index 0 (...) is not in canonical form`,
    /// `has a smaller prefix (/16) than the target size of that pool (/24)`), and
    /// overlapping ranges give networks that collide (`Pool overlaps with other one on this
    /// address space`).
    ///
    /// ## Example
    /// ```json
    /// {"default-address-pools": [{"base": "10.0.0.0/24", "size": 16}]}
    /// ```
    ///
    /// ## Fix
    /// `size` is the prefix of each network cut from `base`: `{"base": "10.0.0.0/16",
    /// "size": 24}` gives 256 /24 networks.
    pub static DAEMON_DEFAULT_POOLS_INVALID = {
        code: "daemon-default-pools-invalid",
        severity: Error,
        applies_to: "daemon.json",
        summary: "Malformed or overlapping `default-address-pools`",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some(e) = d.get("default-address-pools") else {
        return;
    };
    let JsonKind::Array(pools) = &e.value.kind else {
        return;
    };
    let mut seen: Vec<(ipnet::IpNet, std::ops::Range<usize>)> = Vec::new();
    for (i, pool) in pools.iter().enumerate() {
        let JsonKind::Object(props) = &pool.kind else {
            out.push(Finding::new(
                &DAEMON_DEFAULT_POOLS_INVALID,
                pool.span.clone(),
                format!("pool {i} must be {{\"base\": CIDR, \"size\": N}}"),
            ));
            continue;
        };
        let base = props.iter().find(|p| p.key == "base");
        let size_prop = props.iter().find(|p| p.key == "size");
        let (Some(base), Some(size_prop)) = (base, size_prop) else {
            out.push(Finding::new(&DAEMON_DEFAULT_POOLS_INVALID, pool.span.clone(), format!("dockerd will not start: network at index {i} is not in canonical form. It needs both \"base\" and \"size\"")));
            continue;
        };
        let (JsonKind::String(b), JsonKind::Number(s)) = (&base.value.kind, &size_prop.value.kind)
        else {
            out.push(Finding::new(
                &DAEMON_DEFAULT_POOLS_INVALID,
                pool.span.clone(),
                format!("pool {i}: \"base\" must be a string and \"size\" a number"),
            ));
            continue;
        };
        let Some(net) = cidr(b) else {
            out.push(Finding::new(
                &DAEMON_DEFAULT_POOLS_INVALID,
                base.value.span.clone(),
                format!("dockerd will not start: pool {i}: `{b}` is not a CIDR"),
            ));
            continue;
        };
        if net.trunc() != net {
            out.push(Finding::new(&DAEMON_DEFAULT_POOLS_INVALID, base.value.span.clone(), format!("dockerd will not start: network at index {i} ({b}) is not in canonical form. Use {}", net.trunc())));
            continue;
        }
        let max = if matches!(net, ipnet::IpNet::V4(_)) {
            32
        } else {
            128
        };
        match s.parse::<u8>() {
            Ok(size) if size >= net.prefix_len() && size <= max => {}
            Ok(size) if size < net.prefix_len() => {
                out.push(Finding::new(&DAEMON_DEFAULT_POOLS_INVALID, size_prop.value.span.clone(), format!("dockerd will not start: pool {i} ({b}) is smaller than one /{size} network. Network at index {i} ({b}) has a smaller prefix (/{}) than the target size of that pool (/{size}). `size` is the prefix of each network, at least {}", net.prefix_len(), net.prefix_len())));
                continue;
            }
            _ => {
                out.push(Finding::new(
                    &DAEMON_DEFAULT_POOLS_INVALID,
                    size_prop.value.span.clone(),
                    format!(
                        "pool {i}: \"size\" must be a prefix length from {} to {max}",
                        net.prefix_len()
                    ),
                ));
                continue;
            }
        }
        for (other, span) in &seen {
            if other.contains(&net) || net.contains(other) {
                out.push(
                    Finding::new(
                        &DAEMON_DEFAULT_POOLS_INVALID,
                        base.value.span.clone(),
                        format!(
                            "Pool {net} overlaps pool {other}: networks cut from them can collide"
                        ),
                    )
                    .with_related(span.clone(), format!("{other} is here")),
                );
            }
        }
        if let Some((bip, bip_entry)) = d.str("bip")
            && let Some(subnet) = cidr(bip).map(|n| n.trunc())
            && (subnet.contains(&net) || net.contains(&subnet))
        {
            out.push(
                Finding::new(&DAEMON_DEFAULT_POOLS_INVALID, base.value.span.clone(), format!("Pool {net} overlaps the default bridge's subnet {subnet}. Networks cut from it can collide with docker0"))
                    .with_related(bip_entry.value.span.clone(), "the default bridge's subnet"),
            );
        }
        seen.push((net, base.value.span.clone()));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    // networking-pitfalls.md Appendix C.
    #[test]
    fn pools() {
        let f = findings(
            "{\"default-address-pools\": [{\"base\": \"10.0.0.0/24\", \"size\": 16}]}",
            "daemon-default-pools-invalid",
        );
        assert!(
            f[0].message
                .contains("has a smaller prefix (/24) than the target size of that pool (/16)"),
            "{}",
            f[0].message
        );
        let f = findings(
            "{\"default-address-pools\": [{\"base\": \"10.1.2.3/16\", \"size\": 24}]}",
            "daemon-default-pools-invalid",
        );
        assert!(
            f[0].message
                .contains("not in canonical form. Use 10.1.0.0/16")
        );
        let f = findings(
            "{\"bip\": \"10.5.0.1/24\", \"default-address-pools\": [{\"base\": \"10.0.0.0/8\", \"size\": 24}, {\"base\": \"10.20.0.0/16\", \"size\": 24}, {\"base\": \"fd00::/48\", \"size\": 64}]}",
            "daemon-default-pools-invalid",
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            findings(
                "{\"default-address-pools\": [{\"base\": \"172.30.0.0/16\", \"size\": 24}]}",
                "daemon-default-pools-invalid"
            )
            .is_empty()
        );
    }
}
