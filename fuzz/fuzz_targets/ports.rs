//! Docker's port grammar: any spec parses or fails with Docker's message, and every
//! accepted spec written back binding by binding parses to the same binding.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzzing.rs"]
mod fuzzing;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = std::str::from_utf8(data) {
        fuzzing::port_spec(spec);
    }
});
