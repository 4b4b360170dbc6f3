//! Where portside talks to Docker, and how that was chosen: the editor's `live.endpoint`
//! setting (a task-local set by [`with_endpoint`]), `DOCKER_HOST`, a Docker context, else the
//! local socket. Also the words for what goes wrong there: a daemon error ([`describe`]) and a
//! unix socket that is missing or forbidden (`socket_problem`).

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

/// For a unix socket endpoint, what the operating system says is wrong with it: no socket
/// (with Podman's socket when there is one), or no permission (with the fix).
pub(super) fn socket_problem() -> Option<String> {
    let e = endpoint();
    let path = unix_socket(&e)?;
    let err = unix_connect_error(&path)?;
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

/// Why connecting to the unix socket at `path` fails, if it does; nothing where the system
/// has no unix sockets (Windows).
fn unix_connect_error(path: &str) -> Option<std::io::Error> {
    #[cfg(unix)]
    return std::os::unix::net::UnixStream::connect(path).err();
    #[cfg(not(unix))]
    {
        let _ = path;
        None
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
