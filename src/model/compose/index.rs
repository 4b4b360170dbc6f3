//! The project's hash indexes, built once per model so that rules stay linear: services,
//! hosts (names, aliases, `hostname`, `container_name`) and networks by name, what each
//! service listens on, and who names whom.

use std::borrow::Cow;

use rustc_hash::{FxHashMap, FxHashSet};

use super::queries::Project;

/// Lookups that rules make for every reference, built once so that analysis stays linear.
#[derive(Debug, Default)]
pub(super) struct Index<'y> {
    pub(super) services: FxHashMap<&'y str, usize>,
    /// Service names, then network aliases, `hostname`s and `container_name`s.
    pub(super) hosts: FxHashMap<Cow<'y, str>, usize>,
    pub(super) networks: FxHashMap<&'y str, usize>,
    /// Container ports of each service (targets, `expose`, and its image's well-known ports).
    pub(super) listens: Vec<smallvec::SmallVec<[u16; 6]>>,
    /// (from, to): service `from` names `to` in a reference, `depends_on` or `links`.
    pub(super) edges: FxHashSet<(usize, usize)>,
    /// (from, to): service `from` names `to` as a host in its environment or command.
    pub(super) ref_edges: FxHashSet<(usize, usize)>,
    /// Whether another service names this one.
    pub(super) named_by_others: Vec<bool>,
}

impl<'y> Project<'y> {
    pub(super) fn build_index(&self) -> Index<'y> {
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
}
