use super::declare_rule;
use crate::compose::refs::{host_key_prefix, is_loopback};
use crate::compose::{Attachment, Project};
use crate::finding::{Edit, Finding};

declare_rule! {
    /// ## What it does
    /// Finds `localhost`, `127.0.0.1`, `::1` or `0.0.0.0` used in a service's environment
    /// or command to reach a port that another service serves (its container port or
    /// `expose`), or under a key that names another service (`DB_HOST` with a service
    /// `db`). Services with `network_mode: host`, and services that share the network stack
    /// of the service that serves the port, are exempt: there `localhost` is right.
    ///
    /// ## Why it matters
    /// Inside a container, `localhost` is that container. The connection is refused:
    /// `ECONNREFUSED 127.0.0.1:5432`, `could not connect to server ... "localhost"`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     environment:
    ///       DATABASE_URL: postgres://app:secret@localhost:5432/app
    ///   db:
    ///     image: postgres:16
    ///     expose: ["5432"]
    /// ```
    ///
    /// ## Fix
    /// Use the service name: `postgres://app:secret@db:5432/app` (the quick fix). To reach
    /// a program on the host instead, use `host.docker.internal`.
    pub static LOCALHOST_BETWEEN_CONTAINERS = {
        code: "localhost-between-containers",
        severity: Error,
        applies_to: "Compose files",
        summary: "`localhost` used to reach another service",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for r in &p.refs {
        if !is_loopback(p.ref_host(r)) {
            continue;
        }
        let s = &p.services[r.service];
        if p.attachment(s) == Attachment::Host {
            continue;
        }
        let port = r.port();
        // With `network_mode: service:X`, localhost is X.
        if let Some(mode) = s.mode() {
            if mode.starts_with("container:") {
                continue;
            }
            if let Some(owner) = mode.strip_prefix("service:").and_then(|o| p.service(o))
                && let Some(owner) = p.service_index(owner.name)
                && port.is_some_and(|port| p.listens(owner).contains(&port))
            {
                continue;
            }
        }
        let by_port = port.and_then(|port| {
            (0..p.services.len())
                .find(|&i| i != r.service && p.listens(i).contains(&port))
                .map(|i| &p.services[i])
        });
        let by_key = host_key_prefix(r.key)
            .and_then(|(prefix, _)| p.service_for_host(&prefix).filter(|t| t.name != s.name));
        let Some(target) = by_port.or(by_key) else {
            continue;
        };
        if s.mode().and_then(|m| m.strip_prefix("service:")) == Some(target.name) {
            continue;
        }
        let range = p.value_span(p.ref_val(r), r.host.host_range.clone());
        let what = match port {
            Some(port) => format!("nothing in `{}` listens on {port}", s.name),
            None => format!("`{}` is not `{}`", s.name, target.name),
        };
        let mut f = Finding::new(
            &LOCALHOST_BETWEEN_CONTAINERS,
            range,
            format!(
                "Inside `{}`, `{}` is the container itself and {what}: the connection is refused. Reach `{}` by its service name",
                s.name, p.ref_host(r), target.name
            ),
        )
        .with_related(p.span(target.key), format!("`{}` is defined here", target.name));
        if !p.ref_val(r).interpolated()
            && let Some(range) = p.raw_span(p.ref_val(r), r.host.host_range.clone())
        {
            f = f.with_fix(
                format!("Replace `{}` with `{}`", p.ref_host(r), target.name),
                vec![Edit {
                    range,
                    new_text: target.name.to_string(),
                }],
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, fix_all, flagged};

    // networking-pitfalls.md Appendix C, connection-string detector.
    const PROJECT: &str = "services:\n  db:\n    image: postgres:16\n    ports: [\"5433:5432\"]\n  cache:\n    image: redis:7\n  app:\n    environment:\n";

    fn app(env: &str) -> String {
        format!("{PROJECT}      {env}\n")
    }

    #[test]
    fn catalog_vectors() {
        let code = "localhost-between-containers";
        assert_eq!(
            flagged(
                &app("DATABASE_URL: postgres://u:p@localhost:5432/app"),
                code
            ),
            ["localhost"]
        );
        assert!(flagged(&app("DATABASE_URL: postgres://u:p@db:5432/app"), code).is_empty());
        let pair = format!("{PROJECT}      REDIS_HOST: 127.0.0.1\n      REDIS_PORT: \"6379\"\n");
        assert_eq!(flagged(&pair, code), ["127.0.0.1"]);
        assert!(
            findings(&pair, &[], code)[0]
                .message
                .contains("Reach `cache`")
        );
        assert_eq!(
            flagged(&app("REDIS_URL: redis://[::1]:6379/0"), code),
            ["[::1]"]
        );
        // By key: DB_HOST names the service `db`.
        assert_eq!(flagged(&app("DB_HOST: localhost"), code), ["localhost"]);
        // Ports nobody serves, and plain bind settings, are left alone.
        assert!(flagged(&app("API_URL: http://localhost:9999"), code).is_empty());
        assert!(flagged(&app("HOST: 0.0.0.0"), code).is_empty());
    }

    #[test]
    fn shared_namespaces_and_host_mode_are_exempt() {
        let code = "localhost-between-containers";
        let text = "services:\n  db:\n    image: postgres\n  side:\n    network_mode: service:db\n    environment: [\"DB_HOST=localhost\", \"PG=postgres://localhost:5432/x\"]\n  sys:\n    network_mode: host\n    environment: [\"PG=postgres://localhost:5432/x\"]\n";
        assert!(flagged(text, code).is_empty());
    }

    #[test]
    fn fix_uses_the_service_name() {
        let fixed = fix_all(
            &app("DATABASE_URL: postgres://u:p@localhost:5432/app"),
            "localhost-between-containers",
        );
        assert!(fixed.contains("postgres://u:p@db:5432/app"), "{fixed}");
        let fixed = fix_all(
            &format!("{PROJECT}      - REDIS_URL=redis://127.0.0.1:6379\n")
                .replace("environment:\n", "environment:\n"),
            "localhost-between-containers",
        );
        assert!(fixed.contains("REDIS_URL=redis://cache:6379"), "{fixed}");
    }
}
