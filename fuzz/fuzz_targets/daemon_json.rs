//! Everything the server does per keystroke on a DaemonJson document: analysis, fixes,
//! hovers, navigation, positions (`tests/support/fuzzing.rs`).
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzzing.rs"]
mod fuzzing;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Offsets come from the input's own bytes, so a crash replays exactly.
    let mut seed = data.len() as u64 | 1;
    fuzzing::exercise(portside::classify::FileKind::DaemonJson, text, &mut |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % (n as u64 + 1)) as usize
    });
});
