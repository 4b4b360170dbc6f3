//! Protocol tests across editors' client capabilities (VS Code, Neovim 0.7 and 0.11,
//! Emacs), written with pytest-lsp in tests/protocol/. `.ci/run` installs pytest-lsp into a
//! cached venv and sets PORTSIDE_PYTEST; without it the test says loudly that it skipped
//! (and fails under PORTSIDE_REQUIRE_EDITORS=1).

mod common;

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
    common::pytest(&pytest, "tests/protocol", &[], "15 passed");
}
