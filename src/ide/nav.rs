//! Navigation in Compose files, as pure functions of the tree: every place a service or a
//! network is defined or named (go to definition, find references, rename), the outline
//! (document symbols), and what to complete at the cursor.
//!
//! References are found where Compose reads a name: a service's `networks`, `depends_on`,
//! `links`, `network_mode: service:X`, `extends` (within the file, or `{file, service}`
//! naming another file's service, marked with that file), and host names in `environment`
//! values (`postgres://db:5432`, `DB_HOST=db`).

use std::ops::Range;

use crate::syntax::yaml::{NodeId, Yaml};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Service,
    Network,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Network => "network",
        }
    }
}

/// One place a name occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub kind: Kind,
    pub name: String,
    /// The name's bytes, without quotes.
    pub range: Range<usize>,
    /// The key that defines it (under top-level `services` or `networks`).
    pub definition: bool,
    /// For `extends: {file: F, service: X}`: the file, as written, whose service it names
    /// (not this file's).
    pub file: Option<String>,
}

fn root(yaml: &Yaml) -> Option<NodeId> {
    yaml.documents
        .iter()
        .filter_map(|d| d.root)
        .find(|&r| yaml.is_mapping(r))
}

/// The bytes of `part` (a byte range inside the scalar's value) in the text, when the
/// scalar is written so that they can be found (plain, or quoted without escapes).
fn part_range(yaml: &Yaml, text: &str, node: NodeId, part: Range<usize>) -> Option<Range<usize>> {
    let span = yaml.span(node);
    let value = yaml.scalar(node)?;
    let src = text.get(span.clone())?;
    let start = match src.as_bytes().first() {
        Some(b'"' | b'\'') => span.start + 1,
        _ => span.start,
    };
    let range = start + part.start..start + part.end;
    (text.get(range.clone())? == value.get(part)?).then_some(range)
}

fn whole(yaml: &Yaml, text: &str, node: NodeId) -> Option<(String, Range<usize>)> {
    let value = yaml.scalar(node)?;
    Some((
        value.to_string(),
        part_range(yaml, text, node, 0..value.len())?,
    ))
}

/// What a scan keeps: occurrences of one kind, of one name, or around one offset. Each
/// narrows the walk (a network name never reads `environment`; an offset reads only the
/// entry that holds it), which keeps requests sent at every cursor move cheap.
#[derive(Debug, Clone, Copy, Default)]
struct Want<'a> {
    kind: Option<Kind>,
    name: Option<&'a str>,
    offset: Option<usize>,
}

impl Want<'_> {
    fn kind(&self, kind: Kind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }

    fn holds(&self, yaml: &Yaml, key: NodeId, value: NodeId) -> bool {
        self.offset
            .is_none_or(|o| yaml.span(key).start <= o && o <= yaml.span(value).end)
    }
}

/// Every occurrence of a service or network name in the file, in document order per
/// section.
pub fn occurrences(yaml: &Yaml, text: &str) -> Vec<Occurrence> {
    scan(yaml, text, Want::default())
}

/// The occurrences of the service or network `name` (what references, highlights and
/// rename list).
pub fn named(yaml: &Yaml, text: &str, kind: Kind, name: &str) -> Vec<Occurrence> {
    scan(
        yaml,
        text,
        Want {
            kind: Some(kind),
            name: Some(name),
            offset: None,
        },
    )
}

fn scan(yaml: &Yaml, text: &str, want: Want) -> Vec<Occurrence> {
    let mut out = Vec::new();
    let Some(root) = root(yaml) else {
        return out;
    };
    // `extends` naming a service of another file; pushed after the walk.
    let mut other_file: Vec<Occurrence> = Vec::new();
    let keep = |kind: Kind, name: &str| want.kind(kind) && want.name.is_none_or(|n| n == name);
    let mut push = |kind, found: Option<(String, Range<usize>)>, definition| {
        if let Some((name, range)) = found
            && keep(kind, &name)
        {
            out.push(Occurrence {
                kind,
                name,
                range,
                definition,
                file: None,
            });
        }
    };
    if let Some(services) = yaml.get(root, "services") {
        for s in yaml.entries(services.value) {
            if !want.holds(yaml, s.key, s.value) {
                continue;
            }
            push(Kind::Service, whole(yaml, text, s.key), true);
            let service = s.value;
            if !yaml.is_mapping(service) {
                continue;
            }
            for (key, kind) in [
                ("networks", Kind::Network),
                ("depends_on", Kind::Service),
                ("links", Kind::Service),
            ] {
                if !want.kind(kind) {
                    continue;
                }
                let Some(e) = yaml.get(service, key) else {
                    continue;
                };
                let nodes: Vec<NodeId> = match yaml.items(e.value) {
                    Some(items) => items.to_vec(),
                    None => yaml.entries(e.value).iter().map(|e| e.key).collect(),
                };
                for n in nodes {
                    let Some(v) = yaml.scalar(n) else { continue };
                    // `links: [db:database]` names `db`.
                    let len = if key == "links" {
                        v.find(':').unwrap_or(v.len())
                    } else {
                        v.len()
                    };
                    push(
                        kind,
                        part_range(yaml, text, n, 0..len).map(|r| (v[..len].to_string(), r)),
                        false,
                    );
                }
            }
            if let Some(e) = yaml.get(service, "network_mode")
                && let Some(v) = yaml.scalar(e.value)
                && let Some(name) = v.strip_prefix("service:")
            {
                push(
                    Kind::Service,
                    part_range(yaml, text, e.value, 8..v.len()).map(|r| (name.to_string(), r)),
                    false,
                );
            }
            if let Some(e) = yaml.get(service, "extends") {
                if yaml.scalar(e.value).is_some() {
                    push(Kind::Service, whole(yaml, text, e.value), false);
                } else if let Some(s) = yaml.get(e.value, "service") {
                    match yaml.get(e.value, "file").and_then(|f| yaml.scalar(f.value)) {
                        None => push(Kind::Service, whole(yaml, text, s.value), false),
                        Some(file) => {
                            if let Some((name, range)) = whole(yaml, text, s.value) {
                                other_file.push(Occurrence {
                                    kind: Kind::Service,
                                    name,
                                    range,
                                    definition: false,
                                    file: Some(file.to_string()),
                                });
                            }
                        }
                    }
                }
            }
            if !want.kind(Kind::Service) {
                continue;
            }
            if let Some(e) = yaml.get(service, "environment") {
                let pairs: Vec<(String, NodeId, usize)> = match yaml.items(e.value) {
                    Some(items) => items
                        .iter()
                        .filter_map(|&i| {
                            let v = yaml.scalar(i)?;
                            let (k, _) = v.split_once('=')?;
                            Some((k.to_string(), i, k.len() + 1))
                        })
                        .collect(),
                    None => yaml
                        .entries(e.value)
                        .iter()
                        .filter_map(|e| Some((yaml.scalar(e.key)?.to_string(), e.value, 0)))
                        .collect(),
                };
                for (key, node, skip) in pairs {
                    let Some(v) = yaml.scalar(node) else { continue };
                    let Some(value) = v.get(skip..) else { continue };
                    if value.contains('$') || want.name.is_some_and(|n| !value.contains(n)) {
                        continue;
                    }
                    for r in crate::model::compose::refs::find(&key, value) {
                        let part = skip + r.host_range.start..skip + r.host_range.end;
                        let name = v[part.clone()].to_string();
                        push(
                            Kind::Service,
                            part_range(yaml, text, node, part).map(|r| (name, r)),
                            false,
                        );
                    }
                }
            }
        }
    }
    if let Some(networks) = yaml.get(root, "networks")
        && want.kind(Kind::Network)
    {
        for n in yaml.entries(networks.value) {
            if want.holds(yaml, n.key, n.value) {
                push(Kind::Network, whole(yaml, text, n.key), true);
            }
        }
    }
    out.extend(other_file.into_iter().filter(|o| keep(o.kind, &o.name)));
    out
}

/// The occurrence under the cursor.
pub fn at(yaml: &Yaml, text: &str, offset: usize) -> Option<Occurrence> {
    let around = Want {
        offset: Some(offset),
        ..Want::default()
    };
    scan(yaml, text, around)
        .into_iter()
        .find(|o| o.range.start <= offset && offset <= o.range.end)
}

/// The service whose entry holds `offset`, and the `ports` item under it if any.
pub fn service_at(yaml: &Yaml, offset: usize) -> Option<(String, Option<Range<usize>>)> {
    let root = root(yaml)?;
    let services = yaml.get(root, "services")?;
    let inside = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let s = yaml
        .entries(services.value)
        .into_iter()
        .find(|e| inside(&(yaml.span(e.key).start..yaml.span(e.value).end)))?;
    let name = yaml.scalar(s.key)?.to_string();
    let entry = yaml
        .get(s.value, "ports")
        .and_then(|p| yaml.items(p.value).map(<[NodeId]>::to_vec))
        .and_then(|items| items.into_iter().map(|i| yaml.span(i)).find(|r| inside(r)));
    Some((name, entry))
}

/// An outline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// `services`, `networks`, `volumes`, `configs` or `secrets`.
    pub section: &'static str,
    /// The whole entry (key and value).
    pub range: Range<usize>,
    /// The key.
    pub selection: Range<usize>,
    /// Its ports, for services (`8080:80`), as written.
    pub detail: Option<String>,
}

/// The top-level entries of a Compose file, for outline views.
pub fn symbols(yaml: &Yaml) -> Vec<Symbol> {
    let mut out = Vec::new();
    let Some(root) = root(yaml) else {
        return out;
    };
    for section in ["services", "networks", "volumes", "configs", "secrets"] {
        let Some(e) = yaml.get(root, section) else {
            continue;
        };
        for entry in yaml.entries(e.value) {
            let Some(name) = yaml.scalar(entry.key) else {
                continue;
            };
            let detail = (section == "services")
                .then(|| yaml.get(entry.value, "ports"))
                .flatten()
                .and_then(|p| yaml.items(p.value))
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|&i| yaml.scalar(i))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .filter(|d| !d.is_empty());
            let key = yaml.span(entry.key);
            let value = yaml.span(entry.value);
            out.push(Symbol {
                name: name.to_string(),
                section,
                range: key.start..value.end.max(key.end),
                selection: key,
                detail,
            });
        }
    }
    out
}

/// Whether `name` can name a service or a network (Compose: `[a-zA-Z0-9._-]+`, starting
/// with a letter or digit).
pub fn valid_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What the cursor is completing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completing {
    Service,
    Network,
    Protocol,
}

/// What to complete at `offset`, from the text alone (the file is usually mid-edit): the
/// line so far and the keys of the lines above it.
pub fn completing(text: &str, offset: usize) -> Option<Completing> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let trimmed = prefix.trim_start();
    if let Some(rest) = trimmed.strip_prefix("network_mode:") {
        let rest = rest.trim_start().trim_start_matches(['"', '\'']);
        return rest.starts_with("service:").then_some(Completing::Service);
    }
    if trimmed.starts_with("protocol:") {
        return Some(Completing::Protocol);
    }
    // A flow list on the key's own line: `depends_on: [db, `.
    for (key, what) in [
        ("depends_on:", Completing::Service),
        ("links:", Completing::Service),
        ("networks:", Completing::Network),
    ] {
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.contains(['[', '{'])
        {
            return Some(what);
        }
    }
    let indent = prefix.len() - trimmed.len();
    let item = trimmed.starts_with('-');
    let word = trimmed.trim_start_matches(['-', ' ', '"', '\'']);
    // `- "8080:80/` completes a protocol.
    if item
        && let Some(slash) = word.rfind('/')
        && word[..slash].bytes().any(|b| b.is_ascii_digit())
        && word[slash + 1..].bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Some(Completing::Protocol);
    }
    if !word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return None;
    }
    // The parent key: the nearest line above with less indentation (a list item may sit
    // at the key's own indentation).
    let mut parent = None;
    for line in text[..line_start].lines().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = line.len() - t.len();
        if i < indent || (item && i == indent && !t.starts_with('-')) {
            parent = Some((i, t));
            break;
        }
    }
    let (parent_indent, parent) = parent?;
    let key = parent
        .trim_start_matches(['-', ' '])
        .split(':')
        .next()?
        .trim();
    match key {
        "depends_on" | "links" => Some(Completing::Service),
        // A service's `networks`, not the top-level section.
        "networks" if parent_indent > 0 => Some(Completing::Network),
        _ => None,
    }
}

/// Names that completion should leave out at `offset`: those the list under the cursor
/// already holds (block or flow style, above and below), and the service the list belongs
/// to (`depends_on` on itself is refused by Compose). Read from the text, like
/// [`completing`].
pub fn already_named(text: &str, offset: usize) -> Vec<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let current = &text[line_start..line_end];
    let indent = |l: &str| l.len() - l.trim_start().len();
    let name_of = |t: &str| -> Option<String> {
        let t = t.trim_start_matches(['-', ' ']);
        let t = t.split(':').next()?.trim().trim_matches(['"', '\'']);
        valid_name(t).then(|| t.to_string())
    };
    let mut out = Vec::new();
    // This line is the list's key when the list is a flow list on it.
    let mut key_indent = None;
    // A flow list on this line: `depends_on: [db, cache, `.
    if let Some(open) = current.find('[') {
        if current[..open].contains(':') {
            key_indent = Some(indent(current));
        }
        let inside = current[open + 1..].trim_end_matches([']', ' ']);
        out.extend(inside.split(',').filter_map(|i| {
            let i = i.trim().trim_matches(['"', '\'']);
            valid_name(i).then(|| i.to_string())
        }));
    }
    let own = indent(current);
    let item = current.trim_start().starts_with('-');
    // Up: the list's other entries, then its key, then the service that owns it.
    for line in text[..line_start].lines().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        match key_indent {
            None if i < own || (item && i == own && !t.starts_with('-')) => key_indent = Some(i),
            None => out.extend(name_of(t)),
            Some(k) if i < k => {
                out.extend(name_of(t));
                break;
            }
            Some(_) => {}
        }
    }
    // Down: the entries below the cursor in the same list.
    for line in text[line_end..].lines().skip(1) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        if i < own || (i == own && item && !t.starts_with('-')) {
            break;
        }
        if i == own {
            out.extend(name_of(t));
        }
    }
    out
}

/// The service and network names a Compose file defines.
pub fn defined(yaml: &Yaml) -> (Vec<String>, Vec<String>) {
    let mut services = Vec::new();
    let mut networks = Vec::new();
    if let Some(root) = root(yaml) {
        for (section, out) in [("services", &mut services), ("networks", &mut networks)] {
            if let Some(e) = yaml.get(root, section) {
                out.extend(
                    yaml.entries(e.value)
                        .iter()
                        .filter_map(|e| yaml.scalar(e.key))
                        .map(str::to_string),
                );
            }
        }
    }
    (services, networks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "services:\n  web:\n    networks: [front]\n    depends_on:\n      db:\n        condition: service_healthy\n    links: [\"db:database\"]\n    environment:\n      DATABASE_URL: postgres://db:5432/app\n  side:\n    network_mode: \"service:web\"\n    extends: web\n  db:\n    networks:\n      - back\n      - front\n    environment: [\"PEER=http://web:80\"]\nnetworks:\n  front: {}\n  back: {}\n";

    fn names(kind: Kind, name: &str) -> Vec<(String, bool)> {
        let text = TEXT.to_string();
        let yaml = Yaml::parse(&text);
        occurrences(&yaml, &text)
            .into_iter()
            .filter(|o| o.kind == kind && o.name == name)
            .map(|o| (text[o.range].to_string(), o.definition))
            .collect()
    }

    /// `at` and `named` narrow the walk; at every offset of these texts they find what the
    /// whole scan finds (src/fuzzing.rs checks the same on fuzzed input).
    #[test]
    fn narrowed_scans_agree_with_the_whole_scan() {
        for text in [
            TEXT,
            "services:\n  web:\n  db:\n    depends_on: [web]\nnetworks:\n  front:\n",
            "services: {web: {networks: [a]}, db: {links: [web]}}\nnetworks: {a: {}}",
            "services:\n  web:\n    extends: {file: base.yaml, service: app}\n  app:\n",
        ] {
            let yaml = Yaml::parse(text);
            let all = occurrences(&yaml, text);
            for o in 0..=text.len() {
                let expected = all.iter().find(|x| x.range.start <= o && o <= x.range.end);
                let found = at(&yaml, text, o);
                assert_eq!(found.as_ref(), expected, "{text:?} at {o}");
                if let Some(f) = found {
                    let want: Vec<_> = all
                        .iter()
                        .filter(|x| x.kind == f.kind && x.name == f.name)
                        .cloned()
                        .collect();
                    assert_eq!(named(&yaml, text, f.kind, &f.name), want);
                }
            }
        }
    }

    #[test]
    fn every_reference() {
        let db = names(Kind::Service, "db");
        assert_eq!(db.len(), 4, "{db:?}");
        assert_eq!(db.iter().filter(|(_, d)| *d).count(), 1);
        assert!(db.iter().all(|(t, _)| t == "db"));
        let web = names(Kind::Service, "web");
        // definition, network_mode, extends, the URL in db's environment
        assert_eq!(web.len(), 4, "{web:?}");
        let front = names(Kind::Network, "front");
        assert_eq!(front.len(), 3, "{front:?}");
        assert_eq!(names(Kind::Network, "back").len(), 2);
    }

    #[test]
    fn at_the_cursor() {
        let text = TEXT.to_string();
        let yaml = Yaml::parse(&text);
        let o = at(&yaml, &text, text.find("service:web").unwrap() + 9).unwrap();
        assert_eq!(
            (o.kind, o.name.as_str(), o.definition),
            (Kind::Service, "web", false)
        );
        let o = at(&yaml, &text, text.find("db:database").unwrap()).unwrap();
        assert_eq!(&text[o.range], "db");
        assert!(at(&yaml, &text, text.find("condition").unwrap()).is_none());
    }

    #[test]
    fn outline() {
        let text = TEXT.to_string();
        let yaml = Yaml::parse(&text);
        let s = symbols(&yaml);
        let got: Vec<_> = s.iter().map(|s| (s.section, s.name.as_str())).collect();
        assert_eq!(
            got,
            [
                ("services", "web"),
                ("services", "side"),
                ("services", "db"),
                ("networks", "front"),
                ("networks", "back")
            ]
        );
    }

    #[test]
    fn completion_context() {
        let c = |before: &str| completing(before, before.len());
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n      - "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n    - d"),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n      "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on: [db, "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    networks:\n      - fr"),
            Some(Completing::Network)
        );
        assert_eq!(
            c("services:\n  a:\n    network_mode: service:"),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    ports:\n      - \"8080:80/"),
            Some(Completing::Protocol)
        );
        assert_eq!(
            c("services:\n  a:\n    ports:\n      - target: 53\n        protocol: "),
            Some(Completing::Protocol)
        );
        assert_eq!(c("networks:\n  "), None);
        assert_eq!(c("services:\n  a:\n    ports:\n      - "), None);
        assert_eq!(c("services:\n  a:\n    network_mode: ho"), None);
    }

    #[test]
    fn completion_leaves_out_what_is_there() {
        let text =
            "services:\n  web:\n    depends_on:\n      - db\n      - \n      - cache\n  db: {}\n";
        let at = text.find("- \n").unwrap() + 2;
        let mut got = already_named(text, at);
        got.sort();
        assert_eq!(got, ["cache", "db", "web"]);
        let text = "services:\n  api:\n    depends_on: [db, ";
        let mut got = already_named(text, text.len());
        got.sort();
        assert_eq!(got, ["api", "db"]);
    }

    #[test]
    fn valid_names() {
        assert!(valid_name("web-1.internal_x"));
        assert!(!valid_name("-web"));
        assert!(!valid_name("we b"));
        assert!(!valid_name(""));
    }
}
