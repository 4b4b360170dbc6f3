//! One module per LSP method, like ruff_server's `api/requests/*.rs`. This file only
//! dispatches: `LanguageServer` requires one trait, the work lives in the modules.

mod code_action;
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
mod publish;
mod references;
mod rename;
mod shutdown;

use std::sync::Arc;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::Backend;
use crate::text;

/// Runs a synchronous handler; a panic inside it is logged and answered as an internal
/// error, and the server keeps serving (the document store recovers from a poisoned lock).
fn guard<T>(method: &str, at: String, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(method, at, "handler panicked: {what}");
            let mut e = tower_lsp_server::jsonrpc::Error::internal_error();
            e.message = format!("portside: {method} at {at} failed: {what}").into();
            Err(e)
        }
    }
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

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        Ok(initialize::initialize(&self.0, params))
    }

    async fn initialized(&self, _: InitializedParams) {
        initialize::initialized(&self.0).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        did_change_configuration::did_change_configuration(&self.0, params).await;
    }

    async fn shutdown(&self) -> Result<()> {
        shutdown::shutdown(&self.0)
    }

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
        did_close::did_close(&self.0, params).await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        diagnostic::diagnostic(&self.0, params).await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = at(
            &params.text_document_position_params.text_document.uri,
            Some(params.text_document_position_params.position),
        );
        guard("hover", at, || Ok(hover::hover(&self.0, params)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let at = at(&params.text_document.uri, Some(params.range.start));
        guard("codeAction", at, || {
            Ok(code_action::code_action(&self.0, params))
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = at(
            &params.text_document_position_params.text_document.uri,
            Some(params.text_document_position_params.position),
        );
        guard("definition", at, || {
            Ok(definition::definition(&self.0, params))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = at(
            &params.text_document_position.text_document.uri,
            Some(params.text_document_position.position),
        );
        guard("references", at, || {
            Ok(references::references(&self.0, params))
        })
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let at = at(
            &params.text_document_position_params.text_document.uri,
            Some(params.text_document_position_params.position),
        );
        guard("documentHighlight", at, || {
            Ok(document_highlight::document_highlight(&self.0, params))
        })
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let at = at(&params.text_document.uri, None);
        guard("documentSymbol", at, || {
            Ok(document_symbol::document_symbol(&self.0, params))
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let at = at(&params.text_document.uri, Some(params.position));
        guard("prepareRename", at, || {
            Ok(rename::prepare_rename(&self.0, params))
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = at(
            &params.text_document_position.text_document.uri,
            Some(params.text_document_position.position),
        );
        guard("rename", at, || rename::rename(&self.0, params))
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        execute_command::execute_command(&self.0, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = at(
            &params.text_document_position.text_document.uri,
            Some(params.text_document_position.position),
        );
        guard("completion", at, || {
            Ok(completion::completion(&self.0, params))
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
}
