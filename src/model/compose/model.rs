//! The Compose project model: services and networks as `docker compose` sees them after
//! interpolation, each value with the tree node it came from (so every finding can point
//! at its exact token). Built per analysis; pure.

use std::borrow::Cow;
use std::collections::HashMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use super::interpolate::{InterpolationError, interpolate};
use super::refs::{self, Audience, HostRef};
use crate::model::ports::{self, Binding};
use crate::syntax::yaml::{NodeId, NodeKind, Plain, Style, Yaml, resolve_plain};

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
    interp: Option<Box<Interp>>,
}

#[derive(Debug, Clone)]
struct Interp {
    raw: String,
    unset: Vec<String>,
    error: Option<InterpolationError>,
    /// The variables read, with the value each had (`None`: unset).
    used: Vec<(String, Option<String>)>,
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

    pub fn error(&self) -> Option<&InterpolationError> {
        self.interp.as_ref()?.error.as_ref()
    }
}

/// A host named in a service's environment or command.
#[derive(Debug, Clone)]
pub struct ServiceRef<'y> {
    /// Index of the service in [`Project::services`].
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
    /// ([`refs::audience`]; the one place that decides it).
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
    fn new(item: NodeId, spec: PortSpec<'y>) -> Self {
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

#[derive(Debug, Clone)]
pub struct EnvVar<'y> {
    pub key: &'y str,
    pub key_node: NodeId,
    pub value: Option<Val<'y>>,
}

/// Service keys that rules point at; their key nodes are recorded while building.
const TRACKED_KEYS: &[&str] = &[
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
    keys: [NodeId; TRACKED_KEYS.len()],
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
    pub extra_hosts: Vec<Val<'y>>,
    pub hostname: Option<Val<'y>>,
    pub container_name: Option<Val<'y>>,
    pub depends_on: Vec<Dep<'y>>,
    pub environment: Vec<EnvVar<'y>>,
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

#[derive(Debug)]
pub struct Project<'y> {
    pub yaml: &'y Yaml,
    pub text: &'y str,
    pub services: Vec<Service<'y>>,
    pub networks: Vec<Network<'y>>,
    /// `${VAR:?…}` with VAR missing, or a malformed template.
    pub interpolation_errors: Vec<(NodeId, InterpolationError)>,
    /// Hosts named in environment values and commands.
    pub refs: Vec<ServiceRef<'y>>,
    /// What the project's other files define.
    pub external: &'y super::External,
    /// What the settings say about the Docker host.
    pub host: &'y crate::config::HostFacts,
    /// The variables whose value came from the project's `.env` (not the environment).
    pub dotenv: &'y rustc_hash::FxHashSet<String>,
    /// The line of `.env` that set each of those, when known.
    pub dotenv_lines: &'y rustc_hash::FxHashMap<String, usize>,
    index: Index<'y>,
}

static NO_HOST: std::sync::LazyLock<crate::config::HostFacts> =
    std::sync::LazyLock::new(crate::config::HostFacts::default);

static NO_DOTENV: std::sync::LazyLock<rustc_hash::FxHashSet<String>> =
    std::sync::LazyLock::new(Default::default);

static NO_DOTENV_LINES: std::sync::LazyLock<rustc_hash::FxHashMap<String, usize>> =
    std::sync::LazyLock::new(Default::default);

static NO_EXTERNAL: std::sync::LazyLock<super::External> =
    std::sync::LazyLock::new(super::External::default);

/// Lookups that rules make for every reference, built once so that analysis stays linear.
#[derive(Debug, Default)]
struct Index<'y> {
    services: FxHashMap<&'y str, usize>,
    /// Service names, then network aliases, `hostname`s and `container_name`s.
    hosts: FxHashMap<Cow<'y, str>, usize>,
    networks: FxHashMap<&'y str, usize>,
    /// Container ports of each service (targets, `expose`, and its image's well-known ports).
    listens: Vec<smallvec::SmallVec<[u16; 6]>>,
    /// (from, to): service `from` names `to` in a reference, `depends_on` or `links`.
    edges: FxHashSet<(usize, usize)>,
    /// (from, to): service `from` names `to` as a host in its environment or command.
    ref_edges: FxHashSet<(usize, usize)>,
    /// Whether another service names this one.
    named_by_others: Vec<bool>,
}

/// The variables interpolation reads: `.env` and the environment (which wins).
pub type Vars = HashMap<String, String>;

impl<'y> Project<'y> {
    /// Builds the model of the first document that has `services` (Compose files have one).
    pub fn build(text: &'y str, yaml: &'y Yaml, vars: &Vars) -> Project<'y> {
        Self::build_with(text, yaml, vars, &NO_EXTERNAL)
    }

    /// As [`Project::build`], knowing what the project's other files define.
    pub fn build_with(
        text: &'y str,
        yaml: &'y Yaml,
        vars: &Vars,
        external: &'y super::External,
    ) -> Project<'y> {
        Self::build_only(text, yaml, vars, external, &|_| true)
    }

    /// As [`Project::build_with`] with only the services whose entry `keep` accepts (its
    /// key's span to its value's end); networks are all read. Hovers build the one service
    /// under the cursor this way, in microseconds on a file of thousands.
    pub fn build_only(
        text: &'y str,
        yaml: &'y Yaml,
        vars: &Vars,
        external: &'y super::External,
        keep: &dyn Fn(Range<usize>) -> bool,
    ) -> Project<'y> {
        let mut b = Builder {
            yaml,
            vars,
            errors: Vec::new(),
        };
        let mut project = Project {
            yaml,
            text,
            services: Vec::new(),
            networks: Vec::new(),
            interpolation_errors: Vec::new(),
            refs: Vec::new(),
            external,
            host: &NO_HOST,
            dotenv: &NO_DOTENV,
            dotenv_lines: &NO_DOTENV_LINES,
            index: Index::default(),
        };
        let root = yaml
            .documents
            .iter()
            .filter_map(|d| d.root)
            .find(|&r| yaml.is_mapping(r));
        if let Some(root) = root {
            if let Some(services) = yaml.get(root, "services") {
                let entries = yaml.entries(services.value);
                project.services.reserve_exact(entries.len());
                for s in entries {
                    if !keep(yaml.span(s.key).start..yaml.span(s.value).end) {
                        continue;
                    }
                    if let Some(service) = b.service(s.key, s.value) {
                        project.services.push(service);
                    }
                }
            }
            if let Some(networks) = yaml.get(root, "networks") {
                for n in yaml.entries(networks.value) {
                    project.networks.push(b.network(n.key, n.value));
                }
            }
        }
        project.interpolation_errors = b.errors;
        project.refs = find_refs(&project.services);
        project.refs.shrink_to_fit();
        project.index = project.build_index();
        project
    }

    fn build_index(&self) -> Index<'y> {
        let mut ix = Index::default();
        for (i, s) in self.services.iter().enumerate() {
            ix.services.entry(s.name).or_insert(i);
            ix.hosts.entry(Cow::Borrowed(s.name)).or_insert(i);
        }
        for (i, s) in self.services.iter().enumerate() {
            for v in s.other_names() {
                ix.hosts.entry(v.value.clone()).or_insert(i);
            }
        }
        for (i, n) in self.networks.iter().enumerate() {
            ix.networks.entry(n.name).or_insert(i);
        }
        ix.listens = self
            .services
            .iter()
            .map(|s| {
                let mut ports = s.container_ports();
                ports.extend_from_slice(s.image_ports());
                ports
            })
            .collect();
        for r in &self.refs {
            if let Some(&to) = ix.hosts.get(self.ref_host(r)) {
                ix.edges.insert((r.service, to));
                // A browser's URL or a listen address is no connection from the container.
                if r.connects() {
                    ix.ref_edges.insert((r.service, to));
                }
            }
        }
        for (i, s) in self.services.iter().enumerate() {
            let named = s
                .depends_on
                .iter()
                .map(|d| d.name.as_ref())
                .chain(s.links.iter().filter_map(|l| l.value.split(':').next()));
            for name in named {
                if let Some(&to) = ix.services.get(name) {
                    ix.edges.insert((i, to));
                }
            }
        }
        ix.named_by_others = vec![false; self.services.len()];
        for &(from, to) in &ix.edges {
            if from != to {
                ix.named_by_others[to] = true;
            }
        }
        ix
    }

    pub fn service(&self, name: &str) -> Option<&Service<'y>> {
        self.index.services.get(name).map(|&i| &self.services[i])
    }

    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.index.services.get(name).copied()
    }

    pub fn network(&self, name: &str) -> Option<&Network<'y>> {
        self.index.networks.get(name).map(|&i| &self.networks[i])
    }

    /// Where an interpolated value's text came from, for messages: `` (`DB_HOST=localhost`
    /// from `.env:2`)`` (the line when known), `` (`DB_HOST=localhost` from the environment)``, or `` (the default
    /// of `${DB_HOST:-localhost}`)``. Empty for a value written literally.
    pub fn value_origin(&self, val: &Val<'_>) -> String {
        let Some(interp) = &val.interp else {
            return String::new();
        };
        let parts: Vec<String> = interp
            .used
            .iter()
            .filter_map(|(name, value)| match value {
                Some(v) if self.dotenv.contains(name) => Some(match self.dotenv_lines.get(name) {
                    Some(line) => format!("`{name}={v}` from `.env:{line}`"),
                    None => format!("`{name}={v}` from `.env`"),
                }),
                Some(v) => Some(format!("`{name}={v}` from the environment")),
                None => None,
            })
            .collect();
        if parts.is_empty() {
            format!(" (the default in `{}`)", interp.raw)
        } else {
            format!(" ({})", parts.join(", "))
        }
    }

    /// The host a reference names.
    pub fn ref_host(&self, r: &ServiceRef<'_>) -> &str {
        self.ref_val(r)
            .value
            .get(r.host.host_range.clone())
            .unwrap_or_default()
    }

    /// The value a reference was found in.
    pub fn ref_val(&self, r: &ServiceRef<'_>) -> &Val<'y> {
        let s = &self.services[r.service];
        match r.source {
            RefSource::Env(i) => s.environment[i]
                .value
                .as_ref()
                .expect("refs come from values"),
            RefSource::Command(i) => &s.commands[i],
        }
    }

    /// The key node of `key` in a service mapping (merge keys applied).
    /// Why this file looks like a part of a project that another file completes (an
    /// override or variant whose base portside did not find, or a service with neither
    /// `image`, `build` nor `extends`), or `None`. Names it does not define may come from
    /// that other file.
    pub fn fragment(&self) -> Option<String> {
        if self.external.base_missing {
            return Some("named as an override of a base file that is not beside it".to_string());
        }
        self.services
            .iter()
            .find(|s| s.image.is_none() && !s.has_build && s.extends.is_none())
            .map(|s| format!("where `{}` has neither `image` nor `build`, so it only runs merged with another file", s.name))
    }

    pub fn key(&self, s: &Service<'_>, key: &str) -> Option<NodeId> {
        if let Some(i) = TRACKED_KEYS.iter().position(|k| *k == key) {
            return (s.keys[i] != NodeId::MAX).then_some(s.keys[i]);
        }
        if !self.yaml.is_mapping(s.node) {
            return None;
        }
        self.yaml.get(s.node, key).map(|e| e.key)
    }

    /// Ports the service listens on: Compose's container ports and `expose`, plus the
    /// well-known ports of its image.
    pub fn listens(&self, s: usize) -> &[u16] {
        &self.index.listens[s]
    }

    /// Whether service `from` names service `to` (reference, `depends_on` or `links`).
    pub fn names(&self, from: usize, to: usize) -> bool {
        self.index.edges.contains(&(from, to))
    }

    /// Whether service `from` connects to `to` (names it as a host in a value).
    pub fn refers_to(&self, from: usize, to: usize) -> bool {
        self.index.ref_edges.contains(&(from, to))
    }

    /// Whether any other service names service `to`.
    pub fn is_named_by_others(&self, to: usize) -> bool {
        self.index.named_by_others[to]
    }

    /// The byte span of a node (through aliases, where the text is).
    pub fn span(&self, node: NodeId) -> Range<usize> {
        self.yaml.span(self.yaml.resolve(node))
    }

    /// The source range of `part` (a byte range of `val.value`): exact when the value is
    /// written literally (no interpolation, no escapes), else the whole token.
    pub fn value_span(&self, val: &Val<'_>, part: Range<usize>) -> Range<usize> {
        if val.interpolated() {
            return self.span(val.node);
        }
        self.raw_span(val, part)
            .unwrap_or_else(|| self.span(val.node))
    }

    /// Like [`Project::value_span`] for a range of `val.raw` (the text before
    /// interpolation), which is what a fix that edits the source needs.
    pub fn raw_span(&self, val: &Val<'_>, part: Range<usize>) -> Option<Range<usize>> {
        let o = val.offset as usize;
        self.yaml
            .part_span(self.text, val.node, o + part.start..o + part.end)
    }

    /// The whole value of `val` in the source (for `KEY=value` items, just the value).
    pub fn val_span(&self, val: &Val<'_>) -> Range<usize> {
        self.value_span(val, 0..val.value.len())
    }

    /// The lines of a block-style `key: value` entry of `mapping`, line breaks included,
    /// for a fix that deletes it. `None` when the key is merged in from elsewhere or shares
    /// a line with other content (flow style).
    pub fn entry_lines(&self, mapping: NodeId, key: &str) -> Option<Range<usize>> {
        let entry = self.yaml.get(mapping, key)?;
        if entry.via.is_some() {
            return None;
        }
        let key_span = self.yaml.span(entry.key);
        let value_end = self
            .yaml
            .span(self.yaml.resolve(entry.value))
            .end
            .max(key_span.end);
        let line_start = self.text[..key_span.start].rfind('\n').map_or(0, |i| i + 1);
        if !self.text[line_start..key_span.start].trim().is_empty() {
            return None;
        }
        // Block values end where their last item ends; the rest of that line must be blank
        // or a comment.
        let line_end = self.text[value_end..]
            .find('\n')
            .map_or(self.text.len(), |i| value_end + i + 1);
        let tail = self.text[value_end..line_end].trim();
        if !(tail.is_empty() || tail.starts_with('#')) {
            return None;
        }
        Some(line_start..line_end)
    }

    /// The indentation of the keys of a block mapping, for fixes that insert a key.
    pub fn key_indent(&self, mapping: NodeId) -> Option<String> {
        let first = self
            .yaml
            .entries(mapping)
            .into_iter()
            .find(|e| e.via.is_none())?;
        let start = self.yaml.span(first.key).start;
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &self.text[line_start..start];
        // `- key:` in a list: the key's column, as spaces.
        indent
            .chars()
            .all(|c| c == ' ' || c == '-')
            .then(|| " ".repeat(indent.len()))
    }

    /// Where to point for a port entry: the token for the short syntax, the `target` key
    /// (or the first key) for the long one.
    pub fn port_span(&self, port: &Port<'_>) -> Range<usize> {
        if !self.yaml.is_mapping(port.item) {
            return self.span(port.item);
        }
        let entries = self.yaml.entries(port.item);
        entries
            .iter()
            .find(|e| self.yaml.scalar(e.key) == Some("target"))
            .or(entries.first())
            .map_or_else(|| self.span(port.item), |e| self.span(e.key))
    }

    /// Where the service's traffic lives; `service:X` follows X.
    /// Whether part of the service may be defined elsewhere (`extends`, or another file of
    /// the project defines it too): rules that reason about what is absent leave it alone.
    pub fn partial(&self, service: &Service<'_>) -> bool {
        service.extends.is_some() || self.external.services.contains(service.name)
    }

    pub fn attachment<'a>(&'a self, service: &'a Service<'_>) -> Attachment<'a> {
        let mut current = service;
        for _ in 0..8 {
            if self.partial(current) {
                return Attachment::Unknown;
            }
            match current.mode() {
                None => {
                    if current.networks.is_empty() {
                        return Attachment::Networks(vec!["default"]);
                    }
                    return Attachment::Networks(
                        current.networks.iter().map(|n| n.name.as_ref()).collect(),
                    );
                }
                Some("host") => return Attachment::Host,
                Some("bridge") => return Attachment::Bridge,
                Some(mode) => match mode.strip_prefix("service:").and_then(|s| self.service(s)) {
                    Some(next) => current = next,
                    None => return Attachment::Isolated,
                },
            }
        }
        Attachment::Isolated
    }

    /// Whether two services share a project network.
    pub fn share_network(&self, a: &Service<'_>, b: &Service<'_>) -> bool {
        match (self.attachment(a), self.attachment(b)) {
            (Attachment::Networks(x), Attachment::Networks(y)) => x.iter().any(|n| y.contains(n)),
            _ => false,
        }
    }

    /// The service a host name reaches: service name, network alias, `hostname` or
    /// `container_name`.
    pub fn service_for_host(&self, host: &str) -> Option<&Service<'y>> {
        self.host_index(host).map(|i| &self.services[i])
    }

    /// Index in [`Project::services`] of the service a host name reaches.
    pub fn host_index(&self, host: &str) -> Option<usize> {
        self.index.hosts.get(host).copied()
    }

    /// Every name the project provides to DNS: services, aliases, hostnames, container names.
    pub fn host_names(&self) -> impl Iterator<Item = &str> {
        self.index.hosts.keys().map(|k| k.as_ref())
    }
}

/// Host references of every service: environment values (with `*_HOST`/`*_PORT` pairs)
/// and the words of commands.
fn find_refs<'y>(services: &[Service<'y>]) -> Vec<ServiceRef<'y>> {
    let mut out = Vec::new();
    for (i, s) in services.iter().enumerate() {
        for (vi, var) in s.environment.iter().enumerate() {
            let Some(val) = &var.value else { continue };
            let found = refs::find(var.key, &val.value);
            if found.is_empty() {
                continue;
            }
            let sibling_port = refs::host_key_prefix(var.key).and_then(|(_, port_key)| {
                s.environment
                    .iter()
                    .find(|e| e.key.eq_ignore_ascii_case(&port_key))
                    .and_then(|e| e.value.as_ref()?.value.parse().ok())
            });
            for host in found {
                out.push(ServiceRef {
                    service: i,
                    key: var.key,
                    source: RefSource::Env(vi),
                    audience: refs::audience(var.key, &val.value, &host),
                    host,
                    sibling_port,
                    origin: CommandKind::Environment,
                });
            }
        }
        for (ci, val) in s.commands.iter().enumerate() {
            let mut start = 0;
            for word in val.value.split(' ') {
                for mut host in refs::find("", word) {
                    host.host_range = host.host_range.start + start..host.host_range.end + start;
                    host.port_range = host.port_range.map(|r| r.start + start..r.end + start);
                    out.push(ServiceRef {
                        service: i,
                        key: "command",
                        source: RefSource::Command(ci),
                        audience: refs::audience("", &val.value, &host),
                        host,
                        sibling_port: None,
                        origin: s.command_kinds[ci],
                    });
                }
                start += word.len() + 1;
            }
        }
    }
    out
}

struct Builder<'y, 'v> {
    yaml: &'y Yaml,
    vars: &'v Vars,
    errors: Vec<(NodeId, InterpolationError)>,
}

impl<'y> Builder<'y, '_> {
    /// A scalar value, interpolated. Numbers and booleans become their text.
    fn val(&mut self, node: NodeId) -> Option<Val<'y>> {
        let resolved = self.yaml.resolve(node);
        let raw = self.yaml.scalar(resolved)?;
        Some(self.val_from(resolved, 0, raw))
    }

    fn val_from(&mut self, node: NodeId, offset: usize, raw: &'y str) -> Val<'y> {
        if !raw.contains('$') {
            return Val {
                node,
                offset: offset as u32,
                value: Cow::Borrowed(raw),
                interp: None,
            };
        }
        let vars = self.vars;
        let r = interpolate(raw, &|name| vars.get(name).cloned());
        if let Some(e) = &r.error {
            self.errors.push((node, e.clone()));
        }
        Val {
            node,
            offset: offset as u32,
            value: Cow::Owned(r.value),
            interp: Some(Box::new(Interp {
                raw: raw.to_string(),
                unset: r.unset,
                error: r.error,
                used: {
                    let mut used: Vec<(String, Option<String>)> = Vec::new();
                    for name in r.used {
                        if !used.iter().any(|(n, _)| *n == name) {
                            let value = vars.get(&name).cloned();
                            used.push((name, value));
                        }
                    }
                    used
                },
            })),
        }
    }

    fn list(&mut self, node: NodeId) -> Vec<Val<'y>> {
        // A single string counts as a one-item list (`dns: 8.8.8.8`).
        match self.yaml.items(node) {
            Some(items) => {
                let mut out = Vec::with_capacity(items.len());
                out.extend(items.iter().filter_map(|&i| self.val(i)));
                out
            }
            None => self.val(node).into_iter().collect(),
        }
    }

    fn flag(&mut self, node: NodeId) -> bool {
        let resolved = self.yaml.resolve(node);
        let plain = matches!(
            self.yaml.node(resolved).kind,
            NodeKind::Scalar {
                style: Style::Plain,
                ..
            }
        );
        match self.val(node) {
            Some(v) if plain => {
                matches!(resolve_plain(&v.value), Plain::Bool(true)) || v.value == "true"
            }
            Some(v) => v.value == "true",
            None => false,
        }
    }

    fn service(&mut self, key: NodeId, node: NodeId) -> Option<Service<'y>> {
        let yaml = self.yaml;
        let name = yaml.scalar(key)?;
        let mut s = Service {
            name,
            key,
            node,
            keys: [NodeId::MAX; TRACKED_KEYS.len()],
            image: None,
            has_build: false,
            build: None,
            ports: Vec::new(),
            expose: Vec::new(),
            expose_items: Vec::new(),
            networks: Vec::new(),
            network_mode: None,
            links: Vec::new(),
            external_links: Vec::new(),
            extra_hosts: Vec::new(),
            hostname: None,
            container_name: None,
            depends_on: Vec::new(),
            environment: Vec::new(),
            commands: Vec::new(),
            command_kinds: Vec::new(),
            profiles: Vec::new(),
            replicas: None,
            has_healthcheck: false,
            extends: None,
        };
        if !yaml.is_mapping(node) {
            return Some(s);
        }
        for entry in yaml.entries(node) {
            let Some(k) = yaml.scalar(entry.key) else {
                continue;
            };
            if let Some(i) = TRACKED_KEYS.iter().position(|t| *t == k) {
                s.keys[i] = entry.key;
            }
            let v = entry.value;
            match k {
                "image" => s.image = self.val(v),
                "build" => {
                    s.has_build = true;
                    s.build = Some(Box::new(match self.val(v) {
                        Some(context) => Build {
                            context: Some(context),
                            dockerfile: None,
                            target: None,
                            args: Vec::new(),
                        },
                        None => {
                            let mut field =
                                |k: &str| yaml.get(v, k).and_then(|e| self.val(e.value));
                            let (context, dockerfile, target) =
                                (field("context"), field("dockerfile"), field("target"));
                            let args = match yaml.get(v, "args") {
                                Some(e) => self.build_args(e.value),
                                None => Vec::new(),
                            };
                            Build {
                                context,
                                dockerfile,
                                target,
                                args,
                            }
                        }
                    }));
                }
                "ports" => {
                    let items = yaml.items(v).unwrap_or_default();
                    s.ports.reserve_exact(items.len());
                    for &item in items {
                        let spec = self.port_spec(item);
                        s.ports.push(Port::new(item, spec));
                    }
                }
                "expose" => {
                    s.expose = self.list(v);
                    s.expose_items = yaml.items(v).unwrap_or_default().to_vec();
                }
                "networks" => s.networks = self.service_networks(v),
                "network_mode" => s.network_mode = self.val(v),
                "links" => s.links = self.list(v),
                "external_links" => s.external_links = self.list(v),
                "extra_hosts" => s.extra_hosts = self.extra_hosts(v),
                "hostname" => s.hostname = self.val(v),
                "container_name" => s.container_name = self.val(v),
                "depends_on" => s.depends_on = self.depends_on(v),
                "environment" => s.environment = self.environment(v),
                "command" | "entrypoint" => {
                    let vals = self.list(v);
                    let kind = if k == "command" {
                        CommandKind::Command
                    } else {
                        CommandKind::Entrypoint
                    };
                    s.command_kinds
                        .extend(std::iter::repeat_n(kind, vals.len()));
                    s.commands.extend(vals);
                }
                "healthcheck" => {
                    s.has_healthcheck = true;
                    if let Some(test) = yaml.get(v, "test") {
                        let vals = self.list(test.value);
                        s.command_kinds
                            .extend(std::iter::repeat_n(CommandKind::Healthcheck, vals.len()));
                        s.commands.extend(vals);
                    }
                }
                "profiles" => {
                    s.profiles = self.list(v).into_iter().map(|p| p.value).collect();
                }
                "scale" => s.replicas = self.number(v).map(|n| (n, v)),
                "extends" => {
                    // `extends: name` (same file) or `extends: {service, file}`.
                    s.extends =
                        match self.val(v) {
                            Some(service) => Some(Box::new(Extends {
                                service,
                                file: None,
                            })),
                            None => yaml.get(v, "service").and_then(|e| self.val(e.value)).map(
                                |service| {
                                    let file = yaml.get(v, "file").and_then(|f| self.val(f.value));
                                    Box::new(Extends { service, file })
                                },
                            ),
                        };
                }
                "deploy" => {
                    if let Some(r) = yaml.get(v, "replicas")
                        && s.replicas.is_none()
                    {
                        s.replicas = self.number(r.value).map(|n| (n, r.value));
                    }
                }
                _ => {}
            }
        }
        Some(s)
    }

    fn number(&mut self, node: NodeId) -> Option<u64> {
        self.val(node)?.value.parse().ok()
    }

    fn port_spec(&mut self, item: NodeId) -> PortSpec<'y> {
        let yaml = self.yaml;
        if yaml.is_mapping(item) {
            let mut long = LongPort {
                target: None,
                published: None,
                host_ip: None,
                protocol: None,
                mode: None,
            };
            for e in yaml.entries(item) {
                let slot = match yaml.scalar(e.key) {
                    Some("target") => &mut long.target,
                    Some("published") => &mut long.published,
                    Some("host_ip") => &mut long.host_ip,
                    Some("protocol") => &mut long.protocol,
                    Some("mode") => &mut long.mode,
                    _ => continue,
                };
                *slot = self.val(e.value);
            }
            PortSpec::Long(Box::new(long))
        } else {
            match self.val(item) {
                Some(v) => PortSpec::Short(v),
                None => PortSpec::Other,
            }
        }
    }

    fn service_networks(&mut self, node: NodeId) -> Vec<NetAttach<'y>> {
        let yaml = self.yaml;
        if let Some(items) = yaml.items(node) {
            let mut out = Vec::with_capacity(items.len());
            out.extend(items.iter().filter_map(|&i| {
                Some(NetAttach {
                    name: self.val(i)?.value,
                    node: i,
                    aliases: Vec::new(),
                    ipv4: None,
                    ipv6: None,
                })
            }));
            return out;
        }
        let entries = yaml.entries(node);
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let Some(name) = yaml.scalar(e.key) else {
                continue;
            };
            let mut attach = NetAttach {
                name: Cow::Borrowed(name),
                node: e.key,
                aliases: Vec::new(),
                ipv4: None,
                ipv6: None,
            };
            if yaml.is_mapping(e.value) {
                for f in yaml.entries(e.value) {
                    match yaml.scalar(f.key) {
                        Some("aliases") => attach.aliases = self.list(f.value),
                        Some("ipv4_address") => attach.ipv4 = self.val(f.value).map(Box::new),
                        Some("ipv6_address") => attach.ipv6 = self.val(f.value).map(Box::new),
                        _ => {}
                    }
                }
            }
            out.push(attach);
        }
        out
    }

    /// Host names that `extra_hosts` provides (list `host:ip` / `host=ip`, or map keys).
    fn extra_hosts(&mut self, node: NodeId) -> Vec<Val<'y>> {
        let yaml = self.yaml;
        if yaml.items(node).is_some() {
            return self
                .list(node)
                .into_iter()
                .map(|mut v| {
                    let host_end = v.value.find(['=', ':']).unwrap_or(v.value.len());
                    v.value = match v.value {
                        Cow::Borrowed(s) => Cow::Borrowed(&s[..host_end]),
                        Cow::Owned(mut s) => {
                            s.truncate(host_end);
                            Cow::Owned(s)
                        }
                    };
                    v
                })
                .collect();
        }
        yaml.entries(node)
            .iter()
            .filter_map(|e| self.val(e.key))
            .collect()
    }

    fn depends_on(&mut self, node: NodeId) -> Vec<Dep<'y>> {
        let yaml = self.yaml;
        if let Some(items) = yaml.items(node) {
            let mut out = Vec::with_capacity(items.len());
            let vars = self.vars;
            out.extend(items.iter().filter_map(|&i| {
                let raw = yaml.scalar(i)?;
                // Compose interpolates list items like any value; a template error is
                // reported by interpolation-error on its own.
                let (name, unset_vars) = if raw.contains('$') {
                    let r = interpolate(raw, &|name| vars.get(name).cloned());
                    (
                        Cow::Owned(r.value),
                        !r.unset.is_empty() || r.error.is_some(),
                    )
                } else {
                    (Cow::Borrowed(raw), false)
                };
                Some(Dep {
                    name,
                    unset_vars,
                    node: i,
                    condition: None,
                })
            }));
            return out;
        }
        yaml.entries(node)
            .iter()
            .filter_map(|e| {
                Some(Dep {
                    name: Cow::Borrowed(yaml.scalar(e.key)?),
                    unset_vars: false,
                    node: e.key,
                    condition: yaml
                        .get(e.value, "condition")
                        .and_then(|c| yaml.scalar(c.value))
                        .or(Some("service_started")),
                })
            })
            .collect()
    }

    /// `build.args`, resolved as Compose passes them to the build.
    fn build_args(&mut self, node: NodeId) -> Vec<(String, String)> {
        let vars = self.vars;
        self.environment(node)
            .into_iter()
            .filter_map(|a| match a.value {
                Some(v) => Some((a.key.to_string(), v.value.into_owned())),
                None => vars.get(a.key).map(|v| (a.key.to_string(), v.clone())),
            })
            .collect()
    }

    fn environment(&mut self, node: NodeId) -> Vec<EnvVar<'y>> {
        let yaml = self.yaml;
        if let Some(items) = yaml.items(node) {
            let mut out = Vec::with_capacity(items.len());
            for &i in items {
                let resolved = yaml.resolve(i);
                let Some(raw) = yaml.scalar(resolved) else {
                    continue;
                };
                let (key, value) = match raw.split_once('=') {
                    Some((k, v)) => (k, Some(self.val_from(resolved, k.len() + 1, v))),
                    None => (raw, None),
                };
                out.push(EnvVar {
                    key,
                    key_node: i,
                    value,
                });
            }
            return out;
        }
        let entries = yaml.entries(node);
        let mut out = Vec::with_capacity(entries.len());
        for e in entries {
            let Some(key) = yaml.scalar(e.key) else {
                continue;
            };
            out.push(EnvVar {
                key,
                key_node: e.key,
                value: self.val(e.value),
            });
        }
        out
    }

    fn network(&mut self, key: NodeId, node: NodeId) -> Network<'y> {
        let yaml = self.yaml;
        let mut n = Network {
            name: yaml.scalar(key).unwrap_or_default(),
            key,
            node: yaml.is_mapping(node).then_some(node),
            ..Network::default()
        };
        if !yaml.is_mapping(node) {
            return n;
        }
        for e in yaml.entries(node) {
            match yaml.scalar(e.key) {
                Some("external") => {
                    // `external: true`, or the deprecated `external: {name: …}`.
                    n.external = yaml.is_mapping(e.value) || self.flag(e.value);
                }
                Some("internal") => n.internal = self.flag(e.value),
                Some("enable_ipv6") => n.enable_ipv6 = self.flag(e.value),
                Some("driver") => n.driver = self.val(e.value),
                Some("name") => n.explicit_name = self.val(e.value),
                Some("driver_opts") => {
                    n.host_binding_ipv4 = yaml
                        .get(e.value, "com.docker.network.bridge.host_binding_ipv4")
                        .and_then(|o| self.val(o.value))
                        .map(|v| v.value.into_owned());
                    n.mtu = yaml
                        .get(e.value, "com.docker.network.driver.mtu")
                        .and_then(|o| self.val(o.value))
                        .map(|v| v.value.into_owned());
                }
                Some("ipam") => {
                    if let Some(config) = yaml.get(e.value, "config") {
                        for &c in yaml.items(config.value).unwrap_or_default() {
                            n.ipam.push(self.ipam_config(c));
                        }
                    }
                }
                _ => {}
            }
        }
        n
    }

    fn ipam_config(&mut self, node: NodeId) -> IpamConfig<'y> {
        let yaml = self.yaml;
        let mut c = IpamConfig {
            node,
            subnet: None,
            ip_range: None,
            gateway: None,
            aux_addresses: Vec::new(),
        };
        for e in yaml.entries(node) {
            match yaml.scalar(e.key) {
                Some("subnet") => c.subnet = self.val(e.value),
                Some("ip_range") => c.ip_range = self.val(e.value),
                Some("gateway") => c.gateway = self.val(e.value),
                Some("aux_addresses") => {
                    for a in yaml.entries(e.value) {
                        if let (Some(k), Some(v)) = (yaml.scalar(a.key), self.val(a.value)) {
                            c.aux_addresses.push((k, v));
                        }
                    }
                }
                _ => {}
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<R>(text: &str, vars: &[(&str, &str)], f: impl FnOnce(&Project) -> R) -> R {
        let yaml = Yaml::parse(text);
        assert!(yaml.error.is_none(), "{:?}", yaml.error);
        let vars: Vars = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let project = Project::build(text, &yaml, &vars);
        f(&project)
    }

    #[test]
    fn services_networks_and_attachments() {
        let text = "services:\n  web:\n    image: nginx:1.25\n    networks: [front]\n    ports: [\"${WEB_PORT:-8080}:80\"]\n  api:\n    image: registry.example/team/api@sha256:abc\n    networks:\n      front:\n        aliases: [backend]\n      back:\n        ipv4_address: 10.0.0.5\n  db:\n    image: postgres\n  vpn:\n    network_mode: service:api\n  sys:\n    network_mode: host\nnetworks:\n  front: {}\n  back:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n";
        with(text, &[], |p| {
            assert_eq!(p.services.len(), 5);
            let web = p.service("web").unwrap();
            assert_eq!(web.image_name(), Some("nginx"));
            let b = web.ports[0].bindings().unwrap();
            assert_eq!(b[0].published, "8080");
            let api = p.service("api").unwrap();
            assert_eq!(api.image_name(), Some("api"));
            assert_eq!(api.networks[1].ipv4.as_ref().unwrap().value, "10.0.0.5");
            assert_eq!(p.service_for_host("backend").unwrap().name, "api");
            assert_eq!(
                p.attachment(p.service("db").unwrap()),
                Attachment::Networks(vec!["default"])
            );
            assert_eq!(
                p.attachment(p.service("vpn").unwrap()),
                Attachment::Networks(vec!["front", "back"])
            );
            assert_eq!(p.attachment(p.service("sys").unwrap()), Attachment::Host);
            assert!(p.share_network(web, api));
            assert!(!p.share_network(web, p.service("db").unwrap()));
            let back = p.network("back").unwrap();
            assert!(back.internal);
            assert_eq!(back.ipam[0].subnet.as_ref().unwrap().value, "10.0.0.0/24");
        });
    }

    #[test]
    fn environment_forms_and_value_spans() {
        let text = "services:\n  app:\n    environment:\n      - DATABASE_URL=postgres://u:p@localhost:5432/app\n      - DEBUG\n  other:\n    environment:\n      REDIS_URL: \"redis://${REDIS_HOST:-cache}:6379\"\n";
        with(text, &[], |p| {
            let app = p.service("app").unwrap();
            let url = app.environment[0].value.as_ref().unwrap();
            assert_eq!(url.value, "postgres://u:p@localhost:5432/app");
            let host = url.value.find("localhost").unwrap();
            let span = p.value_span(url, host..host + 9);
            assert_eq!(&text[span], "localhost");
            assert!(app.environment[1].value.is_none());
            let other = p.service("other").unwrap();
            let v = other.environment[0].value.as_ref().unwrap();
            assert_eq!(v.value, "redis://cache:6379");
            // Interpolated: the whole token.
            assert_eq!(
                &text[p.value_span(v, 8..13)],
                "\"redis://${REDIS_HOST:-cache}:6379\""
            );
        });
    }

    #[test]
    fn interpolation_errors_and_unset_variables() {
        let text =
            "services:\n  a:\n    ports: [\"${BIND}:8080:80\"]\n    image: \"${TAG:?set TAG}\"\n";
        with(text, &[], |p| {
            let a = p.service("a").unwrap();
            let PortSpec::Short(v) = &a.ports[0].spec else {
                panic!()
            };
            assert_eq!(v.value, ":8080:80");
            assert_eq!(v.unset(), ["BIND"]);
            assert_eq!(p.interpolation_errors.len(), 1);
            assert_eq!(
                p.interpolation_errors[0].1.to_string(),
                "required variable TAG is missing a value: set TAG"
            );
        });
        with(text, &[("BIND", "127.0.0.1"), ("TAG", "1")], |p| {
            assert!(p.interpolation_errors.is_empty());
            let b = p.service("a").unwrap().ports[0].bindings().unwrap();
            assert_eq!(b[0].host_ip, "127.0.0.1");
        });
    }

    #[test]
    fn long_syntax_ports_and_replicas() {
        let text = "services:\n  a:\n    ports:\n      - target: 80\n        published: \"8000-8001\"\n        host_ip: 127.0.0.1\n    deploy:\n      replicas: 3\n";
        with(text, &[], |p| {
            let a = p.service("a").unwrap();
            let b = a.ports[0].bindings().unwrap();
            assert_eq!(b[0].published, "8000-8001");
            assert_eq!(a.replicas.map(|r| r.0), Some(3));
        });
    }
}
