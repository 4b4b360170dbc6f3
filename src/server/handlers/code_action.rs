//! `textDocument/codeAction`: the quick fixes that findings carry.

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::server::Backend;
use crate::server::documents::{Analysed, LastGood};

/// What a code action reads of the session, copied under the document lock.
pub struct Snapshot {
    uri: Uri,
    kind: crate::classify::FileKind,
    /// The analysis of the current version (fixes are byte edits of the analysed text:
    /// they are offered only while it is current).
    analysed: Analysed,
    /// The last good tree when it is the current text.
    last: Option<LastGood>,
    live_disabled: bool,
    enc: crate::text::PositionEncoding,
}

pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let enc = backend.encoding();
    let live_disabled = backend.settings().live_disabled;
    let docs = backend.docs();
    let doc = docs.get(uri)?;
    let analysed = doc
        .analysed
        .as_ref()
        .filter(|a| a.version == doc.version)?
        .clone();
    Some(Snapshot {
        uri: uri.clone(),
        kind: doc.kind,
        analysed,
        last: doc
            .last_good
            .as_ref()
            .filter(|l| l.version == doc.version)
            .cloned(),
        live_disabled,
        enc,
    })
}

pub fn code_action(snap: Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let Snapshot {
        uri,
        kind,
        analysed,
        last,
        live_disabled,
        enc,
    } = snap;
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
    // `context.only` narrows the kinds (`source` covers `source.portside.live`).
    let wants = |kind: &str| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    if !wants(CodeActionKind::QUICKFIX.as_str()) {
        actions.clear();
    }
    if kind == crate::classify::FileKind::Compose
        && wants(LIVE_KIND)
        && !live_disabled
        && let Some(last) = &last
    {
        let offset = super::offset(&last.rope, wanted.start, enc);
        live_actions(&uri, &last.yaml, &last.text, offset, &mut actions);
    }
    Some(actions)
}

/// The kind of the live checks: a source action, never a quick fix.
pub const LIVE_KIND: &str = "source.portside.live";

/// "Check reachability" of the port entry and the service under the cursor, and of the
/// whole project, through `workspace/executeCommand` `portside.probe`.
fn live_actions(
    uri: &Uri,
    yaml: &crate::syntax::yaml::Yaml,
    text: &str,
    offset: usize,
    actions: &mut Vec<CodeActionOrCommand>,
) {
    let mut push = |title: String, args: serde_json::Value| {
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: title.clone(),
            kind: Some(CodeActionKind::new(LIVE_KIND)),
            command: Some(Command {
                title,
                command: super::execute_command::PROBE.to_string(),
                arguments: Some(vec![args]),
            }),
            ..Default::default()
        }));
    };
    if let Some((service, entry)) = crate::ide::nav::service_at(yaml, offset) {
        if let Some(entry) = entry {
            let spec = text[entry.clone()].trim().trim_matches(['"', '\'']);
            let spec = spec.lines().next().unwrap_or(spec);
            push(
                format!("Check reachability of `{spec}` ({service}) against the running daemon"),
                serde_json::json!({"uri": uri.as_str(), "service": service, "offset": entry.start}),
            );
        }
        push(
            format!("Check reachability of service `{service}` against the running daemon"),
            serde_json::json!({"uri": uri.as_str(), "service": service}),
        );
    }
    push(
        "Check reachability of the whole project against the running daemon".to_string(),
        serde_json::json!({"uri": uri.as_str()}),
    );
}
