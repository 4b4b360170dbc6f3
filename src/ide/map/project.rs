//! The map of a whole project: the analysed file's topology with the topologies of the
//! project's other Compose files merged in as Compose combines them. An included file
//! (or the file that includes this one) adds services of its own; a base or override file
//! merges into services of the same name (lists add up, the later file's image and network
//! mode win). Pure: the other files' texts come from the context (`External::other_services`),
//! and each file's own context from the caller, which reads the workspace.

use std::path::Path;

use super::{MapError, Sharing, Topology, of_compose};
use crate::analysis::Context;

/// The map of `text` and of the project's other Compose files that `ctx` names.
/// `context_of(path, text)` is the workspace context of another file, so its findings are
/// the ones an editor shows for it. A file that does not parse adds nothing.
pub fn of_project(
    text: &str,
    ctx: &Context,
    context_of: &dyn Fn(&Path, &str) -> Context,
) -> Result<Topology, MapError> {
    let mut t = of_compose(text, ctx)?;
    let mut files: Vec<(&crate::finding::OtherFile, Option<bool>)> = Vec::new();
    for o in &ctx.external.other_services {
        if !files.iter().any(|(f, _)| f.path == o.file.path) {
            files.push((&o.file, o.after));
        }
    }
    for (file, after) in files {
        let Ok(mut other) = of_compose(&file.text, &context_of(&file.path, &file.text)) else {
            continue;
        };
        other.written_in(&file.path);
        t = merge(t, other, after);
    }
    Ok(resolved(t))
}

impl Topology {
    /// Marks every element as written in `path`.
    fn written_in(&mut self, path: &Path) {
        let file = Some(path.to_path_buf());
        self.services
            .iter_mut()
            .for_each(|s| s.file.clone_from(&file));
        self.networks
            .iter_mut()
            .filter(|n| n.span.is_some())
            .for_each(|n| n.file.clone_from(&file));
        self.published
            .iter_mut()
            .for_each(|p| p.file.clone_from(&file));
        self.connections
            .iter_mut()
            .for_each(|c| c.file.clone_from(&file));
    }
}

/// A service that names no network and no mode: it says nothing about where it sits.
fn implicit(s: &Sharing) -> bool {
    matches!(s, Sharing::Networks(n) if n.len() == 1 && n[0] == "default")
}

/// `other` merged into `t`. `after`: `Some(true)` when Compose applies `other` after the
/// analysed file (its override), `Some(false)` before it (its base), `None` when `other`
/// adds services of its own (`include:`).
fn merge(mut t: Topology, other: Topology, after: Option<bool>) -> Topology {
    let later = after == Some(true);
    for s in other.services {
        let Some(m) = t.services.iter_mut().find(|m| m.name == s.name) else {
            t.services.push(s);
            continue;
        };
        // An included file's service of the same name is a conflict Compose refuses; the
        // analysed file's stays.
        if after.is_none() {
            continue;
        }
        if s.image.is_some() && (later || m.image.is_none()) {
            m.image = s.image;
        }
        m.build |= s.build;
        m.listens.extend(s.listens);
        m.listens.sort_unstable();
        m.listens.dedup();
        m.sharing = match (
            std::mem::replace(&mut m.sharing, Sharing::Bridge),
            s.sharing,
        ) {
            (mine, theirs) if implicit(&theirs) => mine,
            (mine, theirs) if implicit(&mine) => theirs,
            (Sharing::Networks(mut a), Sharing::Networks(b)) => {
                a.extend(b);
                a.sort();
                a.dedup();
                Sharing::Networks(a)
            }
            (mine, theirs) => {
                if later {
                    theirs
                } else {
                    mine
                }
            }
        };
        m.findings.extend(s.findings);
    }
    for n in other.networks {
        match t.networks.iter_mut().find(|m| m.name == n.name) {
            None => t.networks.push(n),
            // Declared there, only used here.
            Some(m) if m.span.is_none() && n.span.is_some() => *m = n,
            Some(m) => m.findings.extend(n.findings),
        }
    }
    for p in other.published {
        let same = |q: &super::Published| {
            (
                &q.service,
                &q.host_ip,
                &q.host_port,
                q.container_port,
                q.protocol,
            ) == (
                &p.service,
                &p.host_ip,
                &p.host_port,
                p.container_port,
                p.protocol,
            )
        };
        if !t.published.iter().any(same) {
            t.published.push(p);
        }
    }
    t.connections.extend(other.connections);
    t
}

/// The merged map made whole again: connections to a service another file defines reach
/// it, `network_mode: host` publishes nothing, an implicit network no service uses any more
/// goes, and every list is in the order a single file's map has.
fn resolved(mut t: Topology) -> Topology {
    for c in &mut t.connections {
        if c.to.is_none() && t.services.iter().any(|s| s.name == c.host) {
            c.to = Some(c.host.clone());
            c.elsewhere = false;
        }
    }
    let host_mode: Vec<String> = t
        .services
        .iter()
        .filter(|s| s.sharing == Sharing::Host)
        .map(|s| s.name.clone())
        .collect();
    t.published.retain(|p| !host_mode.contains(&p.service));
    let used = |name: &str, t: &Topology| {
        t.services
            .iter()
            .any(|s| matches!(&s.sharing, Sharing::Networks(n) if n.iter().any(|m| m == name)))
    };
    let unused: Vec<String> = t
        .networks
        .iter()
        .filter(|n| n.span.is_none() && !used(&n.name, &t))
        .map(|n| n.name.clone())
        .collect();
    t.networks.retain(|n| !unused.contains(&n.name));
    t.services.sort_by(|a, b| a.name.cmp(&b.name));
    t.networks.sort_by(|a, b| a.name.cmp(&b.name));
    t.published.sort_by(|a, b| {
        (a.service.as_str(), &a.file, a.span.start).cmp(&(
            b.service.as_str(),
            &b.file,
            b.span.start,
        ))
    });
    t.connections.sort_by(|a, b| {
        (a.from.as_str(), &a.file, a.span.start).cmp(&(b.from.as_str(), &b.file, b.span.start))
    });
    t
}
