//! The checks that both the deterministic robustness tests (`tests/robustness.rs`) and the
//! coverage-guided `cargo fuzz` targets (`fuzz/`) run on an input: one harness, two
//! drivers. Every function panics when an invariant breaks, which is what both drivers
//! catch; none does I/O.
//!
//! Test support, not part of the library: included with `#[path = ...] mod fuzzing;` by
//! `tests/robustness.rs`, `tests/properties.rs` and the targets in `fuzz/`, so it reaches
//! the library through its public API (`portside::`) only.
#![allow(dead_code)]

use portside::analysis::{Context, analyze_with};
use portside::classify::FileKind;
use portside::text::{self, PositionEncoding};

/// Every encoding a client may negotiate.
pub const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

/// Runs `text` through every pure entry point the server uses per keystroke for a file of
/// `kind`: analysis, fixes and re-analysis, position conversion both ways (also for
/// positions past the end), hovers, navigation and completion, probe mappings. `pick(n)`
/// chooses offsets below `n + 1`. Finding ranges must be ordered char boundaries inside
/// the text.
pub fn exercise(kind: FileKind, text: &str, pick: &mut dyn FnMut(usize) -> usize) {
    let ctx = Context::default();
    let analysis = analyze_with(kind, text, &ctx);
    for f in &analysis.findings {
        assert!(
            f.range.start <= f.range.end && f.range.end <= text.len(),
            "{f:?} in {text:?}"
        );
        assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
    }
    let (fixed, _) = portside::finding::apply_fixes(text, &analysis.findings);
    let _ = analyze_with(kind, &fixed, &ctx);
    let offsets = [0, text.len(), pick(text.len()), pick(text.len())];
    let rope = ropey::Rope::from_str(text);
    for &o in &offsets {
        for enc in ENCODINGS {
            let p = text::offset_to_position(&rope, o, enc);
            let _ = text::position_to_offset(&rope, p, enc);
            let far = text::Position {
                line: p.line + 3,
                character: p.character + 1000,
            };
            assert!(text::position_to_offset(&rope, far, enc) <= text.len());
        }
    }
    match kind {
        FileKind::Compose => {
            let yaml = portside::syntax::yaml::Yaml::parse(text);
            // The incremental parse of an edit equals a full parse of the edited text.
            let cut = pick(text.len());
            if text.is_char_boundary(cut) {
                let insert = ["x", " ", "\n", "\n  ", ":", "- ", "\""][pick(6)];
                let edited = format!("{}{insert}{}", &text[..cut], &text[cut..]);
                let spliced = portside::syntax::yaml::Yaml::parse_edited(&yaml, text, &edited);
                let full = portside::syntax::yaml::Yaml::parse(&edited);
                if let Err(e) = portside::syntax::yaml::same_tree(&spliced, &full) {
                    panic!("the incremental parse differs from a full parse: {e}\n{edited}");
                }
            }
            let vars = Default::default();
            let dotenv = Default::default();
            let external = Default::default();
            let env = portside::ide::hover::Env {
                vars: &vars,
                dotenv: &dotenv,
                external: &external,
            };
            let all = portside::ide::nav::occurrences(&yaml, text);
            for &o in &offsets {
                if let Some(h) =
                    portside::ide::hover::compose(text, &yaml, env, o, &analysis.findings)
                {
                    assert!(h.range.end <= text.len());
                }
                // The narrowed scans find what the whole scan finds.
                let at = portside::ide::nav::at(&yaml, text, o);
                let expected = all.iter().find(|x| x.range.start <= o && o <= x.range.end);
                assert_eq!(at.as_ref(), expected, "at {o}");
                if let Some(at) = at {
                    let named = portside::ide::nav::named(&yaml, text, at.kind, &at.name);
                    let expected: Vec<_> = all
                        .iter()
                        .filter(|x| x.kind == at.kind && x.name == at.name)
                        .cloned()
                        .collect();
                    assert_eq!(named, expected, "named {}", at.name);
                }
                let _ = portside::ide::nav::service_at(&yaml, o);
                let _ = portside::ide::completion::completing(text, o);
                let _ = portside::ide::completion::already_named(text, o);
            }
            for occ in &all {
                assert!(occ.range.end <= text.len());
            }
            let _ = portside::ide::nav::symbols(&yaml);
            let _ =
                portside::live::plan::mappings(std::path::Path::new("/x/compose.yaml"), text, &ctx);
        }
        FileKind::Dockerfile => {
            for &o in &offsets {
                let _ = portside::ide::hover::dockerfile(text, o, &analysis.findings);
            }
        }
        FileKind::DaemonJson => {
            for &o in &offsets {
                let _ = portside::ide::hover::daemon_json(text, o, &analysis.findings);
            }
        }
        FileKind::Config | FileKind::Env | FileKind::Read => {}
    }
}

/// A binding written back as a short-syntax spec.
pub fn to_spec(b: &portside::model::ports::Binding) -> String {
    let ip = if b.host_ip.contains(':') {
        format!("[{}]", b.host_ip)
    } else {
        b.host_ip.to_string()
    };
    match (ip.is_empty(), b.published.is_empty()) {
        (true, true) => format!("{}/{}", b.target, b.protocol),
        (true, false) => format!("{}:{}/{}", b.published, b.target, b.protocol),
        (false, _) => format!("{ip}:{}:{}/{}", b.published, b.target, b.protocol),
    }
}

/// Parses `spec` with Docker's grammar (and as an `expose` entry); when it is accepted,
/// every binding written back parses to the same binding. Returns whether it was accepted.
pub fn port_spec(spec: &str) -> bool {
    let _ = portside::model::ports::parse_expose(spec);
    let _ = portside::model::ports::spec_parts(spec);
    let Ok(bindings) = portside::model::ports::parse_port_spec(spec) else {
        return false;
    };
    for b in &bindings {
        let again = portside::model::ports::parse_port_spec(&to_spec(b))
            .unwrap_or_else(|e| panic!("{spec} -> {} fails: {e:?}", to_spec(b)));
        assert_eq!(again.len(), 1, "{spec} -> {}", to_spec(b));
        assert_eq!(&again[0], b, "{spec} -> {}", to_spec(b));
    }
    true
}

/// The offsets of `text` that an LSP position can name: char boundaries, except between
/// the `\r` and `\n` of a CRLF (inside one line break).
pub fn positionable(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .filter(|&i| !(i > 0 && text[..i].ends_with('\r') && text[i..].starts_with('\n')))
        .collect()
}

/// Every positionable offset of `text` round-trips through a position in every encoding.
pub fn positions_round_trip(text: &str) {
    let rope = ropey::Rope::from_str(text);
    for offset in positionable(text) {
        for enc in ENCODINGS {
            let p = text::offset_to_position(&rope, offset, enc);
            assert_eq!(
                text::position_to_offset(&rope, p, enc),
                offset,
                "{text:?} at {offset} ({enc:?})"
            );
        }
    }
}

/// One ranged edit: the byte range `a..b` of `expected` (positionable offsets) replaced by
/// `insert`, sent the way a client in `enc` sends it and applied the way the server applies
/// `didChange`; the document must equal the same edit on a plain string.
pub fn edit(
    rope: &mut ropey::Rope,
    expected: &mut String,
    a: usize,
    b: usize,
    insert: &str,
    enc: PositionEncoding,
) {
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
    let (a, b) = (a.min(b), a.max(b));
    let pos = |o: usize| {
        let p = text::offset_to_position(rope, o, enc);
        Position {
            line: p.line,
            character: p.character,
        }
    };
    let change = TextDocumentContentChangeEvent {
        range: Some(Range {
            start: pos(a),
            end: pos(b),
        }),
        range_length: None,
        text: insert.to_string(),
    };
    portside::server::documents::apply_change(rope, change, enc);
    expected.replace_range(a..b, insert);
    assert_eq!(rope.to_string(), *expected, "{enc:?}");
}

/// Interprets `data` as a document and a series of edits (for the fuzzer): the first byte
/// picks the encoding, the text up to the first NUL is the document, and each following
/// chunk of three bytes picks a range and an insertion from a small alphabet. Positions
/// must round-trip and edits must match a plain string.
pub fn edits_from_bytes(data: &[u8]) {
    const ALPHABET: [&str; 8] = ["a", "é", "😀", "\n", "\r\n", "中", "\r", "x: 1\n"];
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let enc = ENCODINGS[usize::from(first) % ENCODINGS.len()];
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let mut expected = String::from_utf8_lossy(&rest[..split]).into_owned();
    positions_round_trip(&expected);
    let mut rope = ropey::Rope::from_str(&expected);
    for chunk in rest.get(split + 1..).unwrap_or_default().chunks(3).take(64) {
        let [x, y, z] = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let bounds = positionable(&expected);
        let a = bounds[usize::from(x) % bounds.len()];
        let b = bounds[usize::from(y) % bounds.len()];
        let insert: String = (0..z % 4)
            .map(|i| ALPHABET[usize::from(z.wrapping_add(i)) % ALPHABET.len()])
            .collect();
        edit(&mut rope, &mut expected, a, b, &insert, enc);
    }
}
