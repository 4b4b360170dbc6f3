//! Config files that a service mounts into its container, read for what decides its
//! networking: where the server listens (`listen`, `bind`, `port`, `bind-address`) and where
//! it connects to (nginx's `proxy_pass` and `upstream` servers). Pure: text in, values with
//! byte spans out. One function per format; adding a format is one more.
//!
//! Formats, as each server documents them:
//! - nginx: `listen [address:]port ...;` (nginx's `ngx_http_core_module`), `proxy_pass`,
//!   `fastcgi_pass`, `uwsgi_pass`, `grpc_pass` and `server` inside `upstream { }`
//!   (`ngx_http_upstream_module`); `#` starts a comment.
//! - redis.conf: `bind addr...` and `port N` lines (redis.conf's own documentation).
//! - MySQL/MariaDB option files: `bind-address` / `bind_address` and `port` in the
//!   `[mysqld]`, `[mariadb]`, `[mariadbd]` and `[server]` groups.

use std::ops::Range;

/// Which server reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Redis,
    MySql,
}

impl Kind {
    /// The kind of a file mounted at `target` in the container, by its path.
    pub fn of_target(target: &str) -> Option<Kind> {
        let t = target.trim_end_matches('/');
        if t == "/etc/nginx/nginx.conf"
            || (t.starts_with("/etc/nginx/conf.d/") && t.ends_with(".conf"))
        {
            return Some(Kind::Nginx);
        }
        if t.ends_with("/redis.conf") {
            return Some(Kind::Redis);
        }
        if (t.starts_with("/etc/mysql/") && (t.ends_with(".cnf"))) || t == "/etc/my.cnf" {
            return Some(Kind::MySql);
        }
        None
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Redis => "Redis",
            Kind::MySql => "MySQL",
        }
    }
}

/// Where the server listens: an address (`None`: every interface) and a port (`None`: the
/// server's default), with the span of the directive's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub span: Range<usize>,
}

/// An address the server connects to (nginx's upstreams): the host's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub host: String,
    pub port: Option<u16>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    pub listens: Vec<Listen>,
    pub upstreams: Vec<Upstream>,
}

pub fn read(kind: Kind, text: &str) -> AppConfig {
    match kind {
        Kind::Nginx => nginx(text),
        Kind::Redis => redis(text),
        Kind::MySql => mysql(text),
    }
}

/// The lines of `text` with their start offsets, comments (`#` to the end) cut off.
fn lines<'t>(text: &'t str, comment: &[char]) -> impl Iterator<Item = (usize, &'t str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = at;
        at += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let cut = line.find(comment).unwrap_or(line.len());
        (start, &line[..cut])
    })
}

/// `host:port`, `[v6]:port`, `port` or `host` (a bare number is a port).
fn split_address(value: &str) -> (Option<String>, Option<u16>) {
    if let Some(rest) = value.strip_prefix('[') {
        let (host, port) = rest.split_once(']').unwrap_or((rest, ""));
        return (
            Some(host.to_string()),
            port.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    if let Ok(port) = value.parse::<u16>() {
        return (None, Some(port));
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let host = (host != "*").then(|| host.to_string());
            (host, port.parse().ok())
        }
        _ => (Some(value.to_string()), None),
    }
}

/// The words of a directive line after its name, with their offsets.
fn words(line: &str, base: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() || c == ';' || c == '{' || c == '}' {
            if let Some(s) = from.take() {
                out.push((base + s, &line[s..i]));
            }
        } else if from.is_none() {
            from = Some(i);
        }
    }
    if let Some(s) = from {
        out.push((base + s, &line[s..]));
    }
    out
}

/// A directive's words with their offsets, and the name of the block it sits in.
type Statement<'t> = (Vec<(usize, &'t str)>, Option<&'t str>);

/// nginx's statements: the words of each directive (ended by `;`, `{` or `}`) with their
/// offsets, and the directive name of the innermost open block.
fn statements(text: &str) -> Vec<Statement<'_>> {
    let mut out = Vec::new();
    let mut blocks: Vec<&str> = Vec::new();
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
            ';' => out.push((std::mem::take(&mut words), blocks.last().copied())),
            '{' => {
                let name = words.first().map_or("", |w| w.1);
                out.push((std::mem::take(&mut words), blocks.last().copied()));
                blocks.push(name);
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

fn nginx(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    for (w, block) in statements(text) {
        let (Some(&(_, name)), Some(&(at, value))) = (w.first(), w.get(1)) else {
            continue;
        };
        let upstream_value = match name {
            "listen" if !value.starts_with("unix:") => {
                let (host, port) = split_address(value);
                out.listens.push(Listen {
                    host,
                    port,
                    span: at..at + value.len(),
                });
                continue;
            }
            "proxy_pass" | "fastcgi_pass" | "uwsgi_pass" | "grpc_pass" => {
                let rest = value.split_once("://").map_or(value, |(_, r)| r);
                (
                    value.len() - rest.len(),
                    rest.split('/').next().unwrap_or(rest),
                )
            }
            "server" if block == Some("upstream") => (0, value),
            _ => continue,
        };
        let (skipped, authority) = upstream_value;
        if authority.contains('$') || authority.starts_with("unix:") {
            continue;
        }
        if let (Some(host), port) = split_address(authority) {
            let from = at + skipped + usize::from(authority.starts_with('['));
            out.upstreams.push(Upstream {
                span: from..from + host.len(),
                host,
                port,
            });
        }
    }
    out
}

fn redis(text: &str) -> AppConfig {
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
    if bind.is_empty() {
        if let Some((p, span)) = port {
            out.listens.push(Listen {
                host: None,
                port: Some(p),
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
            })
            .collect();
    }
    out
}

fn mysql(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let mut server = false;
    let mut bind: Option<(String, Range<usize>)> = None;
    let mut port: Option<(u16, Range<usize>)> = None;
    for (start, line) in lines(text, &['#', ';']) {
        let trimmed = line.trim();
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
            port: port.map(|(p, _)| p),
            span,
        }),
        (None, Some((p, span))) => out.listens.push(Listen {
            host: None,
            port: Some(p),
            span,
        }),
        (None, None) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_listens_and_upstreams() {
        let text = "# proxy\nupstream app {\n    server 127.0.0.1:3000;\n    server api:8000 weight=2;\n}\nserver {\n    listen 8080 default_server;\n    listen [::]:8080;\n    location / { proxy_pass http://localhost:3000/; }\n    location /v2 {\n        proxy_pass http://api:8000;  # the service\n        proxy_pass http://$backend;\n    }\n}\n";
        let c = read(Kind::Nginx, text);
        let listens: Vec<_> = c.listens.iter().map(|l| (l.host.clone(), l.port)).collect();
        assert_eq!(
            listens,
            [(None, Some(8080)), (Some("::".into()), Some(8080))]
        );
        let ups: Vec<_> = c
            .upstreams
            .iter()
            .map(|u| (&text[u.span.clone()], u.port))
            .collect();
        assert_eq!(
            ups,
            [
                ("127.0.0.1", Some(3000)),
                ("api", Some(8000)),
                ("localhost", Some(3000)),
                ("api", Some(8000))
            ]
        );
    }

    #[test]
    fn redis_bind_and_port() {
        let c = read(
            Kind::Redis,
            "# bind 0.0.0.0\nbind 127.0.0.1 -::1\nport 6380\n",
        );
        let got: Vec<_> = c.listens.iter().map(|l| (l.host.clone(), l.port)).collect();
        assert_eq!(
            got,
            [
                (Some("127.0.0.1".into()), Some(6380)),
                (Some("::1".into()), Some(6380))
            ]
        );
        let c = read(Kind::Redis, "port 7000\n");
        assert_eq!(c.listens[0].port, Some(7000));
        assert!(read(Kind::Redis, "maxmemory 1gb\n").listens.is_empty());
    }

    #[test]
    fn mysql_groups() {
        let text = "[client]\nport = 3307\n[mysqld]\nbind-address = 127.0.0.1\nport=3306\n";
        let c = read(Kind::MySql, text);
        assert_eq!(c.listens.len(), 1);
        assert_eq!(c.listens[0].host.as_deref(), Some("127.0.0.1"));
        assert_eq!(&text[c.listens[0].span.clone()], "127.0.0.1");
        assert_eq!(c.listens[0].port, Some(3306));
    }

    #[test]
    fn kinds_by_mount_target() {
        assert_eq!(
            Kind::of_target("/etc/nginx/conf.d/default.conf"),
            Some(Kind::Nginx)
        );
        assert_eq!(Kind::of_target("/etc/nginx/nginx.conf"), Some(Kind::Nginx));
        assert_eq!(
            Kind::of_target("/usr/local/etc/redis/redis.conf"),
            Some(Kind::Redis)
        );
        assert_eq!(
            Kind::of_target("/etc/mysql/conf.d/my.cnf"),
            Some(Kind::MySql)
        );
        assert_eq!(Kind::of_target("/etc/nginx/conf.d"), None);
        assert_eq!(Kind::of_target("/data"), None);
    }
}
