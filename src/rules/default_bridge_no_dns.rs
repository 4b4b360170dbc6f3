use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports `network_mode: bridge` on a service that reaches another service by name, or
    /// that another service reaches by name. A name that the connecting service's `links`
    /// provides is left alone: on the default bridge, legacy links are what make it resolve.
    ///
    /// ## Why it matters
    /// `bridge` is Docker's default bridge, which has no name resolution between
    /// containers (only legacy links): names do not resolve, and network aliases or fixed
    /// addresses are refused there.
    ///
    /// The verdict holds under Podman too: its default network (`podman`, what `bridge`
    /// means there) is created without DNS (`podman network inspect podman` shows
    /// `dns_enabled: false`), while the networks Compose creates for a project, through
    /// `podman-compose` or `docker compose` on Podman's socket, get DNS by default
    /// (aardvark-dns; podman-network(1), podman-network-create(1) `--disable-dns`).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     network_mode: bridge
    ///     environment: {DB_HOST: db}
    ///   db:
    ///     image: postgres:16
    /// ```
    ///
    /// ## Fix
    /// Remove `network_mode: bridge` (the quick fix) so the service joins the project's
    /// network, where service names resolve.
    pub static DEFAULT_BRIDGE_NO_DNS = {
        code: "default-bridge-no-dns",
        severity: Warning,
        applies_to: "Compose files",
        summary: "Service names used on the default bridge",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (i, s) in p.services.iter().enumerate() {
        if s.mode() != Some("bridge") {
            continue;
        }
        let reaches = p.refs.iter().find(|r| {
            r.service == i
                && r.connects()
                && !linked(&p.services[r.service], p.ref_host(r))
                && p.service_for_host(p.ref_host(r))
                    .is_some_and(|t| t.name != s.name)
        });
        let reached = p.refs.iter().find(|r| {
            r.service != i
                && r.connects()
                && !linked(&p.services[r.service], p.ref_host(r))
                && p.service_for_host(p.ref_host(r))
                    .is_some_and(|t| t.name == s.name)
        });
        let message = match (reaches, reached) {
            (Some(r), _) => format!(
                "On the default bridge service names do not resolve: `{}` cannot reach `{}`. Remove `network_mode: bridge`",
                s.name,
                p.ref_host(r)
            ),
            (None, Some(r)) => format!(
                "`{}` is on the default bridge, where service names do not resolve. `{}` cannot reach it as `{}`. Remove `network_mode: bridge`",
                s.name,
                p.services[r.service].name,
                p.ref_host(r)
            ),
            (None, None) => continue,
        };
        let Some(mode) = &s.network_mode else {
            continue;
        };
        let mut f = Finding::new(&DEFAULT_BRIDGE_NO_DNS, p.span(mode.node), message);
        if let Some(lines) = p.entry_lines(s.node, "network_mode") {
            f = f.with_fix(
                "Remove `network_mode: bridge`",
                vec![Edit {
                    range: lines,
                    new_text: String::new(),
                }],
            );
        }
        out.push(f);
    }
}

/// Whether `s`'s `links` provide `host` (`db`, or the alias of `db:database`).
fn linked(s: &crate::model::compose::Service<'_>, host: &str) -> bool {
    s.links
        .iter()
        .any(|l| l.value.split(':').any(|part| part == host))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn names_on_the_default_bridge() {
        let text = "services:\n  app:\n    network_mode: bridge\n    environment:\n      DB_HOST: db\n  db:\n    image: postgres:16\n  other:\n    network_mode: bridge\n";
        assert_eq!(flagged(text, "default-bridge-no-dns"), ["bridge"]);
        // Legacy links make the names resolve on the default bridge.
        let linked = "services:\n  app:\n    network_mode: bridge\n    links: [\"db:database\"]\n    environment:\n      DB_HOST: database\n      DB_URL: postgres://db:5432/app\n  db:\n    image: postgres:16\n    network_mode: bridge\n";
        assert!(flagged(linked, "default-bridge-no-dns").is_empty());
        let fixed = fix_all(text, "default-bridge-no-dns");
        assert!(
            fixed.starts_with("services:\n  app:\n    environment:"),
            "{fixed}"
        );
    }
}
