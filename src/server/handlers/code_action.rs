//! `textDocument/codeAction`: the quick fixes that findings carry.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::server::Backend;

pub fn code_action(backend: &Backend, params: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = params.text_document.uri;
    let enc = backend.encoding();
    let docs = backend.docs();
    let doc = docs.get(&uri)?;
    // Fixes are byte edits of the analysed text: offer them only while it is current.
    let analysed = doc.analysed.as_ref().filter(|a| a.version == doc.version)?;
    let wanted = params.range;
    let mut actions = Vec::new();
    for finding in analysed.findings.iter() {
        if finding.fixes.is_empty() {
            continue;
        }
        let range = convert::range(&analysed.rope, finding.range.clone(), enc);
        if range.end < wanted.start || wanted.end < range.start {
            continue;
        }
        let diagnostic = convert::diagnostic(&uri, &analysed.rope, finding, enc);
        for (i, fix) in finding.fixes.iter().enumerate() {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: convert::range(&analysed.rope, e.range.clone(), enc),
                    new_text: e.new_text.clone(),
                })
                .collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..Default::default()
                }),
                is_preferred: Some(i == 0),
                ..Default::default()
            }));
        }
    }
    Some(actions)
}
