//! `workspace/executeCommand` `portside.probe`: the live reachability check behind the
//! "Check reachability" CodeLenses, code actions and hover links. It runs the read-only
//! probe for one port entry, one service or the whole project, keeps the verdicts on the
//! document (published as `portside-live` diagnostics, summed up in the CodeLens titles,
//! shown in hovers), asks the client to refresh its CodeLenses, and sends a one-line summary.
//!
//! Arguments: one object, `{"uri": DOCUMENT}` for the whole project, plus
//! `"service": NAME` for one service, plus `"offset": BYTE` (any byte of a `ports` entry in
//! the document's text) for one entry. The answer: `{"project", "running", "results",
//! "links"}`, or `{"project", "error"}` when the daemon could not be asked.
//!
//! When no mapping reached a running container and no container of the project runs, the
//! project is "not running": said once (an information message), and its verdicts are kept
//! without a diagnostic per port.

use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::live::{self, probe};
use crate::server::documents::{LinkResult, LiveResult};
use crate::server::{Backend, document_path, scheduler};

pub const PROBE: &str = "portside.probe";

/// Not advertised: waits (up to 10 s) until no analysis is scheduled or running, then
/// answers `{"idle", "analyses", "sent", "mark"}`: how many analyses ran and how many
/// diagnostics were sent (publishes or refreshes) since the start, and the text of a
/// `window/logMessage` sent just before the answer. For tests.
pub const DEBUG_STATS: &str = "portside.debug.stats";

/// Not advertised (the VS Code extension's status item asks it): which Docker endpoint the
/// live checks would use with this session's settings (`live.endpoint`, then `DOCKER_HOST`
/// and the contexts, as [`live::endpoint`] decides) and whether a daemon answers there:
/// `{"endpoint", "engine", "os", "api"}`, `{"endpoint", "error"}`, or `{"disabled": true}`
/// when `live.enabled` is off.
pub const DAEMON: &str = "portside.daemon";

/// The network map of a Compose document (`{"uri": DOCUMENT}`), from its current text and
/// workspace context: `{"svg", "mermaid"}` ([`crate::ide::map`]). With `"live": true` (live
/// checks on: `live.enabled`, which an untrusted workspace turns off), the project's
/// published ports and references between services are probed first and painted (green,
/// red, grey); when the daemon cannot be asked, the map comes without them and
/// `"live_error"` says why.
pub const SHOW_MAP: &str = "portside.showMap";

pub async fn execute_command(
    backend: &Arc<Backend>,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    if params.command == DEBUG_STATS {
        let idle = scheduler::idle(backend, std::time::Duration::from_secs(10)).await;
        let count = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        // A mark sent like the diagnostics (the answer travels another way): a client that
        // sees it has seen every publication sent before.
        let mark = format!(
            "portside.debug.stats {}",
            backend
                .progress_tokens
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        backend
            .client
            .log_message(MessageType::LOG, mark.clone())
            .await;
        return Ok(Some(json!({
            "idle": idle,
            "analyses": count(&backend.runs),
            "sent": count(&backend.sent),
            "parses": backend.vfs.parses(),
            "mark": mark,
        })));
    }
    if params.command == DAEMON {
        return Ok(Some(daemon(backend).await));
    }
    if params.command == SHOW_MAP {
        return show_map(backend, &params).await;
    }
    if params.command != PROBE {
        return Err(Error::invalid_params(format!(
            "unknown command `{}` (portside has `{PROBE}`)",
            params.command
        )));
    }
    let settings = backend.settings();
    if settings.live_disabled {
        return Err(Error::invalid_params(
            "live checks are turned off (setting `portside.live.enabled`)",
        ));
    }
    let arg = params.arguments.first().cloned().unwrap_or(Value::Null);
    let Some(uri) = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| u.parse::<Uri>().ok())
    else {
        return Err(Error::invalid_params(
            "portside.probe needs {\"uri\": ...} and optionally \"service\" and \"offset\"",
        ));
    };
    let service = arg
        .get("service")
        .and_then(Value::as_str)
        .map(str::to_string);
    let offset = arg
        .get("offset")
        .and_then(Value::as_u64)
        .map(|o| o as usize);
    let Some(rope) = backend.docs().get(&uri).map(|d| d.rope.clone()) else {
        return Err(Error::invalid_params("the document is not open"));
    };
    let path = document_path(&uri);
    let editor = settings.clone();
    let open = backend.open_files();
    let vfs = Arc::clone(&backend.vfs);
    let found = tokio::task::spawn_blocking(move || {
        let text = rope.to_string();
        open.sync(&vfs);
        let ctx = crate::workspace::context_cached(&path, &text, &editor, &vfs);
        let (project, mappings) = live::plan::mappings(&path, &text, &ctx);
        (project, mappings, live::plan::links(&text, &ctx))
    })
    .await;
    let Ok((project, mut mappings, mut links)) = found else {
        return Err(Error::internal_error());
    };
    // Links: every one for the whole project, a service's own references for a service,
    // none for a single port entry.
    match (&service, offset) {
        (_, Some(_)) => links.clear(),
        (Some(s), None) => links.retain(|l| l.kind == "service" && &l.from == s),
        (None, None) => {}
    }
    if let Some(s) = &service {
        mappings.retain(|m| &m.service == s);
    }
    if let Some(o) = offset {
        mappings.retain(|m| m.range.start <= o && o <= m.range.end);
    }
    if mappings.is_empty() && links.is_empty() {
        let what = match (&service, offset) {
            (Some(s), Some(_)) => format!("this entry of `{s}` publishes no port Docker accepts"),
            (Some(s), None) => format!("service `{s}` publishes no port"),
            _ => "no service publishes a port".to_string(),
        };
        backend
            .client
            .show_message(
                MessageType::INFO,
                super::super::convert::plain(&format!("portside: nothing to check: {what}")),
            )
            .await;
        return Ok(Some(json!({"project": project, "results": []})));
    }
    // `$/progress`: the client's token, else one we create when the client shows progress.
    let token = match params.work_done_progress_params.work_done_token {
        Some(t) => Some(t),
        None if backend
            .work_done_progress
            .load(std::sync::atomic::Ordering::Relaxed) =>
        {
            let n = backend
                .progress_tokens
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let t = ProgressToken::String(format!("portside-probe-{n}"));
            backend
                .client
                .create_work_done_progress(t.clone())
                .await
                .ok()
                .map(|()| t)
        }
        None => None,
    };
    let progress = match token {
        Some(t) => Some(
            backend
                .client
                .progress(t, "portside: checking reachability")
                .with_message(format!(
                    "{} port mapping(s) of \"{project}\"",
                    mappings.len()
                ))
                .with_percentage(0)
                .begin()
                .await,
        ),
        None => None,
    };
    // The daemon calls see the session's `live.endpoint` setting (and nothing else does).
    let verdicts = live::with_endpoint(settings.live_endpoint.clone(), async {
        match live::connect().await {
            Ok(docker) => {
                match probe::probe(&docker, &project, &mappings, live::is_local()).await {
                    Ok(v) => {
                        if let Some(p) = &progress {
                            p.report_with_message("networks and services that name each other", 80)
                                .await;
                        }
                        // Only when no mapping reached a running container: is any of
                        // the project's up? (A service probed alone may be the one down.)
                        let state = if v.iter().all(|v| v.why.not_up() || taken(&v.why)) {
                            probe::project_state(&docker, &project).await.ok()
                        } else {
                            None
                        };
                        probe::probe_links(&docker, &project, &links)
                            .await
                            .map(|l| (v, l, state))
                    }
                    Err(e) => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    })
    .await;
    let (verdicts, link_verdicts, state) = match verdicts {
        Ok(v) => v,
        Err(e) => {
            if let Some(p) = progress {
                p.finish_with_message("the daemon could not be asked").await;
            }
            backend
                .client
                .show_message(
                    MessageType::ERROR,
                    super::super::convert::plain(&format!("portside live check: {e}")),
                )
                .await;
            return Ok(Some(json!({"project": project, "error": e.to_string()})));
        }
    };
    // No container of the project is up (none exists, or they stopped): nothing failed, the
    // project is just not running. Said once; the verdicts are kept for the CodeLens and
    // hovers but not published one per port. Predictions (a host port already taken, a
    // privileged port) are still errors.
    let not_up = |v: &&probe::Verdict| v.why.not_up();
    // `state`: (containers, running) of the project, asked only when no mapping reached a
    // running container.
    let stopped = verdicts.iter().any(|v| v.why.not_up()) && matches!(state, Some((_, 0)));
    // Keep the verdicts; they replace earlier ones for the same mappings. A new generation
    // in the same critical section: an analysis that started before cannot store over them.
    let job = {
        let mut docs = backend.docs();
        let Some(doc) = docs.get_mut(&uri) else {
            return Ok(None);
        };
        doc.live.retain(|r| {
            !verdicts
                .iter()
                .any(|v| v.mapping.same_binding(&r.verdict.mapping))
        });
        let now = std::time::Instant::now();
        doc.live.extend(verdicts.iter().map(|v| LiveResult {
            verdict: v.clone(),
            at: now,
            quiet: stopped && v.why.not_up(),
        }));
        doc.live_links
            .retain(|r| !link_verdicts.iter().any(|v| v.link.same(&r.verdict.link)));
        doc.live_links
            .extend(link_verdicts.iter().map(|v| LinkResult {
                verdict: v.clone(),
                at: now,
                quiet: stopped && matches!(v.why, crate::live::step::LinkStep::NotRunning { .. }),
            }));
        scheduler::bump(backend, &mut docs, &uri, scheduler::Why::Inputs)
    };
    scheduler::spawn(backend, job.into_iter().collect());
    if backend
        .code_lens_refresh
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        // The CodeLens titles summarise the verdicts: ask the client to fetch them again.
        let client = backend.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.code_lens_refresh().await {
                tracing::warn!("workspace/codeLens/refresh failed: {e}");
            }
        });
    }
    let failed: Vec<&probe::Verdict> = verdicts
        .iter()
        .filter(|v| v.outcome == probe::Outcome::Fail)
        .collect();
    let failed_links: Vec<&probe::LinkVerdict> = link_verdicts
        .iter()
        .filter(|v| v.outcome == probe::Outcome::Fail)
        .collect();
    let links_note = if link_verdicts.is_empty() {
        String::new()
    } else {
        format!(
            "; {} of {} network/service check(s) pass",
            link_verdicts.len() - failed_links.len(),
            link_verdicts.len()
        )
    };
    let summary = if stopped {
        let exited = matches!(state, Some((n, 0)) if n > 0);
        let why = if exited {
            "its containers are stopped; run `docker compose up -d`, then check again"
        } else {
            "no container of it exists; run `docker compose up -d` first, then check again"
        };
        let taken = failed.iter().filter(|v| !v.why.not_up()).count();
        let also = match failed.iter().find(|v| !v.why.not_up()) {
            Some(first) if taken > 0 => format!(
                ". Before you do: `{}` {}: {}",
                first.mapping.service, first.mapping.spec, first.message
            ),
            _ => String::new(),
        };
        format!("portside: project `{project}` is not running: {why}{also}")
    } else {
        match (
            failed.iter().find(|v| !not_up(v)).or(failed.first()),
            failed_links.first(),
        ) {
            (None, None) => format!(
                "portside: all {} port mapping(s) of `{project}` answer{links_note}",
                verdicts.len()
            ),
            (Some(first), _) => format!(
                "portside: {} of {} port mapping(s) of `{project}` answer{links_note}; `{}` {}: {}",
                verdicts.len() - failed.len(),
                verdicts.len(),
                first.mapping.service,
                first.mapping.spec,
                first.message
            ),
            (None, Some(first)) => format!(
                "portside: all {} port mapping(s) of `{project}` answer{links_note}; {}",
                verdicts.len(),
                first.message
            ),
        }
    };
    let failed_any = failed.iter().any(|v| !v.why.not_up()) || !failed_links.is_empty();
    let kind = if stopped || !failed_any {
        MessageType::INFO
    } else {
        MessageType::WARNING
    };
    if let Some(p) = progress {
        p.finish_with_message(format!(
            "{} of {} answer",
            verdicts.len() - failed.len(),
            verdicts.len()
        ))
        .await;
    }
    backend
        .client
        .show_message(kind, super::super::convert::plain(&summary))
        .await;
    Ok(Some(
        json!({"project": project, "running": !stopped, "results": verdicts, "links": link_verdicts}),
    ))
}

/// [`SHOW_MAP`]: the network map of an open Compose document, drawn from its current text and
/// workspace context (`{"live": true}` hands it to [`show_live_map`]).
async fn show_map(backend: &Arc<Backend>, params: &ExecuteCommandParams) -> Result<Option<Value>> {
    let arg = params.arguments.first().cloned().unwrap_or(Value::Null);
    let Some(uri) = arg
        .get("uri")
        .and_then(Value::as_str)
        .and_then(|u| u.parse::<Uri>().ok())
    else {
        return Err(Error::invalid_params(format!(
            "{SHOW_MAP} needs {{\"uri\": ...}}"
        )));
    };
    if arg.get("live").and_then(Value::as_bool) == Some(true) {
        return show_live_map(backend, uri).await;
    }
    let rope = map_source(backend, &uri)?;
    let path = document_path(&uri);
    let editor = backend.settings().clone();
    let open = backend.open_files();
    let vfs = Arc::clone(&backend.vfs);
    let enc = backend.encoding();
    super::blocking(SHOW_MAP, uri.as_str().to_string(), move || {
        let text = rope.to_string();
        open.sync(&vfs);
        let ctx = crate::workspace::context_cached(&path, &text, &editor, &vfs);
        let context_of =
            |p: &std::path::Path, t: &str| crate::workspace::context_cached(p, t, &editor, &vfs);
        match crate::ide::map::of_project(&text, &ctx, &context_of) {
            Ok(t) => Ok(Some(json!({
                "svg": crate::ide::map::render::svg(&t),
                "mermaid": crate::ide::map::render::mermaid(&t),
                "elements": map_elements(&t, &rope, &ctx, enc),
            }))),
            Err(e) => Err(Error::invalid_params(format!("no map: {}", e.message))),
        }
    })
    .await
}

/// The map's clickable elements for `portside.showMap`: `[{id, label, range, uri?}]`, the
/// range in the negotiated encoding, so a client can jump from a click on the SVG to the
/// YAML; `uri` names the project's other file an element is written in (its text is the
/// one the context read).
fn map_elements(
    t: &crate::ide::map::Topology,
    rope: &ropey::Rope,
    ctx: &crate::analysis::Context,
    enc: crate::text::PositionEncoding,
) -> Value {
    let mut others: Vec<(std::path::PathBuf, ropey::Rope)> = Vec::new();
    crate::ide::map::render::elements(t)
        .into_iter()
        .filter_map(|e| {
            let Some(file) = e.file else {
                return Some(json!({
                    "id": e.id,
                    "label": e.label,
                    "range": super::super::convert::range(rope, e.span, enc),
                }));
            };
            let uri = Uri::from_file_path(&file)?;
            if !others.iter().any(|(p, _)| *p == file) {
                let text = ctx
                    .external
                    .other_services
                    .iter()
                    .find(|o| o.file.path == file)?
                    .file
                    .text
                    .clone();
                others.push((file.clone(), ropey::Rope::from_str(&text)));
            }
            let (_, other) = others.iter().find(|(p, _)| *p == file)?;
            Some(json!({
                "id": e.id,
                "label": e.label,
                "uri": uri.as_str(),
                "range": super::super::convert::range(other, e.span, enc),
            }))
        })
        .collect()
}

/// The text of the open Compose document a map is drawn from.
fn map_source(backend: &Backend, uri: &Uri) -> Result<ropey::Rope> {
    let Some((rope, kind)) = backend.docs().get(uri).map(|d| (d.rope.clone(), d.kind)) else {
        return Err(Error::invalid_params("the document is not open"));
    };
    if kind != crate::classify::FileKind::Compose {
        return Err(Error::invalid_params(
            "the network map is drawn from a Compose file",
        ));
    }
    Ok(rope)
}

/// [`SHOW_MAP`] with `"live": true`: the map painted with the probe's verdicts.
async fn show_live_map(backend: &Arc<Backend>, uri: Uri) -> Result<Option<Value>> {
    let settings = backend.settings();
    if settings.live_disabled {
        return Err(Error::invalid_params(
            "live checks are turned off (setting `portside.live.enabled`)",
        ));
    }
    let rope = map_source(backend, &uri)?;
    let path = document_path(&uri);
    let editor = settings.clone();
    let open = backend.open_files();
    let vfs = Arc::clone(&backend.vfs);
    let enc = backend.encoding();
    let drawn_from = rope.clone();
    let planned = super::blocking(SHOW_MAP, uri.as_str().to_string(), move || {
        let text = rope.to_string();
        open.sync(&vfs);
        let ctx = crate::workspace::context_cached(&path, &text, &editor, &vfs);
        let context_of =
            |p: &std::path::Path, t: &str| crate::workspace::context_cached(p, t, &editor, &vfs);
        match crate::ide::map::of_project(&text, &ctx, &context_of) {
            Ok(t) => {
                let (project, mappings) = live::plan::mappings(&path, &text, &ctx);
                let links = live::plan::links(&text, &ctx);
                Ok(Some((t, project, mappings, links, ctx)))
            }
            Err(e) => Err(Error::invalid_params(format!("no map: {}", e.message))),
        }
    })
    .await?;
    let Some((topology, project, mappings, links, ctx)) = planned else {
        return Err(Error::internal_error());
    };
    let verdicts = live::with_endpoint(settings.live_endpoint.clone(), async {
        let docker = live::connect().await?;
        live::paint::probe(&docker, &project, &mappings, &links, &topology).await
    })
    .await;
    let render = move || {
        let (topology, error) = match verdicts {
            Ok(v) => (crate::ide::map::paint(topology, &v), None),
            Err(e) => (topology, Some(e.to_string())),
        };
        let mut answer = json!({
            "svg": crate::ide::map::render::svg(&topology),
            "mermaid": crate::ide::map::render::mermaid(&topology),
            "elements": map_elements(&topology, &drawn_from, &ctx, enc),
        });
        if let Some(e) = error {
            answer["live_error"] = json!(e);
        }
        Ok(Some(answer))
    };
    super::blocking(SHOW_MAP, uri.as_str().to_string(), render).await
}

async fn daemon(backend: &Backend) -> Value {
    let settings = backend.settings();
    if settings.live_disabled {
        return json!({"disabled": true});
    }
    live::with_endpoint(settings.live_endpoint.clone(), async {
        let endpoint = live::endpoint_description();
        let answer = match live::connect().await {
            Ok(docker) => live::version(&docker).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(v) => json!({"endpoint": endpoint, "engine": v.engine, "os": v.os, "api": v.api}),
            Err(e) => json!({"endpoint": endpoint, "error": e.to_string()}),
        }
    })
    .await
}

/// A verdict made without a running container of the service: the host port is taken, or
/// a rootless daemon cannot bind it.
fn taken(why: &crate::live::step::Step) -> bool {
    matches!(
        why,
        crate::live::step::Step::TakenByContainer { .. }
            | crate::live::step::Step::TakenOnHost { .. }
            | crate::live::step::Step::Privileged { .. }
    )
}
