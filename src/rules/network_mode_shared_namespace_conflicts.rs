use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports networking keys on a service that joins another container's network stack
    /// (`network_mode: service:X` or `container:X`): `ports`, `expose`, `dns`,
    /// `dns_search`, `dns_opt`, `extra_hosts`, `hostname`, `links`, `mac_address`.
    ///
    /// ## Why it matters
    /// The service has no network stack of its own, so Docker refuses to create it:
    /// `conflicting options: port publishing and the container type network mode` (and the
    /// like for each key).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   vpn:
    ///     image: gluetun
    ///   torrent:
    ///     network_mode: service:vpn
    ///     ports: ["8080:8080"]   # must be published on `vpn`
    /// ```
    ///
    /// ## Fix
    /// Move the setting to the service that owns the network stack (`vpn` above).
    pub static NETWORK_MODE_SHARED_NAMESPACE_CONFLICTS = {
        code: "network-mode-shared-namespace-conflicts",
        severity: Error,
        applies_to: "Compose files",
        summary: "Networking keys on a service that shares another's network stack",
        compose: [check],
    };
}

/// Each key and the engine's message for it.
const CONFLICTS: &[(&str, &str)] = &[
    (
        "ports",
        "port publishing and the container type network mode",
    ),
    (
        "expose",
        "port exposing and the container type network mode",
    ),
    ("dns", "dns and the network mode"),
    ("dns_search", "dns and the network mode"),
    ("dns_opt", "dns and the network mode"),
    (
        "extra_hosts",
        "custom host-to-IP mapping and the network mode",
    ),
    ("hostname", "hostname and the network mode"),
    ("links", "container type network can't be used with links"),
    ("mac_address", "mac-address and the network mode"),
];

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        let Some(mode) = &s.network_mode else {
            continue;
        };
        let owner = match mode.value.split_once(':') {
            Some(("service" | "container", owner)) => owner,
            _ => continue,
        };
        for (key, engine) in CONFLICTS {
            let Some(node) = p.key(s, key) else {
                continue;
            };
            out.push(
                Finding::new(
                    &NETWORK_MODE_SHARED_NAMESPACE_CONFLICTS,
                    p.span(node),
                    format!(
                        "Docker refuses to create this container: `{}` shares the network stack of `{owner}`. It fails with \"conflicting options: {engine}\"; set `{key}` on `{owner}` instead",
                        s.name
                    ),
                )
                .with_related(p.span(mode.node), "the network stack is shared here"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn keys_that_conflict() {
        let text = "services:\n  vpn:\n    ports: [\"8080:8080\"]\n  app:\n    network_mode: service:vpn\n    ports: [\"8080:8080\"]\n    hostname: app\n    dns: 1.1.1.1\n    environment: {A: b}\n";
        assert_eq!(
            flagged(text, "network-mode-shared-namespace-conflicts"),
            ["ports", "hostname", "dns"]
        );
        let text = "services:\n  app:\n    network_mode: host\n    hostname: x\n";
        assert!(flagged(text, "network-mode-shared-namespace-conflicts").is_empty());
    }
}
