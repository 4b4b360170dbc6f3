//! The only module that talks to Docker. It reads; it never creates, changes or removes
//! containers, networks or images. Every call has a timeout.

pub mod probe;

use std::time::Duration;

use bollard::Docker;

/// How long any single daemon call may take before portside gives up on it.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Where portside connects and why, in words for `portside doctor` and error messages.
pub fn endpoint_description() -> String {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if !host.is_empty() => format!("{host} (from DOCKER_HOST)"),
        _ => "unix:///var/run/docker.sock (the default local socket; DOCKER_HOST is not set)"
            .to_string(),
    }
}

/// Whether the daemon runs on this machine (a unix socket, or TCP on loopback), so that
/// its published ports can be tried on loopback.
pub fn is_local() -> bool {
    match std::env::var("DOCKER_HOST") {
        Ok(host) if !host.is_empty() => {
            host.starts_with("unix://")
                || host.starts_with("tcp://127.")
                || host.starts_with("tcp://localhost")
                || host.starts_with("tcp://[::1]")
        }
        _ => true,
    }
}

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
    let docker = Docker::connect_with_defaults().map_err(|e| {
        LiveError(format!(
            "cannot use the Docker endpoint {}: {e}",
            endpoint_description()
        ))
    })?;
    match tokio::time::timeout(CALL_TIMEOUT, docker.negotiate_version()).await {
        Ok(Ok(docker)) => Ok(docker),
        Ok(Err(e)) => Err(LiveError(format!(
            "no Docker daemon answers at {}: {e}. Is dockerd running, and may this user use \
             its socket?",
            endpoint_description()
        ))),
        Err(_) => Err(LiveError(format!(
            "the Docker daemon at {} did not answer within {} s",
            endpoint_description(),
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

/// What the daemon says about itself.
#[derive(Debug, Clone)]
pub struct DaemonVersion {
    pub engine: String,
    pub api: String,
    pub min_api: String,
    pub os: String,
    /// The API version portside negotiated.
    pub negotiated: String,
}

pub async fn version(docker: &Docker) -> Result<DaemonVersion, LiveError> {
    let v = tokio::time::timeout(CALL_TIMEOUT, docker.version())
        .await
        .map_err(|_| LiveError("the Docker daemon did not answer `version` in time".into()))?
        .map_err(|e| LiveError(format!("the Docker daemon refused `version`: {e}")))?;
    let unknown = || "unknown".to_string();
    let negotiated = docker.client_version();
    Ok(DaemonVersion {
        engine: v.version.unwrap_or_else(unknown),
        api: v.api_version.unwrap_or_else(unknown),
        min_api: v.min_api_version.unwrap_or_else(unknown),
        os: v.os.unwrap_or_else(unknown),
        negotiated: format!("{}.{}", negotiated.major_version, negotiated.minor_version),
    })
}
