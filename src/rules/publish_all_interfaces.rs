use super::declare_rule;
use crate::compose::model::PortSpec;
use crate::compose::{Attachment, Project, Service};
use crate::finding::{Edit, Finding, Severity};
use crate::ports;

declare_rule! {
    /// ## What it does
    /// Reports a published port without a host address (or with `0.0.0.0` or `::`), unless
    /// the service's networks set `com.docker.network.bridge.host_binding_ipv4`. It is
    /// critical (an error) for databases, caches, message brokers and admin ports.
    ///
    /// ## Why it matters
    /// Docker publishes such a port on every interface of the host, so every machine that
    /// can reach the host can reach the service. Published ports are routed before the
    /// host firewall sees them: `ufw deny 5432` does not protect a published 5432.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:16
    ///     ports: ["5432:5432"]
    /// ```
    ///
    /// ## Fix
    /// Bind to the loopback address, `"127.0.0.1:5432:5432"` (the quick fix), when only this
    /// machine needs it; or publish nothing and let other containers use the network.
    pub static PUBLISH_ALL_INTERFACES = {
        code: "publish-all-interfaces",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A port published on every interface, past the host firewall",
    };
}

/// Ports whose exposure is a security problem (databases, caches, brokers, admin APIs).
const SENSITIVE_PORTS: &[u16] = &[
    5432, 3306, 27017, 6379, 9200, 9300, 5672, 15672, 11211, 2379, 8086, 9000, 2375, 2376, 5984,
    9042, 1433, 1521, 8529, 7474, 6443,
];

const DATASTORE_IMAGES: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "memcached",
    "elasticsearch",
    "opensearch",
    "rabbitmq",
    "etcd",
    "influxdb",
    "minio",
    "cassandra",
    "couchdb",
    "neo4j",
    "mssql-server",
    "keydb",
    "clickhouse-server",
];

fn unspecified(ip: &str) -> bool {
    ip.is_empty() || ip == "0.0.0.0" || ip == "::"
}

/// Whether a network option restricts the default host address of this service's ports.
fn restricted_by_network(p: &Project, s: &Service) -> bool {
    let Attachment::Networks(nets) = p.attachment(s) else {
        return false;
    };
    nets.iter().any(|n| {
        p.network(n)
            .and_then(|n| n.host_binding_ipv4.as_deref())
            .is_some_and(|ip| !unspecified(ip))
    })
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.network_mode.is_some() || restricted_by_network(p, s) {
            continue;
        }
        let datastore = s
            .image_name()
            .is_some_and(|i| DATASTORE_IMAGES.contains(&i));
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            let Some(b) = bindings.first() else { continue };
            if !unspecified(&b.host_ip) || b.published.is_empty() {
                continue;
            }
            let critical =
                datastore || bindings.iter().any(|b| SENSITIVE_PORTS.contains(&b.target));
            let who = if b.host_ip == "::" {
                "every IPv6 interface"
            } else {
                "every interface"
            };
            let (severity, message) = if critical {
                (
                    Severity::Error,
                    format!(
                        "Critical: container port {} of `{}` is published on {who} of the host, and the host firewall does not apply to published ports. Anyone who can reach this machine can reach it. Bind it to 127.0.0.1",
                        b.target, s.name
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "Host port {} is published on {who}, past the host firewall (ufw and firewalld do not filter published ports). Bind it to 127.0.0.1 if only this machine needs it",
                        b.published
                    ),
                )
            };
            let mut f = Finding::new(&PUBLISH_ALL_INTERFACES, p.port_span(port), message)
                .with_severity(severity);
            if let Some(edit) = loopback_edit(p, port) {
                f = f.with_fix("Publish on 127.0.0.1 only", vec![edit]);
            }
            out.push(f);
        }
    }
}

/// Puts `127.0.0.1` where the host address goes.
fn loopback_edit(p: &Project, port: &crate::compose::model::Port) -> Option<Edit> {
    match &port.spec {
        PortSpec::Short(v) if !v.interpolated() => {
            let parts = ports::spec_parts(&v.value);
            if parts.ip.is_empty() {
                let at = p.raw_span(v, 0..0)?;
                // A plain number must become a string.
                if p.yaml.node(v.node).span.start == at.start
                    && v.value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Some(Edit {
                        range: p.span(v.node),
                        new_text: format!("\"127.0.0.1:{}\"", v.value),
                    });
                }
                Some(Edit {
                    range: at,
                    new_text: "127.0.0.1:".to_string(),
                })
            } else {
                Some(Edit {
                    range: p.raw_span(v, parts.ip)?,
                    new_text: "127.0.0.1".to_string(),
                })
            }
        }
        PortSpec::Long(long) => match &long.host_ip {
            Some(ip) if !ip.interpolated() => Some(Edit {
                range: p.raw_span(ip, 0..ip.value.len())?,
                new_text: "127.0.0.1".to_string(),
            }),
            Some(_) => None,
            None => {
                let indent = p.key_indent(port.item)?;
                let first_key = p.yaml.entries(port.item).first()?.key;
                let start = p.span(first_key).start;
                Some(Edit {
                    range: start..start,
                    new_text: format!("host_ip: 127.0.0.1\n{indent}"),
                })
            }
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, fix_all, flagged};

    #[test]
    fn published_everywhere() {
        let text = "services:\n  web:\n    ports: [\"8080:80\", \"127.0.0.1:8443:443\", \"0.0.0.0:8081:81\", \"9000\"]\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n  api:\n    ports:\n      - target: 3000\n        published: 3000\n";
        assert_eq!(
            flagged(text, "publish-all-interfaces"),
            [
                "\"8080:80\"",
                "\"0.0.0.0:8081:81\"",
                "\"5432:5432\"",
                "target"
            ]
        );
        let f = findings(text, &[], "publish-all-interfaces");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[2].severity, Severity::Error);
        assert!(f[2].message.starts_with("Critical"));
    }

    #[test]
    fn fixes_bind_to_loopback() {
        let text = "services:\n  web:\n    ports: [\"8080:80\", \"0.0.0.0:8081:81\", 8082:82]\n  api:\n    ports:\n      - target: 3000\n        published: 3000\n";
        let fixed = fix_all(text, "publish-all-interfaces");
        assert!(
            fixed.contains("[\"127.0.0.1:8080:80\", \"127.0.0.1:8081:81\", 127.0.0.1:8082:82]"),
            "{fixed}"
        );
        assert!(
            fixed.contains("      - host_ip: 127.0.0.1\n        target: 3000\n"),
            "{fixed}"
        );
    }

    #[test]
    fn a_network_option_restricts_it() {
        let text = "services:\n  web:\n    ports: [\"8080:80\"]\nnetworks:\n  default:\n    driver_opts:\n      com.docker.network.bridge.host_binding_ipv4: \"127.0.0.1\"\n";
        assert!(flagged(text, "publish-all-interfaces").is_empty());
    }
}
