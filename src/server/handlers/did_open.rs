//! `textDocument/didOpen`: store the text, then analyse it off the request path.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

use crate::classify;
use crate::server::{Backend, document_path, project, scheduler};

pub fn did_open(backend: &Arc<Backend>, params: DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let path = document_path(&doc.uri);
    let kind = classify::by_document(&path, &doc.language_id);
    // A YAML file with another name is a Compose file when a Compose file includes or
    // extends it (`include: [common/db.yaml]`): known at once when an open document read
    // it, else decided by a scan of the folders above, on the worker pool.
    let candidate = kind.is_none()
        && matches!(doc.language_id.as_str(), "yaml" | "")
        && path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let mut docs = backend.docs();
    let users = project::users(&docs);
    // A file an open document reads (a config file a service mounts): not analysed, but its
    // unsaved text and edits count for that document, and its findings are shown in it.
    let kind = match kind {
        None if !candidate && project::is_read_by_open(&users, &path) => {
            Some(classify::FileKind::Read)
        }
        kind => kind,
    };
    if kind.is_none() && !candidate {
        tracing::debug!(
            uri = doc.uri.as_str(),
            language = doc.language_id,
            "not ours"
        );
        return;
    }
    let kind = kind
        .or_else(|| project::is_read_by_open(&users, &path).then_some(classify::FileKind::Compose));
    if let Some(kind) = kind {
        docs.open(doc.uri.clone(), kind, doc.version, &doc.text);
        let jobs = scheduler::bump_with_dependents(backend, &mut docs, &doc.uri);
        drop(docs);
        scheduler::spawn(backend, jobs);
        // Its unsaved settings may apply to any open document.
        if kind == classify::FileKind::Config {
            scheduler::schedule_all(backend);
        }
        return;
    }
    // Edits that arrive during the scan are applied to the pending document.
    docs.open_pending(doc.uri.clone(), doc.version, &doc.text);
    let open = Arc::new(crate::server::session::OpenFiles::of(&docs));
    drop(docs);
    let backend = Arc::clone(backend);
    let uri = doc.uri;
    tokio::spawn(async move {
        let vfs = std::sync::Arc::clone(&backend.vfs);
        let scan =
            tokio::task::spawn_blocking(move || project::is_included(&users, &open, &vfs, &path));
        let included = scan.await.unwrap_or(false);
        let jobs = {
            let mut docs = backend.docs();
            if !included {
                tracing::debug!(uri = uri.as_str(), "no Compose file names it: not ours");
                docs.drop_pending(&uri);
                return;
            }
            if !docs.confirm(&uri) {
                return;
            }
            scheduler::bump_with_dependents(&backend, &mut docs, &uri)
        };
        scheduler::spawn(&backend, jobs);
    });
}
