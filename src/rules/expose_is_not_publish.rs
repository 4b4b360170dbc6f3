use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::CommandKind;
use crate::model::compose::Project;
use crate::model::compose::refs::{Audience, is_loopback};
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Reports `expose` on a service whose exposed port something expects to reach from
    /// the host, while no service publishes that port: a URL handed to a browser or an
    /// unspecified `http(s)` URL (`NEXT_PUBLIC_API_URL: http://localhost:8000`,
    /// `PUBLIC_STORAGE_URL`, `APP_URL`, ...) names `localhost:<port>` for a port that only
    /// this service exposes.
    ///
    /// A note when the URL's audience is unspecified (`API_URL` may be a server's); a
    /// warning when it is handed to a browser (`NEXT_PUBLIC_*`, `*_PUBLIC_URL`, ...), which
    /// will be refused. Without such evidence it says nothing: most `expose` entries are documentation of
    /// a port that other containers or a reverse proxy (Traefik or Caddy labels,
    /// `VIRTUAL_HOST`, an nginx service) reach over the project's network, which works.
    ///
    /// ## Why it matters
    /// `expose` (and Dockerfile `EXPOSE`) never publishes a port: `localhost:8000` from the
    /// host, or from a browser on it, is refused. Other containers on the same network
    /// reach every port anyway, with or without `expose`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["3000:3000"]
    ///     environment:
    ///       NEXT_PUBLIC_API_URL: http://localhost:8000
    ///   api:
    ///     expose: ["8000"]
    /// ```
    ///
    /// ## Fix
    /// Publish it: `ports: ["127.0.0.1:8000:8000"]`, or route it through the proxy that is
    /// published.
    pub static EXPOSE_IS_NOT_PUBLISH = {
        code: "expose-is-not-publish",
        severity: Info,
        applies_to: "Compose files",
        summary: "A port reached from the host that is only `expose`d",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    // Host ports that some service publishes.
    let published = |port: u16| {
        p.services.iter().any(|s| {
            s.ports
                .iter()
                .filter_map(|e| e.bindings())
                .flatten()
                .any(|b| {
                    ports::parse_port_range(&b.published)
                        .is_ok_and(|(lo, hi)| lo != 0 && lo <= port && port <= hi)
                })
        })
    };
    // Values meant for a browser (or that may be) opening `localhost` on a port: found once,
    // not per service (a project has few, and thousands of services may expose ports).
    let candidates: Vec<_> = p
        .refs
        .iter()
        .filter(|r| {
            r.origin == CommandKind::Environment
                && matches!(r.audience, Audience::Client | Audience::Unknown)
                && is_loopback(p.ref_host(r))
                && r.port().is_some()
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    for (i, s) in p.services.iter().enumerate() {
        if s.expose.is_empty() || s.network_mode.is_some() || p.partial(s) {
            continue;
        }
        let Some(key) = p.key(s, "expose") else {
            continue;
        };
        let exposed: Vec<u16> = s
            .expose
            .iter()
            .filter_map(|e| ports::parse_expose(&e.value).ok())
            .flatten()
            .map(|e| e.port)
            .collect();
        // Evidence: a value meant for a browser (or one that may be) opens `localhost` on
        // a port that only this service exposes.
        let evidence = candidates.iter().copied().find(|r| {
            r.service != i
                && r.port().is_some_and(|port| {
                    exposed.contains(&port)
                        && !published(port)
                        && !p.listens(r.service).contains(&port)
                        && !(0..p.services.len()).any(|j| j != i && p.listens(j).contains(&port))
                })
        });
        let Some(r) = evidence else { continue };
        let port = r.port().unwrap_or_default();
        let from = &p.services[r.service];
        let val = p.ref_val(r);
        let mut f = Finding::new(
                &EXPOSE_IS_NOT_PUBLISH,
                p.span(key),
                format!(
                    "From the host, `{host}:{port}` is refused: `{}` only exposes {port}. {} (`{}` of `{}`), and `expose` does not publish. Add `ports` (e.g. \"127.0.0.1:{port}:{port}\")",
                    s.name,
                    if r.audience == Audience::Client {
                        "A browser on the host is sent there"
                    } else {
                        "If a browser opens it, it is sent there"
                    },
                    r.key,
                    from.name,
                    host = p.ref_host(r),
                ),
            )
            .with_related(
                p.value_span(val, r.host.host_range.clone()),
                format!("`{}` is opened here", r.key),
            );
        if r.audience == Audience::Client {
            f = f.with_severity(Severity::Warning);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    const CODE: &str = "expose-is-not-publish";

    #[test]
    fn a_browser_url_on_a_port_that_is_only_exposed() {
        let text = "services:\n  web:\n    image: node:20\n    ports: [\"3000:3000\"]\n    environment:\n      NEXT_PUBLIC_API_URL: http://localhost:8000\n  api:\n    build: ./api\n    expose: [\"8000\"]\n";
        assert_eq!(flagged(text, CODE), ["expose"]);
        let f = crate::rules::test_support::findings(text, &[], CODE);
        assert_eq!(f[0].severity, crate::finding::Severity::Warning);
        // An `API_URL` may be the server's: a note.
        let unknown = text.replace("NEXT_PUBLIC_API_URL", "API_URL");
        let f = crate::rules::test_support::findings(&unknown, &[], CODE);
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        // Published by the same or another service: fine.
        let published = text.replace(
            "ports: [\"3000:3000\"]",
            "ports: [\"3000:3000\", \"8000:8000\"]",
        );
        assert!(flagged(&published, CODE).is_empty());
    }

    #[test]
    fn no_evidence_no_note() {
        // Exposed ports that containers and a proxy reach, an exposed-only service alone,
        // and a Traefik-routed service: nothing says the host opens them.
        let text = "services:\n  proxy:\n    image: traefik:v3\n    ports: [\"80:80\"]\n  app:\n    image: ghcr.io/example/app\n    expose: [\"8080\"]\n    labels:\n      traefik.http.routers.app.rule: Host(`app.example.com`)\n  worker:\n    expose: [\"9000\"]\n  db:\n    image: postgres:16\n    expose: [\"5432\"]\n  api:\n    depends_on: [db]\n    environment:\n      DATABASE_URL: postgres://u:p@db:5432/x\n";
        assert!(flagged(text, CODE).is_empty());
    }
}
