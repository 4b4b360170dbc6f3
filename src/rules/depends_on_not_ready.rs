use super::declare_rule;
use crate::compose::Project;
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Reports `depends_on` a database, cache or broker (by its image) without
    /// `condition: service_healthy`, when the service also connects to it.
    ///
    /// ## Why it matters
    /// `depends_on` waits for the container to start, not for the server in it to accept
    /// connections. The app starts first and fails with `ECONNREFUSED db:5432`, then works
    /// after a restart.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     depends_on: [db]
    ///     environment: {DATABASE_URL: "postgres://u:p@db:5432/app"}
    ///   db:
    ///     image: postgres:16
    /// ```
    ///
    /// ## Fix
    /// Give `db` a `healthcheck` (for postgres: `pg_isready`) and wait for it:
    /// `depends_on: {db: {condition: service_healthy}}`.
    pub static DEPENDS_ON_NOT_READY = {
        code: "depends-on-not-ready",
        severity: Info,
        applies_to: "Compose files",
        summary: "`depends_on` a server without waiting until it is healthy",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (i, s) in p.services.iter().enumerate() {
        for d in &s.depends_on {
            if d.condition.is_some_and(|c| c != "service_started") {
                continue;
            }
            let Some(ti) = p.service_index(d.name) else {
                continue;
            };
            let t = &p.services[ti];
            if t.image_ports().is_empty() || !p.refers_to(i, ti) {
                continue;
            }
            let check = if t.has_healthcheck {
                format!("`{}` has a healthcheck; wait for it", t.name)
            } else {
                format!("add a `healthcheck` to `{}` and wait for it", t.name)
            };
            out.push(Finding::new(
                &DEPENDS_ON_NOT_READY,
                p.span(d.node),
                format!(
                    "`depends_on` only waits for `{}` to start, not to accept connections: `{}` may get \"connection refused\" at boot. {check} with `condition: service_healthy`",
                    t.name, s.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn waits_for_start_only() {
        let text = "services:\n  app:\n    depends_on: [db, cache, worker]\n    environment:\n      DATABASE_URL: postgres://u:p@db:5432/app\n      REDIS_URL: redis://cache:6379\n  app2:\n    depends_on:\n      db:\n        condition: service_healthy\n    environment: {DATABASE_URL: \"postgres://db/x\"}\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n  worker:\n    image: app\n";
        assert_eq!(flagged(text, "depends-on-not-ready"), ["db", "cache"]);
    }
}
