//! Position conversions in UTF-8, UTF-16 and UTF-32, and ranged edits applied as the server
//! applies `didChange`, against a plain string.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzzing.rs"]
mod fuzzing;

fuzz_target!(|data: &[u8]| {
    fuzzing::edits_from_bytes(data);
});
