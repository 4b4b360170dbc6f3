//! The live checks against a real Docker daemon (the probe, doctor, the editor's live code
//! action, ssh:// and TLS endpoints), and the ones that need no daemon: fake daemons for fault
//! injection, unreachable endpoints, contexts.
//!
//! A test that needs the daemon (or sshd, stunnel, Compose, the busybox test image) is
//! `#[ignore = "needs ..."]`: plain `cargo test` lists it as ignored, `cargo test --
//! --include-ignored` (as `.ci/run` does, with a daemon it starts) runs it, and then a
//! missing prerequisite is a failure that says what is missing, never a quiet pass.

mod common;

use serde_json::json;

/// What to do when no daemon answers.
const START_DOCKERD: &str = "Start one (as root: `dockerd &`; Debian's docker.io package has it), \
or point DOCKER_HOST at a daemon you may use";

#[tokio::test]
#[ignore = "needs a Docker daemon: bash .ci/run starts one; cargo test -- --include-ignored runs it"]
async fn connects_negotiates_and_reads_the_version() {
    let docker = match portside::live::connect().await {
        Ok(d) => d,
        Err(e) => common::missing(&format!("a Docker daemon ({e})"), START_DOCKERD),
    };
    let v = portside::live::version(&docker).await.expect("version");
    eprintln!(
        "live: Docker Engine {} (API {}, min {}), negotiated {}",
        v.engine, v.api, v.min_api, v.negotiated
    );
    assert_ne!(v.engine, "unknown");
    assert!(v.api.starts_with("1."), "{}", v.api);
    // The negotiated version never exceeds what the daemon speaks.
    let num = |s: &str| -> (u32, u32) {
        let (a, b) = s.split_once('.').unwrap();
        (a.parse().unwrap(), b.parse().unwrap())
    };
    assert!(
        num(&v.negotiated) <= num(&v.api),
        "{} > {}",
        v.negotiated,
        v.api
    );
}

#[test]
#[ignore = "needs a Docker daemon: bash .ci/run starts one; cargo test -- --include-ignored runs it"]
fn doctor_reports_the_daemon() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("doctor")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("endpoint:"), "{out}");
    if !o.status.success() {
        common::missing(
            &format!("a Docker daemon (`portside doctor` failed:\n{out})"),
            START_DOCKERD,
        );
    }
    assert!(out.contains("Docker Engine"), "{out}");
    assert!(
        out.contains("rootless: no") || out.contains("rootless: yes"),
        "{out}"
    );
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("doctor")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("unix:///nonexistent/docker.sock (from DOCKER_HOST)"),
        "{out}"
    );
    assert!(out.contains("not reachable"), "{out}");
}

/// Runs the docker CLI; `None` when it is missing or fails.
fn docker(args: &[&str]) -> Option<String> {
    let o = std::process::Command::new("docker")
        .args(args)
        .output()
        .ok()?;
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

/// The test image, built offline `FROM scratch` with the machine's static busybox.
fn busybox_image() -> Option<&'static str> {
    build_image(
        "portside-test-busybox:1",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nENV PATH=/bin\n",
    )
}

/// Builds `image` offline from `dockerfile`, with the machine's static busybox as its
/// only file in the build context (kept when it exists already).
fn build_image(image: &'static str, dockerfile: &str) -> Option<&'static str> {
    if docker(&["image", "inspect", image]).is_some() {
        return Some(image);
    }
    let busybox = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("busybox"))
            .find(|p| p.exists())
    })?;
    let dir = std::env::temp_dir().join(format!(
        "portside-image-{}-{}",
        image.replace([':', '/'], "-"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::copy(&busybox, dir.join("busybox")).ok()?;
    std::fs::write(dir.join("Dockerfile"), dockerfile).ok()?;
    let built = docker(&["build", "-q", "-t", image, dir.to_str()?]);
    let _ = std::fs::remove_dir_all(&dir);
    built.map(|_| image)
}

/// `found`, or, when it is missing, a loud failure: `what` names what the test needs, `how`
/// how to get it.
#[track_caller]
fn need<T>(found: Option<T>, what: &str, how: &str) -> T {
    match found {
        Some(found) => found,
        None => common::missing(what, how),
    }
}

/// A daemon that answers the docker CLI, or a loud failure.
#[track_caller]
fn daemon() {
    need(
        docker(&["info", "--format", "{{.ServerVersion}}"]),
        "a Docker daemon and the docker CLI (`docker info` fails)",
        START_DOCKERD,
    );
}

/// A test image (built by `build`) on a daemon that answers, or a loud failure.
#[track_caller]
fn daemon_image(build: fn() -> Option<&'static str>) -> &'static str {
    daemon();
    need(
        build(),
        "the test image, built offline from a static busybox on PATH",
        "apt-get install busybox-static",
    )
}

/// Removes every container this test run labelled, even when the test fails.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label=portside-test-run={}", self.0);
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
    }
}

/// Starts (or, with `start: false`, only creates) a container labelled as Compose labels
/// service `service` of `project`, and with the test run's label for the cleanup.
fn compose_container(
    run: &str,
    project: &str,
    service: &str,
    options: &[&str],
    start: bool,
    image: &str,
    cmd: &[&str],
) {
    let labels = [
        format!("portside-test-run={run}"),
        format!("com.docker.compose.project={project}"),
        format!("com.docker.compose.service={service}"),
    ];
    let mut args: Vec<&str> = if start {
        vec!["run", "-d"]
    } else {
        vec!["create"]
    };
    for l in &labels {
        args.extend(["--label", l.as_str()]);
    }
    args.extend(options);
    args.push(image);
    args.extend(cmd);
    docker(&args).expect("start a test container");
}

/// Starts the probe scenarios as a Compose project would label them: `ok` (httpd on
/// 0.0.0.0), `loopback` (httpd on 127.0.0.1 inside), `wrongport` (published 8080, httpd on
/// 80), `stopped` (created, never started); `missing` has no container. Returns the
/// cleanup guard, the project name and the Compose file's folder.
#[track_caller]
fn scenarios(tag: &str) -> (Cleanup, String, std::path::PathBuf) {
    let image = daemon_image(busybox_image);
    let run = format!("{tag}-{}", std::process::id());
    let project = format!("portside-{run}");
    let cleanup = Cleanup(run.clone());
    let start = |service: &str, publish: &str, cmd: &[&str], detach: bool| {
        compose_container(
            &run,
            &project,
            service,
            &["-p", publish],
            detach,
            image,
            cmd,
        );
    };
    // Loopback only on the host side: the test's traffic stays on this machine.
    start(
        "ok",
        "127.0.0.1::80",
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
        true,
    );
    start(
        "loopback",
        "127.0.0.1::80",
        &["httpd", "-f", "-p", "127.0.0.1:80", "-h", "/"],
        true,
    );
    start(
        "wrongport",
        "127.0.0.1::8080",
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
        true,
    );
    start(
        "stopped",
        "127.0.0.1::80",
        &["httpd", "-f", "-p", "80"],
        false,
    );
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("name: {project}\nservices:\n  ok:\n    ports: [\"127.0.0.1::80\"]\n  loopback:\n    ports: [\"127.0.0.1::80\"]\n  wrongport:\n    ports: [\"127.0.0.1::8080\"]\n  stopped:\n    ports: [\"127.0.0.1::80\"]\n  missing:\n    ports: [\"127.0.0.1::80\"]\n  fixed:\n    ports: [\"127.0.0.1:1:80\"]\n"),
    )
    .unwrap();
    // httpd needs a moment to bind.
    std::thread::sleep(std::time::Duration::from_millis(500));
    (cleanup, project, dir)
}

#[test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn probe_names_the_failing_step_for_each_mapping() {
    let (_cleanup, project, dir) = scenarios("cli");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["probe", "--format", "json"])
        .arg(dir.join("compose.yaml"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let out: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    assert_eq!(o.status.code(), Some(1), "{out:#}");
    assert_eq!(out["project"], project.as_str());
    let verdict = |service: &str| {
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["mapping"]["service"] == service)
            .unwrap_or_else(|| panic!("{service}: {out:#}"))
            .clone()
    };
    let ok = verdict("ok");
    assert_eq!(ok["outcome"], "ok", "{ok:#}");
    assert_eq!(ok["step"], "answer");
    // The ephemeral host port is resolved.
    assert!(ok["host_port"].as_u64().unwrap() > 0, "{ok:#}");
    let lo = verdict("loopback");
    assert_eq!(
        (lo["outcome"].as_str(), lo["step"].as_str()),
        (Some("fail"), Some("listen")),
        "{lo:#}"
    );
    assert!(
        lo["message"]
            .as_str()
            .unwrap()
            .contains("listens on 127.0.0.1:80 inside the container"),
        "{lo:#}"
    );
    let wrong = verdict("wrongport");
    assert_eq!(wrong["step"], "listen", "{wrong:#}");
    assert!(
        wrong["message"].as_str().unwrap().contains("nothing in"),
        "{wrong:#}"
    );
    assert!(
        wrong["message"].as_str().unwrap().contains("0.0.0.0:80"),
        "{wrong:#}"
    );
    let stopped = verdict("stopped");
    assert_eq!(stopped["step"], "container", "{stopped:#}");
    assert!(
        stopped["message"]
            .as_str()
            .unwrap()
            .contains("never started"),
        "{stopped:#}"
    );
    let missing = verdict("missing");
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("no container of service `missing`"),
        "{missing:#}"
    );
}

/// `portside map --live` paints what the probe saw: a published port where busybox httpd
/// answers is green, one where nothing listens in the running container is red with the
/// probe's words as its tooltip, in SVG and in Mermaid; so are the routes a Traefik
/// service takes by the services' labels (shared network, port listening or not).
#[test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn map_live_paints_a_working_and_a_failing_port_differently() {
    let image = daemon_image(busybox_image);
    let run = format!("map-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    // Loopback only on the host side: the test's traffic stays on this machine.
    compose_container(
        &run,
        &project,
        "web",
        &["-p", "127.0.0.1::80"],
        true,
        image,
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    compose_container(
        &run,
        &project,
        "mute",
        &["-p", "127.0.0.1::80"],
        true,
        image,
        &["sleep", "600"],
    );
    // The proxy's container only has to be there: the probe looks at its networks.
    compose_container(&run, &project, "proxy", &[], true, image, &["sleep", "600"]);
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("compose.yaml");
    std::fs::write(
        &file,
        format!("name: {project}\nservices:\n  proxy:\n    image: traefik:v3\n  web:\n    ports: [\"127.0.0.1::80\"]\n    labels: [\"traefik.http.services.web.loadbalancer.server.port=80\"]\n  mute:\n    ports: [\"127.0.0.1::80\"]\n    labels: [\"traefik.http.services.mute.loadbalancer.server.port=80\"]\n"),
    )
    .unwrap();
    // httpd needs a moment to bind.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let map = |format: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
            .args(["map", "--live", "--format", format])
            .arg(&file)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success(),
            "{format}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    };
    let svg = map("svg");
    let mermaid = map("mermaid");
    // The editor's `portside.showMap` with `live: true` paints the same verdicts.
    let editor_svg = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
            .arg("lsp")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        c.initialize(&["utf-16"]).await;
        let uri = format!("file://{}", file.display());
        c.open(
            &uri,
            "dockercompose",
            1,
            &std::fs::read_to_string(&file).unwrap(),
        )
        .await;
        let r = c
            .request(
                "workspace/executeCommand",
                json!({"command": "portside.showMap", "arguments": [{"uri": uri, "live": true}]}),
            )
            .await;
        assert!(r["result"]["live_error"].is_null(), "{r}");
        r["result"]["svg"].as_str().unwrap_or_default().to_string()
    });
    assert_eq!(
        editor_svg.matches("data-live=\"reached\"").count(),
        svg.matches("data-live=\"reached\"").count(),
        "{editor_svg}"
    );
    assert_eq!(
        editor_svg.matches("data-live=\"refused\"").count(),
        2,
        "{editor_svg}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // Published ports by service name: p0 is `mute`, p1 is `web`.
    let group = |id: &str| -> String {
        let at = svg
            .find(&format!("data-portside=\"{id}\""))
            .unwrap_or_else(|| panic!("{id}: {svg}"));
        svg[at..].split("</g>").next().unwrap().to_string()
    };
    let (mute, web) = (group("p0"), group("p1"));
    assert!(web.contains("data-live=\"reached\""), "{web}");
    assert!(web.contains("#2e7d32"), "web is green: {web}");
    assert!(mute.contains("data-live=\"refused\""), "{mute}");
    assert!(mute.contains("#d32f2f"), "mute is red: {mute}");
    assert!(
        mute.contains("<title>") && mute.contains("live (refused):") && mute.contains("nothing in"),
        "the probe's words: {mute}"
    );
    // Traefik's routes: c0 to `web` (label first in the file), c1 to `mute`.
    let (to_web, to_mute) = (group("c0"), group("c1"));
    assert!(to_web.contains("data-live=\"reached\""), "{to_web}");
    assert!(to_mute.contains("data-live=\"refused\""), "{to_mute}");
    assert!(
        to_mute.contains("nothing in `mute` listens on port 80"),
        "{to_mute}"
    );
    // Links: the two published ports, then the two routes.
    for (i, colour) in ["#d32f2f", "#2e7d32", "#2e7d32", "#d32f2f"]
        .iter()
        .enumerate()
    {
        assert!(
            mermaid.contains(&format!("linkStyle {i} stroke:{colour}")),
            "{i}: {mermaid}"
        );
    }
    // Without --live the same file is drawn with no verdicts.
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(&file, "services:\n  web:\n    ports: [\"127.0.0.1::80\"]\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["map", "--format", "svg"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("data-live"));
}

#[test]
fn probe_of_a_file_that_is_not_there_exits_2() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["probe", "/nonexistent/compose.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn probe_without_a_daemon_exits_2_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("portside-probe-nodaemon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  a:\n    ports: [\"8080:80\"]\n",
    )
    .unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("probe")
        .arg(dir.join("compose.yaml"))
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unix:///nonexistent/docker.sock (from DOCKER_HOST)"),
        "{err}"
    );
}

#[test]
fn a_daemon_socket_that_never_answers_gives_up_in_bounded_time() {
    // A fake daemon for fault injection: it accepts and then says nothing.
    let path = std::env::temp_dir().join(format!("portside-hang-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let dir = std::env::temp_dir().join(format!("portside-probe-hang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  a:\n    ports: [\"8080:80\"]\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("probe")
        .arg(dir.join("compose.yaml"))
        .env("DOCKER_HOST", format!("unix://{}", path.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&path);
    assert_eq!(o.status.code(), Some(2));
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did not answer within"), "{err}");
}

#[tokio::test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
async fn the_editor_code_action_probes_and_publishes_portside_live_diagnostics() {
    let (_cleanup, _project, dir) = scenarios("lsp");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    c.initialize(&["utf-16"]).await;
    let path = dir.join("compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = format!("file://{}", path.display());
    c.open(&uri, "dockercompose", 1, &text).await;
    c.diagnostics_for_version(&uri, 1).await;

    // On the `loopback` service's port entry (line 5): entry, service and project actions.
    let at = json!({"start": {"line": 5, "character": 14}, "end": {"line": 5, "character": 14}});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": at, "context": {"diagnostics": []}}),
        )
        .await;
    let live: Vec<&serde_json::Value> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "source.portside.live")
        .collect();
    assert_eq!(live.len(), 3, "{r:#}");
    assert!(
        live[0]["title"]
            .as_str()
            .unwrap()
            .contains("\"127.0.0.1::80\" (loopback)"),
        "{r:#}"
    );
    let command = &live[0]["command"];
    assert_eq!(command["command"], "portside.probe");

    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": command["arguments"]}),
        )
        .await;
    let results = r["result"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{r:#}");
    assert_eq!(results[0]["step"], "listen", "{r:#}");
    let message = c.notification("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("0 of 1 port mapping(s)"),
        "{message}"
    );
    let d = c.diagnostics_for_version(&uri, 1).await;
    let live: Vec<&serde_json::Value> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "portside-live")
        .collect();
    assert_eq!(live.len(), 1, "{d:#}");
    assert_eq!(live[0]["code"], "live-listen");
    assert_eq!(live[0]["severity"], 1);
    assert_eq!(common::range(live[0]), [5, 12, 5, 27]);

    // The whole project: `ok` answers (a hint, no squiggle), `missing` has no container
    // (information), the others fail (errors).
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": uri}]}),
        )
        .await;
    assert_eq!(r["result"]["results"].as_array().unwrap().len(), 6, "{r:#}");
    let d = c.diagnostics_for_version(&uri, 1).await;
    let live: Vec<&serde_json::Value> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "portside-live")
        .collect();
    assert_eq!(live.len(), 6, "{d:#}");
    assert_eq!(
        live.iter().filter(|d| d["severity"] == 4).count(),
        1,
        "{d:#}"
    );
    assert!(
        live.iter()
            .any(|d| d["severity"] == 3 && d["message"].as_str().unwrap().contains("missing")),
        "{d:#}"
    );

    // The hover shows the cached verdict.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 14}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("**Live** (0 s ago, host port "), "{value}");
    assert!(value.contains("): ✓ answer"), "{value}");

    // Editing a mapping drops its live result; the others stay.
    c.change(
        &uri,
        2,
        json!([{"range": {"start": {"line": 5, "character": 25}, "end": {"line": 5, "character": 26}}, "text": "1"}]),
    )
    .await;
    let d = c.diagnostics_for_version(&uri, 2).await;
    let live = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "portside-live")
        .count();
    assert_eq!(live, 5, "{d:#}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn probe_checks_external_networks_and_services_that_name_each_other() {
    let image = daemon_image(busybox_image);
    let run = format!("links-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    let label = format!("portside-test-run={run}");
    for net in ["a", "b"] {
        docker(&[
            "network",
            "create",
            "--label",
            &label,
            &format!("{project}_{net}"),
        ])
        .expect("network");
    }
    let start = |service: &str, net: &str, cmd: &[&str]| {
        let network = format!("{project}_{net}");
        compose_container(
            &run,
            &project,
            service,
            &["--network", &network],
            true,
            image,
            cmd,
        );
    };
    start("front", "a", &["sleep", "300"]);
    start("back", "b", &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"]);
    start("lo", "a", &["httpd", "-f", "-p", "127.0.0.1:80", "-h", "/"]);
    start("ok", "a", &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"]);
    // `stale` was created before its alias `api` was added to the file; `fresh` has its
    // alias `web2`.
    start(
        "stale",
        "a",
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    let network_a = format!("{project}_a");
    compose_container(
        &run,
        &project,
        "fresh",
        &["--network", &network_a, "--network-alias", "web2"],
        true,
        image,
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    let compose = format!(
        "name: {project}\nservices:\n  front:\n    networks: [a, ext]\n    environment:\n      BACK_URL: http://back:80\n      LO_URL: http://lo:80\n      OK_URL: http://ok:80\n      API_URL: http://api:80\n      WEB2_URL: http://web2:80\n  back:\n    networks: [b]\n  lo:\n    networks: [a]\n  ok:\n    networks: [a]\n  stale:\n    networks:\n      a:\n        aliases: [api]\n  fresh:\n    networks:\n      a:\n        aliases: [web2]\nnetworks:\n  a: {{}}\n  b: {{}}\n  ext:\n    external: true\n    name: portside-missing-{run}\n  mesh:\n    driver: overlay\n"
    );
    std::fs::write(dir.join("compose.yaml"), &compose).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["probe", "--format", "json"])
        .arg(dir.join("compose.yaml"))
        .output()
        .unwrap();

    let out: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    assert_eq!(o.status.code(), Some(1), "{out:#}");
    let link = |kind: &str, to: &str| {
        out["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["link"]["kind"] == kind && (to.is_empty() || l["link"]["to"] == to))
            .unwrap_or_else(|| panic!("{kind} {to}: {out:#}"))
            .clone()
    };
    // The test's daemon is no swarm manager (unless someone made it one): an overlay
    // network Compose would create fails there, and the verdict says so.
    let swarm = link("swarm", "");
    let manager = docker(&["info", "--format", "{{.Swarm.ControlAvailable}}"])
        .is_some_and(|o| o.trim() == "true");
    if manager {
        assert_eq!(swarm["outcome"].as_str(), Some("ok"), "{swarm:#}");
    } else {
        assert_eq!(
            (swarm["outcome"].as_str(), swarm["step"].as_str()),
            (Some("fail"), Some("swarm")),
            "{swarm:#}"
        );
        assert!(
            swarm["message"]
                .as_str()
                .unwrap()
                .contains("is not a swarm manager"),
            "{swarm:#}"
        );
    }
    let ext = link("network", "");
    assert_eq!(
        (ext["outcome"].as_str(), ext["step"].as_str()),
        (Some("fail"), Some("network")),
        "{ext:#}"
    );
    assert!(
        ext["message"].as_str().unwrap().contains("does not exist"),
        "{ext:#}"
    );
    let back = link("service", "back");
    assert_eq!(back["step"], "networks", "{back:#}");
    assert!(
        back["message"]
            .as_str()
            .unwrap()
            .contains("share no network"),
        "{back:#}"
    );
    let stale = link("service", "stale");
    assert_eq!(stale["step"], "names", "{stale:#}");
    assert!(
        stale["message"]
            .as_str()
            .unwrap()
            .contains("`api` does not resolve from `front`"),
        "{stale:#}"
    );
    let fresh = link("service", "fresh");
    assert_eq!(fresh["outcome"], "ok", "{fresh:#}");
    let lo = link("service", "lo");
    assert_eq!(lo["step"], "listen", "{lo:#}");
    assert!(
        lo["message"].as_str().unwrap().contains("loopback only"),
        "{lo:#}"
    );
    let ok = link("service", "ok");
    assert_eq!(ok["outcome"], "ok", "{ok:#}");
    assert!(
        ok["message"]
            .as_str()
            .unwrap()
            .contains(&format!("shares {project}_a")),
        "{ok:#}"
    );
    // The same through the editor: the project check puts each verdict where the file
    // names the network or the service.
    let text = compose;
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
            .arg("lsp")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        c.initialize(&["utf-16"]).await;
        let uri = format!("file://{}", dir.join("compose.yaml").display());
        c.open(&uri, "dockercompose", 1, &text).await;
        c.diagnostics_for_version(&uri, 1).await;
        let r = c
            .request(
                "workspace/executeCommand",
                json!({"command": "portside.probe", "arguments": [{"uri": uri}]}),
            )
            .await;
        assert_eq!(r["result"]["links"].as_array().unwrap().len(), 7, "{r:#}");
        let d = c.diagnostics_for_version(&uri, 1).await;
        let at = |code: &str| -> String {
            let d = d["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["source"] == "portside-live" && d["code"] == code)
                .unwrap_or_else(|| panic!("{code}: {d:#}"));
            let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
            text.lines().nth(line).unwrap().to_string()
        };
        assert!(at("live-network").contains("ext:"), "{d:#}");
        if !manager {
            assert!(at("live-swarm").contains("driver: overlay"), "{d:#}");
        }
        assert!(at("live-networks").contains("BACK_URL"), "{d:#}");
        assert!(at("live-listen").contains("_URL"), "{d:#}");
        assert!(at("live-names").contains("API_URL"), "{d:#}");
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Docker config folder (`tag` names it) with two contexts, `ptest` (the current one, on a
/// socket that is not there) and `remote` (ssh to a closed port), and what `portside doctor`
/// says with it and DOCKER_CONTEXT=`context`: its exit code and output.
fn doctor_with_contexts(tag: &str, contexts: &[Option<&str>]) -> Vec<(Option<i32>, String)> {
    let dir = std::env::temp_dir().join(format!("portside-contexts-{tag}-{}", std::process::id()));
    let meta = dir.join("contexts").join("meta");
    for (folder, name, host) in [
        ("1f2e", "ptest", "unix:///nonexistent/ctx.sock"),
        ("9a8b", "remote", "ssh://user@127.0.0.1:1"),
    ] {
        std::fs::create_dir_all(meta.join(folder)).unwrap();
        std::fs::write(
            meta.join(folder).join("meta.json"),
            format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
        )
        .unwrap();
    }
    std::fs::write(dir.join("config.json"), r#"{"currentContext": "ptest"}"#).unwrap();
    let doctor = |context: &Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_portside"));
        cmd.arg("doctor")
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_CONFIG", &dir);
        if let Some(c) = context {
            cmd.env("DOCKER_CONTEXT", c);
        }
        let o = cmd.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).to_string(),
        )
    };
    let said = contexts.iter().map(doctor).collect();
    let _ = std::fs::remove_dir_all(&dir);
    said
}

#[test]
fn docker_contexts_choose_the_endpoint_like_the_cli() {
    let said = doctor_with_contexts("choose", &[None, Some("remote"), Some("nope")]);
    let (code, out) = &said[0];
    assert_eq!(*code, Some(1), "{out}");
    assert!(
        out.contains("endpoint: unix:///nonexistent/ctx.sock (from Docker context `ptest` (currentContext in ~/.docker/config.json))"),
        "{out}"
    );
    let (_, out) = &said[1];
    assert!(
        out.contains("ssh://user@127.0.0.1:1 (from Docker context `remote` (DOCKER_CONTEXT))"),
        "{out}"
    );
    let (_, out) = &said[2];
    assert!(
        out.contains("Docker context `nope` (DOCKER_CONTEXT) has no Docker endpoint"),
        "{out}"
    );
}

#[test]
#[ignore = "needs the ssh client: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn an_unreachable_ssh_context_fails_in_sshs_own_words() {
    if std::process::Command::new("ssh")
        .arg("-V")
        .output()
        .is_err()
    {
        common::missing("the ssh client (`ssh`)", "apt-get install openssh-client");
    }
    let said = doctor_with_contexts("ssh", &[Some("remote")]);
    let (code, out) = &said[0];
    assert_eq!(*code, Some(1), "{out}");
    // ssh's own words, within the timeout.
    assert!(out.contains("Connection refused"), "{out}");
}

/// A fake Docker daemon for fault injection on a unix socket: every request gets the raw
/// HTTP answer `respond(method_and_path)` and the connection is closed. Returns the socket.
fn fake_daemon(name: &str, respond: fn(&str) -> Vec<u8>) -> std::path::PathBuf {
    use std::io::{Read, Write};
    let path =
        std::env::temp_dir().join(format!("portside-fake-{name}-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let first = line.lines().next().unwrap_or_default().to_string();
            let _ = s.write_all(&respond(&first));
        }
    });
    path
}

fn http(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A daemon that answers the version handshake like Engine 20.10 (API 1.41).
fn handshake(request: &str) -> Option<Vec<u8>> {
    if request.contains("/_ping") {
        return Some(http("200 OK", "Api-Version: 1.41\r\n", "OK"));
    }
    if request.contains("/version") {
        return Some(http(
            "200 OK",
            "",
            r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#,
        ));
    }
    None
}

/// `portside probe` against a fake daemon: its exit code and stderr, in bounded time.
fn probe_against(socket: &std::path::Path) -> (Option<i32>, String) {
    let dir = socket.with_extension("project");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  a:\n    ports: [\"127.0.0.1:8080:80\"]\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("probe")
        .arg(dir.join("compose.yaml"))
        .env("DOCKER_HOST", format!("unix://{}", socket.display()))
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(socket);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout),
    )
}

#[test]
fn malformed_daemon_answers_end_in_a_clear_message() {
    // The container list is not JSON.
    let socket = fake_daemon("badjson", |r| {
        handshake(r).unwrap_or_else(|| http("200 OK", "", "{\"Id\": not json"))
    });
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("is not the JSON a Docker daemon sends"),
        "{out}"
    );
    // The answer stops in the middle of its body.
    let socket = fake_daemon("truncated", |r| {
        handshake(r).unwrap_or_else(|| {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 500\r\n\r\n[{\"Id\": \"abc".to_vec()
        })
    });
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("broke while it answered"), "{out}");
    // A server error.
    let socket = fake_daemon("error500", |r| {
        handshake(r).unwrap_or_else(|| {
            http(
                "500 Internal Server Error",
                "",
                r#"{"message":"something broke"}"#,
            )
        })
    });
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("something broke"), "{out}");
    // Not a Docker daemon at all.
    let socket = fake_daemon("garbage", |_| b"SSH-2.0-OpenSSH_9.2\r\n".to_vec());
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("no Docker daemon answers"), "{out}");
}

#[test]
fn unexpected_daemon_versions_end_in_a_clear_message() {
    // A version answer that is not a version.
    let socket = fake_daemon("weirdversion", |r| {
        if r.contains("/_ping") {
            http("200 OK", "Api-Version: banana\r\n", "OK")
        } else if r.contains("/version") {
            http(
                "200 OK",
                "",
                r#"{"Version":"banana","ApiVersion":"banana"}"#,
            )
        } else {
            http("200 OK", "", "[]")
        }
    });
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("an API version portside cannot read"), "{out}");
    // An engine too old for the API we speak refuses every call.
    let socket = fake_daemon("old", |r| {
        if r.contains("/_ping") {
            http("200 OK", "Api-Version: 1.12\r\n", "OK")
        } else if r.contains("/version") {
            http("200 OK", "", r#"{"Version":"1.0.0","ApiVersion":"1.12"}"#)
        } else {
            http(
                "400 Bad Request",
                "",
                r#"{"message":"client version 1.41 is too new. Maximum supported API version is 1.12"}"#,
            )
        }
    });
    let (code, out) = probe_against(&socket);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("the engine is older than the API portside speaks"),
        "{out}"
    );
}

#[test]
fn a_socket_this_user_may_not_open_is_named_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    // A socket no one may open (mode 000), in a folder of its own.
    let dir = std::env::temp_dir().join(format!("portside-perm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.join("docker.sock");
    let _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut portside = if std::os::unix::net::UnixStream::connect(&path).is_ok() {
        // Root opens it anyway: portside runs as `nobody` (std drops the other groups), from
        // a link or copy in that folder, since nobody may not read the target folder.
        let bin = dir.join("portside");
        if std::fs::hard_link(env!("CARGO_BIN_EXE_portside"), &bin).is_err() {
            std::fs::copy(env!("CARGO_BIN_EXE_portside"), &bin).unwrap();
        }
        let mut c = std::process::Command::new(bin);
        c.uid(65534).gid(65534);
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
    };
    let o = portside
        .arg("doctor")
        .env_clear()
        .env("DOCKER_HOST", format!("unix://{}", path.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("permission denied on the Docker socket"),
        "{out}"
    );
    assert!(out.contains("usermod -aG docker"), "{out}");
}

#[test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn probe_predicts_host_ports_taken_before_up_and_notes_starting_healthchecks() {
    let image = daemon_image(busybox_image);
    let run = format!("taken-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    // Two free loopback ports: one another container publishes, one a program here holds.
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let by_container = free();
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let by_program = held.local_addr().unwrap().port();
    let publish = format!("127.0.0.1:{by_container}:80");
    compose_container(
        &run,
        "someone-else",
        "web",
        &["-p", &publish],
        true,
        image,
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    // A service whose healthcheck stays "starting" for an hour.
    compose_container(
        &run,
        &project,
        "starting",
        &[
            "-p",
            "127.0.0.1::80",
            "--health-cmd",
            "true",
            "--health-interval",
            "1h",
        ],
        true,
        image,
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("name: {project}\nservices:\n  clash:\n    ports: [\"127.0.0.1:{by_container}:80\"]\n  busy:\n    ports: [\"127.0.0.1:{by_program}:80\"]\n  starting:\n    ports: [\"127.0.0.1::80\"]\n"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["probe", "--format", "json"])
        .arg(dir.join("compose.yaml"))
        .output()
        .unwrap();
    drop(held);
    let _ = std::fs::remove_dir_all(&dir);
    let out: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    let verdict = |service: &str| {
        out["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["mapping"]["service"] == service)
            .unwrap_or_else(|| panic!("{service}: {out:#}"))
            .clone()
    };
    let clash = verdict("clash");
    assert_eq!(clash["step"], "binding", "{clash:#}");
    let message = clash["message"].as_str().unwrap();
    assert!(
        message.contains("already published by container"),
        "{message}"
    );
    assert!(message.contains("project `someone-else`"), "{message}");
    let busy = verdict("busy");
    assert_eq!(busy["step"], "binding", "{busy:#}");
    assert!(
        busy["message"].as_str().unwrap().contains(&format!(
            "something on this host already listens on 127.0.0.1:{by_program}"
        )),
        "{busy:#}"
    );
    let starting = verdict("starting");
    assert_eq!(starting["outcome"], "ok", "{starting:#}");
    assert!(
        starting["message"]
            .as_str()
            .unwrap()
            .contains("its healthcheck has not passed yet"),
        "{starting:#}"
    );
}

#[tokio::test]
async fn the_editor_endpoint_setting_overrides_docker_host() {
    // The setting names a socket that does not exist; DOCKER_HOST names the real daemon.
    // The live check must use the setting and say so.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("lsp")
        .env("DOCKER_HOST", "unix:///var/run/docker.sock")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    c.initialize_with(
        json!({"window": {"workDoneProgress": true}}),
        json!({"live": {"endpoint": "unix:///nonexistent/podman.sock"}}),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("portside-endpoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("compose.yaml");
    let text = "services:\n  web:\n    ports: [\"127.0.0.1:8080:80\"]\n";
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    c.open(&uri, "dockercompose", 1, text).await;
    c.diagnostics_for_version(&uri, 1).await;
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": uri}]}),
        )
        .await;
    let _ = std::fs::remove_dir_all(&dir);
    let error = r["result"]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        error.contains("/nonexistent/podman.sock (from the editor setting live.endpoint)"),
        "{r:#}"
    );
    let message = c.notification("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("is dockerd running?"),
        "{message}"
    );
    // The check showed progress: a token the server created, then begin and end.
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create"),
        "{:?}",
        c.server_requests
    );
    let kinds: Vec<String> = c
        .notifications
        .iter()
        .filter(|n| n["method"] == "$/progress")
        .map(|n| {
            n["params"]["value"]["kind"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["begin", "end"], "{:?}", c.notifications);
}

/// The Compose implementation of this machine: `docker compose` (v2), else `docker-compose`.
fn compose_command() -> Option<Vec<&'static str>> {
    [vec!["docker", "compose"], vec!["docker-compose"]]
        .into_iter()
        .find(|cmd| {
            std::process::Command::new(cmd[0])
                .args(&cmd[1..])
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Takes a Compose project down (and the label sweep removes anything left) on drop.
struct ComposeDown {
    dir: std::path::PathBuf,
    project: String,
}

impl Drop for ComposeDown {
    fn drop(&mut self) {
        let _ = std::process::Command::new("docker-compose")
            .args([
                "-f",
                "compose.yaml",
                "-p",
                &self.project,
                "down",
                "--timeout",
                "1",
            ])
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
#[ignore = "needs a Docker daemon, busybox and Compose: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
async fn a_project_brought_up_by_docker_compose_is_probed_through_the_code_action() {
    let image = daemon_image(busybox_image);
    let compose = need(
        compose_command(),
        "a Compose implementation (`docker compose` or `docker-compose`)",
        "apt-get install docker-compose",
    );
    let run = format!("compose-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "services:\n  web:\n    image: {image}\n    command: httpd -f -p 0.0.0.0:80 -h /\n    ports: [\"127.0.0.1::80\"]\n    labels: {{portside-test-run: {run}}}\n  inner:\n    image: {image}\n    command: httpd -f -p 127.0.0.1:80 -h /\n    ports: [\"127.0.0.1::80\"]\n    labels: {{portside-test-run: {run}}}\nnetworks:\n  default:\n    labels: {{portside-test-run: {run}}}\n"
    );
    std::fs::write(dir.join("compose.yaml"), &text).unwrap();
    let _down = ComposeDown {
        dir: dir.clone(),
        project: project.clone(),
    };
    let up = std::process::Command::new(compose[0])
        .args(&compose[1..])
        .args(["-f", "compose.yaml", "-p", &project, "up", "-d"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(500));

    // The editor: the project name comes from the environment, as docker-compose got it.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("lsp")
        .env("COMPOSE_PROJECT_NAME", &project)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    c.initialize(&["utf-16"]).await;
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    c.open(&uri, "dockercompose", 1, &text).await;
    c.diagnostics_for_version(&uri, 1).await;
    // The file's source action, then its command, as an editor runs them.
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": [], "only": ["source.portside.live"]}}),
        )
        .await;
    let whole = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["command"]["arguments"][0].get("service").is_none())
        .unwrap_or_else(|| panic!("{actions:#}"))
        .clone();
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": whole["command"]["command"], "arguments": whole["command"]["arguments"]}),
        )
        .await;
    let results = r["result"]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:#}"));
    let verdict = |service: &str| {
        results
            .iter()
            .find(|v| v["mapping"]["service"] == service)
            .unwrap_or_else(|| panic!("{service}: {r:#}"))
            .clone()
    };
    assert_eq!(verdict("web")["outcome"], "ok", "{r:#}");
    let inner = verdict("inner");
    assert_eq!(inner["step"], "listen", "{inner:#}");
    // Publications of the same version may come before the verdicts' (the local image's
    // facts arrive on their own): the newest one carries them.
    let mut live_count = 0;
    let mut last = serde_json::Value::Null;
    for _ in 0..10 {
        let d = c.diagnostics_for_version(&uri, 1).await;
        live_count = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["source"] == "portside-live")
            .count();
        last = d;
        if live_count == 2 {
            break;
        }
    }
    assert_eq!(live_count, 2, "{last:#}");
}

/// A server process of a test's own on a loopback port, with its files in a temporary
/// folder; killed and cleaned up on drop.
struct Helper {
    child: std::process::Child,
    dir: std::path::PathBuf,
    port: u16,
}

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A free loopback port (the listener is closed again).
fn free_port() -> Option<u16> {
    Some(
        std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port(),
    )
}

/// The helper once its port accepts connections (5 s at most).
fn started(child: std::process::Child, dir: std::path::PathBuf, port: u16) -> Option<Helper> {
    let helper = Helper { child, dir, port };
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(helper);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    None
}

/// An sshd of the test's own on a loopback port, with fresh host and client keys in a
/// temporary folder (nothing in ~/.ssh is read or written).
fn sshd() -> Option<Helper> {
    let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dir = std::env::temp_dir().join(format!("portside-sshd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    for key in ["host_key", "client_key"] {
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(dir.join(key))
            .status()
            .ok()?
            .success();
        if !ok {
            return None;
        }
    }
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).ok()?;
    let port = free_port()?;
    std::fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\nUsePAM no\n",
            d = dir.display()
        ),
    )
    .ok()?;
    // sshd wants its privilege separation folder.
    let _ = std::fs::create_dir_all("/run/sshd");
    let child = std::process::Command::new(sshd)
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    started(child, dir, port)
}

#[test]
#[ignore = "needs a Docker daemon, busybox and sshd: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn an_ssh_endpoint_reaches_the_daemon_through_docker_system_dial_stdio() {
    let image = daemon_image(busybox_image);
    let server = need(
        sshd(),
        "an sshd of the test's own on loopback (/usr/sbin/sshd and ssh-keygen)",
        "apt-get install openssh-server openssh-client",
    );
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".to_string());
    let host = format!("ssh://{user}@127.0.0.1:{}", server.port);
    let options = format!(
        "-i {d}/client_key -o IdentitiesOnly=yes -o UserKnownHostsFile={d}/known_hosts -o StrictHostKeyChecking=accept-new -o ControlMaster=no",
        d = server.dir.display()
    );
    let portside = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
            .args(args)
            .env("DOCKER_HOST", &host)
            .env("PORTSIDE_SSH_OPTIONS", &options)
            .output()
            .unwrap()
    };
    let o = portside(&["doctor"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{out}");
    assert!(out.contains(&host), "{out}");
    assert!(out.contains("Docker Engine"), "{out}");

    // A project on that daemon: its binding is read; a remote daemon is not connected to.
    let run = format!("ssh-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    compose_container(
        &run,
        &project,
        "web",
        &["-p", "127.0.0.1::80"],
        true,
        image,
        &["httpd", "-f", "-p", "0.0.0.0:80", "-h", "/"],
    );
    let dir = server.dir.join("project");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("name: {project}\nservices:\n  web:\n    ports: [\"127.0.0.1::80\"]\n"),
    )
    .unwrap();
    let compose = dir.join("compose.yaml");
    let o = portside(&["probe", "--format", "json", compose.to_str().unwrap()]);
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let web = &out["results"][0];
    assert_eq!(web["outcome"], "ok", "{out:#}");
    assert!(
        web["message"]
            .as_str()
            .unwrap()
            .contains("remote daemon: not connected to"),
        "{out:#}"
    );
}

/// A TLS front for the real daemon: `stunnel` terminates TLS (client certificates required,
/// as `dockerd --tlsverify` does) on a loopback port and relays to the local socket. The
/// certificates are made with `openssl` in a temporary folder. (socat cannot serve TLS 1.3
/// with client certificates: "session id context uninitialized".)
fn tls_relay() -> Option<Helper> {
    let dir = std::env::temp_dir().join(format!("portside-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let made = openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=portside test CA",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
    ]) && openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server-key.pem",
        "-out",
        "server.csr",
    ]) && std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .is_ok()
        && openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ])
        && openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=client",
            "-keyout",
            "key.pem",
            "-out",
            "client.csr",
        ])
        && std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").is_ok()
        && openssl(&[
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "client.ext",
            "-out",
            "cert.pem",
        ]);
    if !made {
        return None;
    }
    let port = free_port()?;
    let d = dir.display();
    std::fs::write(
        dir.join("stunnel.conf"),
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = /var/run/docker.sock\ncert = {d}/server.pem\nkey = {d}/server-key.pem\nCAfile = {d}/ca.pem\nverifyChain = yes\nrequireCert = yes\n"
        ),
    )
    .ok()?;
    let child = std::process::Command::new("stunnel")
        .arg(dir.join("stunnel.conf"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    started(child, dir, port)
}

#[test]
#[ignore = "needs a Docker daemon, openssl and stunnel: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn tcp_with_tls_from_docker_tls_verify_and_from_a_context() {
    daemon();
    let relay = need(
        tls_relay(),
        "a TLS relay of the test's own (openssl and stunnel)",
        "apt-get install openssl stunnel4",
    );
    let host = format!("tcp://127.0.0.1:{}", relay.port);
    let doctor = |envs: &[(&str, String)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_portside"));
        c.arg("doctor")
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT");
        for (k, v) in envs {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        (
            o.status.success(),
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
        )
    };
    // DOCKER_HOST with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI takes them.
    let (ok, out) = doctor(&[
        ("DOCKER_HOST", host.clone()),
        ("DOCKER_TLS_VERIFY", "1".into()),
        ("DOCKER_CERT_PATH", relay.dir.display().to_string()),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("Docker Engine"), "{out}");
    // Without the client certificate the relay refuses: a clear failure, not a hang.
    let (ok, out) = doctor(&[("DOCKER_HOST", host.clone())]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"),
        "{out}"
    );
    // A context whose TLS folder holds the certificates.
    let config = relay.dir.join("docker-config");
    let id = "0123456789abcdef";
    std::fs::create_dir_all(config.join("contexts/meta").join(id)).unwrap();
    std::fs::create_dir_all(config.join("contexts/tls").join(id).join("docker")).unwrap();
    std::fs::write(
        config.join("contexts/meta").join(id).join("meta.json"),
        format!(r#"{{"Name":"secure","Metadata":{{}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":false}}}}}}"#),
    )
    .unwrap();
    for f in ["ca.pem", "cert.pem", "key.pem"] {
        std::fs::copy(
            relay.dir.join(f),
            config.join("contexts/tls").join(id).join("docker").join(f),
        )
        .unwrap();
    }
    let (ok, out) = doctor(&[
        ("DOCKER_CONFIG", config.display().to_string()),
        ("DOCKER_CONTEXT", "secure".into()),
    ]);
    assert!(ok, "{out}");
    assert!(out.contains("from Docker context `secure`"), "{out}");
    assert!(out.contains("Docker Engine"), "{out}");
}

/// An image with busybox but no `cat` (nor any other applet name): like a distroless image.
fn nocat_image() -> Option<&'static str> {
    build_image(
        "portside-test-nocat:1",
        "FROM scratch\nCOPY busybox /busybox\n",
    )
}

#[test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn without_cat_in_the_image_the_listeners_are_read_from_the_host() {
    let image = daemon_image(nocat_image);
    let run = format!("nocat-{}", std::process::id());
    let project = format!("portside-{run}");
    let _cleanup = Cleanup(run.clone());
    compose_container(
        &run,
        &project,
        "app",
        &["-p", "127.0.0.1::80"],
        true,
        image,
        &["/busybox", "httpd", "-f", "-p", "127.0.0.1:80", "-h", "/"],
    );
    let dir = std::env::temp_dir().join(format!("portside-{run}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("name: {project}\nservices:\n  app:\n    ports: [\"127.0.0.1::80\"]\n"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["probe", "--format", "json"])
        .arg(dir.join("compose.yaml"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let out: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    let app = &out["results"][0];
    assert_eq!(app["step"], "listen", "{out:#}");
    assert!(
        app["message"]
            .as_str()
            .unwrap()
            .contains("listens on 127.0.0.1:80 inside the container"),
        "{out:#}"
    );
}

/// The language server (the binary over stdio) with initialization options `options` and
/// the environment `env`, a Compose file `text` open in a folder of its own (removed by
/// the caller). Returns after the first publication of version 1.
async fn server_on_compose(
    tag: &str,
    options: serde_json::Value,
    env: &[(&str, String)],
    text: &str,
) -> (
    tokio::process::Child,
    common::Client<tokio::process::ChildStdout, tokio::process::ChildStdin>,
    String,
    std::path::PathBuf,
    serde_json::Value,
) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("lsp")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut c = common::Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    c.initialize_with(json!({}), options).await;
    let dir = std::env::temp_dir().join(format!("portside-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("compose.yaml");
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    c.open(&uri, "dockercompose", 1, text).await;
    let first = c.diagnostics_for_version(&uri, 1).await;
    (child, c, uri, dir, first)
}

/// The findings of one rule in a publication, as messages.
fn messages_of(publication: &serde_json::Value, code: &str) -> Vec<String> {
    publication["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits (up to 10 s) until no analysis is in flight; returns the publications of `uri`
/// received meanwhile.
async fn settle(
    c: &mut common::Client<tokio::process::ChildStdout, tokio::process::ChildStdin>,
    uri: &str,
) -> Vec<serde_json::Value> {
    let stats = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.debug.stats", "arguments": []}),
        )
        .await;
    assert_eq!(stats["result"]["idle"], true, "{stats}");
    let mut out = Vec::new();
    c.notifications.retain(|n| {
        let mine = n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri;
        if mine {
            out.push(n["params"].clone());
        }
        !mine
    });
    out
}

static IMAGE_QUESTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A fake daemon that has one image, `example/busy:1`, running BusyBox httpd on 9000.
fn daemon_with_an_image(request: &str) -> Vec<u8> {
    if let Some(answer) = handshake(request) {
        return answer;
    }
    if request.contains("/images/") && request.contains("/json") {
        IMAGE_QUESTIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if request.contains("busy") {
            return http(
                "200 OK",
                "",
                r#"{"Id":"sha256:5e5e5e5e5e5e0123456789abcdef0123456789abcdef0123456789abcdef","Config":{"ExposedPorts":{"9000/tcp":{}},"Env":["PATH=/bin"],"Cmd":["httpd","-f","-p","9000"],"WorkingDir":""}}"#,
            );
        }
        return http(
            "404 Not Found",
            "",
            r#"{"message":"No such image: example/other"}"#,
        );
    }
    http(
        "500 Internal Server Error",
        "",
        r#"{"message":"not faked"}"#,
    )
}

/// The server asks a (fake) daemon for the image of a service the image table does not
/// know, after publishing the static diagnostics, and publishes again with the image's
/// facts: the mapping to a port its command does not listen on, named with the image ID,
/// and the port hover says where the fact comes from. An image the daemon does not have
/// gives nothing; with `live.enabled: false` nothing is asked.
#[tokio::test]
async fn the_editor_reads_a_local_image_from_a_fake_daemon() {
    let socket = fake_daemon("localimage", daemon_with_an_image);
    let endpoint = format!("unix://{}", socket.display());
    let text = "services:\n  web:\n    image: example/busy:1\n    ports: [\"8080:8080\"]\n  other:\n    image: example/other:1\n    ports: [\"8081:8081\"]\n";
    let (_child, mut c, uri, dir, first) = server_on_compose(
        "localimage",
        json!({"live": {"endpoint": endpoint}}),
        &[],
        text,
    )
    .await;
    // The static diagnostics came first, without the image's facts.
    assert!(
        messages_of(&first, "target-port-mismatch").is_empty(),
        "{first}"
    );
    let second = c.diagnostics_for_version(&uri, 1).await;
    let found = messages_of(&second, "target-port-mismatch");
    assert_eq!(found.len(), 1, "{second:#}");
    assert!(
        found[0].contains("listens on port 9000")
            && found[0].contains("from the local image sha256:5e5e5e5e5e5e"),
        "{}",
        found[0]
    );
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 14}}),
        )
        .await;
    let md = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(
        md.contains(
            "the image's listens on 9000 (`-p 9000`, from the local image sha256:5e5e5e5e5e5e)"
        ),
        "{hover:#}"
    );
    // Asked once per image; an edit within 30 s asks nothing again and keeps the facts.
    let asked = IMAGE_QUESTIONS.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(asked, 2);
    c.change(
        &uri,
        2,
        json!([{"text": text.replace("8081:8081", "8082:8082")}]),
    )
    .await;
    let after_edit = c.diagnostics_for_version(&uri, 2).await;
    assert_eq!(
        messages_of(&after_edit, "target-port-mismatch").len(),
        1,
        "{after_edit:#}"
    );
    assert!(settle(&mut c, &uri).await.is_empty());
    assert_eq!(
        IMAGE_QUESTIONS.load(std::sync::atomic::Ordering::SeqCst),
        asked
    );
    let _ = std::fs::remove_dir_all(&dir);

    // Live checks off: no question, no facts.
    let (_child, mut c, uri, dir, first) = server_on_compose(
        "localimage-off",
        json!({"live": {"endpoint": endpoint, "enabled": false}}),
        &[],
        text,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        messages_of(&first, "target-port-mismatch").is_empty(),
        "{first}"
    );
    assert!(settle(&mut c, &uri).await.is_empty());
    assert_eq!(
        IMAGE_QUESTIONS.load(std::sync::atomic::Ordering::SeqCst),
        asked
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&socket);
}

/// A daemon that never answers does not hold the diagnostics back, and a daemon that
/// fails adds nothing and breaks nothing.
#[tokio::test]
async fn a_daemon_that_fails_or_hangs_never_delays_the_diagnostics() {
    let path = std::env::temp_dir().join(format!("portside-imghang-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let failing = fake_daemon("imgfail", |r| {
        handshake(r)
            .unwrap_or_else(|| http("500 Internal Server Error", "", r#"{"message":"boom"}"#))
    });
    let text = "services:\n  web:\n    image: example/busy:1\n    ports: [\"8080:8080\"]\n  db:\n    image: postgres:16\n    ports: [\"5433:5433\"]\n";
    for socket in [&path, &failing] {
        let started = std::time::Instant::now();
        let (_child, mut c, uri, dir, first) = server_on_compose(
            "imgfault",
            json!({"live": {"endpoint": format!("unix://{}", socket.display())}}),
            &[],
            text,
        )
        .await;
        assert!(
            started.elapsed() < std::time::Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        // The static findings are there (the image table's postgres), nothing else.
        assert_eq!(
            messages_of(&first, "target-port-mismatch").len(),
            1,
            "{first:#}"
        );
        // The server goes on answering.
        let hover = c
            .request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 14}}),
            )
            .await;
        assert!(hover["result"]["contents"]["value"].is_string(), "{hover}");
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(&failing);
}

/// A test image that the image table does not know: BusyBox httpd on port 9000, with
/// `EXPOSE 9000`.
fn httpd9000_image() -> Option<&'static str> {
    build_image(
        "portside-test-httpd9000:1",
        "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nENV PATH=/bin\nEXPOSE 9000\nCMD [\"httpd\", \"-f\", \"-p\", \"9000\"]\n",
    )
}

/// Through the editor, against the real daemon: a service run from a locally built image
/// that the image table does not know maps `8080:8080`; the server reads the image
/// (`docker image inspect`) and reports that its command listens on 9000, naming the
/// image's ID. With `live.enabled: false` it says nothing of it.
#[tokio::test]
#[ignore = "needs a Docker daemon and busybox: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
async fn a_local_image_the_table_does_not_know_is_read_through_image_inspect() {
    let image = daemon_image(httpd9000_image);
    let id = need(
        docker(&["image", "inspect", "--format", "{{.Id}}", image]),
        "the test image's ID",
        "docker image inspect",
    );
    let short = &id[..id.len().min(19)];
    let text = format!("services:\n  web:\n    image: {image}\n    ports: [\"8080:8080\"]\n");
    let (_child, mut c, uri, dir, first) =
        server_on_compose("local-image-live", json!({}), &[], &text).await;
    let publication = if messages_of(&first, "target-port-mismatch").is_empty() {
        c.diagnostics_for_version(&uri, 1).await
    } else {
        first
    };
    let found = messages_of(&publication, "target-port-mismatch");
    assert_eq!(found.len(), 1, "{publication:#}");
    assert!(
        found[0].contains("listens on port 9000")
            && found[0].contains(&format!("from the local image {short}")),
        "{} (image {id})",
        found[0]
    );
    let _ = std::fs::remove_dir_all(&dir);

    let (_child, mut c, uri, dir, first) = server_on_compose(
        "local-image-off",
        json!({"live": {"enabled": false}}),
        &[],
        &text,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert!(
        messages_of(&first, "target-port-mismatch").is_empty(),
        "{first:#}"
    );
    assert!(settle(&mut c, &uri).await.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A daemon that says it is Docker Desktop (`docker info` as Desktop for Mac prints it).
fn docker_desktop(request: &str) -> Vec<u8> {
    if let Some(answer) = handshake(request) {
        return answer;
    }
    if request.contains("/info") {
        return http(
            "200 OK",
            "",
            r#"{"OperatingSystem":"Docker Desktop","Name":"docker-desktop","KernelVersion":"6.10.0-linuxkit","OSType":"linux","Labels":["com.docker.desktop.address=unix:///Users/u/Library/Containers/com.docker.docker/Data/docker-cli.sock"]}"#,
        );
    }
    http(
        "500 Internal Server Error",
        "",
        r#"{"message":"not faked"}"#,
    )
}

/// With live checks on, the server asks the daemon for its platform in the background: a
/// Docker Desktop daemon takes `host-docker-internal-linux` away (the name resolves there)
/// with a second publication; a `[host] platform = "engine"` setting outweighs the daemon;
/// with live checks off the daemon is not asked.
#[tokio::test]
async fn the_editor_takes_the_platform_from_a_fake_docker_desktop() {
    let socket = fake_daemon("desktop", docker_desktop);
    let endpoint = format!("unix://{}", socket.display());
    let text = "services:\n  app:\n    image: app\n    environment:\n      API_URL: http://host.docker.internal:9000\n";
    let (_child, mut c, uri, dir, first) = server_on_compose(
        "desktop",
        json!({"live": {"endpoint": endpoint}}),
        &[],
        text,
    )
    .await;
    // The analysis does not wait for the daemon: the first publication may come before
    // its answer (with the finding), then the next one comes without it.
    let last = if messages_of(&first, "host-docker-internal-linux").is_empty() {
        first
    } else {
        c.diagnostics_for_version(&uri, 1).await
    };
    assert!(
        messages_of(&last, "host-docker-internal-linux").is_empty(),
        "{last:#}"
    );
    assert!(settle(&mut c, &uri).await.is_empty());
    let _ = std::fs::remove_dir_all(&dir);

    // The editor's setting says Docker Engine: the daemon does not outweigh it.
    let (_child, mut c, uri, dir, first) = server_on_compose(
        "desktop-setting",
        json!({"live": {"endpoint": endpoint}, "host": {"platform": "engine"}}),
        &[],
        text,
    )
    .await;
    let found = messages_of(&first, "host-docker-internal-linux");
    assert!(
        found.len() == 1 && found[0].contains("does not resolve on Docker Engine (Linux)"),
        "{first:#}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for later in settle(&mut c, &uri).await {
        assert_eq!(messages_of(&later, "host-docker-internal-linux").len(), 1);
    }
    let _ = std::fs::remove_dir_all(&dir);

    // Live checks off: the daemon is not asked, the verdict stays.
    let (_child, mut c, uri, dir, first) = server_on_compose(
        "desktop-off",
        json!({"live": {"endpoint": endpoint, "enabled": false}}),
        &[],
        text,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(messages_of(&first, "host-docker-internal-linux").len(), 1);
    assert!(settle(&mut c, &uri).await.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&socket);
}
