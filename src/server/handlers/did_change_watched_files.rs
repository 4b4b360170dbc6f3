//! `workspace/didChangeWatchedFiles`: a file changed on disk (not through the editor).
//! Open documents that read it (their analysis dependencies) are analysed again, each once
//! however many of the files it read changed; a changed portside.toml re-analyses every
//! open document.

use std::sync::Arc;

use tower_lsp_server::ls_types::DidChangeWatchedFilesParams;

use crate::server::{Backend, document_path, scheduler};

pub fn did_change_watched_files(backend: &Arc<Backend>, params: DidChangeWatchedFilesParams) {
    let paths: Vec<_> = params
        .changes
        .iter()
        .map(|c| document_path(&c.uri))
        .collect();
    for path in &paths {
        backend.vfs.invalidate(path);
    }
    if paths
        .iter()
        .any(|p| p.file_name().is_some_and(|n| n == "portside.toml"))
    {
        scheduler::schedule_all(backend);
        return;
    }
    let jobs = {
        let mut docs = backend.docs();
        let dependents: Vec<_> = docs
            .iter()
            .filter(|(_, doc)| doc.deps.iter().any(|d| paths.contains(d)))
            .map(|(uri, _)| uri.clone())
            .collect();
        dependents
            .iter()
            .filter_map(|uri| scheduler::bump(backend, &mut docs, uri, scheduler::Why::Related))
            .collect()
    };
    scheduler::spawn(backend, jobs);
}
