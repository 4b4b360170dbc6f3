//! The session's cache of images on the Docker host (`docker image inspect`, through
//! [`crate::live::image`]), for Compose services run from an image the image table does not
//! know. Analyses read what the cache holds and never wait for the daemon: a document is
//! analysed (and its diagnostics published) with the facts known so far, then the images
//! its analysis wanted and the cache has not asked for within [`REFRESH`] are asked for in
//! the background, and the document is analysed again when an image's facts changed (a new
//! ID, an image that appeared or went away). A daemon that fails or does not answer keeps
//! the facts already known and is asked again after [`REFRESH`].
//!
//! Nothing here runs while `live.enabled` is false (an untrusted workspace, or the user's
//! choice): analyses then get no facts and nothing is asked.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::Uri;

use super::Backend;
use super::scheduler::{self, Why};
use crate::model::compose::LocalImage;

/// An image is asked for again at most this often.
pub const REFRESH: Duration = Duration::from_secs(30);

/// What the cache knows of one image reference.
#[derive(Debug)]
struct Entry {
    /// When the daemon was last asked; `None` before the first question.
    asked: Option<Instant>,
    /// The facts of the last answer; `None` when the image is not on the host, or was
    /// never read.
    facts: Option<Arc<LocalImage>>,
    /// A question is in flight.
    pending: bool,
    /// The documents whose analysis read (or wanted) these facts: analysed again when
    /// they change.
    readers: Vec<Uri>,
}

/// At most this many readers are remembered per image.
const MAX_READERS: usize = 64;

/// Image reference → what the daemon said of it.
#[derive(Debug, Default)]
pub struct ImageCache {
    entries: HashMap<String, Entry>,
}

impl ImageCache {
    /// The facts known for `references` (those present on the host).
    #[cfg(test)]
    pub fn facts(&self, references: &[String]) -> Vec<Arc<LocalImage>> {
        references
            .iter()
            .filter_map(|r| self.entries.get(r)?.facts.clone())
            .collect()
    }

    /// Every image known to be on the host (an analysis keeps those its file names).
    pub fn facts_all(&self) -> Vec<Arc<LocalImage>> {
        self.entries
            .values()
            .filter_map(|e| e.facts.clone())
            .collect()
    }

    /// The references to ask for now: never asked, or asked longer than [`REFRESH`] ago,
    /// and not in flight. They are marked in flight.
    pub fn due(&mut self, references: &[String], reader: &Uri, now: Instant) -> Vec<String> {
        let mut out = Vec::new();
        for r in references {
            let entry = self.entries.entry(r.clone()).or_insert(Entry {
                asked: None,
                facts: None,
                pending: false,
                readers: Vec::new(),
            });
            if !entry.readers.contains(reader) {
                if entry.readers.len() == MAX_READERS {
                    entry.readers.remove(0);
                }
                entry.readers.push(reader.clone());
            }
            let recent = entry
                .asked
                .is_some_and(|asked| now.saturating_duration_since(asked) < REFRESH);
            if entry.pending || recent {
                continue;
            }
            entry.pending = true;
            entry.asked = Some(now);
            out.push(r.clone());
        }
        out
    }

    /// The documents that read the facts of `reference`.
    pub fn readers(&self, reference: &str) -> Vec<Uri> {
        self.entries
            .get(reference)
            .map(|e| e.readers.clone())
            .unwrap_or_default()
    }

    /// Forgets every answer (the endpoint changed: another daemon, other images).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Records the daemon's answer for `reference`: `Some(facts)` (`None` when the image is
    /// not on the host), or `None` when the daemon could not be asked (the facts known so
    /// far stay). Returns whether what the analysis reads changed.
    pub fn answer(&mut self, reference: &str, answer: Option<Option<LocalImage>>) -> bool {
        let Some(entry) = self.entries.get_mut(reference) else {
            return false;
        };
        entry.pending = false;
        let Some(facts) = answer else {
            return false;
        };
        let changed = match (&entry.facts, &facts) {
            (None, None) => false,
            (Some(old), Some(new)) => old.id != new.id,
            _ => true,
        };
        if changed {
            entry.facts = facts.map(Arc::new);
        }
        changed
    }
}

/// Asks the daemon, in the background, for the images of `wanted` that are due, then
/// analyses `uri` again if their facts changed. Returns at once.
pub fn ask(backend: &Arc<Backend>, uri: &Uri, wanted: Vec<String>) {
    if wanted.is_empty() {
        return;
    }
    let settings = backend.settings();
    if settings.live_disabled {
        return;
    }
    let due = backend.images().due(&wanted, uri, Instant::now());
    if due.is_empty() {
        return;
    }
    let backend = Arc::clone(backend);
    tokio::spawn(async move {
        let answers = crate::live::with_endpoint(
            settings.live_endpoint.clone(),
            crate::live::image::inspect_all(&due),
        )
        .await;
        let mut readers: Vec<Uri> = Vec::new();
        {
            let mut cache = backend.images();
            match answers {
                Ok(answers) => {
                    for (reference, answer) in answers {
                        if let Err(e) = &answer {
                            tracing::debug!("image {reference}: {e}");
                        }
                        if cache.answer(&reference, answer.ok()) {
                            for r in cache.readers(&reference) {
                                if !readers.contains(&r) {
                                    readers.push(r);
                                }
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::debug!("images not read: {e}");
                    for reference in &due {
                        cache.answer(reference, None);
                    }
                }
            }
        }
        // Only while live checks are still on, with the same endpoint: otherwise the
        // settings' change re-analysed without these facts.
        let now = backend.settings();
        if now.live_disabled || now.live_endpoint != settings.live_endpoint {
            return;
        }
        for uri in readers {
            scheduler::schedule(&backend, &uri, Why::Inputs);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(id: &str) -> LocalImage {
        LocalImage::new("app:1", id, &[], None, None, &[], None)
    }

    #[test]
    fn asked_once_per_refresh_and_again_when_due() {
        let mut cache = ImageCache::default();
        let refs = vec!["app:1".to_string()];
        let uri: Uri = "file:///p/compose.yaml".parse().unwrap();
        let t0 = Instant::now();
        assert_eq!(cache.due(&refs, &uri, t0), refs);
        // In flight: not asked twice.
        assert!(
            cache
                .due(&refs, &uri, t0 + Duration::from_secs(1))
                .is_empty()
        );
        assert!(cache.answer("app:1", Some(Some(image("sha256:aa")))));
        assert_eq!(cache.facts(&refs)[0].id, "sha256:aa");
        // Fresh: not asked again.
        assert!(
            cache
                .due(&refs, &uri, t0 + Duration::from_secs(10))
                .is_empty()
        );
        // Due after REFRESH; the same ID again changes nothing.
        let t1 = t0 + REFRESH + Duration::from_secs(1);
        assert_eq!(cache.due(&refs, &uri, t1), refs);
        assert!(!cache.answer("app:1", Some(Some(image("sha256:aa")))));
        // A new ID (rebuilt) changes the facts.
        let t2 = t1 + REFRESH + Duration::from_secs(1);
        assert_eq!(cache.due(&refs, &uri, t2), refs);
        assert!(cache.answer("app:1", Some(Some(image("sha256:bb")))));
        assert_eq!(cache.facts(&refs)[0].id, "sha256:bb");
        // A daemon that fails keeps the facts.
        let t3 = t2 + REFRESH + Duration::from_secs(1);
        assert_eq!(cache.due(&refs, &uri, t3), refs);
        assert!(!cache.answer("app:1", None));
        assert_eq!(cache.facts(&refs).len(), 1);
        // The image went away.
        let t4 = t3 + REFRESH + Duration::from_secs(1);
        assert_eq!(cache.due(&refs, &uri, t4), refs);
        assert!(cache.answer("app:1", Some(None)));
        assert!(cache.facts(&refs).is_empty());
        // Not on the host: asked again only after REFRESH.
        assert!(
            cache
                .due(&refs, &uri, t4 + Duration::from_secs(5))
                .is_empty()
        );
        assert!(!cache.answer("other", Some(None)));
        assert_eq!(cache.readers("app:1"), std::slice::from_ref(&uri));
        cache.clear();
        assert_eq!(cache.due(&refs, &uri, t4), refs);
    }
}
