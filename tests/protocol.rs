//! Protocol tests across editors' client capabilities (VS Code, Neovim 0.7 and 0.11,
//! Emacs), written with pytest-lsp in tests/protocol/. `.ci/run` installs pytest-lsp into a
//! cached venv and sets PORTSIDE_PYTEST. It is ignored by default; `cargo test --
//! --include-ignored` runs it, and then a missing PORTSIDE_PYTEST is a failure.

mod common;

#[test]
#[ignore = "needs pytest-lsp (PORTSIDE_PYTEST): bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn pytest_lsp_across_client_capabilities() {
    let Some(pytest) = std::env::var_os("PORTSIDE_PYTEST") else {
        common::missing(
            "pytest-lsp (PORTSIDE_PYTEST is not set)",
            "python3 -m venv v && v/bin/pip install pytest-lsp==1.0.1, then PORTSIDE_PYTEST=$PWD/v/bin/pytest",
        );
    };
    common::pytest(&pytest, "tests/protocol", &[], "15 passed");
}
