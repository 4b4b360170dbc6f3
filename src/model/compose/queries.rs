//! The project ([`Project`]) and the queries rules, hovers and navigation share: lookups
//! by name and host, who names whom, where a service's traffic lives (attachments,
//! shared networks), what it listens on, and exact source spans of values.

use std::collections::HashMap;
use std::ops::Range;

use super::index::Index;
use super::interpolate::InterpolationError;
use super::values::*;
use crate::syntax::yaml::{NodeId, Yaml};

#[derive(Debug)]
pub struct Project<'y> {
    pub yaml: &'y Yaml,
    pub text: &'y str,
    pub services: Vec<Service<'y>>,
    pub networks: Vec<Network<'y>>,
    /// `${VAR:?…}` with VAR missing, or a malformed template.
    pub interpolation_errors: Vec<(NodeId, InterpolationError)>,
    /// Hosts named in environment values and commands, in service order.
    pub refs: Vec<ServiceRef<'y>>,
    /// The variables interpolation reads.
    pub vars: &'y Vars,
    /// What the project's other files define.
    pub external: &'y super::External,
    /// What the settings say about the Docker host.
    pub host: &'y crate::config::HostFacts,
    /// The variables whose value came from the project's `.env` (not the environment).
    pub dotenv: &'y rustc_hash::FxHashSet<String>,
    /// The line of `.env` that set each of those, when known.
    pub dotenv_lines: &'y rustc_hash::FxHashMap<String, usize>,
    pub(super) index: Index<'y>,
    /// The file checked against the key table, computed once for the rules that read it.
    pub(super) schema: std::sync::OnceLock<Vec<super::schema::Problem>>,
    /// What the image table knows of each service's image, by service index, looked up
    /// once for the rules that ask.
    pub(super) images: std::sync::OnceLock<Vec<Option<crate::knowledge::images::Known>>>,
}

/// The variables interpolation reads: `.env` and the environment (which wins).
pub type Vars = HashMap<String, String>;

impl<'y> Project<'y> {
    /// What the image table knows of service `s`'s image (`knowledge::images::lookup`),
    /// looked up once per service.
    pub fn image_known(&self, s: &Service<'_>) -> Option<crate::knowledge::images::Known> {
        let all = self.images.get_or_init(|| {
            self.services
                .iter()
                .map(|s| {
                    s.image
                        .as_ref()
                        .and_then(|i| crate::knowledge::images::lookup(&i.value))
                })
                .collect()
        });
        match self.service_index(s.name) {
            Some(i) => all.get(i).copied().flatten(),
            // A service built for a hover alone, not in this project's list.
            None => s
                .image
                .as_ref()
                .and_then(|i| crate::knowledge::images::lookup(&i.value)),
        }
    }

    /// The image on the Docker host that service `s` runs, as the live layer read it
    /// (`External::local_images`): only for a service without `build:` whose image the
    /// image table does not know (the table's facts, and a built service's Dockerfile,
    /// come first).
    pub fn local_image(&self, s: &Service<'_>) -> Option<&'y super::LocalImage> {
        if self.external.local_images.is_empty() || s.has_build {
            return None;
        }
        let image = s.image.as_ref()?;
        let local = self
            .external
            .local_images
            .iter()
            .find(|l| l.reference == image.value.as_ref())?;
        self.image_known(s).is_none().then_some(local.as_ref())
    }

    /// The file checked against Compose's key table ([`super::schema::check`]), in one
    /// pass shared by the rules that report it.
    pub fn schema_problems(&self) -> &[super::schema::Problem] {
        self.schema
            .get_or_init(|| super::schema::check(self.yaml, &|name| self.vars.get(name).cloned()))
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
        self.shared_networks(a, b)
            .is_some_and(|common| !common.is_empty())
    }

    /// The project networks two services share (in `a`'s order); `None` when either is not
    /// on project networks (`network_mode` host, bridge or none, or not known here).
    pub fn shared_networks<'a>(
        &'a self,
        a: &'a Service<'_>,
        b: &'a Service<'_>,
    ) -> Option<Vec<&'a str>> {
        match (self.attachment(a), self.attachment(b)) {
            (Attachment::Networks(x), Attachment::Networks(y)) => {
                Some(x.into_iter().filter(|n| y.contains(n)).collect())
            }
            _ => None,
        }
    }

    /// The services on project network `name` ([`Project::attachment`]: `default` for
    /// those that name none, `network_mode: service:X` following X).
    pub fn attached_to<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Service<'y>> {
        self.services.iter().filter(move |s| {
            matches!(self.attachment(s), Attachment::Networks(nets) if nets.contains(&name))
        })
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
