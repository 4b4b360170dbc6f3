//! `shutdown`: nothing to flush; analysis tasks end with the process.

use tower_lsp_server::jsonrpc::Result;

use crate::server::Backend;

pub fn shutdown(_backend: &Backend) -> Result<()> {
    tracing::info!("shutdown requested");
    Ok(())
}
