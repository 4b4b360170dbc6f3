//! One module per LSP method, like ruff_server's `api/requests/*.rs`. This file only
//! dispatches: `LanguageServer` requires one trait, the work lives in the modules.

mod code_action;
mod code_lens;
mod completion;
mod definition;
mod diagnostic;
mod did_change;
mod did_change_configuration;
mod did_change_watched_files;
mod did_close;
mod did_open;
mod document_highlight;
mod document_symbol;
mod execute_command;
mod hover;
mod initialize;
pub(super) mod publish;
mod references;
mod rename;
mod shutdown;

use std::sync::Arc;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::Backend;
use crate::text;

/// Runs a synchronous handler; a panic inside it is logged and answered as an internal
/// error, and the server keeps serving (the document store recovers from a poisoned lock).
fn guard<T>(method: &str, at: String, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => Err(panicked(method, &at, panic)),
    }
}

/// The same guard for an async handler: a panic while it runs becomes an error reply.
async fn guard_async<T>(
    method: &str,
    at: String,
    f: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(f).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => Err(panicked(method, &at, panic)),
    }
}

/// Runs a request's work on the blocking pool (it may read the disk or parse), guarded:
/// the serving task only takes the snapshot and waits.
async fn blocking<T: Send + 'static>(
    method: &'static str,
    at: String,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let place = at.clone();
    match tokio::task::spawn_blocking(move || guard(method, at, f)).await {
        Ok(r) => r,
        Err(e) => {
            let mut err = tower_lsp_server::jsonrpc::Error::internal_error();
            err.message = format!("portside: {method} at {place} failed: {e}").into();
            Err(err)
        }
    }
}

fn panicked(method: &str, at: &str, panic: Box<dyn std::any::Any + Send>) -> Error {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(method, at, "handler panicked: {what}");
    let mut e = Error::internal_error();
    e.message = format!("portside: {method} at {at} failed: {what}").into();
    e
}

/// Where a request points, for the panic report: the document and, when there is one, the
/// position (1-based line and character, as editors show them).
fn at(uri: &Uri, pos: Option<Position>) -> String {
    match pos {
        Some(p) => format!("{}:{}:{}", uri.as_str(), p.line + 1, p.character + 1),
        None => uri.as_str().to_string(),
    }
}

/// The byte offset of an LSP position in `rope`.
pub(super) fn offset(rope: &ropey::Rope, pos: Position, enc: text::PositionEncoding) -> usize {
    text::position_to_offset(
        rope,
        text::Position {
            line: pos.line,
            character: pos.character,
        },
        enc,
    )
}

pub struct Server(pub(super) Arc<Backend>);

/// The document and position of a request (for the panic report).
macro_rules! place {
    ($uri:expr, $pos:expr) => {
        at(&$uri, Some($pos))
    };
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard("initialize", String::new(), || {
            Ok(initialize::initialize(&self.0, params))
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let _ = guard_async("initialized", String::new(), async {
            initialize::initialized(&self.0).await;
            Ok(())
        })
        .await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let _ = guard_async("didChangeConfiguration", String::new(), async {
            did_change_configuration::did_change_configuration(&self.0, params).await;
            Ok(())
        })
        .await;
    }

    async fn shutdown(&self) -> Result<()> {
        shutdown::shutdown(&self.0)
    }

    // Notifications that change state: applied synchronously, before any `.await`, so they
    // land in the order the client sent them; what they start runs elsewhere.
    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let _ = guard("didOpen", at(&params.text_document.uri, None), || {
            did_open::did_open(&self.0, params);
            Ok(())
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let _ = guard("didChangeWatchedFiles", String::new(), || {
            did_change_watched_files::did_change_watched_files(&self.0, params);
            Ok(())
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let _ = guard("didChange", at(&params.text_document.uri, None), || {
            did_change::did_change(&self.0, params);
            Ok(())
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let place = at(&params.text_document.uri, None);
        let closed = guard("didClose", place.clone(), || {
            Ok(did_close::close(&self.0, &params))
        });
        if let Ok(Some(uri)) = closed {
            let _ = guard_async("didClose", place, async {
                did_close::clear(&self.0, uri).await;
                Ok(())
            })
            .await;
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let place = at(&params.text_document.uri, None);
        guard_async("diagnostic", place, diagnostic::diagnostic(&self.0, params)).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = &params.text_document_position_params;
        let place = place!(p.text_document.uri, p.position);
        let snap = guard("hover", place.clone(), || {
            Ok(hover::snapshot(&self.0, &p.text_document.uri))
        })?;
        let Some(snap) = snap else {
            return Ok(None);
        };
        blocking("hover", place, move || Ok(hover::hover(snap, params))).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let place = place!(params.text_document.uri, params.range.start);
        let snap = guard("codeAction", place.clone(), || {
            Ok(code_action::snapshot(&self.0, &params.text_document.uri))
        })?;
        let Some(snap) = snap else {
            return Ok(None);
        };
        blocking("codeAction", place, move || {
            Ok(code_action::code_action(snap, params))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let place = at(&params.text_document.uri, None);
        let snap = guard("codeLens", place.clone(), || {
            Ok(code_lens::snapshot(&self.0, &params.text_document.uri))
        })?;
        let Some(snap) = snap else {
            return Ok(None);
        };
        blocking("codeLens", place, move || Ok(code_lens::code_lens(snap))).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = &params.text_document_position_params;
        let place = place!(p.text_document.uri, p.position);
        let Some(snap) = self.project("definition", &place, &p.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("definition", place, move || {
            Ok(definition::definition(&snap, enc, params))
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = &params.text_document_position;
        let place = place!(p.text_document.uri, p.position);
        let Some(snap) = self.project("references", &place, &p.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("references", place, move || {
            Ok(references::references(&snap, enc, params))
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = &params.text_document_position_params;
        let place = place!(p.text_document.uri, p.position);
        let Some(snap) = self.project("documentHighlight", &place, &p.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("documentHighlight", place, move || {
            Ok(document_highlight::document_highlight(&snap, enc, params))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let place = at(&params.text_document.uri, None);
        let Some(snap) = self.project("documentSymbol", &place, &params.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("documentSymbol", place, move || {
            Ok(document_symbol::document_symbol(&snap, enc, params))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let place = place!(params.text_document.uri, params.position);
        let Some(snap) = self.project("prepareRename", &place, &params.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("prepareRename", place, move || {
            Ok(rename::prepare_rename(&snap, enc, params))
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = &params.text_document_position;
        let place = place!(p.text_document.uri, p.position);
        let Some(snap) = self.project("rename", &place, &p.text_document.uri)? else {
            return Ok(None);
        };
        let enc = self.0.encoding();
        blocking("rename", place, move || rename::rename(&snap, enc, params)).await
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        let place = params.command.clone();
        guard_async(
            "executeCommand",
            place,
            execute_command::execute_command(&self.0, params),
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = &params.text_document_position;
        let place = place!(p.text_document.uri, p.position);
        let snap = guard("completion", place.clone(), || {
            Ok(completion::snapshot(&self.0, &p.text_document.uri))
        })?;
        let Some(snap) = snap else {
            return Ok(None);
        };
        blocking("completion", place, move || {
            Ok(completion::completion(snap, params))
        })
        .await
    }
}

impl Server {
    /// The navigation snapshot of a document, taken on the serving task (a copy under the
    /// lock, no I/O), guarded.
    fn project(
        &self,
        method: &str,
        place: &str,
        uri: &Uri,
    ) -> Result<Option<super::project::Snapshot>> {
        guard(method, place.to_string(), || {
            Ok(super::project::snapshot(&self.0, uri))
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panicking_handler_becomes_an_error_reply() {
        let r: super::Result<()> =
            super::guard("hover", "file:///x.yaml:1:2".into(), || panic!("boom"));
        let e = r.unwrap_err();
        assert!(
            e.message
                .contains("hover at file:///x.yaml:1:2 failed: boom"),
            "{e:?}"
        );
        assert_eq!(super::guard("hover", String::new(), || Ok(3)).unwrap(), 3);
    }

    #[tokio::test]
    async fn a_panicking_async_handler_becomes_an_error_reply() {
        let r: super::Result<()> =
            super::guard_async("diagnostic", "file:///x.yaml".into(), async {
                tokio::task::yield_now().await;
                panic!("boom")
            })
            .await;
        let e = r.unwrap_err();
        assert!(
            e.message
                .contains("diagnostic at file:///x.yaml failed: boom"),
            "{e:?}"
        );
        let r = super::blocking(
            "hover",
            "file:///y.yaml:2:3".into(),
            || -> super::Result<()> { panic!("bang") },
        )
        .await;
        assert!(
            r.unwrap_err()
                .message
                .contains("hover at file:///y.yaml:2:3 failed: bang")
        );
    }
}
