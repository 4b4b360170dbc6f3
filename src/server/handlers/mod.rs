//! One module per LSP method, like ruff_server's `api/requests/*.rs`. This file only
//! dispatches: `LanguageServer` requires one trait, the work lives in the modules.

mod code_action;
mod completion;
mod definition;
mod did_change;
mod did_change_configuration;
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
        did_open::did_open(&self.0, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        did_change::did_change(&self.0, params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        did_close::did_close(&self.0, params).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(hover::hover(&self.0, params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(code_action::code_action(&self.0, params))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        Ok(definition::definition(&self.0, params))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(references::references(&self.0, params))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(document_symbol::document_symbol(&self.0, params))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        Ok(rename::prepare_rename(&self.0, params))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        rename::rename(&self.0, params)
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        execute_command::execute_command(&self.0, params).await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(completion::completion(&self.0, params))
    }
}
