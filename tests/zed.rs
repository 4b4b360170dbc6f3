//! The Zed extension (editors/zed), run as Zed runs it: tests/zed/ instantiates its
//! WebAssembly component with wasmtime, plays Zed's side of the host calls, and starts the
//! command the extension returns with pytest-lsp. `.ci/run` builds the component for
//! wasm32-wasip2 (PORTSIDE_ZED_WASM) and installs pytest-lsp and wasmtime into a cached venv
//! (PORTSIDE_PYTEST); without them the test says loudly that it skipped (and fails under
//! PORTSIDE_REQUIRE_EDITORS=1).

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
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new(pytest)
        .args(["-q", "-p", "no:cacheprovider"])
        .arg(root.join("tests/zed"))
        .env("PORTSIDE_BIN", env!("CARGO_BIN_EXE_portside"))
        .env("PORTSIDE_ZED_WASM", wasm)
        .current_dir(root)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}");
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("8 passed"), "{out}");
}
