//! The reachability probe: for each published port mapping of a Compose project, ask the
//! daemon and the network, step by step, whether `curl 127.0.0.1:PORT` would answer, and
//! name the first step that fails. Read-only: it lists and inspects containers, reads
//! `/proc/net/tcp*` inside a running container through an exec of `cat`, and opens a TCP
//! connection to the published port (loopback, or the mapping's own host address).
//!
//! The daemon is an [`Engine`] and this machine a [`Host`], so that the steps run against
//! fakes in the tests below; [`probe`] and [`probe_links`] use the real machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use bollard::models::ContainerSummary;
use serde::Serialize;

use super::LiveError;
use super::engine::Engine;
use super::host::{Connect, Host, ThisHost};
use super::plan::{Link, Mapping, privileged_port};
use super::proc_net::{is_loopback, listening};
pub use super::step::{LinkStep, Outcome, Step};

/// A verdict on a [`Link`].
#[derive(Debug, Clone, Serialize)]
pub struct LinkVerdict {
    pub link: Link,
    pub outcome: Outcome,
    /// `network`, `swarm`, `container`, `networks`, `names`, `listen` ([`LinkStep::name`]).
    pub step: &'static str,
    pub message: String,
    /// What was found, as a value (`step` and `message` are its name and words).
    #[serde(skip)]
    pub why: LinkStep,
}

impl LinkVerdict {
    fn new(link: &Link, why: LinkStep) -> LinkVerdict {
        LinkVerdict {
            link: link.clone(),
            outcome: why.outcome(),
            step: why.name(),
            message: why.message(),
            why,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub mapping: Mapping,
    pub outcome: Outcome,
    /// `container`, `health`, `binding`, `connect`, `listen`, or `answer` when it worked
    /// ([`Step::name`]).
    pub step: &'static str,
    pub message: String,
    /// The host port Docker really bound, when known.
    pub host_port: Option<u16>,
    #[serde(rename = "elapsed_ms")]
    #[serde(serialize_with = "millis")]
    pub elapsed: Duration,
    /// What was found, as a value (`step` and `message` are its name and words).
    #[serde(skip)]
    pub why: Step,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// A daemon call within the engine's time limit: `Err(None)` when it did not answer in time.
async fn call<E: Engine, T, F>(engine: &E, f: F) -> Result<T, Option<bollard::errors::Error>>
where
    F: std::future::Future<Output = Result<T, bollard::errors::Error>>,
{
    match tokio::time::timeout(engine.call_timeout(), f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Some(e)),
        Err(_) => Err(None),
    }
}

fn is_running(c: &ContainerSummary) -> bool {
    c.state.as_ref().is_some_and(|s| s.to_string() == "running")
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

/// The project's containers (all states), by Compose's labels; or, for `None`, every running
/// container of the daemon.
async fn containers(
    engine: &impl Engine,
    project: Option<&str>,
) -> Result<Vec<ContainerSummary>, LiveError> {
    call(engine, engine.containers(project))
        .await
        .map_err(|e| match e {
            Some(e) => LiveError(crate::live::describe("list containers", &e)),
            None => LiveError("the Docker daemon did not list containers in time".into()),
        })
}

/// Whether the project is up: `(containers, running)`, how many containers Compose's labels
/// give it and how many of them run. The editor says "not running" once when none runs,
/// instead of one verdict per port.
pub async fn project_state(
    engine: &impl Engine,
    project: &str,
) -> Result<(usize, usize), LiveError> {
    let all = containers(engine, Some(project)).await?;
    Ok((all.len(), all.iter().filter(|c| is_running(c)).count()))
}

/// Reads a running container's listening sockets through `cat` (read-only exec).
async fn container_listeners(engine: &impl Engine, id: &str) -> Result<Vec<(IpAddr, u16)>, String> {
    let text = match call(engine, engine.exec_read(id)).await {
        Ok(text) => text,
        Err(Some(e)) => return Err(e.to_string()),
        Err(None) => return Err("no answer in time".to_string()),
    };
    if !text.contains("local_address") {
        return Err("the image has no `cat`, or /proc/net/tcp cannot be read".into());
    }
    Ok(listening(&text))
}

/// The listening sockets of a container read from the host: `/proc/<pid>/net/tcp{,6}` of
/// its main process, which shows the container's network namespace. For a local daemon
/// whose image has no `cat` (distroless, `FROM scratch`).
async fn host_proc_listeners(
    engine: &impl Engine,
    host: &impl Host,
    id: &str,
) -> Result<Vec<(IpAddr, u16)>, String> {
    let inspect = call(engine, engine.inspect(id))
        .await
        .map_err(|e| match e {
            Some(e) => e.to_string(),
            None => "no answer in time".to_string(),
        })?;
    let pid = inspect
        .state
        .and_then(|s| s.pid)
        .filter(|&p| p > 0)
        .ok_or("the container has no process")?;
    let mut text = String::new();
    for file in ["tcp", "tcp6"] {
        if let Some(t) = host.read(&format!("/proc/{pid}/net/{file}")) {
            text.push_str(&t);
        }
    }
    if !text.contains("local_address") {
        return Err(format!("/proc/{pid}/net/tcp cannot be read from here"));
    }
    Ok(listening(&text))
}

/// What listens inside a container: through an exec of `cat`, else (local daemons) from
/// the host's `/proc/<pid>/net`. Not on Docker Desktop: its containers' process IDs are the
/// VM's, and the same number on this machine (Desktop for Linux) is another process.
async fn listeners(
    engine: &impl Engine,
    host: &impl Host,
    id: &str,
    local: bool,
) -> Result<Vec<(IpAddr, u16)>, String> {
    match container_listeners(engine, id).await {
        Ok(l) => Ok(l),
        Err(e) if local => {
            if crate::live::platform(engine, "").await
                == Some(crate::config::Platform::DockerDesktop)
            {
                return Err(format!(
                    "{e}; the container runs in Docker Desktop's VM, whose /proc this machine cannot read"
                ));
            }
            host_proc_listeners(engine, host, id)
                .await
                .map_err(|e2| format!("{e}; {e2}"))
        }
        Err(e) => Err(e),
    }
}

/// Checks external networks exist, and that services that name each other share a network
/// and that the named one listens on the port on a non-loopback address.
pub async fn probe_links(
    engine: &impl Engine,
    project: &str,
    links: &[Link],
) -> Result<Vec<LinkVerdict>, LiveError> {
    probe_links_with(engine, &ThisHost, project, links, crate::live::is_local()).await
}

/// [`probe_links`] with this machine as `host`; `local`: the daemon runs on it.
pub async fn probe_links_with(
    engine: &impl Engine,
    host: &impl Host,
    project: &str,
    links: &[Link],
    local: bool,
) -> Result<Vec<LinkVerdict>, LiveError> {
    let containers = containers(engine, Some(project)).await?;
    let running = |service: &str| {
        containers
            .iter()
            .find(|c| service_of(c) == Some(service) && is_running(c))
    };
    let mut out = Vec::new();
    // Whether the daemon is a swarm manager, asked once when an overlay network needs it.
    let mut manager: Option<Result<bool, Option<String>>> = None;
    for l in links {
        if l.kind == "swarm" {
            let answer = match &manager {
                Some(answer) => answer.clone(),
                None => {
                    let asked = match call(engine, engine.info()).await {
                        Ok(info) => Ok(info
                            .swarm
                            .and_then(|s| s.control_available)
                            .unwrap_or(false)),
                        Err(e) => Err(e.map(|e| e.to_string())),
                    };
                    manager.insert(asked).clone()
                }
            };
            let network = l.from.clone();
            out.push(LinkVerdict::new(
                l,
                match answer {
                    Ok(true) => LinkStep::SwarmManager { network },
                    Ok(false) => LinkStep::NotSwarmManager { network },
                    Err(error) => LinkStep::SwarmUnknown { error },
                },
            ));
            continue;
        }
        if l.kind == "network" {
            let network = l.from.clone();
            out.push(LinkVerdict::new(
                l,
                match call(engine, engine.network(&l.from)).await {
                    Ok(()) => LinkStep::NetworkExists { network },
                    Err(Some(bollard::errors::Error::DockerResponseServerError {
                        status_code: 404,
                        ..
                    })) => LinkStep::NoNetwork { network },
                    Err(Some(e)) => LinkStep::NetworkUninspectable {
                        network,
                        error: e.to_string(),
                    },
                    Err(None) => LinkStep::NetworkTimeout,
                },
            ));
            continue;
        }
        let (Some(a), Some(b)) = (running(&l.from), running(&l.to)) else {
            let missing = if running(&l.to).is_none() {
                &l.to
            } else {
                &l.from
            };
            out.push(LinkVerdict::new(
                l,
                LinkStep::NotRunning {
                    missing: missing.clone(),
                    from: l.from.clone(),
                    to: l.to.clone(),
                },
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
            out.push(LinkVerdict::new(
                l,
                LinkStep::NoSharedNetwork {
                    from: l.from.clone(),
                    from_networks: na.clone(),
                    to: l.to.clone(),
                    to_networks: nb.clone(),
                },
            ));
            continue;
        }
        // A name other than the service's must be one the daemon's DNS answers on a shared
        // network: an alias there, or the container's name (a container created before the
        // alias was added does not have it).
        if !l.name.is_empty() && l.name != l.to {
            let id = b.id.clone().unwrap_or_default();
            if let Ok(inspect) = call(engine, engine.inspect(&id)).await {
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
                    out.push(LinkVerdict::new(
                        l,
                        LinkStep::NameDoesNotResolve {
                            name: l.name.clone(),
                            from: l.from.clone(),
                            to: l.to.clone(),
                            container: container_name,
                            shared: shared.iter().map(|s| s.to_string()).collect(),
                            names,
                        },
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
        let (from, to) = (l.from.clone(), l.to.clone());
        let Some(port) = l.port else {
            out.push(LinkVerdict::new(l, LinkStep::Share { from, to, shared }));
            continue;
        };
        let id = b.id.clone().unwrap_or_default();
        let why = match listeners(engine, host, &id, local).await {
            Ok(listeners) => {
                let on: Vec<&IpAddr> = listeners
                    .iter()
                    .filter(|(_, p)| *p == port)
                    .map(|(ip, _)| ip)
                    .collect();
                if on.is_empty() {
                    LinkStep::NothingListens { to, port }
                } else if on.iter().all(|ip| is_loopback(ip)) {
                    LinkStep::ListensOnLoopback {
                        from,
                        to,
                        ip: *on[0],
                        port,
                    }
                } else {
                    LinkStep::Listens {
                        from,
                        to,
                        ip: *on[0],
                        port,
                        shared,
                    }
                }
            }
            Err(error) => LinkStep::ShareCannotLook {
                from,
                to,
                shared,
                error,
            },
        };
        out.push(LinkVerdict::new(l, why));
    }
    Ok(out)
}

/// Probes every mapping of `project`. `local`: the daemon runs on this machine, so its
/// published ports can be tried on loopback.
pub async fn probe(
    engine: &impl Engine,
    project: &str,
    mappings: &[Mapping],
    local: bool,
) -> Result<Vec<Verdict>, LiveError> {
    probe_with(engine, &ThisHost, project, mappings, local).await
}

/// [`probe`] with `host` as this machine (its TCP connects and `/proc`).
pub async fn probe_with(
    engine: &impl Engine,
    host: &impl Host,
    project: &str,
    mappings: &[Mapping],
    local: bool,
) -> Result<Vec<Verdict>, LiveError> {
    let ours = containers(engine, Some(project)).await?;
    // Every running container, to tell who already holds a host port (fetched once, and
    // only when some mapping has no running container to look at).
    let without_running = mappings.iter().any(|m| {
        !ours
            .iter()
            .any(|c| service_of(c) == Some(m.service.as_str()) && is_running(c))
    });
    let running = if without_running {
        containers(engine, None).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    // A rootless daemon cannot bind host ports below the host's sysctl (local daemons only:
    // the sysctl read here is this machine's).
    let unprivileged_start = if local && crate::live::rootless(engine).await == Some(true) {
        host.read("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .and_then(|s| s.trim().parse::<u16>().ok())
            .or(Some(1024))
    } else {
        None
    };
    let mut out = Vec::with_capacity(mappings.len());
    for m in mappings {
        let started = Instant::now();
        let (why, host_port) = match privileged_port(m, unprivileged_start) {
            // Nothing of it is bound yet: that is why.
            Some((port, start)) if !bound(&ours, m) => (Step::Privileged { port, start }, None),
            _ => match taken(host, &running, &ours, m, local).await {
                Some(why) => (why, None),
                None => one(engine, host, project, &ours, m, local).await,
            },
        };
        out.push(Verdict {
            mapping: m.clone(),
            outcome: why.outcome(),
            step: why.name(),
            message: why.message(),
            host_port,
            elapsed: started.elapsed(),
            why,
        });
    }
    Ok(out)
}

/// When the mapping's service has no running container, whether its fixed host port is
/// already held, so that `up` would fail with "port is already allocated": by another
/// running container (from the daemon's list), or, for a local daemon, by a program on
/// this host (a connect, which binds nothing).
async fn taken(
    host: &impl Host,
    running: &[ContainerSummary],
    ours: &[ContainerSummary],
    m: &Mapping,
    local: bool,
) -> Option<Step> {
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
            return Some(Step::TakenByContainer {
                port,
                protocol: m.protocol,
                container: name_of(c),
                project: c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("com.docker.compose.project"))
                    .cloned(),
            });
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
    match host.connect(addr).await {
        Connect::Open(_) | Connect::Closed => Some(Step::TakenOnHost { addr }),
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

/// The steps of one mapping: its container, then [`one_running`].
async fn one(
    engine: &impl Engine,
    host: &impl Host,
    project: &str,
    containers: &[ContainerSummary],
    m: &Mapping,
    local: bool,
) -> (Step, Option<u16>) {
    let ours: Vec<&ContainerSummary> = containers
        .iter()
        .filter(|c| service_of(c) == Some(m.service.as_str()))
        .collect();
    if ours.is_empty() {
        return (
            Step::NoContainer {
                service: m.service.clone(),
                project: project.to_string(),
            },
            None,
        );
    }
    let Some(c) = ours.iter().find(|c| is_running(c)) else {
        let c = ours[0];
        let container = name_of(c);
        let service = m.service.clone();
        let created = c.state.as_ref().is_some_and(|s| s.to_string() == "created");
        let why = if created {
            Step::NeverStarted { container, service }
        } else {
            Step::NotRunning {
                container,
                status: c.status.clone().unwrap_or_else(|| "not running".into()),
                service,
            }
        };
        return (why, None);
    };
    let name = name_of(c);
    if c.status
        .as_deref()
        .is_some_and(|s| s.contains("(unhealthy)"))
    {
        return (Step::Unhealthy { container: name }, None);
    }
    // While the healthcheck has not passed yet, traffic may still be refused: say so with
    // whatever the probe finds.
    let starting = c
        .status
        .as_deref()
        .is_some_and(|s| s.contains("(health: starting)"));
    let (why, host_port) = one_running(engine, host, c, &name, m, local).await;
    if starting {
        return (Step::HealthStarting(Box::new(why)), host_port);
    }
    (why, host_port)
}

/// The steps after the container: binding, connect, what listens inside.
async fn one_running(
    engine: &impl Engine,
    host: &impl Host,
    c: &ContainerSummary,
    name: &str,
    m: &Mapping,
    local: bool,
) -> (Step, Option<u16>) {
    let container = name.to_string();
    let id = c.id.clone().unwrap_or_default();
    let inspect = match call(engine, engine.inspect(&id)).await {
        Ok(i) => i,
        Err(Some(e)) => {
            let error = e.to_string();
            return (Step::InspectFailed { container, error }, None);
        }
        Err(None) => return (Step::InspectTimeout { container }, None),
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
        let service = m.service.clone();
        return (
            Step::NotPublished {
                container,
                key,
                published,
                service,
            },
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
        let service = m.service.clone();
        let why = Step::OtherHostPort {
            container,
            key,
            actual,
            fixed,
            service,
        };
        return (why, host_port);
    }
    let Some(port) = host_port else {
        return (Step::NoHostPort { container, key }, None);
    };
    if m.protocol != "tcp" {
        let why = Step::NotTcp {
            bound: bound_ip,
            port,
            protocol: m.protocol,
        };
        return (why, host_port);
    }
    if !local {
        return (
            Step::Remote {
                bound: bound_ip,
                port,
            },
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
    let why = match host.connect(addr).await {
        Connect::Open(took) => Step::Answers { addr, took },
        Connect::Refused => Step::Refused { addr, container },
        Connect::Timeout => Step::ConnectTimeout { addr },
        Connect::Other(error) => Step::ConnectFailed { addr, error },
        Connect::Closed => {
            // Docker took the connection; nothing in the container did. Look inside.
            match listeners(engine, host, &id, local).await {
                Ok(listeners) => {
                    let on_target: Vec<&IpAddr> = listeners
                        .iter()
                        .filter(|(_, p)| *p == m.target)
                        .map(|(ip, _)| ip)
                        .collect();
                    if !on_target.is_empty() && on_target.iter().all(|ip| is_loopback(ip)) {
                        Step::ListensOnLoopback {
                            addr,
                            container,
                            ip: *on_target[0],
                            target: m.target,
                        }
                    } else if on_target.is_empty() {
                        let mut others: Vec<String> = listeners
                            .iter()
                            .map(|(ip, p)| format!("{ip}:{p}"))
                            .collect();
                        others.sort();
                        others.dedup();
                        Step::NotListening {
                            addr,
                            container,
                            target: m.target,
                            others,
                        }
                    } else {
                        Step::ClosedAtOnce { addr, container }
                    }
                }
                Err(error) => Step::CannotLookInside {
                    addr,
                    container,
                    target: m.target,
                    error,
                },
            }
        }
    };
    (why, host_port)
}

#[cfg(test)]
mod tests {
    //! The step logic against a fake daemon ([`Fake`]) and a fake machine ([`FakeHost`]).

    use std::collections::HashMap;
    use std::future::Future;

    use bollard::errors::Error;
    use bollard::models::{
        ContainerInspectResponse, ContainerSummaryNetworkSettings, ContainerSummaryStateEnum,
        EndpointSettings, NetworkSettings, PortBinding, PortSummary, PortSummaryTypeEnum,
        SwarmInfo, SystemInfo,
    };

    use super::*;
    use crate::analysis::Context;
    use crate::live::plan;

    /// A daemon: the project's containers, other running ones, what inspecting and the
    /// exec answer, and which call fails (`refuse`) or never answers (`hang`).
    #[derive(Default)]
    struct Fake {
        containers: Vec<ContainerSummary>,
        others: Vec<ContainerSummary>,
        inspect: HashMap<String, ContainerInspectResponse>,
        /// Container id → what `cat /proc/net/tcp /proc/net/tcp6` prints.
        exec: HashMap<String, String>,
        networks: Vec<String>,
        swarm_manager: bool,
        refuse: Option<&'static str>,
        hang: Option<&'static str>,
        /// `docker info` says Docker Desktop.
        desktop: bool,
    }

    impl Fake {
        fn answer<T: Send>(
            &self,
            call: &'static str,
            v: impl FnOnce() -> Result<T, Error> + Send,
        ) -> impl Future<Output = Result<T, Error>> + Send {
            let (hang, refuse) = (self.hang == Some(call), self.refuse == Some(call));
            async move {
                if hang {
                    std::future::pending::<()>().await;
                }
                if refuse {
                    return Err(Error::DockerResponseServerError {
                        status_code: 500,
                        message: "boom".into(),
                    });
                }
                v()
            }
        }
    }

    impl Engine for Fake {
        fn call_timeout(&self) -> Duration {
            Duration::from_millis(50)
        }
        fn containers(
            &self,
            project: Option<&str>,
        ) -> impl Future<Output = Result<Vec<ContainerSummary>, Error>> + Send {
            let list = match project {
                Some(_) => self.containers.clone(),
                None => self
                    .containers
                    .iter()
                    .chain(&self.others)
                    .filter(|c| is_running(c))
                    .cloned()
                    .collect(),
            };
            self.answer("containers", move || Ok(list))
        }
        fn inspect(
            &self,
            id: &str,
        ) -> impl Future<Output = Result<ContainerInspectResponse, Error>> + Send {
            let found = self.inspect.get(id).cloned();
            self.answer("inspect", move || {
                found.ok_or(Error::DockerResponseServerError {
                    status_code: 404,
                    message: "no such container".into(),
                })
            })
        }
        fn network(&self, name: &str) -> impl Future<Output = Result<(), Error>> + Send {
            let found = self.networks.iter().any(|n| n == name);
            self.answer("network", move || {
                if found {
                    Ok(())
                } else {
                    Err(Error::DockerResponseServerError {
                        status_code: 404,
                        message: "network not found".into(),
                    })
                }
            })
        }
        fn info(&self) -> impl Future<Output = Result<SystemInfo, Error>> + Send {
            let manager = self.swarm_manager;
            let desktop = self.desktop;
            self.answer("info", move || {
                Ok(SystemInfo {
                    swarm: Some(SwarmInfo {
                        control_available: Some(manager),
                        ..Default::default()
                    }),
                    operating_system: desktop.then(|| "Docker Desktop".to_string()),
                    ..Default::default()
                })
            })
        }
        fn exec_read(&self, id: &str) -> impl Future<Output = Result<String, Error>> + Send {
            let text = self.exec.get(id).cloned().unwrap_or_default();
            self.answer("exec", move || Ok(text))
        }
    }

    /// This machine: what a connect to each address finds (refused when not listed).
    #[derive(Default)]
    struct FakeHost {
        connect: HashMap<SocketAddr, Connect>,
        files: HashMap<String, String>,
    }

    impl Host for FakeHost {
        fn connect(&self, addr: SocketAddr) -> impl Future<Output = Connect> + Send {
            let found = self.connect.get(&addr).cloned().unwrap_or(Connect::Refused);
            async move { found }
        }
        fn read(&self, path: &str) -> Option<String> {
            self.files.get(path).cloned()
        }
    }

    const COMPOSE: &str = "name: demo\nservices:\n  web:\n    ports: [\"8080:80\"]\n";

    /// Without `cat` in the image, a local daemon's container is read from this machine's
    /// `/proc/<pid>/net`, but not on Docker Desktop, whose process IDs are its VM's.
    #[test]
    fn the_host_proc_fallback_is_not_used_on_docker_desktop() {
        let inspect = ContainerInspectResponse {
            state: Some(bollard::models::ContainerState {
                pid: Some(4242),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut host = FakeHost::default();
        host.files.insert(
            "/proc/4242/net/tcp".into(),
            "  sl  local_address rem_address   st\n   0: 00000000:0050 00000000:0000 0A\n".into(),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for desktop in [false, true] {
            let engine = Fake {
                inspect: [("c1".to_string(), inspect.clone())].into_iter().collect(),
                refuse: Some("exec"),
                desktop,
                ..Default::default()
            };
            let found = rt.block_on(listeners(&engine, &host, "c1", true));
            if desktop {
                let e = found.unwrap_err();
                assert!(e.contains("Docker Desktop's VM"), "{e}");
            } else {
                assert_eq!(found.unwrap(), [(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 80)]);
            }
        }
    }

    fn plan_of(text: &str) -> (String, Vec<Mapping>) {
        plan::mappings(
            std::path::Path::new("/x/compose.yaml"),
            text,
            &Context::default(),
        )
    }

    /// A container of service `service` of project `demo`, publishing `(container port,
    /// host port)`s on all addresses.
    fn container(
        service: &str,
        state: ContainerSummaryStateEnum,
        status: &str,
        ports: &[(u16, u16)],
    ) -> ContainerSummary {
        ContainerSummary {
            id: Some(format!("{service}-id")),
            names: Some(vec![format!("/demo-{service}-1")]),
            labels: Some(HashMap::from([
                ("com.docker.compose.service".into(), service.into()),
                ("com.docker.compose.project".into(), "demo".into()),
            ])),
            state: Some(state),
            status: Some(status.into()),
            ports: Some(
                ports
                    .iter()
                    .map(|&(private, public)| PortSummary {
                        ip: Some("0.0.0.0".into()),
                        private_port: private,
                        public_port: Some(public),
                        typ: Some(PortSummaryTypeEnum::TCP),
                    })
                    .collect(),
            ),
            ..Default::default()
        }
    }

    /// What inspecting a container says: `(key, host ip, host port)` bindings.
    fn inspected(ports: &[(&str, &str, &str)]) -> ContainerInspectResponse {
        let mut map: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
        for (key, ip, port) in ports {
            map.entry(key.to_string())
                .or_default()
                .get_or_insert_default()
                .push(PortBinding {
                    host_ip: Some(ip.to_string()),
                    host_port: Some(port.to_string()),
                });
        }
        ContainerInspectResponse {
            network_settings: Some(NetworkSettings {
                ports: Some(map),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// `web` runs and publishes 80/tcp on host port 8080.
    fn web_running() -> Fake {
        Fake {
            containers: vec![container(
                "web",
                ContainerSummaryStateEnum::RUNNING,
                "Up 2 minutes",
                &[(80, 8080)],
            )],
            inspect: HashMap::from([(
                "web-id".to_string(),
                inspected(&[("80/tcp", "0.0.0.0", "8080")]),
            )]),
            ..Default::default()
        }
    }

    fn connecting(found: Connect) -> FakeHost {
        FakeHost {
            connect: HashMap::from([("127.0.0.1:8080".parse().unwrap(), found)]),
            ..Default::default()
        }
    }

    fn run(engine: &Fake, host: &FakeHost, text: &str, local: bool) -> Vec<Verdict> {
        let (project, mappings) = plan_of(text);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(probe_with(engine, host, &project, &mappings, local))
            .expect("the probe runs")
    }

    fn run_links(engine: &Fake, host: &FakeHost, text: &str) -> Vec<LinkVerdict> {
        let (project, _) = plan_of(text);
        let links = plan::links(text, &Context::default());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(probe_links_with(engine, host, &project, &links, true))
            .expect("the probe runs")
    }

    /// `/proc/net/tcp` with one socket listening on `hex` (`0100007F:0050` is 127.0.0.1:80).
    fn proc_net(hex: &str) -> String {
        format!("  sl  local_address rem_address   st\n   0: {hex} 00000000:0000 0A 0\n")
    }

    #[test]
    fn a_port_that_answers() {
        let took = Duration::from_micros(1500);
        let v = run(
            &web_running(),
            &connecting(Connect::Open(took)),
            COMPOSE,
            true,
        );
        let addr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(v[0].why, Step::Answers { addr, took });
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Ok, "answer"));
        assert_eq!(v[0].message, "127.0.0.1:8080 answers (connected in 1.5 ms)");
        assert_eq!(v[0].host_port, Some(8080));
    }

    #[test]
    fn a_port_refused_or_reset_or_dropped() {
        let v = run(&web_running(), &connecting(Connect::Refused), COMPOSE, true);
        assert!(matches!(v[0].why, Step::Refused { .. }), "{:?}", v[0].why);
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Fail, "connect"));
        assert!(
            v[0].message
                .contains("refused the connection although `demo-web-1` publishes it")
        );
        let reset = Connect::Other("Connection reset by peer (os error 104)".into());
        let v = run(&web_running(), &connecting(reset), COMPOSE, true);
        assert_eq!(v[0].step, "connect");
        assert_eq!(
            v[0].message,
            "connecting to 127.0.0.1:8080 failed: Connection reset by peer (os error 104)"
        );
        let v = run(&web_running(), &connecting(Connect::Timeout), COMPOSE, true);
        assert!(matches!(v[0].why, Step::ConnectTimeout { .. }));
        assert!(v[0].message.contains("a firewall drops the traffic"));
    }

    #[test]
    fn an_app_listening_on_loopback_only() {
        let mut engine = web_running();
        engine
            .exec
            .insert("web-id".into(), proc_net("0100007F:0050"));
        let v = run(&engine, &connecting(Connect::Closed), COMPOSE, true);
        assert_eq!(
            v[0].why,
            Step::ListensOnLoopback {
                addr: "127.0.0.1:8080".parse().unwrap(),
                container: "demo-web-1".into(),
                ip: "127.0.0.1".parse().unwrap(),
                target: 80,
            }
        );
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Fail, "listen"));
        assert!(
            v[0].message
                .contains("listens on 127.0.0.1:80 inside the container")
        );
        // Listening on another port: the mapping's container port is wrong.
        engine
            .exec
            .insert("web-id".into(), proc_net("00000000:1F90"));
        let v = run(&engine, &connecting(Connect::Closed), COMPOSE, true);
        assert!(
            v[0].message
                .ends_with("; it listens on 0.0.0.0:8080: is the mapping's container port right?"),
            "{}",
            v[0].message
        );
    }

    /// No `cat` in the image and no process to read from the host: said, not guessed.
    #[test]
    fn a_container_that_cannot_be_looked_into() {
        let v = run(&web_running(), &connecting(Connect::Closed), COMPOSE, true);
        let Step::CannotLookInside { error, .. } = &v[0].why else {
            panic!("{:?}", v[0].why)
        };
        assert_eq!(
            error,
            "the image has no `cat`, or /proc/net/tcp cannot be read; the container has no process"
        );
        assert_eq!(v[0].step, "listen");
    }

    #[test]
    fn a_stopped_project() {
        let engine = Fake {
            containers: vec![container(
                "web",
                ContainerSummaryStateEnum::EXITED,
                "Exited (1) 2 minutes ago",
                &[],
            )],
            ..Default::default()
        };
        let v = run(&engine, &FakeHost::default(), COMPOSE, true);
        assert_eq!(
            v[0].why,
            Step::NotRunning {
                container: "demo-web-1".into(),
                status: "Exited (1) 2 minutes ago".into(),
                service: "web".into(),
            }
        );
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Fail, "container"));
        assert_eq!(
            v[0].message,
            "`demo-web-1` is not running (Exited (1) 2 minutes ago): `docker compose logs web` says why"
        );
        // Never created at all.
        let v = run(&Fake::default(), &FakeHost::default(), COMPOSE, true);
        assert_eq!(
            v[0].message,
            "no container of service `web` in project `demo`: run `docker compose up -d web`"
        );
        // Another container holds the host port: `up` would fail, which comes first.
        let engine = Fake {
            others: vec![container(
                "other",
                ContainerSummaryStateEnum::RUNNING,
                "Up",
                &[(3000, 8080)],
            )],
            ..Default::default()
        };
        let v = run(&engine, &FakeHost::default(), COMPOSE, true);
        assert!(matches!(
            v[0].why,
            Step::TakenByContainer { port: 8080, .. }
        ));
        assert_eq!(v[0].step, "binding");
        // A program on this host listens there.
        let v = run(
            &Fake::default(),
            &connecting(Connect::Open(Duration::ZERO)),
            COMPOSE,
            true,
        );
        assert!(
            matches!(v[0].why, Step::TakenOnHost { .. }),
            "{:?}",
            v[0].why
        );
    }

    #[test]
    fn a_container_not_publishing_the_port() {
        let mut engine = web_running();
        engine.inspect.insert(
            "web-id".into(),
            inspected(&[("443/tcp", "0.0.0.0", "8443")]),
        );
        let v = run(&engine, &FakeHost::default(), COMPOSE, true);
        assert_eq!(
            v[0].why,
            Step::NotPublished {
                container: "demo-web-1".into(),
                key: "80/tcp".into(),
                published: vec!["443/tcp".into()],
                service: "web".into(),
            }
        );
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Fail, "binding"));
        assert!(
            v[0].message
                .contains("does not publish 80/tcp (it publishes 443/tcp)")
        );
        // Published on another host port than the file says.
        engine
            .inspect
            .insert("web-id".into(), inspected(&[("80/tcp", "0.0.0.0", "9090")]));
        let v = run(&engine, &FakeHost::default(), COMPOSE, true);
        assert!(matches!(
            v[0].why,
            Step::OtherHostPort {
                actual: 9090,
                fixed: 8080,
                ..
            }
        ));
        assert_eq!(v[0].host_port, Some(9090));
    }

    #[test]
    fn daemon_calls_that_fail_or_time_out() {
        let (project, mappings) = plan_of(COMPOSE);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let host = FakeHost::default();
        let refused = Fake {
            refuse: Some("containers"),
            ..Default::default()
        };
        let e = rt
            .block_on(probe_with(&refused, &host, &project, &mappings, true))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the Docker daemon refused to list containers (500: boom)"
        );
        let silent = Fake {
            hang: Some("containers"),
            ..Default::default()
        };
        let e = rt
            .block_on(probe_with(&silent, &host, &project, &mappings, true))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the Docker daemon did not list containers in time"
        );
        // Inspecting the running container.
        let mut engine = web_running();
        engine.hang = Some("inspect");
        let v = run(&engine, &host, COMPOSE, true);
        assert_eq!(
            v[0].why,
            Step::InspectTimeout {
                container: "demo-web-1".into()
            }
        );
        assert_eq!(v[0].step, "container");
        engine.hang = None;
        engine.refuse = Some("inspect");
        let v = run(&engine, &host, COMPOSE, true);
        assert!(matches!(v[0].why, Step::InspectFailed { .. }));
        assert!(v[0].message.starts_with("cannot inspect `demo-web-1`: "));
    }

    /// A remote daemon's ports are not connected to; only TCP is.
    #[test]
    fn remote_daemons_and_udp() {
        let v = run(&web_running(), &FakeHost::default(), COMPOSE, false);
        assert_eq!(
            v[0].why,
            Step::Remote {
                bound: "0.0.0.0".into(),
                port: 8080
            }
        );
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Ok, "binding"));
        let mut engine = web_running();
        engine
            .inspect
            .insert("web-id".into(), inspected(&[("53/udp", "0.0.0.0", "5353")]));
        let udp = "name: demo\nservices:\n  web:\n    ports: [\"5353:53/udp\"]\n";
        let v = run(&engine, &FakeHost::default(), udp, true);
        assert_eq!(
            v[0].message,
            "bound on 0.0.0.0:5353/udp (only TCP is probed)"
        );
        assert_eq!((v[0].outcome, v[0].step), (Outcome::Ok, "binding"));
    }

    #[test]
    fn a_healthcheck_still_starting_is_said() {
        let mut engine = web_running();
        engine.containers[0].status = Some("Up 3 seconds (health: starting)".into());
        let v = run(&engine, &connecting(Connect::Refused), COMPOSE, true);
        assert!(
            matches!(&v[0].why, Step::HealthStarting(inner) if matches!(**inner, Step::Refused { .. }))
        );
        assert_eq!(v[0].step, "connect");
        assert!(v[0].message.ends_with(
            "; its healthcheck has not passed yet: it may still be starting, try again in a moment"
        ));
        engine.containers[0].status = Some("Up 3 minutes (unhealthy)".into());
        let v = run(&engine, &connecting(Connect::Refused), COMPOSE, true);
        assert_eq!((v[0].step, v[0].outcome), ("health", Outcome::Fail));
    }

    /// `portside probe --format json` prints verdicts as they serialise: the value of a step
    /// stays out of it.
    #[test]
    fn verdicts_serialise_as_before() {
        let v = run(&web_running(), &connecting(Connect::Refused), COMPOSE, true);
        let json = serde_json::to_string(&v[0]).unwrap();
        let head = concat!(
            r#"{"mapping":{"service":"web","spec":"8080:80","host_ip":"","published":"8080","#,
            r#""target":80,"protocol":"tcp"},"outcome":"fail","step":"connect","#,
            r#""message":"127.0.0.1:8080 refused the connection although `demo-web-1` publishes "#,
            r#"it: the host's firewall or a stale proxy is in the way","host_port":8080,"elapsed_ms":"#
        );
        assert!(json.starts_with(head), "{json}");
        assert!(
            json[head.len()..]
                .trim_end_matches('}')
                .parse::<u64>()
                .is_ok(),
            "{json}"
        );
    }

    #[test]
    fn links_networks_and_services() {
        let text = "name: demo\nservices:\n  web:\n    image: x\n    environment:\n      API_URL: http://api:3000\n    networks: [ext]\n  api:\n    image: x\n    networks: [ext, mesh]\nnetworks:\n  ext:\n    external: true\n  mesh:\n    driver: overlay\n";
        let networks = |names: &[&str]| ContainerSummaryNetworkSettings {
            networks: Some(
                names
                    .iter()
                    .map(|n| (n.to_string(), EndpointSettings::default()))
                    .collect(),
            ),
        };
        let mut web = container("web", ContainerSummaryStateEnum::RUNNING, "Up", &[]);
        web.network_settings = Some(networks(&["ext"]));
        let mut api = container("api", ContainerSummaryStateEnum::RUNNING, "Up", &[]);
        api.network_settings = Some(networks(&["ext", "demo_mesh"]));
        let engine = Fake {
            containers: vec![web, api],
            exec: HashMap::from([("api-id".to_string(), proc_net("0100007F:0BB8"))]),
            ..Default::default()
        };
        let v = run_links(&engine, &FakeHost::default(), text);
        let got: Vec<_> = v.iter().map(|v| (v.link.kind, v.step, v.outcome)).collect();
        assert_eq!(
            got,
            [
                ("network", "network", Outcome::Fail),
                ("swarm", "swarm", Outcome::Fail),
                ("service", "listen", Outcome::Fail),
            ]
        );
        assert_eq!(
            v[0].why,
            LinkStep::NoNetwork {
                network: "ext".into()
            }
        );
        let json = serde_json::to_string(&v[0]).unwrap();
        let head = r#"{"link":{"kind":"network","from":"ext","to":"","port":null},"outcome":"fail","step":"network","message":"external network `ext` does not exist"#;
        assert!(json.starts_with(head), "{json}");
        assert!(matches!(v[1].why, LinkStep::NotSwarmManager { .. }));
        assert_eq!(
            v[2].message,
            "`api` listens on 127.0.0.1:3000, loopback only: `web` is refused"
        );
        // The network exists, the daemon manages a swarm, and api listens on all addresses.
        let engine = Fake {
            networks: vec!["ext".into()],
            swarm_manager: true,
            exec: HashMap::from([("api-id".to_string(), proc_net("00000000:0BB8"))]),
            ..engine
        };
        let v = run_links(&engine, &FakeHost::default(), text);
        assert!(v.iter().all(|v| v.outcome == Outcome::Ok), "{v:?}");
        assert_eq!(
            v[2].message,
            "`api` listens on 0.0.0.0:3000 and shares ext with `web`"
        );
        // The daemon does not answer `info`.
        let engine = Fake {
            hang: Some("info"),
            ..engine
        };
        let v = run_links(&engine, &FakeHost::default(), text);
        assert_eq!(v[1].why, LinkStep::SwarmUnknown { error: None });
        assert_eq!(v[1].message, "the daemon did not answer in time");
    }
}
