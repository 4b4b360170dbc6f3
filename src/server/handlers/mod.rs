//! One module per LSP method, like ruff_server's `api/requests/*.rs`. This file only
//! dispatches: `LanguageServer` requires one trait, the work lives in the modules.

mod code_action;
mod did_change;
mod did_change_configuration;
mod did_close;
mod did_open;
mod hover;
mod initialize;
mod publish;
mod shutdown;

use std::sync::Arc;

use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::Backend;

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
}
