//! The Compose files of a document's project, for navigation across files: the document
//! itself, the other Compose files its last analysis read (override, `include`, `extends`),
//! and the files that include, extend or override it (open documents that depend on it,
//! and Compose files in its folder and the folders above that name it), each from the
//! editor when open, else from disk.

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
    /// How many leading bytes of `text` are still those of the file's current text (the
    /// document's last good tree may be older): positions and ranges at or after this are
    /// not the same in the editor, and a handler answers nothing about them.
    pub valid: usize,
}

impl ProjectFile {
    /// The byte offset of a client position, when the tree can answer for it.
    pub fn offset(
        &self,
        pos: tower_lsp_server::ls_types::Position,
        enc: crate::text::PositionEncoding,
    ) -> Option<usize> {
        let offset = super::handlers::offset(&self.rope, pos, enc);
        (offset < self.valid).then_some(offset)
    }

    /// Whether a range of the tree is where the editor's text has it.
    pub fn holds(&self, range: &std::ops::Range<usize>) -> bool {
        range.end <= self.valid
    }
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
            valid: doc.unchanged_since(l.version),
        });
        (this, doc.deps.clone())
    };
    let mut out: Vec<ProjectFile> = this.into_iter().collect();
    if !others {
        return out;
    }
    let own = document_path(uri);
    let mut deps = deps;
    for includer in includers(backend, &own) {
        if !deps.contains(&includer) {
            deps.push(includer);
        }
    }
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
            valid: usize::MAX,
        });
    }
    out
}

/// Whether a Compose file of the project includes, extends or overrides `path`.
pub fn is_included(backend: &Backend, path: &std::path::Path) -> bool {
    !includers(backend, path).is_empty()
}

/// The Compose files that name `path` (as `include:`, `extends: file:`, or as their
/// override/base partner), with the other files those name: open documents whose last
/// analysis read it, then Compose-named files on disk in its folder and the folders above.
fn includers(backend: &Backend, path: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<std::path::PathBuf> = Vec::new();
    {
        let docs = backend.docs();
        for (uri, doc) in docs.iter() {
            if doc.kind == FileKind::Compose && doc.deps.iter().any(|d| d == path) {
                out.push(document_path(uri));
                out.extend(doc.deps.iter().cloned());
            }
        }
    }
    for includer in crate::workspace::includers_in(path, &backend.vfs) {
        if !out.contains(&includer.path) {
            out.push(includer.path);
        }
        out.extend(includer.names);
    }
    out.retain(|p| p != path);
    out
}

/// Which files share one namespace of service and network names: a file with its override
/// or base partner and the files it includes (an `extends: file:` lends one service and
/// keeps its own names). One group number per file.
fn namespaces(files: &[ProjectFile]) -> Vec<usize> {
    let paths: Vec<std::path::PathBuf> = files.iter().map(|f| document_path(&f.uri)).collect();
    let mut group: Vec<usize> = (0..files.len()).collect();
    fn find(group: &mut [usize], i: usize) -> usize {
        let mut i = i;
        while group[i] != i {
            group[i] = group[group[i]];
            i = group[i];
        }
        i
    }
    for (i, f) in files.iter().enumerate() {
        for named in crate::workspace::namespace_paths(&paths[i], &f.text) {
            if let Some(j) = paths
                .iter()
                .position(|p| crate::workspace::same_file(p, &named))
            {
                let (a, b) = (find(&mut group, i), find(&mut group, j));
                group[a] = b;
            }
        }
    }
    (0..files.len()).map(|i| find(&mut group, i)).collect()
}

/// The occurrences in `files` of the service or network `target` (found in `files[0]`),
/// with the index of their file: the names in the target's namespace (this file, its
/// override or base partner, included files), and `extends: {file: F, service: X}` where F
/// is in that namespace. When the target is itself such an `extends`, the namespace is F's.
pub fn matching(
    files: &[ProjectFile],
    target: &crate::navigate::Occurrence,
) -> Vec<(usize, crate::navigate::Occurrence)> {
    let resolve = |from: usize, written: &str| {
        let path = document_path(&files[from].uri);
        path.parent().map(|d| d.join(written))
    };
    let index_of = |path: &std::path::Path| {
        files
            .iter()
            .position(|f| crate::workspace::same_file(&document_path(&f.uri), path))
    };
    let group = namespaces(files);
    let home = match &target.file {
        Some(written) => {
            let Some(i) = resolve(0, written).and_then(|p| index_of(&p)) else {
                return Vec::new();
            };
            group[i]
        }
        None => group[0],
    };
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        for o in crate::navigate::named(&f.yaml, &f.text, target.kind, &target.name) {
            let space = match &o.file {
                Some(written) => resolve(i, written)
                    .and_then(|p| index_of(&p))
                    .map(|j| group[j]),
                None => Some(group[i]),
            };
            if space == Some(home) {
                out.push((i, o));
            }
        }
    }
    out
}
