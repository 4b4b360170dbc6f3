//! `textDocument/codeAction`: the quick fixes that findings carry, the suppressions of each
//! finding under the cursor (this line, this file, `portside.toml`), and the live check of
//! the port entry, the service and the project.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::classify::FileKind;
use crate::server::Backend;
use crate::server::documents::{Analysed, LastGood};
use crate::server::session::OpenFiles;

/// What a code action reads of the session, copied under the document lock.
pub struct Snapshot {
    uri: Uri,
    kind: FileKind,
    /// The analysis of the current version (fixes are byte edits of the analysed text:
    /// they are offered only while it is current).
    analysed: Analysed,
    /// The last good tree when it is the current text.
    last: Option<LastGood>,
    live_disabled: bool,
    enc: crate::text::PositionEncoding,
    /// For "Turn RULE off in portside.toml": the open documents, the workspace cache, the
    /// workspace folders, and whether the client can create a file.
    open: Arc<OpenFiles>,
    vfs: Arc<crate::workspace::Vfs<'static>>,
    folders: Vec<PathBuf>,
    create_files: bool,
}

pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    let enc = backend.encoding();
    let live_disabled = backend.settings().live_disabled;
    let open = backend.open_files();
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
        open,
        vfs: Arc::clone(&backend.vfs),
        folders: backend.folders(),
        create_files: backend
            .create_files
            .load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// The kind of the live checks of a service and of the project: source actions.
pub const LIVE_KIND: &str = "source.portside.live";

/// The kind of the live check of the port entry under the cursor: a quick fix's kind, so
/// that Ctrl+. and the lightbulb list it (VS Code leaves `source.*` out of that menu).
pub const LIVE_PORT_KIND: &str = "quickfix.portside.live";

/// The kind of the suppressions.
pub const IGNORE_KIND: &str = "quickfix.portside.ignore";

pub fn code_action(snap: Snapshot, params: CodeActionParams) -> Option<CodeActionResponse> {
    let wanted = params.range;
    // `context.only` narrows the kinds (`source` covers `source.portside.live`).
    let wants = |kind: &str| {
        params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    let mut actions = Vec::new();
    let here = |f: &crate::finding::Finding| {
        let range = convert::range(&snap.analysed.rope, f.range.clone(), snap.enc);
        !(range.end < wanted.start || wanted.end < range.start)
    };
    let findings: Vec<&crate::finding::Finding> =
        snap.analysed.findings.iter().filter(|f| here(f)).collect();
    if wants(CodeActionKind::QUICKFIX.as_str()) {
        for finding in &findings {
            fixes(&snap, finding, &mut actions);
        }
    }
    if matches!(snap.kind, FileKind::Compose) && !snap.live_disabled {
        if let Some(last) = &snap.last {
            let offset = super::offset(&last.rope, wanted.start, snap.enc);
            if wants(LIVE_PORT_KIND) {
                port_action(&snap.uri, last, offset, &mut actions);
            }
        }
    }
    if wants(IGNORE_KIND) {
        ignore_actions(&snap, &findings, &mut actions);
    }
    if matches!(snap.kind, FileKind::Compose)
        && wants(LIVE_KIND)
        && !snap.live_disabled
        && let Some(last) = &snap.last
    {
        let offset = super::offset(&last.rope, wanted.start, snap.enc);
        live_actions(&snap.uri, &last.yaml, &last.text, offset, &mut actions);
    }
    Some(actions)
}

/// The quick fixes a finding carries.
fn fixes(
    snap: &Snapshot,
    finding: &crate::finding::Finding,
    actions: &mut Vec<CodeActionOrCommand>,
) {
    if finding.fixes.is_empty() {
        return;
    }
    let diagnostic = convert::diagnostic(&snap.uri, &snap.analysed.rope, finding, snap.enc);
    for (i, fix) in finding.fixes.iter().enumerate() {
        let edits = fix
            .edits
            .iter()
            .map(|e| TextEdit {
                range: convert::range(&snap.analysed.rope, e.range.clone(), snap.enc),
                new_text: e.new_text.clone(),
            })
            .collect();
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: convert::plain(&fix.title),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(snap.uri.clone(), edits)])),
                ..Default::default()
            }),
            is_preferred: Some(i == 0),
            ..Default::default()
        }));
    }
}

/// Rules raised by the syntax layers or about the suppressions themselves: a comment
/// cannot silence them usefully.
fn suppressible(code: &str) -> bool {
    !matches!(
        code,
        "invalid-ignore-comment" | "input-too-large" | "syntax-error" | "invalid-setting"
    )
}

/// "Ignore RULE on this line", "Ignore RULE in this file" (the `# portside-ignore`
/// comments of [`crate::suppress`]) and "Turn RULE off in portside.toml", once per rule
/// under the cursor.
fn ignore_actions(
    snap: &Snapshot,
    findings: &[&crate::finding::Finding],
    actions: &mut Vec<CodeActionOrCommand>,
) {
    let comments = matches!(snap.kind, FileKind::Compose | FileKind::Dockerfile);
    let mut seen: Vec<&str> = Vec::new();
    let mut text: Option<String> = None;
    for f in findings {
        let code = f.rule.code;
        if !suppressible(code) || seen.contains(&code) {
            continue;
        }
        seen.push(code);
        let diagnostic = convert::diagnostic(&snap.uri, &snap.analysed.rope, f, snap.enc);
        let mut push = |title: String, edit: WorkspaceEdit| {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::new(IGNORE_KIND)),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit),
                ..Default::default()
            }));
        };
        let rope = &snap.analysed.rope;
        let one = |e: crate::finding::Edit| WorkspaceEdit {
            changes: Some(HashMap::from([(
                snap.uri.clone(),
                vec![TextEdit {
                    range: convert::range(rope, e.range, snap.enc),
                    new_text: e.new_text,
                }],
            )])),
            ..Default::default()
        };
        if comments {
            let text = text.get_or_insert_with(|| rope.to_string());
            let (at_end, above) = comment_places(snap, text, f.range.start);
            if let Some(e) =
                crate::suppress::ignore_on_line(text, f.range.start, code, at_end, above)
            {
                push(format!("Ignore {code} on this line"), one(e));
            }
            let e = crate::suppress::ignore_in_file(text, snap.kind, code);
            push(format!("Ignore {code} in this file"), one(e));
        }
        if let Some(edit) = config_edit(snap, code) {
            push(format!("Turn {code} off in portside.toml"), edit);
        }
    }
}

/// Where a suppression comment may go for a finding at `offset`: at the end of its line,
/// and alone on a line above it. A Dockerfile has comments only as whole lines, and none
/// inside a heredoc.
fn comment_places(snap: &Snapshot, text: &str, offset: usize) -> (bool, bool) {
    match snap.kind {
        FileKind::Compose => match &snap.last {
            Some(last) => yaml_comment_places(&last.yaml, text, offset),
            None => (false, false),
        },
        FileKind::Dockerfile => {
            let line_start = text[..offset.min(text.len())]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            (false, !text[..line_start].contains("<<"))
        }
        _ => (false, false),
    }
}

/// [`comment_places`] in YAML: a comment inside a scalar (a block scalar, a multi-line
/// quoted or plain one) would change its value, so neither place may be inside one.
fn yaml_comment_places(
    yaml: &crate::syntax::yaml::Yaml,
    text: &str,
    offset: usize,
) -> (bool, bool) {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line_end = if text[..line_end].ends_with('\r') {
        line_end - 1
    } else {
        line_end
    };
    let mut at_end = true;
    let mut above = true;
    for id in 0..yaml.len() as crate::syntax::yaml::NodeId {
        use crate::syntax::yaml::{NodeKind, Style};
        let node = yaml.node(id);
        let NodeKind::Scalar { style, .. } = node.kind else {
            continue;
        };
        let mut s = node.span;
        // A block scalar's span runs on over the next line's indentation.
        if let Some(body) = text.get(s.clone()) {
            s.end = s.start + body.trim_end_matches([' ', '\t']).len();
        }
        if s.start < line_end && line_end < s.end {
            at_end = false;
        }
        // A block scalar's content begins at its first line's start (its indentation is
        // not content, but a comment line there would be).
        let block = matches!(style, Style::Literal | Style::Folded);
        let begins_here = (line_start..=line_end).contains(&s.start);
        if line_start < s.end && (s.start < line_start || (block && begins_here)) {
            above = false;
        }
    }
    (at_end, above)
}

/// The edit of the project's `portside.toml` (the nearest one above the document, else a
/// new one in the workspace folder that holds it) that turns `code` off.
fn config_edit(snap: &Snapshot, code: &str) -> Option<WorkspaceEdit> {
    let path = crate::server::document_path(&snap.uri);
    if !path.is_absolute() {
        return None;
    }
    snap.open.sync(&snap.vfs);
    match crate::workspace::find_config_in(&path, &snap.vfs) {
        Some(config) => {
            let text = snap.vfs.read(&config)?;
            let e = crate::suppress::turn_off_in_config(&text, code)?;
            let rope = ropey::Rope::from_str(&text);
            let uri = Uri::from_file_path(&config)?;
            Some(WorkspaceEdit {
                changes: Some(HashMap::from([(
                    uri,
                    vec![TextEdit {
                        range: convert::range(&rope, e.range, snap.enc),
                        new_text: e.new_text,
                    }],
                )])),
                ..Default::default()
            })
        }
        None if snap.create_files => {
            let dir = snap
                .folders
                .iter()
                .filter(|f| path.starts_with(f))
                .max_by_key(|f| f.components().count())
                .cloned()
                .or_else(|| path.parent().map(PathBuf::from))?;
            let uri = Uri::from_file_path(dir.join("portside.toml"))?;
            let e = crate::suppress::turn_off_in_config("", code)?;
            Some(WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri,
                            version: None,
                        },
                        edits: vec![OneOf::Left(TextEdit {
                            range: Range::default(),
                            new_text: e.new_text,
                        })],
                    }),
                ])),
                ..Default::default()
            })
        }
        None => None,
    }
}

/// "Check reachability of `web` port 8080" on the port entry under the cursor.
fn port_action(uri: &Uri, last: &LastGood, offset: usize, actions: &mut Vec<CodeActionOrCommand>) {
    let Some((service, Some(entry))) = crate::ide::nav::service_at(&last.yaml, offset) else {
        return;
    };
    let Some(words) = crate::ide::hover::port_words(
        &last.text,
        &last.yaml,
        &last.ctx.vars,
        &last.ctx.external,
        entry.start,
    ) else {
        return;
    };
    let title = convert::plain(&format!("Check reachability of `{service}` {words}"));
    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
        title: title.clone(),
        kind: Some(CodeActionKind::new(LIVE_PORT_KIND)),
        command: Some(Command {
            title,
            command: super::execute_command::PROBE.to_string(),
            arguments: Some(vec![
                serde_json::json!({"uri": uri.as_str(), "service": service, "offset": entry.start}),
            ]),
        }),
        is_preferred: Some(false),
        ..Default::default()
    }));
}

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
        let title = convert::plain(&title);
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

#[cfg(test)]
mod tests {
    use crate::syntax::yaml::Yaml;

    #[test]
    fn no_suppression_comment_inside_a_scalar() {
        let text = "a:\n  - \"8080\"\n  - |\n    x\n    y\n  - \"q\n    r\"\nb: 1\n";
        let yaml = Yaml::parse(text);
        let at = |needle: &str| super::yaml_comment_places(&yaml, text, text.find(needle).unwrap());
        assert_eq!(at("\"8080"), (true, true));
        // The block scalar's header line takes a comment at its end; its content lines
        // take none.
        assert_eq!(at("|"), (true, true));
        assert_eq!(at("x\n"), (false, false));
        assert_eq!(at("y\n"), (false, false));
        // A quoted scalar over two lines: not at the end of its first line, not between
        // them; after its closing quote is fine.
        assert_eq!(at("\"q"), (false, true));
        assert_eq!(at("r\""), (true, false));
        assert_eq!(at("b: 1"), (true, true));
    }
}
