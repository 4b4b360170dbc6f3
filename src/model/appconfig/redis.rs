//! redis.conf: `bind addr...` (a later `bind` replaces an earlier one; `-` before an
//! address makes it optional) and `port N` lines, as redis.conf's own comments document
//! them; the default port is 6379. `include` makes the file `open`.

use super::{AppConfig, Listen, lines, words};
use std::ops::Range;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut bind: Vec<(String, Range<usize>)> = Vec::new();
    let mut port: Option<(u16, Range<usize>)> = None;
    for (start, line) in lines(text, &['#']) {
        let w = words(line, start);
        match w.first().map(|(_, d)| d.to_ascii_lowercase()).as_deref() {
            Some("bind") => {
                // A later `bind` replaces an earlier one.
                bind = w[1..]
                    .iter()
                    .map(|&(at, a)| {
                        let a = a.strip_prefix('-').unwrap_or(a);
                        (a.to_string(), at..at + a.len())
                    })
                    .collect();
            }
            // `include` may set them in another file.
            Some("include") => out.open = true,
            Some("port") => {
                if let Some(&(at, p)) = w.get(1)
                    && let Ok(p) = p.parse::<u16>()
                {
                    port = Some((p, at..at + p.to_string().len()));
                }
            }
            _ => {}
        }
    }
    let port_value = port.as_ref().map(|(p, _)| *p);
    let port_span = port.as_ref().map(|(_, s)| s.clone());
    if bind.is_empty() {
        if let Some((p, span)) = port {
            out.listens.push(Listen {
                host: None,
                port: Some(p),
                port_span: Some(span.clone()),
                span,
            });
        }
    } else {
        out.listens = bind
            .into_iter()
            .map(|(host, span)| Listen {
                host: Some(host),
                port: port_value,
                span,
                port_span: port_span.clone(),
            })
            .collect();
    }
    out
}
