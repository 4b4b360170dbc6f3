use super::declare_rule;
use crate::compose::Project;
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Reports `expose` on a service that publishes nothing (`ports`) and that no other
    /// service refers to (by a host in its environment or command, `depends_on` or
    /// `links`): it looks like it was meant to be reached from the host.
    ///
    /// ## Why it matters
    /// `expose` (and Dockerfile `EXPOSE`) never publishes a port. `curl localhost:3000`
    /// from the host is refused. Other containers on the same network reach every port
    /// anyway, with or without `expose`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     expose: ["3000"]
    /// ```
    ///
    /// ## Fix
    /// Publish it: `ports: ["127.0.0.1:3000:3000"]`. If only other containers use it, the
    /// `expose` entry is documentation and this note can be ignored.
    pub static EXPOSE_IS_NOT_PUBLISH = {
        code: "expose-is-not-publish",
        severity: Info,
        applies_to: "Compose files",
        summary: "`expose` without `ports`: not reachable from the host",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (i, s) in p.services.iter().enumerate() {
        if s.expose.is_empty() || !s.ports.is_empty() || s.network_mode.is_some() || p.partial(s) {
            continue;
        }
        if p.is_named_by_others(i) {
            continue;
        }
        let Some(key) = p.key(s, "expose") else {
            continue;
        };
        let ports: Vec<&str> = s.expose.iter().map(|e| e.value.as_ref()).collect();
        out.push(Finding::new(
            &EXPOSE_IS_NOT_PUBLISH,
            p.span(key),
            format!(
                "`expose` does not publish: {} is reachable from other containers on the same network, not from the host. Add `ports` (e.g. \"127.0.0.1:{p0}:{p0}\") to reach it from the host",
                ports.join(", "),
                p0 = ports[0].split('/').next().unwrap_or(ports[0])
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn entry_point_with_expose_only() {
        let text = "services:\n  web:\n    expose: [\"3000\"]\n  api:\n    expose: [\"8080\"]\n  front:\n    environment:\n      API_URL: http://api:8080\n    ports: [\"80:80\"]\n  db:\n    expose: [\"5432\"]\n  app:\n    depends_on: [db]\n";
        assert_eq!(flagged(text, "expose-is-not-publish"), ["expose"]);
    }
}
