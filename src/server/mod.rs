//! The language server: a thin layer over [`crate::analysis`]. The session's state lives in
//! [`session`], the analyses are scheduled by [`scheduler`], and each LSP method has its own
//! module under [`handlers`].
//!
//! Invariants:
//! - No I/O and no parsing on the serving task: notification handlers only apply the edit
//!   (synchronously, before any `.await`) and schedule; every request and every analysis
//!   runs on the blocking pool against a snapshot taken under a short lock.
//! - One diagnostics generation per document: only the newest scheduled analysis of a
//!   document stores or publishes, whatever started it.
//! - No lock is held across an `.await` that waits for the client.

mod convert;
pub mod documents;
mod frames;
mod handlers;
mod images;
mod platform;
mod project;
pub mod scheduler;
pub mod session;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::{LspService, Server};

pub use session::Backend;

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
