//! Where each element of the SVG comes from in the text: for every `data-portside` id the
//! SVG draws (`s0`, `n1`, `p2`, `c3`, `x0`, and the lines `s0-n1`, `s0-host`, `s0-s1`), its
//! span and a label, so an editor can jump from a click on the map to the YAML. The ids are
//! the ones `svg.rs` writes: indexes in the topology's sorted lists. The `host` node and a
//! network no file here declares (the implicit `default`) have no place in the text and are
//! not listed.

use std::ops::Range;
use std::path::PathBuf;

use super::{ConnectionKind, Sharing, Topology, outside_hosts, published_label};

/// One clickable element of the map.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapElement {
    /// The SVG group's `data-portside` id.
    pub id: String,
    /// What it is, in a few words (`service web`, `web → db:5432`).
    pub label: String,
    /// Its source in the Compose text.
    pub span: Range<usize>,
    /// The project's other file that `span` is in, when it is not the analysed one.
    pub file: Option<std::path::PathBuf>,
}

/// The elements of the map of `t` that have a place in the text, in id order by kind
/// (services, their lines, networks, published ports, connections, outside hosts).
pub fn elements(t: &Topology) -> Vec<MapElement> {
    let mut out: Vec<MapElement> = Vec::new();
    let mut push = |id: String, label: String, span: &Range<usize>, file: &Option<PathBuf>| {
        out.push(MapElement {
            id,
            label,
            span: span.clone(),
            file: file.clone(),
        });
    };
    let index = |name: &str| t.services.iter().position(|s| s.name == name);
    for (j, s) in t.services.iter().enumerate() {
        push(
            format!("s{j}"),
            format!("service {}", s.name),
            &s.span,
            &s.file,
        );
        // The lines a service draws to its networks, the host or the service whose stack it
        // shares are written in the service's entry.
        match &s.sharing {
            Sharing::Networks(nets) => {
                for n in nets {
                    if let Some(i) = t.networks.iter().position(|m| &m.name == n) {
                        push(
                            format!("s{j}-n{i}"),
                            format!("{} on network {n}", s.name),
                            &s.span,
                            &s.file,
                        );
                    }
                }
            }
            Sharing::Host => push(
                format!("s{j}-host"),
                format!("{}: network_mode: host", s.name),
                &s.span,
                &s.file,
            ),
            Sharing::Service(other) => {
                if let Some(k) = index(other).filter(|k| *k != j) {
                    push(
                        format!("s{j}-s{k}"),
                        format!("{}: network_mode: service:{other}", s.name),
                        &s.span,
                        &s.file,
                    );
                }
            }
            Sharing::Bridge | Sharing::Other(_) => {}
        }
    }
    for (i, n) in t.networks.iter().enumerate() {
        if let Some(span) = &n.span {
            push(
                format!("n{i}"),
                format!("network {}", n.name),
                span,
                &n.file,
            );
        }
    }
    for (i, p) in t.published.iter().enumerate() {
        push(
            format!("p{i}"),
            format!("{}: {}", p.service, published_label(p)),
            &p.span,
            &p.file,
        );
    }
    for (i, c) in t.connections.iter().enumerate() {
        let target = match c.port {
            Some(port) => format!("{}:{port}", c.host),
            None => c.host.clone(),
        };
        let label = match &c.kind {
            ConnectionKind::DependsOn => format!("{} depends_on {}", c.from, c.host),
            ConnectionKind::Reference { .. } => format!("{} → {target}", c.from),
            ConnectionKind::Proxy { via, .. } => format!("{} ({via}) → {target}", c.from),
        };
        push(format!("c{i}"), label, &c.span, &c.file);
    }
    // A host outside the project is where a connection first names it.
    for (i, h) in outside_hosts(t).iter().enumerate() {
        if let Some(c) = t
            .connections
            .iter()
            .filter(|c| c.to.is_none() && c.host == *h)
            .min_by_key(|c| c.span.start)
        {
            push(
                format!("x{i}"),
                format!("{h} (outside the project)"),
                &c.span,
                &c.file,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Context;

    fn svg_ids(svg: &str) -> Vec<String> {
        svg.split("data-portside=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_string)
            .collect()
    }

    /// Every element the SVG draws with an id, but the host and an undeclared network, has a
    /// place in the text; each
    /// service's span starts at its key, each port's is its entry.
    #[test]
    fn every_drawn_element_has_a_span() {
        let projects = [
            include_str!("../../../../examples/broken/compose.yaml"),
            "services:\n  app:\n    image: nginx\n    network_mode: host\n  db:\n    image: postgres:16\n  side:\n    image: busybox\n    network_mode: \"service:web\"\n  web:\n    image: node:22\n    command: [\"node\", \"server.js\"]\n    ports: [\"8080:80\"]\n    networks: [front, back]\n    environment:\n      API: http://api.example.com:8080\n    depends_on: [app]\n  worker:\n    image: node:22\n    command: [\"node\", \"worker.js\"]\n    environment:\n      DB: postgres://localhost:5432/x\nnetworks:\n  front:\n  back:\n    internal: true\n",
        ];
        for text in projects {
            let t = crate::ide::map::of_compose(text, &Context::default()).expect("a map");
            let listed = elements(&t);
            let ids = svg_ids(&super::super::svg(&t));
            assert!(ids.len() > 3, "{ids:?}");
            // The host, and a network no file here declares (the implicit `default`), have
            // no place in the text.
            let placeless = |id: &str| {
                id == "host"
                    || id
                        .strip_prefix('n')
                        .and_then(|i| i.parse::<usize>().ok())
                        .is_some_and(|i| t.networks[i].span.is_none())
            };
            for id in ids.iter().filter(|id| !placeless(id)) {
                let e = listed
                    .iter()
                    .find(|e| &e.id == id)
                    .unwrap_or_else(|| panic!("{id} is drawn but not listed: {listed:?}"));
                assert!(
                    e.span.start < e.span.end && e.span.end <= text.len(),
                    "{e:?}"
                );
            }
            for (j, s) in t.services.iter().enumerate() {
                let e = listed.iter().find(|e| e.id == format!("s{j}")).unwrap();
                assert!(text[e.span.clone()].starts_with(&s.name), "{e:?}");
                assert_eq!(e.label, format!("service {}", s.name));
            }
        }
        let t = crate::ide::map::of_compose(projects[1], &Context::default()).unwrap();
        let listed = elements(&t);
        let label = |id: &str| {
            listed
                .iter()
                .find(|e| e.id == id)
                .map(|e| (e.label.as_str(), &projects[1][e.span.clone()]))
        };
        assert_eq!(
            label("p0"),
            Some(("web: *:8080 → 80/tcp (every interface)", "\"8080:80\""))
        );
        assert_eq!(
            label("s0-host").map(|l| l.0),
            Some("app: network_mode: host")
        );
        assert_eq!(
            label("s2-s3").map(|l| l.0),
            Some("side: network_mode: service:web")
        );
        let localhost = listed
            .iter()
            .find(|e| e.label == "worker → localhost:5432")
            .unwrap_or_else(|| panic!("the localhost connection: {listed:?}"));
        assert_eq!(&projects[1][localhost.span.clone()], "localhost:5432");
        assert!(
            listed
                .iter()
                .any(|e| e.id.starts_with('x') && e.label == "localhost (outside the project)")
        );
    }
}
