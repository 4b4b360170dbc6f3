//! The Compose files of a document's project, for navigation across files: the document
//! itself, the other Compose files its last analysis read (override, `include`, `extends`),
//! and the files that include, extend or override it (open documents that depend on it,
//! and Compose files in its folder and the folders above that name it), each from the
//! editor when open, else from disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::Uri;

use crate::classify::FileKind;
use crate::server::documents::Documents;
use crate::server::session::OpenFiles;
use crate::server::{Backend, document_path};
use crate::syntax::yaml::Yaml;

#[derive(Clone)]
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

/// What navigation needs of the session, copied under the document lock: the document's
/// last good tree, what its analysis read, which open Compose documents read which files,
/// and the open documents' texts. Building the project's files from it reads the disk, so
/// it is done on the worker pool.
pub struct Snapshot {
    uri: Uri,
    this: Option<ProjectFile>,
    deps: Vec<PathBuf>,
    users: Users,
    open: Arc<OpenFiles>,
    vfs: Arc<crate::workspace::Vfs<'static>>,
    /// Whether the last good tree is the document's current text.
    pub current: bool,
}

/// Each open Compose document's path, with the files its last analysis read.
pub type Users = Vec<(PathBuf, Vec<PathBuf>)>;

/// The open Compose documents and what they read (under the document lock; no I/O).
pub fn users(docs: &Documents) -> Users {
    docs.iter()
        .filter(|(_, doc)| doc.kind == FileKind::Compose)
        .map(|(uri, doc)| (document_path(uri), doc.deps.clone()))
        .collect()
}

/// The navigation snapshot of a Compose document; `None` for another kind or a document
/// that is not open.
pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let docs = backend.docs();
    let doc = docs.get(uri)?;
    if doc.kind != FileKind::Compose {
        return None;
    }
    let this = doc.last_good.as_ref().map(|l| ProjectFile {
        uri: uri.clone(),
        rope: l.rope.clone(),
        text: Arc::clone(&l.text),
        yaml: Arc::clone(&l.yaml),
        valid: doc.unchanged_since(l.version),
    });
    Some(Snapshot {
        uri: uri.clone(),
        this,
        deps: doc.deps.clone(),
        current: doc
            .last_good
            .as_ref()
            .is_some_and(|l| l.version == doc.version),
        users: users(&docs),
        open: Arc::new(OpenFiles::of(&docs)),
        vfs: Arc::clone(&backend.vfs),
    })
}

/// The key of navigation's tree and rope of a file in the workspace cache.
const NAVIGATION: u64 = 0x6e61_7669;

impl Snapshot {
    /// The document (when it is a Compose file that parsed) and, with `others`, the
    /// project's other Compose files (read from the editor or the disk: on a worker only).
    pub fn files(&self, others: bool) -> Vec<ProjectFile> {
        let mut out: Vec<ProjectFile> = self.this.iter().cloned().collect();
        if !others {
            return out;
        }
        let own = document_path(&self.uri);
        let mut deps = self.deps.clone();
        for includer in includers(&self.users, &self.open, &self.vfs, &own) {
            if !deps.contains(&includer) {
                deps.push(includer);
            }
        }
        // Through the workspace cache: each other file is read and parsed once per content,
        // not once per request; open documents' unsaved text wins.
        self.open.sync(&self.vfs);
        for path in deps {
            let compose = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !compose || path == own || out.iter().any(|f| document_path(&f.uri) == path) {
                continue;
            }
            let Some(uri) = Uri::from_file_path(&path) else {
                continue;
            };
            let Some((text, parsed)) = self.vfs.derived(&path, NAVIGATION, |text| {
                (Arc::new(Yaml::parse(text)), Rope::from_str(text))
            }) else {
                continue;
            };
            let (yaml, rope) = &*parsed;
            if yaml.error.is_some() {
                continue;
            }
            out.push(ProjectFile {
                uri,
                rope: rope.clone(),
                text: Arc::new(text.to_string()),
                yaml: Arc::clone(yaml),
                valid: usize::MAX,
            });
        }
        out
    }
}

/// Whether a Compose file of the project includes, extends or overrides `path` (reads the
/// disk: on a worker only).
pub fn is_included(
    users: &Users,
    open: &OpenFiles,
    vfs: &crate::workspace::Vfs<'_>,
    path: &Path,
) -> bool {
    !includers(users, open, vfs, path).is_empty()
}

/// Whether an open Compose document's last analysis read `path` (no I/O).
pub fn is_read_by_open(users: &Users, path: &Path) -> bool {
    users.iter().any(|(_, deps)| deps.iter().any(|d| d == path))
}

/// The Compose files that name `path` (as `include:`, `extends: file:`, or as their
/// override/base partner), with the other files those name: open documents whose last
/// analysis read it, then Compose-named files on disk in its folder and the folders above.
fn includers(
    users: &Users,
    open: &OpenFiles,
    vfs: &crate::workspace::Vfs<'_>,
    path: &Path,
) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for (user, deps) in users {
        if deps.iter().any(|d| d == path) {
            out.push(user.clone());
            out.extend(deps.iter().cloned());
        }
    }
    // Through the workspace cache: folder listings and what each candidate names are
    // kept until they change.
    open.sync(vfs);
    for includer in crate::workspace::includers_in(path, vfs) {
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
    target: &crate::ide::nav::Occurrence,
) -> Vec<(usize, crate::ide::nav::Occurrence)> {
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
        for o in crate::ide::nav::named(&f.yaml, &f.text, target.kind, &target.name) {
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
