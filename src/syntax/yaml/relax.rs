//! Where go-yaml v3 (the YAML reader of `docker compose`) accepts what saphyr-parser refuses.
//!
//! saphyr-parser follows YAML 1.2 to the letter; go-yaml v3 is a port of libyaml, which is
//! looser in a few places. A file that Compose runs must not be a syntax error here, so when
//! saphyr-parser fails, the text is *relaxed* — rewritten into a form that go-yaml reads
//! the same way and saphyr-parser accepts — and parsed again. Every edit only touches
//! whitespace that neither reader gives a meaning to, so scalar values
//! are unchanged, and [`Relaxed::to_orig`] maps every offset of the relaxed text back to the
//! original, so spans stay exact.
//!
//! The gaps bridged (each checked against go-yaml v3.0.1, see the tests in `yaml.rs`):
//!
//! - **Indentation inside flow collections and quoted scalars.** libyaml ignores
//!   indentation inside `[...]`, `{...}` and multi-line quoted scalars; saphyr-parser wants
//!   every continuation line indented past the enclosing block. The lines of such a region
//!   that sit too far left are indented (leading tabs there become spaces); inside these
//!   regions leading whitespace is never content.
//! - **A tab after a mapping's `:`** (`key:<TAB>value`): libyaml takes it as separation
//!   space; it becomes a space.
//! - **`\'` in a double-quoted scalar**: an escape of YAML 1.1 that libyaml keeps and
//!   YAML 1.2 dropped; it becomes the `'` it stands for.
//! - **An alias key followed by `:`** (`*name: value`): an alias name stops at `:` in
//!   libyaml, while YAML 1.2 lets `:` be part of it; a space is put after the name.
//!
//! The regions come from a small scanner of YAML's outline (block scalars, comments, quoted
//! scalars and flow collections). It only has to be right where saphyr-parser failed: a
//! region's lines are only touched when the parser's indentation error lies inside it.

use std::ops::Range;

/// An edit of the original text: the `del` bytes at `at` become `ins` copies of `fill`
/// (a space, or the `'` of a `\'` escape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edit {
    pub at: usize,
    pub del: usize,
    pub ins: usize,
    pub fill: u8,
}

impl Edit {
    /// `del` bytes of whitespace at `at` become `ins` spaces.
    pub fn spaces(at: usize, del: usize, ins: usize) -> Edit {
        Edit {
            at,
            del,
            ins,
            fill: b' ',
        }
    }
}

/// A multi-line flow collection or quoted scalar at block level.
#[derive(Debug, Clone)]
pub(super) struct Region {
    /// From the opening bracket or quote to just after the closing one.
    pub span: Range<usize>,
    /// The column (in characters) each continuation line is indented to at least.
    pub target: usize,
}

/// What the outline scanner found.
#[derive(Debug, Default)]
pub(super) struct Outline {
    pub regions: Vec<Region>,
    /// Offsets of the `:` right after an alias name used as a block key (`*a: b`).
    pub alias_colons: Vec<usize>,
    /// Offsets of the `\'` escapes in double-quoted scalars.
    pub escaped_quotes: Vec<usize>,
}

/// The text as relaxed, with what maps it back.
pub(super) struct Relaxed {
    pub text: String,
    /// Each edit with its offset in the relaxed text, in order.
    edits: Vec<(usize, Edit)>,
}

impl Relaxed {
    /// Applies `edits` (sorted by `at`; an edit overlapping an earlier one is dropped).
    pub fn new(orig: &str, edits: &[Edit]) -> Relaxed {
        let mut text = String::with_capacity(orig.len() + edits.len() * 4);
        let mut kept = Vec::with_capacity(edits.len());
        let mut from = 0;
        for e in edits {
            if e.at < from || e.at + e.del > orig.len() {
                continue;
            }
            text.push_str(&orig[from..e.at]);
            kept.push((text.len(), *e));
            text.extend(std::iter::repeat_n(char::from(e.fill), e.ins));
            from = e.at + e.del;
        }
        text.push_str(&orig[from..]);
        Relaxed { text, edits: kept }
    }

    /// The offset in the original text of offset `p` of the relaxed text. Offsets inside
    /// an edit map into what it replaced (its start when it only inserted).
    pub fn to_orig(&self, p: usize) -> usize {
        let i = self.edits.partition_point(|(n, _)| *n <= p);
        let Some((n, e)) = i.checked_sub(1).map(|i| self.edits[i]) else {
            return p;
        };
        if p < n + e.ins {
            e.at + (p - n).min(e.del)
        } else {
            p - (n + e.ins) + e.at + e.del
        }
    }
}

/// The edits that indent the lines of `region` (after its first) to its target column and
/// turn their leading tabs into spaces. Blank lines only lose their tabs; document markers
/// at column 0 (which end a document for go-yaml too) are left alone.
pub(super) fn pad(text: &str, region: &Region, out: &mut Vec<Edit>) {
    let b = text.as_bytes();
    let mut i = region.span.start;
    loop {
        // The start of the next line.
        while i < region.span.end && !matches!(b[i], b'\n' | b'\r') {
            i += 1;
        }
        while i < b.len() && matches!(b[i], b'\n' | b'\r') {
            i += 1;
        }
        if i >= region.span.end {
            return;
        }
        let ws = b[i..]
            .iter()
            .take_while(|c| matches!(c, b' ' | b'\t'))
            .count();
        let rest = &b[i + ws..];
        let has_tab = b[i..i + ws].contains(&b'\t');
        if rest.is_empty() || matches!(rest[0], b'\n' | b'\r') {
            // A blank line is a line break whatever its whitespace; only its tabs matter
            // to saphyr-parser.
            if has_tab {
                out.push(Edit::spaces(i, ws, ws));
            }
            continue;
        }
        if ws == 0 && is_document_marker(b, i) {
            continue;
        }
        if ws < region.target || has_tab {
            out.push(Edit::spaces(i, ws, ws.max(region.target)));
        }
    }
}

fn is_document_marker(b: &[u8], i: usize) -> bool {
    (b[i..].starts_with(b"---") || b[i..].starts_with(b"...")) && blank_or_end(b, i + 3)
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn blank_or_end(b: &[u8], i: usize) -> bool {
    i >= b.len() || is_blank(b[i]) || is_break(b[i])
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// Columns (in characters) of byte offsets, read forward: each byte is counted once
/// while offsets grow, so a long line costs its length, not its length squared.
#[derive(Default)]
struct Columns {
    pos: usize,
    col: usize,
}

impl Columns {
    fn at(&mut self, b: &[u8], i: usize) -> usize {
        if i < self.pos {
            // Backwards (not done by the scanner): start again from the line's start.
            self.pos = b[..i]
                .iter()
                .rposition(|&c| is_break(c))
                .map_or(0, |p| p + 1);
            self.col = 0;
        }
        for &c in &b[self.pos..i] {
            if is_break(c) {
                self.col = 0;
            } else if c & 0xC0 != 0x80 {
                self.col += 1;
            }
        }
        self.pos = i;
        self.col
    }
}

/// What the lines after the current one are, at block level.
#[derive(Clone, Copy)]
enum Skip {
    None,
    /// Content of a block scalar: blank lines and lines indented past `parent`.
    BlockScalar {
        parent: isize,
    },
    /// Continuation of a plain scalar: lines indented past `parent`.
    Plain {
        parent: isize,
    },
}

/// Scans the outline of `text`.
pub(super) fn outline(text: &str) -> Outline {
    let b = text.as_bytes();
    let mut out = Outline::default();
    let mut cols = Columns::default();
    let mut skip = Skip::None;
    let mut i = 0;
    while i < b.len() {
        let ls = i;
        let mut le = ls;
        while le < b.len() && !is_break(b[le]) {
            le += 1;
        }
        let mut next = le;
        if next < b.len() && b[next] == b'\r' {
            next += 1;
        }
        if next < b.len() && b[next] == b'\n' {
            next += 1;
        }
        let mut j = ls;
        // The byte-order mark that may open the text is not indentation.
        if ls == 0 && b.starts_with("\u{feff}".as_bytes()) {
            j += 3;
        }
        let lead = j;
        while j < le && is_blank(b[j]) {
            j += 1;
        }
        let indent = (j - lead) as isize;
        let blank = j == le;
        match skip {
            Skip::BlockScalar { parent } if blank || indent > parent => {
                i = next;
                continue;
            }
            Skip::Plain { .. } if blank => {
                i = next;
                continue;
            }
            Skip::Plain { parent } if b[j] != b'#' && indent > parent => {
                i = next;
                continue;
            }
            _ => skip = Skip::None,
        }
        if blank {
            i = next;
            continue;
        }
        if lead == ls && b[ls] == b'%' {
            i = next;
            continue;
        }
        if lead == ls && is_document_marker(b, ls) {
            if b[ls] == b'.' {
                i = next;
                continue;
            }
            j = ls + 3;
        }
        let (end, s) = scan_block_line(b, j, indent - 1, &mut cols, &mut out);
        skip = s;
        i = end;
    }
    out
}

/// Scans block-level content from `i` (a node may start there) to the end of its line, or
/// past the line where a flow collection or quoted scalar that starts on it ends. Returns
/// where the next line starts and how the following lines continue.
fn scan_block_line(
    b: &[u8],
    mut i: usize,
    mut parent: isize,
    cols: &mut Columns,
    out: &mut Outline,
) -> (usize, Skip) {
    let mut node_start = true;
    // The column of the last node on this line that may be a key.
    let mut node_col = cols.at(b, i) as isize;
    loop {
        while i < b.len() && is_blank(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            return (i, Skip::None);
        }
        let c = b[i];
        if is_break(c) {
            return (line_after(b, i), Skip::None);
        }
        if c == b'#' {
            return (line_after(b, i), Skip::None);
        }
        if !node_start {
            if c == b':' && blank_or_end(b, i + 1) {
                parent = node_col;
                node_start = true;
            }
            i += 1;
            continue;
        }
        match c {
            b'-' | b'?' | b':' if blank_or_end(b, i + 1) => {
                if c != b':' {
                    parent = cols.at(b, i) as isize;
                }
                i += 1;
            }
            b'"' | b'\'' => {
                node_col = cols.at(b, i) as isize;
                let end = quoted_end(b, i, out);
                region(b, i, end, cols, out);
                i = end.min(b.len());
                node_start = false;
            }
            b'[' | b'{' => {
                node_col = cols.at(b, i) as isize;
                let end = flow_end(b, i, out);
                region(b, i, end, cols, out);
                i = end.min(b.len());
                node_start = false;
            }
            b'|' | b'>' => return (line_after(b, i), Skip::BlockScalar { parent }),
            b'&' | b'!' => {
                while i < b.len() && !is_blank(b[i]) && !is_break(b[i]) {
                    i += 1;
                }
            }
            b'*' => {
                node_col = cols.at(b, i) as isize;
                // libyaml's alias names are letters, digits, `_` and `-`.
                let mut k = i + 1;
                while k < b.len() && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'_' | b'-')) {
                    k += 1;
                }
                if k > i + 1 && k < b.len() && b[k] == b':' && blank_or_end(b, k + 1) {
                    out.alias_colons.push(k);
                    i = k;
                } else {
                    while i < b.len() && !is_blank(b[i]) && !is_break(b[i]) {
                        i += 1;
                    }
                }
                node_start = false;
            }
            _ => {
                // A plain scalar: to a `: ` (it was a key), a ` #` or the end of the line.
                node_col = cols.at(b, i) as isize;
                loop {
                    i += 1;
                    if i >= b.len() || is_break(b[i]) {
                        return (line_after(b, i), Skip::Plain { parent });
                    }
                    if b[i] == b':' && blank_or_end(b, i + 1) {
                        parent = node_col;
                        i += 1;
                        break;
                    }
                    if b[i] == b'#' && is_blank(b[i - 1]) {
                        return (line_after(b, i), Skip::None);
                    }
                }
            }
        }
    }
}

/// Where the line after the one holding `i` starts.
fn line_after(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && !is_break(b[i]) {
        i += 1;
    }
    if i < b.len() && b[i] == b'\r' {
        i += 1;
    }
    if i < b.len() && b[i] == b'\n' {
        i += 1;
    }
    i
}

/// Records `start..end` as a region when it spans lines and is closed (one that runs to
/// the end of the text is being typed, or broken: its lines are left as they are).
fn region(b: &[u8], start: usize, end: usize, cols: &mut Columns, out: &mut Outline) {
    if end > b.len() {
        return;
    }
    if b[start..end].iter().any(|&c| is_break(c)) {
        out.regions.push(Region {
            span: start..end,
            target: cols.at(b, start) + 1,
        });
    }
}

/// Just after the quoted scalar that opens at `i`, or past the end of the text (by one)
/// when it is not closed.
fn quoted_end(b: &[u8], i: usize, out: &mut Outline) -> usize {
    let q = b[i];
    let mut k = i + 1;
    while k < b.len() {
        match b[k] {
            b'\\' if q == b'"' => {
                if b.get(k + 1) == Some(&b'\'') {
                    out.escaped_quotes.push(k);
                }
                k += 2
            }
            b'\'' if q == b'\'' && b.get(k + 1) == Some(&b'\'') => k += 2,
            c if c == q => return k + 1,
            _ => k += 1,
        }
    }
    b.len() + 1
}

/// Just after the flow collection that opens at `i`, or past the end of the text (by one)
/// when it is not closed.
fn flow_end(b: &[u8], mut i: usize, out: &mut Outline) -> usize {
    let mut depth = 0usize;
    let mut plain = false;
    while i < b.len() {
        let c = b[i];
        if plain {
            let ends = is_flow_indicator(c)
                || (c == b':' && (blank_or_end(b, i + 1) || is_flow_indicator(b[i + 1])))
                || (c == b'#' && is_blank_or_break(b[i - 1]));
            if !ends {
                i += 1;
                continue;
            }
            plain = false;
        }
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' if i == 0 || is_blank_or_break(b[i - 1]) => {
                while i < b.len() && !is_break(b[i]) {
                    i += 1;
                }
            }
            b'"' | b'\'' => i = quoted_end(b, i, out),
            b'[' | b'{' => {
                depth += 1;
                i += 1;
            }
            b']' | b'}' => {
                i += 1;
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            b':' | b'?' | b'-'
                if blank_or_end(b, i + 1)
                    || b.get(i + 1).is_some_and(|&n| is_flow_indicator(n)) =>
            {
                i += 1
            }
            b'&' | b'!' | b'*' => {
                while i < b.len() && !is_blank_or_break(b[i]) && !is_flow_indicator(b[i]) {
                    i += 1;
                }
            }
            _ => {
                plain = true;
                i += 1;
            }
        }
    }
    b.len() + 1
}

fn is_blank_or_break(c: u8) -> bool {
    is_blank(c) || is_break(c)
}
