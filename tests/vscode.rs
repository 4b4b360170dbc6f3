//! VS Code, for real: the packaged extension installed in code-server and driven in Chromium
//! (editors/vscode/test/run-e2e.sh and e2e.js): squiggle and Problems entry on the broken
//! example, the port hover, the quick fix applied, the live check, the daemon status item,
//! the output channel, settings changed without a restart, the restart command, the error
//! for a server that is not there; then in an untrusted workspace, no daemon calls. `.ci/run`
//! installs the harness
//! (editors/vscode/test/setup.sh), packages the .vsix and sets PORTSIDE_VSIX and
//! PORTSIDE_CI_CACHE. It is ignored by default; `cargo test -- --include-ignored` runs it, and
//! then missing variables are a failure.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs code-server, Chromium and the packaged .vsix: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
fn vscode_extension_in_code_server() {
    let (Some(vsix), Some(cache)) = (
        std::env::var_os("PORTSIDE_VSIX"),
        std::env::var_os("PORTSIDE_CI_CACHE"),
    ) else {
        common::missing(
            "the VS Code harness (PORTSIDE_VSIX and PORTSIDE_CI_CACHE are not both set)",
            "PORTSIDE_CI_CACHE is what editors/vscode/test/setup.sh prints last, PORTSIDE_VSIX the .vsix `npm run package` makes in editors/vscode (see .ci/run)",
        );
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = std::env::var_os("PORTSIDE_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target").join("vscode-screenshots"));
    let o = Command::new("bash")
        .arg(root.join("editors/vscode/test/run-e2e.sh"))
        .arg(&vsix)
        .arg(&cache)
        .arg(&shots)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.status.success(),
        "VS Code e2e failed; screenshots in {}",
        shots.display()
    );
    for step in [
        "squiggle",
        "problems_panel",
        "hover",
        "quick_fix",
        "live_check",
        "status_bar",
        "output_channel",
        "settings_on_change",
        "restart",
        "server_not_found",
        "untrusted_no_daemon_status",
        "untrusted_live_check_refused",
    ] {
        assert!(
            out.contains(&format!("\"step\":\"{step}\",\"ok\":true")),
            "{step}: {out}"
        );
    }
}
