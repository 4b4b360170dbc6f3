//! One module per LSP method, like ruff_server's `api/requests/*.rs`. This file only
//! dispatches: `LanguageServer` requires one trait, the work lives in the modules.

mod code_action;
mod completion;
mod definition;
mod did_change;
mod did_change_configuration;
mod did_change_watched_files;
mod did_close;
mod did_open;
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
fn guard<T>(method: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(method, "handler panicked: {what}");
            let mut e = tower_lsp_server::jsonrpc::Error::internal_error();
            e.message = format!("portside: {method} failed: {what}").into();
            Err(e)
        }
    }
}

/// The byte offset of an LSP position in `rope`.
fn offset(rope: &ropey::Rope, pos: Position, enc: text::PositionEncoding) -> usize {
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
        let _ = guard("didOpen", || {
            did_open::did_open(&self.0, params);
            Ok(())
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let _ = guard("didChangeWatchedFiles", || {
            did_change_watched_files::did_change_watched_files(&self.0, params);
            Ok(())
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let _ = guard("didChange", || {
            did_change::did_change(&self.0, params);
            Ok(())
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        did_close::did_close(&self.0, params).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard("hover", || Ok(hover::hover(&self.0, params)))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard("codeAction", || {
            Ok(code_action::code_action(&self.0, params))
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        guard("definition", || Ok(definition::definition(&self.0, params)))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        guard("references", || Ok(references::references(&self.0, params)))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        guard("documentSymbol", || {
            Ok(document_symbol::document_symbol(&self.0, params))
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        guard("prepareRename", || {
            Ok(rename::prepare_rename(&self.0, params))
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        guard("rename", || rename::rename(&self.0, params))
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        execute_command::execute_command(&self.0, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        guard("completion", || Ok(completion::completion(&self.0, params)))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_panicking_handler_becomes_an_error_reply() {
        let r: super::Result<()> = super::guard("hover", || panic!("boom"));
        let e = r.unwrap_err();
        assert!(e.message.contains("hover failed: boom"), "{e:?}");
        assert_eq!(super::guard("hover", || Ok(3)).unwrap(), 3);
    }
}
