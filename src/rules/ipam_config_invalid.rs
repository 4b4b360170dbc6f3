use std::net::IpAddr;

use ipnet::IpNet;

use super::declare_rule;
use crate::finding::{Edit, Finding, Severity};
use crate::model::compose::Project;
use crate::model::compose::{Network, Val};

declare_rule! {
    /// ## What it does
    /// Checks each `ipam.config` entry of a network as the engine does: the `subnet` is a
    /// network address (no host bits), `ip_range` sits inside it, the `gateway` and the
    /// `aux_addresses` are addresses of it, all of the same IP family. IPv6 entries on a
    /// network without `enable_ipv6: true` are reported too: the engine ignores them.
    ///
    /// ## Why it matters
    /// The engine refuses to create the network (`invalid network config: invalid subnet
    /// 172.28.5.1/16: it should be 172.28.0.0/16`), and `docker compose up` stops.
    ///
    /// ## Example
    /// ```yaml
    /// networks:
    ///   back:
    ///     ipam:
    ///       config:
    ///         - subnet: 172.28.5.1/16
    ///           gateway: 172.29.0.1
    /// ```
    ///
    /// ## Fix
    /// Write the subnet's network address (`172.28.0.0/16`, the quick fix) and keep
    /// `ip_range`, `gateway` and `aux_addresses` inside it.
    pub static IPAM_CONFIG_INVALID = {
        code: "ipam-config-invalid",
        severity: Error,
        applies_to: "Compose files",
        summary: "An `ipam.config` the engine refuses",
        compose: [check],
    };
}

fn family(net: &IpNet) -> u8 {
    if matches!(net, IpNet::V4(_)) { 4 } else { 6 }
}

fn refuse(p: &Project, val: &Val, message: String) -> Finding {
    Finding::new(
        &IPAM_CONFIG_INVALID,
        p.val_span(val),
        super::refusal(
            "The engine refuses this network",
            &format!("invalid network config: {message}"),
        ),
    )
}

/// The subnet of an entry when it parses (host bits or not).
pub(super) fn subnet(val: &Val) -> Option<IpNet> {
    val.value.parse::<IpNet>().ok()
}

fn check_network(p: &Project, n: &Network, out: &mut Vec<Finding>) {
    for c in &n.ipam {
        let Some(s) = &c.subnet else { continue };
        let Some(net) = subnet(s) else {
            let f = refuse(
                p,
                s,
                format!("invalid subnet {}: not a CIDR address", s.value),
            );
            out.push(f);
            continue;
        };
        if family(&net) == 6 && !n.enable_ipv6 {
            out.push(
                Finding::new(
                    &IPAM_CONFIG_INVALID,
                    p.val_span(s),
                    format!(
                        "The engine ignores this IPv6 subnet: network `{}` does not set `enable_ipv6: true`",
                        n.name
                    ),
                )
                .with_severity(Severity::Warning),
            );
            continue;
        }
        if net.trunc() != net {
            let mut f = refuse(
                p,
                s,
                format!("invalid subnet {net}: it should be {}", net.trunc()),
            );
            if let Some(range) = (!s.interpolated())
                .then(|| p.raw_span(s, 0..s.value.len()))
                .flatten()
            {
                f = f.with_fix(
                    format!("Use {}", net.trunc()),
                    vec![Edit {
                        range,
                        new_text: net.trunc().to_string(),
                    }],
                );
            }
            out.push(f);
        }
        let parent = net.trunc();
        if let Some(r) = &c.ip_range {
            let problem = match r.value.parse::<IpNet>() {
                Err(_) => Some(format!("invalid ip-range {}: not a CIDR address", r.value)),
                Ok(range) if family(&range) != family(&parent) => Some(format!(
                    "invalid ip-range {range}: parent subnet is an IPv{} block",
                    family(&parent)
                )),
                Ok(range) if range.prefix_len() < parent.prefix_len() => Some(format!(
                    "invalid ip-range {range}: CIDR block is bigger than its parent subnet {parent}"
                )),
                Ok(range) if range.trunc() != range => Some(format!(
                    "invalid ip-range {range}: it should be {}",
                    range.trunc()
                )),
                Ok(range) if !parent.contains(&range) => Some(format!(
                    "invalid ip-range {range}: parent subnet {parent} doesn't contain ip-range"
                )),
                Ok(_) => None,
            };
            if let Some(m) = problem {
                let f = refuse(p, r, m);
                out.push(f);
            }
        }
        let addresses = c.gateway.iter().map(|g| ("gateway".to_string(), g)).chain(
            c.aux_addresses
                .iter()
                .map(|(k, v)| (format!("auxiliary address {k}"), v)),
        );
        for (what, v) in addresses {
            let subject = if what == "gateway" {
                v.value.to_string()
            } else {
                what.trim_start_matches("auxiliary address ").to_string()
            };
            let kind = if what == "gateway" {
                "gateway"
            } else {
                "auxiliary address"
            };
            let problem = match v.value.parse::<IpAddr>() {
                Err(_) => Some(format!("invalid {kind} {subject}: not an IP address")),
                Ok(ip) if ip.is_ipv4() != (family(&parent) == 4) => Some(format!(
                    "invalid {kind} {subject}: parent subnet is an IPv{} block",
                    family(&parent)
                )),
                Ok(ip) if !parent.contains(&ip) => Some(format!(
                    "invalid {kind} {subject}: parent subnet {parent} doesn't contain this address"
                )),
                Ok(_) => None,
            };
            if let Some(m) = problem {
                let f = refuse(p, v, m);
                out.push(f);
            }
        }
    }
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for n in &p.networks {
        if n.external
            || n.ipam.iter().any(|c| {
                c.subnet
                    .as_ref()
                    .is_some_and(|s| s.error().is_some() || !s.unset().is_empty())
            })
        {
            continue;
        }
        check_network(p, n, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, fix_all, flagged};

    fn net(config: &str) -> String {
        format!(
            "services:\n  a: {{networks: [n]}}\nnetworks:\n  n:\n    ipam:\n      config:\n        - {config}\n"
        )
    }

    // networking-pitfalls.md Appendix C, subnet checks.
    #[test]
    fn catalog_vectors() {
        let code = "ipam-config-invalid";
        assert!(flagged(&net("subnet: 172.28.0.0/16"), code).is_empty());
        let f = findings(&net("subnet: 172.28.5.1/16"), &[], code);
        assert!(
            f[0].message
                .contains("invalid subnet 172.28.5.1/16: it should be 172.28.0.0/16"),
            "{}",
            f[0].message
        );
        let f = findings(
            &net("{subnet: 172.28.0.0/16, ip_range: 172.29.0.0/24}"),
            &[],
            code,
        );
        assert!(
            f[0].message.contains("doesn't contain ip-range"),
            "{}",
            f[0].message
        );
        let f = findings(
            &net("{subnet: 172.28.0.0/24, ip_range: 172.28.0.0/16}"),
            &[],
            code,
        );
        assert!(
            f[0].message
                .contains("CIDR block is bigger than its parent subnet"),
            "{}",
            f[0].message
        );
        assert_eq!(
            flagged(&net("{subnet: 172.28.0.0/16, gateway: 172.29.0.1}"), code),
            ["172.29.0.1"]
        );
        assert_eq!(
            flagged(
                &net("{subnet: 10.0.0.0/24, aux_addresses: {host1: 10.0.1.5, ok: 10.0.0.5}}"),
                code
            ),
            ["10.0.1.5"]
        );
        assert_eq!(
            flagged(&net("{subnet: 10.0.0.0/24, gateway: \"fd00::1\"}"), code),
            ["fd00::1"]
        );
        let v6 = findings(&net("subnet: fd00::/64"), &[], code);
        assert_eq!(v6[0].severity, crate::finding::Severity::Warning);
    }

    #[test]
    fn fix_canonicalises_the_subnet() {
        let fixed = fix_all(&net("subnet: 172.28.5.1/16"), "ipam-config-invalid");
        assert!(fixed.contains("subnet: 172.28.0.0/16"), "{fixed}");
    }
}
