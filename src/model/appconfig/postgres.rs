//! postgresql.conf (PostgreSQL's "Setting Parameters" and "Connections and
//! Authentication"): one `name = value` per line (the `=` is optional), `#` comments,
//! strings in single quotes, the last setting of a name wins. `listen_addresses` is a
//! comma-separated list (`*` every interface, `''` Unix sockets only; `localhost` when
//! unset), `port` defaults to 5432. `include`, `include_if_exists` and `include_dir` may
//! set them elsewhere: the file is then `open`.
//!
//! A `listen_addresses` the file does not set is `localhost` (the documented default); the
//! official image writes `listen_addresses = '*'` only into the sample that `initdb` copies
//! into `$PGDATA` (docker-library/postgres Dockerfile), so a file named by `-c
//! config_file=` without it listens on loopback. That case is left alone here (nothing in
//! the file to point at), and only a written value is read.

use super::{AppConfig, Listen, lines};
use std::ops::Range;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut listen: Option<Vec<(String, Range<usize>)>> = None;
    let mut port: Option<(u16, Range<usize>)> = None;
    for (start, line) in lines(text, &['#']) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let name_len = trimmed
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(trimmed.len());
        let name = trimmed[..name_len].to_ascii_lowercase();
        let rest = &trimmed[name_len..];
        let value = rest
            .trim_start()
            .strip_prefix('=')
            .unwrap_or(rest.trim_start());
        let value_at = start + indent + name_len + (rest.len() - value.len());
        let lead = value.len() - value.trim_start().len();
        let value = value.trim();
        let value_at = value_at + lead;
        let (inner, inner_at) = match value.strip_prefix('\'') {
            Some(v) => (v.split('\'').next().unwrap_or(v), value_at + 1),
            None => (value, value_at),
        };
        match name.as_str() {
            "include" | "include_if_exists" | "include_dir" => out.open = true,
            "listen_addresses" => {
                let mut at = 0;
                let mut hosts = Vec::new();
                for part in inner.split(',') {
                    let s = at + (part.len() - part.trim_start().len());
                    at += part.len() + 1;
                    let h = part.trim();
                    if !h.is_empty() {
                        hosts.push((h.to_string(), inner_at + s..inner_at + s + h.len()));
                    }
                }
                listen = Some(hosts);
            }
            "port" => {
                if let Ok(p) = inner.parse::<u16>() {
                    port = Some((p, inner_at..inner_at + inner.len()));
                }
            }
            _ => {}
        }
    }
    let port_value = port.as_ref().map(|p| p.0);
    let port_span = port.as_ref().map(|p| p.1.clone());
    match listen {
        Some(hosts) => {
            for (host, span) in hosts {
                out.listens.push(Listen {
                    host: (host != "*").then_some(host),
                    port: port_value,
                    span,
                    port_span: port_span.clone(),
                });
            }
            // `''`: Unix-domain sockets only, no TCP listener at all.
        }
        None => {
            if let Some((p, span)) = port {
                out.listens.push(Listen {
                    host: None,
                    port: Some(p),
                    port_span: Some(span.clone()),
                    span,
                });
            }
        }
    }
    out
}
