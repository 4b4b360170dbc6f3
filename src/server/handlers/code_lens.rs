//! `textDocument/codeLens`: "Check reachability" above each Compose service that publishes
//! ports and above its `ports:` key. After a live check of the service in this session, the
//! title sums up its last verdicts (`✓ 2 answer · ✗ 1 refused · 12 s ago`); a click runs
//! `portside.probe` for that service again.

use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::super::convert;
use crate::classify::FileKind;
use crate::server::Backend;
use crate::server::documents::{LastGood, LiveResult};

/// What a CodeLens request reads of the session, copied under the document lock.
pub struct Snapshot {
    uri: Uri,
    last: LastGood,
    /// Bytes of the current text that are still the last good tree's.
    valid: usize,
    live: Vec<LiveResult>,
    enc: crate::text::PositionEncoding,
}

pub fn snapshot(backend: &Backend, uri: &Uri) -> Option<Snapshot> {
    if backend.settings().live_disabled {
        return None;
    }
    let enc = backend.encoding();
    let docs = backend.docs();
    let doc = docs.get(uri)?;
    if doc.kind != FileKind::Compose {
        return None;
    }
    let last = doc.last_good.clone()?;
    Some(Snapshot {
        uri: uri.clone(),
        valid: doc.unchanged_since(last.version),
        last,
        live: doc.live.clone(),
        enc,
    })
}

pub fn code_lens(snap: Snapshot) -> Option<Vec<CodeLens>> {
    let Snapshot {
        uri,
        last,
        valid,
        live,
        enc,
    } = snap;
    let project = crate::model::compose::Project::build_with(
        &last.text,
        &last.yaml,
        &last.ctx.vars,
        &last.ctx.external,
    );
    let mut lenses = Vec::new();
    for s in &project.services {
        if !s.ports.iter().any(|p| p.bindings().is_some()) {
            continue;
        }
        let key = project.yaml.span(s.key);
        let own = key.start..project.yaml.span(s.node).end.max(key.end);
        let title = title(s.name, &live);
        let command = Command {
            title: title.clone(),
            command: super::execute_command::PROBE.to_string(),
            arguments: Some(vec![
                serde_json::json!({"uri": uri.as_str(), "service": s.name}),
            ]),
        };
        let mut at = vec![key];
        // `ports:` as written in this service (not one a merge key brings from elsewhere).
        if let Some(ports) = project.key(s, "ports").map(|k| project.yaml.span(k))
            && own.start <= ports.start
            && ports.end <= own.end
        {
            at.push(ports);
        }
        for r in at.into_iter().filter(|r| r.end <= valid) {
            lenses.push(CodeLens {
                range: convert::range(&last.rope, r, enc),
                command: Some(command.clone()),
                data: None,
            });
        }
    }
    Some(lenses)
}

/// `Check reachability`, or the service's last verdicts: `✓ 2 answer · ✗ 1 refused ·
/// 12 s ago` (the live layer's words, [`crate::live::step::Step::short`]).
fn title(service: &str, live: &[LiveResult]) -> String {
    let ours: Vec<&LiveResult> = live
        .iter()
        .filter(|r| r.verdict.mapping.service == service)
        .collect();
    let Some(newest) = ours.iter().map(|r| r.at).max() else {
        return "Check reachability".to_string();
    };
    // Counts per word: answers first, then what failed, then what was not up while the
    // project was not running (nothing failed there: no cross).
    let mut counts: Vec<(u8, &str, usize)> = Vec::new();
    for r in &ours {
        let (rank, word) = if r.quiet {
            (2, "not running")
        } else if r.verdict.outcome == crate::live::probe::Outcome::Ok {
            (0, r.verdict.why.short())
        } else {
            (1, r.verdict.why.short())
        };
        match counts.iter_mut().find(|(k, w, _)| *k == rank && *w == word) {
            Some(c) => c.2 += 1,
            None => counts.push((rank, word, 1)),
        }
    }
    counts.sort_by_key(|(rank, _, _)| *rank);
    let mut parts: Vec<String> = counts
        .iter()
        .map(|(rank, word, n)| format!("{} {n} {word}", ["✓", "✗", "○"][*rank as usize]))
        .collect();
    parts.push(ago(newest.elapsed()));
    parts.join(" · ")
}

/// `12 s ago`, `3 min ago`, `2 h ago`.
fn ago(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s ago")
    } else if s < 3600 {
        format!("{} min ago", s / 60)
    } else {
        format!("{} h ago", s / 3600)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ages_read_short() {
        use std::time::Duration;
        assert_eq!(super::ago(Duration::from_secs(12)), "12 s ago");
        assert_eq!(super::ago(Duration::from_secs(190)), "3 min ago");
        assert_eq!(super::ago(Duration::from_secs(7300)), "2 h ago");
    }
}
