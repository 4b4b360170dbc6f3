//! The Zed extension (editors/zed), run as Zed runs it: tests/zed/ instantiates its
//! WebAssembly component with wasmtime, plays Zed's side of the host calls, and starts the
//! command the extension returns with pytest-lsp. `.ci/run` builds the component for
//! wasm32-wasip2 (PORTSIDE_ZED_WASM) and installs pytest-lsp and wasmtime into a cached venv
//! (PORTSIDE_PYTEST); without them the test says loudly that it skipped (and fails under
//! PORTSIDE_REQUIRE_EDITORS=1).

mod common;

#[test]
fn zed_extension_starts_portside_with_the_users_settings() {
    let required = std::env::var("PORTSIDE_REQUIRE_EDITORS").is_ok_and(|v| v == "1");
    let (Some(pytest), Some(wasm)) = (
        std::env::var_os("PORTSIDE_PYTEST"),
        std::env::var_os("PORTSIDE_ZED_WASM"),
    ) else {
        if required {
            panic!(
                "PORTSIDE_REQUIRE_EDITORS=1 but PORTSIDE_PYTEST or PORTSIDE_ZED_WASM is not set"
            );
        }
        eprintln!(
            "\n!!! SKIPPED the Zed extension test: set PORTSIDE_PYTEST and PORTSIDE_ZED_WASM \
             (.ci/run does; see editors/zed/README.md).\n"
        );
        return;
    };
    common::pytest(
        &pytest,
        "tests/zed",
        &[("PORTSIDE_ZED_WASM", &wasm)],
        "8 passed",
    );
}
