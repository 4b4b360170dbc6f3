use ipnet::IpNet;

use super::declare_rule;
use super::ipam_config_invalid::subnet;
use crate::finding::Finding;
use crate::model::compose::Project;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// When the host's LAN and VPN ranges are known (`routes = ["192.168.1.0/24", ...]` in
    /// the `[host]` section of `portside.toml`, or the editor's `host` setting), reports
    /// Docker address ranges that overlap them: daemon.json's `bip`, `fixed-cidr` and
    /// `default-address-pools` (or Docker's built-in pools when that key is absent), and the
    /// subnets of Compose networks. A Compose network without an `ipam` subnet takes one
    /// from the daemon's pools (daemon.json's `default-address-pools` when the workspace
    /// finds a daemon.json, else dockerd's built-in pools); when those overlap the routes,
    /// it says so once, as information (Docker avoids a routed range when it creates the
    /// network, so the clash comes when the LAN or VPN comes up later).
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
        compose: [check],
        daemon: [check_daemon],
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

/// Networks without an `ipam` subnet get one from the daemon's pools: daemon.json's
/// `default-address-pools` when the workspace found a daemon.json, else dockerd's built-in
/// pools. Docker skips ranges routed on the host when it creates a network, so the clash
/// happens when the LAN or VPN comes up later: information, once, at the first such network
/// (or at `services:` for the implicit `default` network).
fn pooled(p: &Project, routes: &[IpNet], out: &mut Vec<Finding>) {
    let pools: Vec<IpNet> = match &p.external.daemon {
        Some(d) if !d.pools.is_empty() => d.pools.iter().map(|(n, _)| n.trunc()).collect(),
        _ => BUILT_IN_POOLS
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect(),
    };
    let hits: Vec<String> = pools
        .iter()
        .filter_map(|pool| overlapping(pool, routes).map(|r| format!("{pool} (your {r})")))
        .collect();
    if hits.is_empty() {
        return;
    }
    let declared = p
        .networks
        .iter()
        .find(|n| !n.external && n.driver.is_none() && n.ipam.iter().all(|c| c.subnet.is_none()))
        .map(|n| (n.name.to_string(), p.span(n.key)));
    let implicit = || {
        if p.networks.iter().any(|n| n.name == "default") {
            return None;
        }
        p.services
            .iter()
            .find(|s| {
                s.network_mode.is_none()
                    && (s.networks.is_empty() || s.networks.iter().any(|n| n.name == "default"))
            })
            .map(|s| ("default".to_string(), p.span(s.key)))
    };
    let Some((name, range)) = declared.or_else(implicit) else {
        return;
    };
    let source = if p
        .external
        .daemon
        .as_ref()
        .is_some_and(|d| !d.pools.is_empty())
    {
        "daemon.json's `default-address-pools`"
    } else {
        "dockerd's built-in pools (no daemon.json sets `default-address-pools`)"
    };
    out.push(
        Finding::new(
            &HOST_ROUTE_OVERLAP,
            range,
            format!("Network `{name}` may get a subnet that overlaps the host's routes. It takes its subnet from {source}, which overlap them: {}. Docker avoids a routed range only when it creates the network; if the LAN or VPN comes up later, the host and containers lose those machines. Give the network an `ipam` subnet outside them", hits.join(", ")),
        )
        .with_severity(crate::finding::Severity::Info),
    );
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
                format!("`{key}` {} overlaps the host's route {route}. Machines in that range become unreachable from the host and containers. Choose a range the LAN and VPN do not use", net.trunc()),
            ));
        }
    }
    match d
        .get("default-address-pools")
        .map(|_| d.pool_bases().unwrap_or_default())
    {
        Some(bases) => {
            for (net, span) in bases {
                if let Some(route) = overlapping(&net.trunc(), routes) {
                    out.push(Finding::new(
                        &HOST_ROUTE_OVERLAP,
                        span,
                        format!("The pool {} overlaps the host's route {route}. Networks Docker creates from it cut off those machines. Choose a base the LAN and VPN do not use", net.trunc()),
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
                format!("Docker's built-in address pools overlap the host's routes. Without `default-address-pools`, Docker allocates networks from them: {}. Set `default-address-pools` (and `bip`) to ranges the LAN and VPN do not use", hits.join(", ")),
            ));
        }
    }
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let routes = &p.host.routes;
    if routes.is_empty() {
        return;
    }
    pooled(p, routes, out);
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
                    format!("Network `{}`'s subnet {net} overlaps the host's route {route}. While it exists, the host and its containers cannot reach those machines. Choose a subnet the LAN and VPN do not use", n.name),
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
        // `a` is on the implicit `default` network, from the built-in pools, which include
        // 192.168.0.0/16: information at the service.
        assert_eq!(at, ["a", "192.168.1.128/25"]);
    }

    /// Networks without a subnet draw from the pools: daemon.json's when the workspace found
    /// one, else the built-in ones.
    #[test]
    fn compose_networks_from_the_pools() {
        let text =
            "services:\n  api:\n    image: x\n    networks: [backend]\nnetworks:\n  backend: {}\n";
        let at =
            |ctx: &crate::analysis::Context| -> Vec<(String, crate::finding::Severity, String)> {
                crate::analysis::analyze_with(FileKind::Compose, text, ctx)
                    .findings
                    .into_iter()
                    .filter(|f| f.code() == "host-route-overlap")
                    .map(|f| (text[f.range.clone()].to_string(), f.severity, f.message))
                    .collect()
            };
        let (rules, _) = crate::config::RuleSettings::from_toml(ROUTES, crate::rules::known());
        let mut ctx = crate::analysis::Context {
            rules,
            ..Default::default()
        };
        let got = at(&ctx);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "backend");
        assert_eq!(got[0].1, crate::finding::Severity::Info);
        assert!(
            got[0].2.contains("dockerd's built-in pools"),
            "{}",
            got[0].2
        );
        assert!(
            got[0].2.contains("192.168.0.0/16 (your 192.168.1.0/24)"),
            "{}",
            got[0].2
        );
        // A daemon.json whose pools avoid the routes: nothing to say.
        ctx.external.daemon = Some(crate::model::compose::DaemonRanges {
            file: crate::finding::OtherFile {
                path: "/etc/docker/daemon.json".into(),
                text: "".into(),
            },
            bip: None,
            pools: vec![("172.80.0.0/16".parse().unwrap(), 0..0)],
        });
        assert!(at(&ctx).is_empty());
        ctx.external.daemon.as_mut().unwrap().pools = vec![("10.8.0.0/16".parse().unwrap(), 0..0)];
        let got = at(&ctx);
        assert!(
            got[0].2.contains("daemon.json's `default-address-pools`"),
            "{}",
            got[0].2
        );
    }
}
