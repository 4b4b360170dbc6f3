//! The platform the live daemon reports (`docker info`: Docker Desktop or Docker Engine), as
//! a host fact for analyses ([`crate::config::PlatformSource::Daemon`]): weaker than a
//! `platform` setting (the editor's or `portside.toml`'s), stronger than the guess from the
//! operating system the workspace layer makes when neither says.
//!
//! As with images (`server/images.rs`), analyses never wait for the daemon: they use what
//! is known, and the daemon is asked in the background at most every [`REFRESH`]. When it
//! answers Docker Desktop where that was not known, the open documents are analysed again
//! (Desktop silences or rewords findings); a Docker Engine answer only rewords them, and is
//! used from the next analysis on. Nothing here runs while `live.enabled` is false.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Backend;
use crate::config::{Platform, PlatformFact, PlatformSource, RuleSettings};

/// The daemon is asked again at most this often.
pub const REFRESH: Duration = Duration::from_secs(60);

/// What the daemon said, and when it was asked.
#[derive(Debug, Default)]
pub struct DaemonPlatform {
    asked: Option<Instant>,
    pending: bool,
    platform: Option<Platform>,
}

impl DaemonPlatform {
    /// Forgets the answer (another endpoint).
    pub fn clear(&mut self) {
        *self = DaemonPlatform::default();
    }

    /// Whether to ask now; marks the question in flight.
    fn due(&mut self, now: Instant) -> bool {
        if self.pending || self.asked.is_some_and(|t| now.duration_since(t) < REFRESH) {
            return false;
        }
        self.pending = true;
        self.asked = Some(now);
        true
    }

    /// Stores an answer (`None`: the daemon did not answer; what was known stays); returns
    /// whether the open documents must be analysed again.
    fn answer(&mut self, answer: Option<Option<Platform>>) -> bool {
        self.pending = false;
        let Some(platform) = answer else {
            return false;
        };
        let before = std::mem::replace(&mut self.platform, platform);
        before != platform && platform == Some(Platform::DockerDesktop)
    }
}

/// `editor` with the daemon's platform, when live checks are on and no setting gives one.
pub fn with_daemon_platform(backend: &Backend, editor: &mut RuleSettings) {
    if editor.live_disabled || editor.host.platform.is_some() {
        return;
    }
    editor.host.platform = backend
        .daemon_platform()
        .platform
        .map(|platform| PlatformFact {
            platform,
            source: PlatformSource::Daemon,
        });
}

/// Asks the daemon for its platform in the background when due (live checks on).
pub fn ask(backend: &Arc<Backend>) {
    let settings = backend.settings();
    if settings.live_disabled || !backend.daemon_platform().due(Instant::now()) {
        return;
    }
    let backend = Arc::clone(backend);
    tokio::spawn(async move {
        let answer = crate::live::with_endpoint(
            settings.live_endpoint.clone(),
            crate::live::daemon_platform(),
        )
        .await;
        if let Err(e) = &answer {
            tracing::debug!("daemon platform not read: {e}");
        }
        let again = backend.daemon_platform().answer(answer.ok());
        let now = backend.settings();
        if again && !now.live_disabled && now.live_endpoint == settings.live_endpoint {
            super::scheduler::schedule_all(&backend);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asked_once_per_refresh_and_desktop_reanalyses() {
        let mut p = DaemonPlatform::default();
        let t0 = Instant::now();
        assert!(p.due(t0));
        assert!(!p.due(t0), "in flight");
        // No daemon: nothing known, nothing to redo.
        assert!(!p.answer(None));
        assert!(!p.due(t0 + Duration::from_secs(1)));
        assert!(p.due(t0 + REFRESH));
        // Docker Engine: used from the next analysis on.
        assert!(!p.answer(Some(Some(Platform::Engine))));
        assert_eq!(p.platform, Some(Platform::Engine));
        assert!(p.due(t0 + REFRESH * 2));
        // Docker Desktop: the documents are analysed again, once.
        assert!(p.answer(Some(Some(Platform::DockerDesktop))));
        assert!(p.due(t0 + REFRESH * 3));
        assert!(!p.answer(Some(Some(Platform::DockerDesktop))));
        // A daemon that fails keeps what was known.
        assert!(p.due(t0 + REFRESH * 4));
        assert!(!p.answer(None));
        assert_eq!(p.platform, Some(Platform::DockerDesktop));
        p.clear();
        assert_eq!(p.platform, None);
    }
}
