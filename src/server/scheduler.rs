//! The scheduler: when a document is analysed, and which analysis may publish.
//!
//! - **One generation per document.** Every reason to analyse a document again (its own
//!   edit, a related file's change, settings, live verdicts) starts a new generation under
//!   the document lock ([`bump`]); the analysis stores and publishes only while its
//!   generation is still the document's, so the newest inputs always win, whatever finishes
//!   last.
//! - **Cancellation.** Starting a generation sets the previous one's flag; the analysis
//!   checks it between phases (context, rules, live relocation) and gives up.
//! - **Debounce.** An analysis starts at once when the document is idle (so a single edit
//!   gets its diagnostics without delay); while one is in flight, or for a related file's
//!   change, it waits [`DEBOUNCE`] first, so a burst of edits (or of changes to a file
//!   several documents read) costs one analysis per document at its end.
//! - **Snapshots.** The analysis reads the document's text, the open documents' texts and
//!   the settings as they were when it started, on the blocking pool; nothing it does holds
//!   a lock, and the serving task never waits for it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tower_lsp_server::ls_types::Uri;

use super::documents::{Analysed, Documents, LastGood};
use super::handlers::publish;
use super::{Backend, document_path};

/// How long a burst of changes may pause before its last one is analysed.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

/// Why a document is analysed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Its own text changed (or it was opened).
    Edit,
    /// A file its analysis read changed (an open document, or a file on disk).
    Related,
    /// The settings changed, or live verdicts arrived.
    Inputs,
}

/// One scheduled analysis: the generation it belongs to and its cancellation flag.
#[derive(Debug)]
pub struct Job {
    uri: Uri,
    generation: u64,
    cancel: Arc<AtomicBool>,
    debounce: bool,
}

/// Starts a new generation for `uri` (cancelling the one in flight). Call it under the
/// document lock, in the same critical section as the change that calls for it, then hand
/// the job to [`spawn`] once the lock is released.
pub fn bump(backend: &Backend, docs: &mut Documents, uri: &Uri, why: Why) -> Option<Job> {
    let doc = docs.get_mut(uri)?;
    doc.cancel.store(true, Ordering::Relaxed);
    let cancel = Arc::new(AtomicBool::new(false));
    doc.cancel = Arc::clone(&cancel);
    let in_flight = doc.stored < doc.generation;
    doc.generation = backend.generations.fetch_add(1, Ordering::Relaxed);
    Some(Job {
        uri: uri.clone(),
        generation: doc.generation,
        cancel,
        debounce: in_flight || why == Why::Related,
    })
}

/// New generations for the open documents whose last analysis read `path` (other than
/// `except`).
pub fn bump_dependents(
    backend: &Backend,
    docs: &mut Documents,
    path: &std::path::Path,
    except: Option<&Uri>,
) -> Vec<Job> {
    let dependents: Vec<Uri> = docs
        .iter()
        .filter(|(other, doc)| Some(*other) != except && doc.deps.iter().any(|d| d == path))
        .map(|(other, _)| other.clone())
        .collect();
    dependents
        .iter()
        .filter_map(|d| bump(backend, docs, d, Why::Related))
        .collect()
}

/// A document's own change: new generations for it and for the documents that read it.
pub fn bump_with_dependents(backend: &Backend, docs: &mut Documents, uri: &Uri) -> Vec<Job> {
    let mut jobs = bump_dependents(backend, docs, &document_path(uri), Some(uri));
    jobs.extend(bump(backend, docs, uri, Why::Edit));
    jobs
}

/// Runs the jobs (each on its own task; the analysis itself on the blocking pool).
pub fn spawn(backend: &Arc<Backend>, jobs: Vec<Job>) {
    for job in jobs {
        tokio::spawn(run(Arc::clone(backend), job));
    }
}

/// Analyses `uri` again.
pub fn schedule(backend: &Arc<Backend>, uri: &Uri, why: Why) {
    let job = bump(backend, &mut backend.docs(), uri, why);
    spawn(backend, job.into_iter().collect());
}

/// Analyses every open document again (settings, portside.toml).
pub fn schedule_all(backend: &Arc<Backend>) {
    let jobs = {
        let mut docs = backend.docs();
        let open: Vec<Uri> = docs.iter().map(|(uri, _)| uri.clone()).collect();
        open.iter()
            .filter_map(|uri| bump(backend, &mut docs, uri, Why::Inputs))
            .collect()
    };
    spawn(backend, jobs);
}

/// What an analysis produced, for the document it analysed.
struct Outcome {
    analysis: crate::analysis::Analysis,
    deps: Vec<std::path::PathBuf>,
    ctx: crate::analysis::Context,
    text: String,
    live: Vec<super::documents::LiveResult>,
    links: Vec<super::documents::LinkResult>,
    diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
    /// Its findings in the files it read (mounted config files), by their URI.
    in_read_files: Vec<(Uri, Vec<tower_lsp_server::ls_types::Diagnostic>)>,
    /// The images on the Docker host whose facts the analysis would read.
    wanted: Vec<String>,
}

async fn run(backend: Arc<Backend>, job: Job) {
    if job.debounce {
        tokio::time::sleep(DEBOUNCE).await;
    }
    if job.cancel.load(Ordering::Relaxed) {
        return;
    }
    // The snapshot: this generation's inputs, copied under the lock (ropes share chunks).
    let (kind, version, rope, live, links, open, previous) = {
        let docs = backend.docs();
        let Some(doc) = docs
            .get(&job.uri)
            .filter(|d| d.generation == job.generation)
        else {
            return;
        };
        (
            doc.kind,
            doc.version,
            doc.rope.clone(),
            doc.live.clone(),
            doc.live_links.clone(),
            super::session::OpenFiles::of(&docs),
            // The last tree and its text: the new text is parsed incrementally from them.
            doc.last_good.as_ref().and_then(|l| l.ctx.parsed.clone()),
        )
    };
    // A file another document reads is not analysed: its findings come with that
    // document's analysis (`publish_read_files`).
    if kind == crate::classify::FileKind::Read {
        settle(&backend, &job);
        return;
    }
    let mut editor = backend.settings();
    // The daemon's platform, below the settings' (live checks on); asked for in the
    // background, never waited for.
    if kind == crate::classify::FileKind::Compose {
        super::platform::with_daemon_platform(&backend, &mut editor);
        super::platform::ask(&backend);
    }
    // Images on the Docker host, for the services run from an image the table does not
    // know: the facts the cache holds now (the daemon is asked after the publication).
    let live_images = kind == crate::classify::FileKind::Compose && !editor.live_disabled;
    let known_images = if live_images {
        backend.images().facts_all()
    } else {
        Vec::new()
    };
    let enc = backend.encoding();
    backend.runs.fetch_add(1, Ordering::Relaxed);
    let cancel = Arc::clone(&job.cancel);
    let uri = job.uri.clone();
    let analysed_rope = rope.clone();
    let vfs = Arc::clone(&backend.vfs);
    let result = tokio::task::spawn_blocking(move || {
        let cancelled = || cancel.load(Ordering::Relaxed);
        let text = rope.to_string();
        let path = document_path(&uri);
        open.sync(&vfs);
        let mut ctx =
            crate::workspace::context_after_edit(&path, &text, &editor, &vfs, previous.as_ref());
        drop(previous);
        if cancelled() {
            return None;
        }
        let wanted = match &ctx.parsed {
            Some(parsed) if live_images => crate::live::image::wanted(&parsed.yaml, &ctx.vars),
            _ => Vec::new(),
        };
        ctx.external.local_images = known_images
            .into_iter()
            .filter(|i| wanted.contains(&i.reference))
            .collect();
        let deps = std::mem::take(&mut ctx.deps);
        let analysis = crate::analysis::analyze_with(kind, &text, &ctx);
        if cancelled() {
            return None;
        }
        let live = publish::relocate(live, &path, &text, &ctx);
        let links = publish::relocate_links(links, &text, &ctx);
        if cancelled() {
            return None;
        }
        let diagnostics = publish::diagnostics(&uri, &rope, &analysis.findings, &live, &links, enc);
        let mounted: Vec<std::path::PathBuf> = ctx
            .external
            .mounted_configs
            .iter()
            .map(|c| c.file.path.clone())
            .collect();
        let in_read_files =
            super::convert::in_read_files(&uri, &rope, &analysis.findings, &mounted, enc);
        Some(Outcome {
            analysis,
            deps,
            ctx,
            text,
            live,
            links,
            diagnostics,
            in_read_files,
            wanted,
        })
    })
    .await;
    let mut outcome = match result {
        Ok(Some(outcome)) => outcome,
        // Cancelled: a newer generation runs.
        Ok(None) => return,
        Err(e) => {
            tracing::error!(uri = job.uri.as_str(), version, "analysis failed: {e}");
            settle(&backend, &job);
            backend
                .client
                .log_message(
                    tower_lsp_server::ls_types::MessageType::ERROR,
                    format!("portside: analysis of {} failed: {e}", job.uri.as_str()),
                )
                .await;
            return;
        }
    };
    let wanted = std::mem::take(&mut outcome.wanted);
    let Some((diagnostics, same_version, read_files)) =
        store(&backend, &job, version, analysed_rope, outcome)
    else {
        return;
    };
    publish_read_files(&backend, read_files).await;
    backend.settled.notify_waiters();
    if backend.pull_diagnostics.load(Ordering::Relaxed) {
        // A new version is the client's own edit (it pulls by itself); the same version
        // again means something else changed: ask it to pull. A round trip: no lock held.
        // Settled first: the client's answer (or its silence) must not hold the document.
        settle(&backend, &job);
        if same_version {
            backend.sent.fetch_add(1, Ordering::Relaxed);
            let _ = backend.client.workspace_diagnostic_refresh().await;
        }
        super::images::ask(&backend, &job.uri, wanted);
        return;
    } else {
        // Under the publish lock (a notification, not a round trip): only while this is
        // still the document's generation, so an older one never follows a newer one.
        let _guard = backend.publish.lock().await;
        let current = backend
            .docs()
            .get(&job.uri)
            .is_some_and(|d| d.generation == job.generation);
        if current {
            backend.sent.fetch_add(1, Ordering::Relaxed);
            backend
                .client
                .publish_diagnostics(job.uri.clone(), diagnostics, Some(version))
                .await;
        }
    }
    settle(&backend, &job);
    // After the publication: the static diagnostics never wait for the daemon.
    super::images::ask(&backend, &job.uri, wanted);
}

/// Publishes the diagnostics of the files other documents read (mounted config files) that
/// an analysis or a close changed: for each of `uris`, what every open document's last
/// analysis puts there, merged. Gathered and sent under the publish lock, so a file's
/// publications follow the order of the analyses that made them.
pub async fn publish_read_files(backend: &Backend, uris: Vec<Uri>) {
    if uris.is_empty() {
        return;
    }
    let _guard = backend.publish.lock().await;
    let merged: Vec<(Uri, Vec<tower_lsp_server::ls_types::Diagnostic>)> = {
        let docs = backend.docs();
        uris.into_iter()
            .map(|target| {
                let list = docs
                    .iter()
                    .flat_map(|(_, d)| d.in_read_files.iter())
                    .filter(|(u, _)| *u == target)
                    .flat_map(|(_, list)| list.iter().cloned())
                    .collect();
                (target, list)
            })
            .collect()
    };
    for (uri, diagnostics) in merged {
        backend.sent.fetch_add(1, Ordering::Relaxed);
        backend
            .client
            .publish_diagnostics(uri, diagnostics, None)
            .await;
    }
}

/// The diagnostics to send after [`store`], whether the version had been analysed before,
/// and the read files whose diagnostics changed.
type Stored = (Vec<tower_lsp_server::ls_types::Diagnostic>, bool, Vec<Uri>);

/// Stores an analysis on its document when its generation is still current; returns the
/// diagnostics to send and whether the version had been analysed before.
fn store(
    backend: &Backend,
    job: &Job,
    version: i32,
    rope: ropey::Rope,
    outcome: Outcome,
) -> Option<Stored> {
    let mut docs = backend.docs();
    let doc = docs
        .get_mut(&job.uri)
        .filter(|d| d.generation == job.generation && d.version == version)?;
    doc.stored = job.generation;
    doc.live = outcome.live;
    doc.live_links = outcome.links;
    doc.deps = outcome.deps;
    // The read files it had findings in, or has now, when those changed.
    let read_files: Vec<Uri> = if doc.in_read_files == outcome.in_read_files {
        Vec::new()
    } else {
        let mut uris: Vec<Uri> = doc.in_read_files.iter().map(|(u, _)| u.clone()).collect();
        for (u, _) in &outcome.in_read_files {
            if !uris.contains(u) {
                uris.push(u.clone());
            }
        }
        uris
    };
    doc.in_read_files = outcome.in_read_files;
    let same_version = doc.analysed.as_ref().is_some_and(|a| a.version == version);
    if let Some(yaml) = outcome.analysis.yaml {
        doc.edits.retain(|(v, _)| *v > version);
        doc.last_good = Some(LastGood {
            version,
            yaml,
            rope: rope.clone(),
            text: Arc::new(outcome.text),
            ctx: Arc::new(outcome.ctx),
        });
    }
    doc.analysed = Some(Analysed {
        version,
        rope,
        findings: Arc::new(outcome.analysis.findings),
        diagnostics: Arc::new(outcome.diagnostics.clone()),
        id: backend.analyses.fetch_add(1, Ordering::Relaxed),
    });
    Some((outcome.diagnostics, same_version, read_files))
}

/// Marks the job's generation as ended (nothing of it is in flight any more).
fn settle(backend: &Backend, job: &Job) {
    if let Some(doc) = backend.docs().get_mut(&job.uri) {
        doc.settled = doc.settled.max(job.generation);
        doc.stored = doc.stored.max(job.generation);
    }
    backend.settled.notify_waiters();
}

/// Waits until no analysis is scheduled or running for any open document (for tests,
/// through `portside.debug.stats`), at most `limit`; returns whether it got there.
pub async fn idle(backend: &Backend, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let notified = backend.settled.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if backend
            .docs()
            .iter()
            .all(|(_, d)| d.settled >= d.generation)
        {
            return true;
        }
        if tokio::time::timeout_at(deadline, notified).await.is_err() {
            return false;
        }
    }
}
