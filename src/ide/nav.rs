//! Navigation in Compose files, as pure functions of the tree: every place a service or a
//! network is defined or named (go to definition, find references, rename) and the outline
//! (document symbols). What to complete at the cursor is in [`super::completion`].
//!
//! The occurrences come from the Compose model ([`Project::occurrences`]), the same values
//! the rules read: a service's `networks`, `depends_on`, `links`, `network_mode:
//! service:X`, `extends` (within the file, or `{file, service}` naming another file's
//! service, marked with that file), and the hosts the model finds in `environment`,
//! `command`, `entrypoint` and `healthcheck.test` (`postgres://db:5432`, `DB_HOST=db`,
//! `curl http://api:8080`). Navigation does not walk the tree itself.

use std::ops::Range;

use crate::model::compose::Project;
use crate::syntax::yaml::{NodeId, Yaml};

pub use crate::model::compose::{NameKind as Kind, Occurrence};

/// The model navigation reads ([`Project::build_names`]): the file alone, only the
/// services whose entry `keep` accepts.
fn model<'y>(yaml: &'y Yaml, text: &'y str, keep: &dyn Fn(Range<usize>) -> bool) -> Project<'y> {
    Project::build_names(text, yaml, keep)
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
    let services = crate::model::compose::schema::services_node(yaml).map(|s| yaml.span(s));
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
    let services = crate::model::compose::schema::services_node(yaml)?;
    let inside = |r: &Range<usize>| r.start <= offset && offset <= r.end;
    let s = yaml
        .entries(services)
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
    /// Found by `cargo fuzz` (compose target): a service whose key is empty (`  :`) was an
    /// occurrence for `at` that `named` could never find.
    #[test]
    fn an_empty_key_is_no_occurrence() {
        let text = "services:\n  :\n    image: x\n    depends_on: [\"\"]\n  web:\n    image: y\n";
        let yaml = Yaml::parse(text);
        let all = occurrences(&yaml, text);
        assert!(all.iter().all(|o| !o.name.is_empty()), "{all:?}");
        assert!(all.iter().any(|o| o.name == "web"));
        assert_eq!(at(&yaml, text, text.find(":\n    image: x").unwrap()), None);
    }

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
    fn valid_names() {
        assert!(valid_name("web-1.internal_x"));
        assert!(!valid_name("-web"));
        assert!(!valid_name("we b"));
        assert!(!valid_name(""));
    }
}
