//! `textDocument/hover`: port mappings, networks, `network_mode`, `extra_hosts`, Dockerfile
//! `EXPOSE`, daemon.json keys, and the rule of a diagnostic under the cursor. Compose hovers
//! use the last tree that parsed (so they keep working while the file is mid-edit, above
//! the edit); they never wait for an analysis.

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::classify::FileKind;
use crate::ide::hover;
use crate::server::Backend;
use crate::server::documents::{Analysed, LastGood, LiveResult};
use crate::text;

/// What a hover reads of the session, copied under the document lock.
pub struct Snapshot {
    kind: FileKind,
    rope: ropey::Rope,
    version: i32,
    last: Option<LastGood>,
    valid: usize,
    analysed: Option<Analysed>,
    live: Vec<LiveResult>,
    live_disabled: bool,
    markdown: bool,
    /// The client runs `command:` links (see `Backend::command_links`).
    links: bool,
    uri: Uri,
    enc: text::PositionEncoding,
}

pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let enc = backend.encoding();
    let live_disabled = backend.settings().live_disabled;
    let markdown = backend
        .hover_markdown
        .load(std::sync::atomic::Ordering::Relaxed);
    let links = backend
        .command_links
        .load(std::sync::atomic::Ordering::Relaxed);
    let docs = backend.docs();
    let doc = docs.get(uri)?;
    let valid = doc
        .last_good
        .as_ref()
        .map_or(usize::MAX, |l| doc.unchanged_since(l.version));
    Some(Snapshot {
        kind: doc.kind,
        rope: doc.rope.clone(),
        version: doc.version,
        last: doc.last_good.clone(),
        valid,
        analysed: doc.analysed.clone(),
        live: doc.live.clone(),
        live_disabled,
        markdown,
        links,
        uri: uri.clone(),
        enc,
    })
}

pub fn hover(snap: Snapshot, params: HoverParams) -> Option<Hover> {
    let pos = params.text_document_position_params;
    let Snapshot {
        kind,
        rope,
        version,
        last,
        valid,
        analysed,
        live,
        live_disabled,
        markdown,
        links,
        uri,
        enc,
    } = snap;
    let at = |rope: &ropey::Rope| {
        text::position_to_offset(
            rope,
            text::Position {
                line: pos.position.line,
                character: pos.position.character,
            },
            enc,
        )
    };
    // Findings of exactly the text being hovered, else none.
    let findings_of = |v: i32| {
        analysed
            .as_ref()
            .filter(|a| a.version == v)
            .map(|a| std::sync::Arc::clone(&a.findings))
            .unwrap_or_default()
    };
    let (found, rope) = match kind {
        FileKind::Compose => {
            // The last tree that parsed answers only where the editor's text still is
            // what it read: an edit above the cursor (a line broken mid-typing) moves
            // everything after it, and then it is better to say nothing.
            let last = last?;
            let offset = at(&last.rope);
            if offset >= valid {
                return None;
            }
            let text = &last.text;
            let env = hover::Env {
                vars: &last.ctx.vars,
                dotenv: &last.ctx.dotenv,
                external: &last.ctx.external,
            };
            let findings = findings_of(last.version);
            let mut found = hover::compose(text, &last.yaml, env, offset, &findings)
                .filter(|h| h.range.end <= valid);
            if let Some(h) = &mut found
                && h.port_mapping
                && (!live.is_empty() || !live_disabled)
            {
                let link = (links && markdown && !live_disabled)
                    .then(|| crate::ide::nav::service_at(&last.yaml, h.range.start))
                    .flatten()
                    .map(|(service, _)| {
                        command_link(&serde_json::json!([
                            {"uri": uri.as_str(), "service": service, "offset": h.range.start}
                        ]))
                    });
                push_live(&mut h.markdown, &h.range, &live, link.as_deref());
            }
            (found, last.rope)
        }
        FileKind::Dockerfile => {
            let offset = at(&rope);
            let text = rope.to_string();
            (
                hover::dockerfile(&text, offset, &findings_of(version)),
                rope,
            )
        }
        FileKind::DaemonJson => {
            let offset = at(&rope);
            let text = rope.to_string();
            (
                hover::daemon_json(&text, offset, &findings_of(version)),
                rope,
            )
        }
        FileKind::Config => {
            let offset = at(&rope);
            (hover::rule_doc(&findings_of(version), offset), rope)
        }
        FileKind::Env | FileKind::Read => (None, rope),
    };
    let found = found?;
    Some(Hover {
        contents: HoverContents::Markup(if markdown {
            MarkupContent {
                kind: MarkupKind::Markdown,
                value: found.markdown,
            }
        } else {
            MarkupContent {
                kind: MarkupKind::PlainText,
                value: hover::plain_text(&found.markdown),
            }
        }),
        range: Some(convert::range(&rope, found.range, enc)),
    })
}

/// A Markdown `command:` link to `portside.probe` with `args` (percent-encoded JSON, as
/// VS Code reads them).
fn command_link(args: &serde_json::Value) -> String {
    let json = args.to_string();
    let mut encoded = String::with_capacity(json.len() * 3);
    for b in json.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("command:{}?{encoded}", super::execute_command::PROBE)
}

/// The cached live verdicts of the hovered port mapping, with their age, one short line
/// each (the whole message is the diagnostic's). Never waits for the daemon: without a
/// cached result it says how to get one, as a link where the client runs them.
fn push_live(
    md: &mut String,
    range: &std::ops::Range<usize>,
    live: &[crate::server::documents::LiveResult],
    link: Option<&str>,
) {
    use crate::live::probe::Outcome;
    let ours: Vec<_> = live
        .iter()
        .filter(|r| r.verdict.mapping.range == *range)
        .collect();
    let action = match link {
        Some(l) => format!("[Check reachability]({l})"),
        None => "code action \"Check reachability\"".to_string(),
    };
    if ours.is_empty() {
        hover::footer_line(md, &format!("Live: not checked yet ({action})"));
        return;
    }
    let n = ours.len();
    for (i, r) in ours.into_iter().enumerate() {
        let v = &r.verdict;
        let age = r.at.elapsed().as_secs();
        let port = v
            .host_port
            .map(|p| format!(", host port {p}"))
            .unwrap_or_default();
        let verdict = match v.outcome {
            Outcome::Ok => format!("✓ {}", v.why.short()),
            Outcome::Fail if r.quiet => "the project was not running".to_string(),
            Outcome::Fail => format!("✗ {} at `{}` (see the problem)", v.why.short(), v.step),
        };
        let again = match link {
            Some(l) if i + 1 == n => format!(" · [Check again]({l})"),
            _ => String::new(),
        };
        hover::footer_line(
            md,
            &format!("**Live** ({age} s ago{port}): {verdict}{again}"),
        );
    }
}
