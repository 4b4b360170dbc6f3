//! Mutation smoke test: thousands of damaged versions of the examples and of tricky
//! fragments go through every pure entry point the server uses per keystroke (analysis of
//! each file kind, fixes, hovers, navigation, completion, position conversion). Nothing may
//! panic. Deterministic (a fixed-seed xorshift), a few seconds in a debug build. The long
//! coverage-guided runs belong to `cargo fuzz` (issue 8).

use portside::analysis::{Context, analyze_with};
use portside::classify::FileKind;
use portside::text::{self, PositionEncoding};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const PIECES: &[&str] = &[
    ":",
    "-",
    " ",
    "\n",
    "\t",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    "&a",
    "*a",
    "<<: *a",
    "!reset",
    "${",
    "${X:-",
    "}",
    "$$",
    "#",
    "\r\n",
    "\u{2028}",
    "é",
    "😀",
    "::",
    "/udp",
    "0.0.0.0",
    "[::1]",
    "65536",
    "-1",
    "8080-8090",
    "ports:",
    "networks:",
    "services:",
    "network_mode: ",
    "service:",
    "host",
    "depends_on:",
    "EXPOSE ",
    "CMD [\"flask\", \"run\"]",
    "\\\n",
    "{\"",
    "\":",
    ",",
    "null",
    "true",
    "1e400",
    "bip",
    "\"172.17.0.1/16\"",
    "\u{0}",
    "\u{feff}",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 => {
                let end = (at + rng.below(16)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 | 2 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                bytes.splice(at..at, piece.iter().copied());
            }
            3 => {
                // Duplicate a slice elsewhere (repeated keys, nested blocks).
                let end = (at + rng.below(64)).min(bytes.len());
                let slice = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, slice);
            }
            _ => {
                if at < bytes.len() {
                    bytes[at] = (rng.next() & 0x7f) as u8;
                }
            }
        }
    }
    // Documents are UTF-8 (LSP); keep what the mutation left valid.
    String::from_utf8_lossy(&bytes).into_owned()
}

fn exercise(kind: FileKind, text: &str, rng: &mut Rng) {
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
    let offsets = [
        0,
        text.len(),
        rng.below(text.len() + 1),
        rng.below(text.len() + 1),
    ];
    let rope = ropey::Rope::from_str(text);
    for &o in &offsets {
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
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
            let vars = Default::default();
            let dotenv = Default::default();
            let external = Default::default();
            let env = portside::hover::Env {
                vars: &vars,
                dotenv: &dotenv,
                external: &external,
            };
            for &o in &offsets {
                if let Some(h) = portside::hover::compose(text, &yaml, env, o, &analysis.findings) {
                    assert!(h.range.end <= text.len());
                }
                let _ = portside::navigate::at(&yaml, text, o);
                let _ = portside::navigate::service_at(&yaml, o);
                let _ = portside::navigate::completing(text, o);
                let _ = portside::navigate::already_named(text, o);
            }
            for occ in portside::navigate::occurrences(&yaml, text) {
                assert!(occ.range.end <= text.len());
            }
            let _ = portside::navigate::symbols(&yaml);
            let _ = portside::live::probe::mappings(
                std::path::Path::new("/x/compose.yaml"),
                text,
                &ctx,
            );
        }
        FileKind::Dockerfile => {
            for &o in &offsets {
                let _ = portside::hover::dockerfile(text, o, &analysis.findings);
            }
        }
        FileKind::DaemonJson => {
            for &o in &offsets {
                let _ = portside::hover::daemon_json(text, o, &analysis.findings);
            }
        }
        FileKind::Config => {}
    }
}

#[test]
fn damaged_documents_never_panic() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seeds: Vec<(FileKind, String)> = Vec::new();
    for dir in ["broken", "clean"] {
        for (name, kind) in [
            ("compose.yaml", FileKind::Compose),
            ("Dockerfile", FileKind::Dockerfile),
            ("daemon.json", FileKind::DaemonJson),
        ] {
            seeds.push((
                kind,
                std::fs::read_to_string(root.join(dir).join(name)).unwrap(),
            ));
        }
    }
    seeds.push((FileKind::Compose, "x: &a {ports: [\"1:2\"]}\nservices:\n  a:\n    <<: *a\n    networks: {n: {aliases: [b]}}\n    extends: a\n    network_mode: service:a\n".into()));
    seeds.push((FileKind::Config, "[rules]\nlinks-legacy = \"off\"\n".into()));
    let iterations: usize = std::env::var("PORTSIDE_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (kind, seed) in &seeds {
        exercise(*kind, seed, &mut rng);
        let mut current = seed.clone();
        for i in 0..iterations {
            // Mostly fresh damage to the seed; sometimes damage on damage.
            if i % 8 == 0 {
                current = seed.clone();
            }
            current = mutate(&mut rng, &current);
            let text = current.clone();
            let result = std::panic::catch_unwind(|| {
                let mut inner = Rng(rng.0 ^ i as u64 | 1);
                exercise(*kind, &text, &mut inner);
            });
            if result.is_err() {
                panic!("{kind:?} panicked on:\n{text:?}");
            }
        }
    }
}

/// A binding written back as a short-syntax spec.
fn to_spec(b: &portside::ports::Binding) -> String {
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

/// Property: every spec Docker's grammar accepts, written back binding by binding, parses
/// to the same bindings; and position conversions round-trip for any text and offset.
#[test]
fn port_specs_and_positions_round_trip() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let ips = [
        "",
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "::",
        "10.1.2.3",
        "fe80::1",
        "[::1]",
        "localhost",
    ];
    let protos = ["", "/tcp", "/udp", "/sctp", "/TCP", "/tpc"];
    let port = |rng: &mut Rng| -> String {
        match rng.below(6) {
            0 => String::new(),
            1 => "0".into(),
            2 => "65535".into(),
            3 => "65536".into(),
            4 => {
                let a = rng.below(65000) + 1;
                format!("{a}-{}", a + rng.below(4))
            }
            _ => (rng.below(65535) + 1).to_string(),
        }
    };
    let mut accepted = 0;
    for _ in 0..20_000 {
        let ip = ips[rng.below(ips.len())];
        let (host, target) = (port(&mut rng), port(&mut rng));
        let proto = protos[rng.below(protos.len())];
        let spec = match rng.below(3) {
            0 => format!("{target}{proto}"),
            1 => format!("{host}:{target}{proto}"),
            _ => format!("{ip}:{host}:{target}{proto}"),
        };
        let Ok(bindings) = portside::ports::parse_port_spec(&spec) else {
            continue;
        };
        accepted += 1;
        for b in &bindings {
            let again = portside::ports::parse_port_spec(&to_spec(b))
                .unwrap_or_else(|e| panic!("{spec} -> {} fails: {e:?}", to_spec(b)));
            assert_eq!(again.len(), 1, "{spec} -> {}", to_spec(b));
            assert_eq!(&again[0], b, "{spec} -> {}", to_spec(b));
        }
    }
    assert!(
        accepted > 1000,
        "the generator rarely produced valid specs: {accepted}"
    );

    let alphabet = ["a", "é", "😀", "\n", "\r\n", "\r", "\u{2028}", " ", "中"];
    for _ in 0..2_000 {
        let text: String = (0..rng.below(40))
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let rope = ropey::Rope::from_str(&text);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            // Between the \r and \n of a CRLF is inside one line break: no position.
            if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                let p = text::offset_to_position(&rope, offset, enc);
                assert_eq!(
                    text::position_to_offset(&rope, p, enc),
                    offset,
                    "{text:?} at {offset} ({enc:?})"
                );
            }
        }
    }
}

/// Property: random ranged edits applied the way the server applies `didChange` give the
/// same text as applying them to a plain string, in both encodings.
#[test]
fn incremental_edits_equal_a_full_replace() {
    use portside::server::documents::apply_change;
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
    let mut rng = Rng(0x5851_f42d_4c95_7f2d);
    let alphabet = ["a", "é", "😀", "\n", "\r\n", "中", " ", "x: 1\n"];
    for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
        for _ in 0..300 {
            let mut expected: String = (0..rng.below(30))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let mut rope = ropey::Rope::from_str(&expected);
            for _ in 0..10 {
                // A range between two char boundaries (not inside a CRLF), in the client's
                // encoding.
                let bounds: Vec<usize> = expected
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([expected.len()])
                    .filter(|&i| {
                        !(i > 0 && expected[..i].ends_with('\r') && expected[i..].starts_with('\n'))
                    })
                    .collect();
                let mut a = bounds[rng.below(bounds.len())];
                let mut b = bounds[rng.below(bounds.len())];
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                let insert: String = (0..rng.below(4))
                    .map(|_| alphabet[rng.below(alphabet.len())])
                    .collect();
                let pos = |o: usize| {
                    let p = text::offset_to_position(&rope, o, enc);
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
                    text: insert.clone(),
                };
                apply_change(&mut rope, change, enc);
                expected.replace_range(a..b, &insert);
                assert_eq!(rope.to_string(), expected, "{enc:?}");
            }
        }
    }
}
