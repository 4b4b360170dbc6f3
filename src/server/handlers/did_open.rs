//! `textDocument/didOpen`: store the text, then analyse it off the request path.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use super::publish;
use crate::classify;
use crate::server::{Backend, document_path};

pub fn did_open(backend: &Arc<Backend>, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let path = document_path(&doc.uri);
    let Some(kind) = classify::by_document(&path, &doc.language_id) else {
        tracing::debug!(
            uri = doc.uri.as_str(),
            language = doc.language_id,
            "not ours"
        );
        return;
    };
    backend
        .docs()
        .open(doc.uri.clone(), kind, doc.version, &doc.text);
    publish::schedule_dependents(backend, &doc.uri);
    publish::schedule(backend, doc.uri, doc.version);
}
