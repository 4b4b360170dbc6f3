use super::declare_rule;
use crate::compose::Project;
use crate::compose::model::PortSpec;
use crate::finding::{Edit, Finding};
use crate::ports;

declare_rule! {
    /// ## What it does
    /// For official images whose listening port is well known (nginx 80, postgres 5432,
    /// redis 6379, ...), reports a mapping whose container port is not that port while
    /// its host port is: the two sides look swapped. Services that are built, or that set
    /// a `command`, are left alone, since they may listen elsewhere.
    ///
    /// ## Why it matters
    /// `ports` is `HOST:CONTAINER`. `"80:8080"` on nginx sends host port 80 to container
    /// port 8080, where nothing listens: the connection is reset (`curl: (52) Empty reply`).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports: ["80:8080"]
    /// ```
    ///
    /// ## Fix
    /// Swap the two sides: `"8080:80"` (the quick fix).
    pub static TARGET_PORT_MISMATCH = {
        code: "target-port-mismatch",
        severity: Warning,
        applies_to: "Compose files",
        summary: "Host and container ports look swapped",
    };
}

/// Official images and the ports they listen on by default.
const KNOWN: &[(&str, &[u16])] = &[
    ("nginx", &[80]),
    ("httpd", &[80]),
    ("postgres", &[5432]),
    ("mysql", &[3306, 33060]),
    ("mariadb", &[3306]),
    ("mongo", &[27017]),
    ("redis", &[6379]),
    ("rabbitmq", &[5672, 15672]),
    ("elasticsearch", &[9200, 9300]),
    ("grafana", &[3000]),
    ("memcached", &[11211]),
];

/// `nginx`, `library/nginx` or `docker.io/library/nginx`: an official image.
fn official(image: &str) -> Option<&str> {
    let name = image.split(['@']).next()?.split(':').next()?;
    let name = name
        .strip_prefix("docker.io/")
        .unwrap_or(name)
        .strip_prefix("library/")
        .unwrap_or(name.strip_prefix("docker.io/").unwrap_or(name));
    (!name.contains('/')).then_some(name)
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.has_build || p.key(s, "command").is_some() || p.key(s, "entrypoint").is_some() {
            continue;
        }
        let Some(image) = s.image.as_ref().and_then(|i| official(&i.value)) else {
            continue;
        };
        let Some((_, listens)) = KNOWN.iter().find(|(name, _)| *name == image) else {
            continue;
        };
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            let [b] = bindings else { continue };
            let Ok(published) = b.published.parse::<u16>() else {
                continue;
            };
            if listens.contains(&b.target) || !listens.contains(&published) {
                continue;
            }
            let mut f = Finding::new(
                &TARGET_PORT_MISMATCH,
                p.span(port.item),
                format!(
                    "`{image}` listens on {published}, not {}: this sends host port {published} to container port {}, where nothing listens. `ports` is HOST:CONTAINER; swap them",
                    b.target, b.target
                ),
            );
            if let PortSpec::Short(v) = &port.spec
                && !v.interpolated()
            {
                let parts = ports::spec_parts(&v.value);
                if let (Some(host), Some(container)) = (
                    p.raw_span(v, parts.host.clone()),
                    p.raw_span(v, parts.container.clone()),
                ) {
                    f = f.with_fix(
                        "Swap host and container ports",
                        vec![
                            Edit {
                                range: host,
                                new_text: v.value[parts.container].to_string(),
                            },
                            Edit {
                                range: container,
                                new_text: v.value[parts.host].to_string(),
                            },
                        ],
                    );
                }
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn swapped_ports_on_known_images() {
        let text = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:8080\", \"8081:80\"]\n  db:\n    image: docker.io/library/postgres:16\n    ports: [\"127.0.0.1:5432:5433/tcp\"]\n  custom:\n    image: bitnami/nginx\n    ports: [\"80:8080\"]\n  built:\n    image: nginx\n    build: .\n    ports: [\"80:8080\"]\n";
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"80:8080\"", "\"127.0.0.1:5432:5433/tcp\""]
        );
        let fixed = fix_all(text, "target-port-mismatch");
        assert!(fixed.contains("[\"8080:80\", \"8081:80\"]"), "{fixed}");
        assert!(fixed.contains("\"127.0.0.1:5433:5432/tcp\""), "{fixed}");
    }
}
