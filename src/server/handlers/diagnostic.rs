//! `textDocument/diagnostic` (pull diagnostics, for clients that pull and honour
//! `workspace/diagnostic/refresh`): the diagnostics of the document's current version,
//! waiting for its analysis when it is still running; `unchanged` when the client already
//! has them.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::server::Backend;

/// How long a pull may wait for the analysis of the current version (it is woken when an
/// analysis ends, not polled).
const WAIT: Duration = Duration::from_secs(10);

pub async fn diagnostic(
    backend: &Arc<Backend>,
    params: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let uri = params.text_document.uri;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        // Registered before the check, so an analysis that ends in between still wakes it.
        let settled = backend.settled.notified();
        tokio::pin!(settled);
        settled.as_mut().enable();
        let ready = {
            let docs = backend.docs();
            match docs.get(&uri) {
                // Not a document portside analyses: nothing to report.
                None => Some((String::new(), Vec::new())),
                // A file open documents read (a mounted config): what they put in it.
                Some(doc) if doc.kind == crate::classify::FileKind::Read => Some((
                    String::new(),
                    docs.iter()
                        .flat_map(|(_, d)| d.in_read_files.iter())
                        .filter(|(u, _)| *u == uri)
                        .flat_map(|(_, list)| list.iter().cloned())
                        .collect(),
                )),
                Some(doc) => doc
                    .analysed
                    .as_ref()
                    .filter(|a| a.version == doc.version)
                    .map(|a| (a.id.to_string(), a.diagnostics.as_ref().clone())),
            }
        };
        if let Some((id, items)) = ready {
            let report = if !id.is_empty() && params.previous_result_id.as_deref() == Some(&id) {
                DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: id,
                    },
                })
            } else {
                DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: (!id.is_empty()).then_some(id),
                        items,
                    },
                })
            };
            return Ok(DocumentDiagnosticReportResult::Report(report));
        }
        if tokio::time::timeout_at(deadline, settled).await.is_err() {
            // The client may ask again (LSP's ServerCancelled with retriggerRequest).
            let mut e = Error::new(ErrorCode::ServerError(-32802));
            e.message = "portside: the analysis is still running".into();
            e.data = Some(serde_json::json!({"retriggerRequest": true}));
            return Err(e);
        }
    }
}
