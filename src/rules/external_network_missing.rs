use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Checks `external: true` networks for what can be seen without a daemon: other
    /// attributes beside `name` (Compose rejects them), and an external network called
    /// `default` without a `name`.
    ///
    /// ## Why it matters
    /// Compose never creates an external network and uses its key as the literal name (no
    /// project prefix). Compose refuses `external` with `driver`, `ipam` and the like:
    /// `conflicting parameters "external" and "driver" specified`. A network made by another
    /// project is called `<project>_<key>`, so the bare key often does not exist: `network
    /// X declared as external, but could not be found`.
    ///
    /// ## Example
    /// ```yaml
    /// networks:
    ///   proxy:
    ///     external: true
    ///     driver: bridge
    /// ```
    ///
    /// ## Fix
    /// Keep only `external: true` and `name:` (the exact name `docker network ls` shows);
    /// create the network with `docker network create` first.
    pub static EXTERNAL_NETWORK_MISSING = {
        code: "external-network-missing",
        severity: Error,
        applies_to: "Compose files",
        summary: "An external network that cannot be found as written",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for n in p.networks.iter().filter(|n| n.external) {
        let entries = n.node.map(|node| p.yaml.entries(node)).unwrap_or_default();
        for e in entries {
            let (Some(key), node) = (p.yaml.scalar(e.key), &e.key) else {
                continue;
            };
            if matches!(key, "external" | "name") || key.starts_with("x-") {
                continue;
            }
            out.push(Finding::new(
                &EXTERNAL_NETWORK_MISSING,
                p.span(*node),
                format!(
                    "Compose refuses this project: conflicting parameters \"external\" and \"{key}\" specified. An external network is created outside Compose; keep only `name`"
                ),
            ));
        }
        if n.name == "default" && n.explicit_name.is_none() {
            out.push(
                Finding::new(
                    &EXTERNAL_NETWORK_MISSING,
                    p.span(n.key),
                    "An external `default` network needs `name:` with the real network's name. Without it Compose looks for a network literally called `default`",
                )
                .with_severity(Severity::Warning),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn conflicting_parameters() {
        let text = "services:\n  a: {}\nnetworks:\n  proxy:\n    external: true\n    driver: bridge\n    x-note: ok\n  default:\n    external: true\n  shared:\n    external: true\n    name: other_shared\n";
        assert_eq!(
            flagged(text, "external-network-missing"),
            ["driver", "default"]
        );
    }
}
