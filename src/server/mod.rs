//! The language server: a thin layer over [`crate::analysis`]. State lives here; each LSP
//! method has its own module under [`handlers`].

mod convert;
pub mod documents;
mod frames;
mod handlers;
mod project;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::{Client, LspService, Server};

use crate::config::RuleSettings;
use crate::text::PositionEncoding;
use documents::Documents;

/// Shared by every handler. Locks are `std` mutexes held only for synchronous work, never
/// across an `.await`.
pub struct Backend {
    client: Client,
    docs: Mutex<Documents>,
    encoding: Mutex<PositionEncoding>,
    /// Serialises "is this still the newest version? then publish", so that diagnostics of
    /// an older version never reach the client after those of a newer one.
    publish: tokio::sync::Mutex<()>,
    /// Rule levels from the editor (portside.toml is read per file on top of these).
    settings: Mutex<RuleSettings>,
    /// Whether the client answers `workspace/configuration`.
    pull_configuration: AtomicBool,
    /// Whether the client renders Markdown hovers (eglot 1.9 asks for plain text).
    hover_markdown: AtomicBool,
    /// Whether the client accepts a dynamic `workspace/didChangeWatchedFiles` registration.
    watch_files: AtomicBool,
    /// Whether the client shows server-initiated `$/progress` (`window.workDoneProgress`).
    work_done_progress: AtomicBool,
    /// Pull diagnostics: the client asks with `textDocument/diagnostic` and is told to ask
    /// again with `workspace/diagnostic/refresh`; nothing is pushed.
    pull_diagnostics: AtomicBool,
    /// Numbers the analyses (pull reports' `resultId`).
    analyses: std::sync::atomic::AtomicU64,
    /// The next server-created progress token.
    progress_tokens: std::sync::atomic::AtomicU64,
    /// Every file analyses read besides the document (open documents' text first, then the
    /// disk), each read and parsed once per content.
    vfs: crate::workspace::Vfs<'static>,
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
            watch_files: AtomicBool::new(false),
            work_done_progress: AtomicBool::new(false),
            pull_diagnostics: AtomicBool::new(false),
            analyses: std::sync::atomic::AtomicU64::new(1),
            progress_tokens: std::sync::atomic::AtomicU64::new(1),
            vfs: crate::workspace::Vfs::new(),
        }
    }

    fn settings(&self) -> RuleSettings {
        self.settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the editor settings; returns whether they changed.
    fn set_settings(&self, settings: RuleSettings) -> bool {
        let mut current = self.settings.lock().unwrap_or_else(|e| e.into_inner());
        let changed = *current != settings;
        *current = settings;
        changed
    }

    /// The text of an open document with this path (unsaved edits included).
    fn text_of(&self, path: &std::path::Path) -> Option<String> {
        let docs = self.docs();
        docs.iter()
            .find(|(uri, _)| document_path(uri) == path)
            .map(|(_, doc)| doc.rope.to_string())
    }

    /// Tells the workspace cache a document's current text.
    fn vfs_open(&self, uri: &Uri) {
        let doc = self.docs().get(uri).map(|d| (d.version, d.rope.clone()));
        if let Some((version, rope)) = doc {
            self.vfs
                .set_open(&document_path(uri), version, rope.to_string().into());
        }
    }

    fn pull_configuration(&self) -> bool {
        self.pull_configuration.load(Ordering::Relaxed)
    }

    fn docs(&self) -> MutexGuard<'_, Documents> {
        // A panic while the lock was held must not take every later request down with it.
        self.docs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn encoding(&self) -> PositionEncoding {
        *self.encoding.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set_encoding(&self, enc: PositionEncoding) {
        *self.encoding.lock().unwrap_or_else(|e| e.into_inner()) = enc;
    }
}

/// The file system path of a document, or its last URI segment for other schemes
/// (`untitled:compose.yaml`), for classification by name.
pub(crate) fn document_path(uri: &Uri) -> PathBuf {
    if let Some(path) = uri.to_file_path() {
        return path.into_owned();
    }
    let s = uri.as_str();
    let s = s.split(['?', '#']).next().unwrap_or(s);
    PathBuf::from(s.rsplit(['/', ':']).next().unwrap_or(s))
}

/// Builds the service; used by `serve` and by in-process tests.
pub fn service() -> (LspService<handlers::Server>, tower_lsp_server::ClientSocket) {
    LspService::new(|client| handlers::Server(Arc::new(Backend::new(client))))
}

/// Serves LSP over any byte streams.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = service();
    // Malformed frames are dropped before tower-lsp-server sees them (see `frames`).
    let (filtered, pipe) = tokio::io::duplex(1 << 16);
    let guard = frames::filter(input, pipe);
    let server = Server::new(filtered, output, socket).serve(service);
    tokio::pin!(server);
    tokio::select! {
        // `exit` ends the server even while the guard still waits on the input.
        () = &mut server => {}
        // The input ended: the guard closed the pipe; let the server finish.
        () = guard => server.await,
    }
}

/// Serves LSP over stdin/stdout (`portside lsp`).
pub async fn run_stdio() {
    serve(tokio::io::stdin(), tokio::io::stdout()).await;
}
