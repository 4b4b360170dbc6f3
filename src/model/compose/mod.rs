//! The Compose view of a YAML tree: interpolation, `.env`, and the project model that the
//! rules, hovers and navigation read. Pure: the variables come in as a map.
//!
//! - `values.rs`: the model's data (`Val`, `Service`, `Port`, `Network`, `ServiceRef`, ...);
//! - `build.rs`: the one walk of the tree that fills it ([`Project::build_from`] with its
//!   [`Inputs`]; [`Project::build_names`] for navigation);
//! - `index.rs`: the hash indexes built once per model;
//! - `queries.rs`: [`Project`] and the queries everyone shares;
//! - `occurrences.rs`: every place a service or network is named ([`Occurrence`]);
//! - `refs.rs`: host references inside values; `interpolate.rs`, `dotenv.rs`.

mod build;
pub mod command;
pub mod dotenv;
mod index;
pub mod interpolate;
mod occurrences;
mod queries;
pub mod refs;
pub mod schema;
#[cfg(test)]
mod tests;
mod values;

pub use build::Inputs;
pub use occurrences::{NameKind, Occurrence};
pub use queries::{Project, Vars};
pub use values::*;

/// Names that the project's other files define (the override file, `include:` and
/// `extends:` files), so that references to them are not reported as undefined. The
/// workspace layer fills it; analysis only reads it.
#[derive(Debug, Clone, Default)]
pub struct External {
    pub services: rustc_hash::FxHashSet<String>,
    pub networks: rustc_hash::FxHashSet<String>,
    /// Service names, network aliases, `hostname`s and `container_name`s.
    pub hosts: rustc_hash::FxHashSet<String>,
    /// Host names (services, aliases, `hostname`s, `container_name`s) that the other
    /// variant files beside a variant file define (`compose.observability.yaml` next to
    /// `compose.agent.yaml` and `compose.yaml`): layered with it, they may resolve.
    pub variant_hosts: rustc_hash::FxHashSet<String>,
    /// For each `extends: file:` as written in the analysed file, the services that file
    /// defines, or `None` when it could not be read.
    pub extends_files: rustc_hash::FxHashMap<String, Option<Vec<String>>>,
    /// The Dockerfile each service with `build:` builds from, when it could be read.
    pub dockerfiles: Vec<ServiceDockerfile>,
    /// Config files the services mount that decide their networking (nginx, Redis, MySQL,
    /// mongod, PostgreSQL, HAProxy, Caddy, Traefik, Prometheus, httpd), as the workspace
    /// layer read them.
    pub mounted_configs: Vec<MountedConfig>,
    /// The daemon's address ranges, when a daemon.json was found.
    pub daemon: Option<DaemonRanges>,
    /// What the project's other files say about their services, for the rules that need
    /// Compose's merged view (ports published twice across files, `network_mode: host`
    /// set in one file and `ports` in another).
    pub other_services: Vec<OtherService>,
    /// With no `.env` beside the file, the name of an env template there (`.env.example`,
    /// `.env.dist`, ...), which Compose does not read: findings about unset variables say
    /// so.
    pub env_template: Option<String>,
    /// The file is named as an override or variant of a base file (`compose.override.yaml`,
    /// `docker-compose.prod.yml`) and no base file was found beside it: it is meant to be
    /// merged with one portside cannot see.
    pub base_missing: bool,
    /// Images present on the Docker host that services run without `build:` and that the
    /// image table does not know, as the live layer read them (`docker image inspect`).
    /// Filled only where live checks are on; empty otherwise (the CLI, an untrusted
    /// workspace).
    pub local_images: Vec<std::sync::Arc<LocalImage>>,
}

/// An image present on the Docker host, as the live layer read it (`docker image
/// inspect`, never pulled): what the container runs and exposes. The rules read it as the
/// stage of a Dockerfile ([`LocalImage::stage`]) for services run from an image the image
/// table does not know.
#[derive(Debug, Clone)]
pub struct LocalImage {
    /// The reference as the service names it, after interpolation (`myapp:dev`).
    pub reference: String,
    /// The image ID (`sha256:` and 64 hex digits).
    pub id: String,
    /// The image's `Config` as a Dockerfile stage: `Env` in its variables, `ExposedPorts`
    /// as `EXPOSE` words, `Entrypoint` and `Cmd` (exec form, as the image stores them).
    /// Word spans are bytes of [`LocalImage::file`]'s text.
    pub stage: crate::model::dockerfile::Stage,
    /// The facts written out as Dockerfile-like lines, so that spans mean something; not a
    /// file on disk (findings never point into it).
    pub file: crate::finding::OtherFile,
    pub working_dir: Option<String>,
}

impl LocalImage {
    /// The facts of `docker image inspect`: `exposed` as `ExposedPorts` keys (`9000/tcp`),
    /// `env` as `KEY=value` items.
    pub fn new(
        reference: &str,
        id: &str,
        exposed: &[String],
        entrypoint: Option<&[String]>,
        cmd: Option<&[String]>,
        env: &[String],
        working_dir: Option<&str>,
    ) -> LocalImage {
        use crate::model::dockerfile::{Cmd, Exposed, Stage, Word};
        let mut text = String::new();
        let mut stage = Stage::default();
        for item in env.iter().take(1024) {
            let (k, v) = item.split_once('=').unwrap_or((item.as_str(), ""));
            let start = text.len();
            text.push_str("ENV ");
            text.push_str(item);
            stage.vars.push((k.to_string(), Some(v.to_string())));
            stage.env.push((k.to_string(), start..text.len()));
            text.push('\n');
        }
        for port in exposed.iter().take(1024) {
            text.push_str("EXPOSE ");
            let start = text.len();
            text.push_str(port);
            stage.exposes.push(Exposed {
                text: port.clone(),
                span: start..text.len(),
                values: Some(vec![port.clone()]),
            });
            text.push('\n');
        }
        let mut cmd_of = |keyword: &str, words: Option<&[String]>| -> Option<Cmd> {
            let words = words.filter(|w| !w.is_empty())?;
            text.push_str(keyword);
            text.push_str(" [");
            let start = text.len() - 1;
            let mut out = Vec::new();
            for (i, w) in words.iter().take(4096).enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push('"');
                let at = text.len();
                text.push_str(w);
                out.push(Word {
                    text: w.clone(),
                    span: at..text.len(),
                });
                text.push('"');
            }
            text.push(']');
            let span = start..text.len();
            text.push('\n');
            Some(Cmd {
                exec: true,
                span,
                words: out,
            })
        };
        stage.entrypoint = cmd_of("ENTRYPOINT", entrypoint);
        stage.cmd = cmd_of("CMD", cmd);
        LocalImage {
            reference: reference.to_string(),
            id: id.to_string(),
            stage,
            file: crate::finding::OtherFile {
                path: std::path::PathBuf::from(short_id(id)),
                text: text.into(),
            },
            working_dir: working_dir.filter(|w| !w.is_empty()).map(str::to_string),
        }
    }

    /// `sha256:` and the ID's first 12 hex digits, as `docker images` shows it.
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    /// Where the facts come from, for messages and hovers: `the local image
    /// sha256:0123456789ab`.
    pub fn source(&self) -> String {
        format!("the local image {}", self.short_id())
    }
}

fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").map_or(0, |_| 7);
    let end = (hex + 12).min(id.len());
    id.get(..end).unwrap_or(id)
}

/// A service as another Compose file of the project defines it (or the part of it that
/// file defines).
#[derive(Debug, Clone)]
pub struct OtherService {
    pub file: crate::finding::OtherFile,
    pub name: String,
    /// How Compose combines that file with the analysed one: `Some(true)` when it is
    /// applied after it (the override file of a base file), `Some(false)` before it (the
    /// base file of an override file); `None` for a file that adds services of its own
    /// (`include:`, or reached through one).
    pub after: Option<bool>,
    pub profiles: Vec<String>,
    /// Its `ports` entries with Docker's bindings.
    pub ports: Vec<OtherPort>,
    /// The span of its `ports` key.
    pub ports_key: Option<std::ops::Range<usize>>,
    /// `ports: !reset ...` or `ports: !override ...`: what earlier files published is gone.
    pub ports_replace: bool,
    /// `network_mode` and the span of its value.
    pub network_mode: Option<(String, std::ops::Range<usize>)>,
}

/// A `ports` entry of another file.
#[derive(Debug, Clone)]
pub struct OtherPort {
    /// What Compose de-duplicates merged entries by: the short syntax as written (after
    /// interpolation), or `host_ip:published:target/protocol` for the long one.
    pub key: String,
    pub bindings: Vec<crate::model::ports::Binding>,
    pub span: std::ops::Range<usize>,
}

impl OtherService {
    /// The services of `project` (the text of `file`) as seen from another file.
    pub fn of_project(
        project: &Project<'_>,
        file: &crate::finding::OtherFile,
        after: Option<bool>,
    ) -> Vec<OtherService> {
        project
            .services
            .iter()
            .map(|s| OtherService {
                file: file.clone(),
                name: s.name.to_string(),
                after,
                profiles: s.profiles.iter().map(|p| p.to_string()).collect(),
                ports: s
                    .ports
                    .iter()
                    .filter_map(|port| {
                        Some(OtherPort {
                            key: port_key(port)?,
                            bindings: port.bindings()?.to_vec(),
                            span: project.port_span(port),
                        })
                    })
                    .collect(),
                ports_key: project.key(s, "ports").map(|k| project.span(k)),
                ports_replace: replaces(project, s, "ports"),
                network_mode: s
                    .network_mode
                    .as_ref()
                    .map(|m| (m.value.to_string(), project.val_span(m))),
            })
            .collect()
    }
}

/// Compose's de-duplication key of a `ports` entry (compose-go `portIndexer`).
pub fn port_key(port: &Port<'_>) -> Option<String> {
    match &port.spec {
        PortSpec::Short(v) => Some(v.value.to_string()),
        PortSpec::Long(l) => {
            let b = port.bindings()?.first()?;
            let host = l.host_ip.as_ref().map_or("0.0.0.0", |h| h.value.as_ref());
            Some(format!(
                "{host}:{}:{}/{}",
                b.published, b.target, b.protocol
            ))
        }
        PortSpec::Other => None,
    }
}

/// Whether the service's `key` carries `!reset` or `!override`.
pub fn replaces(project: &Project<'_>, s: &Service<'_>, key: &str) -> bool {
    project
        .yaml
        .get(s.node, key)
        .map(|e| project.yaml.node(e.value).tag)
        .is_some_and(|t| matches!(t, Some("!reset" | "!override")))
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

/// A config file bind-mounted into a service's container (`./nginx.conf:/etc/nginx/...`).
#[derive(Debug, Clone)]
pub struct MountedConfig {
    pub service: String,
    pub kind: crate::model::appconfig::Kind,
    /// Where it is mounted in the container.
    pub target: String,
    pub file: crate::finding::OtherFile,
    pub config: std::sync::Arc<crate::model::appconfig::AppConfig>,
    /// The volume entry's span in the analysed Compose text.
    pub entry: std::ops::Range<usize>,
    /// The file came with a folder mounted over the folder the server reads
    /// (`./nginx:/etc/nginx/conf.d`): what the image ships there is gone.
    pub from_folder: bool,
    /// The service's `entrypoint` and `command` words, joined by spaces: flags there
    /// (`--port`, `--bind_ip_all`, `-c listen_addresses=`) win over the file.
    pub command: String,
}

impl MountedConfig {
    /// The file's name, for messages (`default.conf`).
    pub fn file_name(&self) -> &str {
        self.file
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("the config")
    }
}

/// A service's Dockerfile, as the workspace layer read it.
#[derive(Debug, Clone)]
pub struct ServiceDockerfile {
    pub service: String,
    pub file: crate::finding::OtherFile,
    /// The build context's `package.json`, for commands such as `npm run dev`.
    pub package: Option<crate::finding::OtherFile>,
    /// The Dockerfile's model with this service's build arguments, when the workspace
    /// layer built it (once per content); else the rules build it from `file`.
    pub model: Option<std::sync::Arc<Option<crate::model::dockerfile::Dockerfile>>>,
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

use crate::syntax::yaml::NodeId;

/// Which list a port entry belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortList {
    Ports,
    Expose,
}

/// One entry of a service's `ports` or `expose` (the model's [`Port::item`] or
/// [`Service::expose_items`]), for the rule that re-examines invalid entries.
#[derive(Debug, Clone, Copy)]
pub struct PortEntry {
    /// The service's key node (its name).
    pub service: NodeId,
    pub list: PortList,
    /// The entry itself (possibly an alias).
    pub item: NodeId,
}
