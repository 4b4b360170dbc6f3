//! The workspace's files, read once and parsed once.
//!
//! Every file the workspace layer uses besides the analysed text (related Compose files,
//! Dockerfiles, package.json, daemon.json, `.env`, `portside.toml`, the sysctl of host
//! facts) is read through a [`Vfs`]. A file is keyed by its open document's version (the
//! editor's unsaved text wins) or, on disk, by its modification time and length; a changed
//! key reads it again and drops what was derived from it. What is derived from a text (a
//! Compose file's names, a Dockerfile's model, daemon.json's ranges) is computed once per
//! text and kept beside it ([`Vfs::derived`]). Folder listings for includer discovery are
//! kept per folder, keyed by the folder's modification time.
//!
//! Thread-safe (one mutex, never held while reading a file or parsing) and bounded: at most
//! [`MAX_FILES`] files and [`MAX_BYTES`] of text are kept, the least recently used go first.
//! Open documents are not evicted (the editor holds them anyway).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

/// How many disk files the cache keeps.
pub const MAX_FILES: usize = 1024;
/// How much disk text the cache keeps.
pub const MAX_BYTES: usize = 128 * 1024 * 1024;

/// Reads a file's text: the editor's unsaved text when it has one, else the disk.
type ReadFn<'r> = &'r (dyn Fn(&Path) -> Option<String> + Sync);

/// What identifies one content of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    /// An open document's version.
    Open(i32),
    /// On disk: modification time and length (`None`: the file is not there).
    Disk(Option<(Option<SystemTime>, u64)>),
    /// From a caller's reader, for the lifetime of the `Vfs` (one analysis).
    Reader,
}

type Derived = Arc<dyn Any + Send + Sync>;

struct Entry {
    stamp: Stamp,
    text: Option<Arc<str>>,
    derived: HashMap<(TypeId, u64), Derived>,
    used: u64,
}

struct Folder {
    stamp: Option<SystemTime>,
    files: Arc<[PathBuf]>,
}

/// An open document's unsaved text: given as text, or as the editor's rope, copied out
/// only when some analysis reads the file (most open documents are never read as another
/// file's related file, and a copy of a large one would stay in memory for nothing).
#[derive(Clone)]
enum OpenText {
    Text(Arc<str>),
    Rope(ropey::Rope),
}

#[derive(Default)]
struct State {
    /// Open documents: version and unsaved text.
    open: HashMap<PathBuf, (i32, OpenText)>,
    files: HashMap<PathBuf, Entry>,
    folders: HashMap<PathBuf, Folder>,
    bytes: usize,
    tick: u64,
}

/// The workspace's file cache; see the module documentation.
pub struct Vfs<'r> {
    state: Mutex<State>,
    reader: Option<ReadFn<'r>>,
    reads: AtomicUsize,
    parses: AtomicUsize,
}

impl Default for Vfs<'static> {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Vfs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Vfs")
            .field("open", &state.open.len())
            .field("files", &state.files.len())
            .field("bytes", &state.bytes)
            .finish()
    }
}

impl Vfs<'static> {
    /// Reads the disk (and the open documents it is told about).
    pub fn new() -> Self {
        Self {
            state: Mutex::default(),
            reader: None,
            reads: AtomicUsize::new(0),
            parses: AtomicUsize::new(0),
        }
    }
}

impl<'r> Vfs<'r> {
    /// Reads through `read` instead of the disk, each file once: for one analysis with a
    /// caller's own view of the files (tests, the `context_reading` API).
    pub fn reading(read: ReadFn<'r>) -> Self {
        Self {
            state: Mutex::default(),
            reader: Some(read),
            reads: AtomicUsize::new(0),
            parses: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An open document's text (unsaved edits win over the disk until [`Vfs::close`]). An
    /// older version than the one it has (a slower worker's snapshot) is ignored.
    pub fn set_open(&self, path: &Path, version: i32, text: Arc<str>) {
        self.open_as(path, version, OpenText::Text(text));
    }

    /// [`Vfs::set_open`] with the editor's rope: its text is copied out only when read.
    pub fn set_open_rope(&self, path: &Path, version: i32, rope: ropey::Rope) {
        self.open_as(path, version, OpenText::Rope(rope));
    }

    fn open_as(&self, path: &Path, version: i32, text: OpenText) {
        let mut state = self.lock();
        if state.open.get(path).is_some_and(|(v, _)| *v > version) {
            return;
        }
        state.open.insert(path.to_path_buf(), (version, text));
        forget_folder_of(&mut state, path);
    }

    /// The version of an open document it has, if any.
    pub fn open_version(&self, path: &Path) -> Option<i32> {
        self.lock().open.get(path).map(|(v, _)| *v)
    }

    /// The document was closed: the disk's text counts again.
    pub fn close(&self, path: &Path) {
        let mut state = self.lock();
        state.open.remove(path);
        drop_entry(&mut state, path);
        forget_folder_of(&mut state, path);
    }

    /// The file changed on disk (`didChangeWatchedFiles`, a save): read it again.
    pub fn invalidate(&self, path: &Path) {
        let mut state = self.lock();
        drop_entry(&mut state, path);
        forget_folder_of(&mut state, path);
        state.folders.remove(path);
    }

    /// How many times a file's text was read (from the disk or the reader).
    pub fn reads(&self) -> usize {
        self.reads.load(Ordering::Relaxed)
    }

    /// How many times something was derived from a text ([`Vfs::derived`]).
    pub fn parses(&self) -> usize {
        self.parses.load(Ordering::Relaxed)
    }

    /// The current stamp of `path` without reading it.
    fn stamp(&self, path: &Path) -> Stamp {
        if let Some((version, _)) = self.lock().open.get(path) {
            return Stamp::Open(*version);
        }
        if self.reader.is_some() {
            return Stamp::Reader;
        }
        Stamp::Disk(
            std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| (m.modified().ok(), m.len())),
        )
    }

    /// The text of `path`: the open document's, else the disk's (or the reader's).
    pub fn read(&self, path: &Path) -> Option<Arc<str>> {
        self.entry_text(path)
    }

    /// Whether `path` exists (open, or a file on disk).
    pub fn exists(&self, path: &Path) -> bool {
        match self.stamp(path) {
            Stamp::Open(_) => true,
            Stamp::Disk(d) => d.is_some(),
            Stamp::Reader => self.read(path).is_some(),
        }
    }

    fn entry_text(&self, path: &Path) -> Option<Arc<str>> {
        let stamp = self.stamp(path);
        {
            let mut state = self.lock();
            state.tick += 1;
            let tick = state.tick;
            if let Some(e) = state.files.get_mut(path)
                && e.stamp == stamp
            {
                e.used = tick;
                return e.text.clone();
            }
        }
        let text: Option<Arc<str>> = match stamp {
            Stamp::Open(version) => {
                let found = self.lock().open.get(path).cloned();
                match found {
                    Some((v, OpenText::Text(t))) if v == version => Some(t),
                    Some((v, OpenText::Rope(rope))) if v == version => {
                        // Copied out of the lock, then kept as text for the next reader.
                        let t: Arc<str> = Arc::from(rope.to_string());
                        if let Some((v2, slot)) = self.lock().open.get_mut(path)
                            && *v2 == version
                        {
                            *slot = OpenText::Text(Arc::clone(&t));
                        }
                        Some(t)
                    }
                    _ => return self.entry_text(path),
                }
            }
            Stamp::Disk(None) => None,
            Stamp::Disk(Some(_)) => {
                self.reads.fetch_add(1, Ordering::Relaxed);
                std::fs::read_to_string(path).ok().map(Arc::from)
            }
            Stamp::Reader => {
                self.reads.fetch_add(1, Ordering::Relaxed);
                self.reader.and_then(|r| r(path)).map(Arc::from)
            }
        };
        let mut state = self.lock();
        state.tick += 1;
        let used = state.tick;
        drop_entry(&mut state, path);
        state.bytes += text.as_ref().map_or(0, |t| t.len());
        state.files.insert(
            path.to_path_buf(),
            Entry {
                stamp,
                text: text.clone(),
                derived: HashMap::new(),
                used,
            },
        );
        evict(&mut state);
        text
    }

    /// Something derived from the text of `path` (a parse, a model), computed once per
    /// text and `key` (what else it depends on, such as the variables), then shared.
    /// `None` when the file cannot be read.
    pub fn derived<T: Any + Send + Sync>(
        &self,
        path: &Path,
        key: u64,
        make: impl FnOnce(&Arc<str>) -> T,
    ) -> Option<(Arc<str>, Arc<T>)> {
        let text = self.entry_text(path)?;
        let slot = (TypeId::of::<T>(), key);
        {
            let state = self.lock();
            if let Some(e) = state.files.get(path)
                && e.text.as_ref().is_some_and(|t| Arc::ptr_eq(t, &text))
                && let Some(d) = e.derived.get(&slot)
                && let Ok(d) = Arc::clone(d).downcast::<T>()
            {
                return Some((text, d));
            }
        }
        self.parses.fetch_add(1, Ordering::Relaxed);
        let value = Arc::new(make(&text));
        let mut state = self.lock();
        if let Some(e) = state.files.get_mut(path)
            && e.text.as_ref().is_some_and(|t| Arc::ptr_eq(t, &text))
        {
            e.derived.insert(slot, Arc::clone(&value) as Derived);
        }
        Some((text, value))
    }

    /// The files in `dir` whose name passes `keep` (sorted, at most `cap`), listed again
    /// only when the folder changed (its modification time, or a file of it was opened,
    /// closed or invalidated here).
    pub fn list(&self, dir: &Path, keep: fn(&str) -> bool, cap: usize) -> Arc<[PathBuf]> {
        let stamp = std::fs::metadata(dir).ok().and_then(|m| m.modified().ok());
        if let Some(f) = self.lock().folders.get(dir)
            && f.stamp == stamp
            && stamp.is_some()
        {
            return Arc::clone(&f.files);
        }
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_str().is_some_and(keep))
                .map(|e| e.path())
                .take(cap)
                .collect(),
            Err(_) => Vec::new(),
        };
        files.sort();
        let files: Arc<[PathBuf]> = files.into();
        self.lock().folders.insert(
            dir.to_path_buf(),
            Folder {
                stamp,
                files: Arc::clone(&files),
            },
        );
        files
    }
}

fn drop_entry(state: &mut State, path: &Path) {
    if let Some(old) = state.files.remove(path) {
        state.bytes -= old.text.as_ref().map_or(0, |t| t.len());
    }
}

fn forget_folder_of(state: &mut State, path: &Path) {
    if let Some(dir) = path.parent() {
        state.folders.remove(dir);
    }
}

/// Drops the least recently used disk files while over a bound.
fn evict(state: &mut State) {
    while state.files.len() > MAX_FILES || state.bytes > MAX_BYTES {
        let Some(oldest) = state
            .files
            .iter()
            .min_by_key(|(_, e)| e.used)
            .map(|(p, _)| p.clone())
        else {
            break;
        };
        drop_entry(state, &oldest);
    }
}

/// A hash of anything hashable, for [`Vfs::derived`] keys.
pub fn key_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    value.hash(&mut h);
    h.finish()
}

/// A hash of a variable map that does not depend on its iteration order.
pub fn vars_key(vars: &crate::model::compose::Vars) -> u64 {
    vars.iter()
        .map(|(k, v)| key_of(&(k, v)))
        .fold(0u64, |acc, h| acc.wrapping_add(h.rotate_left(7) ^ h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("portside-vfs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn lines(vfs: &Vfs<'_>, path: &Path) -> Option<usize> {
        vfs.derived(path, 0, |t| t.lines().count()).map(|(_, n)| *n)
    }

    /// An open document given as a rope is read as its text, at its version only.
    #[test]
    fn an_open_rope_is_copied_out_when_read() {
        let path = PathBuf::from("/nowhere/compose.yaml");
        let vfs = Vfs::new();
        vfs.set_open_rope(&path, 3, ropey::Rope::from_str("services: {}\n"));
        assert_eq!(vfs.open_version(&path), Some(3));
        assert_eq!(vfs.read(&path).as_deref(), Some("services: {}\n"));
        // An older snapshot never replaces a newer text.
        vfs.set_open(&path, 2, "old: 1\n".into());
        assert_eq!(vfs.read(&path).as_deref(), Some("services: {}\n"));
        vfs.set_open_rope(&path, 4, ropey::Rope::from_str("services:\n  a: {}\n"));
        assert_eq!(vfs.read(&path).as_deref(), Some("services:\n  a: {}\n"));
    }

    /// A FIFO (or any file that is not a regular file) named like a Compose file is absent:
    /// reading it would block until someone writes to it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_is_not_read() {
        let dir = temp("fifo");
        let fifo = dir.join("compose.override.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            panic!("mkfifo (coreutils) is needed for this test");
        }
        let vfs = Vfs::new();
        assert!(!vfs.exists(&fifo));
        assert!(vfs.read(&fifo).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unchanged_file_is_read_and_parsed_once() {
        let dir = temp("once");
        let path = dir.join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let vfs = Vfs::new();
        for _ in 0..5 {
            assert_eq!(lines(&vfs, &path), Some(1));
        }
        assert_eq!((vfs.reads(), vfs.parses()), (1, 1));
        // Another key (other variables) is derived separately, from the same read.
        vfs.derived(&path, 1, |t| t.len()).unwrap();
        assert_eq!((vfs.reads(), vfs.parses()), (1, 2));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_changed_modification_time_reads_again() {
        let dir = temp("mtime");
        let path = dir.join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let vfs = Vfs::new();
        assert_eq!(lines(&vfs, &path), Some(1));
        // Same length, another time: read again.
        std::fs::write(&path, "b: 2\n").unwrap();
        let f = std::fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_eq!(vfs.read(&path).as_deref(), Some("b: 2\n"));
        assert_eq!(lines(&vfs, &path), Some(1));
        assert_eq!((vfs.reads(), vfs.parses()), (2, 2));
        // A removed file is gone; one that appears is read.
        std::fs::remove_file(&path).unwrap();
        assert!(vfs.read(&path).is_none() && !vfs.exists(&path));
        std::fs::write(&path, "a: 1\nb: 2\n").unwrap();
        assert_eq!(lines(&vfs, &path), Some(2));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_open_document_wins_and_a_new_version_parses_again() {
        let dir = temp("open");
        let path = dir.join("a.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let vfs = Vfs::new();
        assert_eq!(lines(&vfs, &path), Some(1));
        vfs.set_open(&path, 1, "a: 1\nb: 2\n".into());
        assert_eq!(lines(&vfs, &path), Some(2));
        assert_eq!(lines(&vfs, &path), Some(2));
        assert_eq!(vfs.parses(), 2);
        vfs.set_open(&path, 2, "a: 1\nb: 2\nc: 3\n".into());
        assert_eq!(lines(&vfs, &path), Some(3));
        assert_eq!(vfs.parses(), 3);
        // Open documents are never read from the disk.
        assert_eq!(vfs.reads(), 1);
        // Closed: the disk again.
        vfs.close(&path);
        assert_eq!(lines(&vfs, &path), Some(1));
        assert_eq!((vfs.reads(), vfs.parses()), (2, 4));
        // Invalidated (a watched-file event): read again even with the same stamp.
        vfs.invalidate(&path);
        assert_eq!(lines(&vfs, &path), Some(1));
        assert_eq!((vfs.reads(), vfs.parses()), (3, 5));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_cache_is_bounded() {
        let dir = temp("bound");
        let vfs = Vfs::new();
        for i in 0..MAX_FILES + 50 {
            let path = dir.join(format!("{i}.txt"));
            std::fs::write(&path, "x").unwrap();
            assert!(vfs.read(&path).is_some());
        }
        assert!(vfs.lock().files.len() <= MAX_FILES);
        // The most recent ones are kept.
        let reads = vfs.reads();
        vfs.read(&dir.join(format!("{}.txt", MAX_FILES + 49)));
        assert_eq!(vfs.reads(), reads);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn folder_listings_follow_the_folder() {
        let dir = temp("list");
        std::fs::write(dir.join("compose.yaml"), "services: {}\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        let vfs = Vfs::new();
        let keep = |n: &str| n.ends_with(".yaml");
        let listed = vfs.list(&dir, keep, 64);
        assert_eq!(&*listed, [dir.join("compose.yaml")]);
        assert!(Arc::ptr_eq(&listed, &vfs.list(&dir, keep, 64)));
        // A new file changes the folder (its time, or the server's notice).
        std::fs::write(dir.join("b.yaml"), "services: {}\n").unwrap();
        vfs.invalidate(&dir.join("b.yaml"));
        assert_eq!(vfs.list(&dir, keep, 64).len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_variables_key_ignores_order() {
        let a: crate::model::compose::Vars = [("A".into(), "1".into()), ("B".into(), "2".into())]
            .into_iter()
            .collect();
        let mut b = crate::model::compose::Vars::new();
        b.insert("B".into(), "2".into());
        b.insert("A".into(), "1".into());
        assert_eq!(vars_key(&a), vars_key(&b));
        b.insert("A".into(), "3".into());
        assert_ne!(vars_key(&a), vars_key(&b));
    }
}
