//! nginx: `listen [address:]port ...;` (`ngx_http_core_module`, and the same directive in
//! `stream` servers), a `server { }` with no `listen` on `*:80` (the directive's default);
//! connections from `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `grpc_pass` and the
//! `server` lines of `upstream { }` (`ngx_http_upstream_module`). `#` starts a comment. An
//! `include` may add servers this file does not show (nginx's `include` directive, paths
//! relative to `/etc/nginx`): the file is then `open`, and its includes are listed.

use super::{AppConfig, Listen, Upstream, authority, split_address};

/// A directive's words with their offsets, and the innermost open block: its directive
/// name and its index among the blocks.
struct Statement<'t> {
    words: Vec<(usize, &'t str)>,
    block: Option<(&'t str, usize)>,
    /// The directive opens a block (`server {`), with this index.
    opens: Option<usize>,
}

/// nginx's statements: the words of each directive (ended by `;`, `{` or `}`) with their
/// offsets, and the block it sits in.
fn statements(text: &str) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    let mut blocks: Vec<(&str, usize)> = Vec::new();
    let mut opened = 0;
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut from: Option<usize> = None;
    let mut comment = false;
    for (i, c) in text.char_indices() {
        if comment {
            comment = c != '\n';
            continue;
        }
        let ends_word = c.is_whitespace() || matches!(c, ';' | '{' | '}' | '#');
        if ends_word && let Some(s) = from.take() {
            words.push((s, &text[s..i]));
        }
        match c {
            '#' => comment = true,
            ';' => out.push(Statement {
                words: std::mem::take(&mut words),
                block: blocks.last().copied(),
                opens: None,
            }),
            '{' => {
                let name = words.first().map_or("", |w| w.1);
                out.push(Statement {
                    words: std::mem::take(&mut words),
                    block: blocks.last().copied(),
                    opens: Some(opened),
                });
                blocks.push((name, opened));
                opened += 1;
            }
            '}' => {
                words.clear();
                blocks.pop();
            }
            _ if !ends_word && from.is_none() => from = Some(i),
            _ => {}
        }
    }
    out
}

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    // `server {` blocks outside `upstream`, with the span of their `server` word, and the
    // blocks that hold a `listen`.
    let mut servers: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    let mut with_listen: Vec<usize> = Vec::new();
    for st in statements(text) {
        let w = &st.words;
        let block_name = st.block.map(|b| b.0);
        if let (Some(&(at, "server")), Some(id)) = (w.first(), st.opens)
            && block_name != Some("upstream")
        {
            servers.push((id, at..at + "server".len()));
            continue;
        }
        let (Some(&(_, name)), Some(&(at, value))) = (w.first(), w.get(1)) else {
            continue;
        };
        match name {
            "include" => {
                out.open = true;
                out.includes.push(value.to_string());
            }
            "listen" => {
                if let Some((_, id)) = st.block {
                    with_listen.push(id);
                }
                if value.starts_with("unix:") {
                    continue;
                }
                let (host, port) = split_address(value);
                out.listens.push(Listen {
                    host,
                    port,
                    span: at..at + value.len(),
                    port_span: Some(at..at + value.len()),
                });
            }
            "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "grpc_pass" => {
                if let Some((host, port, skip)) = authority(value) {
                    let from = at + skip;
                    out.upstreams.push(Upstream {
                        span: from..from + host.len(),
                        host,
                        port,
                    });
                }
            }
            "server" if block_name == Some("upstream") => {
                if let Some((host, port, skip)) = authority(value) {
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
    // A server with no `listen` listens on *:80.
    for (id, span) in servers {
        if !with_listen.contains(&id) {
            out.listens.push(Listen {
                host: None,
                port: Some(80),
                span,
                port_span: None,
            });
        }
    }
    out
}
