//! What the command a stage runs listens on: the port of a known server, written in its
//! flags or its default (`knowledge::servers`), and the helpers that read flags and addresses
//! out of command words.

use std::ops::Range;

use super::{Stage, Word};
use crate::knowledge::servers::ADDRESS_FLAGS;
/// The last path component: `/usr/local/bin/gunicorn` → `gunicorn`, `manage.py` stays.
pub(crate) fn base(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// The value of a flag at `words[i]`: `--host=x` or `--host x`.
pub(crate) fn flag_value<'w>(
    words: &'w [Word],
    i: usize,
    flags: &[&str],
) -> Option<(&'w Word, usize)> {
    let w = &words[i].text;
    for f in flags {
        if w == f {
            return words.get(i + 1).map(|v| (v, 0));
        }
        if let Some(v) = w.strip_prefix(f).and_then(|r| r.strip_prefix('=')) {
            return Some((&words[i], w.len() - v.len()));
        }
    }
    None
}

/// The host part of an address such as `127.0.0.1:8000`, `[::1]:80` or `localhost`.
pub(crate) fn host_of(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') && p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => addr,
    }
}

/// Flags whose value may be the URL of the listen address (`--listen=http://127.0.0.1:8080`,
/// `--bind tcp://0.0.0.0:9000`, Go's `-addr`). Under another flag a URL names another
/// server (`locust --host http://web:8000` is the load test's target).
const URL_FLAGS: &[&str] = &[
    "--listen",
    "--bind",
    "--address",
    "--addr",
    "-addr",
    "-listen",
];

/// The listen address in the value of the address flag written in `flag_word` (`--listen`,
/// or `--listen=...` with its value): the value itself, or the authority of a URL given to
/// one of [`URL_FLAGS`] (`http://127.0.0.1:8080/x` → `127.0.0.1:8080`); `None` for a URL
/// under another flag.
pub(crate) fn listen_address<'v>(flag_word: &str, value: &'v str) -> Option<&'v str> {
    let Some((_, rest)) = value.split_once("://") else {
        return Some(value);
    };
    let flag = flag_word.split('=').next().unwrap_or(flag_word);
    URL_FLAGS
        .contains(&flag)
        .then(|| rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// The port a stage's server visibly listens on, and the command words that say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listen {
    pub port: u16,
    pub span: Range<usize>,
    /// The port is the server's default, not written in the command.
    pub default: bool,
    /// The command words at `span`, unquoted (`--port 8000`).
    pub what: String,
}

impl Listen {
    /// How the command shows the port, for messages: `` `--port 8000` `` or
    /// `` `flask run` listens on 5000 by default ``.
    pub fn how(&self) -> String {
        if self.default {
            format!("`{}` listens on {} by default", self.what, self.port)
        } else {
            format!("`{}`", self.what)
        }
    }
}

/// The port the server that `stage` starts listens on, when the command shows it: a
/// `--port` flag, the port of a listen address (`--bind 0.0.0.0:8000`, `-S host:port`,
/// `runserver 0.0.0.0:8000`, `http.server 8080`), or the default of a known server. `None`
/// when nothing shows it, when a value cannot be resolved, or when a `PORT`-like variable
/// may change a default.
pub(crate) fn listen_port(stage: &Stage) -> Option<Listen> {
    let words = stage.command();
    let mut listen = find_listen(stage, &words)?;
    let inside: Vec<&str> = words
        .iter()
        .filter(|w| listen.span.start <= w.span.start && w.span.end <= listen.span.end)
        .map(|w| w.text.as_str())
        .collect();
    listen.what = inside.join(" ");
    Some(listen)
}

fn find_listen(stage: &Stage, words: &[Word]) -> Option<Listen> {
    let number = |s: &str| {
        stage
            .expand(s)
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|p| *p != 0)
    };
    let written = |port: u16, span: Range<usize>| Listen {
        port,
        span,
        default: false,
        what: String::new(),
    };
    let port_of = |addr: &str| -> Option<String> {
        match addr.strip_prefix('[') {
            Some(rest) => rest.split_once("]:").map(|(_, p)| p.to_string()),
            None => addr
                .rsplit_once(':')
                .filter(|(h, _)| !h.contains(':'))
                .map(|(_, p)| p.to_string()),
        }
    };
    for i in 0..words.len() {
        if let Some((value, skip)) = flag_value(words, i, &["--port"]) {
            let span = words[i].span.start..value.span.end;
            return number(&value.text[skip..]).map(|p| written(p, span));
        }
        if let Some((value, skip)) = flag_value(words, i, ADDRESS_FLAGS)
            && let Some(addr) = listen_address(&words[i].text, &value.text[skip..])
            && let Some(port) = port_of(addr)
        {
            let span = words[i].span.start..value.span.end;
            return number(&port).map(|p| written(p, span));
        }
    }
    let port_env = stage
        .vars
        .iter()
        .any(|(k, _)| k == "PORT" || k.ends_with("_PORT"));
    // Servers that take the address as an argument are read below. The longest pattern
    // first: `vite preview` before `vite`, `ng serve` before `serve`.
    let mut servers: Vec<(Vec<&str>, Vec<&str>, Option<u16>)> = crate::knowledge::servers::all()
        .iter()
        .filter(|s| s.positional.is_empty())
        .flat_map(|s| {
            s.words.iter().map(move |w| {
                (
                    w.iter().map(String::as_str).collect(),
                    s.port_flags.iter().map(String::as_str).collect(),
                    s.known_port(),
                )
            })
        })
        .collect();
    servers.sort_by_key(|(pattern, _, _)| std::cmp::Reverse(pattern.len()));
    for (pattern, flags, default) in servers {
        let Some((at, end)) = find(words, &pattern) else {
            continue;
        };
        for i in end + 1..words.len() {
            if let Some((value, skip)) = flag_value(words, i, &flags) {
                let span = words[i].span.start..value.span.end;
                // A port, or `[IP:]PORT` (BusyBox httpd's `-p 0.0.0.0:9000`).
                let v = &value.text[skip..];
                let port = port_of(v).unwrap_or_else(|| v.to_string());
                return number(&port).map(|p| written(p, span));
            }
        }
        if port_env {
            return None;
        }
        return default.map(|port| Listen {
            port,
            span: words[at].span.start..words[end].span.end,
            default: true,
            what: String::new(),
        });
    }
    // `manage.py runserver [addr:]port` and `python -m http.server [port]`: the first
    // argument that is not a flag (or a flag's value).
    for (command, default) in [("runserver", 8000), ("http.server", 8000)] {
        let Some(at) = words.iter().position(|w| base(&w.text) == command) else {
            continue;
        };
        let mut rest = words[at + 1..].iter();
        let mut arg = None;
        while let Some(w) = rest.next() {
            if matches!(
                w.text.as_str(),
                "--bind" | "-b" | "--directory" | "-d" | "--settings"
            ) {
                rest.next();
            } else if !w.text.starts_with('-') {
                arg = Some(w);
                break;
            }
        }
        return match arg {
            None if port_env => None,
            None => Some(Listen {
                port: default,
                span: words[at].span.clone(),
                default: true,
                what: String::new(),
            }),
            Some(a) => {
                let port = port_of(&a.text).unwrap_or_else(|| a.text.clone());
                number(&port).map(|p| written(p, a.span.clone()))
            }
        };
    }
    None
}

/// What says that the program `words` start reads `PORT`, for messages, and whether that
/// is documented (a server or image whose documentation names `PORT`) rather than a
/// convention (a Node or Go app, Heroku's and Cloud Run's convention that most follow):
/// a server of the table whose `port_env` names `PORT` (`next start`, Bun; `node` is the
/// table's entry for Node apps, a convention), a package script (`npm start`, resolved
/// through `package`, the build context's package.json, when known) that runs one, `go
/// run`, or a program built from a `golang` image (`go_built`). `None` when nothing does.
pub(crate) fn port_env_reader(
    words: &[Word],
    package: Option<&str>,
    go_built: bool,
) -> Option<(String, bool)> {
    if let Some(package) = package
        && let Some(script) = super::npm_script(words, package)
        && let Some(found) = port_env_reader(&script.words, None, go_built)
    {
        return Some(found);
    }
    let mut servers: Vec<(&crate::knowledge::servers::Server, Vec<&str>)> =
        crate::knowledge::servers::all()
            .iter()
            .filter(|s| s.port_env.iter().any(|v| v == "PORT"))
            .flat_map(|s| {
                s.words
                    .iter()
                    .map(move |w| (s, w.iter().map(String::as_str).collect()))
            })
            .collect();
    servers.sort_by_key(|(_, pattern)| std::cmp::Reverse(pattern.len()));
    for (server, pattern) in servers {
        if find(words, &pattern).is_some() {
            // The generic entry for `node` apps is a convention, not a documented fact.
            let documented = server.id != "node-app-port-env";
            let what = if documented {
                format!("`{}` reads `PORT`", pattern.join(" "))
            } else {
                "Node apps commonly read `PORT`".to_string()
            };
            return Some((what, documented));
        }
    }
    let first = words.first().map(|w| base(&w.text));
    if matches!(
        first,
        Some("npm" | "yarn" | "pnpm" | "nodemon" | "ts-node" | "tsx")
    ) {
        return Some(("Node apps commonly read `PORT`".to_string(), false));
    }
    if find(words, &["go", "run"]).is_some() || go_built {
        return Some(("Go apps commonly read `PORT`".to_string(), false));
    }
    None
}

/// Where `pattern` starts and ends in the command words. The first word is compared by its
/// base name (so `/usr/local/bin/gunicorn` and `python -m flask run` are found); options
/// between the words are skipped (`flask --app api run`), with the value of `--app`/`-A`.
pub(crate) fn find(words: &[Word], pattern: &[&str]) -> Option<(usize, usize)> {
    'start: for i in 0..words.len() {
        if base(&words[i].text) != pattern[0] {
            continue;
        }
        let mut j = i;
        for p in &pattern[1..] {
            j += 1;
            while let Some(w) = words.get(j) {
                if w.text == *p {
                    break;
                }
                if !w.text.starts_with('-') {
                    continue 'start;
                }
                j += if matches!(w.text.as_str(), "--app" | "-A") {
                    2
                } else {
                    1
                };
            }
            if j >= words.len() {
                continue 'start;
            }
        }
        return Some((i, j));
    }
    None
}
