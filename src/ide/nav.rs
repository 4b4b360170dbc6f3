//! Navigation in Compose files, as pure functions of the tree: every place a service or a
//! network is defined or named (go to definition, find references, rename), the outline
//! (document symbols), and what to complete at the cursor.
//!
//! The occurrences come from the Compose model ([`Project::occurrences`]), the same values
//! the rules read: a service's `networks`, `depends_on`, `links`, `network_mode:
//! service:X`, `extends` (within the file, or `{file, service}` naming another file's
//! service, marked with that file), and the hosts the model finds in `environment`,
//! `command`, `entrypoint` and `healthcheck.test` (`postgres://db:5432`, `DB_HOST=db`,
//! `curl http://api:8080`). Navigation does not walk the tree itself.

use std::ops::Range;

use crate::model::compose::{Inputs, Project, Vars};
use crate::syntax::yaml::{NodeId, Yaml};

pub use crate::model::compose::{NameKind as Kind, Occurrence};

static NO_VARS: std::sync::LazyLock<Vars> = std::sync::LazyLock::new(Vars::new);

/// The model navigation reads: the file alone, with no variables (a value written with
/// `${…}` names nothing navigation can rename), and only the services whose entry `keep`
/// accepts.
fn model<'y>(yaml: &'y Yaml, text: &'y str, keep: &dyn Fn(Range<usize>) -> bool) -> Project<'y> {
    Project::build_from(text, yaml, Inputs::vars(&NO_VARS), keep)
}

/// Every occurrence of a service or network name in the file, in document order per
/// section ([`Project::occurrences`]).
pub fn occurrences(yaml: &Yaml, text: &str) -> Vec<Occurrence> {
    model(yaml, text, &|_| true).occurrences()
}

/// The occurrences of the service or network `name` (what references, highlights and
/// rename list).
///
/// Only the service entries whose text holds `name` are modelled (found by a substring
/// scan), unless the name is also written outside `services` (an anchor merged with `<<`
/// may bring it into any service): a name used in a few services of thousands stays cheap.
pub fn named(yaml: &Yaml, text: &str, kind: Kind, name: &str) -> Vec<Occurrence> {
    let wanted = |k, n: &str| k == kind && n == name;
    if name.is_empty() {
        return Vec::new();
    }
    let at: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), name.as_bytes()).collect();
    let services = yaml.top("services").map(|s| yaml.span(s.value));
    let outside = |o: &usize| {
        services
            .as_ref()
            .is_none_or(|s| *o < s.start || *o >= s.end)
    };
    let networks = yaml
        .top("networks")
        .map(|n| yaml.span(n.key).start..yaml.span(n.value).end);
    let elsewhere = at
        .iter()
        .filter(|o| networks.as_ref().is_none_or(|n| !n.contains(o)))
        .any(outside);
    if elsewhere {
        return model(yaml, text, &|_| true).occurrences_where(&wanted);
    }
    let holds = |r: Range<usize>| {
        let i = at.partition_point(|&o| o < r.start);
        at.get(i).is_some_and(|&o| o < r.end)
    };
    model(yaml, text, &holds).occurrences_where(&wanted)
}

/// The occurrence under the cursor. Only the service entry that holds `offset` is
/// modelled, which keeps requests sent at every cursor move cheap.
pub fn at(yaml: &Yaml, text: &str, offset: usize) -> Option<Occurrence> {
    let holds = |r: Range<usize>| r.start <= offset && offset <= r.end;
    model(yaml, text, &holds)
        .occurrences()
        .into_iter()
        .find(|o| o.range.start <= offset && offset <= o.range.end)
}

/// The service whose entry holds `offset`, and the `ports` item under it if any.
pub fn service_at(yaml: &Yaml, offset: usize) -> Option<(String, Option<Range<usize>>)> {
    let services = yaml.top("services")?;
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
    for section in ["services", "networks", "volumes", "configs", "secrets"] {
        let Some(e) = yaml.top(section) else {
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
    for (section, out) in [("services", &mut services), ("networks", &mut networks)] {
        if let Some(e) = yaml.top(section) {
            out.extend(
                yaml.entries(e.value)
                    .iter()
                    .filter_map(|e| yaml.scalar(e.key))
                    .map(str::to_string),
            );
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

    /// The hosts the model finds in `command` (string and list form), `entrypoint` and
    /// `healthcheck.test` are occurrences of the service: references list them and a
    /// rename (every range of `named`) replaces them.
    #[test]
    fn hosts_in_commands_and_healthchecks_are_references() {
        let text = "services:\n  api:\n    image: x\n  worker:\n    command: sh -c \"wait-for api:8080 && run\"\n  probe:\n    command: [\"curl\", \"-f\", \"http://api:8080/health\"]\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://api:8080/\"]\n  tool:\n    entrypoint: [\"wait-for\", \"api:8080\", \"--\"]\n    environment: [\"API=http://api:8080\"]\n  other:\n    command: [\"echo\", \"api\"]\n";
        let yaml = Yaml::parse(text);
        assert!(yaml.error.is_none());
        let found = named(&yaml, text, Kind::Service, "api");
        // definition, worker's command string, probe's command list and healthcheck,
        // tool's entrypoint and environment; a bare word is no host reference.
        assert_eq!(found.len(), 6, "{found:?}");
        assert!(found.iter().all(|o| &text[o.range.clone()] == "api"));
        assert_eq!(found.iter().filter(|o| o.definition).count(), 1);
        let line_of = |o: &Occurrence| text[..o.range.start].lines().count();
        let mut lines: Vec<usize> = found.iter().map(line_of).collect();
        lines.sort();
        assert_eq!(lines, [2, 5, 7, 9, 11, 12], "{found:?}");
        // The cursor on each reference finds the service.
        for o in &found {
            let here = at(&yaml, text, o.range.start + 1).unwrap();
            assert_eq!((here.kind, here.name.as_str()), (Kind::Service, "api"));
        }
        // Renaming every range leaves no reference behind.
        let mut ranges: Vec<Range<usize>> = found.iter().map(|o| o.range.clone()).collect();
        ranges.sort_by_key(|r| std::cmp::Reverse(r.start));
        let mut renamed = text.to_string();
        for r in ranges {
            renamed.replace_range(r, "backend");
        }
        let yaml = Yaml::parse(&renamed);
        assert!(named(&yaml, &renamed, Kind::Service, "api").is_empty());
        let after = named(&yaml, &renamed, Kind::Service, "backend");
        assert_eq!(after.len(), 6, "{renamed}\n{after:?}");
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
