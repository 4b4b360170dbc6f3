//! `textDocument/completion`: service names (`depends_on`, `links`,
//! `network_mode: service:`), network names (a service's `networks`) and port protocols.
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
    let items: Vec<CompletionItem> = match completion::completing(&text, offset)? {
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
