//! The Compose file checked against the key table
//! ([`knowledge::compose_keys`](crate::knowledge::compose_keys)) the way `docker compose`
//! validates it: one pass over the tree from the root, each mapping read in its context.
//! It finds keys that the context does not take, values of a type the key does not take
//! (after interpolation, as Compose checks them) and values outside the key's enum.
//!
//! Merge keys are applied (`<<: *defaults` brings the anchor's keys, which are checked
//! where they are written, once), aliases are followed (once per node and context), and
//! `!reset`/`!override` values are left alone. A value whose interpolation reads a variable
//! that is not set here is not type-checked: it may be set where Compose runs.

use rustc_hash::FxHashSet;

use crate::knowledge::compose_keys::{Alt, CtxId, Key, Schema, Shape, schema};
use crate::syntax::yaml::{NodeId, NodeKind, Plain, Style, Yaml, resolve_plain};

/// What the walk found.
#[derive(Debug, Clone)]
pub enum Problem {
    /// A key the mapping's context does not take.
    UnknownKey {
        key: NodeId,
        name: String,
        ctx: CtxId,
        /// Where the mapping is, as Compose names it in its messages (`services.web`).
        path: String,
        /// What it most likely meant.
        suggestion: Option<&'static str>,
    },
    /// A value of a type its key does not take.
    WrongType {
        value: NodeId,
        key: &'static Key,
        /// What the value is ("a string", "a list", "a mapping", ...).
        found: &'static str,
        /// The part of the shape that applies (an item's, a map value's).
        expected: &'static Shape,
        /// The value as Compose reads it after interpolation, when it differs.
        interpolated: Option<String>,
    },
    /// A value outside the key's enum.
    NotInEnum {
        value: NodeId,
        key: &'static Key,
        found: String,
        nearest: Option<&'static str>,
    },
    /// A duration Compose cannot read (`30`, `5 s`, `1min`).
    BadDuration {
        value: NodeId,
        key: &'static Key,
        found: String,
    },
    /// A deprecated key (the top-level `version`, `external.name`).
    Deprecated { key: NodeId, def: &'static Key },
}

/// How a Compose file lays out its services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Under `services:` (or no services at all).
    Current,
    /// The legacy version 1 format: services at the top level, no `services:`.
    Legacy,
}

/// Whether the root mapping is a legacy version 1 file: no `services` key, and at least
/// one top-level key that the format does not know whose value is a mapping with `image`
/// or `build` (a service). Every other top-level key must then be a service too or `x-`,
/// or the file is not read as legacy (it is a fragment with a typo, say).
pub fn layout(yaml: &Yaml) -> Layout {
    let Some(root) = yaml.root_mapping() else {
        return Layout::Current;
    };
    let s = schema();
    let top = s.top();
    let entries = yaml.entries(root);
    if entries
        .iter()
        .any(|e| yaml.scalar(e.key) == Some("services"))
    {
        return Layout::Current;
    }
    let mut services = 0;
    for e in &entries {
        let Some(name) = yaml.scalar(e.key) else {
            return Layout::Current;
        };
        if name.starts_with("x-") {
            continue;
        }
        let service_like = yaml.is_mapping(e.value)
            && yaml
                .entries(e.value)
                .iter()
                .any(|k| matches!(yaml.scalar(k.key), Some("image" | "build")));
        if service_like && s.key(top, name).is_none() {
            services += 1;
        } else if !service_like {
            return Layout::Current;
        }
    }
    if services > 0 {
        Layout::Legacy
    } else {
        Layout::Current
    }
}

/// The services mapping: `services:`, or the root of a legacy file.
pub fn services_node(yaml: &Yaml) -> Option<NodeId> {
    match layout(yaml) {
        Layout::Current => yaml.top("services").map(|e| e.value),
        Layout::Legacy => yaml.root_mapping(),
    }
}

/// The top-level keys that make a file recognisably Compose (`name` and `version` alone
/// do not: a CI workflow has a `name` too).
const SECTIONS: &[&str] = &[
    "services", "include", "networks", "volumes", "configs", "secrets", "models",
];

/// Checks the file from its root; `lookup` gives the variables interpolation reads.
/// A legacy file is not checked: the layout itself is its one finding.
pub fn check(yaml: &Yaml, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<Problem> {
    let Some(root) = yaml.root_mapping() else {
        return Vec::new();
    };
    let s = schema();
    let mut w = Walker {
        yaml,
        s,
        lookup,
        out: Vec::new(),
        seen: FxHashSet::default(),
        shared: 0,
        budget: 200_000,
        path: Vec::new(),
    };
    match layout(yaml) {
        // A root with none of Compose's sections, nor a slip of one, is not recognisably
        // a Compose file (a CI workflow opened as one, say): its top-level keys are not
        // reported one by one.
        Layout::Current
            if !yaml.entries(root).iter().any(|e| {
                yaml.scalar(e.key).is_some_and(|k| {
                    SECTIONS.contains(&k)
                        || s.suggest(s.top(), k).is_some_and(|k| SECTIONS.contains(&k))
                })
            }) => {}
        Layout::Current => w.mapping(root, s.top()),
        // A legacy file is one finding (`compose-legacy-format`); its services' keys are
        // checked once they are under `services:` (version 1 names such as `net` then show
        // up with their current name).
        Layout::Legacy => {}
    }
    // A node reached through several aliases or merges is reported once.
    let mut reported = FxHashSet::default();
    w.out.retain(|p| reported.insert(p.node()));
    w.out
}

impl Problem {
    /// The node the problem is reported at.
    pub fn node(&self) -> NodeId {
        match self {
            Problem::UnknownKey { key, .. } | Problem::Deprecated { key, .. } => *key,
            Problem::WrongType { value, .. }
            | Problem::NotInEnum { value, .. }
            | Problem::BadDuration { value, .. } => *value,
        }
    }
}

struct Walker<'a> {
    yaml: &'a Yaml,
    s: &'static Schema,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    out: Vec<Problem>,
    /// (node, what it was checked as): aliases and merges reach a node more than once.
    seen: FxHashSet<(NodeId, usize)>,
    /// How many aliases or merges lead to the node being checked: only then can it be
    /// reached twice, so only then is `seen` consulted (most files have none).
    shared: u32,
    /// Nodes left to visit: aliases can multiply a tree.
    budget: usize,
    /// The keys and list indexes down to the node being checked.
    path: Vec<Seg<'a>>,
}

/// A step of the path to a node.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// What a scalar is as Compose reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

impl Ty {
    fn words(self) -> &'static str {
        match self {
            Ty::Null => "empty",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Float => "a number",
            Ty::Str => "a string",
        }
    }
}

impl<'a> Walker<'a> {
    /// `services.web.ports[0]`; empty at the top level.
    fn path_text(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    let _ = std::fmt::Write::write_fmt(&mut out, format_args!("[{i}]"));
                }
            }
        }
        out
    }

    fn tick(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    /// Compose's own tags (`!reset`, `!override`) and tags we do not model: leave alone.
    fn tagged(&self, node: NodeId) -> bool {
        self.yaml
            .tag(node)
            .is_some_and(|t| t != "!!str" && t != "tag:yaml.org,2002:str")
    }

    fn mapping(&mut self, node: NodeId, ctx: CtxId) {
        let node = self.yaml.resolve(node);
        if !self.tick() || (self.shared > 0 && !self.seen.insert((node, ctx))) || self.tagged(node)
        {
            return;
        }
        // The mapping's own entries, unless a merge key brings others (the usual case
        // needs no copy).
        let own = match self.yaml.node(node).kind {
            NodeKind::Mapping { entries } => entries,
            _ => return,
        };
        if own.iter().any(|e| self.yaml.scalar(e.key) == Some("<<")) {
            for e in self.yaml.entries(node).iter() {
                self.entry(ctx, e.key, e.value, e.via.is_some());
            }
        } else {
            for e in own {
                self.entry(ctx, e.key, e.value, false);
            }
        }
    }

    /// One entry of a mapping of context `ctx`; `via` when a merge key brought it.
    fn entry(&mut self, ctx: CtxId, key_node: NodeId, value: NodeId, via: bool) {
        let c = self.s.context(ctx);
        let Some(name) = self.yaml.scalar(key_node) else {
            return;
        };
        if c.x && name.starts_with("x-") {
            return;
        }
        match c.key(name) {
            Some(key) => {
                if key.deprecated {
                    self.out.push(Problem::Deprecated {
                        key: key_node,
                        def: key,
                    });
                }
                // A type error on a deprecated key (`version: 3.8`) is the deprecation's.
                if !key.deprecated {
                    let merged = u32::from(via);
                    self.shared += merged;
                    self.path.push(Seg::Key(name));
                    self.value(value, key, &key.shape);
                    self.path.pop();
                    self.shared -= merged;
                }
            }
            None if c.open => {}
            None => self.out.push(Problem::UnknownKey {
                key: key_node,
                name: name.to_string(),
                ctx,
                suggestion: self.s.suggest(ctx, name),
                path: self.path_text(),
            }),
        }
    }

    fn value(&mut self, node: NodeId, key: &'static Key, shape: &'static Shape) {
        if shape.any() || !self.tick() {
            return;
        }
        let resolved = self.yaml.resolve(node);
        if self.tagged(resolved) || (resolved != node && self.tagged(node)) {
            return;
        }
        // Report at the value as written (the alias), check the anchored node.
        let alias = u32::from(resolved != node);
        self.shared += alias;
        self.value_of(node, resolved, key, shape);
        self.shared -= alias;
    }

    fn value_of(
        &mut self,
        node: NodeId,
        resolved: NodeId,
        key: &'static Key,
        shape: &'static Shape,
    ) {
        let n = self.yaml.node(resolved);
        match n.kind {
            NodeKind::Scalar { value, style } => self.scalar(node, value, style, key, shape),
            NodeKind::Sequence { items } => {
                if let Some(item) = shape.items() {
                    if self.shared > 0
                        && !self.seen.insert((resolved, item as *const Shape as usize))
                    {
                        return;
                    }
                    for (n, &i) in items.iter().enumerate() {
                        self.path.push(Seg::Index(n));
                        self.value(i, key, item);
                        self.path.pop();
                    }
                } else {
                    self.wrong(node, key, shape, "a list", None);
                }
            }
            NodeKind::Mapping { .. } => {
                if let Some(ctx) = shape.mapping() {
                    self.mapping(resolved, ctx);
                } else if let Some(values) = shape.map_values() {
                    if self.shared > 0
                        && !self
                            .seen
                            .insert((resolved, values as *const Shape as usize))
                    {
                        return;
                    }
                    for e in self.yaml.entries(resolved).iter() {
                        self.path
                            .push(Seg::Key(self.yaml.scalar(e.key).unwrap_or("?")));
                        self.value(e.value, key, values);
                        self.path.pop();
                    }
                } else {
                    self.wrong(node, key, shape, "a mapping", None);
                }
            }
            NodeKind::Alias { .. } => {}
        }
    }

    fn wrong(
        &mut self,
        node: NodeId,
        key: &'static Key,
        shape: &'static Shape,
        found: &'static str,
        interpolated: Option<String>,
    ) {
        self.out.push(Problem::WrongType {
            value: node,
            key,
            found,
            expected: shape,
            interpolated,
        });
    }

    fn scalar(
        &mut self,
        node: NodeId,
        value: &str,
        style: Style,
        key: &'static Key,
        shape: &'static Shape,
    ) {
        let plain = style == Style::Plain;
        // A quoted string where a string is taken, with nothing more to check (the usual
        // case): done without reading the value.
        if !plain && key.values.is_empty() && shape.0.contains(&Alt::String) && !value.contains('$')
        {
            return;
        }
        let ty = if plain {
            match resolve_plain(value) {
                Plain::Null => Ty::Null,
                Plain::Bool(_) => Ty::Bool,
                Plain::Int(_) => Ty::Int,
                Plain::Float => Ty::Float,
                Plain::Str => Ty::Str,
            }
        } else {
            Ty::Str
        };
        // An empty value: Compose reads many of them as "not set"; say nothing.
        if ty == Ty::Null {
            return;
        }
        // Interpolation: Compose checks the value it produces. A variable that is not set
        // here may be set where Compose runs, so such a value is not checked.
        let mut text = std::borrow::Cow::Borrowed(value);
        let mut interpolated = None;
        if ty == Ty::Str && value.contains('$') {
            let r = crate::model::compose::interpolate::interpolate(value, self.lookup);
            if r.error.is_some() || !r.unset.is_empty() {
                return;
            }
            if !r.used.is_empty() {
                // Compose casts interpolated values at typed paths; read it as what it
                // now looks like, and accept a string too.
                if !shape.scalar() {
                    self.wrong(node, key, shape, "a string", Some(r.value.clone()));
                    return;
                }
                interpolated = Some(r.value.clone());
            }
            text = std::borrow::Cow::Owned(r.value);
        }
        let ok = shape.0.iter().any(|a| match a {
            Alt::Any => true,
            Alt::String | Alt::Duration => ty == Ty::Str || interpolated.is_some(),
            Alt::Number => matches!(ty, Ty::Int | Ty::Float),
            Alt::Integer => ty == Ty::Int,
            Alt::Boolean => ty == Ty::Bool,
            Alt::Null | Alt::List(_) | Alt::Map(_) | Alt::Mapping(_) => false,
        });
        if !ok && matches!(ty, Ty::Int | Ty::Float) && shape.0.contains(&Alt::Duration) {
            // `interval: 30`: a number where a duration (a string with a unit) is taken.
            self.out.push(Problem::BadDuration {
                value: node,
                key,
                found: text.into_owned(),
            });
            return;
        }
        if !ok {
            let found = if shape.scalar() {
                ty.words()
            } else {
                "a scalar"
            };
            let found = if found == "a scalar" {
                match ty {
                    Ty::Str => "a string",
                    other => other.words(),
                }
            } else {
                found
            };
            self.wrong(node, key, shape, found, interpolated);
            return;
        }
        // A string where a duration is the only string Compose takes.
        if ty == Ty::Str
            && shape.0.contains(&Alt::Duration)
            && !shape.0.contains(&Alt::String)
            && !is_duration(&text)
        {
            self.out.push(Problem::BadDuration {
                value: node,
                key,
                found: text.into_owned(),
            });
            return;
        }
        if !key.values.is_empty() && ty == Ty::Str && !key.values.iter().any(|v| v == &*text) {
            let nearest = crate::text::did_you_mean(&text, key.values.iter().map(String::as_str));
            self.out.push(Problem::NotInEnum {
                value: node,
                key,
                found: text.into_owned(),
                nearest,
            });
        }
    }
}

/// Whether Compose reads `s` as a duration: Go's `time.ParseDuration` syntax
/// (`[-+]?(number unit)+` or `0`) with the units it takes plus `d` and `w`, as compose-go's
/// duration type (go-str2duration) reads them.
pub fn is_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let mut digits = false;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits = true;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
                digits = true;
            }
        }
        if !digits || i == start {
            return false;
        }
        let unit_start = i;
        while i < b.len() && !b[i].is_ascii_digit() && b[i] != b'.' {
            i += 1;
        }
        match &s[unit_start..i] {
            "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h" | "d" | "w" => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        let y = Yaml::parse(text);
        check(&y, &|v| (v == "SET").then(|| "8080".to_string()))
    }

    fn unknown(text: &str) -> Vec<(String, Option<&'static str>)> {
        problems(text)
            .into_iter()
            .filter_map(|p| match p {
                Problem::UnknownKey {
                    name, suggestion, ..
                } => Some((name, suggestion)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn durations() {
        for ok in ["30s", "1m30s", "0", "1.5h", "100ms", "2d", "-1s"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["30", "5 s", "1min", "", "s", "1.s."] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn unknown_keys_with_suggestions() {
        assert_eq!(
            unknown("services:\n  web:\n    image: x\n    port: [\"80:80\"]\n"),
            [("port".to_string(), Some("ports"))]
        );
        assert_eq!(
            unknown(
                "services:\n  web:\n    image: x\n    x-anything: 1\n    healthcheck:\n      x-also: 2\nx-top: {a: 1}\n"
            ),
            []
        );
        assert_eq!(
            unknown("servics:\n  web:\n    image: x\n"),
            [("servics".to_string(), Some("services"))]
        );
    }

    #[test]
    fn merge_keys_and_aliases() {
        let text = "x-d: &d\n  restart: always\n  prots: [\"80\"]\nservices:\n  a:\n    <<: *d\n    image: x\n  b:\n    <<: *d\n    image: y\n";
        // The anchor's typo is one problem, at the anchor, however often it is merged.
        let u = unknown(text);
        assert_eq!(u.len(), 1, "{u:?}");
        assert!(
            unknown("x-p: &p {ports: [\"80\"]}\nservices:\n  a:\n    <<: *p\n    image: x\n")
                .is_empty()
        );
    }

    #[test]
    fn wrong_types() {
        let p = problems(
            "services:\n  web:\n    image: x\n    ports: \"80:80\"\n    user: 1000\n    healthcheck:\n      interval: 30\n      timeout: 5 s\n",
        );
        let found: Vec<String> = p
            .iter()
            .map(|p| match p {
                Problem::WrongType { key, found, .. } => format!("{}={found}", key.name),
                Problem::BadDuration { key, found, .. } => format!("{}~{found}", key.name),
                other => format!("{other:?}"),
            })
            .collect();
        assert!(found.contains(&"ports=a string".to_string()), "{found:?}");
        assert!(found.contains(&"interval~30".to_string()), "{found:?}");
        assert!(found.contains(&"timeout~5 s".to_string()), "{found:?}");
    }

    #[test]
    fn interpolated_values_are_checked_after_interpolation() {
        // Set: checked as what it becomes (a string is fine where a number is taken).
        assert!(
            problems("services:\n  web:\n    image: x\n    ports:\n      - target: ${SET}\n")
                .is_empty()
        );
        // Not set here: not checked.
        assert!(
            problems(
                "services:\n  web:\n    image: x\n    healthcheck:\n      interval: ${NOPE}\n"
            )
            .is_empty()
        );
        // A default is what Compose uses when the variable is unset.
        let p = problems(
            "services:\n  web:\n    image: x\n    healthcheck:\n      interval: ${NOPE:-5 s}\n",
        );
        assert!(
            matches!(p.as_slice(), [Problem::BadDuration { .. }]),
            "{p:?}"
        );
    }

    #[test]
    fn enums() {
        let p = problems(
            "services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: service_healty\n  db:\n    image: y\n",
        );
        match p.as_slice() {
            [Problem::NotInEnum { found, nearest, .. }] => {
                assert_eq!(found, "service_healty");
                assert_eq!(*nearest, Some("service_healthy"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn legacy_layout() {
        let y = Yaml::parse("web:\n  image: nginx\n  ports: [\"80:80\"]\ndb:\n  build: .\n");
        assert_eq!(layout(&y), Layout::Legacy);
        assert!(services_node(&y).is_some());
        for current in [
            "services:\n  web:\n    image: x\n",
            "networks:\n  front: {}\n",
            "web:\n  image: nginx\nnetworks:\n  a: {}\n",
            "foo: bar\n",
        ] {
            assert_eq!(layout(&Yaml::parse(current)), Layout::Current, "{current}");
        }
        // Not recognisably Compose: nothing is reported.
        assert!(problems("name: ci\non: push\njobs:\n  a: {}\n").is_empty());
        // A legacy file is one finding, the layout's: its keys are checked once moved.
        assert!(problems("web:\n  image: nginx\n  prots: []\n").is_empty());
    }
}
