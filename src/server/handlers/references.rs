//! `textDocument/references`: every place the service or network under the cursor is
//! named, in this file and the project's other Compose files.

use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::ide::nav;

pub fn references(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    params: ReferenceParams,
) -> Option<Vec<Location>> {
    let pos = params.text_document_position;
    let files = snap.files(true);
    let this = files.first()?;
    let offset = this.offset(pos.position, enc)?;
    let target = nav::at(&this.yaml, &this.text, offset)?;
    let declaration = params.context.include_declaration;
    Some(
        project::matching(&files, &target)
            .into_iter()
            .filter(|(i, o)| files[*i].holds(&o.range))
            .filter(|(_, o)| declaration || !o.definition)
            .map(|(i, o)| {
                let f = &files[i];
                Location::new(f.uri.clone(), convert::range(&f.rope, o.range, enc))
            })
            .collect(),
    )
}
