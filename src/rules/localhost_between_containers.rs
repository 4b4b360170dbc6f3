use super::declare_rule;
use crate::finding::{Edit, Finding, Severity};
use crate::model::compose::CommandKind;
use crate::model::compose::refs::{Audience, host_key_prefix, is_loopback};
use crate::model::compose::{Attachment, Project};

declare_rule! {
    /// ## What it does
    /// Finds `localhost`, `127.0.0.1`, `::1` or `0.0.0.0` used in a service's environment
    /// to reach a port that another service serves (its container port or `expose`) and
    /// the service itself does not, or under a key that names another service (`DB_HOST`
    /// with a service `db`). In a config file a proxy or scraper mounts (nginx `proxy_pass`
    /// and `upstream` servers, HAProxy `server` lines, Caddy `reverse_proxy`, Traefik's
    /// load-balancer servers, httpd `ProxyPass`, Prometheus `static_configs` targets), an
    /// address on loopback at a port the server does not listen on itself is reported too
    /// (`localhost:9090` in `prometheus.yml` is Prometheus scraping itself: fine), at the
    /// mount, with the config line as related information (a warning: the file is read as
    /// written; only for the server's own image, since an image that bundles several
    /// programs, such as nginx with php-fpm, serves `127.0.0.1:9000` itself).
    ///
    /// Left alone, because there `localhost` is right: `healthcheck`, `command` and
    /// `entrypoint` (they run inside the service's own container, and often name a listen
    /// address); a port the service itself listens on; addresses handed to a browser or
    /// another machine (`NEXT_PUBLIC_*`, `VITE_*`, `*_PUBLIC_URL`, `APP_URL`, CORS origins,
    /// redirect URLs...) and listen addresses (`*_LISTEN_*`, `*_BIND_*`); services with
    /// `network_mode: host`, and services that share the network stack of the one that
    /// serves the port.
    ///
    /// An error for connection strings and host settings (`postgres://`, `redis://`,
    /// `host:port`, `DB_HOST`), which a program in the container opens. An `http(s)` URL
    /// under a key that does not say who opens it (`API_URL`) may be shipped to a browser,
    /// where `localhost` is the user's machine: that is only a note, unless it names the
    /// well-known port of a database or search server image (Elasticsearch's 9200). A
    /// healthcheck on a
    /// port the service does not listen on is not reported (portside rarely knows every
    /// port a program listens on).
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
        compose: [check, check_configs],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for r in &p.refs {
        if !is_loopback(p.ref_host(r)) {
            continue;
        }
        // A healthcheck, command or entrypoint runs in the service's own container, where
        // `localhost` is the service itself; browsers' URLs and listen addresses are right.
        if r.origin != CommandKind::Environment
            || matches!(r.audience, Audience::Client | Audience::Listen)
        {
            continue;
        }
        let s = &p.services[r.service];
        if p.attachment(s) == Attachment::Host {
            continue;
        }
        let port = r.port();
        // The service's own port: `localhost` reaches it.
        if port.is_some_and(|port| p.listens(r.service).contains(&port)) {
            continue;
        }
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
        let origin = super::origin_sentence(&p.value_origin(p.ref_val(r)), "It")
            .map(|o| format!(" {o}."))
            .unwrap_or_default();
        // An `http` URL of unknown audience is a server's when it names the well-known
        // port of a database or search server (Elasticsearch's 9200): browsers do not open
        // those.
        let certain = r.audience == Audience::Container
            || port.is_some_and(|port| target.image_ports().contains(&port));
        let message = if !certain {
            format!(
                "If `{}` opens this URL itself, `{}` is the container and {what}.{origin} Reach `{}` by its service name. If a browser opens it, `localhost` is right",
                s.name,
                p.ref_host(r),
                target.name
            )
        } else {
            format!(
                "Inside `{}`, `{}` is the container itself and {what}. The connection is refused.{origin} Reach `{}` by its service name",
                s.name,
                p.ref_host(r),
                target.name
            )
        };
        let mut f = Finding::new(&LOCALHOST_BETWEEN_CONTAINERS, range, message).with_related(
            p.span(target.key),
            format!("`{}` is defined here", target.name),
        );
        if !certain {
            f = f.with_severity(Severity::Info);
        }
        if certain
            && !p.ref_val(r).interpolated()
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

/// Config files a service mounts that connect somewhere (nginx's `proxy_pass` and
/// `upstream` servers, HAProxy's `server` lines, Caddy's `reverse_proxy`, Traefik's
/// load-balancer servers, httpd's `ProxyPass`, Prometheus's scrape targets): `localhost`
/// or `127.0.0.1` there is the server's own container. Reported at the mount with the
/// config line as related information, a warning (the file is read as written, without
/// its includes), unless the server itself listens on that port (Prometheus scraping
/// itself on 9090) or another service shares the container's network namespace.
pub fn check_configs(p: &Project, out: &mut Vec<Finding>) {
    use crate::model::appconfig::Kind;
    for c in &p.external.mounted_configs {
        if c.config.upstreams.is_empty() {
            continue;
        }
        let Some(i) = p.service_index(&c.service) else {
            continue;
        };
        if p.services[i].network_mode.is_some()
            || !super::runs_config_server(&p.services[i], c.kind)
            || c.kind.address_in_command(&c.command)
            || p.services.iter().any(|o| {
                o.mode()
                    .and_then(|m| m.strip_prefix("service:"))
                    .is_some_and(|m| m == c.service)
            })
        {
            continue;
        }
        // What the server's own container listens on: every mounted file's listeners
        // (with the server's default port), and the server's own
        // extra listeners (Caddy's admin API on 2019, Traefik's dashboard on 8080).
        let open = p
            .external
            .mounted_configs
            .iter()
            .any(|o| o.service == c.service && o.config.open);
        // With includes, the service's container ports count as the server's too.
        let mut own: Vec<u16> = if open {
            p.listens(i).to_vec()
        } else {
            Vec::new()
        };
        for other in p
            .external
            .mounted_configs
            .iter()
            .filter(|o| o.service == c.service)
        {
            own.extend(
                other
                    .config
                    .listens
                    .iter()
                    .filter_map(|l| l.port.or(other.kind.default_port())),
            );
        }
        own.extend(c.kind.default_port());
        if let Some(known) = p.image_known(&p.services[i]) {
            own.extend(known.ports.iter().map(|f| f.port));
        }
        own.extend(match c.kind {
            Kind::Caddy => &[2019, 80, 443][..],
            Kind::Traefik => &[8080, 80][..],
            _ => &[][..],
        });
        for u in &c.config.upstreams {
            if !crate::model::compose::refs::is_loopback(&u.host) || u.host == "0.0.0.0" {
                continue;
            }
            let Some(port) = u.port.or(match c.kind {
                Kind::Nginx => Some(80),
                _ => None,
            }) else {
                continue;
            };
            if own.contains(&port) {
                continue;
            }
            let name = c.file_name();
            let server = c.kind.name();
            let meant = (0..p.services.len())
                .find(|&t| t != i && p.listens(t).contains(&port))
                .map(|t| {
                    format!(
                        " (`{}` listens on {port}: `{}:{port}`)",
                        p.services[t].name, p.services[t].name
                    )
                })
                .unwrap_or_default();
            // With includes, another file may make the server listen there itself.
            let where_ = if open {
                format!("In `{}`'s container that is {server} itself", c.service)
            } else {
                format!(
                    "In `{}`'s container that is {server} itself, which does not listen on {port}",
                    c.service
                )
            };
            out.push(
                Finding::new(
                    &LOCALHOST_BETWEEN_CONTAINERS,
                    c.entry.clone(),
                    format!(
                        "`{name}` {} {h}:{port}, inside its own container. {where_}. Use the service's name{meant}",
                        c.kind.connects(),
                        h = u.host,
                    ),
                )
                .with_severity(crate::finding::Severity::Warning)
                .with_related_in(c.file.clone(), u.span.clone(), "the upstream address"),
            );
        }
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
    fn healthchecks_and_commands_run_in_their_own_container() {
        let code = "localhost-between-containers";
        // A voting app: `vote` publishes 8080:80 and checks itself on 80, while `result`
        // also listens on 80; `worker` checks a local status port and `redis` pings itself.
        let text = "services:\n  vote:\n    build: ./vote\n    ports: [\"8080:80\"]\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]\n  result:\n    build: ./result\n    ports: [\"8081:80\"]\n    healthcheck:\n      test: wget -qO- 127.0.0.1:80 || exit 1\n  worker:\n    build: ./worker\n    command: [\"worker\", \"--status\", \"localhost:9000\"]\n    entrypoint: [\"./wait.sh\", \"127.0.0.1:6379\"]\n    healthcheck:\n      test: [\"CMD-SHELL\", \"curl -f localhost:9000/health\"]\n  minio:\n    image: minio/minio\n    command: server /data --console-address 0.0.0.0:9001\n    expose: [\"9000\", \"9001\"]\n  redis:\n    image: redis:7\n    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"-h\", \"localhost\", \"ping\"]\n";
        assert!(flagged(text, code).is_empty(), "{:?}", flagged(text, code));
    }

    #[test]
    fn a_port_the_service_itself_listens_on() {
        let code = "localhost-between-containers";
        // Both `api` and `admin` listen on 8000; each names its own.
        let text = "services:\n  api:\n    build: .\n    ports: [\"8000:8000\"]\n    environment:\n      SELF_URL: http://localhost:8000\n      GRPC: localhost:8000\n  admin:\n    build: ./admin\n    expose: [\"8000\"]\n    environment:\n      SERVER_ADDR: 127.0.0.1:8000\n";
        assert!(flagged(text, code).is_empty());
    }

    #[test]
    fn browser_urls_and_listen_addresses() {
        let code = "localhost-between-containers";
        let text = "services:\n  web:\n    build: ./web\n    ports: [\"3000:3000\"]\n    environment:\n      NEXT_PUBLIC_API_URL: http://localhost:8000\n      PUBLIC_STORAGE_URL: http://localhost:9000/media\n      NEXTAUTH_URL: http://localhost:3000\n      CORS_ORIGINS: http://localhost:3000\n      METRICS_LISTEN: 127.0.0.1:8000\n  api:\n    build: ./api\n    ports: [\"8000:8000\"]\n    environment:\n      APP_URL: http://localhost:3000\n      OAUTH_REDIRECT_URI: http://localhost:3000/callback\n  storage:\n    image: minio/minio\n    ports: [\"9000:9000\"]\n";
        assert!(flagged(text, code).is_empty(), "{:?}", flagged(text, code));
    }

    #[test]
    fn an_http_url_nobody_says_who_opens_is_a_note() {
        let code = "localhost-between-containers";
        let text = "services:\n  web:\n    build: ./web\n    environment:\n      API_URL: http://localhost:8000\n  api:\n    build: ./api\n    expose: [\"8000\"]\n";
        let f = findings(text, &[], code);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(
            f[0].message.contains("If a browser opens it"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].fixes.is_empty(),
            "no fix: it would break a browser's URL"
        );
        // Elasticsearch's HTTP port is a server's, not a browser's.
        let es = "services:\n  kibana:\n    image: kibana:8.14.0\n    environment:\n      ELASTICSEARCH_HOSTS: http://localhost:9200\n  elasticsearch:\n    image: elasticsearch:8.14.0\n";
        let f = findings(es, &[], code);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
    }

    #[test]
    fn a_value_from_the_env_file_says_so() {
        let code = "localhost-between-containers";
        let text = "services:\n  db:\n    image: postgres:16\n  app:\n    environment:\n      DB_HOST: ${DB_HOST}\n      DB_PORT: ${DB_PORT:-5432}\n";
        let ctx = crate::analysis::Context {
            vars: [("DB_HOST", "localhost")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            dotenv: ["DB_HOST".to_string()].into_iter().collect(),
            dotenv_lines: [("DB_HOST".to_string(), 2)].into_iter().collect(),
            ..Default::default()
        };
        let f: Vec<_> =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect();
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains(". It is set by `DB_HOST=localhost` from `.env:2`. Reach `db`"),
            "{}",
            f[0].message
        );
        // From the environment, it says that instead.
        let env = findings(text, &[("DB_HOST", "127.0.0.1")], code);
        assert!(
            env[0]
                .message
                .contains("`DB_HOST=127.0.0.1` from the environment"),
            "{}",
            env[0].message
        );
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
