//! The only module that talks to Docker. It reads; it never creates, changes or removes
//! containers, networks or images. Every call has a timeout.

pub mod probe;
pub mod ssh;

use std::time::Duration;

use bollard::Docker;

/// How long any single daemon call may take before portside gives up on it.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// The endpoint portside talks to, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…`, `tcp://…`, `ssh://…`.
    pub host: String,
    pub how: String,
    /// For a Docker context with TLS material: its folder (`ca.pem`, `cert.pem`, `key.pem`).
    pub tls: Option<std::path::PathBuf>,
}

tokio::task_local! {
    /// The editor's `live.endpoint` setting (a Podman socket, a remote daemon) for the live
    /// calls of one request: the server runs each probe inside [`with_endpoint`] with its
    /// session's settings, so there is no process-wide endpoint and the CLI never sees one.
    static ENDPOINT_SETTING: Option<String>;
}

/// Runs `f` (the live calls of one request) with the editor's `live.endpoint` setting, which
/// overrides `DOCKER_HOST` and the Docker contexts for every [`endpoint`] it asks for.
pub async fn with_endpoint<F: std::future::Future>(setting: Option<String>, f: F) -> F::Output {
    ENDPOINT_SETTING
        .scope(setting.filter(|h| !h.is_empty()), f)
        .await
}

/// The endpoint as the docker CLI picks it, after the editor's `live.endpoint` setting:
/// `DOCKER_HOST`, else the context named by
/// `DOCKER_CONTEXT` or `currentContext` in `~/.docker/config.json` (its
/// `Endpoints.docker.Host` in `~/.docker/contexts/meta/*/meta.json`), else the local socket.
pub fn endpoint() -> Endpoint {
    if let Some(host) = ENDPOINT_SETTING.try_with(|e| e.clone()).ok().flatten() {
        return Endpoint {
            host,
            how: "from the editor setting live.endpoint".into(),
            tls: None,
        };
    }
    if let Ok(host) = std::env::var("DOCKER_HOST")
        && !host.is_empty()
    {
        return Endpoint {
            host,
            how: "from DOCKER_HOST".into(),
            tls: None,
        };
    }
    let config_dir = std::env::var_os("DOCKER_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".docker")));
    let (context, source) = match std::env::var("DOCKER_CONTEXT") {
        Ok(c) if !c.is_empty() => (Some(c), "DOCKER_CONTEXT"),
        _ => (
            config_dir
                .as_ref()
                .and_then(|d| std::fs::read_to_string(d.join("config.json")).ok())
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v["currentContext"].as_str().map(str::to_string)),
            "currentContext in ~/.docker/config.json",
        ),
    };
    if let Some(name) = context.filter(|c| c != "default") {
        let found = config_dir.as_ref().and_then(|d| context_host(d, &name));
        return match found {
            Some((host, tls)) => Endpoint {
                host,
                how: format!("from Docker context `{name}` ({source})"),
                tls,
            },
            None => Endpoint {
                host: String::new(),
                how: format!(
                    "Docker context `{name}` ({source}) has no Docker endpoint in ~/.docker/contexts"
                ),
                tls: None,
            },
        };
    }
    Endpoint {
        host: "unix:///var/run/docker.sock".into(),
        how: "the default local socket; DOCKER_HOST and a Docker context are not set".into(),
        tls: None,
    }
}

/// `Endpoints.docker.Host` of the context called `name`, and its TLS folder
/// (`contexts/tls/<id>/docker`, where `<id>` names its meta folder too) when that holds a
/// client certificate. The folders are named by a hash of the name; reading each
/// meta.json avoids computing it.
fn context_host(
    config_dir: &std::path::Path,
    name: &str,
) -> Option<(String, Option<std::path::PathBuf>)> {
    let meta = config_dir.join("contexts").join("meta");
    std::fs::read_dir(meta).ok()?.flatten().find_map(|entry| {
        let text = std::fs::read_to_string(entry.path().join("meta.json")).ok()?;
        let v: serde_json::Value = serde_json::from_str(&text).ok()?;
        if v["Name"].as_str() != Some(name) {
            return None;
        }
        let host = v["Endpoints"]["docker"]["Host"].as_str()?.to_string();
        let tls = config_dir
            .join("contexts")
            .join("tls")
            .join(entry.file_name())
            .join("docker");
        let tls = tls.join("cert.pem").exists().then_some(tls);
        Some((host, tls))
    })
}

/// Where portside connects and why, in words for `portside doctor` and error messages.
pub fn endpoint_description() -> String {
    let e = endpoint();
    if e.host.is_empty() {
        e.how
    } else {
        format!("{} ({})", e.host, e.how)
    }
}

/// Whether the daemon runs on this machine (a unix socket, or TCP on loopback), so that
/// its published ports can be tried on loopback.
pub fn is_local() -> bool {
    let host = endpoint().host;
    host.starts_with("unix://")
        || host.starts_with("tcp://127.")
        || host.starts_with("tcp://localhost")
        || host.starts_with("tcp://[::1]")
}

/// Whether the daemon runs rootless (`SecurityOptions` has `name=rootless`): published ports
/// below 1024 then fail, and traffic arrives from the rootless network stack.
pub async fn rootless(docker: &Docker) -> Option<bool> {
    let info = tokio::time::timeout(CALL_TIMEOUT, docker.info())
        .await
        .ok()?
        .ok()?;
    Some(
        info.security_options
            .unwrap_or_default()
            .iter()
            .any(|o| o.contains("name=rootless")),
    )
}

#[derive(Debug)]
pub struct LiveError(pub String);

impl std::fmt::Display for LiveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LiveError {}

/// What went wrong when the daemon was asked to `what` (`list containers`), in words: a
/// refusal (with the daemon's message, and the engine being too old when it says so), an
/// answer that is not what Docker sends, or a connection that broke.
pub fn describe(what: &str, e: &bollard::errors::Error) -> String {
    use bollard::errors::Error as E;
    match e {
        E::DockerResponseServerError {
            status_code,
            message,
        } => {
            let old = message.contains("too new") || message.contains("client version");
            format!(
                "the Docker daemon refused to {what} ({status_code}: {}){}",
                message.trim(),
                if old {
                    "; the engine is older than the API portside speaks (1.24, Engine 1.12, or later)"
                } else {
                    ""
                }
            )
        }
        E::JsonDataError { .. } | E::JsonSerdeError { .. } | E::StrParseError { .. } => format!(
            "the answer to `{what}` is not the JSON a Docker daemon sends ({e}): is something other than dockerd (a proxy, another service) listening at {}?",
            endpoint_description()
        ),
        E::APIVersionParseError {} => format!(
            "the daemon at {} answered with an API version portside cannot read: is it a Docker daemon?",
            endpoint_description()
        ),
        E::HyperResponseError { .. } | E::IOError { .. } | E::HyperLegacyError { .. } => {
            format!("the connection to the Docker daemon broke while it answered `{what}` ({e})")
        }
        _ => format!("the Docker daemon could not {what}: {e}"),
    }
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

/// For a unix socket endpoint, what the operating system says is wrong with it: no socket
/// (with Podman's socket when there is one), or no permission (with the fix).
fn socket_problem() -> Option<String> {
    let e = endpoint();
    let path = unix_socket(&e)?;
    let err = std::os::unix::net::UnixStream::connect(&path).err()?;
    match err.kind() {
        std::io::ErrorKind::PermissionDenied => Some(format!(
            "permission denied on the Docker socket {} ({}): add this user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again), or use rootless Docker",
            e.host, e.how
        )),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => Some(format!(
            "no Docker socket at {} ({}): is dockerd running?{}",
            e.host,
            e.how,
            podman_socket()
                .filter(|p| *p != path)
                .map(|p| format!(" Podman's Docker-compatible socket is at {p}: set DOCKER_HOST=unix://{p} (or the editor setting live.endpoint) to use it"))
                .unwrap_or_default()
        )),
        _ => None,
    }
}

/// Podman's Docker-compatible socket, when it exists (rootless, then rootful).
pub fn podman_socket() -> Option<String> {
    let rootless = std::env::var("XDG_RUNTIME_DIR")
        .ok()
        .map(|d| format!("{d}/podman/podman.sock"));
    rootless
        .into_iter()
        .chain(["/run/podman/podman.sock".to_string()])
        .find(|p| std::path::Path::new(p).exists())
}

/// The socket path of a `unix://` endpoint.
fn unix_socket(e: &Endpoint) -> Option<String> {
    e.host.strip_prefix("unix://").map(str::to_string)
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
        .map_err(|e| LiveError(describe("report its version", &e)))?;
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
