use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Finds `host.docker.internal` (or `gateway.docker.internal`) in a service's
    /// environment or command when its `extra_hosts` does not define that name.
    ///
    /// ## Why it matters
    /// Docker Desktop provides the name; Docker Engine on Linux does not:
    /// `getaddrinfo ENOTFOUND host.docker.internal`. The same file works on a Mac and fails
    /// on a Linux server or in CI.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     environment:
    ///       API_URL: http://host.docker.internal:9000
    /// ```
    ///
    /// ## Fix
    /// Add `extra_hosts: ["host.docker.internal:host-gateway"]` to the service (the quick
    /// fix); `host-gateway` is the host's address on Docker's bridge. The program on the host
    /// must listen on that address, not only on 127.0.0.1.
    pub static HOST_DOCKER_INTERNAL_LINUX = {
        code: "host-docker-internal-linux",
        severity: Warning,
        applies_to: "Compose files",
        summary: "`host.docker.internal` without `extra_hosts` (Linux)",
        compose: [check],
    };
}

const NAMES: &[&str] = &["host.docker.internal", "gateway.docker.internal"];

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let finder = memchr::memmem::Finder::new(b".docker.internal");
    for s in &p.services {
        let values = s
            .environment
            .iter()
            .filter_map(|e| e.value.as_ref())
            .chain(&s.commands);
        for val in values {
            // Most values have no `.docker.internal`: one fast scan decides.
            if finder.find(val.value.as_bytes()).is_none() {
                continue;
            }
            for name in NAMES {
                let Some(at) = val.value.find(name) else {
                    continue;
                };
                if s.extra_hosts.iter().any(|h| h.name.value == *name) {
                    continue;
                }
                let mut f = Finding::new(
                    &HOST_DOCKER_INTERNAL_LINUX,
                    p.value_span(val, at..at + name.len()),
                    format!(
                        "`{name}` only resolves on Docker Desktop. On Linux `{}` gets \"getaddrinfo ENOTFOUND\". Add `extra_hosts: [\"{name}:host-gateway\"]`",
                        s.name
                    ),
                );
                if p.key(s, "extra_hosts").is_none()
                    && let Some(indent) = p.key_indent(s.node)
                    && let Some(first) = p.yaml.entries(s.node).first()
                {
                    let at = p.span(first.key).start;
                    f = f.with_fix(
                        format!("Add `extra_hosts: [\"{name}:host-gateway\"]`"),
                        vec![Edit {
                            range: at..at,
                            new_text: format!("extra_hosts: [\"{name}:host-gateway\"]\n{indent}"),
                        }],
                    );
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn missing_extra_hosts() {
        let text = "services:\n  app:\n    image: app\n    environment:\n      HOST_URL: http://host.docker.internal:9000\n  ok:\n    extra_hosts: [\"host.docker.internal:host-gateway\"]\n    environment:\n      HOST_URL: http://host.docker.internal:9000\n";
        assert_eq!(
            flagged(text, "host-docker-internal-linux"),
            ["host.docker.internal"]
        );
        let fixed = fix_all(text, "host-docker-internal-linux");
        assert!(fixed.starts_with("services:\n  app:\n    extra_hosts: [\"host.docker.internal:host-gateway\"]\n    image: app\n"), "{fixed}");
    }
}
