//! The values of the Compose model: a scalar after interpolation ([`Val`]), services,
//! their ports, networks, dependencies, environment and commands, top-level networks, and
//! the host references found in values ([`ServiceRef`]). Plain data; the builder
//! (`build.rs`) fills them and the queries (`queries.rs`) read them.

use std::borrow::Cow;

use super::interpolate::InterpolationError;
use super::refs::{Audience, HostRef};
use crate::model::ports::{self, Binding};
use crate::syntax::yaml::NodeId;

/// A scalar after interpolation.
#[derive(Debug, Clone)]
pub struct Val<'y> {
    /// The scalar node (through aliases: the anchored node, where the text is).
    pub node: NodeId,
    /// Where this value starts inside the scalar's own value (`KEY=value` list items).
    pub offset: u32,
    /// The text Compose uses: borrowed from the tree unless interpolation changed it.
    pub value: Cow<'y, str>,
    /// Set when the text had variables (rare, so kept out of line).
    pub(super) interp: Option<Box<Interp>>,
}

#[derive(Debug, Clone)]
pub(super) struct Interp {
    pub(super) raw: String,
    pub(super) unset: Vec<String>,
    pub(super) error: Option<InterpolationError>,
    /// The variables read, with the value each had (`None`: unset).
    pub(super) used: Vec<(String, Option<String>)>,
}

impl<'y> Val<'y> {
    /// A scalar taken as written, without interpolation (for rules that read a key the
    /// model does not keep).
    pub fn plain(node: NodeId, value: &'y str) -> Val<'y> {
        Val {
            node,
            offset: 0,
            value: Cow::Borrowed(value),
            interp: None,
        }
    }

    /// The text as written (before interpolation).
    pub fn raw(&self) -> &str {
        self.interp.as_ref().map_or(&self.value, |i| &i.raw)
    }

    pub fn interpolated(&self) -> bool {
        self.interp.is_some()
    }

    /// Variables used without a default that are not set.
    pub fn unset(&self) -> &[String] {
        self.interp.as_ref().map_or(&[], |i| &i.unset)
    }

    /// The variables the value was written with, each once, with the value it had here
    /// (`None`: unset).
    pub fn used(&self) -> &[(String, Option<String>)] {
        self.interp.as_ref().map_or(&[], |i| &i.used)
    }

    pub fn error(&self) -> Option<&InterpolationError> {
        self.interp.as_ref()?.error.as_ref()
    }
}

/// A host named in a service's environment or command.
#[derive(Debug, Clone)]
pub struct ServiceRef<'y> {
    /// Index of the service in [`Project::services`](super::Project::services).
    pub service: usize,
    /// The environment variable's name, or `command`.
    pub key: &'y str,
    /// Which value: `environment[i]` or `commands[i]` of the service.
    pub source: RefSource,
    /// Where the reference sits inside `val.value`.
    pub host: HostRef,
    /// For `DB_HOST=db`, the port of `DB_PORT` in the same service.
    pub sibling_port: Option<u16>,
    /// Who uses the address: this container, a browser or another machine, a listener
    /// ([`refs::audience`](super::refs::audience); the one place that decides it).
    pub audience: Audience,
    /// Whether the value is an environment variable, a `command`/`entrypoint` word or a
    /// `healthcheck.test` word.
    pub origin: CommandKind,
}

/// Where a service's value comes from: `environment`, `command`, `entrypoint` or
/// `healthcheck.test`. A healthcheck, a command and an entrypoint run inside the service's
/// own container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandKind {
    Environment,
    Command,
    Entrypoint,
    Healthcheck,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefSource {
    Env(usize),
    Command(usize),
}

impl ServiceRef<'_> {
    pub fn port(&self) -> Option<u16> {
        self.host.effective_port().or(self.sibling_port)
    }

    /// Whether this container may connect to the address (this container or unknown; not
    /// a browser's or another machine's address, not a listen address).
    pub fn connects(&self) -> bool {
        matches!(self.audience, Audience::Container | Audience::Unknown)
    }

    /// Whether the reference is evidence that a container is meant: a URL, a port, or a
    /// `*_PORT` beside a `*_HOST` (not a bare word under a `*_HOST`-style key alone).
    pub fn has_port_or_scheme(&self) -> bool {
        self.host.port.is_some() || self.host.scheme.is_some() || self.sibling_port.is_some()
    }
}

/// The long syntax's fields.
#[derive(Debug, Clone)]
pub struct LongPort<'y> {
    pub target: Option<Val<'y>>,
    pub published: Option<Val<'y>>,
    pub host_ip: Option<Val<'y>>,
    pub protocol: Option<Val<'y>>,
    pub mode: Option<Val<'y>>,
}

#[derive(Debug, Clone)]
pub enum PortSpec<'y> {
    Short(Val<'y>),
    Long(Box<LongPort<'y>>),
    /// A list or anything else: invalid-port-spec reports it.
    Other,
}

type Bindings = smallvec::SmallVec<[Binding; 1]>;

#[derive(Debug, Clone)]
pub struct Port<'y> {
    /// The entry of the `ports` list.
    pub item: NodeId,
    pub spec: PortSpec<'y>,
    /// Docker's bindings, parsed once (usually one, kept inline).
    bindings: Option<Bindings>,
}

impl<'y> Port<'y> {
    pub(super) fn new(item: NodeId, spec: PortSpec<'y>) -> Self {
        let bindings = Self::parse(&spec);
        Self {
            item,
            spec,
            bindings,
        }
    }

    /// Docker's bindings for this entry, when it is valid after interpolation.
    pub fn bindings(&self) -> Option<&[Binding]> {
        self.bindings.as_deref()
    }

    fn parse(spec: &PortSpec<'_>) -> Option<Bindings> {
        match spec {
            PortSpec::Short(v) if v.error().is_none() => ports::parse_port_spec(&v.value)
                .ok()
                .map(Bindings::from_vec),
            PortSpec::Long(long) => {
                let LongPort {
                    target,
                    published,
                    host_ip,
                    protocol,
                    ..
                } = &**long;
                let target = target.as_ref()?.value.parse::<u16>().ok()?;
                let published = published
                    .as_ref()
                    .map_or_else(smol_str::SmolStr::default, |p| {
                        smol_str::SmolStr::new(&p.value)
                    });
                if !published.is_empty() {
                    ports::parse_port_range(&published).ok()?;
                }
                let host_ip = host_ip
                    .as_ref()
                    .map_or_else(smol_str::SmolStr::default, |h| {
                        smol_str::SmolStr::new(&h.value)
                    });
                if !host_ip.is_empty() && !ports::is_ip(&host_ip) {
                    return None;
                }
                let protocol = match protocol {
                    Some(p) => ports::protocol(&p.value)?,
                    None => "tcp",
                };
                Some(smallvec::smallvec![Binding {
                    host_ip,
                    published,
                    target,
                    protocol,
                }])
            }
            _ => None,
        }
    }

    /// The node that carries the published part (for long syntax, `published`).
    pub fn published_node(&self) -> NodeId {
        match &self.spec {
            PortSpec::Long(long) => long.published.as_ref().map_or(self.item, |p| p.node),
            _ => self.item,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NetAttach<'y> {
    pub name: Cow<'y, str>,
    /// The network's name in the service's `networks` (list item or map key).
    pub node: NodeId,
    pub aliases: Vec<Val<'y>>,
    /// Fixed addresses are rare: boxed to keep every attachment small.
    pub ipv4: Option<Box<Val<'y>>>,
    pub ipv6: Option<Box<Val<'y>>>,
}

#[derive(Debug, Clone)]
pub struct Dep<'y> {
    /// The service named, interpolated (`- ${DB_HOST:-postgres}` names `postgres`).
    pub name: Cow<'y, str>,
    /// The variables the name was written with are not all set here: it may name another
    /// service where Compose runs.
    pub unset_vars: bool,
    pub node: NodeId,
    /// `None` for the short (list) form.
    pub condition: Option<&'y str>,
}

/// An `extra_hosts` entry: `host:ip` / `host=ip` in the list form, `host: ip` in the map
/// form.
#[derive(Debug, Clone)]
pub struct ExtraHost<'y> {
    /// The entry as written: the list item, or the map key.
    pub node: NodeId,
    /// The host name (interpolated; for a list item, the part before `:` or `=`).
    pub name: Val<'y>,
    /// The address it resolves to (`host-gateway` included): after the separator of a list
    /// item (empty when there is none), the map value (or its first item); `None` when the
    /// map value is not a scalar.
    pub address: Option<Cow<'y, str>>,
}

#[derive(Debug, Clone)]
pub struct EnvVar<'y> {
    pub key: &'y str,
    pub key_node: NodeId,
    pub value: Option<Val<'y>>,
}

/// Service keys that rules point at; their key nodes are recorded while building.
pub(super) const TRACKED_KEYS: &[&str] = &[
    "ports",
    "expose",
    "networks",
    "network_mode",
    "links",
    "external_links",
    "extra_hosts",
    "dns",
    "dns_search",
    "dns_opt",
    "hostname",
    "mac_address",
    "command",
    "entrypoint",
    "build",
];

#[derive(Debug, Clone)]
pub struct Service<'y> {
    pub name: &'y str,
    pub key: NodeId,
    pub node: NodeId,
    /// Key nodes of the [`TRACKED_KEYS`] the service has (merge keys applied), by
    /// position in that list; `NodeId::MAX` where absent.
    pub(super) keys: [NodeId; TRACKED_KEYS.len()],
    pub image: Option<Val<'y>>,
    pub has_build: bool,
    /// `build:` as a context string or a mapping.
    pub build: Option<Box<Build<'y>>>,
    pub ports: Vec<Port<'y>>,
    pub expose: Vec<Val<'y>>,
    /// The `expose` list's entries as written (including ones that are not scalars).
    pub expose_items: Vec<NodeId>,
    pub networks: Vec<NetAttach<'y>>,
    pub network_mode: Option<Val<'y>>,
    pub links: Vec<Val<'y>>,
    pub external_links: Vec<Val<'y>>,
    pub extra_hosts: Vec<ExtraHost<'y>>,
    pub hostname: Option<Val<'y>>,
    pub container_name: Option<Val<'y>>,
    pub depends_on: Vec<Dep<'y>>,
    pub environment: Vec<EnvVar<'y>>,
    /// `labels` and `deploy.labels` (list or mapping form, read like `environment`): what
    /// a reverse proxy reading Docker labels (Traefik, caddy-docker-proxy) routes by.
    pub labels: Vec<EnvVar<'y>>,
    /// `command`, `entrypoint` and `healthcheck.test` strings.
    pub commands: Vec<Val<'y>>,
    /// Which of those each entry of `commands` is.
    pub command_kinds: Vec<CommandKind>,
    pub profiles: Vec<Cow<'y, str>>,
    /// `scale` or `deploy.replicas`, with the value node.
    pub replicas: Option<(u64, NodeId)>,
    pub has_healthcheck: bool,
    /// `extends: {service, file}`.
    pub extends: Option<Box<Extends<'y>>>,
}

/// `build`: where the image's Dockerfile is.
#[derive(Debug, Clone)]
pub struct Build<'y> {
    pub context: Option<Val<'y>>,
    pub dockerfile: Option<Val<'y>>,
    pub target: Option<Val<'y>>,
    /// `build.args` as the build receives them (map or list form): a name without a value
    /// takes it from the variables (`.env`, the environment) and is left out when unset.
    pub args: Vec<(String, String)>,
}

/// `extends`: the service (and file) this one builds on.
#[derive(Debug, Clone)]
pub struct Extends<'y> {
    pub service: Val<'y>,
    pub file: Option<Val<'y>>,
}

impl<'y> Service<'y> {
    /// The names besides its own that the service answers to on its networks: aliases,
    /// `hostname`, `container_name`.
    /// The first `ports` entry that publishes something (valid after interpolation).
    pub fn first_published(&self) -> Option<&Port<'y>> {
        self.ports.iter().find(|port| port.bindings().is_some())
    }

    pub fn other_names(&self) -> impl Iterator<Item = &Val<'y>> {
        self.networks
            .iter()
            .flat_map(|n| n.aliases.iter())
            .chain(&self.hostname)
            .chain(&self.container_name)
    }
}

impl Service<'_> {
    /// Container ports the service listens on as far as Compose shows: port targets and
    /// `expose` entries.
    pub fn container_ports(&self) -> smallvec::SmallVec<[u16; 6]> {
        let mut ports: smallvec::SmallVec<[u16; 6]> = self
            .ports
            .iter()
            .filter_map(Port::bindings)
            .flatten()
            .map(|b| b.target)
            .collect();
        for e in &self.expose {
            if let Ok(exposed) = ports::parse_expose(&e.value) {
                ports.extend(exposed.iter().map(|p| p.port));
            }
        }
        ports
    }

    /// `network_mode` as written after interpolation.
    pub fn mode(&self) -> Option<&str> {
        self.network_mode.as_ref().map(|v| v.value.as_ref())
    }

    /// Well-known ports of the service's image, for servers that show none in Compose.
    pub fn image_ports(&self) -> &'static [u16] {
        match self.image_name() {
            Some("postgres" | "postgis") => &[5432],
            Some("mysql" | "mariadb") => &[3306],
            Some("mongo") => &[27017],
            Some("redis" | "valkey" | "keydb") => &[6379],
            Some("rabbitmq") => &[5672, 15672],
            Some("memcached") => &[11211],
            Some("elasticsearch" | "opensearch") => &[9200],
            Some("nats") => &[4222],
            Some("kafka" | "cp-kafka") => &[9092],
            _ => &[],
        }
    }

    /// The image's repository name without registry, tag or digest: `postgres`.
    pub fn image_name(&self) -> Option<&str> {
        let image = &self.image.as_ref()?.value;
        let no_digest = image.split('@').next().unwrap_or(image);
        let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
        Some(last.split(':').next().unwrap_or(last))
    }
}

#[derive(Debug, Clone)]
pub struct IpamConfig<'y> {
    pub node: NodeId,
    pub subnet: Option<Val<'y>>,
    pub ip_range: Option<Val<'y>>,
    pub gateway: Option<Val<'y>>,
    pub aux_addresses: Vec<(&'y str, Val<'y>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Network<'y> {
    pub name: &'y str,
    pub key: NodeId,
    pub node: Option<NodeId>,
    pub external: bool,
    pub internal: bool,
    pub enable_ipv6: bool,
    pub driver: Option<Val<'y>>,
    pub explicit_name: Option<Val<'y>>,
    pub ipam: Vec<IpamConfig<'y>>,
    /// `driver_opts."com.docker.network.bridge.host_binding_ipv4"`.
    pub host_binding_ipv4: Option<String>,
    /// `driver_opts."com.docker.network.driver.mtu"`.
    pub mtu: Option<String>,
}

/// Where a service's traffic lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attachment<'p> {
    /// Project networks (`default` when none is named).
    Networks(Vec<&'p str>),
    /// `network_mode: host`.
    Host,
    /// `network_mode: bridge` (the default bridge, no service-name DNS).
    Bridge,
    /// `none`, `container:…` or an unknown mode.
    Isolated,
    /// Not known from this file: the service `extends` another, or another file of the
    /// project defines it too, so its networks may come from there.
    Unknown,
}
