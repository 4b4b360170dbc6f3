//! What to check for a Compose project, from the project model: its published port
//! mappings, the links the daemon can confirm (external networks, overlay networks, services
//! naming each other), and the project name as Compose derives it. Pure: no daemon, no
//! bollard types.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::analysis::Context;
use crate::model::compose::Project;
use crate::syntax::yaml::Yaml;

/// A published port mapping as the Compose file gives it (after interpolation).
#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    pub service: String,
    /// The entry as written (`"127.0.0.1:8080:80"`, or `target: 80` for the long syntax).
    pub spec: String,
    pub host_ip: String,
    /// Empty for an ephemeral port; `8000-8010` for a range.
    pub published: String,
    pub target: u16,
    pub protocol: &'static str,
    /// Byte range of the entry in the Compose file.
    #[serde(skip)]
    pub range: Range<usize>,
}

impl Mapping {
    /// The same entry of the same service, binding the same ports (the range may differ).
    pub fn same_binding(&self, other: &Mapping) -> bool {
        self.service == other.service
            && self.spec == other.spec
            && self.host_ip == other.host_ip
            && self.published == other.published
            && self.target == other.target
            && self.protocol == other.protocol
    }
}

/// Something of the project besides a port mapping that the daemon can confirm: an
/// external network, an overlay network Compose would create (which needs a swarm
/// manager), or one service naming another in its environment.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// `network`, `swarm` or `service`.
    pub kind: &'static str,
    /// The network's name, or the service that names another.
    pub from: String,
    /// The named service (empty for a network).
    pub to: String,
    /// The name as the value writes it (the service's name, an alias, a `container_name`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub port: Option<u16>,
    /// Where the Compose file names it.
    #[serde(skip)]
    pub range: Range<usize>,
}

impl Link {
    /// The same network or reference (the range may differ).
    pub fn same(&self, other: &Link) -> bool {
        self.kind == other.kind
            && self.from == other.from
            && self.to == other.to
            && self.name == other.name
            && self.port == other.port
    }
}

/// External networks and service-to-service references of a Compose file.
pub fn links(text: &str, ctx: &Context) -> Vec<Link> {
    let yaml = Yaml::parse(text);
    let project = Project::build_with(text, &yaml, &ctx.vars, &ctx.external);
    let mut out = Vec::new();
    for n in project.networks.iter().filter(|n| n.external) {
        out.push(Link {
            kind: "network",
            from: n
                .explicit_name
                .as_ref()
                .map_or_else(|| n.name.to_string(), |v| v.value.to_string()),
            to: String::new(),
            name: String::new(),
            port: None,
            range: project.span(n.key),
        });
    }
    for n in &project.networks {
        if let Some(driver) = n
            .driver
            .as_ref()
            .filter(|d| !n.external && d.value.eq_ignore_ascii_case("overlay"))
        {
            out.push(Link {
                kind: "swarm",
                from: n.name.to_string(),
                to: String::new(),
                name: String::new(),
                port: None,
                range: project.val_span(driver),
            });
        }
    }
    // Only addresses a program in the container connects to: a browser's URL or a listen
    // address naming a service is not a link between containers.
    for r in project.refs.iter().filter(|r| r.connects()) {
        let Some(to) = project.host_index(project.ref_host(r)) else {
            continue;
        };
        if to == r.service {
            continue;
        }
        let link = Link {
            kind: "service",
            from: project.services[r.service].name.to_string(),
            to: project.services[to].name.to_string(),
            name: project.ref_host(r).to_string(),
            port: r.port(),
            range: project.span(project.ref_val(r).node),
        };
        if !out.iter().any(|l: &Link| l.same(&link)) {
            out.push(link);
        }
    }
    out
}

/// The Compose project name and the published mappings of a Compose file.
pub fn mappings(path: &std::path::Path, text: &str, ctx: &Context) -> (String, Vec<Mapping>) {
    let yaml = Yaml::parse(text);
    let project = Project::build_with(text, &yaml, &ctx.vars, &ctx.external);
    let mut out = Vec::new();
    for s in &project.services {
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            let range = project.span(port.item);
            let spec = text[range.clone()].lines().next().unwrap_or("").trim();
            let spec = spec
                .trim_start_matches("- ")
                .trim_matches(['"', '\''])
                .to_string();
            for b in bindings {
                out.push(Mapping {
                    service: s.name.to_string(),
                    spec: spec.clone(),
                    host_ip: b.host_ip.to_string(),
                    published: b.published.to_string(),
                    target: b.target,
                    protocol: b.protocol,
                    range: range.clone(),
                });
            }
        }
    }
    let name = yaml
        .documents
        .iter()
        .filter_map(|d| d.root)
        .find_map(|r| yaml.get(r, "name"))
        .and_then(|e| yaml.scalar(e.value))
        .map(|n| {
            crate::model::compose::interpolate::interpolate(n, &|k| ctx.vars.get(k).cloned()).value
        });
    (project_name(path, name.as_deref(), &ctx.vars), out)
}

/// The project name as Compose derives it: `COMPOSE_PROJECT_NAME` (environment or `.env`),
/// else the file's `name:`, else the folder's name, normalised (lower case, only
/// `a-z0-9_-`, starting with a letter or digit).
pub fn project_name(
    path: &std::path::Path,
    name: Option<&str>,
    vars: &HashMap<String, String>,
) -> String {
    if let Some(n) = vars.get("COMPOSE_PROJECT_NAME").filter(|n| !n.is_empty()) {
        return normalise(n);
    }
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        return normalise(n);
    }
    let dir = path
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(|d| d.to_path_buf()))
        .or_else(|| path.parent().map(|d| d.to_path_buf()))
        .unwrap_or_default();
    normalise(
        &dir.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

fn normalise(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect();
    s.trim_start_matches(['_', '-']).to_string()
}

/// Why a rootless daemon (with `ip_unprivileged_port_start` = `start`) cannot publish
/// mapping `m`, if it cannot.
pub fn privileged(m: &Mapping, start: Option<u16>) -> Option<String> {
    privileged_port(m, start).map(|(port, start)| crate::rules::rootless_message(port, start))
}

/// The host port of mapping `m` below `start` (a rootless daemon's
/// `ip_unprivileged_port_start`), and `start`, when there is one.
pub fn privileged_port(m: &Mapping, start: Option<u16>) -> Option<(u16, u16)> {
    let start = start?;
    let low = m.published.split('-').next()?.parse::<u16>().ok()?;
    (low != 0 && low < start).then_some((low, start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_as_compose_derives_them() {
        let path = std::path::Path::new("/nonexistent/My_App.v2/compose.yaml");
        let none = HashMap::new();
        assert_eq!(project_name(path, None, &none), "my_appv2");
        assert_eq!(project_name(path, Some("Shop"), &none), "shop");
        let env = HashMap::from([("COMPOSE_PROJECT_NAME".to_string(), "-Other".to_string())]);
        assert_eq!(project_name(path, Some("shop"), &env), "other");
    }

    #[test]
    fn mappings_of_a_file() {
        let text = "name: demo\nservices:\n  web:\n    ports: [\"127.0.0.1::80\", \"8000-8001:80-81\"]\n  dns:\n    ports:\n      - {target: 53, published: 5353, protocol: udp}\n";
        let (name, m) = mappings(
            std::path::Path::new("/x/compose.yaml"),
            text,
            &Context::default(),
        );
        assert_eq!(name, "demo");
        let got: Vec<_> = m
            .iter()
            .map(|m| {
                (
                    m.service.as_str(),
                    m.host_ip.as_str(),
                    m.published.as_str(),
                    m.target,
                    m.protocol,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("web", "127.0.0.1", "", 80, "tcp"),
                ("web", "", "8000", 80, "tcp"),
                ("web", "", "8001", 81, "tcp"),
                ("dns", "", "5353", 53, "udp")
            ]
        );
        assert_eq!(m[0].spec, "127.0.0.1::80");
    }

    /// An overlay network Compose would create is something to ask the daemon about; an
    /// external one is checked as a network.
    #[test]
    fn overlay_networks_are_swarm_links() {
        let text = "services:\n  api:\n    image: x\n    networks: [mesh, ext]\nnetworks:\n  mesh:\n    driver: overlay\n  ext:\n    driver: overlay\n    external: true\n";
        let l = links(text, &Context::default());
        let got: Vec<_> = l.iter().map(|l| (l.kind, l.from.as_str())).collect();
        assert_eq!(got, [("network", "ext"), ("swarm", "mesh")]);
        assert_eq!(&text[l[1].range.clone()], "overlay");
    }

    #[test]
    fn rootless_privileged_ports() {
        let text = "services:\n  web:\n    ports: [\"80:80\", \"8080:80\", \"127.0.0.1::80\"]\n";
        let (_, m) = mappings(
            std::path::Path::new("/x/compose.yaml"),
            text,
            &Context::default(),
        );
        let verdicts: Vec<_> = m.iter().map(|m| privileged(m, Some(1024))).collect();
        assert!(
            verdicts[0]
                .as_deref()
                .unwrap()
                .contains("cannot bind host port 80")
        );
        assert_eq!(verdicts[1..], [None, None]);
        assert!(privileged(&m[0], None).is_none());
        assert!(privileged(&m[0], Some(80)).is_none());
    }
}
