//! VS Code, for real: the packaged extension installed in code-server and driven in Chromium
//! (editors/vscode/test/run-e2e.sh and e2e.js).
//!
//! `vscode_extension_in_code_server`, on a copy of examples/broken inside `unshare -n`:
//! squiggle and Problems entry, the port hover, the quick fix applied, the live check (the
//! project is not running: said once), the check with the Dockerfile active (it reads the
//! one Compose file), the daemon status item, the output channel, settings changed without a restart, the restart
//! command, the network map (opened from the Command Palette beside the editor, a screenshot
//! in `map.png`, a click on the `db` node selecting its YAML, a syntax error said over the
//! last map, redrawn as a service is typed and deleted), the error for a server that is not
//! there (its button opens the setting in the scope that sets it) and the map's panel saying
//! so; then in an untrusted workspace, no daemon calls.
//!
//! `vscode_on_a_project_running_under_compose`: a project brought up by Compose from
//! the offline busybox image (`web` answers, `api` publishes a port nothing listens on),
//! opened in code-server in this network namespace: the CodeLens clicked and its verdict,
//! Ctrl+. on a port listing the check, the verdicts, the status item as the endpoint setting
//! changes, and the command with no editor open and with a Dockerfile active (a pick of the
//! two Compose files), and with no Compose file at all (it says why). The project's
//! containers and network are removed afterwards.
//!
//! `.ci/run` installs the harness (editors/vscode/test/setup.sh), packages the .vsix and sets
//! PORTSIDE_VSIX and PORTSIDE_CI_CACHE. Both tests are ignored by default; `cargo test --
//! --include-ignored` runs them, and then a missing prerequisite is a failure. They run one
//! at a time (each drives a code-server and a Chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// code-server and Chromium are heavy: one test drives them at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The .vsix, the harness cache and the screenshot folder, or a loud failure.
fn harness() -> (std::ffi::OsString, std::ffi::OsString, PathBuf) {
    let (Some(vsix), Some(cache)) = (
        std::env::var_os("PORTSIDE_VSIX"),
        std::env::var_os("PORTSIDE_CI_CACHE"),
    ) else {
        common::missing(
            "the VS Code harness (PORTSIDE_VSIX and PORTSIDE_CI_CACHE are not both set)",
            "PORTSIDE_CI_CACHE is what editors/vscode/test/setup.sh prints last, PORTSIDE_VSIX the .vsix `npm run package` makes in editors/vscode (see .ci/run)",
        );
    };
    let shots = std::env::var_os("PORTSIDE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target").join("vscode-screenshots"));
    (vsix, cache, shots)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs run-e2e.sh with `args` after the .vsix, cache and screenshot folder; asserts it
/// passed and that each of `steps` reported `ok`.
fn run_e2e(extra: &[&std::ffi::OsStr], env: &[(&str, String)], steps: &[&str]) {
    let (vsix, cache, shots) = harness();
    let o = Command::new("bash")
        .arg(root().join("editors/vscode/test/run-e2e.sh"))
        .arg(&vsix)
        .arg(&cache)
        .arg(&shots)
        .args(extra)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.status.success(),
        "VS Code e2e failed; screenshots in {}",
        shots.display()
    );
    for step in steps {
        assert!(
            out.contains(&format!("\"step\":\"{step}\",\"ok\":true")),
            "{step}: {out}"
        );
    }
}

#[test]
#[ignore = "needs code-server, Chromium and the packaged .vsix: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
fn vscode_extension_in_code_server() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    run_e2e(
        &[],
        &[],
        &[
            "squiggle",
            "problems_panel",
            "hover",
            "quick_fix",
            "ignore_on_line",
            "live_check",
            "check_from_dockerfile",
            "status_bar",
            "output_channel",
            "settings_on_change",
            "restart",
            "network_map",
            "network_map_updates",
            "server_not_found",
            "network_map_without_server",
            "untrusted_no_daemon_status",
            "untrusted_live_check_refused",
        ],
    );
}

/// Runs the docker CLI; `None` when it is missing or fails.
fn docker(args: &[&str]) -> Option<String> {
    let o = Command::new("docker").args(args).output().ok()?;
    if !o.status.success() {
        eprintln!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        return None;
    }
    Some(String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// The image tests/live.rs builds (the same name and Dockerfile, so either reuses the
/// other's): `FROM scratch` with the machine's static busybox, offline. Kept afterwards.
fn busybox_image() -> Option<&'static str> {
    const IMAGE: &str = "portside-test-busybox:1";
    if docker(&["image", "inspect", IMAGE]).is_some() {
        return Some(IMAGE);
    }
    let busybox = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("busybox"))
            .find(|p| p.exists())
    })?;
    let dir = std::env::temp_dir().join(format!("portside-vscode-image-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::copy(&busybox, dir.join("busybox")).ok()?;
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nENV PATH=/bin\n",
    )
    .ok()?;
    let built = docker(&["build", "-q", "-t", IMAGE, dir.to_str()?]);
    let _ = std::fs::remove_dir_all(&dir);
    built.map(|_| IMAGE)
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// The Compose implementation of this machine: `docker compose` (v2), else `docker-compose`.
fn compose_command() -> Option<Vec<&'static str>> {
    [vec!["docker", "compose"], vec!["docker-compose"]]
        .into_iter()
        .find(|cmd| {
            Command::new(cmd[0])
                .args(&cmd[1..])
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Takes the project down and removes what this run labelled (containers, network), and
/// the project's folder, even when the test fails.
struct Down {
    compose: Vec<&'static str>,
    dir: PathBuf,
    project: String,
    run: String,
}

impl Drop for Down {
    fn drop(&mut self) {
        let _ = Command::new(self.compose[0])
            .args(&self.compose[1..])
            .args(["-p", &self.project, "down", "--timeout", "1"])
            .current_dir(self.dir.join(&self.project))
            .output();
        let filter = format!("label=portside-test-run={}", self.run);
        for (list, remove) in [
            (vec!["ps", "-aq", "--filter", &filter], vec!["rm", "-f"]),
            (
                vec!["network", "ls", "-q", "--filter", &filter],
                vec!["network", "rm"],
            ),
        ] {
            if let Some(ids) = docker(&list) {
                let ids: Vec<&str> = ids.split_whitespace().collect();
                if !ids.is_empty() {
                    let mut args = remove.clone();
                    args.extend(ids);
                    docker(&args);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
#[ignore = "needs code-server, Chromium, the packaged .vsix, a Docker daemon, busybox and Compose: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
fn vscode_on_a_project_running_under_compose() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    harness();
    if docker(&["info", "--format", "{{.ServerVersion}}"]).is_none() {
        common::missing(
            "a Docker daemon and the docker CLI (`docker info` fails)",
            "start dockerd (bash .ci/run starts one when none answers)",
        );
    }
    let Some(image) = busybox_image() else {
        common::missing(
            "the test image, built offline from a static busybox on PATH",
            "apt-get install busybox-static",
        );
    };
    let Some(compose_cmd) = compose_command() else {
        common::missing(
            "a Compose implementation (`docker compose` or `docker-compose`)",
            "apt-get install docker-compose",
        );
    };

    // The folder's name is the project's (and `.env` says so, for both Compose and portside).
    let run = format!("vscode-{}", std::process::id());
    let project = format!("portside-{run}");
    let dir = std::env::temp_dir().join(format!("portside-{run}-live"));
    let ws = dir.join(&project);
    std::fs::create_dir_all(ws.join("tools")).unwrap();
    let down = Down {
        compose: compose_cmd.clone(),
        dir: dir.clone(),
        project: project.clone(),
        run: run.clone(),
    };
    let web = free_port();
    let api = std::iter::repeat_with(free_port)
        .find(|p| *p != web)
        .unwrap();
    let compose = format!(
        "# A project running under Compose (tests/vscode.rs): web answers; api publishes a port\n\
         # nothing in its container listens on.\n\
         services:\n\
         \x20 web:\n\
         \x20   image: {image}\n\
         \x20   command: httpd -f -p 0.0.0.0:80 -h /\n\
         \x20   ports:\n\
         \x20     - \"127.0.0.1:{web}:80\"\n\
         \x20   labels: {{portside-test-run: {run}}}\n\
         \x20 api:\n\
         \x20   image: {image}\n\
         \x20   command: httpd -f -p 0.0.0.0:9000 -h /\n\
         \x20   ports:\n\
         \x20     - \"127.0.0.1:{api}:8080\"\n\
         \x20   labels: {{portside-test-run: {run}}}\n\
         networks:\n\
         \x20 default:\n\
         \x20   labels: {{portside-test-run: {run}}}\n"
    );
    std::fs::write(ws.join("compose.yaml"), compose).unwrap();
    std::fs::write(ws.join(".env"), format!("COMPOSE_PROJECT_NAME={project}\n")).unwrap();
    std::fs::write(
        ws.join("Dockerfile"),
        format!("FROM {image}\nEXPOSE 80\nCMD [\"httpd\", \"-f\", \"-p\", \"80\"]\n"),
    )
    .unwrap();
    std::fs::write(
        ws.join("tools/compose.yaml"),
        format!("services:\n  shell:\n    image: {image}\n    command: sleep 3600\n"),
    )
    .unwrap();
    let up = Command::new(compose_cmd[0])
        .args(&compose_cmd[1..])
        .args(["-p", &project, "up", "-d"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "docker-compose up: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    // httpd is up when web's published port answers.
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], web));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "web's port {web} never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    run_e2e(
        &["live".as_ref(), ws.as_os_str()],
        &[("PORTSIDE_E2E_WEB_PORT", web.to_string())],
        &[
            "codelens",
            "ctrl_dot_check",
            "status_endpoint",
            "check_without_editor",
            "check_from_dockerfile",
            "verdicts",
            "hover_link",
            "check_without_compose_file",
        ],
    );
    drop(down);
}
