//! The Zed extension (editors/zed), run as Zed runs it: tests/zed/ instantiates its
//! WebAssembly component with wasmtime, plays Zed's side of the host calls, and starts the
//! command the extension returns with pytest-lsp. `.ci/run` builds the component for
//! wasm32-wasip2 (PORTSIDE_ZED_WASM) and installs pytest-lsp and wasmtime into a cached venv
//! (PORTSIDE_PYTEST). It is ignored by default; `cargo test -- --include-ignored` runs it,
//! and then missing variables are a failure.

mod common;

#[test]
#[ignore = "needs the Zed extension built for wasm32-wasip2, pytest-lsp and wasmtime: bash .ci/run builds them; cargo test -- --include-ignored runs it"]
fn zed_extension_starts_portside_with_the_users_settings() {
    let (Some(pytest), Some(wasm)) = (
        std::env::var_os("PORTSIDE_PYTEST"),
        std::env::var_os("PORTSIDE_ZED_WASM"),
    ) else {
        common::missing(
            "the Zed extension's test tools (PORTSIDE_PYTEST and PORTSIDE_ZED_WASM are not both set)",
            "See editors/zed/README.md: pytest-lsp and wasmtime in a venv (PORTSIDE_PYTEST), the component built with --target wasm32-wasip2 (PORTSIDE_ZED_WASM)",
        );
    };
    common::pytest(
        &pytest,
        "tests/zed",
        &[("PORTSIDE_ZED_WASM", &wasm)],
        "8 passed",
    );
}
