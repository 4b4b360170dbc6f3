use ipnet::IpNet;

use super::declare_rule;
use super::ipam_config_invalid::subnet;
use crate::compose::Project;
use crate::daemon::Daemon;
use crate::finding::Finding;
use crate::syntax::json::JsonKind;

declare_rule! {
    /// ## What it does
    /// When the host's LAN and VPN ranges are known (`routes = ["192.168.1.0/24", ...]` in
    /// the `[host]` section of `portside.toml`, or the editor's `host` setting), reports
    /// Docker address ranges that overlap them: daemon.json's `bip`, `fixed-cidr` and
    /// `default-address-pools` (or Docker's built-in pools when that key is absent), and the
    /// subnets of Compose networks.
    ///
    /// ## Why it matters
    /// Docker routes its networks' ranges to its bridges. When they overlap the office LAN
    /// or a VPN, the host and the containers lose the machines in that range, or the VPN
    /// breaks when it connects after Docker. Docker avoids ranges in use only when it
    /// creates a network.
    ///
    /// ## Example
    /// ```toml
    /// # portside.toml
    /// [host]
    /// routes = ["172.17.0.0/16"]
    /// ```
    /// ```json
    /// {"bip": "172.17.0.1/16"}
    /// ```
    ///
    /// ## Fix
    /// Choose ranges the LAN and VPN do not use: daemon.json `"bip": "10.200.0.1/24",
    /// "default-address-pools": [{"base": "10.201.0.0/16", "size": 24}]`, or other Compose
    /// subnets.
    pub static HOST_ROUTE_OVERLAP = {
        code: "host-route-overlap",
        severity: Warning,
        applies_to: "daemon.json, Compose files (when the host's routes are set)",
        summary: "A Docker range overlaps the host's LAN or VPN",
    };
}

/// Docker's built-in local address pools (moby `ipamutils`), used when
/// `default-address-pools` is not set.
const BUILT_IN_POOLS: &[&str] = &[
    "172.17.0.0/16",
    "172.18.0.0/16",
    "172.19.0.0/16",
    "172.20.0.0/14",
    "172.24.0.0/14",
    "172.28.0.0/14",
    "192.168.0.0/16",
];

fn overlap(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

fn overlapping<'r>(net: &IpNet, routes: &'r [IpNet]) -> Option<&'r IpNet> {
    routes.iter().find(|r| overlap(net, r))
}

pub fn check_daemon(text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let routes = &d.host.routes;
    if routes.is_empty() {
        return;
    }
    for key in ["bip", "fixed-cidr"] {
        if let Some((value, e)) = d.str(key)
            && let Ok(net) = value.parse::<IpNet>()
            && let Some(route) = overlapping(&net.trunc(), routes)
        {
            out.push(Finding::new(
                &HOST_ROUTE_OVERLAP,
                e.value.span.clone(),
                format!("`{key}` {} overlaps the host's route {route}: machines in that range become unreachable from the host and containers. Choose a range the LAN and VPN do not use", net.trunc()),
            ));
        }
    }
    match d.get("default-address-pools") {
        Some(e) => {
            let JsonKind::Array(items) = &e.value.kind else {
                return;
            };
            for item in items {
                if let JsonKind::Object(props) = &item.kind
                    && let Some(base) = props.iter().find(|p| p.key == "base")
                    && let JsonKind::String(b) = &base.value.kind
                    && let Ok(net) = b.parse::<IpNet>()
                    && let Some(route) = overlapping(&net.trunc(), routes)
                {
                    out.push(Finding::new(
                        &HOST_ROUTE_OVERLAP,
                        base.value.span.clone(),
                        format!("The pool {} overlaps the host's route {route}: networks Docker creates from it cut off those machines. Choose a base the LAN and VPN do not use", net.trunc()),
                    ));
                }
            }
        }
        None => {
            let hits: Vec<String> = BUILT_IN_POOLS
                .iter()
                .filter_map(|p| p.parse::<IpNet>().ok())
                .filter_map(|p| overlapping(&p, routes).map(|r| format!("{p} (your {r})")))
                .collect();
            if hits.is_empty() {
                return;
            }
            let Some(brace) = text.find('{') else { return };
            out.push(Finding::new(
                &HOST_ROUTE_OVERLAP,
                brace..brace + 1,
                format!("Without `default-address-pools`, Docker allocates networks from its built-in pools, which overlap the host's routes: {}. Set `default-address-pools` (and `bip`) to ranges the LAN and VPN do not use", hits.join(", ")),
            ));
        }
    }
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let routes = &p.host.routes;
    if routes.is_empty() {
        return;
    }
    for n in p.networks.iter().filter(|n| !n.external) {
        for c in &n.ipam {
            let Some(s) = &c.subnet else { continue };
            let Some(net) = subnet(s).map(|n| n.trunc()) else {
                continue;
            };
            if let Some(route) = overlapping(&net, routes) {
                out.push(Finding::new(
                    &HOST_ROUTE_OVERLAP,
                    p.val_span(s),
                    format!("Network `{}`'s subnet {net} overlaps the host's route {route}: while it exists, the host and its containers cannot reach those machines. Choose a subnet the LAN and VPN do not use", n.name),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::FileKind;
    use crate::rules::test_support::findings_with_settings;

    const ROUTES: &str = "[host]\nroutes = [\"192.168.1.0/24\", \"10.8.0.0/16\", \"fd00::/8\"]\n";

    #[test]
    fn daemon_json() {
        let at = |text: &str, settings: &str| -> Vec<String> {
            findings_with_settings(FileKind::DaemonJson, text, settings, "host-route-overlap")
                .iter()
                .map(|f| text[f.range.clone()].to_string())
                .collect()
        };
        let text = "{\"bip\": \"10.8.3.1/24\", \"fixed-cidr\": \"10.9.0.0/24\", \"default-address-pools\": [{\"base\": \"10.0.0.0/8\", \"size\": 24}, {\"base\": \"172.30.0.0/16\", \"size\": 24}, {\"base\": \"fd00:1::/48\", \"size\": 64}]}";
        assert_eq!(
            at(text, ROUTES),
            ["\"10.8.3.1/24\"", "\"10.0.0.0/8\"", "\"fd00:1::/48\""]
        );
        assert!(at(text, "").is_empty());
        // The built-in pools include 192.168.0.0/16.
        assert_eq!(at("{\"bip\": \"10.200.0.1/24\"}", ROUTES), ["{"]);
        assert!(
            at(
                "{\"bip\": \"10.200.0.1/24\"}",
                "[host]\nroutes = [\"10.100.0.0/16\"]\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn compose_subnets() {
        let text = "services:\n  a: {image: x}\nnetworks:\n  lan:\n    ipam:\n      config:\n        - subnet: 192.168.1.128/25\n  ok:\n    ipam:\n      config:\n        - subnet: 172.30.0.0/16\n";
        let at: Vec<_> =
            findings_with_settings(FileKind::Compose, text, ROUTES, "host-route-overlap")
                .iter()
                .map(|f| text[f.range.clone()].to_string())
                .collect();
        assert_eq!(at, ["192.168.1.128/25"]);
    }
}
