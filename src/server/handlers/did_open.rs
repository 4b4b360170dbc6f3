//! `textDocument/didOpen`: store the text, then analyse it off the request path.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use super::publish;
use crate::classify;
use crate::server::{Backend, document_path};

pub fn did_open(backend: &Arc<Backend>, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let path = document_path(&doc.uri);
    // A YAML file with another name is a Compose file when a Compose file includes or
    // extends it (`include: [common/db.yaml]`).
    let kind = classify::by_document(&path, &doc.language_id).or_else(|| {
        (matches!(doc.language_id.as_str(), "yaml" | "")
            && path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && crate::server::project::is_included(backend, &path))
        .then_some(classify::FileKind::Compose)
    });
    let Some(kind) = kind else {
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
    backend.vfs_open(&doc.uri);
    publish::schedule_related(backend, &doc.uri);
    publish::schedule(backend, doc.uri, doc.version);
}
