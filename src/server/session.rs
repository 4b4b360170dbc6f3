//! The session: what the server knows between messages (open documents, the editor's
//! settings, the client's capabilities), and the snapshots the worker pool reads.
//!
//! Locks are `std` mutexes held only for short synchronous work (copying a document's rope
//! and trees, which is cheap), never across an `.await`. Everything that reads the disk or
//! parses works on a snapshot, on the blocking pool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use ropey::Rope;
use tower_lsp_server::Client;

use super::document_path;
use super::documents::Documents;
use crate::config::RuleSettings;
use crate::text::PositionEncoding;

/// Shared by every handler. Locks are `std` mutexes held only for synchronous work, never
/// across an `.await`.
pub struct Backend {
    pub(super) client: Client,
    docs: Mutex<Documents>,
    encoding: Mutex<PositionEncoding>,
    /// Serialises "is this still the document's generation? then send", so that diagnostics
    /// of an older generation never reach the client after those of a newer one. Held only
    /// across the sending of a notification, never across a request to the client.
    pub(super) publish: tokio::sync::Mutex<()>,
    /// Rule levels from the editor (portside.toml is read per file on top of these).
    settings: Mutex<RuleSettings>,
    /// Whether the client answers `workspace/configuration`.
    pub(super) pull_configuration: AtomicBool,
    /// Whether the client renders Markdown hovers (eglot 1.9 asks for plain text).
    pub(super) hover_markdown: AtomicBool,
    /// The client expands snippets in completion items.
    pub(super) snippets: AtomicBool,
    /// Whether the client accepts a dynamic `workspace/didChangeWatchedFiles` registration.
    pub(super) watch_files: AtomicBool,
    /// Whether the client shows server-initiated `$/progress` (`window.workDoneProgress`).
    pub(super) work_done_progress: AtomicBool,
    /// Whether the client accepts `workspace/codeLens/refresh` (sent after a live check).
    pub(super) code_lens_refresh: AtomicBool,
    /// Whether the client runs `command:` links in Markdown hovers (it says so with the
    /// experimental client capability `portside.commandLinks`; VS Code needs the extension
    /// to trust them).
    pub(super) command_links: AtomicBool,
    /// Whether a workspace edit may create a file (`resourceOperations` has `create`).
    pub(super) create_files: AtomicBool,
    /// The workspace folders (where a new portside.toml goes).
    folders: Mutex<Vec<PathBuf>>,
    /// Pull diagnostics: the client asks with `textDocument/diagnostic` and is told to ask
    /// again with `workspace/diagnostic/refresh`; nothing is pushed.
    pub(super) pull_diagnostics: AtomicBool,
    /// Numbers the analyses (pull reports' `resultId`).
    pub(super) analyses: AtomicU64,
    /// Numbers the diagnostics generations of all documents.
    pub(super) generations: AtomicU64,
    /// Woken whenever an analysis ends (stored or failed) or a document closes: pull
    /// diagnostics and the idle wait await it instead of polling.
    pub(super) settled: tokio::sync::Notify,
    /// How many analyses ran (reached the worker pool), and how many diagnostics were
    /// sent (publishes or refreshes): for tests, through `portside.debug.stats`.
    pub(super) runs: AtomicU64,
    pub(super) sent: AtomicU64,
    /// The next server-created progress token.
    pub(super) progress_tokens: std::sync::atomic::AtomicU64,
    /// Every file analyses read besides the document (open documents' text first, then the
    /// disk), each read and parsed once per content. Workers bring it up to date with the
    /// open documents ([`OpenFiles::sync`]); the serving task only tells it about closes
    /// and disk changes.
    pub(super) vfs: Arc<crate::workspace::Vfs<'static>>,
    /// Images on the Docker host, as `docker image inspect` described them (live checks
    /// on only): see `server/images.rs`.
    images: Mutex<super::images::ImageCache>,
    /// The platform the daemon reported (live checks on): see `server/platform.rs`.
    daemon_platform: Mutex<super::platform::DaemonPlatform>,
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            docs: Mutex::new(Documents::default()),
            encoding: Mutex::new(PositionEncoding::Utf16),
            publish: tokio::sync::Mutex::new(()),
            settings: Mutex::new(RuleSettings::default()),
            pull_configuration: AtomicBool::new(false),
            hover_markdown: AtomicBool::new(true),
            snippets: AtomicBool::new(false),
            watch_files: AtomicBool::new(false),
            work_done_progress: AtomicBool::new(false),
            pull_diagnostics: AtomicBool::new(false),
            code_lens_refresh: AtomicBool::new(false),
            command_links: AtomicBool::new(false),
            create_files: AtomicBool::new(false),
            folders: Mutex::new(Vec::new()),
            analyses: AtomicU64::new(1),
            generations: AtomicU64::new(1),
            settled: tokio::sync::Notify::new(),
            runs: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            progress_tokens: std::sync::atomic::AtomicU64::new(1),
            vfs: Arc::new(crate::workspace::Vfs::new()),
            images: Mutex::new(Default::default()),
            daemon_platform: Mutex::new(Default::default()),
        }
    }

    pub(super) fn settings(&self) -> RuleSettings {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the editor settings; returns whether they changed.
    pub(super) fn set_settings(&self, settings: RuleSettings) -> bool {
        let mut current = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *current != settings;
        if current.live_endpoint != settings.live_endpoint {
            // Another daemon: the images it has are asked for again.
            self.images().clear();
            self.daemon_platform().clear();
        }
        *current = settings;
        changed
    }

    /// The texts of the open documents, by path, as they are now (unsaved edits included).
    pub(super) fn open_files(&self) -> Arc<OpenFiles> {
        Arc::new(OpenFiles::of(&self.docs()))
    }

    pub(super) fn pull_configuration(&self) -> bool {
        self.pull_configuration.load(Ordering::Relaxed)
    }

    pub(super) fn images(&self) -> MutexGuard<'_, super::images::ImageCache> {
        self.images.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn daemon_platform(&self) -> MutexGuard<'_, super::platform::DaemonPlatform> {
        self.daemon_platform
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn docs(&self) -> MutexGuard<'_, Documents> {
        // A panic while the lock was held must not take every later request down with it.
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn folders(&self) -> Vec<PathBuf> {
        self.folders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(super) fn set_folders(&self, folders: Vec<PathBuf>) {
        *self.folders.lock().unwrap_or_else(|e| e.into_inner()) = folders;
    }

    pub(super) fn encoding(&self) -> PositionEncoding {
        *self.encoding.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn set_encoding(&self, enc: PositionEncoding) {
        *self.encoding.lock().unwrap_or_else(|e| e.into_inner()) = enc;
    }
}

/// The open documents' texts at one moment, by path: what a worker reads instead of the
/// disk for a file the editor has open (its unsaved edits count).
#[derive(Debug, Default)]
pub struct OpenFiles(HashMap<PathBuf, (i32, Rope)>);

impl OpenFiles {
    pub fn of(docs: &Documents) -> Self {
        Self(
            docs.iter()
                .map(|(uri, doc)| (document_path(uri), (doc.version, doc.rope.clone())))
                .collect(),
        )
    }

    /// The editor's text of `path` when it is open.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.0.get(path).map(|(_, r)| r.to_string())
    }

    /// Tells the workspace cache the open documents it does not have at this version (a
    /// rope clone: the text is copied out only if an analysis reads the file).
    pub fn sync(&self, vfs: &crate::workspace::Vfs<'_>) {
        for (path, (version, rope)) in &self.0 {
            if vfs.open_version(path) != Some(*version) {
                vfs.set_open_rope(path, *version, rope.clone());
            }
        }
    }
}
