//! Where portside talks to Docker, and how that was chosen: the editor's `live.endpoint`
//! setting (a task-local set by [`with_endpoint`]), `DOCKER_HOST`, a Docker context, else the
//! local socket, and when that does not answer the other places a daemon listens on this
//! machine ([`candidates`]: Docker Desktop's, rootless Docker's and Podman's sockets; on
//! Windows Docker's and Podman's named pipes), the first that answers. Also the words for what
//! goes wrong there: a daemon error ([`describe`]) and a unix socket that is missing or
//! forbidden (`socket_problem`).

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
    local(&candidates(
        std::env::var_os("HOME")
            .as_deref()
            .map(std::path::Path::new),
        std::env::var_os("XDG_RUNTIME_DIR")
            .as_deref()
            .map(std::path::Path::new),
    ))
}

/// What the default local endpoint's words say when it is used.
const DEFAULT_HOW: &str = "the default local socket; DOCKER_HOST and a Docker context are not set";

/// Whether `e` was found on this machine ([`candidates`]) rather than named by a setting,
/// `DOCKER_HOST` or a Docker context.
pub fn discovered(e: &Endpoint) -> bool {
    e.how == DEFAULT_HOW || e.how.contains(", found because nothing answers at ")
}

/// A place on this machine where a daemon may listen, tried in [`candidates`]' order when
/// neither a setting, `DOCKER_HOST` nor a Docker context names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// `unix:///…` or `npipe:////./pipe/…`.
    pub host: String,
    /// Whose it is: "Docker Desktop's socket".
    pub whose: &'static str,
}

/// The places tried, in order: the default (`/var/run/docker.sock`; on Windows Docker's named
/// pipe), then Docker Desktop's `~/.docker/run/docker.sock`, rootless Docker's
/// `$XDG_RUNTIME_DIR/docker.sock`, Podman's `$XDG_RUNTIME_DIR/podman/podman.sock` and root
/// Podman's `/run/podman/podman.sock` (on Windows: Podman machine's named pipe). `home` and
/// `runtime_dir` are `$HOME` and `$XDG_RUNTIME_DIR` (arguments, so tests need not change the
/// process's environment). The paths are those each project documents: Docker Desktop's
/// settings ("Allow the default Docker socket to be used"), dockerd-rootless-setuptool.sh's
/// `DOCKER_HOST`, podman-system-service(1).
pub fn candidates(
    home: Option<&std::path::Path>,
    runtime_dir: Option<&std::path::Path>,
) -> Vec<Candidate> {
    let unix = |path: &std::path::Path, whose| Candidate {
        host: format!("unix://{}", path.display()),
        whose,
    };
    if cfg!(windows) {
        let _ = (home, runtime_dir);
        return vec![
            Candidate {
                host: "npipe:////./pipe/docker_engine".into(),
                whose: "Docker's named pipe",
            },
            Candidate {
                host: "npipe:////./pipe/podman-machine-default".into(),
                whose: "Podman machine's named pipe",
            },
        ];
    }
    let mut all = vec![Candidate {
        host: "unix:///var/run/docker.sock".into(),
        whose: "the default local socket",
    }];
    if let Some(home) = home {
        all.push(unix(
            &home.join(".docker/run/docker.sock"),
            "Docker Desktop's socket",
        ));
    }
    if let Some(dir) = runtime_dir {
        all.push(unix(&dir.join("docker.sock"), "rootless Docker's socket"));
        all.push(unix(&dir.join("podman/podman.sock"), "Podman's socket"));
    }
    all.push(unix(
        std::path::Path::new("/run/podman/podman.sock"),
        "root Podman's socket",
    ));
    all
}

/// What trying a [`Candidate`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// It answered `GET /_ping` (the default socket: it accepted a connection).
    Answers,
    Missing,
    /// A socket file nothing listens on.
    Refused,
    PermissionDenied,
    /// Something listens but does not answer `/_ping` as a Docker API does.
    NotDocker,
}

impl Found {
    pub fn words(self) -> &'static str {
        match self {
            Found::Answers => "answers",
            Found::Missing => "does not exist",
            Found::Refused => "nothing listens on it",
            Found::PermissionDenied => "permission denied",
            Found::NotDocker => "does not answer as a Docker API",
        }
    }
}

/// How long a candidate may take to answer `/_ping`.
#[cfg(unix)]
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// Tries `c`: for the default socket a connection (what the docker CLI would use, at no
/// more cost than before discovery existed), for the others `GET /_ping`, which every Docker
/// API answers with `OK` (Podman's too), within [`PING_TIMEOUT`].
pub fn try_candidate(c: &Candidate, first: bool) -> Found {
    #[cfg(unix)]
    {
        use std::io::{Read, Write};
        let Some(path) = c.host.strip_prefix("unix://") else {
            return Found::NotDocker;
        };
        let mut stream = match std::os::unix::net::UnixStream::connect(path) {
            Ok(s) => s,
            Err(e) => {
                return match e.kind() {
                    std::io::ErrorKind::NotFound => Found::Missing,
                    std::io::ErrorKind::PermissionDenied => Found::PermissionDenied,
                    _ => Found::Refused,
                };
            }
        };
        if first {
            return Found::Answers;
        }
        let _ = stream.set_read_timeout(Some(PING_TIMEOUT));
        let _ = stream.set_write_timeout(Some(PING_TIMEOUT));
        let mut answer = [0u8; 64];
        let mut read = 0;
        if stream
            .write_all(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
            .is_err()
        {
            return Found::NotDocker;
        }
        while read < answer.len() {
            match stream.read(&mut answer[read..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
        let answer = &answer[..read];
        if answer.starts_with(b"HTTP/1.") && answer.get(9..12) == Some(b"200") {
            Found::Answers
        } else {
            Found::NotDocker
        }
    }
    #[cfg(not(unix))]
    {
        let _ = first;
        // A named pipe: whether it exists (opening it would take one of its instances).
        let Some(name) = c.host.strip_prefix("npipe:////./pipe/") else {
            return Found::NotDocker;
        };
        if std::path::Path::new(&format!(r"\\.\pipe\{name}")).exists() {
            Found::Answers
        } else {
            Found::Missing
        }
    }
}

/// The local endpoint among `candidates`: the first (the default) when it accepts a
/// connection, else the first of the others that answers, else the first anyway (so that
/// what goes wrong is said about the socket the docker CLI would use).
fn local(candidates: &[Candidate]) -> Endpoint {
    choose(candidates, try_candidate)
}

/// [`local`] with the trying given (tests).
fn choose(candidates: &[Candidate], found: impl Fn(&Candidate, bool) -> Found) -> Endpoint {
    let default = Endpoint {
        host: candidates
            .first()
            .map_or_else(String::new, |c| c.host.clone()),
        how: DEFAULT_HOW.into(),
        tls: None,
    };
    let Some((first, others)) = candidates.split_first() else {
        return default;
    };
    if found(first, true) == Found::Answers {
        return default;
    }
    others
        .iter()
        .find(|c| found(c, false) == Found::Answers)
        .map_or(default, |c| Endpoint {
            host: c.host.clone(),
            how: format!(
                "{}, found because nothing answers at {} and DOCKER_HOST and a Docker context are not set",
                c.whose, first.host
            ),
            tls: None,
        })
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

/// Whether the daemon runs on this machine (a unix socket, a Windows named pipe, or TCP on
/// loopback), so that its published ports can be tried on loopback (Docker Desktop forwards
/// them there from its VM).
pub fn is_local() -> bool {
    let host = endpoint().host;
    host.starts_with("unix://")
        || host.starts_with("npipe://")
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

/// Without unix sockets (Windows) there is nothing to say about one.
#[cfg(not(unix))]
pub(super) fn socket_problem() -> Option<String> {
    None
}

/// For a unix socket endpoint, what the operating system says is wrong with it: no socket
/// (with Podman's socket when there is one), or no permission (with the fix).
#[cfg(unix)]
pub(super) fn socket_problem() -> Option<String> {
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
#[cfg(unix)]
fn unix_socket(e: &Endpoint) -> Option<String> {
    e.host.strip_prefix("unix://").map(str::to_string)
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::path::{Path, PathBuf};

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("portside-endpoint-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A unix socket at `path` that answers every request with `answer` (a fake daemon
    /// that answers `/_ping`, or something else).
    fn serve(path: &Path, answer: &'static [u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 256];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(answer);
            }
        });
    }

    const PONG: &[u8] = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";

    /// The candidates of a fake machine under `root`: its own default socket and root
    /// Podman's, so that nothing of this machine's daemons is seen.
    fn fake(root: &Path) -> Vec<Candidate> {
        let mut all = candidates(Some(&root.join("home")), Some(&root.join("run")));
        all[0].host = format!("unix://{}/var/docker.sock", root.display());
        let last = all.len() - 1;
        all[last].host = format!("unix://{}/rootpodman/podman.sock", root.display());
        all
    }

    #[test]
    fn the_candidates_in_order() {
        let all = candidates(
            Some(Path::new("/home/u")),
            Some(Path::new("/run/user/1000")),
        );
        let hosts: Vec<_> = all.iter().map(|c| (c.host.as_str(), c.whose)).collect();
        assert_eq!(
            hosts,
            [
                ("unix:///var/run/docker.sock", "the default local socket"),
                (
                    "unix:///home/u/.docker/run/docker.sock",
                    "Docker Desktop's socket"
                ),
                (
                    "unix:///run/user/1000/docker.sock",
                    "rootless Docker's socket"
                ),
                (
                    "unix:///run/user/1000/podman/podman.sock",
                    "Podman's socket"
                ),
                ("unix:///run/podman/podman.sock", "root Podman's socket"),
            ]
        );
        // Without HOME and XDG_RUNTIME_DIR: the default and root Podman's.
        assert_eq!(candidates(None, None).len(), 2);
    }

    /// The first candidate that answers is used, in order; the default socket wins whenever
    /// it accepts a connection; with none answering, the default is kept (its error is the
    /// one reported).
    #[test]
    fn discovery_with_fake_sockets() {
        let root = temp("discovery");
        let all = fake(&root);
        let path = |i: usize| PathBuf::from(all[i].host.strip_prefix("unix://").unwrap());
        // Nothing anywhere.
        let e = local(&all);
        assert_eq!(
            (e.host.as_str(), e.how.as_str()),
            (all[0].host.as_str(), DEFAULT_HOW)
        );
        assert!(
            all.iter()
                .all(|c| try_candidate(c, false) == Found::Missing)
        );
        // A stale default socket (nothing listens), and Podman's socket answering.
        std::fs::create_dir_all(path(0).parent().unwrap()).unwrap();
        drop(std::os::unix::net::UnixListener::bind(path(0)).unwrap());
        assert_eq!(try_candidate(&all[0], true), Found::Refused);
        serve(&path(3), PONG);
        let e = local(&all);
        assert_eq!(e.host, all[3].host);
        assert!(
            e.how
                .starts_with("Podman's socket, found because nothing answers at unix://"),
            "{}",
            e.how
        );
        // Something that is not a Docker API at Docker Desktop's place is passed over.
        serve(&path(1), b"SSH-2.0-OpenSSH_9.2\r\n");
        assert_eq!(try_candidate(&all[1], false), Found::NotDocker);
        assert_eq!(local(&all).host, all[3].host);
        // Rootless Docker's socket comes before Podman's.
        serve(&path(2), PONG);
        let e = local(&all);
        assert_eq!(e.host, all[2].host);
        assert!(e.how.starts_with("rootless Docker's socket"), "{}", e.how);
        // A default socket that accepts is used as before.
        std::fs::remove_file(path(0)).unwrap();
        serve(&path(0), PONG);
        let e = local(&all);
        assert_eq!(
            (e.host.as_str(), e.how.as_str()),
            (all[0].host.as_str(), DEFAULT_HOW)
        );
        let _ = std::fs::remove_dir_all(&root);
    }

    /// `choose` asks each candidate once at most, in order, and the default only for a
    /// connection.
    #[test]
    fn choose_stops_at_the_first_answer() {
        let all = candidates(Some(Path::new("/h")), Some(Path::new("/r")));
        let asked = std::sync::Mutex::new(Vec::new());
        let e = choose(&all, |c, first| {
            asked.lock().unwrap().push((c.whose, first));
            if c.whose == "Docker Desktop's socket" {
                Found::Answers
            } else {
                Found::Missing
            }
        });
        assert_eq!(e.host, "unix:///h/.docker/run/docker.sock");
        assert_eq!(
            *asked.lock().unwrap(),
            [
                ("the default local socket", true),
                ("Docker Desktop's socket", false)
            ]
        );
    }
}
