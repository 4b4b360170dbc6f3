use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports `links` and `external_links`, a legacy feature. It is an error together with
    /// `network_mode: host`.
    ///
    /// ## Why it matters
    /// Compose gives every project its own network (`<project>_default`, or the networks
    /// the file declares), where services reach each other by name: there `links` adds
    /// nothing but an extra name, and it does not connect services that share no network
    /// ("Compose doesn't warn you about a configuration mismatch"), so it gives a false
    /// sense of connectivity. Only on Docker's default bridge (`network_mode: bridge`),
    /// which has no name resolution, is `links` what makes a name resolve; the message
    /// says so there. With host networking the engine refuses it: `conflicting options:
    /// host type networking can't be used with links`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     links: ["db:database"]
    /// ```
    ///
    /// ## Fix
    /// Remove `links`; use `depends_on` for start order and `networks.<name>.aliases` for
    /// extra names.
    pub static LINKS_LEGACY = {
        code: "links-legacy",
        severity: Info,
        applies_to: "Compose files",
        summary: "`links` / `external_links` are legacy",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        for key in ["links", "external_links"] {
            let Some(node) = p.key(s, key) else {
                continue;
            };
            let f = if s.mode() == Some("host") {
                Finding::new(
                    &LINKS_LEGACY,
                    p.span(node),
                    format!("Docker refuses this container: `network_mode: host` cannot be used with `{key}`. It fails with \"conflicting options: host type networking can't be used with links\". Remove `{key}`"),
                )
                .with_severity(Severity::Error)
            } else if s.mode() == Some("bridge") {
                Finding::new(
                    &LINKS_LEGACY,
                    p.span(node),
                    format!(
                        "`{key}` is a legacy feature. On the default bridge (`network_mode: bridge`) it is what makes these names resolve, since that network has no DNS; without `network_mode: bridge` the service joins the project's network, where every service reaches the others by name and `{key}` is not needed"
                    ),
                )
            } else {
                Finding::new(
                    &LINKS_LEGACY,
                    p.span(node),
                    format!(
                        "`{key}` is a legacy feature, not needed on the project's network. Compose puts services on the project's own network, where they already reach each other by name, and `{key}` does not connect services that share no network. Use `depends_on` for order and network aliases for names"
                    ),
                )
            };
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn links() {
        let text = "services:\n  web:\n    links: [db]\n  sys:\n    network_mode: host\n    external_links: [x]\n  db: {}\n";
        assert_eq!(flagged(text, "links-legacy"), ["links", "external_links"]);
        let f = findings(text, &[], "links-legacy");
        assert_eq!(f[0].severity, Severity::Info);
        assert_eq!(f[1].severity, Severity::Error);
        assert!(
            f[0].message.contains("project's own network"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn on_the_default_bridge_links_make_names_resolve() {
        let text = "services:\n  web:\n    image: nginx\n    network_mode: bridge\n    links: [\"app:backend\"]\n  app:\n    image: app\n    network_mode: bridge\n";
        let f = findings(text, &[], "links-legacy");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("default bridge"), "{}", f[0].message);
        assert!(!f[0].message.contains("already reach"), "{}", f[0].message);
    }
}
