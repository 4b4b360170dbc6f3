//! The reachability probe: for each published port mapping of a Compose project, ask the
//! daemon and the network, step by step, whether `curl 127.0.0.1:PORT` would answer, and
//! name the first step that fails. Read-only: it lists and inspects containers, reads
//! `/proc/net/tcp*` inside a running container through an exec of `cat`, and opens a TCP
//! connection to the published port (loopback, or the mapping's own host address).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use bollard::Docker;
use bollard::models::ContainerSummary;
use serde::Serialize;

use super::plan::{Link, Mapping, privileged};
use super::proc_net::{is_loopback, listening};
use super::{CALL_TIMEOUT, LiveError};

/// How long a TCP connect to a published port may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// After connecting: an app waits for the request; a connection closed within this time
/// means nothing in the container took it (docker-proxy accepts on the app's behalf).
pub const READ_WINDOW: Duration = Duration::from_millis(300);

/// A verdict on a [`Link`].
#[derive(Debug, Clone, Serialize)]
pub struct LinkVerdict {
    pub link: Link,
    pub outcome: Outcome,
    /// `network`, `container`, `networks`, `listen`.
    pub step: &'static str,
    pub message: String,
}

/// Checks external networks exist, and that services that name each other share a network
/// and that the named one listens on the port on a non-loopback address.
pub async fn probe_links(
    docker: &Docker,
    project: &str,
    links: &[Link],
) -> Result<Vec<LinkVerdict>, LiveError> {
    let containers = project_containers(docker, project).await?;
    let running = |service: &str| {
        containers.iter().find(|c| {
            service_of(c) == Some(service)
                && c.state.as_ref().is_some_and(|s| s.to_string() == "running")
        })
    };
    let mut out = Vec::new();
    // Whether the daemon is a swarm manager, asked once when an overlay network needs it.
    let mut manager: Option<Result<bool, String>> = None;
    for l in links {
        let verdict = |outcome, step, message: String| LinkVerdict {
            link: l.clone(),
            outcome,
            step,
            message,
        };
        if l.kind == "swarm" {
            let answer = match &manager {
                Some(answer) => answer.clone(),
                None => {
                    let asked = match tokio::time::timeout(CALL_TIMEOUT, docker.info()).await {
                        Ok(Ok(info)) => Ok(info
                            .swarm
                            .and_then(|s| s.control_available)
                            .unwrap_or(false)),
                        Ok(Err(e)) => Err(format!("cannot ask the daemon about swarm mode: {e}")),
                        Err(_) => Err("the daemon did not answer in time".into()),
                    };
                    manager.insert(asked).clone()
                }
            };
            out.push(match answer {
                Ok(true) => verdict(
                    Outcome::Ok,
                    "swarm",
                    format!("this daemon is a swarm manager: it can create overlay network `{}`", l.from),
                ),
                Ok(false) => verdict(
                    Outcome::Fail,
                    "swarm",
                    format!(
                        "network `{}` uses the overlay driver and this daemon is not a swarm manager: `docker compose up` fails with \"This node is not a swarm manager\". Use the bridge driver on a single host, or `docker swarm init`",
                        l.from
                    ),
                ),
                Err(message) => verdict(Outcome::Fail, "swarm", message),
            });
            continue;
        }
        if l.kind == "network" {
            let found =
                tokio::time::timeout(CALL_TIMEOUT, docker.inspect_network(&l.from, None)).await;
            out.push(match found {
                Ok(Ok(_)) => verdict(Outcome::Ok, "network", format!("external network `{}` exists", l.from)),
                Ok(Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. })) => verdict(
                    Outcome::Fail,
                    "network",
                    format!("external network `{}` does not exist: Compose refuses to start (`docker network create {}`)", l.from, l.from),
                ),
                Ok(Err(e)) => verdict(Outcome::Fail, "network", format!("cannot inspect network `{}`: {e}", l.from)),
                Err(_) => verdict(Outcome::Fail, "network", "the daemon did not answer in time".into()),
            });
            continue;
        }
        let (Some(a), Some(b)) = (running(&l.from), running(&l.to)) else {
            let missing = if running(&l.to).is_none() {
                &l.to
            } else {
                &l.from
            };
            out.push(verdict(
                Outcome::Fail,
                "container",
                format!(
                    "`{missing}` has no running container, so `{}` cannot reach `{}`",
                    l.from, l.to
                ),
            ));
            continue;
        };
        let networks = |c: &ContainerSummary| -> Vec<String> {
            c.network_settings
                .as_ref()
                .and_then(|n| n.networks.as_ref())
                .map(|n| n.keys().cloned().collect())
                .unwrap_or_default()
        };
        let (na, nb) = (networks(a), networks(b));
        let shared: Vec<&String> = na.iter().filter(|n| nb.contains(n)).collect();
        if shared.is_empty() {
            out.push(verdict(
                Outcome::Fail,
                "networks",
                format!(
                    "`{}` (on {}) and `{}` (on {}) share no network: the name `{}` does not resolve from `{}`",
                    l.from,
                    na.join(", "),
                    l.to,
                    nb.join(", "),
                    l.to,
                    l.from
                ),
            ));
            continue;
        }
        // A name other than the service's must be one the daemon's DNS answers on a shared
        // network: an alias there, or the container's name (a container created before the
        // alias was added does not have it).
        if !l.name.is_empty() && l.name != l.to {
            let id = b.id.clone().unwrap_or_default();
            if let Ok(Ok(inspect)) =
                tokio::time::timeout(CALL_TIMEOUT, docker.inspect_container(&id, None)).await
            {
                let container_name = inspect
                    .name
                    .as_deref()
                    .unwrap_or_default()
                    .trim_start_matches('/')
                    .to_string();
                let hostname = inspect
                    .config
                    .as_ref()
                    .and_then(|c| c.hostname.clone())
                    .unwrap_or_default();
                let mut names: Vec<String> = Vec::new();
                if let Some(nets) = inspect.network_settings.and_then(|n| n.networks) {
                    for (net, endpoint) in nets {
                        if shared.iter().any(|s| **s == net) {
                            names.extend(endpoint.aliases.unwrap_or_default());
                            names.extend(endpoint.dns_names.unwrap_or_default());
                        }
                    }
                }
                let resolves = names.iter().any(|n| n == &l.name)
                    || l.name == container_name
                    // Not decided here: leave hostnames to the static rules.
                    || l.name == hostname;
                if !resolves {
                    names.retain(|n| n.len() != 12 || !n.bytes().all(|b| b.is_ascii_hexdigit()));
                    names.sort();
                    names.dedup();
                    out.push(verdict(
                        Outcome::Fail,
                        "names",
                        format!(
                            "`{}` does not resolve from `{}`: the running `{}` container ({container_name}) answers on {} to {}; recreate it (`docker compose up -d {}`) if the alias was added since",
                            l.name,
                            l.from,
                            l.to,
                            shared.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
                            if names.is_empty() {
                                "no alias".to_string()
                            } else {
                                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                            },
                            l.to
                        ),
                    ));
                    continue;
                }
            }
        }
        let shared = shared
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let Some(port) = l.port else {
            out.push(verdict(
                Outcome::Ok,
                "networks",
                format!("`{}` and `{}` share {shared}", l.from, l.to),
            ));
            continue;
        };
        let id = b.id.clone().unwrap_or_default();
        out.push(
            match listeners(docker, &id, crate::live::is_local()).await {
                Ok(listeners) => {
                    let on: Vec<&IpAddr> = listeners
                        .iter()
                        .filter(|(_, p)| *p == port)
                        .map(|(ip, _)| ip)
                        .collect();
                    if on.is_empty() {
                        verdict(
                            Outcome::Fail,
                            "listen",
                            format!("nothing in `{}` listens on port {port}", l.to),
                        )
                    } else if on.iter().all(|ip| is_loopback(ip)) {
                        verdict(
                            Outcome::Fail,
                            "listen",
                            format!(
                                "`{}` listens on {}:{port}, loopback only: `{}` is refused",
                                l.to, on[0], l.from
                            ),
                        )
                    } else {
                        verdict(
                            Outcome::Ok,
                            "listen",
                            format!(
                                "`{}` listens on {}:{port} and shares {shared} with `{}`",
                                l.to, on[0], l.from
                            ),
                        )
                    }
                }
                Err(e) => verdict(
                    Outcome::Ok,
                    "networks",
                    format!(
                        "`{}` and `{}` share {shared} (could not look inside `{}`: {e})",
                        l.from, l.to, l.to
                    ),
                ),
            },
        );
    }
    Ok(out)
}

/// Passed or failed, and at which step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub mapping: Mapping,
    pub outcome: Outcome,
    /// `container`, `health`, `binding`, `connect`, `listen`, or `answer` when it worked.
    pub step: &'static str,
    pub message: String,
    /// The host port Docker really bound, when known.
    pub host_port: Option<u16>,
    #[serde(rename = "elapsed_ms")]
    #[serde(serialize_with = "millis")]
    pub elapsed: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// Reads a running container's listening sockets through `cat` (read-only exec).
async fn container_listeners(docker: &Docker, id: &str) -> Result<Vec<(IpAddr, u16)>, String> {
    use futures_util::StreamExt;
    let config = bollard::models::ExecConfig {
        cmd: Some(vec![
            "cat".into(),
            "/proc/net/tcp".into(),
            "/proc/net/tcp6".into(),
        ]),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let run = async {
        let exec = docker
            .create_exec(id, config)
            .await
            .map_err(|e| e.to_string())?;
        let mut text = String::new();
        if let bollard::exec::StartExecResults::Attached { mut output, .. } = docker
            .start_exec(&exec.id, None)
            .await
            .map_err(|e| e.to_string())?
        {
            while let Some(chunk) = output.next().await {
                if let Ok(bollard::container::LogOutput::StdOut { message }) = chunk {
                    text.push_str(&String::from_utf8_lossy(&message));
                }
            }
        }
        Ok::<_, String>(text)
    };
    let text = tokio::time::timeout(CALL_TIMEOUT, run)
        .await
        .map_err(|_| "no answer in time".to_string())??;
    if !text.contains("local_address") {
        return Err("the image has no `cat`, or /proc/net/tcp cannot be read".into());
    }
    Ok(listening(&text))
}

/// The listening sockets of a container read from the host: `/proc/<pid>/net/tcp{,6}` of
/// its main process, which shows the container's network namespace. For a local daemon
/// whose image has no `cat` (distroless, `FROM scratch`).
async fn host_proc_listeners(docker: &Docker, id: &str) -> Result<Vec<(IpAddr, u16)>, String> {
    let inspect = tokio::time::timeout(CALL_TIMEOUT, docker.inspect_container(id, None))
        .await
        .map_err(|_| "no answer in time".to_string())?
        .map_err(|e| e.to_string())?;
    let pid = inspect
        .state
        .and_then(|s| s.pid)
        .filter(|&p| p > 0)
        .ok_or("the container has no process")?;
    let mut text = String::new();
    for file in ["tcp", "tcp6"] {
        if let Ok(t) = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) {
            text.push_str(&t);
        }
    }
    if !text.contains("local_address") {
        return Err(format!("/proc/{pid}/net/tcp cannot be read from here"));
    }
    Ok(listening(&text))
}

/// What listens inside a container: through an exec of `cat`, else (local daemons) from
/// the host's `/proc/<pid>/net`.
async fn listeners(docker: &Docker, id: &str, local: bool) -> Result<Vec<(IpAddr, u16)>, String> {
    match container_listeners(docker, id).await {
        Ok(l) => Ok(l),
        Err(e) if local => host_proc_listeners(docker, id)
            .await
            .map_err(|e2| format!("{e}; {e2}")),
        Err(e) => Err(e),
    }
}

enum Connect {
    /// It took the connection (in this time) and kept it open (waiting for a request) or
    /// answered.
    Open(Duration),
    /// Accepted, then closed at once: docker-proxy found nothing behind it.
    Closed,
    Refused,
    Timeout,
    Other(String),
}

async fn connect(addr: SocketAddr) -> Connect {
    use tokio::io::AsyncReadExt;
    let started = Instant::now();
    match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
        Err(_) => Connect::Timeout,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Connect::Refused,
        Ok(Err(e)) => Connect::Other(e.to_string()),
        Ok(Ok(mut stream)) => {
            let took = started.elapsed();
            let mut buf = [0u8; 64];
            match tokio::time::timeout(READ_WINDOW, stream.read(&mut buf)).await {
                Err(_) => Connect::Open(took),
                Ok(Ok(0)) => Connect::Closed,
                Ok(Ok(_)) => Connect::Open(took),
                Ok(Err(_)) => Connect::Closed,
            }
        }
    }
}

/// The project's containers (all states), by Compose's labels.
async fn project_containers(
    docker: &Docker,
    project: &str,
) -> Result<Vec<ContainerSummary>, LiveError> {
    let mut filters = HashMap::new();
    filters.insert(
        "label".to_string(),
        vec![format!("com.docker.compose.project={project}")],
    );
    let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    tokio::time::timeout(CALL_TIMEOUT, docker.list_containers(Some(options)))
        .await
        .map_err(|_| LiveError("the Docker daemon did not list containers in time".into()))?
        .map_err(|e| LiveError(crate::live::describe("list containers", &e)))
}

fn service_of(c: &ContainerSummary) -> Option<&str> {
    c.labels
        .as_ref()?
        .get("com.docker.compose.service")
        .map(String::as_str)
}

fn name_of(c: &ContainerSummary) -> String {
    c.names
        .as_ref()
        .and_then(|n| n.first())
        .map(|n| n.trim_start_matches('/').to_string())
        .or_else(|| c.id.as_ref().map(|i| i.chars().take(12).collect()))
        .unwrap_or_default()
}

/// Probes every mapping of `project`. `local`: the daemon runs on this machine, so its
/// published ports can be tried on loopback.
pub async fn probe(
    docker: &Docker,
    project: &str,
    mappings: &[Mapping],
    local: bool,
) -> Result<Vec<Verdict>, LiveError> {
    let containers = project_containers(docker, project).await?;
    // Every running container, to tell who already holds a host port (fetched once, and
    // only when some mapping has no running container to look at).
    let without_running = mappings.iter().any(|m| {
        !containers.iter().any(|c| {
            service_of(c) == Some(m.service.as_str())
                && c.state.as_ref().is_some_and(|s| s.to_string() == "running")
        })
    });
    let running = if without_running {
        running_containers(docker).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    // A rootless daemon cannot bind host ports below the host's sysctl (local daemons only:
    // the sysctl read here is this machine's).
    let unprivileged_start = if local && crate::live::rootless(docker).await == Some(true) {
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .ok()
            .and_then(|s| s.trim().parse::<u16>().ok())
            .or(Some(1024))
    } else {
        None
    };
    let mut out = Vec::with_capacity(mappings.len());
    for m in mappings {
        let started = Instant::now();
        let (outcome, step, message, host_port) = match privileged(m, unprivileged_start) {
            // Nothing of it is bound yet: that is why.
            Some(message) if !bound(&containers, m) => (Outcome::Fail, "binding", message, None),
            _ => match taken(&running, &containers, m, local).await {
                Some(message) => (Outcome::Fail, "binding", message, None),
                None => one(docker, project, &containers, m, local).await,
            },
        };
        out.push(Verdict {
            mapping: m.clone(),
            outcome,
            step,
            message,
            host_port,
            elapsed: started.elapsed(),
        });
    }
    Ok(out)
}

type Step = (Outcome, &'static str, String, Option<u16>);

/// Every running container of the daemon.
async fn running_containers(docker: &Docker) -> Result<Vec<ContainerSummary>, LiveError> {
    tokio::time::timeout(CALL_TIMEOUT, docker.list_containers(None))
        .await
        .map_err(|_| LiveError("the Docker daemon did not list containers in time".into()))?
        .map_err(|e| LiveError(crate::live::describe("list containers", &e)))
}

/// When the mapping's service has no running container, whether its fixed host port is
/// already held, so that `up` would fail with "port is already allocated": by another
/// running container (from the daemon's list), or, for a local daemon, by a program on
/// this host (a connect, which binds nothing).
async fn taken(
    running: &[ContainerSummary],
    ours: &[ContainerSummary],
    m: &Mapping,
    local: bool,
) -> Option<String> {
    let is_running =
        |c: &ContainerSummary| c.state.as_ref().is_some_and(|s| s.to_string() == "running");
    if ours
        .iter()
        .any(|c| service_of(c) == Some(m.service.as_str()) && is_running(c))
    {
        return None;
    }
    let port = m.published.parse::<u16>().ok().filter(|&p| p != 0)?;
    let unspecified = |ip: &str| ip.is_empty() || ip == "0.0.0.0" || ip == "::";
    for c in running {
        let holds = c.ports.as_ref().is_some_and(|ports| {
            ports.iter().any(|p| {
                let ip = p.ip.as_deref().unwrap_or("");
                p.public_port == Some(port)
                    && p.typ.as_ref().is_some_and(|t| t.to_string() == m.protocol)
                    && (unspecified(ip) || unspecified(&m.host_ip) || ip == m.host_ip)
            })
        });
        if holds {
            return Some(format!(
                "host port {port}/{} is already published by container `{}`{}: `docker compose up` will fail with \"port is already allocated\". Stop that container or choose another host port",
                m.protocol,
                name_of(c),
                c.labels
                    .as_ref()
                    .and_then(|l| l.get("com.docker.compose.project"))
                    .map(|p| format!(" (project `{p}`)"))
                    .unwrap_or_default()
            ));
        }
    }
    if !local || m.protocol != "tcp" {
        return None;
    }
    let ip: IpAddr = match m.host_ip.parse::<IpAddr>() {
        Ok(ip) if !ip.is_unspecified() => ip,
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let addr = SocketAddr::new(ip, port);
    match connect(addr).await {
        Connect::Open(_) | Connect::Closed => Some(format!(
            "something on this host already listens on {addr}: `docker compose up` will fail with \"address already in use\". Stop it (`ss -ltnp 'sport = :{port}'` shows which program) or choose another host port"
        )),
        _ => None,
    }
}

/// Whether a running container of the mapping's service publishes its container port.
fn bound(containers: &[ContainerSummary], m: &Mapping) -> bool {
    containers.iter().any(|c| {
        service_of(c) == Some(m.service.as_str())
            && c.ports.as_ref().is_some_and(|ports| {
                ports
                    .iter()
                    .any(|p| p.private_port == m.target && p.public_port.is_some())
            })
    })
}

fn fail(step: &'static str, message: String, port: Option<u16>) -> Step {
    (Outcome::Fail, step, message, port)
}

async fn one(
    docker: &Docker,
    project: &str,
    containers: &[ContainerSummary],
    m: &Mapping,
    local: bool,
) -> Step {
    let ours: Vec<&ContainerSummary> = containers
        .iter()
        .filter(|c| service_of(c) == Some(m.service.as_str()))
        .collect();
    if ours.is_empty() {
        return fail(
            "container",
            format!(
                "no container of service `{}` in project `{project}`: run `docker compose up -d {}`",
                m.service, m.service
            ),
            None,
        );
    }
    let running: Vec<&&ContainerSummary> = ours
        .iter()
        .filter(|c| c.state.as_ref().is_some_and(|s| s.to_string() == "running"))
        .collect();
    let Some(c) = running.first() else {
        let c = ours[0];
        let status = c.status.clone().unwrap_or_else(|| "not running".into());
        let created = c.state.as_ref().is_some_and(|s| s.to_string() == "created");
        let message = if created {
            format!(
                "`{}` was created but never started: `docker compose up -d {}`",
                name_of(c),
                m.service
            )
        } else {
            format!(
                "`{}` is not running ({status}): `docker compose logs {}` says why",
                name_of(c),
                m.service
            )
        };
        return fail("container", message, None);
    };
    let name = name_of(c);
    if c.status
        .as_deref()
        .is_some_and(|s| s.contains("(unhealthy)"))
    {
        return fail(
            "health",
            format!(
                "`{name}` is running but its healthcheck fails (`docker inspect {name}` shows the probe's output)"
            ),
            None,
        );
    }
    // While the healthcheck has not passed yet, traffic may still be refused: say so with
    // whatever the probe finds.
    let starting = c
        .status
        .as_deref()
        .is_some_and(|s| s.contains("(health: starting)"));
    let step = one_running(docker, c, &name, m, local).await;
    if starting {
        let (outcome, step, message, port) = step;
        let note = if outcome == Outcome::Ok {
            "; its healthcheck has not passed yet"
        } else {
            "; its healthcheck has not passed yet: it may still be starting, try again in a moment"
        };
        return (outcome, step, format!("{message}{note}"), port);
    }
    step
}

/// The steps after the container: binding, connect, what listens inside.
async fn one_running(
    docker: &Docker,
    c: &ContainerSummary,
    name: &str,
    m: &Mapping,
    local: bool,
) -> Step {
    let id = c.id.clone().unwrap_or_default();
    let inspect =
        match tokio::time::timeout(CALL_TIMEOUT, docker.inspect_container(&id, None)).await {
            Ok(Ok(i)) => i,
            Ok(Err(e)) => return fail("container", format!("cannot inspect `{name}`: {e}"), None),
            Err(_) => {
                return fail(
                    "container",
                    format!("the daemon did not answer `inspect {name}` in time"),
                    None,
                );
            }
        };
    let key = format!("{}/{}", m.target, m.protocol);
    let ports = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.clone())
        .unwrap_or_default();
    let bindings = ports.get(&key).cloned().flatten().unwrap_or_default();
    if bindings.is_empty() {
        let mut published: Vec<String> = ports
            .iter()
            .filter(|(_, b)| b.as_ref().is_some_and(|b| !b.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        published.sort();
        return fail(
            "binding",
            format!(
                "`{name}` does not publish {key} (it publishes {}): the container predates this mapping; run `docker compose up -d {}`",
                if published.is_empty() {
                    "nothing".to_string()
                } else {
                    published.join(", ")
                },
                m.service
            ),
            None,
        );
    }
    // The binding for this mapping's address (the daemon lists 0.0.0.0 and :: for "all").
    let wanted_ip = match m.host_ip.as_str() {
        "" => None,
        ip => Some(ip),
    };
    let binding = bindings
        .iter()
        .find(|b| wanted_ip.is_none_or(|ip| b.host_ip.as_deref() == Some(ip)))
        .or(bindings.first());
    let host_port: Option<u16> = binding
        .and_then(|b| b.host_port.as_deref())
        .and_then(|p| p.parse().ok());
    let bound_ip = binding.and_then(|b| b.host_ip.clone()).unwrap_or_default();
    if let (Some(actual), Ok(fixed)) = (host_port, m.published.parse::<u16>())
        && actual != fixed
    {
        return fail(
            "binding",
            format!(
                "`{name}` publishes {key} on host port {actual}, not {fixed}: recreate it with `docker compose up -d {}`",
                m.service
            ),
            host_port,
        );
    }
    let Some(port) = host_port else {
        return fail(
            "binding",
            format!("`{name}` has no host port for {key}"),
            None,
        );
    };
    if m.protocol != "tcp" {
        return (
            Outcome::Ok,
            "binding",
            format!(
                "bound on {bound_ip}:{port}/{} (only TCP is probed)",
                m.protocol
            ),
            host_port,
        );
    }
    if !local {
        return (
            Outcome::Ok,
            "binding",
            format!(
                "bound on {bound_ip}:{port} of the daemon's host (remote daemon: not connected to)"
            ),
            host_port,
        );
    }
    let ip: IpAddr = match bound_ip.parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv6() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        Ok(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Ok(ip) => ip,
        Err(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
    };
    let addr = SocketAddr::new(ip, port);
    match connect(addr).await {
        Connect::Open(took) => (
            Outcome::Ok,
            "answer",
            format!(
                "{addr} answers (connected in {:.1} ms)",
                took.as_secs_f64() * 1000.0
            ),
            host_port,
        ),
        Connect::Refused => fail(
            "connect",
            format!(
                "{addr} refused the connection although `{name}` publishes it: the host's firewall or a stale proxy is in the way"
            ),
            host_port,
        ),
        Connect::Timeout => fail(
            "connect",
            format!(
                "{addr} did not answer within {} ms: a firewall drops the traffic",
                CONNECT_TIMEOUT.as_millis()
            ),
            host_port,
        ),
        Connect::Other(e) => fail(
            "connect",
            format!("connecting to {addr} failed: {e}"),
            host_port,
        ),
        Connect::Closed => {
            // Docker took the connection; nothing in the container did. Look inside.
            let inside = listeners(docker, &id, local).await;
            let message = match inside {
                Ok(listeners) => {
                    let on_target: Vec<&IpAddr> = listeners
                        .iter()
                        .filter(|(_, p)| *p == m.target)
                        .map(|(ip, _)| ip)
                        .collect();
                    if !on_target.is_empty() && on_target.iter().all(|ip| is_loopback(ip)) {
                        format!(
                            "{addr} accepts, but the app in `{name}` listens on {}:{} inside the container, which only the container itself can reach: make it listen on 0.0.0.0 (see `portside explain app-listens-on-loopback`)",
                            on_target[0], m.target
                        )
                    } else if on_target.is_empty() {
                        let mut others: Vec<String> = listeners
                            .iter()
                            .map(|(ip, p)| format!("{ip}:{p}"))
                            .collect();
                        others.sort();
                        others.dedup();
                        format!(
                            "{addr} accepts, but nothing in `{name}` listens on container port {}{}",
                            m.target,
                            if others.is_empty() {
                                " (nothing listens at all: is the app running?)".to_string()
                            } else {
                                format!(
                                    "; it listens on {}: is the mapping's container port right?",
                                    others.join(", ")
                                )
                            }
                        )
                    } else {
                        format!(
                            "{addr} accepts, but the app in `{name}` closed the connection at once"
                        )
                    }
                }
                Err(e) => format!(
                    "{addr} accepts, but the connection closes at once: nothing in `{name}` answers on port {} (portside could not look inside: {e})",
                    m.target
                ),
            };
            fail("listen", message, host_port)
        }
    }
}
