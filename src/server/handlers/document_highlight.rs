//! `textDocument/documentHighlight`: the service or network under the cursor, everywhere this
//! file names it; its definition is marked as the write, the uses as reads.

use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::ide::nav;

pub fn document_highlight(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    params: DocumentHighlightParams,
) -> Option<Vec<DocumentHighlight>> {
    let pos = params.text_document_position_params;
    let files = snap.files(false);
    let this = files.first()?;
    let offset = this.offset(pos.position, enc)?;
    let target = nav::at(&this.yaml, &this.text, offset)?;
    let highlights: Vec<DocumentHighlight> = project::matching(&files, &target)
        .into_iter()
        .filter(|(i, o)| files[*i].holds(&o.range))
        .filter(|(i, _)| *i == 0)
        .map(|(_, o)| DocumentHighlight {
            range: convert::range(&this.rope, o.range, enc),
            kind: Some(if o.definition {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            }),
        })
        .collect();
    (!highlights.is_empty()).then_some(highlights)
}
