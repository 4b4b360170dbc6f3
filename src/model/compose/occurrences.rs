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

    /// The occurrences whose kind and name `keep` accepts.
    pub fn occurrences_where(&self, keep: &dyn Fn(NameKind, &str) -> bool) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut other_file = Vec::new();
        let push = |out: &mut Vec<Occurrence>,
                    kind,
                    found: Option<(&str, Range<usize>)>,
                    definition: bool| {
            if let Some((name, range)) = found
                && keep(kind, name)
            {
                out.push(Occurrence {
                    kind,
                    name: name.to_string(),
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
                push(&mut out, NameKind::Service, self.literal(l, 0..len), false);
            }
            if let Some(mode) = &s.network_mode
                && mode.value.starts_with("service:")
            {
                let found = self.literal(mode, "service:".len()..mode.value.len());
                push(&mut out, NameKind::Service, found, false);
            }
            if let Some(e) = &s.extends {
                let found = self.literal(&e.service, 0..e.service.value.len());
                match &e.file {
                    None => push(&mut out, NameKind::Service, found, false),
                    Some(file) => {
                        let before = other_file.len();
                        push(&mut other_file, NameKind::Service, found, false);
                        if let Some(o) = other_file.get_mut(before) {
                            o.file = Some(file.raw().to_string());
                        }
                    }
                }
            }
            for r in self.refs.iter().filter(|r| r.service == i) {
                let val = self.ref_val(r);
                push(
                    &mut out,
                    NameKind::Service,
                    self.literal(val, r.host.host_range.clone()),
                    false,
                );
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

    /// A scalar node's whole value, when written literally.
    fn whole(&self, node: NodeId) -> Option<(&str, Range<usize>)> {
        let value = self.yaml.scalar(node)?;
        if value.contains('$') {
            return None;
        }
        self.exact(node, value, 0..value.len())
    }

    /// `part` of a value, when the value is written literally.
    fn literal<'a>(
        &'a self,
        val: &'a Val<'_>,
        part: Range<usize>,
    ) -> Option<(&'a str, Range<usize>)> {
        if val.interpolated() {
            return None;
        }
        let name = val.value.get(part.clone())?;
        let range = self.raw_span(val, part)?;
        (self.text.get(range.clone())? == name).then_some((name, range))
    }

    fn exact<'a>(
        &'a self,
        node: NodeId,
        value: &'a str,
        part: Range<usize>,
    ) -> Option<(&'a str, Range<usize>)> {
        let name = value.get(part.clone())?;
        let range = self.yaml.part_span(self.text, node, part)?;
        (self.text.get(range.clone())? == name).then_some((name, range))
    }
}
