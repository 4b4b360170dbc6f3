//! Mutation smoke test: thousands of damaged versions of the examples and of tricky
//! fragments go through every pure entry point the server uses per keystroke (analysis of
//! each file kind, fixes, hovers, navigation, completion, position conversion). Nothing may
//! panic. Deterministic (a fixed-seed xorshift), a few seconds in a debug build. The long
//! coverage-guided runs belong to `cargo fuzz` (`fuzz/`); the properties are in
//! `tests/properties.rs`.

#[path = "support/fuzzing.rs"]
mod fuzzing;
#[path = "support/generate.rs"]
mod generate;

use fuzzing::exercise;
use portside::classify::FileKind;

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
        exercise(*kind, seed, &mut |n| rng.below(n + 1));
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
                exercise(*kind, &text, &mut |n| inner.below(n + 1));
            });
            if result.is_err() {
                panic!("{kind:?} panicked on:\n{text:?}");
            }
        }
    }
}

/// The generator of large Compose files (benchmarks, the LSP tests) gives the same bytes
/// for the same size, and a file on which portside finds nothing.
#[test]
fn generated_files_are_deterministic_and_clean() {
    assert_eq!(generate::compose(50), generate::compose(50));
    let a = portside::analysis::analyze(FileKind::Compose, &generate::compose(300));
    assert!(a.findings.is_empty(), "{:?}", a.findings.first());
}

/// Resource limits: each hostile input is analysed (or refused with a diagnostic) without
/// a panic, and what comes out is what the limit promises. Times and memory are measured
/// by `cargo bench` (the "resource limits" table), not asserted here.
#[test]
fn hostile_inputs_are_analysed_or_refused() {
    use portside::analysis::analyze;
    for h in generate::hostile(100_000) {
        let codes: Vec<&str> = analyze(h.kind, &h.text)
            .findings
            .iter()
            .map(|f| f.code())
            .collect();
        match h.name {
            "50 MB file" => assert_eq!(codes, ["input-too-large"], "{}", h.name),
            "10,000-deep flow nesting" | "10,000-deep JSON" => {
                assert_eq!(codes, ["syntax-error"], "{}", h.name)
            }
            "alias bomb (10^9 nodes if expanded)" => {
                assert!(
                    codes.contains(&"invalid-port-spec"),
                    "{}: {codes:?}",
                    h.name
                )
            }
            // One finding per service: the diagnostics cap is exercised.
            "many services" => assert!(codes.contains(&"unprotected-service-published")),
            "100,000 continuation lines" => {
                assert_eq!(codes, ["app-listens-on-loopback"], "{}", h.name)
            }
            "2,000 broken Dockerfile lines" => {
                assert!(codes.iter().all(|c| *c == "syntax-error") && codes.len() <= 50)
            }
            _ => {}
        }
    }
}
