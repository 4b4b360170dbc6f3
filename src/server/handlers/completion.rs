//! `textDocument/completion`: service names (`depends_on`, `links`,
//! `network_mode: service:`), network names (a service's `networks`), port protocols, and
//! the Compose keys the mapping under the cursor takes and the allowed values of a key
//! ([`crate::ide::keys`]).
//! The context comes from the current text, which is usually mid-edit; the names from the
//! last tree that parsed and the project's other files.

use tower_lsp_server::ls_types::*;

use crate::ide::completion::{self, Completing};
use crate::server::Backend;

/// What a completion reads of the session, copied under the document lock.
pub struct Snapshot {
    rope: ropey::Rope,
    last: Option<crate::server::documents::LastGood>,
    enc: crate::text::PositionEncoding,
    snippets: bool,
}

/// `None` for a document that is not open or not a Compose file.
pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let enc = backend.encoding();
    let docs = backend.docs();
    let doc = docs.get(uri)?;
    if doc.kind != crate::classify::FileKind::Compose {
        return None;
    }
    Some(Snapshot {
        rope: doc.rope.clone(),
        last: doc.last_good.clone(),
        enc,
        snippets: backend.snippets.load(std::sync::atomic::Ordering::Relaxed),
    })
}

pub fn completion(snap: Snapshot, params: CompletionParams) -> Option<CompletionResponse> {
    let pos = params.text_document_position;
    let offset = super::offset(&snap.rope, pos.position, snap.enc);
    let last = snap.last.as_ref();
    let defined = last
        .map(|l| completion::defined(&l.yaml))
        .unwrap_or_default();
    let external = last
        .map(|l| {
            (
                l.ctx.external.services.iter().cloned().collect::<Vec<_>>(),
                l.ctx.external.networks.iter().cloned().collect::<Vec<_>>(),
            )
        })
        .unwrap_or_default();
    let text = snap.rope.to_string();
    let Some(completing) = completion::completing(&text, offset) else {
        return keys(&text, offset, snap.snippets).map(CompletionResponse::Array);
    };
    let items: Vec<CompletionItem> = match completing {
        Completing::Service => {
            let taken = completion::already_named(&text, offset);
            let keep = |names: Vec<String>| -> Vec<String> {
                names.into_iter().filter(|n| !taken.contains(n)).collect()
            };
            names(keep(defined.0), keep(external.0), "service")
        }
        Completing::Network => {
            let mut nets = defined.1;
            nets.push("default".to_string());
            names(nets, external.1, "network")
        }
        Completing::Protocol => [("tcp", "the default"), ("udp", ""), ("sctp", "engine only")]
            .into_iter()
            .map(|(p, d)| CompletionItem {
                label: p.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: (!d.is_empty()).then(|| d.to_string()),
                ..Default::default()
            })
            .collect(),
    };
    Some(CompletionResponse::Array(items))
}

fn names(mut here: Vec<String>, elsewhere: Vec<String>, what: &str) -> Vec<CompletionItem> {
    let mut elsewhere = elsewhere;
    elsewhere.retain(|n| !here.contains(n));
    elsewhere.sort();
    here.dedup();
    here.into_iter()
        .map(|n| (n, format!("{what} in this file")))
        .chain(
            elsewhere
                .into_iter()
                .map(|n| (n, format!("{what} in another file of the project"))),
        )
        .map(|(label, detail)| CompletionItem {
            label,
            kind: Some(if what == "service" {
                CompletionItemKind::CLASS
            } else {
                CompletionItemKind::INTERFACE
            }),
            detail: Some(detail),
            ..Default::default()
        })
        .collect()
}

/// The keys the mapping under the cursor takes (those not written yet), or the allowed
/// values of the key whose value is being typed.
fn keys(text: &str, offset: usize, snippets: bool) -> Option<Vec<CompletionItem>> {
    use crate::ide::keys::{Typing, typing};
    use crate::knowledge::compose_keys::{Alt, schema};
    let doc = |key: &crate::knowledge::compose_keys::Key| {
        Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: format!("{}\n\n[Compose file reference]({})", key.doc, key.link),
        })
    };
    match typing(text, offset)? {
        Typing::Value { key } => Some(
            key.values
                .iter()
                .map(|v| CompletionItem {
                    label: v.clone(),
                    kind: Some(CompletionItemKind::ENUM_MEMBER),
                    detail: Some(format!("a value of `{}`", key.name)),
                    documentation: Some(doc(key)),
                    ..Default::default()
                })
                .collect(),
        ),
        Typing::Key { ctx, present } => {
            let s = schema();
            let c = s.context(ctx);
            Some(
                c.keys
                    .iter()
                    .filter(|k| !present.contains(&k.name))
                    .map(|k| {
                        let shape = &k.shape;
                        // The value's shape decides the snippet: a block below for lists and
                        // mappings, a choice for allowed values, the value after the colon.
                        let snippet = if !k.values.is_empty() {
                            let choices: Vec<&str> = k.values.iter().map(String::as_str).collect();
                            format!("{}: ${{1|{}|}}", k.name, choices.join(","))
                        } else if !shape.scalar() && shape.items().is_some() {
                            format!("{}:\n  - $0", k.name)
                        } else if !shape.scalar()
                            && shape
                                .0
                                .iter()
                                .any(|a| matches!(a, Alt::Mapping(_) | Alt::Map(_)))
                        {
                            format!("{}:\n  $0", k.name)
                        } else {
                            format!("{}: $0", k.name)
                        };
                        let (insert_text, format) = if snippets {
                            (snippet, InsertTextFormat::SNIPPET)
                        } else {
                            (format!("{}: ", k.name), InsertTextFormat::PLAIN_TEXT)
                        };
                        CompletionItem {
                            label: k.name.clone(),
                            kind: Some(CompletionItemKind::PROPERTY),
                            detail: Some(if k.deprecated {
                                format!("deprecated; takes {}", shape.describe())
                            } else {
                                format!("takes {}", shape.describe())
                            }),
                            documentation: Some(doc(k)),
                            deprecated: k.deprecated.then_some(true),
                            insert_text: Some(insert_text),
                            insert_text_format: Some(format),
                            ..Default::default()
                        }
                    })
                    .collect(),
            )
        }
    }
}
