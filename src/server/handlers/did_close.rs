//! `textDocument/didClose`: forget the document and clear its diagnostics.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use super::publish;
use crate::server::Backend;

pub async fn did_close(backend: &Arc<Backend>, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    if backend.docs().close(&uri).is_some() {
        backend.vfs.close(&crate::server::document_path(&uri));
        // Files that read this one now see what is on disk.
        publish::schedule_related(backend, &uri);
        let _guard = backend.publish.lock().await;
        backend
            .client
            .publish_diagnostics(uri, Vec::new(), None)
            .await;
    }
}
