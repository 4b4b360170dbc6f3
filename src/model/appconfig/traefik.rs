//! Traefik's YAML configuration (doc.traefik.io: "EntryPoints", "Routing & Load Balancing /
//! Services", "Providers / File"). The static file's `entryPoints.<name>.address`
//! (`[host]:port[/tcp|/udp]`) listens; the dashboard's `traefik` entry point on 8080 exists
//! when `api.insecure` is true or `ping`/`metrics` use it. The file provider's dynamic
//! configuration connects: `http.services.<name>.loadBalancer.servers[].url` and
//! `tcp.services.<name>.loadBalancer.servers[].address`.

use super::{AppConfig, Listen, Upstream, authority, split_address, yaml_part, yaml_path};
use crate::syntax::yaml::Yaml;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let yaml = Yaml::parse(text);
    let Some(root) = yaml.root_mapping() else {
        return out;
    };
    let mut named_traefik = false;
    if let Some(eps) = yaml.get(root, "entryPoints").map(|e| e.value) {
        for ep in yaml.entries(eps) {
            named_traefik |= yaml.scalar(ep.key) == Some("traefik");
            let Some(node) = yaml_path(&yaml, ep.value, &["address"]) else {
                continue;
            };
            let Some(value) = yaml.scalar(node) else {
                continue;
            };
            if value.contains(['$', '{']) {
                out.open = true;
                continue;
            }
            let addr = value.split('/').next().unwrap_or(value);
            let (host, port) = split_address(addr);
            if port.is_none() {
                out.open = true;
                continue;
            }
            let from = usize::from(addr.starts_with('['));
            let len = host.as_ref().map_or(addr.len(), |h| h.len());
            out.listens.push(Listen {
                host,
                port,
                span: yaml_part(&yaml, text, node, from..from + len),
                port_span: Some(yaml_part(&yaml, text, node, 0..addr.len())),
            });
        }
    }
    let insecure = yaml_path(&yaml, root, &["api", "insecure"]).filter(|&n| {
        yaml.scalar(n)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    });
    if let Some(node) = insecure
        && !named_traefik
        && !out.listens.is_empty()
    {
        out.listens.push(Listen {
            host: None,
            port: Some(8080),
            span: yaml.span(yaml.resolve(node)),
            port_span: None,
        });
    }
    if !named_traefik && (yaml.get(root, "ping").is_some() || yaml.get(root, "metrics").is_some()) {
        out.open = true;
    }
    for (proto, field) in [("http", "url"), ("tcp", "address")] {
        let Some(services) = yaml_path(&yaml, root, &[proto, "services"]) else {
            continue;
        };
        for service in yaml.entries(services) {
            let Some(servers) = yaml_path(&yaml, service.value, &["loadBalancer", "servers"])
            else {
                continue;
            };
            for &server in yaml.items(servers).unwrap_or_default() {
                let Some(node) = yaml_path(&yaml, server, &[field]) else {
                    continue;
                };
                let Some(value) = yaml.scalar(node) else {
                    continue;
                };
                let Some((host, port, skip)) = authority(value) else {
                    continue;
                };
                let port = port.or(match value.split_once("://").map(|s| s.0) {
                    Some("https") => Some(443),
                    Some(_) => Some(80),
                    None => None,
                });
                out.upstreams.push(Upstream {
                    span: yaml_part(&yaml, text, node, skip..skip + host.len()),
                    host,
                    port,
                });
            }
        }
    }
    out
}
