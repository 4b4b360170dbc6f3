//! The only module that talks to Docker. It reads; it never creates, changes or removes
//! containers, networks or images. Every call has a timeout.
//!
//! - [`endpoint`]: where the daemon is (settings, `DOCKER_HOST`, contexts) and error wording;
//! - [`ssh`]: the `ssh://` transport;
//! - [`plan`]: what to check for a Compose project (pure: mappings, links, project name);
//! - [`proc_net`]: the `/proc/net/tcp*` parser;
//! - [`engine`]: the daemon calls portside makes, behind a trait (bollard's `Docker` is the
//!   one implementation);
//! - [`host`]: this machine as the probe uses it (TCP connects, `/proc` reads), behind a trait;
//! - [`step`]: what the probe found, as values, and their words (one place);
//! - [`probe`]: the step logic that turns the daemon's answers into verdicts.

pub mod endpoint;
pub mod engine;
pub mod host;
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
        Docker::connect_with_unix(path, timeout, version)
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
