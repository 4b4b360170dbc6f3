use super::declare_rule;
use super::service_port_not_listening::{ImagePorts, report};
use super::target_port_mismatch::also_listening;
use crate::finding::Finding;
use crate::model::compose::{CommandKind, Project};

declare_rule! {
    /// ## What it does
    /// Finds a `healthcheck` that asks the service itself (`localhost`, `127.0.0.1` or its
    /// own name) on a port its server does not listen on: the port its own `command` shows
    /// (`uvicorn --port 8000` checked with `curl -f http://localhost:8080/health`), or, for an
    /// image portside's image table knows, the image's (`http://localhost:8080/` on `nginx`,
    /// which listens on 80). The port is read from URLs and `host:port` words of
    /// `healthcheck.test`. A mounted config file that sets the port decides it (`listen
    /// 8080;` in the `default.conf` that replaces nginx's, `port 6380` in a `redis.conf` the
    /// command names). Ports the service `expose`s or maps to are counted as listening, and a
    /// service whose command, other mounted config or port variable may move the port is
    /// left alone.
    ///
    /// ## Why it matters
    /// The check fails every time: the container is reported `unhealthy`, and every service
    /// that waits for it with `depends_on: condition: service_healthy` never starts.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: python:3.12-slim
    ///     command: uvicorn app:app --host 0.0.0.0 --port 8000
    ///     healthcheck:
    ///       test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
    /// ```
    ///
    /// ## Fix
    /// Check the port the server listens on (the quick fix writes it when there is one).
    pub static HEALTHCHECK_PORT_NOT_LISTENING = {
        code: "healthcheck-port-not-listening",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A healthcheck asks a port the service's server does not listen on",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let built = super::built(p);
    for r in p
        .refs
        .iter()
        .filter(|r| r.origin == CommandKind::Healthcheck)
    {
        let Some(port) = r.host.port else { continue };
        let s = &p.services[r.service];
        let host = p.ref_host(r);
        let own = matches!(
            host,
            "localhost" | "127.0.0.1" | "::1" | "[::1]" | "0.0.0.0"
        ) || host == s.name;
        // Another network stack (`network_mode: service:x`) answers there, not this one.
        if !own || s.network_mode.is_some() {
            continue;
        }
        // A config file that sets the port decides, over the image's default port.
        let config = super::target_port_mismatch::config_ports(p, s);
        if let Some((listens, server, c, span)) = config {
            if listens.contains(&port) || super::target_port_mismatch::exposes(s, port) {
                continue;
            }
            let list: Vec<String> = listens.iter().map(u16::to_string).collect();
            let message = format!(
                "`{}`'s healthcheck asks port {port}, but `{}` makes {server} listen on {}. The check fails every time, so `{}` stays unhealthy and services waiting for it never start",
                s.name,
                c.file_name(),
                list.join(", "),
                s.name
            );
            let fix = match listens[..] {
                [only] => Some(only),
                _ => None,
            };
            if let Some(f) = report(&HEALTHCHECK_PORT_NOT_LISTENING, p, r, message, fix) {
                out.push(f.with_related_in(c.file.clone(), span, "the port the server listens on"));
            }
            continue;
        }
        if p.listens(r.service).contains(&port) {
            continue;
        }
        let configured = p
            .external
            .mounted_configs
            .iter()
            .any(|c| c.service == s.name);
        let image = built
            .iter()
            .find(|b| b.service.name == s.name)
            .map(|b| &b.stage);
        if let Some(stage) = crate::model::compose::command::service_stage(p, s, image) {
            let Some(l) = crate::model::dockerfile::listen::listen_port(&stage) else {
                continue;
            };
            // A server's default port, when a config file it reads may move it.
            if l.port == port
                || (l.default && configured)
                || also_listening(s, &stage).contains(&port)
            {
                continue;
            }
            let message = format!(
                "`{}`'s healthcheck asks port {port}, but its server listens on {}. The check fails every time ({}), so `{}` stays unhealthy and services waiting for it never start",
                s.name,
                l.port,
                l.how(),
                s.name
            );
            if let Some(f) = report(&HEALTHCHECK_PORT_NOT_LISTENING, p, r, message, Some(l.port)) {
                out.push(f.with_related(l.span.clone(), "the server's port"));
            }
            continue;
        }
        let Some(image) = ImagePorts::of(p, s) else {
            continue;
        };
        if image.listens(port) {
            continue;
        }
        let message = format!(
            "`{}`'s healthcheck asks port {port}, but `{}` listens on {}. The check fails every time (image table), so `{}` stays unhealthy and services waiting for it never start",
            s.name,
            image.known.name,
            image.list(),
            s.name
        );
        out.extend(report(
            &HEALTHCHECK_PORT_NOT_LISTENING,
            p,
            r,
            message,
            image.fix(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn a_healthcheck_on_a_port_the_command_does_not_listen_on() {
        let text = "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]\n  ok:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n    healthcheck:\n      test: curl -f http://127.0.0.1:8000/health || exit 1\n";
        assert_eq!(flagged(text, "healthcheck-port-not-listening"), ["8080"]);
        let fixed = fix_all(text, "healthcheck-port-not-listening");
        assert!(fixed.contains("http://localhost:8000/health"), "{fixed}");
    }

    #[test]
    fn a_healthcheck_on_a_port_the_image_does_not_listen_on() {
        let url = "services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/\"]\n";
        assert_eq!(flagged(url, "healthcheck-port-not-listening"), ["8080"]);
        assert!(fix_all(url, "healthcheck-port-not-listening").contains("http://localhost:80/"));
    }

    /// Moved ports, exposed ports, another network stack, an unknown image: nothing.
    #[test]
    fn ports_that_may_listen_are_left_alone() {
        for web in [
            "    image: nginx:1.27\n    environment: [NGINX_PORT=8080]\n",
            "    image: nginx:1.27\n    expose: [\"8080\"]\n",
            "    image: nginx:1.27\n    network_mode: service:proxy\n",
            "    image: example/web\n",
            "    image: nginx:1.27\n    volumes: [\"./default.conf:/etc/nginx/conf.d/default.conf\"]\n",
        ] {
            let text = format!(
                "services:\n  proxy:\n    image: example/proxy\n  web:\n{web}    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/\"]\n"
            );
            assert!(
                flagged(&text, "healthcheck-port-not-listening").is_empty(),
                "{text}"
            );
        }
    }
}
