use super::declare_rule;
use super::duplicate_host_port::published_span;
use crate::finding::Finding;
use crate::model::compose::Project;
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Reports a fixed published host port on a service that runs more than one replica
    /// (`scale` or `deploy.replicas` above 1).
    ///
    /// ## Why it matters
    /// Every replica tries to bind the same host port; the second one fails with `port is
    /// already allocated`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   worker:
    ///     scale: 3
    ///     ports: ["8080:80"]
    /// ```
    ///
    /// ## Fix
    /// Publish a range at least as wide as the replica count (`"8080-8082:80"`), drop the
    /// host port (`"80"`), or put a proxy in front.
    pub static SCALED_SERVICE_FIXED_PORT = {
        code: "scaled-service-fixed-port",
        severity: Error,
        applies_to: "Compose files",
        summary: "A scaled service publishes a fixed host port",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        let Some((replicas, node)) = s.replicas.filter(|(n, _)| *n > 1) else {
            continue;
        };
        for port in &s.ports {
            let Some(b) = port.bindings().and_then(|b| b.iter().next()) else {
                continue;
            };
            if b.published.is_empty() {
                continue;
            }
            let Ok((lo, hi)) = ports::parse_port_range(&b.published) else {
                continue;
            };
            if lo == 0 || u64::from(hi - lo) + 1 >= replicas {
                continue;
            }
            out.push(
                Finding::new(
                    &SCALED_SERVICE_FIXED_PORT,
                    published_span(p, port),
                    format!(
                        "{replicas} replicas cannot all publish host port {}. The second fails with \"port is already allocated\". Publish a range of {replicas} ports or drop the host port",
                        b.published
                    ),
                )
                .with_related(p.span(node), format!("{replicas} replicas")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn replicas_and_fixed_ports() {
        let text = "services:\n  a:\n    scale: 3\n    ports: [\"8080:80\", \"9000-9002:90\", \"9100-9101:91\", \"92\"]\n  b:\n    deploy:\n      replicas: 2\n    ports:\n      - target: 80\n        published: 8081\n  c:\n    scale: 1\n    ports: [\"8082:80\"]\n";
        assert_eq!(
            flagged(text, "scaled-service-fixed-port"),
            ["8080", "9100-9101", "8081"]
        );
    }
}
