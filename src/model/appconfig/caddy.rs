//! Caddyfile (Caddy's "Caddyfile Concepts", "Conventions" and the `reverse_proxy`, `bind`
//! and global options pages): a global options block `{ }` first, then site blocks whose
//! first line lists site addresses (`example.com, :8080 {`; a file with one site may have
//! no braces). A site address is `[scheme://]host[:port][/path]`: the port is the one
//! written, else 80 for `http://` and 443 otherwise (with 80 for the HTTPS redirect).
//! The host is a matcher, not a bind address: Caddy listens on every interface unless the
//! site has `bind`. `reverse_proxy [matcher] upstreams...` (and `to` in its block) and
//! `php_fastcgi` connect. A placeholder (`{$PORT}`, `{env.PORT}`), snippets or the global
//! `http_port`/`https_port`/`default_bind` leave the ports `open`.

use super::{AppConfig, Listen, Upstream, authority, lines, split_address, words};
use std::ops::Range;

/// One site block: its listeners (port, span of the address) and its `bind` addresses.
#[derive(Default)]
struct Site {
    ports: Vec<(u16, Range<usize>)>,
    bind: Vec<(String, Range<usize>)>,
}

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut depth = 0usize;
    let mut sites: Vec<Site> = Vec::new();
    let mut seen_first = false;
    let mut single_site = false;
    let mut in_proxy = false;
    for (start, line) in lines(text, &['#']) {
        let w = words(line, start);
        let opens = line.trim_end().ends_with('{');
        let closes = line.matches('}').count();
        if depth == 0 && !single_site && !seen_first && line.trim() == "{" {
            // The global options block.
            seen_first = true;
            depth += 1;
            continue;
        }
        let Some(&(_, first)) = w.first() else {
            depth = depth.saturating_sub(closes);
            continue;
        };
        if depth == 0 && !single_site {
            seen_first = true;
            if first.starts_with('(') || first.starts_with('&') {
                // A snippet or named route: not a site.
                depth += usize::from(opens);
                continue;
            }
            let mut site = Site::default();
            if line.contains("{$") || line.contains("{env.") {
                out.open = true;
                sites.push(site);
                depth += usize::from(opens);
                continue;
            }
            for &(at, word) in &w {
                for (i, addr) in split_commas(word) {
                    site_ports(addr, at + i, &mut site.ports);
                }
            }
            sites.push(site);
            if opens {
                depth += 1;
            } else {
                single_site = true;
            }
            continue;
        }
        let in_global = sites.is_empty() && !single_site;
        match first {
            "http_port" | "https_port" | "default_bind" if in_global => out.open = true,
            "import" => out.open = true,
            "bind" => {
                if let Some(site) = sites.last_mut() {
                    for &(at, a) in &w[1..] {
                        if a == "{" {
                            break;
                        }
                        let a = a.strip_prefix("tcp/").unwrap_or(a);
                        site.bind.push((a.to_string(), at..at + a.len()));
                    }
                }
            }
            "reverse_proxy" | "php_fastcgi" | "to" if first != "to" || in_proxy => {
                let fastcgi = first == "php_fastcgi";
                for (k, &(at, word)) in w.iter().enumerate().skip(1) {
                    if word == "{" {
                        break;
                    }
                    // The first word may be a matcher.
                    if k == 1 && first != "to" && (word.starts_with(['/', '@', '*'])) {
                        continue;
                    }
                    let Some((host, port, skip)) = authority(word) else {
                        continue;
                    };
                    if fastcgi && port.is_none() {
                        continue;
                    }
                    let from = at + skip;
                    out.upstreams.push(Upstream {
                        span: from..from + host.len(),
                        host,
                        port,
                    });
                }
                if first == "reverse_proxy" && opens {
                    in_proxy = true;
                }
            }
            _ => {}
        }
        if opens {
            depth += 1;
        }
        depth = depth.saturating_sub(closes);
        if in_proxy && closes > 0 {
            in_proxy = false;
        }
    }
    for site in sites {
        for (port, span) in site.ports {
            if site.bind.is_empty() {
                out.listens.push(Listen {
                    host: None,
                    port: Some(port),
                    span: span.clone(),
                    port_span: Some(span.clone()),
                });
            }
            for (host, bspan) in &site.bind {
                let (h, _) = split_address(host);
                out.listens.push(Listen {
                    host: h.filter(|h| h != "0.0.0.0" && h != "::").or(None),
                    port: Some(port),
                    span: bspan.clone(),
                    port_span: Some(span.clone()),
                });
            }
        }
    }
    out
}

/// The comma-separated parts of a word, with their offsets (`a.com,:8080`).
fn split_commas(word: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    word.split(',').filter_map(move |p| {
        let i = at;
        at += p.len() + 1;
        (!p.is_empty() && p != "{").then_some((i, p))
    })
}

/// The ports a site address listens on.
fn site_ports(addr: &str, at: usize, out: &mut Vec<(u16, Range<usize>)>) {
    let span = at..at + addr.len();
    let (scheme, rest) = match addr.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, addr),
    };
    let hostport = rest.split('/').next().unwrap_or(rest);
    let port = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') || h.starts_with('[') => p.parse::<u16>().ok(),
        _ => None,
    };
    match (port, scheme) {
        (Some(p), _) => out.push((p, span)),
        (None, Some("http")) => out.push((80, span)),
        (None, Some("https")) => out.push((443, span)),
        (None, _) => {
            out.push((443, span.clone()));
            out.push((80, span));
        }
    }
}
