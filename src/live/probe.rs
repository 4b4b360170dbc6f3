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
/// the host's `/proc/<pid>/net`.
async fn listeners(
    engine: &impl Engine,
    host: &impl Host,
    id: &str,
    local: bool,
) -> Result<Vec<(IpAddr, u16)>, String> {
    match container_listeners(engine, id).await {
        Ok(l) => Ok(l),
        Err(e) if local => host_proc_listeners(engine, host, id)
            .await
            .map_err(|e2| format!("{e}; {e2}")),
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
