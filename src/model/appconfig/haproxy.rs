//! haproxy.cfg (HAProxy's Configuration Manual): sections start at a line whose first word
//! is `global`, `defaults`, `frontend`, `backend`, `listen`, `peers`, `resolvers`, ...
//! `bind [address]:port[-port][,...] [params]` in `frontend` and `listen` sections listens
//! (`*` or no address: every interface; `ipv4@`/`ipv6@` prefixes; `unix@`, `abns@`, `fd@`
//! and paths are not TCP); `server <name> <address>[:port] [params]` in `backend` and
//! `listen` sections connects. `#` starts a comment. A `bind` with an environment variable
//! (`"${PORT}"`) leaves the ports `open`.

use super::{AppConfig, Listen, Upstream, lines, split_address, words};

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut section = "";
    for (start, line) in lines(text, &['#']) {
        let w = words(line, start);
        let Some(&(_, first)) = w.first() else {
            continue;
        };
        let indented = line.starts_with([' ', '\t']);
        if !indented
            && matches!(
                first,
                "global"
                    | "defaults"
                    | "frontend"
                    | "backend"
                    | "listen"
                    | "peers"
                    | "resolvers"
                    | "userlist"
                    | "program"
                    | "cache"
                    | "ring"
                    | "http-errors"
                    | "mailers"
                    | "crt-store"
                    | "traces"
                    | "log-forward"
            )
        {
            section = first;
            continue;
        }
        match (first, section) {
            ("bind", "frontend" | "listen") => {
                let Some(&(at, value)) = w.get(1) else {
                    continue;
                };
                let (at, value) = unquote(at, value);
                let mut offset = 0;
                for part in value.split(',') {
                    let part_at = at + offset;
                    offset += part.len() + 1;
                    if part.contains('$') {
                        out.open = true;
                        continue;
                    }
                    let (prefix, addr) = match part.split_once('@') {
                        Some((p, a)) => (p.len() + 1, a),
                        None => (0, part),
                    };
                    if !(prefix == 0 || part.starts_with("ipv4@") || part.starts_with("ipv6@"))
                        || addr.starts_with('/')
                    {
                        continue;
                    }
                    // `:8000-8010`: a range; its first port stands for it, the rest open.
                    let (addr, ranged) = match addr.rsplit_once('-') {
                        Some((a, hi)) if hi.parse::<u16>().is_ok() && a.contains(':') => (a, true),
                        _ => (addr, false),
                    };
                    out.open |= ranged;
                    // The port follows the last colon, also after an IPv6 address
                    // (`:::443`).
                    let (host, port) = if let Some((h, p)) =
                        addr.rsplit_once(':').filter(|_| !addr.starts_with('['))
                    {
                        let h = (h != "*" && !h.is_empty()).then(|| h.to_string());
                        (h, p.parse().ok())
                    } else if addr.contains(':') {
                        split_address(addr)
                    } else {
                        (Some(addr.to_string()), None)
                    };
                    let from = part_at + prefix;
                    out.listens.push(Listen {
                        host: host.filter(|h| !h.is_empty()),
                        port,
                        span: from..from + addr.len(),
                        port_span: Some(from..from + addr.len()),
                    });
                }
            }
            ("server", "backend" | "listen") => {
                let Some(&(at, value)) = w.get(2) else {
                    continue;
                };
                let (at, value) = unquote(at, value);
                if value.contains('$') || value.starts_with('/') {
                    continue;
                }
                let (skip, addr) = match value.split_once('@') {
                    Some((p, a)) if p == "ipv4" || p == "ipv6" => (p.len() + 1, a),
                    Some(_) => continue,
                    None => (0, value),
                };
                if let (Some(host), port) = split_address(addr) {
                    let from = at + skip + usize::from(addr.starts_with('['));
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

/// A word without its double quotes, and its offset moved past the opening one.
fn unquote(at: usize, value: &str) -> (usize, &str) {
    match value.strip_prefix('"') {
        Some(v) => (at + 1, v.strip_suffix('"').unwrap_or(v)),
        None => (at, value),
    }
}
