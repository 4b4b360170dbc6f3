//! Apache httpd configuration (httpd's "Binding to Addresses and Ports", `mod_proxy`,
//! `mod_proxy_balancer`): `Listen [address:]port [protocol]` listens; `ProxyPass [path]
//! url` and `BalancerMember url` connect. Directive names are case-insensitive, `#` starts
//! a comment line. `Include`/`IncludeOptional` and `${VAR}` may add listeners: the file is
//! then `open`.

use super::{AppConfig, Listen, Upstream, authority, lines, split_address, words};

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    for (start, line) in lines(text, &['#']) {
        let w = words(line, start);
        let Some(&(_, first)) = w.first() else {
            continue;
        };
        match first.to_ascii_lowercase().as_str() {
            "include" | "includeoptional" => out.open = true,
            "listen" => {
                let Some(&(at, value)) = w.get(1) else {
                    continue;
                };
                if value.contains('$') {
                    out.open = true;
                    continue;
                }
                let (host, port) = split_address(value);
                let span = match &host {
                    Some(h) => {
                        let from = at + usize::from(value.starts_with('['));
                        from..from + h.len()
                    }
                    None => at..at + value.len(),
                };
                out.listens.push(Listen {
                    host,
                    port,
                    span,
                    port_span: Some(at..at + value.len()),
                });
            }
            "proxypass" | "balancermember" => {
                // `ProxyPass /path url` or, inside `<Location>`, `ProxyPass url`.
                let Some(&(at, value)) = w[1..].iter().find(|(_, v)| v.contains("://")) else {
                    continue;
                };
                if value.starts_with("balancer://") || value.starts_with("unix:") {
                    continue;
                }
                if let Some((host, port, skip)) = authority(value) {
                    let port = port.or(match value.split_once("://").map(|s| s.0) {
                        Some("https" | "wss") => Some(443),
                        Some("http" | "ws") => Some(80),
                        _ => None,
                    });
                    let from = at + skip;
                    out.upstreams.push(Upstream {
                        span: from..from + host.len(),
                        host,
                        port,
                    });
                }
            }
            _ => {}
        }
    }
    out
}
