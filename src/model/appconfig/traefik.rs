//! Traefik's YAML configuration (doc.traefik.io: "EntryPoints", "Routing & Load Balancing /
//! Services", "Providers / File"). The static file's `entryPoints.<name>.address`
//! (`[host]:port[/tcp|/udp]`) listens; the dashboard's `traefik` entry point on 8080 exists
//! when `api.insecure` is true or `ping`/`metrics` use it. The file provider's dynamic
//! configuration connects: `http.services.<name>.loadBalancer.servers[].url` and
//! `tcp.services.<name>.loadBalancer.servers[].address`. The same keys in TOML
//! (`traefik.toml`: `[entryPoints.web]` / `address = ":80"`, `[[http.services.app.
//! loadBalancer.servers]]` / `url = "..."`) are read line by line.

use super::{AppConfig, Listen, Upstream, authority, lines, split_address, yaml_part, yaml_path};
use crate::syntax::yaml::Yaml;

pub(super) fn read(text: &str) -> AppConfig {
    if is_toml(text) {
        return toml(text);
    }
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

/// A TOML file: a line that is a `[table]` header.
fn is_toml(text: &str) -> bool {
    lines(text, &['#']).any(|(_, l)| {
        let t = l.trim();
        t.starts_with('[') && t.ends_with(']') && t.len() > 2 && !t.contains(',')
    })
}

/// Traefik's TOML: the table a key sits in decides what it is.
fn toml(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut table = String::new();
    let mut named_traefik = false;
    let mut insecure = None;
    for (start, line) in lines(text, &['#']) {
        let t = line.trim();
        if t.starts_with('[') {
            table = t.trim_matches(['[', ']']).trim().to_string();
            named_traefik |= table.eq_ignore_ascii_case("entryPoints.traefik");
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        // `entryPoints.web.address = ":80"` at the top level, or `address` in its table.
        let path = if table.is_empty() {
            key.to_string()
        } else {
            format!("{table}.{key}")
        };
        let path = path.to_ascii_lowercase();
        let raw = value.trim();
        let Some(inner) = raw.strip_prefix('"').and_then(|v| v.split('"').next()) else {
            if path == "api.insecure" && raw == "true" {
                let at =
                    start + line.len() - value.len() + (value.len() - value.trim_start().len());
                insecure = Some(at..at + 4);
            }
            continue;
        };
        let at = start + line.len() - value.len() + (value.len() - value.trim_start().len()) + 1;
        let parts: Vec<&str> = path.split('.').collect();
        match parts[..] {
            ["entrypoints", _, "address"] => {
                if inner.contains(['$', '{']) {
                    out.open = true;
                    continue;
                }
                let addr = inner.split('/').next().unwrap_or(inner);
                let (host, port) = split_address(addr);
                if port.is_none() {
                    out.open = true;
                    continue;
                }
                let from = at + usize::from(addr.starts_with('['));
                let len = host.as_ref().map_or(addr.len(), |h| h.len());
                out.listens.push(Listen {
                    host,
                    port,
                    span: from..from + len,
                    port_span: Some(at..at + addr.len()),
                });
            }
            ["http", "services", _, "loadbalancer", "servers", "url"]
            | ["tcp", "services", _, "loadbalancer", "servers", "address"] => {
                if let Some((host, port, skip)) = authority(inner) {
                    let port = port.or(match inner.split_once("://").map(|s| s.0) {
                        Some("https") => Some(443),
                        Some(_) => Some(80),
                        None => None,
                    });
                    out.upstreams.push(Upstream {
                        span: at + skip..at + skip + host.len(),
                        host,
                        port,
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(span) = insecure
        && !named_traefik
        && !out.listens.is_empty()
    {
        out.listens.push(Listen {
            host: None,
            port: Some(8080),
            span,
            port_span: None,
        });
    }
    if !named_traefik
        && lines(text, &['#']).any(|(_, l)| {
            let t = l.trim();
            t == "[ping]" || t.starts_with("[metrics")
        })
    {
        out.open = true;
    }
    out
}
