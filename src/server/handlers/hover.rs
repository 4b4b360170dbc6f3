//! `textDocument/hover`: explains the port entry under the cursor, from the last tree that
//! parsed (so hovers keep working while the file is mid-edit).

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::server::Backend;
use crate::{compose, hover, text};

pub fn hover(backend: &Backend, params: HoverParams) -> Option<Hover> {
    let pos = params.text_document_position_params;
    let enc = backend.encoding();
    let last = {
        let docs = backend.docs();
        docs.get(&pos.text_document.uri)?.last_good.clone()?
    };
    let offset = text::position_to_offset(
        &last.rope,
        text::Position {
            line: pos.position.line,
            character: pos.position.character,
        },
        enc,
    );
    let yaml = &last.yaml;
    let entry = compose::port_entries(yaml).into_iter().find(|e| {
        let span = &yaml.node(e.item).span;
        span.start <= offset && offset <= span.end
    })?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover::port_entry(yaml, &entry),
        }),
        range: Some(convert::range(
            &last.rope,
            yaml.node(entry.item).span.clone(),
            enc,
        )),
    })
}
