use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Notes each place where a service reaches a program on the host through
    /// `host.docker.internal` (or another name that `extra_hosts` maps to `host-gateway`)
    /// and the name resolves, so that `host-docker-internal-linux` has nothing to say.
    /// Whether the host program accepts the connection cannot be seen from the files:
    /// `portside probe` and the editor's live checks test it.
    ///
    /// ## Why it matters
    /// The name resolves to the host's address on Docker's default bridge (172.17.0.1), so
    /// connections arrive there, not on 127.0.0.1. A program on the host that listens on
    /// 127.0.0.1 only refuses them, and a host firewall (ufw's `default deny incoming`,
    /// a firewalld zone) drops them: `Connection refused` or a timeout although the name
    /// resolves.
    ///
    /// This is Docker Engine's network on Linux. On Docker Desktop (`[host] platform`, set or
    /// read from the live daemon) the name leads to Desktop's own address for the host
    /// (192.168.65.254 on current versions, not a bridge of the machine), and connections
    /// reach the machine through Desktop's process there, so the note is not given; where
    /// Docker Desktop is only assumed (portside runs on macOS or Windows), or the platform
    /// is Docker Engine, the note says it describes Docker Engine.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     extra_hosts: ["host.docker.internal:host-gateway"]
    ///     environment:
    ///       DATABASE_URL: postgres://host.docker.internal:5432/app
    /// ```
    ///
    /// ## Fix
    /// Make the host program listen on 0.0.0.0 or on the bridge address (PostgreSQL:
    /// `listen_addresses`), and allow Docker's ranges in the host firewall (`ufw allow from
    /// 172.16.0.0/12 to any port 5432`).
    pub static HOST_SERVICE_UNREACHABLE_FROM_CONTAINER = {
        code: "host-service-unreachable-from-container",
        severity: Info,
        applies_to: "Compose files",
        summary: "A program on the host must listen beyond 127.0.0.1 to be reached",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    if p.host.desktop_certain() {
        return;
    }
    // The platform known or guessed: the note says it is Docker Engine's.
    let engine = if p.host.platform.is_some() {
        "On Docker Engine (Linux) "
    } else {
        ""
    };
    for s in &p.services {
        if s.extra_hosts.is_empty() {
            continue;
        }
        // The names this service resolves to the host.
        let names: Vec<&str> = host_names(p, s);
        if names.is_empty() {
            continue;
        }
        for r in p
            .refs
            .iter()
            .filter(|r| p.services[r.service].name == s.name)
        {
            let host = p.ref_host(r);
            if !names.contains(&host) {
                continue;
            }
            let port = r.port().map(|p| format!(" (port {p})")).unwrap_or_default();
            out.push(Finding::new(
                &HOST_SERVICE_UNREACHABLE_FROM_CONTAINER,
                p.value_span(p.ref_val(r), r.host.host_range.clone()),
                format!(
                    "{engine}`{host}` is the host's address on Docker's bridge. The program on the host{port} must listen on 0.0.0.0 (or that address), not only 127.0.0.1, and the host firewall must let Docker's ranges in"
                ),
            ));
        }
    }
}

/// `extra_hosts` names mapped to `host-gateway`.
fn host_names<'p>(p: &'p Project, s: &crate::model::compose::Service) -> Vec<&'p str> {
    let mut names = Vec::new();
    let Some(entry) = p.yaml.get(s.node, "extra_hosts") else {
        return names;
    };
    let node = p.yaml.resolve(entry.value);
    if let Some(items) = p.yaml.items(node) {
        for &item in items {
            if let Some(text) = p.yaml.scalar(p.yaml.resolve(item))
                && let Some((name, target)) = text.split_once(['=', ':'])
                && target == "host-gateway"
            {
                names.push(name);
            }
        }
    } else {
        for e in p.yaml.entries(node) {
            if let (Some(name), Some("host-gateway")) =
                (p.yaml.scalar(e.key), p.yaml.scalar(p.yaml.resolve(e.value)))
            {
                names.push(name);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn host_gateway_names_in_use() {
        let text = "services:\n  app:\n    image: app\n    extra_hosts: [\"host.docker.internal:host-gateway\", \"dev=host-gateway\"]\n    environment:\n      DATABASE_URL: postgres://host.docker.internal:5432/app\n      API: http://dev:8080\n      OTHER: http://db:5432\n  no_extra_hosts:\n    image: app\n    environment:\n      URL: http://host.docker.internal:9000\n  db:\n    image: postgres\n";
        assert_eq!(
            flagged(text, "host-service-unreachable-from-container"),
            ["host.docker.internal", "dev"]
        );
    }

    /// Not given on Docker Desktop (set or from the daemon); said to be Docker Engine's
    /// where the platform is known or guessed; as before where it is unknown.
    #[test]
    fn under_each_platform() {
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  app:\n    image: app\n    extra_hosts: [\"host.docker.internal:host-gateway\"]\n    environment:\n      DATABASE_URL: postgres://host.docker.internal:5432/app\n";
        let messages: Vec<Vec<String>> = platforms()
            .into_iter()
            .map(|platform| {
                findings_on(
                    text,
                    platform,
                    "",
                    "host-service-unreachable-from-container",
                )
                .into_iter()
                .map(|f| f.message)
                .collect()
            })
            .collect();
        assert!(messages[0][0].starts_with("`host.docker.internal` is the host's address"));
        for engine in [&messages[1], &messages[4]] {
            assert!(
                engine[0].starts_with(
                    "On Docker Engine (Linux) `host.docker.internal` is the host's address"
                ),
                "{engine:?}"
            );
        }
        assert!(
            messages[2].is_empty() && messages[3].is_empty(),
            "{messages:?}"
        );
    }
}
