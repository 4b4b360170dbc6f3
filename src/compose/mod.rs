//! The Compose view of a YAML tree: interpolation, `.env`, and the project model that the
//! rules read. Pure: the variables come in as a map.

pub mod dotenv;
pub mod interpolate;
pub mod model;
pub mod refs;

pub use model::{Attachment, Project, Service, Vars};

/// Names that the project's other files define (the override file, `include:` and
/// `extends:` files), so that references to them are not reported as undefined. The
/// workspace layer fills it; analysis only reads it.
#[derive(Debug, Clone, Default)]
pub struct External {
    pub services: rustc_hash::FxHashSet<String>,
    pub networks: rustc_hash::FxHashSet<String>,
    /// Service names, network aliases, `hostname`s and `container_name`s.
    pub hosts: rustc_hash::FxHashSet<String>,
    /// For each `extends: file:` as written in the analysed file, the services that file
    /// defines, or `None` when it could not be read.
    pub extends_files: rustc_hash::FxHashMap<String, Option<Vec<String>>>,
    /// The Dockerfile each service with `build:` builds from, when it could be read.
    pub dockerfiles: Vec<ServiceDockerfile>,
    /// The daemon's address ranges, when a daemon.json was found.
    pub daemon: Option<DaemonRanges>,
}

/// What a daemon.json says about the addresses Docker uses.
#[derive(Debug, Clone)]
pub struct DaemonRanges {
    pub file: crate::finding::OtherFile,
    /// The default bridge's subnet (from `bip`) and the span of its value.
    pub bip: Option<(ipnet::IpNet, std::ops::Range<usize>)>,
    /// `default-address-pools` bases and their spans.
    pub pools: Vec<(ipnet::IpNet, std::ops::Range<usize>)>,
}

/// A service's Dockerfile, as the workspace layer read it.
#[derive(Debug, Clone)]
pub struct ServiceDockerfile {
    pub service: String,
    pub file: crate::finding::OtherFile,
    /// The build context's `package.json`, for commands such as `npm run dev`.
    pub package: Option<crate::finding::OtherFile>,
}

impl External {
    /// Adds the names `project` defines.
    pub fn absorb(&mut self, project: &Project<'_>) {
        for s in &project.services {
            self.services.insert(s.name.to_string());
            self.hosts.insert(s.name.to_string());
            for v in s.other_names() {
                self.hosts.insert(v.value.to_string());
            }
        }
        for n in &project.networks {
            self.networks.insert(n.name.to_string());
        }
    }
}

use crate::syntax::yaml::{NodeId, Yaml};

/// Which list a port entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortList {
    Ports,
    Expose,
}

/// One entry of `services.<name>.ports` or `services.<name>.expose`.
#[derive(Debug, Clone, Copy)]
pub struct PortEntry {
    /// The service's key node (its name).
    pub service: NodeId,
    pub list: PortList,
    /// The entry itself (possibly an alias).
    pub item: NodeId,
}

/// Every port entry of every service of every document, merge keys applied.
pub fn port_entries(yaml: &Yaml) -> Vec<PortEntry> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        let Some(root) = doc.root else { continue };
        if !yaml.is_mapping(root) {
            continue;
        }
        let Some(services) = yaml.get(root, "services") else {
            continue;
        };
        for service in yaml.entries(services.value) {
            if !yaml.is_mapping(service.value) {
                continue;
            }
            for entry in yaml.entries(service.value) {
                let list = match yaml.scalar(entry.key) {
                    Some("ports") => PortList::Ports,
                    Some("expose") => PortList::Expose,
                    _ => continue,
                };
                for &item in yaml.items(entry.value).unwrap_or_default() {
                    out.push(PortEntry {
                        service: service.key,
                        list,
                        item,
                    });
                }
            }
        }
    }
    out
}
