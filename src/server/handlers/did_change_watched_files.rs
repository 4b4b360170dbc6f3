//! `workspace/didChangeWatchedFiles`: a file changed on disk (not through the editor).
//! Open documents that read it (their analysis dependencies) are analysed again; a changed
//! portside.toml re-analyses every open document.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeWatchedFilesParams;

use super::publish;
use crate::server::{Backend, document_path};

pub fn did_change_watched_files(backend: &Arc<Backend>, params: DidChangeWatchedFilesParams) {
    for change in params.changes {
        let path = document_path(&change.uri);
        backend.vfs.invalidate(&path);
        if path.file_name().is_some_and(|n| n == "portside.toml") {
            publish::schedule_all(backend);
            return;
        }
        publish::schedule_dependents(backend, &change.uri);
    }
}
