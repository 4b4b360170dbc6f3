//! `textDocument/didChange`: apply the edits now (no `.await` before), analyse later.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeTextDocumentParams;

use crate::server::{Backend, scheduler};

pub fn did_change(backend: &Arc<Backend>, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let enc = backend.encoding();
    // The edit and the new generations (this document and those that read it) in one
    // critical section, so no analysis of the old text can store after it.
    let jobs = {
        let mut docs = backend.docs();
        if !docs.change(&uri, version, params.content_changes, enc) {
            tracing::debug!(uri = uri.as_str(), "change for a document that is not open");
            return;
        }
        scheduler::bump_with_dependents(backend, &mut docs, &uri)
    };
    scheduler::spawn(backend, jobs);
    // An unsaved portside.toml's settings may apply to any open document.
    if crate::server::document_path(&uri)
        .file_name()
        .is_some_and(|n| n == "portside.toml")
    {
        scheduler::schedule_all(backend);
    }
}
