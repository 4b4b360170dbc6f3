//! `textDocument/didClose`: forget the document and clear its diagnostics.

use std::sync::Arc;

use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, Uri};

use crate::server::{Backend, document_path, scheduler};

/// The synchronous part (before any `.await`): forgets the document and re-analyses the
/// files that read it (they now see what is on disk). Returns whether it was served.
pub fn close(backend: &Arc<Backend>, params: &DidCloseTextDocumentParams) -> Option<Uri> {
    let uri = &params.text_document.uri;
    let jobs = {
        let mut docs = backend.docs();
        docs.close(uri)?;
        // Its disk text counts again for the files that read it.
        backend.vfs.close(&document_path(uri));
        scheduler::bump_dependents(backend, &mut docs, &document_path(uri), None)
    };
    backend.settled.notify_waiters();
    scheduler::spawn(backend, jobs);
    Some(uri.clone())
}

/// Clears the closed document's diagnostics.
pub async fn clear(backend: &Arc<Backend>, uri: Uri) {
    let _guard = backend.publish.lock().await;
    backend
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}
