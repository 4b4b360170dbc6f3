//! The network map: a Compose project's networking as a graph (issue 18). [`Topology`] is
//! built from the same model the rules read ([`Project`], with what the workspace layer
//! merged into `External`) and the findings of its analysis: services (image or build, the
//! ports they listen on where known), networks (driver, internal, external, subnets), the
//! host (published ports), `network_mode` sharing and the connections the project states
//! (host references in values, `depends_on`). Every element keeps its source span and the
//! findings that sit on it. Pure; [`render`] turns it into Mermaid, DOT or SVG.

mod project;
mod proxy;
pub mod render;

pub use project::of_project;

use std::ops::Range;

use crate::analysis::Context;
use crate::finding::{Finding, Severity};
use crate::model::compose::Project;
use crate::syntax::yaml::Yaml;

/// A finding as the map shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mark {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl Mark {
    /// Whether the finding says the element fails (an error or a warning): drawn red.
    pub fn fails(&self) -> bool {
        matches!(self.severity, Severity::Error | Severity::Warning)
    }
}

/// Where a service's traffic lives, as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Project networks (`default` when none is named).
    Networks(Vec<String>),
    /// `network_mode: host`.
    Host,
    /// `network_mode: bridge`.
    Bridge,
    /// `network_mode: service:X`: X's network stack.
    Service(String),
    /// `none`, `container:…` or a mode not known: the mode as written.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapService {
    pub name: String,
    /// The service's entry (key to value end).
    pub span: Range<usize>,
    pub image: Option<String>,
    pub build: bool,
    /// Container ports it listens on as far as the model knows (ports, expose, the image
    /// table), sorted.
    pub listens: Vec<u16>,
    pub sharing: Sharing,
    pub findings: Vec<Mark>,
    /// The other file of the project that writes it (an included file, the override or
    /// base file), when it is not the analysed one: its span is in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapNetwork {
    pub name: String,
    /// The network's entry under `networks:`; `None` for the implicit `default` or a
    /// network another file declares.
    pub span: Option<Range<usize>>,
    pub driver: Option<String>,
    pub internal: bool,
    pub external: bool,
    pub subnets: Vec<String>,
    pub findings: Vec<Mark>,
    /// The other file of the project that writes it (an included file, the override or
    /// base file), when it is not the analysed one: its span is in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<std::path::PathBuf>,
}

/// A port published to the host.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub service: String,
    /// As written; empty for every interface.
    pub host_ip: String,
    /// Published on every interface (no address, `0.0.0.0` or `::`).
    pub every_interface: bool,
    /// Host port or range; empty for an ephemeral port.
    pub host_port: String,
    pub container_port: u16,
    pub protocol: &'static str,
    /// The `ports` entry.
    pub span: Range<usize>,
    pub findings: Vec<Mark>,
    /// What the live probe saw, once [`paint`]ed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Live>,
    /// The other file of the project that writes it (an included file, the override or
    /// base file), when it is not the analysed one: its span is in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// A host named in a value (URL, `host:port`, `*_HOST`) under this key.
    Reference { key: String },
    /// `depends_on`.
    DependsOn,
    /// A reverse proxy (`via`: `traefik`, `nginx-proxy`, `caddy-docker-proxy`) routing to
    /// the service as its labels or environment declare, matching requests by `rule` (a
    /// router rule, virtual host names, a site address).
    Proxy {
        via: &'static str,
        rule: Option<String>,
    },
}

/// A connection the project states.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    pub from: String,
    /// The project service it reaches, when the host names one.
    pub to: Option<String>,
    /// The host as written.
    pub host: String,
    /// The host is no service of this file but another file of the project defines it
    /// (an override, an included file).
    pub elsewhere: bool,
    pub port: Option<u16>,
    pub kind: ConnectionKind,
    pub span: Range<usize>,
    pub findings: Vec<Mark>,
    /// What the live probe saw, once [`paint`]ed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<Live>,
    /// The other file of the project that writes it (an included file, the override or
    /// base file), when it is not the analysed one: its span is in that file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<std::path::PathBuf>,
}

impl Connection {
    pub fn refused(&self) -> bool {
        self.findings.iter().any(Mark::fails)
    }
}

/// What the live probe saw on a published port or a connection, in its own words: green,
/// red or grey on the map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", content = "message", rename_all = "snake_case")]
pub enum Live {
    /// It answered (a published port), or the two share a network and the port listens.
    Reached(String),
    /// A step on the way failed.
    Refused(String),
    /// Not known: not checked, or the service is not up.
    Unknown(String),
}

impl Live {
    pub fn message(&self) -> &str {
        match self {
            Live::Reached(m) | Live::Refused(m) | Live::Unknown(m) => m,
        }
    }
}

/// The live probe's verdicts as plain data (the `live` layer builds them from its own
/// types), matched to the map's elements by what both read from the same text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub ports: Vec<PortVerdict>,
    pub connections: Vec<ConnectionVerdict>,
}

/// A verdict on one binding of a `ports` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortVerdict {
    pub service: String,
    /// The entry's start in the Compose text.
    pub entry_start: usize,
    pub host_ip: String,
    pub host_port: String,
    pub container_port: u16,
    pub protocol: String,
    pub live: Live,
}

/// A verdict on `from` reaching service `to` (on `port`, when the value names one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionVerdict {
    pub from: String,
    pub to: String,
    pub port: Option<u16>,
    pub live: Live,
}

/// `t` with the live verdicts on its published ports and connections. A port, a reference
/// or a proxy route without a verdict is unknown (grey), as is a host outside the project;
/// `depends_on` is no network path and stays as it was. Pure.
pub fn paint(mut t: Topology, v: &Verdicts) -> Topology {
    for p in &mut t.published {
        let found = v.ports.iter().find(|pv| {
            pv.service == p.service
                && pv.entry_start == p.span.start
                && pv.host_ip == p.host_ip
                && pv.host_port == p.host_port
                && pv.container_port == p.container_port
                && pv.protocol == p.protocol
        });
        p.live = Some(found.map_or_else(
            || Live::Unknown("no live verdict for this binding".to_string()),
            |pv| pv.live.clone(),
        ));
    }
    for c in &mut t.connections {
        if matches!(c.kind, ConnectionKind::DependsOn) {
            continue;
        }
        c.live = Some(match &c.to {
            None => Live::Unknown(format!(
                "not checked live: `{}` is no service of this file",
                c.host
            )),
            Some(to) => v
                .connections
                .iter()
                .find(|cv| cv.from == c.from && &cv.to == to && cv.port == c.port)
                .map_or_else(
                    || Live::Unknown("no live verdict for this connection".to_string()),
                    |cv| cv.live.clone(),
                ),
        });
    }
    t
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Topology {
    /// Sorted by name.
    pub services: Vec<MapService>,
    /// Sorted by name.
    pub networks: Vec<MapNetwork>,
    /// By service, then in file order.
    pub published: Vec<Published>,
    /// By service, then in file order.
    pub connections: Vec<Connection>,
}

/// Why there is no map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    pub message: String,
    /// Where in the text, when the error has a place.
    pub offset: Option<usize>,
}

/// The map of a Compose file's text with its workspace context: the text is analysed
/// (the findings are painted on the map) and modelled as the rules model it. A file that
/// does not parse has no map.
pub fn of_compose(text: &str, ctx: &Context) -> Result<Topology, MapError> {
    let analysis = crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, ctx);
    if let Some(f) = analysis
        .findings
        .iter()
        .find(|f| f.rule.code == crate::rules::SYNTAX_ERROR.code)
    {
        return Err(MapError {
            message: f.message.clone(),
            offset: Some(f.range.start),
        });
    }
    let Some(yaml) = analysis.yaml.clone() else {
        let message = analysis.findings.first().map_or_else(
            || "the file could not be read as Compose YAML".to_string(),
            |f| f.message.clone(),
        );
        return Err(MapError {
            message,
            offset: None,
        });
    };
    Ok(of_project_text(text, &yaml, ctx, &analysis.findings))
}

fn of_project_text(text: &str, yaml: &Yaml, ctx: &Context, findings: &[Finding]) -> Topology {
    let inputs = crate::model::compose::Inputs {
        vars: &ctx.vars,
        external: &ctx.external,
        host: &ctx.rules.host,
        dotenv: &ctx.dotenv,
        dotenv_lines: &ctx.dotenv_lines,
    };
    let project = Project::build_from(text, yaml, inputs, &|_| true);
    topology(&project, findings)
}

/// The topology of a project, with `findings` (its analysis) placed on the elements they
/// sit on: each finding goes to the smallest element whose span holds it.
pub fn topology(project: &Project<'_>, findings: &[Finding]) -> Topology {
    let mut t = Topology::default();
    let mut used_networks: Vec<String> = Vec::new();
    for (i, s) in project.services.iter().enumerate() {
        let entry = project.span(s.key).start..project.span(s.node).end;
        let mut listens: Vec<u16> = project.listens(i).to_vec();
        if let Some(known) = project.image_known(s) {
            listens.extend(known.ports.iter().map(|p| p.port));
        }
        listens.sort_unstable();
        listens.dedup();
        let sharing = match s.mode() {
            None => {
                let nets: Vec<String> = if s.networks.is_empty() {
                    vec!["default".to_string()]
                } else {
                    let mut n: Vec<String> =
                        s.networks.iter().map(|n| n.name.to_string()).collect();
                    n.sort();
                    n.dedup();
                    n
                };
                used_networks.extend(nets.iter().cloned());
                Sharing::Networks(nets)
            }
            Some("host") => Sharing::Host,
            Some("bridge") => Sharing::Bridge,
            Some(m) => match m.strip_prefix("service:") {
                Some(other) => Sharing::Service(other.to_string()),
                None => Sharing::Other(m.to_string()),
            },
        };
        t.services.push(MapService {
            name: s.name.to_string(),
            span: entry,
            image: s.image.as_ref().map(|v| v.value.to_string()),
            build: s.has_build,
            listens,
            sharing,
            findings: Vec::new(),
            file: None,
        });
        // With `network_mode: host` Docker discards `ports` (a rule says so on the service).
        let ports = if s.mode() == Some("host") {
            &[][..]
        } else {
            &s.ports[..]
        };
        for port in ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            for b in bindings {
                let ip = b.host_ip.as_str();
                t.published.push(Published {
                    service: s.name.to_string(),
                    host_ip: ip.to_string(),
                    every_interface: matches!(ip, "" | "0.0.0.0" | "::"),
                    host_port: b.published.to_string(),
                    container_port: b.target,
                    protocol: b.protocol,
                    span: project.span(port.item),
                    findings: Vec::new(),
                    file: None,
                    live: None,
                });
            }
        }
        for dep in &s.depends_on {
            t.connections.push(Connection {
                from: s.name.to_string(),
                to: project.service(&dep.name).map(|d| d.name.to_string()),
                host: dep.name.to_string(),
                elsewhere: project.service(&dep.name).is_none()
                    && project.external.hosts.contains(dep.name.as_ref()),
                port: None,
                kind: ConnectionKind::DependsOn,
                span: project.span(dep.node),
                findings: Vec::new(),
                file: None,
                live: None,
            });
        }
    }
    proxy_connections(project, &mut t);
    for r in &project.refs {
        if !r.connects() {
            continue;
        }
        let host = project.ref_host(r);
        let val = project.ref_val(r);
        let to = project.service_for_host(host).map(|s| s.name.to_string());
        t.connections.push(Connection {
            from: project.services[r.service].name.to_string(),
            elsewhere: to.is_none() && project.external.hosts.contains(host),
            to,
            host: host.to_string(),
            port: r.port(),
            kind: ConnectionKind::Reference {
                key: r.key.to_string(),
            },
            // The host and its port: a rule about the port (`cache:6380`) sits on it too.
            span: project.value_span(
                val,
                r.host.host_range.start
                    ..r.host
                        .port_range
                        .as_ref()
                        .map_or(r.host.host_range.end, |p| p.end.max(r.host.host_range.end)),
            ),
            findings: Vec::new(),
            file: None,
            live: None,
        });
    }
    for n in &project.networks {
        t.networks.push(MapNetwork {
            name: n.name.to_string(),
            span: Some(
                project.span(n.key).start
                    ..n.node
                        .map_or_else(|| project.span(n.key).end, |node| project.span(node).end),
            ),
            driver: n.driver.as_ref().map(|d| d.value.to_string()),
            internal: n.internal,
            external: n.external,
            subnets: n
                .ipam
                .iter()
                .filter_map(|c| c.subnet.as_ref().map(|s| s.value.to_string()))
                .collect(),
            findings: Vec::new(),
            file: None,
        });
    }
    used_networks.sort();
    used_networks.dedup();
    for name in used_networks {
        if !t.networks.iter().any(|n| n.name == name) {
            t.networks.push(MapNetwork {
                name,
                span: None,
                driver: None,
                internal: false,
                external: false,
                subnets: Vec::new(),
                findings: Vec::new(),
                file: None,
            });
        }
    }
    // Connections of one service in file order: references and depends_on interleave by
    // position.
    t.connections
        .sort_by(|a, b| (a.from.as_str(), a.span.start).cmp(&(b.from.as_str(), b.span.start)));
    t.published.sort_by(|a, b| {
        (a.service.as_str(), a.span.start).cmp(&(b.service.as_str(), b.span.start))
    });
    t.services.sort_by(|a, b| a.name.cmp(&b.name));
    t.networks.sort_by(|a, b| a.name.cmp(&b.name));
    place(&mut t, findings);
    // A reference to a host the project does not define is drawn only when a rule says
    // something about it (a `localhost` between containers, a host no one defines) or
    // another file of the project defines it.
    t.connections
        .retain(|c| c.to.is_some() || c.elsewhere || !c.findings.is_empty());
    t
}

/// The routes reverse proxies of the project take: from each proxy service to the
/// services whose labels or environment declare a route for its kind of proxy.
fn proxy_connections(project: &Project<'_>, t: &mut Topology) {
    let proxies: Vec<(&str, proxy::Kind)> = project
        .services
        .iter()
        .filter_map(|s| Some((s.name, proxy::kind_of_image(&s.image.as_ref()?.value)?)))
        .collect();
    if proxies.is_empty() {
        return;
    }
    let mut kinds: Vec<proxy::Kind> = proxies.iter().map(|(_, k)| *k).collect();
    kinds.dedup();
    for s in &project.services {
        for route in proxy::routes(project, s, &kinds) {
            for (name, _) in proxies
                .iter()
                .filter(|(name, kind)| *kind == route.kind && *name != s.name)
            {
                t.connections.push(Connection {
                    from: name.to_string(),
                    to: Some(s.name.to_string()),
                    host: s.name.to_string(),
                    elsewhere: false,
                    port: route.port,
                    kind: ConnectionKind::Proxy {
                        via: route.kind.name(),
                        rule: route.rule.clone(),
                    },
                    span: route.span.clone(),
                    findings: Vec::new(),
                    file: None,
                    live: None,
                });
            }
        }
    }
}

/// Each finding to the smallest element whose span holds its start (and its end, when it
/// has one).
fn place(t: &mut Topology, findings: &[Finding]) {
    enum Slot {
        Service(usize),
        Network(usize),
        Published(usize),
        Connection(usize),
    }
    let mut slots: Vec<(Range<usize>, Slot)> = Vec::new();
    slots.extend(
        t.services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span.clone(), Slot::Service(i))),
    );
    slots.extend(
        t.networks
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((n.span.clone()?, Slot::Network(i)))),
    );
    slots.extend(
        t.published
            .iter()
            .enumerate()
            .map(|(i, p)| (p.span.clone(), Slot::Published(i))),
    );
    slots.extend(
        t.connections
            .iter()
            .enumerate()
            .map(|(i, c)| (c.span.clone(), Slot::Connection(i))),
    );
    for f in findings {
        let holds = |span: &Range<usize>| {
            span.start <= f.range.start
                && f.range.end <= span.end.max(span.start + 1)
                && (f.range.start < span.end || span.is_empty())
        };
        let Some((_, slot)) = slots
            .iter()
            .filter(|(span, _)| holds(span))
            .min_by_key(|(span, _)| span.len())
        else {
            continue;
        };
        let mark = Mark {
            code: f.rule.code,
            severity: f.severity,
            message: f.message.clone(),
        };
        match *slot {
            Slot::Service(i) => t.services[i].findings.push(mark),
            Slot::Network(i) => t.networks[i].findings.push(mark),
            Slot::Published(i) => {
                // Every binding of the entry carries it.
                let span = t.published[i].span.clone();
                for p in t.published.iter_mut().filter(|p| p.span == span) {
                    p.findings.push(mark.clone());
                }
            }
            Slot::Connection(i) => t.connections[i].findings.push(mark),
        }
    }
}

#[cfg(test)]
mod tests;
