//! What the probe found, as values: [`Step`] for a published port mapping and [`LinkStep`]
//! for a link, each the first step that failed or the last that passed. Their outcome, the
//! step name the JSON output and the editor show (`container`, `binding`, ...) and the words
//! are all decided here, in one place.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::Serialize;

use super::host::CONNECT_TIMEOUT;

/// Passed or failed, and at which step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Fail,
}

/// Why a published port mapping answers or does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A rootless daemon cannot bind host port `port` (below `start`).
    Privileged {
        port: u16,
        start: u16,
    },
    /// No container of the service runs, and another running container publishes the port.
    TakenByContainer {
        port: u16,
        protocol: &'static str,
        container: String,
        project: Option<String>,
    },
    /// No container of the service runs, and a program on this host listens on `addr`.
    TakenOnHost {
        addr: SocketAddr,
    },
    NoContainer {
        service: String,
        project: String,
    },
    NeverStarted {
        container: String,
        service: String,
    },
    NotRunning {
        container: String,
        status: String,
        service: String,
    },
    Unhealthy {
        container: String,
    },
    /// The daemon refused or failed to inspect the running container.
    InspectFailed {
        container: String,
        error: String,
    },
    InspectTimeout {
        container: String,
    },
    /// The container does not publish `key` (`80/tcp`); `published` is what it does publish.
    NotPublished {
        container: String,
        key: String,
        published: Vec<String>,
        service: String,
    },
    OtherHostPort {
        container: String,
        key: String,
        actual: u16,
        fixed: u16,
        service: String,
    },
    NoHostPort {
        container: String,
        key: String,
    },
    /// Bound, and not TCP: not connected to.
    NotTcp {
        bound: String,
        port: u16,
        protocol: &'static str,
    },
    /// Bound on a remote daemon's host: not connected to.
    Remote {
        bound: String,
        port: u16,
    },
    Answers {
        addr: SocketAddr,
        took: Duration,
    },
    Refused {
        addr: SocketAddr,
        container: String,
    },
    ConnectTimeout {
        addr: SocketAddr,
    },
    ConnectFailed {
        addr: SocketAddr,
        error: String,
    },
    /// Docker accepted; the app listens on loopback inside the container.
    ListensOnLoopback {
        addr: SocketAddr,
        container: String,
        ip: IpAddr,
        target: u16,
    },
    /// Docker accepted; nothing listens on the container port (`others`: what does).
    NotListening {
        addr: SocketAddr,
        container: String,
        target: u16,
        others: Vec<String>,
    },
    /// Docker accepted; the app listens on the port and closed the connection at once.
    ClosedAtOnce {
        addr: SocketAddr,
        container: String,
    },
    /// Docker accepted, closed at once, and the container's sockets could not be read.
    CannotLookInside {
        addr: SocketAddr,
        container: String,
        target: u16,
        error: String,
    },
    /// The container's healthcheck has not passed yet; what the probe found meanwhile.
    HealthStarting(Box<Step>),
}

impl Step {
    pub fn outcome(&self) -> Outcome {
        match self {
            Step::NotTcp { .. } | Step::Remote { .. } | Step::Answers { .. } => Outcome::Ok,
            Step::HealthStarting(inner) => inner.outcome(),
            _ => Outcome::Fail,
        }
    }

    /// The verdict in a word or two, for a summary line such as the editor's CodeLens
    /// (`✓ 2 answer · ✗ 1 refused`): `answer` when it worked, else what failed.
    pub fn short(&self) -> &'static str {
        match self {
            Step::Privileged { .. } => "privileged port",
            Step::TakenByContainer { .. } | Step::TakenOnHost { .. } => "port taken",
            Step::NoContainer { .. } => "no container",
            Step::NeverStarted { .. } => "never started",
            Step::NotRunning { .. } => "not running",
            Step::Unhealthy { .. } => "unhealthy",
            Step::InspectFailed { .. } | Step::InspectTimeout { .. } => "not inspected",
            Step::NotPublished { .. } => "not published",
            Step::OtherHostPort { .. } => "other host port",
            Step::NoHostPort { .. } => "no host port",
            Step::NotTcp { .. } | Step::Remote { .. } => "bound",
            Step::Answers { .. } => "answer",
            Step::Refused { .. } => "refused",
            Step::ConnectTimeout { .. } => "timeout",
            Step::ConnectFailed { .. } => "connect failed",
            Step::ListensOnLoopback { .. } => "loopback only",
            Step::NotListening { .. } => "not listening",
            Step::ClosedAtOnce { .. } | Step::CannotLookInside { .. } => "closed",
            Step::HealthStarting(inner) => inner.short(),
        }
    }

    /// No container of the mapping's service runs (none exists, or it stopped): the probe
    /// saw nothing fail, the service is just not up.
    pub fn not_up(&self) -> bool {
        matches!(
            self,
            Step::NoContainer { .. } | Step::NeverStarted { .. } | Step::NotRunning { .. }
        )
    }

    /// The step's name: `container`, `health`, `binding`, `connect`, `listen`, or `answer`
    /// when it worked.
    pub fn name(&self) -> &'static str {
        match self {
            Step::NoContainer { .. }
            | Step::NeverStarted { .. }
            | Step::NotRunning { .. }
            | Step::InspectFailed { .. }
            | Step::InspectTimeout { .. } => "container",
            Step::Unhealthy { .. } => "health",
            Step::Privileged { .. }
            | Step::TakenByContainer { .. }
            | Step::TakenOnHost { .. }
            | Step::NotPublished { .. }
            | Step::OtherHostPort { .. }
            | Step::NoHostPort { .. }
            | Step::NotTcp { .. }
            | Step::Remote { .. } => "binding",
            Step::Answers { .. } => "answer",
            Step::Refused { .. } | Step::ConnectTimeout { .. } | Step::ConnectFailed { .. } => {
                "connect"
            }
            Step::ListensOnLoopback { .. }
            | Step::NotListening { .. }
            | Step::ClosedAtOnce { .. }
            | Step::CannotLookInside { .. } => "listen",
            Step::HealthStarting(inner) => inner.name(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Step::Privileged { port, start } => crate::rules::rootless_message(*port, *start),
            Step::TakenByContainer {
                port,
                protocol,
                container,
                project,
            } => format!(
                "host port {port}/{protocol} is already published by container `{container}`{}: `docker compose up` will fail with \"port is already allocated\". Stop that container or choose another host port",
                project
                    .as_ref()
                    .map(|p| format!(" (project `{p}`)"))
                    .unwrap_or_default()
            ),
            Step::TakenOnHost { addr } => format!(
                "something on this host already listens on {addr}: `docker compose up` will fail with \"address already in use\". Stop it (`ss -ltnp 'sport = :{}'` shows which program) or choose another host port",
                addr.port()
            ),
            Step::NoContainer { service, project } => format!(
                "no container of service `{service}` in project `{project}`: run `docker compose up -d {service}`"
            ),
            Step::NeverStarted { container, service } => format!(
                "`{container}` was created but never started: `docker compose up -d {service}`"
            ),
            Step::NotRunning {
                container,
                status,
                service,
            } => format!(
                "`{container}` is not running ({status}): `docker compose logs {service}` says why"
            ),
            Step::Unhealthy { container } => format!(
                "`{container}` is running but its healthcheck fails (`docker inspect {container}` shows the probe's output)"
            ),
            Step::InspectFailed { container, error } => {
                format!("cannot inspect `{container}`: {error}")
            }
            Step::InspectTimeout { container } => {
                format!("the daemon did not answer `inspect {container}` in time")
            }
            Step::NotPublished {
                container,
                key,
                published,
                service,
            } => format!(
                "`{container}` does not publish {key} (it publishes {}): the container predates this mapping; run `docker compose up -d {service}`",
                if published.is_empty() {
                    "nothing".to_string()
                } else {
                    published.join(", ")
                },
            ),
            Step::OtherHostPort {
                container,
                key,
                actual,
                fixed,
                service,
            } => format!(
                "`{container}` publishes {key} on host port {actual}, not {fixed}: recreate it with `docker compose up -d {service}`"
            ),
            Step::NoHostPort { container, key } => {
                format!("`{container}` has no host port for {key}")
            }
            Step::NotTcp {
                bound,
                port,
                protocol,
            } => format!("bound on {bound}:{port}/{protocol} (only TCP is probed)"),
            Step::Remote { bound, port } => format!(
                "bound on {bound}:{port} of the daemon's host (remote daemon: not connected to)"
            ),
            Step::Answers { addr, took } => format!(
                "{addr} answers (connected in {:.1} ms)",
                took.as_secs_f64() * 1000.0
            ),
            Step::Refused { addr, container } => format!(
                "{addr} refused the connection although `{container}` publishes it: the host's firewall or a stale proxy is in the way"
            ),
            Step::ConnectTimeout { addr } => format!(
                "{addr} did not answer within {} ms: a firewall drops the traffic",
                CONNECT_TIMEOUT.as_millis()
            ),
            Step::ConnectFailed { addr, error } => {
                format!("connecting to {addr} failed: {error}")
            }
            Step::ListensOnLoopback {
                addr,
                container,
                ip,
                target,
            } => format!(
                "{addr} accepts, but the app in `{container}` listens on {ip}:{target} inside the container, which only the container itself can reach: make it listen on 0.0.0.0 (see `portside explain app-listens-on-loopback`)"
            ),
            Step::NotListening {
                addr,
                container,
                target,
                others,
            } => format!(
                "{addr} accepts, but nothing in `{container}` listens on container port {target}{}",
                if others.is_empty() {
                    " (nothing listens at all: is the app running?)".to_string()
                } else {
                    format!(
                        "; it listens on {}: is the mapping's container port right?",
                        others.join(", ")
                    )
                }
            ),
            Step::ClosedAtOnce { addr, container } => format!(
                "{addr} accepts, but the app in `{container}` closed the connection at once"
            ),
            Step::CannotLookInside {
                addr,
                container,
                target,
                error,
            } => format!(
                "{addr} accepts, but the connection closes at once: nothing in `{container}` answers on port {target} (portside could not look inside: {error})"
            ),
            Step::HealthStarting(inner) => {
                let note = if inner.outcome() == Outcome::Ok {
                    "; its healthcheck has not passed yet"
                } else {
                    "; its healthcheck has not passed yet: it may still be starting, try again in a moment"
                };
                format!("{}{note}", inner.message())
            }
        }
    }
}

/// Why a link (a network, a service naming another) holds or does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStep {
    SwarmManager {
        network: String,
    },
    NotSwarmManager {
        network: String,
    },
    /// The daemon could not say whether it is a swarm manager (`None`: not in time).
    SwarmUnknown {
        error: Option<String>,
    },
    NetworkExists {
        network: String,
    },
    NoNetwork {
        network: String,
    },
    NetworkUninspectable {
        network: String,
        error: String,
    },
    NetworkTimeout,
    /// `missing` (one of `from` and `to`) has no running container.
    NotRunning {
        missing: String,
        from: String,
        to: String,
    },
    NoSharedNetwork {
        from: String,
        from_networks: Vec<String>,
        to: String,
        to_networks: Vec<String>,
    },
    /// The name `name` is not one the daemon's DNS answers for `to` on the shared networks.
    NameDoesNotResolve {
        name: String,
        from: String,
        to: String,
        container: String,
        shared: Vec<String>,
        names: Vec<String>,
    },
    /// They share networks (no port to look at).
    Share {
        from: String,
        to: String,
        shared: String,
    },
    /// They share networks, and what listens in `to` could not be read.
    ShareCannotLook {
        from: String,
        to: String,
        shared: String,
        error: String,
    },
    NothingListens {
        to: String,
        port: u16,
    },
    ListensOnLoopback {
        from: String,
        to: String,
        ip: IpAddr,
        port: u16,
    },
    Listens {
        from: String,
        to: String,
        ip: IpAddr,
        port: u16,
        shared: String,
    },
}

impl LinkStep {
    pub fn outcome(&self) -> Outcome {
        match self {
            LinkStep::SwarmManager { .. }
            | LinkStep::NetworkExists { .. }
            | LinkStep::Share { .. }
            | LinkStep::ShareCannotLook { .. }
            | LinkStep::Listens { .. } => Outcome::Ok,
            _ => Outcome::Fail,
        }
    }

    /// `swarm`, `network`, `container`, `networks`, `names`, `listen`.
    pub fn name(&self) -> &'static str {
        match self {
            LinkStep::SwarmManager { .. }
            | LinkStep::NotSwarmManager { .. }
            | LinkStep::SwarmUnknown { .. } => "swarm",
            LinkStep::NetworkExists { .. }
            | LinkStep::NoNetwork { .. }
            | LinkStep::NetworkUninspectable { .. }
            | LinkStep::NetworkTimeout => "network",
            LinkStep::NotRunning { .. } => "container",
            LinkStep::NoSharedNetwork { .. }
            | LinkStep::Share { .. }
            | LinkStep::ShareCannotLook { .. } => "networks",
            LinkStep::NameDoesNotResolve { .. } => "names",
            LinkStep::NothingListens { .. }
            | LinkStep::ListensOnLoopback { .. }
            | LinkStep::Listens { .. } => "listen",
        }
    }

    pub fn message(&self) -> String {
        match self {
            LinkStep::SwarmManager { network } => {
                format!("this daemon is a swarm manager: it can create overlay network `{network}`")
            }
            LinkStep::NotSwarmManager { network } => format!(
                "network `{network}` uses the overlay driver and this daemon is not a swarm manager: `docker compose up` fails with \"This node is not a swarm manager\". Use the bridge driver on a single host, or `docker swarm init`"
            ),
            LinkStep::SwarmUnknown { error: Some(e) } => {
                format!("cannot ask the daemon about swarm mode: {e}")
            }
            LinkStep::SwarmUnknown { error: None } | LinkStep::NetworkTimeout => {
                "the daemon did not answer in time".into()
            }
            LinkStep::NetworkExists { network } => format!("external network `{network}` exists"),
            LinkStep::NoNetwork { network } => format!(
                "external network `{network}` does not exist: Compose refuses to start (`docker network create {network}`)"
            ),
            LinkStep::NetworkUninspectable { network, error } => {
                format!("cannot inspect network `{network}`: {error}")
            }
            LinkStep::NotRunning { missing, from, to } => {
                format!("`{missing}` has no running container, so `{from}` cannot reach `{to}`")
            }
            LinkStep::NoSharedNetwork {
                from,
                from_networks,
                to,
                to_networks,
            } => format!(
                "`{from}` (on {}) and `{to}` (on {}) share no network: the name `{to}` does not resolve from `{from}`",
                from_networks.join(", "),
                to_networks.join(", "),
            ),
            LinkStep::NameDoesNotResolve {
                name,
                from,
                to,
                container,
                shared,
                names,
            } => format!(
                "`{name}` does not resolve from `{from}`: the running `{to}` container ({container}) answers on {} to {}; recreate it (`docker compose up -d {to}`) if the alias was added since",
                shared.join(", "),
                if names.is_empty() {
                    "no alias".to_string()
                } else {
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            ),
            LinkStep::Share { from, to, shared } => format!("`{from}` and `{to}` share {shared}"),
            LinkStep::ShareCannotLook {
                from,
                to,
                shared,
                error,
            } => format!(
                "`{from}` and `{to}` share {shared} (could not look inside `{to}`: {error})"
            ),
            LinkStep::NothingListens { to, port } => {
                format!("nothing in `{to}` listens on port {port}")
            }
            LinkStep::ListensOnLoopback { from, to, ip, port } => {
                format!("`{to}` listens on {ip}:{port}, loopback only: `{from}` is refused")
            }
            LinkStep::Listens {
                from,
                to,
                ip,
                port,
                shared,
            } => format!("`{to}` listens on {ip}:{port} and shares {shared} with `{from}`"),
        }
    }
}
