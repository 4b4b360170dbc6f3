//! Emacs with eglot, in batch mode (editors/emacs/test-eglot.el), configured with the
//! README's ```elisp block: the diagnostic at the token through flymake, the port hover, and
//! the quick fix offered. It needs Debian's emacs-nox + elpa-eglot (.ci/run installs them), so
//! it is ignored by default; `cargo test -- --include-ignored` runs it, and then a missing
//! Emacs is a failure.

mod common;

#[test]
#[ignore = "needs Emacs with eglot: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn emacs_eglot_diagnostics_hover_and_quick_fix() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // The README's eglot configuration, exactly as a user copies it.
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("```elisp\n")
        .expect("an ```elisp block in the README")
        + 9;
    let end = start + readme[start..].find("```").unwrap();
    let elisp = std::env::temp_dir().join(format!("portside-eglot-{}.el", std::process::id()));
    std::fs::write(&elisp, &readme[start..end]).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_portside"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = match std::process::Command::new("emacs")
        .args(["--batch", "-Q", "-l"])
        .arg(root.join("editors/emacs/test-eglot.el"))
        .env("PATH", path)
        .env("PORTSIDE_README_ELISP", &elisp)
        .env("PORTSIDE_FILE", root.join("examples/broken/compose.yaml"))
        .current_dir(root)
        .output()
    {
        Ok(o) => o,
        Err(e) => common::missing(
            &format!("Emacs (`emacs` does not run: {e})"),
            "apt-get install emacs-nox elpa-eglot",
        ),
    };
    let _ = std::fs::remove_file(&elisp);
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}");
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("\"failures\":0"), "{out}");
}
