//! The builder: one walk of the YAML tree that interpolates every value Compose reads and
//! fills the model ([`Project`]), then the host references of values (`find_refs`) and the
//! index. The only code that reads a Compose tree's services for the model.

use std::borrow::Cow;
use std::ops::Range;

use super::index::Index;
use super::interpolate::{InterpolationError, interpolate};
use super::queries::{Project, Vars};
use super::refs;
use super::values::*;
use crate::syntax::yaml::{NodeId, NodeKind, Plain, Style, Yaml, resolve_plain};

static NO_HOST: std::sync::LazyLock<crate::config::HostFacts> =
    std::sync::LazyLock::new(crate::config::HostFacts::default);

static NO_DOTENV: std::sync::LazyLock<rustc_hash::FxHashSet<String>> =
    std::sync::LazyLock::new(Default::default);

static NO_DOTENV_LINES: std::sync::LazyLock<rustc_hash::FxHashMap<String, usize>> =
    std::sync::LazyLock::new(Default::default);

static NO_EXTERNAL: std::sync::LazyLock<super::External> =
    std::sync::LazyLock::new(super::External::default);

/// What a model is built from besides its text: the variables interpolation reads, what
/// the project's other files define, what the settings say about the Docker host, and
/// which variables came from `.env` (for messages). A model is complete when built:
/// nothing is assigned to it afterwards.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'y> {
    pub vars: &'y Vars,
    pub external: &'y super::External,
    pub host: &'y crate::config::HostFacts,
    pub dotenv: &'y rustc_hash::FxHashSet<String>,
    pub dotenv_lines: &'y rustc_hash::FxHashMap<String, usize>,
}

impl<'y> Inputs<'y> {
    /// The variables alone: no other files, no host facts, no `.env` provenance.
    pub fn vars(vars: &'y Vars) -> Inputs<'y> {
        Inputs {
            vars,
            external: &NO_EXTERNAL,
            host: &NO_HOST,
            dotenv: &NO_DOTENV,
            dotenv_lines: &NO_DOTENV_LINES,
        }
    }

    /// The variables and what the project's other files define.
    pub fn with_external(vars: &'y Vars, external: &'y super::External) -> Inputs<'y> {
        Inputs {
            external,
            ..Inputs::vars(vars)
        }
    }
}

impl<'y> Project<'y> {
    /// Builds the model of the first document that has `services` (Compose files have one).
    pub fn build(text: &'y str, yaml: &'y Yaml, vars: &'y Vars) -> Project<'y> {
        Self::build_from(text, yaml, Inputs::vars(vars), &|_| true)
    }

    /// As [`Project::build`], knowing what the project's other files define.
    pub fn build_with(
        text: &'y str,
        yaml: &'y Yaml,
        vars: &'y Vars,
        external: &'y super::External,
    ) -> Project<'y> {
        Self::build_from(text, yaml, Inputs::with_external(vars, external), &|_| true)
    }

    /// As [`Project::build_with`] with only the services whose entry `keep` accepts (its
    /// key's span to its value's end); networks are all read. Hovers build the one service
    /// under the cursor this way, in microseconds on a file of thousands.
    pub fn build_only(
        text: &'y str,
        yaml: &'y Yaml,
        vars: &'y Vars,
        external: &'y super::External,
        keep: &dyn Fn(Range<usize>) -> bool,
    ) -> Project<'y> {
        Self::build_from(text, yaml, Inputs::with_external(vars, external), keep)
    }

    /// The model from all of its [`Inputs`], with only the services whose entry `keep`
    /// accepts (`&|_| true` for all).
    pub fn build_from(
        text: &'y str,
        yaml: &'y Yaml,
        inputs: Inputs<'y>,
        keep: &dyn Fn(Range<usize>) -> bool,
    ) -> Project<'y> {
        Self::build_inner(text, yaml, inputs, keep, false)
    }

    /// The model of the names alone, for navigation: the service keys that name services,
    /// networks and hosts (and the hosts in values), not ports, builds or images; only
    /// the services whose entry `keep` accepts; no variables, so a value written with
    /// `${…}` names nothing navigation can rename. Its [`Project::occurrences`] are those
    /// of the full model.
    pub fn build_names(
        text: &'y str,
        yaml: &'y Yaml,
        keep: &dyn Fn(Range<usize>) -> bool,
    ) -> Project<'y> {
        static NO_VARS: std::sync::LazyLock<Vars> = std::sync::LazyLock::new(Vars::new);
        Self::build_names_from(text, yaml, Inputs::vars(&NO_VARS), keep)
    }

    /// As [`Project::build_names`] with [`Inputs`]: the names and where each service's
    /// traffic lives ([`Project::attachment`] reads only naming keys), as the project's
    /// other files and variables make them.
    pub fn build_names_from(
        text: &'y str,
        yaml: &'y Yaml,
        inputs: Inputs<'y>,
        keep: &dyn Fn(Range<usize>) -> bool,
    ) -> Project<'y> {
        Self::build_inner(text, yaml, inputs, keep, true)
    }

    fn build_inner(
        text: &'y str,
        yaml: &'y Yaml,
        inputs: Inputs<'y>,
        keep: &dyn Fn(Range<usize>) -> bool,
        names_only: bool,
    ) -> Project<'y> {
        let mut b = Builder {
            yaml,
            vars: inputs.vars,
            errors: Vec::new(),
            names_only,
        };
        let mut project = Project {
            yaml,
            text,
            services: Vec::new(),
            networks: Vec::new(),
            interpolation_errors: Vec::new(),
            refs: Vec::new(),
            vars: inputs.vars,
            external: inputs.external,
            host: inputs.host,
            dotenv: inputs.dotenv,
            dotenv_lines: inputs.dotenv_lines,
            index: Index::default(),
            schema: std::sync::OnceLock::new(),
            images: std::sync::OnceLock::new(),
        };
        // A legacy version 1 file has its services at the top level: its networking is
        // read as if they were under `services:` (the layout itself is a finding).
        let legacy = super::schema::layout(yaml) == super::schema::Layout::Legacy;
        if let Some(services) = super::schema::services_node(yaml) {
            let entries = yaml.entries(services);
            project.services.reserve_exact(entries.len());
            for s in entries {
                if legacy && yaml.scalar(s.key).is_some_and(|k| k.starts_with("x-")) {
                    continue;
                }
                if !keep(yaml.span(s.key).start..yaml.span(s.value).end) {
                    continue;
                }
                if let Some(service) = b.service(s.key, s.value) {
                    project.services.push(service);
                }
            }
        }
        if let Some(networks) = yaml.top("networks") {
            for n in yaml.entries(networks.value) {
                project.networks.push(b.network(n.key, n.value));
            }
        }
        project.interpolation_errors = b.errors;
        project.refs = find_refs(&project.services);
        project.refs.shrink_to_fit();
        project.index = project.build_index();
        project
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
    /// Read only the service keys that name services, networks and hosts
    /// ([`NAMING_KEYS`]).
    names_only: bool,
}

/// The service keys where a service, a network or a host is named: what
/// [`Project::build_names`] reads.
const NAMING_KEYS: &[&str] = &[
    "networks",
    "depends_on",
    "links",
    "network_mode",
    "extends",
    "environment",
    "command",
    "entrypoint",
    "healthcheck",
    "hostname",
    "container_name",
];

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
            labels: Vec::new(),
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
            if self.names_only && !NAMING_KEYS.contains(&k) {
                continue;
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
                "labels" => {
                    let labels = self.labels(v);
                    s.labels.extend(labels);
                }
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
                    if let Some(l) = yaml.get(v, "labels") {
                        let labels = self.labels(l.value);
                        s.labels.extend(labels);
                    }
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

    /// `extra_hosts` entries: list `host:ip` / `host=ip`, or a map of host to address.
    fn extra_hosts(&mut self, node: NodeId) -> Vec<ExtraHost<'y>> {
        let yaml = self.yaml;
        if let Some(items) = yaml.items(node) {
            let mut out = Vec::with_capacity(items.len());
            for &item in items {
                let Some(mut name) = self.val(item) else {
                    continue;
                };
                let host_end = name.value.find(['=', ':']).unwrap_or(name.value.len());
                let address = name.value.get(host_end + 1..).unwrap_or_default();
                let address = match &name.value {
                    Cow::Borrowed(s) => Cow::Borrowed(&s[s.len() - address.len()..]),
                    Cow::Owned(_) => Cow::Owned(address.to_string()),
                };
                name.value = match name.value {
                    Cow::Borrowed(s) => Cow::Borrowed(&s[..host_end]),
                    Cow::Owned(mut s) => {
                        s.truncate(host_end);
                        Cow::Owned(s)
                    }
                };
                out.push(ExtraHost {
                    node: item,
                    name,
                    address: Some(address),
                });
            }
            return out;
        }
        yaml.entries(node)
            .iter()
            .filter_map(|e| {
                let name = self.val(e.key)?;
                let address = yaml
                    .scalar(e.value)
                    .or_else(|| {
                        yaml.items(e.value)
                            .and_then(|i| i.first())
                            .and_then(|&i| yaml.scalar(i))
                    })
                    .map(Cow::Borrowed);
                Some(ExtraHost {
                    node: e.key,
                    name,
                    address,
                })
            })
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

    /// `labels` (only the network map reads them): their interpolation errors are not
    /// recorded, so the rules' findings stay what they were before labels were read.
    fn labels(&mut self, node: NodeId) -> Vec<EnvVar<'y>> {
        let errors = self.errors.len();
        let out = self.environment(node);
        self.errors.truncate(errors);
        out
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
