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
    /// The verdict depends on the platform (`[host] platform`): on Docker Desktop, set or
    /// read from the live daemon, the rule says nothing, since the name resolves there;
    /// where Docker Desktop is only assumed (portside runs on macOS or Windows) the finding
    /// is information, for the Linux machines the file may also run on. Podman adds
    /// `host.docker.internal` (and `host.containers.internal`) to each container's
    /// `/etc/hosts` itself (its `--add-host` documentation, Podman 5), so the finding does
    /// not apply to a project run by Podman either.
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
    // Docker Desktop resolves the names itself.
    if p.host.desktop_certain() {
        return;
    }
    let guessed = p.host.desktop_guessed();
    let engine = p.host.platform() == Some(crate::config::Platform::Engine);
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
                let range = p.value_span(val, at..at + name.len());
                let mut f = if guessed {
                    let assumed = p.host.platform.map_or("", |f| f.source_words());
                    Finding::new(
                        &HOST_DOCKER_INTERNAL_LINUX,
                        range,
                        format!(
                            "`{name}` resolves on Docker Desktop, not on Docker Engine (Linux). Docker Desktop is {assumed}; on a Linux server or in CI `{}` gets \"getaddrinfo ENOTFOUND\". Add `extra_hosts: [\"{name}:host-gateway\"]` to run it there too",
                            s.name
                        ),
                    )
                    .with_severity(crate::finding::Severity::Info)
                } else if engine {
                    Finding::new(
                        &HOST_DOCKER_INTERNAL_LINUX,
                        range,
                        format!(
                            "`{name}` does not resolve on Docker Engine (Linux). The platform is {}; `{}` gets \"getaddrinfo ENOTFOUND\". Add `extra_hosts: [\"{name}:host-gateway\"]`",
                            p.host.platform.map_or("", |f| f.source_words()),
                            s.name
                        ),
                    )
                } else {
                    Finding::new(
                        &HOST_DOCKER_INTERNAL_LINUX,
                        range,
                        format!(
                            "`{name}` only resolves on Docker Desktop. On Linux `{}` gets \"getaddrinfo ENOTFOUND\". Add `extra_hosts: [\"{name}:host-gateway\"]`",
                            s.name
                        ),
                    )
                };
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

    /// Silent on Docker Desktop (set or from the daemon), information where Desktop is only
    /// guessed, the Engine's verdict said as such where the platform is Docker Engine, and
    /// today's verdict where it is unknown.
    #[test]
    fn under_each_platform() {
        use crate::config::{Platform, PlatformSource};
        use crate::finding::Severity;
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  app:\n    image: app\n    environment:\n      HOST_URL: http://host.docker.internal:9000\n";
        let mut seen = Vec::new();
        for platform in platforms() {
            let f = findings_on(text, platform, "", "host-docker-internal-linux");
            seen.push(
                f.iter()
                    .map(|f| (f.severity, f.message.clone()))
                    .collect::<Vec<_>>(),
            );
        }
        // Unknown: as before the platform existed.
        assert_eq!(seen[0].len(), 1);
        assert_eq!(seen[0][0].0, Severity::Warning);
        assert!(
            seen[0][0]
                .1
                .starts_with("`host.docker.internal` only resolves on Docker Desktop.")
        );
        // Docker Engine: the same warning, saying which platform it assumes.
        assert_eq!(seen[1][0].0, Severity::Warning);
        assert!(
            seen[1][0].1.contains(
                "on Docker Engine (Linux). The platform is from the `[host] platform` setting;"
            ),
            "{:?}",
            seen[1]
        );
        // Docker Desktop, set or from the daemon: the name resolves.
        assert!(seen[2].is_empty() && seen[3].is_empty(), "{seen:?}");
        // Guessed from macOS: information, saying it was assumed.
        assert_eq!(seen[4][0].0, Severity::Info);
        assert!(
            seen[4][0]
                .1
                .contains("Docker Desktop is assumed: portside runs on macOS"),
            "{:?}",
            seen[4]
        );
        // The fix still applies under a guess (it works on both platforms).
        let guess = Some((
            Platform::DockerDesktop,
            PlatformSource::OsGuess { os: "macos" },
        ));
        assert_eq!(
            findings_on(text, guess, "", "host-docker-internal-linux")[0]
                .fixes
                .len(),
            1
        );
    }
}
