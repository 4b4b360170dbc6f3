use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::CommandKind;
use crate::model::compose::refs::waits_for;
use crate::model::compose::{Project, Service};

declare_rule! {
    /// ## What it does
    /// Reports `depends_on` a database, cache or broker (by its image) in the short form,
    /// without a `condition`, when the service also connects to it (a condition written
    /// out, `service_started` included, is the author's choice). A service whose
    /// `command` or `entrypoint` already waits for it (`wait-for-it.sh db:5432 -- ...`,
    /// `dockerize -wait tcp://db:5432`, `until pg_isready -h db`, an `nc -z db 5432` loop)
    /// is left alone, and so is a service that Docker restarts when it exits
    /// (`restart: always`, `unless-stopped` or `on-failure`): a refused connection at boot
    /// costs it one restart, which is what the fix would avoid.
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
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (i, s) in p.services.iter().enumerate() {
        if s.depends_on.is_empty() || restarts(p, s) {
            continue;
        }
        for d in &s.depends_on {
            // Any written condition, `service_started` included, is the author's choice.
            if d.condition.is_some() {
                continue;
            }
            let Some(ti) = p.service_index(&d.name) else {
                continue;
            };
            let t = &p.services[ti];
            if t.image_ports().is_empty() || !p.refers_to(i, ti) || waits(s, t) {
                continue;
            }
            let check = if t.has_healthcheck {
                format!("`{}` has a healthcheck; wait for it", t.name)
            } else {
                format!("Add a `healthcheck` to `{}` and wait for it", t.name)
            };
            out.push(Finding::new(
                &DEPENDS_ON_NOT_READY,
                p.span(d.node),
                format!(
                    "`depends_on` only waits for `{}` to start, not to accept connections. `{}` may get \"connection refused\" at boot. {check} with `condition: service_healthy`",
                    t.name, s.name
                ),
            ));
        }
    }
}

/// Whether Docker restarts `s` when it exits with an error.
fn restarts(p: &Project<'_>, s: &Service<'_>) -> bool {
    p.yaml
        .get(s.node, "restart")
        .and_then(|e| p.yaml.scalar(p.yaml.resolve(e.value)))
        .is_some_and(|v| {
            let v = v.trim_matches(['"', '\'']);
            v == "always" || v == "unless-stopped" || v.starts_with("on-failure")
        })
}

/// Whether `s`'s `command` or `entrypoint` waits for one of `t`'s names.
fn waits(s: &Service<'_>, t: &Service<'_>) -> bool {
    let command: Vec<&str> = s
        .commands
        .iter()
        .zip(&s.command_kinds)
        .filter(|(_, k)| matches!(k, CommandKind::Command | CommandKind::Entrypoint))
        .map(|(v, _)| v.value.as_ref())
        .collect();
    if command.is_empty() {
        return false;
    }
    let command = command.join(" ");
    std::iter::once(t.name)
        .chain(t.other_names().map(|n| n.value.as_ref()))
        .any(|name| waits_for(&command, name))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn waits_for_start_only() {
        let text = "services:\n  app:\n    depends_on: [db, cache, worker]\n    environment:\n      DATABASE_URL: postgres://u:p@db:5432/app\n      REDIS_URL: redis://cache:6379\n  app2:\n    depends_on:\n      db:\n        condition: service_healthy\n    environment: {DATABASE_URL: \"postgres://db/x\"}\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n  worker:\n    image: app\n";
        assert_eq!(flagged(text, "depends-on-not-ready"), ["db", "cache"]);
        // A condition written out is a choice, `service_started` too.
        let chosen = text.replace("depends_on: [db, cache, worker]", "depends_on:\n      db: {condition: service_started}\n      cache: {condition: service_started}");
        assert!(
            flagged(&chosen, "depends-on-not-ready").is_empty(),
            "{chosen}"
        );
    }

    #[test]
    fn commands_that_wait_for_their_dependency() {
        let code = "depends-on-not-ready";
        let base = "services:\n  db:\n    image: postgres:16\n  app:\n    build: .\n    depends_on: [db]\n    environment:\n      DATABASE_URL: postgres://u:p@db:5432/app\n";
        for command in [
            "command: [\"./wait-for-it.sh\", \"db:5432\", \"--\", \"npm\", \"start\"]",
            "command: dockerize -wait tcp://db:5432 -timeout 60s gunicorn app:app",
            "entrypoint: [\"sh\", \"-c\", \"until pg_isready -h db -U u; do sleep 1; done; exec ./run\"]",
            "command: sh -c 'while ! nc -z db 5432; do sleep 1; done; python manage.py runserver 0.0.0.0:8000'",
            "command: [\"/wait-for\", \"db:5432\", \"--\", \"node\", \"server.js\"]",
        ] {
            let text = format!("{base}    {command}\n");
            assert!(flagged(&text, code).is_empty(), "{command}");
        }
        // Waiting for something else, or a command that does not wait, still counts.
        let other = format!(
            "{base}    command: [\"./wait-for-it.sh\", \"cache:6379\", \"--\", \"npm\", \"start\"]\n"
        );
        assert_eq!(flagged(&other, code), ["db"]);
        let plain = format!("{base}    command: npm start\n");
        assert_eq!(flagged(&plain, code), ["db"]);
        // Restarted until the database answers.
        for policy in ["always", "unless-stopped", "on-failure", "\"on-failure:5\""] {
            let text = format!("{base}    restart: {policy}\n");
            assert!(flagged(&text, code).is_empty(), "{policy}");
        }
        let text = format!("{base}    restart: \"no\"\n");
        assert_eq!(flagged(&text, code), ["db"]);
    }
}
