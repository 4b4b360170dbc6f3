//! `textDocument/documentSymbol`: the outline of a Compose file (services with their
//! ports, networks, volumes, configs, secrets).

use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::ide::nav;

pub fn document_symbol(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    _params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let files = snap.files(false);
    let this = files.first()?;
    // Only what the tree still places where the editor's text has it.
    let symbols = nav::symbols(&this.yaml)
        .into_iter()
        .filter(|s| this.holds(&s.range))
        .map(|s| {
            let kind = match s.section {
                "services" => SymbolKind::CLASS,
                "networks" => SymbolKind::INTERFACE,
                "volumes" => SymbolKind::STRUCT,
                _ => SymbolKind::CONSTANT,
            };
            let section = s.section.trim_end_matches('s');
            #[allow(deprecated)]
            DocumentSymbol {
                name: s.name,
                detail: Some(match s.detail {
                    Some(d) => format!("{section} · {d}"),
                    None => section.to_string(),
                }),
                kind,
                tags: None,
                deprecated: None,
                range: convert::range(&this.rope, s.range, enc),
                selection_range: convert::range(&this.rope, s.selection, enc),
                children: None,
            }
        })
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}
