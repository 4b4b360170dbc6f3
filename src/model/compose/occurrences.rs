//! Every place the model says a service or a network is named, with exact byte ranges:
//! definitions (keys under top-level `services` and `networks`), a service's `networks`,
//! `depends_on` (both forms), `links`, `network_mode: service:X`, `extends` (within the
//! file, or `{file, service}` naming another file's service), and the hosts that
//! [`refs`](super::refs) finds in `environment` values, `command`, `entrypoint` and
//! `healthcheck.test` (the model's [`ServiceRef`]s). Navigation, highlights and rename read
//! these; they never walk the tree themselves.
//!
//! An occurrence is recorded only where the name is written literally (no interpolation,
//! no escape before it): its range then holds exactly the name, so a rename can replace it.

use std::ops::Range;

use super::queries::Project;
use super::values::*;
use crate::syntax::yaml::NodeId;

/// What a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Service,
    Network,
}

impl NameKind {
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Service => "service",
            NameKind::Network => "network",
        }
    }
}

/// One place a name occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: NameKind,
    pub name: String,
    /// The name's bytes, without quotes.
    pub range: Range<usize>,
    /// The key that defines it (under top-level `services` or `networks`).
    pub definition: bool,
    /// For `extends: {file: F, service: X}`: the file, as written, whose service it names
    /// (not this file's).
    pub file: Option<String>,
}

impl Project<'_> {
    /// Every occurrence of a service or network name the model holds: per service in
    /// document order (its definition, `networks`, `depends_on`, `links`, `network_mode`,
    /// `extends`, then the hosts in its values), then the top-level networks, then the
    /// `extends` that name another file's service. A range occurs once (a value merged into
    /// several services by `<<` is one place in the text).
    pub fn occurrences(&self) -> Vec<Occurrence> {
        self.occurrences_where(&|_, _| true)
    }

    /// The occurrences whose kind and name `keep` accepts (asked before any range is
    /// computed).
    pub fn occurrences_where(&self, keep: &dyn Fn(NameKind, &str) -> bool) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut other_file = Vec::new();
        let push = |out: &mut Vec<Occurrence>, kind, at: Option<At<'_>>, definition: bool| {
            let Some(at) = at else { return };
            // An empty key names nothing that can be found, referenced or renamed.
            if at.name.is_empty() || !keep(kind, at.name) {
                return;
            }
            if let Some(range) = self.range(&at) {
                out.push(Occurrence {
                    kind,
                    name: at.name.to_string(),
                    range,
                    definition,
                    file: None,
                });
            }
        };
        for (i, s) in self.services.iter().enumerate() {
            push(&mut out, NameKind::Service, self.whole(s.key), true);
            for n in &s.networks {
                push(&mut out, NameKind::Network, self.whole(n.node), false);
            }
            for d in &s.depends_on {
                push(&mut out, NameKind::Service, self.whole(d.node), false);
            }
            for l in &s.links {
                // `links: [db:database]` names `db`.
                let len = l.value.find(':').unwrap_or(l.value.len());
                push(&mut out, NameKind::Service, self.part(l, 0..len), false);
            }
            if let Some(mode) = &s.network_mode
                && mode.value.starts_with("service:")
            {
                let at = self.part(mode, "service:".len()..mode.value.len());
                push(&mut out, NameKind::Service, at, false);
            }
            if let Some(e) = &s.extends {
                let at = self.part(&e.service, 0..e.service.value.len());
                match &e.file {
                    None => push(&mut out, NameKind::Service, at, false),
                    Some(file) => {
                        let before = other_file.len();
                        push(&mut other_file, NameKind::Service, at, false);
                        if let Some(o) = other_file.get_mut(before) {
                            o.file = Some(file.raw().to_string());
                        }
                    }
                }
            }
            // `refs` are in service order.
            let from = self.refs.partition_point(|r| r.service < i);
            let to = from + self.refs[from..].partition_point(|r| r.service == i);
            for r in &self.refs[from..to] {
                let at = self.part(self.ref_val(r), r.host.host_range.clone());
                push(&mut out, NameKind::Service, at, false);
            }
        }
        for n in &self.networks {
            push(&mut out, NameKind::Network, self.whole(n.key), true);
        }
        out.append(&mut other_file);
        // One edit per place: merge keys (`<<: *defaults`) bring the same node into
        // several services.
        let mut seen = rustc_hash::FxHashSet::default();
        out.retain(|o| seen.insert((o.range.start, o.range.end)));
        out
    }

    /// A scalar node's whole value, unless written with `${…}`.
    fn whole(&self, node: NodeId) -> Option<At<'_>> {
        let name = self.yaml.scalar(node)?;
        (!name.contains('$')).then_some(At {
            name,
            place: Place::Node(node, 0..name.len()),
        })
    }

    /// `part` of a value, unless interpolation made the value.
    fn part<'a>(&'a self, val: &'a Val<'_>, part: Range<usize>) -> Option<At<'a>> {
        if val.interpolated() {
            return None;
        }
        Some(At {
            name: val.value.get(part.clone())?,
            place: Place::Val(val, part),
        })
    }

    /// Where a candidate is written, when literally (its range holds exactly its name).
    fn range(&self, at: &At<'_>) -> Option<Range<usize>> {
        let range = match &at.place {
            Place::Node(node, part) => self.yaml.part_span(self.text, *node, part.clone())?,
            Place::Val(val, part) => self.raw_span(val, part.clone())?,
        };
        (self.text.get(range.clone())? == at.name).then_some(range)
    }
}

/// A name the model holds, before its range is computed.
struct At<'a> {
    name: &'a str,
    place: Place<'a>,
}

enum Place<'a> {
    /// A part of a scalar node's value.
    Node(NodeId, Range<usize>),
    /// A part of a value.
    Val(&'a Val<'a>, Range<usize>),
}
