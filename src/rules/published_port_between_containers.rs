use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Finds a service reached by name with its published (host) port instead of its
    /// container port: `db:5433` where `db` publishes `5433:5432`. Besides the Compose
    /// file's own values, the config files a proxy or scraper mounts are read (nginx
    /// `proxy_pass`/`upstream`, HAProxy `server`, Caddy `reverse_proxy`, Traefik's
    /// load-balancer servers, httpd `ProxyPass`, Prometheus targets): those findings are
    /// warnings at the mount, with the config line as related information.
    ///
    /// ## Why it matters
    /// Containers talk to each other directly, on the container port. Nothing listens on
    /// the host port inside the container: the connection is refused, while the same
    /// address works from the host as `localhost:5433`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     ports: ["5433:5432"]
    ///   app:
    ///     environment:
    ///       DATABASE_URL: postgres://u:p@db:5433/app
    /// ```
    ///
    /// ## Fix
    /// Use the container port: `db:5432` (the quick fix).
    pub static PUBLISHED_PORT_BETWEEN_CONTAINERS = {
        code: "published-port-between-containers",
        severity: Error,
        applies_to: "Compose files",
        summary: "A service reached on its host port instead of its container port",
        compose: [check, check_configs],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for r in &p.refs {
        let Some(port) = r.host.port else { continue };
        if !r.connects() {
            continue;
        }
        let Some(target) = p.service_for_host(p.ref_host(r)) else {
            continue;
        };
        let Some(t) = p.service_index(target.name) else {
            continue;
        };
        if p.listens(t).contains(&port) {
            continue;
        }
        let container = published_as(target, port);
        let Some((container_port, entry)) = container else {
            continue;
        };
        let Some(port_range) = r.host.port_range.clone() else {
            continue;
        };
        let mut f = Finding::new(
            &PUBLISHED_PORT_BETWEEN_CONTAINERS,
            p.value_span(p.ref_val(r), port_range.clone()),
            format!(
                "{port} is the host port of `{}`; containers reach it directly, on its container port {container_port}.{} `{}:{port}` is refused; use `{}:{container_port}`",
                target.name,
                super::origin_sentence(&p.value_origin(p.ref_val(r)), "The port")
                    .map(|o| format!(" {o}."))
                    .unwrap_or_default(),
                p.ref_host(r),
                p.ref_host(r)
            ),
        )
        .with_related(p.port_span(entry), format!("`{}` publishes {port} → {container_port} here", target.name));
        if !p.ref_val(r).interpolated()
            && let Some(range) = p.raw_span(p.ref_val(r), port_range)
        {
            f = f.with_fix(
                format!("Use the container port {container_port}"),
                vec![Edit {
                    range,
                    new_text: container_port.to_string(),
                }],
            );
        }
        out.push(f);
    }
}

/// Config files a service mounts that connect to another service on its host port
/// (`proxy_pass http://api:8081` where `api` publishes `8081:3000`).
pub fn check_configs(p: &Project, out: &mut Vec<Finding>) {
    for c in &p.external.mounted_configs {
        let Some(i) = p.service_index(&c.service) else {
            continue;
        };
        if p.services[i].network_mode.is_some()
            || !super::runs_config_server(&p.services[i], c.kind)
        {
            continue;
        }
        for u in &c.config.upstreams {
            let Some(port) = u.port else { continue };
            let Some(target) = p.service_for_host(&u.host) else {
                continue;
            };
            let Some(t) = p.service_index(target.name) else {
                continue;
            };
            if t == i || p.listens(t).contains(&port) {
                continue;
            }
            if super::target_port_mismatch::config_ports(p, target)
                .is_some_and(|(listens, ..)| listens.contains(&port))
            {
                continue;
            }
            let container = published_as(target, port);
            let Some((container_port, entry)) = container else {
                continue;
            };
            out.push(
                Finding::new(
                    &PUBLISHED_PORT_BETWEEN_CONTAINERS,
                    c.entry.clone(),
                    format!(
                        "`{}` {} {}:{port}, the host port of `{}`. Containers reach it directly, on its container port {container_port}: use `{}:{container_port}`",
                        c.file_name(),
                        c.kind.connects(),
                        u.host,
                        target.name,
                        u.host,
                    ),
                )
                .with_severity(crate::finding::Severity::Warning)
                .with_related_in(c.file.clone(), u.span.clone(), "the upstream address")
                .with_related(
                    p.port_span(entry),
                    format!("`{}` publishes {port} → {container_port} here", target.name),
                ),
            );
        }
    }
}

/// The container port that `target` publishes on host `port`, and its `ports` entry.
fn published_as<'s, 't>(
    target: &'s crate::model::compose::Service<'t>,
    port: u16,
) -> Option<(u16, &'s crate::model::compose::Port<'t>)> {
    target.ports.iter().find_map(|entry| {
        entry.bindings()?.iter().find_map(|b| {
            let (lo, hi) = ports::parse_port_range(&b.published).ok()?;
            (lo != 0 && lo <= port && port <= hi).then_some((b.target, entry))
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, fix_all, flagged};

    const TEXT: &str = "services:\n  db:\n    image: postgres:16\n    ports: [\"5433:5432\"]\n  app:\n    environment:\n      DATABASE_URL: postgres://u:p@db:5433/app\n      OK_URL: postgres://u:p@db:5432/app\n      METRICS: \"db:9999\"\n";

    #[test]
    fn a_port_from_the_environment_says_so() {
        let text = "services:\n  db:\n    image: postgres:16\n    ports: [\"5433:5432\"]\n  app:\n    environment:\n      DATABASE_URL: postgres://u:p@db:${DB_PORT}/app\n";
        let f = findings(
            text,
            &[("DB_PORT", "5433")],
            "published-port-between-containers",
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message
                .contains("container port 5432. The port is set by `DB_PORT=5433` from the environment. `db:5433` is refused"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn host_port_between_containers() {
        assert_eq!(flagged(TEXT, "published-port-between-containers"), ["5433"]);
        let fixed = fix_all(TEXT, "published-port-between-containers");
        assert!(
            fixed.contains("postgres://u:p@db:5432/app\n      OK_URL"),
            "{fixed}"
        );
    }
}
