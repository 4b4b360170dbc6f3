//! The daemon.json view the rules read: its keys after dockerd's flattening (members of
//! objects such as `proxies` count as top-level keys, except in the "flat options"), with
//! their spans and values.

use std::ops::Range;

use ipnet::IpNet;

use crate::config::HostFacts;
use crate::knowledge::daemon_keys::FLAT_OPTIONS;
use crate::syntax::json::{JsonKind, JsonValue};

#[derive(Debug)]
pub struct Entry<'j> {
    pub key: &'j str,
    pub key_span: Range<usize>,
    pub value: &'j JsonValue,
}

#[derive(Debug)]
pub struct Daemon<'j> {
    pub entries: Vec<Entry<'j>>,
    /// What the settings say about the host (`[host]` in portside.toml).
    pub host: &'j HostFacts,
}

/// The host facts of a daemon.json read without settings: all unknown.
static NO_HOST: std::sync::LazyLock<HostFacts> = std::sync::LazyLock::new(HostFacts::default);

impl<'j> Daemon<'j> {
    /// Reads daemon.json with nothing known about the host. `None` when the root is not an
    /// object (the syntax layer reports that).
    pub fn read(root: &'j JsonValue) -> Option<Daemon<'j>> {
        Self::read_on(root, &NO_HOST)
    }

    /// Reads daemon.json of a host that the settings describe as `host`.
    pub fn read_on(root: &'j JsonValue, host: &'j HostFacts) -> Option<Daemon<'j>> {
        let JsonKind::Object(props) = &root.kind else {
            return None;
        };
        let mut d = Daemon {
            entries: Vec::new(),
            host,
        };
        for p in props {
            match &p.value.kind {
                JsonKind::Object(inner)
                    if !FLAT_OPTIONS.contains(&p.key.as_str())
                        && crate::knowledge::daemon_keys::find(&p.key).is_none_or(|k| {
                            k.ty == crate::knowledge::daemon_keys::Ty::Flattened
                        }) =>
                {
                    for q in inner {
                        d.entries.push(Entry {
                            key: &q.key,
                            key_span: q.key_span.clone(),
                            value: &q.value,
                        });
                    }
                }
                _ => d.entries.push(Entry {
                    key: &p.key,
                    key_span: p.key_span.clone(),
                    value: &p.value,
                }),
            }
        }
        Some(d)
    }

    pub fn get(&self, key: &str) -> Option<&Entry<'j>> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    pub fn bool(&self, key: &str) -> Option<(bool, &Entry<'j>)> {
        let e = self.get(key)?;
        match e.value.kind {
            JsonKind::Bool(b) => Some((b, e)),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<(&'j str, &Entry<'j>)> {
        let e = self.get(key)?;
        match &e.value.kind {
            JsonKind::String(s) => Some((s.as_str(), e)),
            _ => None,
        }
    }

    /// The `base` of each `default-address-pools` entry that parses as a network, with the
    /// span of its string; `None` when the key is absent or not a list.
    pub fn pool_bases(&self) -> Option<Vec<(ipnet::IpNet, Range<usize>)>> {
        let JsonKind::Array(items) = &self.get("default-address-pools")?.value.kind else {
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|item| {
                    let JsonKind::Object(props) = &item.kind else {
                        return None;
                    };
                    let base = props.iter().find(|p| p.key == "base")?;
                    let JsonKind::String(b) = &base.value.kind else {
                        return None;
                    };
                    Some((b.parse().ok()?, base.value.span.clone()))
                })
                .collect(),
        )
    }

    /// The strings of a list value, with their spans.
    pub fn strings(&self, key: &str) -> Vec<(&'j str, Range<usize>)> {
        let Some(e) = self.get(key) else {
            return Vec::new();
        };
        match &e.value.kind {
            JsonKind::Array(items) => items
                .iter()
                .filter_map(|v| match &v.kind {
                    JsonKind::String(s) => Some((s.as_str(), v.span.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The subnet of `bip`-style `address/prefix` (the address keeps its host bits).
pub fn cidr(s: &str) -> Option<IpNet> {
    s.parse().ok()
}

/// The byte range of a string value's content (inside the quotes).
pub fn inner(span: &Range<usize>) -> Range<usize> {
    span.start + 1..span.end.saturating_sub(1).max(span.start + 1)
}
