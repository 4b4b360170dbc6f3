//! `textDocument/didChange`: apply the edits now (no `.await` before), analyse later.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

use super::publish;
use crate::server::Backend;

pub fn did_change(backend: &Arc<Backend>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let enc = backend.encoding();
    if !backend
        .docs()
        .change(&uri, version, params.content_changes, enc)
    {
        tracing::debug!(uri = uri.as_str(), "change for a document that is not open");
        return;
    }
    backend.vfs_open(&uri);
    publish::schedule_related(backend, &uri);
    publish::schedule(backend, uri, version);
}
