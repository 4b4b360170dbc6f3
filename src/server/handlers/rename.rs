//! `textDocument/prepareRename` and `textDocument/rename`: a service or network, renamed
//! at its definition and every reference, across the project's Compose files.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::ide::nav;

pub fn prepare_rename(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    params: TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let files = snap.files(false);
    let this = files.first()?;
    if !snap.current {
        return None;
    }
    let offset = super::offset(&this.rope, params.position, enc);
    let o = nav::at(&this.yaml, &this.text, offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(&this.rope, o.range, enc),
        placeholder: o.name,
    })
}

/// A rename needs the document's last parsed tree to be its current text (edits are
/// computed on it): `snap.current`.
pub fn rename(
    snap: &project::Snapshot,
    enc: crate::text::PositionEncoding,
    params: RenameParams,
) -> Result<Option<WorkspaceEdit>> {
    let pos = params.text_document_position;
    let new = params.new_name.trim();
    if !nav::valid_name(new) {
        return Err(Error::invalid_params(format!(
            "`{new}` is not a valid Compose name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        )));
    }
    if !snap.current {
        return Err(Error::invalid_params(
            "the file does not parse right now; fix the syntax error and rename again",
        ));
    }
    let files = snap.files(true);
    let Some(this) = files.first() else {
        return Ok(None);
    };
    let offset = super::offset(&this.rope, pos.position, enc);
    let Some(target) = nav::at(&this.yaml, &this.text, offset) else {
        return Ok(None);
    };
    let matching = project::matching(&files, &target);
    // The new name is taken when the target's namespace defines it already.
    let renamed = nav::Occurrence {
        name: new.to_string(),
        ..target.clone()
    };
    let taken = project::matching(&files, &renamed)
        .iter()
        .any(|(_, o)| o.definition);
    if new != target.name && taken {
        return Err(Error::invalid_params(format!(
            "the project already has a {} named `{new}`",
            target.kind.word()
        )));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (i, o) in matching {
        let f = &files[i];
        changes.entry(f.uri.clone()).or_default().push(TextEdit {
            range: convert::range(&f.rope, o.range, enc),
            new_text: new.to_string(),
        });
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }))
}
