use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a service that sets both `network_mode` and `networks`.
    ///
    /// ## Why it matters
    /// The two are mutually exclusive; Compose refuses the project with ``service web
    /// declares mutually exclusive `network_mode` and `networks` ``.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     network_mode: host
    ///     networks: [front]
    /// ```
    ///
    /// ## Fix
    /// Keep one: `network_mode` to share the host's (or another container's) network
    /// stack, or `networks` to join project networks.
    pub static NETWORK_MODE_WITH_NETWORKS = {
        code: "network-mode-with-networks",
        severity: Error,
        applies_to: "Compose files",
        summary: "`network_mode` and `networks` on the same service",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        let (Some(mode), Some(networks)) = (p.key(s, "network_mode"), p.key(s, "networks")) else {
            continue;
        };
        out.push(
            Finding::new(
                &NETWORK_MODE_WITH_NETWORKS,
                p.span(mode),
                format!(
                    "Compose refuses this project: service {} declares mutually exclusive `network_mode` and `networks`. Remove one of them",
                    s.name
                ),
            )
            .with_related(p.span(networks), "`networks` is set here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn both_keys() {
        let text = "services:\n  web:\n    network_mode: host\n    networks: [front]\n  api:\n    network_mode: host\nnetworks:\n  front: {}\n";
        assert_eq!(
            flagged(text, "network-mode-with-networks"),
            ["network_mode"]
        );
    }
}
