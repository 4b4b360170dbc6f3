//! Live smoke test against the real Docker daemon: connect the way the docker CLI does,
//! negotiate the API version and read the daemon's version. With
//! PORTSIDE_REQUIRE_DOCKER=1 (CI sets it) a missing daemon fails the test; without it the
//! test says loudly that it skipped.

fn docker_required() -> bool {
    std::env::var("PORTSIDE_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

#[tokio::test]
async fn connects_negotiates_and_reads_the_version() {
    let docker = match portside::live::connect().await {
        Ok(d) => d,
        Err(e) if !docker_required() => {
            eprintln!(
                "\n!!! SKIPPED live smoke test: no Docker daemon ({e}).\n!!! Set PORTSIDE_REQUIRE_DOCKER=1 to make this a failure (CI does).\n"
            );
            return;
        }
        Err(e) => panic!("PORTSIDE_REQUIRE_DOCKER=1 but no Docker daemon answers: {e}"),
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
fn doctor_reports_the_daemon() {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .arg("doctor")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("endpoint:"), "{out}");
    if o.status.success() {
        assert!(out.contains("Docker Engine"), "{out}");
    } else if docker_required() {
        panic!("PORTSIDE_REQUIRE_DOCKER=1 but `portside doctor` failed:\n{out}");
    } else {
        eprintln!("\n!!! SKIPPED doctor check: no Docker daemon.\n{out}");
    }
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
