use super::declare_rule;
use super::target_port_mismatch::{
    MAX_KNOWN_PORTS, also_listening, config_ports, exposes, image_listeners,
};
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Finds a service reached by name on a port its server does not listen on: the port
    /// its own `command` shows (`api:8080` where `api` runs `uvicorn app:app --port 8000`),
    /// or, for a service run from an image that portside's image table knows
    /// (`src/knowledge/images.toml`), the image's: `db:5433` where `db` runs `postgres`, which
    /// listens on 5432. Ports the service
    /// `expose`s or maps to are counted as listening, a mounted config file that sets the
    /// port decides it (`port 6380` in the `redis.conf` the command names, `net.port` in
    /// `mongod.conf`, HAProxy's `bind`, ...), a host port that the service publishes
    /// is `published-port-between-containers`'s, and a service whose `command`,
    /// `entrypoint`, mounted config file or port variable may move the port is left alone,
    /// as are images with more than three listeners.
    ///
    /// ## Why it matters
    /// Containers reach each other on the port the server listens on inside the target
    /// container. Nothing answers on another port: the connection is refused, often after the
    /// port was changed on the host side only.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///   app:
    ///     environment:
    ///       DATABASE_URL: postgres://app:secret@db:5433/app
    /// ```
    ///
    /// ## Fix
    /// Use the port the server listens on (`db:5432`; the quick fix when it listens on one
    /// port), or move the server's port with its own setting (`PGPORT`, `-p`).
    pub static SERVICE_PORT_NOT_LISTENING = {
        code: "service-port-not-listening",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A service is reached on a port its server does not listen on",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let built = super::built_or_local(p);
    for r in &p.refs {
        let Some(port) = r.host.port else { continue };
        if !r.connects() {
            continue;
        }
        let Some(t) = p.host_index(p.ref_host(r)) else {
            continue;
        };
        let target = &p.services[t];
        if t == r.service {
            continue;
        }
        // A config file that sets the port decides, over the image's default port.
        let config = config_ports(p, target);
        if config.is_none() && p.listens(t).contains(&port) {
            continue;
        }
        // A host port the target publishes: published-port-between-containers says it.
        let published = target.ports.iter().any(|entry| {
            entry.bindings().is_some_and(|b| {
                b.iter().any(|b| {
                    crate::model::ports::parse_port_range(&b.published)
                        .is_ok_and(|(lo, hi)| lo != 0 && lo <= port && port <= hi)
                })
            })
        });
        if published {
            continue;
        }
        // The config file the target's server reads (`port 6380` in a mounted redis.conf).
        if let Some((listens, server, c, span)) = config {
            if listens.contains(&port) || exposes(target, port) {
                continue;
            }
            let list: Vec<String> = listens.iter().map(u16::to_string).collect();
            let message = format!(
                "Nothing in `{}` listens on port {port}. `{}` makes {server} listen on {}. Connections to `{}:{port}` are refused",
                target.name,
                c.file_name(),
                list.join(", "),
                p.ref_host(r)
            );
            let fix = match listens[..] {
                [only] => Some(only),
                _ => None,
            };
            if let Some(f) = report(&SERVICE_PORT_NOT_LISTENING, p, r, message, fix) {
                out.push(f.with_related_in(c.file.clone(), span, "the port the server listens on"));
            }
            continue;
        }
        let configured = p
            .external
            .mounted_configs
            .iter()
            .any(|c| c.service == target.name);
        // The port the target's own command shows (`uvicorn app:app --port 8000`).
        let image = built
            .iter()
            .find(|b| b.service.name == target.name)
            .map(|b| &b.stage);
        if let Some(stage) = crate::model::compose::command::service_stage(p, target, image) {
            let Some(l) = crate::model::dockerfile::listen::listen_port(&stage) else {
                continue;
            };
            // A server's default port, when a config file it reads may move it.
            if l.port == port
                || (l.default && configured)
                || also_listening(target, &stage).contains(&port)
            {
                continue;
            }
            let how = l.how();
            let message = format!(
                "Nothing in `{}` listens on port {port}. Its command's server listens on {} ({how}). Connections to `{}:{port}` are refused",
                target.name,
                l.port,
                p.ref_host(r)
            );
            if let Some(f) = report(&SERVICE_PORT_NOT_LISTENING, p, r, message, Some(l.port)) {
                out.push(f.with_related(l.span.clone(), "the server's port"));
            }
            continue;
        }
        // The image on the Docker host that the target runs (read by the live layer, for an
        // image the table does not know): the port its command shows.
        if let Some(b) = built
            .iter()
            .find(|b| b.local.is_some() && b.service.name == target.name)
        {
            if b.overridden || super::mounts_config(p, target) {
                continue;
            }
            let Some(l) = crate::model::dockerfile::listen::listen_port(&b.stage) else {
                continue;
            };
            if l.port == port || also_listening(target, &b.stage).contains(&port) {
                continue;
            }
            let message = format!(
                "Nothing in `{}` listens on port {port}: its image's server listens on {} ({}, {}). Connections to `{}:{port}` are refused",
                target.name,
                l.port,
                l.how(),
                b.source(),
                p.ref_host(r)
            );
            out.extend(report(
                &SERVICE_PORT_NOT_LISTENING,
                p,
                r,
                message,
                Some(l.port),
            ));
            continue;
        }
        let Some(image) = ImagePorts::of(p, target) else {
            continue;
        };
        if image.listens(port) {
            continue;
        }
        let message = format!(
            "Nothing in `{}` listens on port {port}. It runs `{}`, which listens on {} (image table). Connections to `{}:{port}` are refused",
            target.name,
            image.known.name,
            image.list(),
            p.ref_host(r)
        );
        out.extend(report(
            &SERVICE_PORT_NOT_LISTENING,
            p,
            r,
            message,
            image.fix(),
        ));
    }
}

/// The TCP ports the image table says a service's image listens on, when nothing in the
/// service may have moved them and the image has a handful of listeners.
pub(super) struct ImagePorts {
    pub known: crate::knowledge::images::Known,
    tcp: Vec<&'static crate::knowledge::images::PortFact>,
}

impl ImagePorts {
    pub fn of(p: &Project, s: &crate::model::compose::Service) -> Option<ImagePorts> {
        let known = image_listeners(p, s)?;
        if known.ports.len() > MAX_KNOWN_PORTS {
            return None;
        }
        let tcp: Vec<_> = known.ports.iter().filter(|f| f.protocol == "tcp").collect();
        (!tcp.is_empty()).then_some(ImagePorts { known, tcp })
    }

    pub fn listens(&self, port: u16) -> bool {
        self.tcp.iter().any(|f| f.port == port)
    }

    /// `5432 (PostgreSQL)`, for messages.
    pub fn list(&self) -> String {
        let list: Vec<String> = self
            .tcp
            .iter()
            .map(|f| format!("{} ({})", f.port, f.what))
            .collect();
        list.join(", ")
    }

    /// The port a fix may write: the only one, unless a tag variant serves another
    /// protocol (php-fpm).
    pub fn fix(&self) -> Option<u16> {
        match self.tcp[..] {
            [only] if self.known.variant.is_none() => Some(only.port),
            _ => None,
        }
    }
}

/// A finding of `rule` at the port of reference `r`, with a fix to `to` where the port is
/// written literally.
pub(super) fn report(
    rule: &'static crate::finding::RuleMeta,
    p: &Project,
    r: &crate::model::compose::ServiceRef<'_>,
    message: String,
    to: Option<u16>,
) -> Option<Finding> {
    let val = p.ref_val(r);
    let port_range = r.host.port_range.clone()?;
    let f = Finding::new(rule, p.value_span(val, port_range.clone()), message);
    Some(match (to, p.raw_span(val, port_range)) {
        (Some(to), Some(range)) => f.with_fix(
            format!("Use port {to}"),
            vec![crate::finding::Edit {
                range,
                new_text: to.to_string(),
            }],
        ),
        _ => f,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn a_port_the_image_does_not_listen_on() {
        let text = "services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n  app:\n    image: example/app\n    environment:\n      DATABASE_URL: postgres://app:secret@db:5433/app\n      REDIS_URL: redis://cache:6379/0\n      OTHER: db:5432\n";
        assert_eq!(flagged(text, "service-port-not-listening"), ["5433"]);
        let fixed = fix_all(text, "service-port-not-listening");
        assert!(fixed.contains("@db:5432/app"), "{fixed}");
    }

    /// The port a target's own command shows counts as where it listens.
    #[test]
    fn a_port_the_command_does_not_listen_on() {
        let text = "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n  web:\n    image: example/web\n    environment:\n      API_URL: http://api:8080/v1\n      OK_URL: http://api:8000/v1\n";
        assert_eq!(flagged(text, "service-port-not-listening"), ["8080"]);
        let fixed = fix_all(text, "service-port-not-listening");
        assert!(
            fixed.contains("http://api:8000/v1\n      OK_URL"),
            "{fixed}"
        );
        // A port variable may move a default: nothing.
        let moved = "services:\n  api:\n    image: python:3.12-slim\n    environment: [PORT=8080]\n    command: flask run\n  web:\n    image: example/web\n    environment:\n      API_URL: http://api:8080/v1\n";
        assert!(flagged(moved, "service-port-not-listening").is_empty());
    }

    /// The port moved (a variable, a command), exposed, published, or an unknown image:
    /// nothing.
    #[test]
    fn ports_that_may_listen_are_left_alone() {
        for db in [
            "    image: postgres:16\n    environment: [PGPORT=5433]\n",
            "    image: postgres:16\n    command: postgres -p 5433\n",
            "    image: postgres:16\n    expose: [\"5433\"]\n",
            "    image: postgres:16\n    ports: [\"5433:5432\"]\n",
            "    image: example/db\n",
            "    image: postgres:16\n    volumes: [\"./postgresql.conf:/etc/postgresql/postgresql.conf\"]\n",
        ] {
            let text = format!(
                "services:\n  db:\n{db}  app:\n    image: example/app\n    environment:\n      DATABASE_URL: postgres://app:secret@db:5433/app\n"
            );
            assert!(
                flagged(&text, "service-port-not-listening").is_empty(),
                "{text}"
            );
        }
    }
}
