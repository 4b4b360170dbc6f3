//! `initialize`: negotiate the position encoding and announce capabilities.

use tower_lsp_server::ls_types::*;

use crate::server::Backend;
use crate::text::PositionEncoding;

pub fn initialize(backend: &Backend, params: InitializeParams) -> InitializeResult {
    let pull = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.configuration)
        .unwrap_or(false);
    backend
        .pull_configuration
        .store(pull, std::sync::atomic::Ordering::Relaxed);
    // A client that lists hover formats without Markdown gets plain text.
    let markdown = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.hover.as_ref())
        .and_then(|h| h.content_format.as_ref())
        .is_none_or(|formats| formats.contains(&MarkupKind::Markdown));
    backend
        .hover_markdown
        .store(markdown, std::sync::atomic::Ordering::Relaxed);
    let snippets = params
        .capabilities
        .text_document
        .as_ref()
        .and_then(|t| t.completion.as_ref())
        .and_then(|c| c.completion_item.as_ref())
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    backend
        .snippets
        .store(snippets, std::sync::atomic::Ordering::Relaxed);
    let progress = params
        .capabilities
        .window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false);
    backend
        .work_done_progress
        .store(progress, std::sync::atomic::Ordering::Relaxed);
    // Pull diagnostics when the client pulls and can be told to pull again (a related file
    // changed); else push, as every client understands.
    let pull = params
        .capabilities
        .text_document
        .as_ref()
        .is_some_and(|t| t.diagnostic.is_some())
        && params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|d| d.refresh_support)
            .unwrap_or(false);
    backend
        .pull_diagnostics
        .store(pull, std::sync::atomic::Ordering::Relaxed);
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    backend
        .watch_files
        .store(watch, std::sync::atomic::Ordering::Relaxed);
    let lens_refresh = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.code_lens.as_ref())
        .and_then(|c| c.refresh_support)
        .unwrap_or(false);
    backend
        .code_lens_refresh
        .store(lens_refresh, std::sync::atomic::Ordering::Relaxed);
    // Markdown `command:` links run only where the client says it runs them (the VS Code
    // extension trusts portside's commands in hovers and says so).
    let links = params
        .capabilities
        .experimental
        .as_ref()
        .and_then(|e| e.get("portside"))
        .and_then(|p| p.get("commandLinks"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    backend
        .command_links
        .store(links, std::sync::atomic::Ordering::Relaxed);
    let create = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .is_some_and(|e| {
            e.document_changes == Some(true)
                && e.resource_operations
                    .as_ref()
                    .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create))
        });
    backend
        .create_files
        .store(create, std::sync::atomic::Ordering::Relaxed);
    #[allow(deprecated)]
    let mut folders: Vec<std::path::PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if folders.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        folders.push(root.into_owned());
    }
    backend.set_folders(folders);
    if let Some(options) = &params.initialization_options {
        super::did_change_configuration::store(backend, options);
    }
    let offered = params
        .capabilities
        .general
        .and_then(|g| g.position_encodings)
        .unwrap_or_default();
    // Offsets are bytes inside: UTF-8 costs nothing, UTF-32 (chars) is next cheapest.
    let enc = if offered.contains(&PositionEncodingKind::UTF8) {
        PositionEncoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        PositionEncoding::Utf32
    } else {
        PositionEncoding::Utf16
    };
    backend.set_encoding(enc);
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(match enc {
                PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
                PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
                PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("portside".into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: false,
                    work_done_progress_options: Default::default(),
                })
            }),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_highlight_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![
                    super::execute_command::PROBE.to_string(),
                    super::execute_command::SHOW_MAP.to_string(),
                ],
                ..Default::default()
            }),
            code_lens_provider: Some(CodeLensOptions {
                resolve_provider: Some(false),
            }),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![":".into(), "/".into(), "[".into(), " ".into()]),
                ..Default::default()
            }),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(super::code_action::LIVE_PORT_KIND),
                    CodeActionKind::new(super::code_action::IGNORE_KIND),
                    CodeActionKind::new(super::code_action::LIVE_KIND),
                ]),
                ..Default::default()
            })),
            ..Default::default()
        },
        server_info: Some(ServerInfo {
            name: "portside".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: None,
    }
}

/// The files whose changes on disk re-analyse open documents: what the workspace layer
/// reads besides the document (override/include/extends files, `.env`, Dockerfiles,
/// daemon.json, the config files services mount) and portside.toml.
const WATCHED: &str = "**/{.env,portside.toml,daemon.json,package.json,Dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,*.yml,*.yaml,*.conf,*.cnf,*.cfg,Caddyfile}";

pub async fn initialized(backend: &std::sync::Arc<Backend>) {
    tracing::info!(encoding = ?backend.encoding(), "client initialized");
    if backend
        .watch_files
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        let registration = Registration {
            id: "portside-watched-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: Some(serde_json::json!({"watchers": [{"globPattern": WATCHED}]})),
        };
        // A client that refuses only loses re-analysis on disk changes.
        if let Err(e) = backend.client.register_capability(vec![registration]).await {
            tracing::warn!("the client refused the file watcher registration: {e}");
        }
    }
    super::did_change_configuration::pull(backend).await;
}
