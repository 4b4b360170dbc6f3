//! MySQL/MariaDB option files: `bind-address` / `bind_address` and `port` in the `[mysqld]`,
//! `[mariadb]`, `[mariadbd]` and `[server]` groups (MySQL's "Using Option Files" and the
//! server system variables; MariaDB's "Configuring MariaDB with Option Files"). `#` and
//! `;` start comments; `!include`/`!includedir` may add groups this file does not show.

use super::{AppConfig, Listen, lines};
use std::ops::Range;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut server = false;
    let mut bind: Option<(String, Range<usize>)> = None;
    let mut port: Option<(u16, Range<usize>)> = None;
    for (start, line) in lines(text, &['#', ';']) {
        let trimmed = line.trim();
        if trimmed.starts_with("!include") {
            out.open = true;
            continue;
        }
        if trimmed.starts_with('[') {
            let group = trimmed.trim_matches(['[', ']']).trim().to_ascii_lowercase();
            server = matches!(group.as_str(), "mysqld" | "mariadb" | "mariadbd" | "server");
            continue;
        }
        if !server {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().replace('_', "-").to_ascii_lowercase();
        let v = value.trim().trim_matches(['"', '\'']);
        let at = start + line.len() - value.len() + (value.len() - value.trim_start().len());
        let at = if value.trim_start().starts_with(['"', '\'']) {
            at + 1
        } else {
            at
        };
        match key.as_str() {
            "bind-address" => bind = Some((v.to_string(), at..at + v.len())),
            "port" => {
                if let Ok(p) = v.parse::<u16>() {
                    port = Some((p, at..at + v.len()));
                }
            }
            _ => {}
        }
    }
    match (bind, port) {
        (Some((host, span)), port) => out.listens.push(Listen {
            host: Some(host),
            port_span: port.as_ref().map(|(_, s)| s.clone()),
            port: port.map(|(p, _)| p),
            span,
        }),
        (None, Some((p, span))) => out.listens.push(Listen {
            host: None,
            port: Some(p),
            port_span: Some(span.clone()),
            span,
        }),
        (None, None) => {}
    }
    out
}
