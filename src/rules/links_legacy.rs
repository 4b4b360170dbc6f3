use super::declare_rule;
use crate::compose::Project;
use crate::finding::{Finding, Severity};

declare_rule! {
    /// ## What it does
    /// Reports `links` and `external_links`, a legacy feature. It is an error together with
    /// `network_mode: host`.
    ///
    /// ## Why it matters
    /// On Compose's networks every service already reaches the others by name; `links`
    /// does not connect services that share no network ("Compose doesn't warn you about a
    /// configuration mismatch"), so it gives a false sense of connectivity. With host
    /// networking the engine refuses it: `conflicting options: host type networking can't
    /// be used with links`.
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
                    format!("Docker refuses this container: \"conflicting options: host type networking can't be used with links\". Remove `{key}`"),
                )
                .with_severity(Severity::Error)
            } else {
                Finding::new(
                    &LINKS_LEGACY,
                    p.span(node),
                    format!(
                        "`{key}` is a legacy feature: services on a shared network already reach each other by name, and `{key}` does not connect services that share none. Use `depends_on` for order and network aliases for names"
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
    }
}
