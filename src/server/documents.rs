//! Open documents: ropey buffers with full and incremental sync.
//!
//! Edits are applied synchronously when a notification arrives, before any `.await`, so
//! they land in the order the client sent them (see the ordering pitfall in
//! shared/reference/dependencies.md).

use std::collections::HashMap;
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::classify::FileKind;
use crate::finding::Finding;
use crate::syntax::yaml::Yaml;
use crate::text::{self, PositionEncoding};

/// The findings of one analysed version, with the text they refer to.
#[derive(Debug, Clone)]
pub struct Analysed {
    pub version: i32,
    pub rope: Rope,
    pub findings: Arc<Vec<Finding>>,
    /// The diagnostics as sent (findings and live verdicts), for pull requests.
    pub diagnostics: Arc<Vec<tower_lsp_server::ls_types::Diagnostic>>,
    /// A number that changes with every analysis, the pull report's `resultId`.
    pub id: u64,
}

/// A tree that parsed, with the text its spans refer to.
#[derive(Debug, Clone)]
pub struct LastGood {
    pub version: i32,
    pub yaml: Arc<Yaml>,
    pub rope: Rope,
    /// The same text as one string (the tree's spans index it).
    pub text: Arc<String>,
    /// The variables and other files' names the analysis used.
    pub ctx: Arc<crate::analysis::Context>,
}

#[derive(Debug)]
pub struct Document {
    pub kind: FileKind,
    pub version: i32,
    pub rope: Rope,
    /// The newest analysis whose diagnostics were published.
    pub analysed: Option<Analysed>,
    /// The last Compose tree that parsed, kept while the document is broken.
    pub last_good: Option<LastGood>,
    /// Other files its last analysis read (override, include, extends).
    pub deps: Vec<std::path::PathBuf>,
    /// Results of the last live checks, kept while their mapping's text is unchanged.
    pub live: Vec<LiveResult>,
    /// Verdicts of the last live checks on external networks and service references.
    pub live_links: Vec<LinkResult>,
    /// The diagnostics generation: the number of the newest analysis scheduled for this
    /// document (unique across documents). Only an analysis of the current generation
    /// stores or publishes its results; every input change (an edit, a related file,
    /// settings, live verdicts) schedules a new one. See [`crate::server::scheduler`].
    pub generation: u64,
    /// The cancellation flag of the current generation's analysis; set when a newer one is
    /// scheduled, checked by the analysis between its phases.
    pub cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The newest generation whose analysis has ended (published, or failed): when it is
    /// older than `generation`, work for the document is still scheduled or running.
    pub settled: u64,
    /// The newest generation whose analysis was stored (or failed): when it is older than
    /// `generation`, an analysis is in flight and the next one is debounced. (Not
    /// `settled`: the client may answer a publication before the server marks it settled.)
    pub stored: u64,
    /// False while a YAML file with another name waits for the includer scan that decides
    /// whether it is a Compose file: it takes edits but is not served or analysed.
    pub confirmed: bool,
    /// Each change since the last good tree's version: the version it made and the first
    /// byte it changed. Bytes before the smallest are the same in both texts.
    pub edits: Vec<(i32, usize)>,
    /// The diagnostics its last analysis puts in the files it reads (a mounted config's
    /// lines), by their URI: published on those files, merged with other documents'.
    pub in_read_files: Vec<(Uri, Vec<tower_lsp_server::ls_types::Diagnostic>)>,
}

impl Document {
    /// How many leading bytes of the current text are those of the text at `version`
    /// (`usize::MAX` when nothing changed since): positions before that are the same in
    /// both, so a tree of that version answers for them and for nothing after.
    pub fn unchanged_since(&self, version: i32) -> usize {
        self.edits
            .iter()
            .filter(|(v, _)| *v > version)
            .map(|(_, at)| *at)
            .min()
            .unwrap_or(usize::MAX)
    }
}

/// A live check's verdict on an external network or a service reference.
#[derive(Debug, Clone)]
pub struct LinkResult {
    pub verdict: crate::live::probe::LinkVerdict,
    pub at: std::time::Instant,
    /// Not published as a diagnostic: the check ran while the project was not up (said
    /// once, in a notification).
    pub quiet: bool,
}

/// A live check's verdict on one port mapping.
#[derive(Debug, Clone)]
pub struct LiveResult {
    pub verdict: crate::live::probe::Verdict,
    /// When it was measured.
    pub at: std::time::Instant,
    /// Not published as a diagnostic: no container of the project was up (said once, in a
    /// notification); the CodeLens and the hover still show it.
    pub quiet: bool,
}

#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: Uri, kind: FileKind, version: i32, text: &str) {
        self.docs.insert(
            uri,
            Document {
                kind,
                version,
                rope: Rope::from_str(text),
                analysed: None,
                last_good: None,
                deps: Vec::new(),
                live: Vec::new(),
                live_links: Vec::new(),
                generation: 0,
                cancel: Default::default(),
                settled: 0,
                stored: 0,
                confirmed: true,
                edits: Vec::new(),
                in_read_files: Vec::new(),
            },
        );
    }

    /// Stores a document whose kind is not known yet (a YAML file that a Compose file may
    /// include): it takes edits, and [`Documents::confirm`] makes it a Compose document.
    pub fn open_pending(&mut self, uri: Uri, version: i32, text: &str) {
        self.open(uri.clone(), FileKind::Compose, version, text);
        if let Some(doc) = self.docs.get_mut(&uri) {
            doc.confirmed = false;
        }
    }

    /// Makes a pending document a served Compose document; false when it is not pending.
    pub fn confirm(&mut self, uri: &Uri) -> bool {
        match self.docs.get_mut(uri) {
            Some(doc) if !doc.confirmed => {
                doc.confirmed = true;
                true
            }
            _ => false,
        }
    }

    /// Forgets a pending document (the scan found no Compose file that names it).
    pub fn drop_pending(&mut self, uri: &Uri) {
        if self.docs.get(uri).is_some_and(|d| !d.confirmed) {
            self.docs.remove(uri);
        }
    }

    /// Applies the changes in order. Returns false for a document that is not open.
    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: PositionEncoding,
    ) -> bool {
        let Some(doc) = self.docs.get_mut(uri) else {
            return false;
        };
        let mut first = usize::MAX;
        let mut whole = false;
        for change in changes {
            whole |= change.range.is_none();
            first = first.min(apply_change(&mut doc.rope, change, enc));
        }
        doc.version = version;
        match &doc.last_good {
            // The whole text again (clients without incremental sync): compare it with the
            // last good tree's text itself, so an edit undone counts as undone.
            Some(last) if whole => {
                let base = last.version;
                let same = common_prefix(&doc.rope, &last.text);
                doc.edits.retain(|(v, _)| *v <= base);
                doc.edits.push((version, same));
            }
            _ => doc.edits.push((version, first)),
        }
        true
    }

    /// Forgets a document; its analysis in flight is cancelled. Returns it when it was
    /// served (a pending one was never published).
    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        let doc = self.docs.remove(uri)?;
        doc.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        doc.confirmed.then_some(doc)
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.docs.get(uri).filter(|d| d.confirmed)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.docs.get_mut(uri).filter(|d| d.confirmed)
    }

    /// The served documents (not those pending classification).
    pub fn iter(&self) -> impl Iterator<Item = (&Uri, &Document)> {
        self.docs.iter().filter(|(_, d)| d.confirmed)
    }
}

/// The length in bytes of the longest common prefix of `rope` and `text`.
fn common_prefix(rope: &Rope, text: &str) -> usize {
    let mut same = 0;
    let mut rest = text.as_bytes();
    for chunk in rope.chunks() {
        let n = chunk.bytes().zip(rest).take_while(|(a, b)| a == *b).count();
        same += n;
        if n < chunk.len() {
            break;
        }
        rest = &rest[n..];
    }
    same
}

/// One content change: a full replace when it has no range, else a ranged replace. Ranges
/// outside the document are clamped, and a reversed range is treated as its mirror.
/// Returns the first byte it changed.
pub fn apply_change(
    rope: &mut Rope,
    change: TextDocumentContentChangeEvent,
    enc: PositionEncoding,
) -> usize {
    let Some(range) = change.range else {
        // Clients that send the whole text: the first byte that differs.
        let same = common_prefix(rope, &change.text);
        *rope = Rope::from_str(&change.text);
        return same;
    };
    let pos = |p: tower_lsp_server::ls_types::Position| text::Position {
        line: p.line,
        character: p.character,
    };
    let a = text::position_to_offset(rope, pos(range.start), enc);
    let b = text::position_to_offset(rope, pos(range.end), enc);
    let (start, end) = (rope.byte_to_char(a.min(b)), rope.byte_to_char(a.max(b)));
    rope.remove(start..end);
    rope.insert(start, &change.text);
    a.min(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    #[test]
    fn common_prefix_counts_bytes_across_chunks() {
        let long = "services:\n".repeat(500);
        let rope = Rope::from_str(&long);
        assert_eq!(common_prefix(&rope, &long), long.len());
        let mut changed = long.clone();
        changed.replace_range(3000..3001, "X");
        assert_eq!(common_prefix(&rope, &changed), 3000);
        assert_eq!(common_prefix(&rope, ""), 0);
        assert_eq!(common_prefix(&Rope::from_str("é"), "è"), 1);
    }

    fn edit(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_both_encodings() {
        let mut rope = Rope::from_str("a: \"😀\" x\nb: 1\n");
        // `x` is at UTF-16 column 8 and UTF-8 column 10 (the emoji is 2 and 4 units).
        apply_change(&mut rope, edit(0, 8, 0, 9, "y"), PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "a: \"😀\" y\nb: 1\n");
        apply_change(&mut rope, edit(0, 10, 0, 11, "z"), PositionEncoding::Utf8);
        assert_eq!(rope.to_string(), "a: \"😀\" z\nb: 1\n");
        apply_change(&mut rope, edit(1, 0, 2, 0, ""), PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "a: \"😀\" z\n");
    }

    #[test]
    fn out_of_bounds_and_reversed_ranges_are_clamped() {
        let mut rope = Rope::from_str("ab\ncd");
        apply_change(&mut rope, edit(9, 0, 9, 5, "!"), PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "ab\ncd!");
        apply_change(&mut rope, edit(0, 2, 0, 0, "X"), PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "X\ncd!");
        apply_change(&mut rope, edit(0, 99, 1, 1, ""), PositionEncoding::Utf16);
        assert_eq!(rope.to_string(), "Xd!");
    }

    #[test]
    fn a_pending_document_takes_edits_but_is_not_served_until_confirmed() {
        let uri: Uri = "file:///p/extra.yaml".parse().unwrap();
        let mut docs = Documents::default();
        docs.open_pending(uri.clone(), 1, "a: 1\n");
        assert!(docs.get(&uri).is_none() && docs.iter().next().is_none());
        assert!(docs.change(
            &uri,
            2,
            vec![edit(0, 3, 0, 4, "2")],
            PositionEncoding::Utf16
        ));
        assert!(docs.confirm(&uri));
        assert!(!docs.confirm(&uri), "confirmed once");
        let doc = docs.get(&uri).unwrap();
        assert_eq!(
            (doc.version, doc.rope.to_string()),
            (2, "a: 2\n".to_string())
        );
        // A served document is not dropped as pending; closing cancels its analysis.
        docs.drop_pending(&uri);
        let cancel = std::sync::Arc::clone(&docs.get(&uri).unwrap().cancel);
        assert!(docs.close(&uri).is_some());
        assert!(cancel.load(std::sync::atomic::Ordering::Relaxed));
        // A pending one is dropped, and closing it reports nothing to clear.
        docs.open_pending(uri.clone(), 1, "");
        docs.drop_pending(&uri);
        assert!(!docs.confirm(&uri));
        docs.open_pending(uri.clone(), 1, "");
        assert!(docs.close(&uri).is_none());
    }

    #[test]
    fn full_replace() {
        let mut rope = Rope::from_str("old");
        apply_change(
            &mut rope,
            TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: "new".into(),
            },
            PositionEncoding::Utf8,
        );
        assert_eq!(rope.to_string(), "new");
    }
}
