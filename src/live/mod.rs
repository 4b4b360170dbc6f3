//! The only module that talks to Docker. It reads: it never creates, changes or removes
//! containers, networks or images. The one exception is documented: an exec of
//! `cat /proc/net/tcp /proc/net/tcp6` in a running container ([`engine::PROC_NET_CAT`]) to
//! see what listens inside it. Every call has a timeout. A test below scans these sources
//! for calls that would write.
//!
//! - [`endpoint`]: where the daemon is (settings, `DOCKER_HOST`, contexts) and error wording;
//! - [`ssh`]: the `ssh://` transport;
//! - [`plan`]: what to check for a Compose project (pure: mappings, links, project name);
//! - [`proc_net`]: the `/proc/net/tcp*` parser;
//! - [`engine`]: the daemon calls portside makes, behind a trait (bollard's `Docker` is the
//!   one implementation);
//! - [`host`]: this machine as the probe uses it (TCP connects, `/proc` reads), behind a trait;
//! - [`image`]: images on the host (`docker image inspect`), for services run from an image
//!   the image table does not know;
//! - [`step`]: what the probe found, as values, and their words (one place);
//! - [`probe`]: the step logic that turns the daemon's answers into verdicts.

pub mod endpoint;
pub mod engine;
pub mod host;
pub mod image;
pub mod plan;
pub mod probe;
pub mod proc_net;
pub mod ssh;
pub mod step;

use std::time::Duration;

use bollard::Docker;

use endpoint::socket_problem;
pub use endpoint::{
    Endpoint, describe, endpoint, endpoint_description, is_local, podman_socket, with_endpoint,
};
pub use engine::{DaemonVersion, Engine, rootless, version};

/// How long any single daemon call may take before portside gives up on it.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct LiveError(pub String);

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LiveError {}

/// A client of the unix socket at `path`.
#[cfg(unix)]
fn unix_client(
    path: &str,
    timeout: u64,
    version: &bollard::ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    Docker::connect_with_unix(path, timeout, version)
}

/// Windows has no unix sockets, and bollard no unix connector there.
#[cfg(not(unix))]
fn unix_client(
    path: &str,
    _timeout: u64,
    _version: &bollard::ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    Err(bollard::errors::Error::UnsupportedURISchemeError {
        uri: format!("unix://{path}"),
    })
}

/// Connects the way the docker CLI does without contexts: `DOCKER_HOST` (unix, tcp, with
/// TLS when `DOCKER_TLS_VERIFY` is set), else the local socket. Then negotiates the API
/// version, so requests use one the daemon speaks.
pub async fn connect() -> Result<Docker, LiveError> {
    let e = endpoint();
    let timeout = CALL_TIMEOUT.as_secs();
    let version = bollard::API_DEFAULT_VERSION;
    let docker = if let Some(dir) = &e.tls {
        // A context's TLS material (the docker CLI's `--tlsverify` context).
        let host = e.host.replacen("tcp://", "https://", 1);
        Docker::connect_with_ssl(
            &host,
            &dir.join("key.pem"),
            &dir.join("cert.pem"),
            &dir.join("ca.pem"),
            timeout,
            version,
        )
    } else if e.how == "from DOCKER_HOST" && !e.host.starts_with("ssh://") {
        // bollard reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself.
        Docker::connect_with_defaults()
    } else if let Some(path) = e.host.strip_prefix("unix://") {
        unix_client(path, timeout, version)
    } else if e.host.starts_with("tcp://") || e.host.starts_with("http://") {
        Docker::connect_with_http(&e.host, timeout, version)
    } else if e.host.starts_with("ssh://") {
        ssh::connect(&e.host, timeout, version)
    } else if e.host.is_empty() {
        return Err(LiveError(format!("cannot use Docker: {}", e.how)));
    } else {
        return Err(LiveError(format!(
            "the Docker endpoint {} is not supported yet (portside speaks unix://, tcp:// and ssh://; set DOCKER_HOST to one)",
            endpoint_description()
        )));
    }
    .map_err(|err| {
        LiveError(socket_problem().unwrap_or_else(|| {
            format!(
                "cannot use the Docker endpoint {}: {err}",
                endpoint_description()
            )
        }))
    })?;
    match tokio::time::timeout(CALL_TIMEOUT, docker.negotiate_version()).await {
        Ok(Ok(docker)) => Ok(docker),
        // Something answered, but not like dockerd.
        Ok(Err(
            e @ (bollard::errors::Error::APIVersionParseError {}
            | bollard::errors::Error::JsonDataError { .. }
            | bollard::errors::Error::JsonSerdeError { .. }),
        )) => Err(LiveError(describe("report its version", &e))),
        Ok(Err(e)) => Err(LiveError(socket_problem().unwrap_or_else(|| {
            let e_point = endpoint();
            let tls_hint = if e_point.host.starts_with("tcp://")
                && e_point.tls.is_none()
                && std::env::var_os("DOCKER_TLS_VERIFY").is_none()
            {
                " If it expects TLS (port 2376), set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH."
            } else {
                ""
            };
            format!(
                "no Docker daemon answers at {}: {e}. Is dockerd running, and may this user use its socket?{tls_hint}",
                endpoint_description()
            )
        }))),
        Err(_) => Err(LiveError(format!(
            "the Docker daemon at {} did not answer within {} s",
            endpoint_description(),
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

#[cfg(test)]
mod tests {
    /// Words in the name of a call that changes something on a daemon (bollard's
    /// `create_container`, `start_container`, `remove_image`, `connect_network`,
    /// `prune_volumes`, ...).
    const WRITES: [&str; 20] = [
        "create", "start", "stop", "remove", "kill", "pull", "build", "connect", "prune",
        "restart", "pause", "update", "rename", "commit", "push", "tag", "import", "upload",
        "delete", "attach",
    ];

    /// Calls whose names have such a word and change nothing on a daemon: bollard's
    /// constructors, a TCP or socket connect, builders, strings and vectors, and the one
    /// documented exec (`cat /proc/net/tcp /proc/net/tcp6`, see `engine::PROC_NET_CAT`).
    const ALLOWED: [&str; 14] = [
        "connect",
        "connects",
        "connect_with_custom_transport",
        "connect_with_defaults",
        "connect_with_http",
        "connect_with_ssl",
        "connect_with_unix",
        "build",
        "build_with",
        "push",
        "push_str",
        "starts_with",
        "trim_start_matches",
        "create_exec",
    ];

    /// The calls (`.name(` or `::name(`) of `source` outside comments and its tests whose
    /// names say they change something and are not [`ALLOWED`] (with `start_exec` and
    /// `inspect_exec` allowed too: they run and read the exec `create_exec` made).
    fn writes(source: &str) -> Vec<String> {
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let mut out = Vec::new();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or_default();
            let bytes = line.as_bytes();
            for (i, _) in line.match_indices('(') {
                let start = line[..i]
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |s| s + 1);
                let name = &line[start..i];
                if start == 0 || !matches!(bytes[start - 1], b'.' | b':') || name.is_empty() {
                    continue;
                }
                let allowed =
                    ALLOWED.contains(&name) || name == "start_exec" || name == "inspect_exec";
                if !allowed && WRITES.iter().any(|w| name.contains(w)) {
                    out.push(name.to_string());
                }
            }
        }
        out
    }

    /// Live is read-only, except the documented exec: no source of `src/live` calls
    /// anything that creates, starts, stops, removes, kills, pulls, builds, connects or
    /// prunes; the only exec runs `cat /proc/net/tcp /proc/net/tcp6`.
    #[test]
    fn live_is_read_only_except_the_documented_exec() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/live");
        let mut files = 0;
        let mut execs = Vec::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let found = writes(&text);
            assert!(found.is_empty(), "{} calls {found:?}", path.display());
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            if code.contains("create_exec(") || code.contains("ExecConfig") {
                execs.push(path.file_name().unwrap().to_string_lossy().into_owned());
                assert_eq!(
                    code.matches("ExecConfig {").count(),
                    1,
                    "{}",
                    path.display()
                );
                assert!(
                    code.contains("cmd: Some(PROC_NET_CAT"),
                    "{}",
                    path.display()
                );
            }
        }
        assert!(files >= 9, "only {files} sources in {}", dir.display());
        assert_eq!(execs, ["engine.rs"]);
        assert_eq!(
            super::engine::PROC_NET_CAT,
            ["cat", "/proc/net/tcp", "/proc/net/tcp6"]
        );
    }

    /// The scan sees a write when there is one.
    #[test]
    fn the_read_only_scan_finds_writes() {
        let text = "async fn f(d: &Docker) {\n    d.remove_container(\"x\", None).await;\n    Docker::prune_images(d, None).await; // d.kill_container(\n    let _ = s.starts_with(\"a\");\n    d.connect_network(\"n\", c).await;\n}\n#[cfg(test)]\nmod tests { fn g() { d.stop_container(\"x\") } }\n";
        assert_eq!(
            writes(text),
            ["remove_container", "prune_images", "connect_network"]
        );
    }
}
