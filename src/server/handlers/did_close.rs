//! `textDocument/didClose`: forget the document and clear its diagnostics.

use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

use crate::server::Backend;

pub async fn did_close(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    if backend.docs().close(&uri).is_some() {
        let _guard = backend.publish.lock().await;
        backend
            .client
            .publish_diagnostics(uri, Vec::new(), None)
            .await;
    }
}
