//! Protocol tests across editors' client capabilities (VS Code, Neovim 0.7 and 0.11,
//! Emacs), written with pytest-lsp in tests/protocol/. `.ci/run` installs pytest-lsp into a
//! cached venv and sets PORTSIDE_PYTEST; without it the test says loudly that it skipped
//! (and fails under PORTSIDE_REQUIRE_EDITORS=1).

#[test]
fn pytest_lsp_across_client_capabilities() {
    let required = std::env::var("PORTSIDE_REQUIRE_EDITORS").is_ok_and(|v| v == "1");
    let Some(pytest) = std::env::var_os("PORTSIDE_PYTEST") else {
        if required {
            panic!("PORTSIDE_REQUIRE_EDITORS=1 but PORTSIDE_PYTEST is not set");
        }
        eprintln!("\n!!! SKIPPED the pytest-lsp tests: set PORTSIDE_PYTEST (.ci/run does).\n");
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new(pytest)
        .args(["-q", "-p", "no:cacheprovider"])
        .arg(root.join("tests/protocol"))
        .env("PORTSIDE_BIN", env!("CARGO_BIN_EXE_portside"))
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
    assert!(out.contains("15 passed"), "{out}");
}
