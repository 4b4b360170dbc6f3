//! The `portside` command line, run as a user would.

use std::process::{Command, Output};

fn portside(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run portside")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn check_examples_prints_findings_like_a_compiler() {
    let o = portside(&["check", "examples/"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains(
            "error[invalid-port-spec]: Docker rejects this port: \"invalid IP address: localhost\""
        ),
        "{out}"
    );
    assert!(
        out.contains("--> examples/broken/compose.yaml:10:10"),
        "{out}"
    );
    assert!(out.contains("|          ^^^^^^^^^"), "{out}");
    assert!(out.contains("examples/broken/daemon.json:3:10"), "{out}");
    assert!(
        out.contains("portside: 10 errors, 6 warnings in 6 files"),
        "{out}"
    );
    // Plain output when not on a terminal.
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn clean_example_passes() {
    let o = portside(&["check", "examples/clean"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("no problems found in 3 files"));
}

#[test]
fn json_output_uses_lsp_ranges() {
    let o = portside(&["check", "--format", "json", "examples/broken/compose.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first = &v[0];
    assert_eq!(first["path"], "examples/broken/compose.yaml");
    assert_eq!(first["code"], "invalid-port-spec");
    assert_eq!(first["severity"], "error");
    assert_eq!(
        first["range"]["start"],
        serde_json::json!({"line": 9, "character": 9})
    );
    assert_eq!(
        first["range"]["end"],
        serde_json::json!({"line": 9, "character": 18})
    );
}

#[test]
fn deny_warnings_and_usage_errors() {
    let dir = std::env::temp_dir().join(format!("portside-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("daemon.json"),
        "{\"debug\": true, \"debug\": false}",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    assert_eq!(portside(&["check", d]).status.code(), Some(0));
    assert_eq!(
        portside(&["check", "--deny", "warnings", d]).status.code(),
        Some(1)
    );
    let missing = portside(&["check", "/definitely/not/here"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/definitely/not/here"));
    std::fs::write(dir.join("notes.txt"), "x").unwrap();
    let other = portside(&["check", dir.join("notes.txt").to_str().unwrap()]);
    assert_eq!(other.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&other.stderr).contains("not a Compose file"));
    std::fs::write(dir.join("compose.yaml"), [0xff, 0xfe, b'a']).unwrap();
    let binary = portside(&["check", d]);
    assert_eq!(binary.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&binary.stderr).contains("not UTF-8"));
    assert_eq!(
        portside(&["check", "--format", "yaml"]).status.code(),
        Some(2)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ports_prints_dockers_interpretation() {
    let o = portside(&[
        "ports",
        "--format",
        "json",
        "127.0.0.1:8080:80",
        "8000-8010:80",
        "localhost:1:2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"spec": "127.0.0.1:8080:80", "bindings": [{"host_ip": "127.0.0.1", "published": "8080", "target": 80, "protocol": "tcp"}]},
            {"spec": "8000-8010:80", "bindings": [{"host_ip": "", "published": "8000-8010", "target": 80, "protocol": "tcp"}]},
            {"spec": "localhost:1:2", "error": "invalid IP address: localhost"}
        ])
    );
    let o = portside(&["ports", "80"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("host all interfaces, a random free port -> container port 80/tcp")
    );
}

#[test]
fn rules_and_explain() {
    let o = portside(&["rules"]);
    assert!(stdout(&o).contains("invalid-port-spec    error"));
    let o = portside(&["explain", "invalid-port-spec"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for section in [
        "## What it does",
        "## Why it matters",
        "## Example",
        "## Fix",
    ] {
        assert!(out.contains(section), "{out}");
    }
    assert_eq!(
        portside(&["explain", "no-such-rule"]).status.code(),
        Some(2)
    );
}

#[test]
fn fix_applies_quick_fixes_and_reports_what_is_left() {
    let dir = std::env::temp_dir().join(format!("portside-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let compose = dir.join("compose.yaml");
    std::fs::write(
        &compose,
        "services:\n  db:\n    image: postgres:16\n  app:\n    environment:\n      DATABASE_URL: postgres://u:p@localhost:5432/app\n    ports:\n      - 22:22\n      - \"localhost:8080:80\"\n    links: [db]\n",
    )
    .unwrap();
    let o = portside(&["check", "--fix", dir.to_str().unwrap()]);
    let fixed = std::fs::read_to_string(&compose).unwrap();
    assert!(fixed.contains("postgres://u:p@db:5432/app"), "{fixed}");
    assert!(fixed.contains("- \"22:22\""), "{fixed}");
    assert!(fixed.contains("\"127.0.0.1:8080:80\""), "{fixed}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("applied 3 fixes"));
    // What is left (`links`, which has no fix) is still reported.
    assert!(stdout(&o).contains("links-legacy"), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn portside_toml_configures_check_and_is_checked_itself() {
    let dir = std::env::temp_dir().join(format!("portside-toml-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("svc")).unwrap();
    std::fs::write(
        dir.join("svc/compose.yaml"),
        "services:\n  a:\n    ports: [\"8080\"]\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    assert!(stdout(&portside(&["check", d])).contains("container-port-only"));
    std::fs::write(
        dir.join("portside.toml"),
        "[rules]\ncontainer-port-only = \"off\"\npublish-all-interface = \"off\"\n",
    )
    .unwrap();
    let o = portside(&["check", d]);
    let out = stdout(&o);
    assert!(!out.contains("container-port-only"), "{out}");
    assert!(out.contains("warning[invalid-setting]"), "{out}");
    assert!(
        out.contains("Did you mean `publish-all-interfaces`?"),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sarif_output_has_the_shape_github_code_scanning_needs() {
    let o = portside(&["check", "examples/broken", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "portside");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        assert!(r["id"].is_string(), "{r}");
        assert!(r["shortDescription"]["text"].is_string(), "{r}");
        assert!(
            r["helpUri"].as_str().unwrap().starts_with("https://"),
            "{r}"
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()),
            "{r}"
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 16, "10 errors and 6 warnings");
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "{r}");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].as_str().is_some_and(|m| !m.is_empty()));
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("examples/broken/") && !uri.contains('\\'),
            "{uri}"
        );
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap() >= 1, "{r}");
        }
    }
    // The localhost token, 1-based like the text output.
    assert!(results.iter().any(|r| {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        r["ruleId"] == "invalid-port-spec"
            && region["startLine"] == 10
            && region["startColumn"] == 10
    }));
}

#[test]
fn github_annotations() {
    let o = portside(&["check", "examples/broken", "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=examples/broken/compose.yaml,line=10,col=10,endLine=10,endColumn=19,title=portside invalid-port-spec::Docker rejects this port"
        )),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.starts_with("::")).count(), 16);
    assert!(
        out.lines()
            .all(|l| !l.starts_with("::") || !l[2..].contains('\n'))
    );
}

/// `portside check ... | head`: a pipe closed early ends the program quietly, as
/// command-line tools do (no "failed printing to stdout" panic, no exit 101).
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // The reference is larger than a pipe's buffer, so the writer meets the closed end.
    let mut child = Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["rules", "--markdown"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run portside");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "# portside rules\n");
    // The reader is gone here: the pipe is closed.
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(o.status.code(), Some(101), "{err}");
}

/// Folder mode finds the Compose file names people write, and `--verbose` says what it
/// passed over and why.
#[test]
fn folder_mode_finds_compose_names_and_says_what_it_skipped() {
    let dir = std::env::temp_dir().join(format!("portside-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("docker-compose")).unwrap();
    std::fs::create_dir_all(dir.join("node_modules")).unwrap();
    let compose = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n";
    for name in [
        "docker-compose-dev.yml",
        "compose-ci.yaml",
        "prod.docker-compose.yml",
        "docker-compose/monitoring.yml",
    ] {
        std::fs::write(dir.join(name), compose).unwrap();
    }
    std::fs::write(
        dir.join("docker-compose/prometheus.yml"),
        "scrape_configs: []\n",
    )
    .unwrap();
    std::fs::write(dir.join("stack.yml"), compose).unwrap();
    let o = portside(&["check", "--verbose", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(stdout(&o).contains("no problems found in 4 files"), "{err}");
    for checked in [
        "docker-compose-dev.yml as compose",
        "compose-ci.yaml as compose",
        "prod.docker-compose.yml as compose",
        "monitoring.yml as compose",
    ] {
        assert!(err.contains(checked), "{checked}: {err}");
    }
    assert!(err.contains("stack.yml: not a Compose file name"), "{err}");
    assert!(
        err.contains("prometheus.yml: in a docker-compose/ folder"),
        "{err}"
    );
    assert!(err.contains("node_modules: version control"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `portside map` of examples/broken against the goldens in tests/golden/ (Mermaid, DOT and
/// SVG); `PORTSIDE_BLESS=1 cargo test --test cli map_` rewrites them. Two runs give the
/// same bytes.
#[test]
fn map_of_the_broken_example_matches_its_goldens() {
    let bless = std::env::var("PORTSIDE_BLESS").is_ok_and(|v| v == "1");
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    for (format, file) in [
        ("mermaid", "broken.mmd"),
        ("dot", "broken.dot"),
        ("svg", "broken.svg"),
    ] {
        let o = portside(&["map", "examples/broken/compose.yaml", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let out = stdout(&o);
        let again = stdout(&portside(&[
            "map",
            "examples/broken/compose.yaml",
            "--format",
            format,
        ]));
        assert_eq!(out, again, "{format} output differs between runs");
        let path = golden.join(file);
        if bless {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &out).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; PORTSIDE_BLESS=1 cargo test --test cli map_ writes it",
                path.display()
            )
        });
        assert!(
            out == want,
            "{format} map differs from {}; if the change is intended, PORTSIDE_BLESS=1 rewrites it\n{out}",
            path.display()
        );
    }
    // SVG is the default, and the refused connection's finding is its tooltip.
    let o = portside(&["map", "examples/broken/compose.yaml"]);
    let svg = stdout(&o);
    assert!(svg.starts_with("<?xml"), "{svg}");
    assert!(
        svg.contains("<title>published-port-between-containers: 6380 is the host port"),
        "{svg}"
    );
}

/// The README's picture, docs/images/map-broken.svg, is `portside map
/// examples/broken/compose.yaml` on a white background (GitHub's dark theme would otherwise
/// show dark text on dark); it fails when the map changed and the picture did not.
/// `PORTSIDE_BLESS=1 cargo test --test cli map_` rewrites it.
#[test]
fn map_image_in_docs_is_up_to_date() {
    let o = portside(&["map", "examples/broken/compose.yaml", "--format", "svg"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let svg = stdout(&o);
    let tag_end = svg[svg.find("<svg ").expect("an <svg> tag")..]
        .find('>')
        .unwrap()
        + svg.find("<svg ").unwrap()
        + 1;
    let image = format!(
        "{}\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>{}",
        &svg[..tag_end],
        &svg[tag_end..]
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/images/map-broken.svg");
    if std::env::var("PORTSIDE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &image).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        image == want,
        "{} is stale: PORTSIDE_BLESS=1 cargo test --test cli map_ rewrites it",
        path.display()
    );
}

/// `portside map --live` with no daemon at the endpoint: exit 2, and the endpoint named.
#[test]
fn map_live_without_a_daemon_exits_2_naming_the_endpoint() {
    let o = Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["map", "--live", "examples/broken/compose.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("DOCKER_HOST", "unix:///nonexistent/portside-map.sock")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stdout.is_empty(), "no map without the verdicts asked for");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/nonexistent/portside-map.sock"), "{err}");
}

#[test]
fn map_says_why_there_is_no_map() {
    let dir = std::env::temp_dir().join(format!("portside-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("map")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no Compose file here"), "{err}");
    let bad = dir.join("compose.yaml");
    std::fs::write(&bad, "services:\n  web: [\n").unwrap();
    let o = portside(&["map", bad.to_str().unwrap(), "--format", "mermaid"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("compose.yaml:3:1: no map: YAML syntax error"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `portside doctor` with no daemon named (no DOCKER_HOST, no context): the places it looked
/// for one, in order, and what it found at each; a fake Podman socket that answers `/_ping`
/// is found; the platform line says where the platform came from (a `[host] platform`
/// setting of the directory's portside.toml, else the guess or "unknown").
#[cfg(unix)]
#[test]
fn doctor_lists_the_sockets_it_tried_and_the_platform() {
    use std::io::{Read, Write};
    let root = std::env::temp_dir().join(format!("portside-doctor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (home, run, work) = (root.join("home"), root.join("run"), root.join("work"));
    for d in [&home, &run, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    let doctor = || {
        let o = Command::new(env!("CARGO_BIN_EXE_portside"))
            .arg("doctor")
            .current_dir(&work)
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env("DOCKER_CONFIG", root.join("docker-config"))
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &run)
            .output()
            .unwrap();
        (o.status.code(), stdout(&o))
    };
    // Whether this machine's own default socket answers (a CI runner's dockerd): then it is
    // the endpoint, whatever else answers.
    let default_answers = std::os::unix::net::UnixStream::connect("/var/run/docker.sock").is_ok();
    let (code, out) = doctor();
    let desktop = format!("unix://{}/.docker/run/docker.sock", home.display());
    let rootless = format!("unix://{}/docker.sock", run.display());
    let podman = format!("unix://{}/podman/podman.sock", run.display());
    let tried: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("tried:"))
        .take_while(|l| l.starts_with("tried:") || l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(tried.len(), 5, "{out}");
    assert!(
        tried[0].starts_with("tried:    unix:///var/run/docker.sock (the default local socket): "),
        "{out}"
    );
    assert_eq!(
        tried[1],
        format!("{desktop} (Docker Desktop's socket): does not exist")
    );
    assert_eq!(
        tried[2],
        format!("{rootless} (rootless Docker's socket): does not exist")
    );
    assert_eq!(
        tried[3],
        format!("{podman} (Podman's socket): does not exist")
    );
    assert!(
        tried[4].starts_with("unix:///run/podman/podman.sock (root Podman's socket): "),
        "{out}"
    );
    assert!(out.contains("\nplatform: "), "{out}");
    if !default_answers {
        assert_eq!(code, Some(1), "{out}");
        assert!(
            out.starts_with("endpoint: unix:///var/run/docker.sock (the default local socket;"),
            "{out}"
        );
        assert!(
            out.contains("platform: unknown (no setting, no daemon that says"),
            "{out}"
        );
        assert!(out.contains("daemon:   not reachable"), "{out}");
    }
    // A fake Podman: it answers `/_ping` (and every other request) with `OK`.
    std::fs::create_dir_all(run.join("podman")).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(run.join("podman/podman.sock")).unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf);
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
        }
    });
    let (code, out) = doctor();
    assert!(
        out.contains(&format!("{podman} (Podman's socket): answers")),
        "{out}"
    );
    if !default_answers {
        assert!(
            out.starts_with(&format!(
                "endpoint: {podman} (Podman's socket, found because nothing answers at unix:///var/run/docker.sock and DOCKER_HOST and a Docker context are not set)"
            )),
            "{out}"
        );
        // It is not a Docker API beyond `/_ping`: said, and the exit code is 1.
        assert_eq!(code, Some(1), "{out}");
        assert!(
            out.contains("is not the JSON a Docker daemon sends"),
            "{out}"
        );
    }
    // A `[host] platform` setting of the directory wins over the daemon and the guess.
    std::fs::write(
        work.join("portside.toml"),
        "[host]\nplatform = \"docker-desktop\"\n",
    )
    .unwrap();
    let (_, out) = doctor();
    assert!(
        out.contains(&format!(
            "platform: Docker Desktop (from the `[host] platform` setting in {})",
            work.join("portside.toml").display()
        )),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&root);
}
