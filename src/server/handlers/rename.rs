//! `textDocument/prepareRename` and `textDocument/rename`: a service or network, renamed
//! at its definition and every reference, across the project's Compose files.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::super::{convert, project};
use crate::navigate;
use crate::server::Backend;

pub fn prepare_rename(
    backend: &Backend,
    params: TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    let enc = backend.encoding();
    let files = project::files(backend, &params.text_document.uri, false);
    let this = files.first()?;
    if !current(backend, &params.text_document.uri) {
        return None;
    }
    let offset = super::offset(&this.rope, params.position, enc);
    let o = navigate::at(&this.yaml, &this.text, offset)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(&this.rope, o.range, enc),
        placeholder: o.name,
    })
}

/// Whether the document's last parsed tree is its current text (edits are computed on it).
fn current(backend: &Backend, uri: &Uri) -> bool {
    let docs = backend.docs();
    docs.get(uri)
        .and_then(|d| Some(d.last_good.as_ref()?.version == d.version))
        .unwrap_or(false)
}

pub fn rename(backend: &Backend, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let pos = params.text_document_position;
    let enc = backend.encoding();
    let new = params.new_name.trim();
    if !navigate::valid_name(new) {
        return Err(Error::invalid_params(format!(
            "`{new}` is not a valid Compose name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        )));
    }
    if !current(backend, &pos.text_document.uri) {
        return Err(Error::invalid_params(
            "the file does not parse right now; fix the syntax error and rename again",
        ));
    }
    let files = project::files(backend, &pos.text_document.uri, true);
    let Some(this) = files.first() else {
        return Ok(None);
    };
    let offset = super::offset(&this.rope, pos.position, enc);
    let Some(target) = navigate::at(&this.yaml, &this.text, offset) else {
        return Ok(None);
    };
    let matching = project::matching(&files, &target);
    // The new name is taken when the target's namespace defines it already.
    let renamed = navigate::Occurrence {
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
