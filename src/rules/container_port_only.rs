use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::PortSpec;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a `ports` entry with a container port only (`- "8080"`, or the long syntax
    /// without `published`).
    ///
    /// ## Why it matters
    /// Docker publishes it on a random free host port on every interface, not on 8080:
    /// `localhost:8080` is refused and `docker ps` shows `0.0.0.0:32768->8080/tcp`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080"]
    /// ```
    ///
    /// ## Fix
    /// Name the host port: `"127.0.0.1:8080:8080"` (the quick fix) for this machine only,
    /// or `"8080:8080"` for the network. The quick fix is not offered for a scaled service
    /// (its replicas would collide on a fixed port) or when another entry of the project
    /// already publishes that host port. `docker compose port web 8080` shows a random one.
    pub static CONTAINER_PORT_ONLY = {
        code: "container-port-only",
        severity: Info,
        applies_to: "Compose files",
        summary: "A port published on a random host port",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    // The host ports some entry of the project publishes (the first of a range), gathered
    // once when the first finding needs them.
    let published = std::cell::OnceCell::new();
    let published = || {
        published.get_or_init(|| {
            p.services
                .iter()
                .flat_map(|o| &o.ports)
                .filter_map(|o| o.bindings())
                .flatten()
                .filter_map(|b| b.published.split('-').next()?.parse::<u16>().ok())
                .collect::<rustc_hash::FxHashSet<u16>>()
        })
    };
    for s in &p.services {
        if s.mode() == Some("host") {
            continue;
        }
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            if bindings.iter().any(|b| !b.published.is_empty()) {
                continue;
            }
            // `"${PORT}:80"` with PORT unset: port-var-unset says it better.
            if let PortSpec::Short(v) = &port.spec
                && !v.unset().is_empty()
            {
                continue;
            }
            let first = &bindings[0];
            let mut f = Finding::new(
                &CONTAINER_PORT_ONLY,
                p.port_span(port),
                match first.host_ip.as_str() {
                    "" | "0.0.0.0" | "::" => format!(
                        "Container port {}/{} is published on a random host port, on every interface, not on {}. Name the host port, e.g. \"127.0.0.1:{}:{}\"",
                        first.target, first.protocol, first.target, first.target, first.target
                    ),
                    ip => {
                        let host = if ip.contains(':') {
                            format!("[{ip}]")
                        } else {
                            ip.to_string()
                        };
                        format!(
                            "Container port {}/{} is published on a random port of {host}, not on {}. Name the host port, e.g. \"{host}:{}:{}\"",
                            first.target, first.protocol, first.target, first.target, first.target
                        )
                    }
                },
            );
            // A fixed host port must not break what the random one allowed: not for a
            // scaled service (replicas would collide), nor where another entry of the
            // project already publishes that host port.
            let fixable =
                s.replicas.is_none_or(|(n, _)| n <= 1) && !published().contains(&first.target);
            if let PortSpec::Short(v) = &port.spec
                && fixable
                && !v.interpolated()
                && first.host_ip.is_empty()
            {
                let (ports, proto) = v.value.split_once('/').unwrap_or((&v.value, ""));
                let suffix = if proto.is_empty() {
                    String::new()
                } else {
                    format!("/{proto}")
                };
                f = f.with_fix(
                    format!("Publish on 127.0.0.1:{ports}"),
                    vec![Edit {
                        range: p.span(port.item),
                        new_text: format!("\"127.0.0.1:{ports}:{ports}{suffix}\""),
                    }],
                );
            }
            if let PortSpec::Long(_) = &port.spec
                && fixable
                && let Some(indent) = p.key_indent(port.item)
                && let Some(first) = p.yaml.entries(port.item).first()
            {
                let at = p.span(first.key).start;
                f = f.with_fix(
                    format!("Publish on 127.0.0.1:{}", first_target(bindings)),
                    vec![Edit {
                        range: at..at,
                        new_text: format!(
                            "host_ip: 127.0.0.1\n{indent}published: \"{}\"\n{indent}",
                            first_target(bindings)
                        ),
                    }],
                );
            }
            out.push(f);
        }
    }
}

fn first_target(bindings: &[crate::model::ports::Binding]) -> u16 {
    bindings[0].target
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn container_port_only() {
        let text = "services:\n  a:\n    ports:\n      - 8080\n      - \"53/udp\"\n      - \"8000-8001\"\n      - \"9090:9090\"\n      - target: 80\n";
        assert_eq!(
            flagged(text, "container-port-only"),
            ["8080", "\"53/udp\"", "\"8000-8001\"", "target"]
        );
        let fixed = fix_all(text, "container-port-only");
        assert!(fixed.contains("- \"127.0.0.1:8080:8080\"\n"), "{fixed}");
        assert!(fixed.contains("- \"127.0.0.1:53:53/udp\"\n"), "{fixed}");
        assert!(
            fixed.contains("- \"127.0.0.1:8000-8001:8000-8001\"\n"),
            "{fixed}"
        );
    }

    /// No fix where a fixed host port would break what works: scaled replicas, or a host
    /// port another entry already publishes.
    #[test]
    fn no_fix_that_could_collide() {
        let text = "services:\n  worker:\n    image: x\n    deploy: {replicas: 3}\n    ports: [\"8080\"]\n  api:\n    image: y\n    ports: [\"9000\"]\n  admin:\n    image: z\n    ports: [\"9000:80\"]\n";
        let f = crate::rules::test_support::findings(text, &[], "container-port-only");
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(|f| f.fixes.is_empty()), "{f:?}");
    }

    #[test]
    fn a_loopback_ephemeral_port_is_not_called_every_interface() {
        let text = "services:\n  a:\n    ports: [\"127.0.0.1::80\"]\n";
        let f = crate::rules::test_support::findings(text, &[], "container-port-only");
        let f = &f[0];
        assert!(
            f.message.contains("a random port of 127.0.0.1"),
            "{}",
            f.message
        );
        assert!(!f.message.contains("every interface"), "{}", f.message);
    }
}
