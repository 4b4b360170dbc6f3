//! Property tests (proptest, with shrinking): Docker's port grammar round-trips, LSP
//! positions round-trip in UTF-8, UTF-16 and UTF-32, and incremental edits equal a full
//! replace. The checks themselves are `tests/support/fuzzing.rs`'s, shared with `cargo fuzz`.

#[path = "support/fuzzing.rs"]
mod fuzzing;

use fuzzing::{ENCODINGS, edit, port_spec, positionable, positions_round_trip};
use proptest::prelude::*;

/// A host port or container port as people write them, including the edges Docker rejects.
fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("0".to_string()),
        Just("65535".to_string()),
        Just("65536".to_string()),
        (1u32..65000, 0u32..4).prop_map(|(a, n)| format!("{a}-{}", a + n)),
        (1u32..=65535).prop_map(|p| p.to_string()),
    ]
}

fn spec() -> impl Strategy<Value = String> {
    let ip = prop::sample::select(vec![
        "",
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "::",
        "10.1.2.3",
        "fe80::1",
        "[::1]",
        "localhost",
    ]);
    let proto = prop::sample::select(vec!["", "/tcp", "/udp", "/sctp", "/TCP", "/tpc"]);
    (0u8..3, ip, port(), port(), proto).prop_map(|(shape, ip, host, target, proto)| match shape {
        0 => format!("{target}{proto}"),
        1 => format!("{host}:{target}{proto}"),
        _ => format!("{ip}:{host}:{target}{proto}"),
    })
}

/// Text made of the characters that make positions hard: multi-byte, surrogate pairs,
/// every line break, and U+2028 (not a line break for LSP).
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a", "é", "😀", "\n", "\r\n", "\r", "\u{2028}", " ", "中", "x: 1\n",
        ]),
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every spec Docker accepts, written back binding by binding, parses to the same
    /// bindings.
    #[test]
    fn port_specs_round_trip(spec in spec()) {
        port_spec(&spec);
    }

    /// Any positionable offset of any text round-trips in every encoding.
    #[test]
    fn positions_round_trip_in_every_encoding(text in text(40)) {
        positions_round_trip(&text);
    }

    /// Ranged edits applied as the server applies `didChange` give the same text as the
    /// same edits on a plain string.
    #[test]
    fn incremental_edits_equal_a_full_replace(
        start in text(30),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), text(4)), 1..10),
        enc in prop::sample::select(ENCODINGS.to_vec()),
    ) {
        let mut expected = start;
        let mut rope = ropey::Rope::from_str(&expected);
        for (a, b, insert) in edits {
            let bounds = positionable(&expected);
            edit(&mut rope, &mut expected, *a.get(&bounds), *b.get(&bounds), &insert, enc);
        }
    }
}

/// The generator is not so strict that nothing is ever accepted.
#[test]
fn the_spec_generator_reaches_valid_specs() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = spec();
    let accepted = (0..2000)
        .filter(|_| port_spec(&strategy.new_tree(&mut runner).unwrap().current()))
        .count();
    assert!(
        accepted > 200,
        "only {accepted} of 2000 generated specs were valid"
    );
}
