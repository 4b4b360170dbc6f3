use std::net::IpAddr;

use super::declare_rule;
use super::ipam_config_invalid::subnet;
use crate::finding::{Finding, Severity};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Checks `ipv4_address` and `ipv6_address` under a service's `networks`: the network
    /// must have an `ipam` subnet containing the address, the address must not be the
    /// subnet's network or broadcast address, its gateway or an `aux_addresses` entry, no
    /// two services may take the same address, and an IPv6 address needs `enable_ipv6:
    /// true`. External networks are left alone (their subnets are not in the file).
    ///
    /// ## Why it matters
    /// The engine refuses the container: `no configured subnet contains IP address
    /// 172.30.0.5`, `Address already in use`, or (engines before 29.1) `user specified IP
    /// address is supported only when connecting to networks with user configured subnets`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   dns:
    ///     networks:
    ///       lan:
    ///         ipv4_address: 172.29.0.10
    /// networks:
    ///   lan:
    ///     ipam:
    ///       config:
    ///         - subnet: 172.28.0.0/16
    /// ```
    ///
    /// ## Fix
    /// Pick a free address inside the subnet, or add an `ipam.config` subnet that holds it.
    pub static STATIC_IP_INVALID = {
        code: "static-ip-invalid",
        severity: Error,
        applies_to: "Compose files",
        summary: "A fixed container address the network cannot give",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let mut taken: Vec<(&str, IpAddr, &crate::model::compose::Val, &str)> = Vec::new();
    for s in &p.services {
        for attach in &s.networks {
            for (val, v6) in [(&attach.ipv4, false), (&attach.ipv6, true)] {
                let Some(val) = val else { continue };
                if val.interpolated() && (val.error().is_some() || !val.unset().is_empty()) {
                    continue;
                }
                let range = p.val_span(val);
                let Ok(ip) = val.value.parse::<IpAddr>() else {
                    out.push(Finding::new(
                        &STATIC_IP_INVALID,
                        range,
                        format!(
                            "The engine refuses this: \"invalid IPv{} address: {}\"",
                            if v6 { 6 } else { 4 },
                            val.value
                        ),
                    ));
                    continue;
                };
                if ip.is_ipv6() != v6 {
                    out.push(Finding::new(
                        &STATIC_IP_INVALID,
                        range,
                        format!(
                            "`{}` is an IPv{} address in `{}`",
                            val.value,
                            if ip.is_ipv6() { 6 } else { 4 },
                            if v6 { "ipv6_address" } else { "ipv4_address" }
                        ),
                    ));
                    continue;
                }
                let Some(n) = p.network(&attach.name) else {
                    continue;
                };
                if n.external {
                    continue;
                }
                if v6 && !n.enable_ipv6 {
                    out.push(
                        Finding::new(
                            &STATIC_IP_INVALID,
                            range,
                            format!("Network `{}` has no IPv6. Set `enable_ipv6: true` and an IPv6 subnet to use `ipv6_address`", n.name),
                        )
                        .with_related(p.span(n.key), "the network is defined here"),
                    );
                    continue;
                }
                let subnets: Vec<_> = n
                    .ipam
                    .iter()
                    .filter_map(|c| Some((c, subnet(c.subnet.as_ref()?)?.trunc())))
                    .filter(|(_, net)| net.contains(&ip))
                    .collect();
                if n.ipam.iter().all(|c| c.subnet.is_none()) {
                    out.push(
                        Finding::new(
                            &STATIC_IP_INVALID,
                            range,
                            format!("Network `{}` has no `ipam` subnet, so a fixed address there may be refused. Engines before 29.1 refuse it (\"user specified IP address is supported only when connecting to networks with user configured subnets\"), and newer ones only accept it inside the subnet they pick. Add `ipam.config` with a subnet that holds {ip}", n.name),
                        )
                        .with_severity(Severity::Warning)
                        .with_related(p.span(n.key), "the network is defined here"),
                    );
                    continue;
                }
                let Some((config, net)) = subnets.first() else {
                    out.push(
                        Finding::new(
                            &STATIC_IP_INVALID,
                            range,
                            format!("The engine refuses this container: no subnet of network `{}` contains {ip}. It fails with \"no configured subnet contains IP address {ip}\"", n.name),
                        )
                        .with_related(p.span(n.key), "the network's subnets are here"),
                    );
                    continue;
                };
                let reserved = if ip == net.network() {
                    Some("the subnet's network address".to_string())
                } else if ip.is_ipv4() && ip == net.broadcast() {
                    Some("the subnet's broadcast address".to_string())
                } else if config
                    .gateway
                    .as_ref()
                    .is_some_and(|g| g.value.parse::<IpAddr>() == Ok(ip))
                {
                    Some("the network's gateway".to_string())
                } else {
                    config
                        .aux_addresses
                        .iter()
                        .find(|(_, v)| v.value.parse::<IpAddr>() == Ok(ip))
                        .map(|(k, _)| format!("reserved by aux_addresses `{k}`"))
                };
                if let Some(what) = reserved {
                    out.push(Finding::new(
                        &STATIC_IP_INVALID,
                        range,
                        format!("{ip} is {what}: the engine refuses it (\"Address already in use\"). Pick another address"),
                    ));
                    continue;
                }
                if let Some((other, _, first, _)) = taken
                    .iter()
                    .find(|(_, t, _, net)| *t == ip && *net == n.name)
                {
                    out.push(
                        Finding::new(
                            &STATIC_IP_INVALID,
                            range,
                            format!("{ip} is already `{other}`'s address on `{}`. The second container fails with \"Address already in use\"", n.name),
                        )
                        .with_related(p.val_span(first), format!("`{other}` takes {ip} here")),
                    );
                    continue;
                }
                taken.push((s.name, ip, val, n.name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    fn text(addr: &str) -> String {
        format!(
            "services:\n  a:\n    networks:\n      n:\n        ipv4_address: {addr}\nnetworks:\n  n:\n    ipam:\n      config:\n        - subnet: 172.28.0.0/16\n          gateway: 172.28.0.1\n"
        )
    }

    // networking-pitfalls.md Appendix C, subnet checks.
    #[test]
    fn catalog_vectors() {
        let code = "static-ip-invalid";
        assert!(flagged(&text("172.28.5.10"), code).is_empty());
        assert!(
            findings(&text("172.29.0.10"), &[], code)[0]
                .message
                .contains("no configured subnet contains IP address 172.29.0.10")
        );
        assert!(
            findings(&text("172.28.0.0"), &[], code)[0]
                .message
                .contains("network address")
        );
        assert!(
            findings(&text("172.28.0.1"), &[], code)[0]
                .message
                .contains("gateway")
        );
        let v6 = "services:\n  a:\n    networks:\n      n:\n        ipv6_address: fd00::10\nnetworks:\n  n: {}\n";
        assert!(findings(v6, &[], code)[0].message.contains("enable_ipv6"));
    }

    #[test]
    fn duplicates_and_missing_ipam() {
        let code = "static-ip-invalid";
        let text = "services:\n  a:\n    networks:\n      n: {ipv4_address: 10.1.0.5}\n  b:\n    networks:\n      n: {ipv4_address: 10.1.0.5}\n  c:\n    networks:\n      m: {ipv4_address: 10.2.0.5}\nnetworks:\n  n:\n    ipam: {config: [{subnet: 10.1.0.0/24}]}\n  m: {}\n";
        let f = findings(text, &[], code);
        assert_eq!(f.len(), 2);
        assert!(f[0].message.contains("already `a`'s address"));
        assert_eq!(f[1].severity, crate::finding::Severity::Warning);
    }
}
