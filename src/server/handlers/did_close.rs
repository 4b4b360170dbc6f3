//! `textDocument/didClose`: forget the document and clear its diagnostics.

use std::sync::Arc;

use tower_lsp_server::ls_types::{DidCloseTextDocumentParams, Uri};

use crate::server::{Backend, document_path, scheduler};

/// The synchronous part (before any `.await`): forgets the document and re-analyses the
/// files that read it (they now see what is on disk). Returns whether it was served.
pub fn close(backend: &Arc<Backend>, params: &DidCloseTextDocumentParams) -> Option<Uri> {
    let uri = &params.text_document.uri;
    let (jobs, read) = {
        let mut docs = backend.docs();
        let doc = docs.close(uri)?;
        // Its disk text counts again for the files that read it.
        backend.vfs.close(&document_path(uri));
        let read: Vec<Uri> = doc.in_read_files.into_iter().map(|(u, _)| u).collect();
        (
            scheduler::bump_dependents(backend, &mut docs, &document_path(uri), None),
            read,
        )
    };
    backend.settled.notify_waiters();
    scheduler::spawn(backend, jobs);
    // The findings it put in the files it read (mounted config files) go with it.
    if !read.is_empty() {
        let backend = Arc::clone(backend);
        tokio::spawn(async move { scheduler::publish_read_files(&backend, read).await });
    }
    Some(uri.clone())
}

/// Clears the closed document's diagnostics, but for the findings that open documents put
/// in it (a mounted config file keeps those).
pub async fn clear(backend: &Arc<Backend>, uri: Uri) {
    scheduler::publish_read_files(backend, vec![uri]).await;
}
