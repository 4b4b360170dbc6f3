//! The Compose files of a document's project, for navigation across files: the document
//! itself, then the other Compose files its last analysis read (override, `include`,
//! `extends`), each from the editor when open, else from disk.

use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::Uri;

use crate::classify::FileKind;
use crate::server::{Backend, document_path};
use crate::syntax::yaml::Yaml;

pub struct ProjectFile {
    pub uri: Uri,
    pub rope: Rope,
    pub text: Arc<String>,
    pub yaml: Arc<Yaml>,
}

/// The document (when it is a Compose file that parsed) and, with `others`, the project's
/// other Compose files.
pub fn files(backend: &Backend, uri: &Uri, others: bool) -> Vec<ProjectFile> {
    let (this, deps) = {
        let docs = backend.docs();
        let Some(doc) = docs.get(uri) else {
            return Vec::new();
        };
        if doc.kind != FileKind::Compose {
            return Vec::new();
        }
        let this = doc.last_good.as_ref().map(|l| ProjectFile {
            uri: uri.clone(),
            rope: l.rope.clone(),
            text: Arc::clone(&l.text),
            yaml: Arc::clone(&l.yaml),
        });
        (this, doc.deps.clone())
    };
    let mut out: Vec<ProjectFile> = this.into_iter().collect();
    if !others {
        return out;
    }
    let own = document_path(uri);
    for path in deps {
        let compose = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        if !compose || path == own || out.iter().any(|f| document_path(&f.uri) == path) {
            continue;
        }
        let Some(text) = backend
            .text_of(&path)
            .or_else(|| std::fs::read_to_string(&path).ok())
        else {
            continue;
        };
        let Some(uri) = Uri::from_file_path(&path) else {
            continue;
        };
        let yaml = Yaml::parse(&text);
        if yaml.error.is_some() {
            continue;
        }
        out.push(ProjectFile {
            uri,
            rope: Rope::from_str(&text),
            text: Arc::new(text),
            yaml: Arc::new(yaml),
        });
    }
    out
}
