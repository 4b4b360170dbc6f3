//! Analysis off the request path and `textDocument/publishDiagnostics`.
//!
//! Each change schedules one task. It skips the work when a newer version has already
//! arrived, runs the pure analysis on the blocking pool, and publishes only if its version
//! is still the document's newest, under a lock, so results never go back in time.

use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::super::convert;
use crate::analysis;
use crate::server::Backend;
use crate::server::documents::{Analysed, LastGood};

/// The most diagnostics one document gets.
pub const MAX_DIAGNOSTICS: usize = 2000;

pub fn schedule(backend: &Arc<Backend>, uri: Uri, version: i32) {
    let backend = Arc::clone(backend);
    tokio::spawn(async move {
        let job = {
            let docs = backend.docs();
            match docs.get(&uri) {
                Some(doc) if doc.version == version => Some((
                    doc.kind,
                    doc.rope.clone(),
                    doc.live.clone(),
                    doc.live_links.clone(),
                    doc.live_generation,
                )),
                _ => None,
            }
        };
        let Some((kind, rope, live, links, generation)) = job else {
            return;
        };
        let text = rope.to_string();
        let path = crate::server::document_path(&uri);
        let editor = backend.settings();
        let reader = Arc::clone(&backend);
        let result = tokio::task::spawn_blocking(move || {
            // Related files through the workspace cache: the editor's text when open, else
            // the disk.
            let ctx = crate::workspace::context_cached(&path, &text, &editor, &reader.vfs);
            let mut ctx = ctx;
            let deps = std::mem::take(&mut ctx.deps);
            let analysis = analysis::analyze_with(kind, &text, &ctx);
            let live = relocate(live, &path, &text, &ctx);
            let links = relocate_links(links, &text, &ctx);
            (analysis, deps, ctx, text, live, links)
        })
        .await;
        let (analysis, deps, ctx, text, live, links) = match result {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(uri = uri.as_str(), version, "analysis failed: {e}");
                backend
                    .client
                    .log_message(
                        tower_lsp_server::ls_types::MessageType::ERROR,
                        format!("portside: analysis of {} failed: {e}", uri.as_str()),
                    )
                    .await;
                return;
            }
        };
        let _guard = backend.publish.lock().await;
        let enc = backend.encoding();
        let diagnostics = {
            let mut docs = backend.docs();
            let Some(doc) = docs.get_mut(&uri) else {
                return;
            };
            if doc.version != version {
                return;
            }
            // An editor cannot show a hundred thousand diagnostics usefully, and building
            // them costs hundreds of megabytes: the first MAX_DIAGNOSTICS, then one that says
            // how many more `portside check` would list.
            let mut diagnostics = analysis
                .findings
                .iter()
                .take(MAX_DIAGNOSTICS)
                .map(|f| convert::diagnostic(&uri, &rope, f, enc))
                .collect::<Vec<_>>();
            if analysis.findings.len() > MAX_DIAGNOSTICS {
                diagnostics.push(convert::more_findings(
                    analysis.findings.len() - MAX_DIAGNOSTICS,
                    MAX_DIAGNOSTICS,
                ));
            }
            diagnostics.extend(live.iter().map(|r| convert::live_diagnostic(&rope, r, enc)));
            diagnostics.extend(
                links
                    .iter()
                    .map(|r| convert::live_link_diagnostic(&rope, r, enc)),
            );
            if doc.live_generation == generation {
                doc.live = live;
                doc.live_links = links;
            }
            doc.deps = deps;
            // A new version is the client's own edit (it pulls by itself); the same version
            // again means something else changed (a related file, settings, live results).
            let same_version = doc.analysed.as_ref().is_some_and(|a| a.version == version);
            if let Some(yaml) = analysis.yaml {
                doc.edits.retain(|(v, _)| *v > version);
                doc.last_good = Some(LastGood {
                    version,
                    yaml,
                    rope: rope.clone(),
                    text: Arc::new(text),
                    ctx: Arc::new(ctx),
                });
            }
            doc.analysed = Some(Analysed {
                version,
                rope,
                findings: Arc::new(analysis.findings),
                diagnostics: Arc::new(diagnostics.clone()),
                id: backend
                    .analyses
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            });
            (diagnostics, same_version)
        };
        let (diagnostics, same_version) = diagnostics;
        if backend
            .pull_diagnostics
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            if same_version {
                let _ = backend.client.workspace_diagnostic_refresh().await;
            }
        } else {
            backend
                .client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
        }
    });
}

/// Analyses every open document again (after a settings change).
pub fn schedule_all(backend: &Arc<Backend>) {
    let open: Vec<(Uri, i32)> = backend
        .docs()
        .iter()
        .map(|(uri, doc)| (uri.clone(), doc.version))
        .collect();
    for (uri, version) in open {
        schedule(backend, uri, version);
    }
}

/// After `uri` changed (opened, edited, closed): every open document when it is a
/// `portside.toml` (its settings may apply to any of them, even unsaved), else its
/// dependents.
pub fn schedule_related(backend: &Arc<Backend>, uri: &Uri) {
    if crate::server::document_path(uri)
        .file_name()
        .is_some_and(|n| n == "portside.toml")
    {
        let others: Vec<(Uri, i32)> = backend
            .docs()
            .iter()
            .filter(|(other, _)| *other != uri)
            .map(|(other, doc)| (other.clone(), doc.version))
            .collect();
        for (other, version) in others {
            schedule(backend, other, version);
        }
    } else {
        schedule_dependents(backend, uri);
    }
}

/// Analyses again the open documents whose last analysis read `uri`'s file (its override
/// partner, or a file it includes or extends), after `uri` changed.
pub fn schedule_dependents(backend: &Arc<Backend>, uri: &Uri) {
    let path = crate::server::document_path(uri);
    let dependents: Vec<(Uri, i32)> = backend
        .docs()
        .iter()
        .filter(|(other, doc)| *other != uri && doc.deps.contains(&path))
        .map(|(other, doc)| (other.clone(), doc.version))
        .collect();
    for (other, version) in dependents {
        schedule(backend, other, version);
    }
}

/// Live results whose mapping is still in the text (same service, entry and binding), with
/// its range in this text; the others are dropped.
fn relocate(
    live: Vec<crate::server::documents::LiveResult>,
    path: &std::path::Path,
    text: &str,
    ctx: &analysis::Context,
) -> Vec<crate::server::documents::LiveResult> {
    if live.is_empty() {
        return live;
    }
    let (_, mappings) = crate::live::probe::mappings(path, text, ctx);
    live.into_iter()
        .filter_map(|mut r| {
            let m = mappings
                .iter()
                .find(|m| m.same_binding(&r.verdict.mapping))?;
            r.verdict.mapping.range = m.range.clone();
            Some(r)
        })
        .collect()
}

/// Link verdicts whose network or reference is still in the text, re-located.
fn relocate_links(
    links: Vec<crate::server::documents::LinkResult>,
    text: &str,
    ctx: &analysis::Context,
) -> Vec<crate::server::documents::LinkResult> {
    if links.is_empty() {
        return links;
    }
    let now = crate::live::probe::links(text, ctx);
    links
        .into_iter()
        .filter_map(|mut r| {
            let l = now.iter().find(|l| l.same(&r.verdict.link))?;
            r.verdict.link.range = l.range.clone();
            Some(r)
        })
        .collect()
}
