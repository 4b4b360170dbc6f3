use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::{Attachment, Project};

declare_rule! {
    /// ## What it does
    /// Reports `ports` on a service whose every network is `internal: true`.
    ///
    /// ## Why it matters
    /// An internal network has no route to the outside, and Docker sets up no port mapping
    /// for it: the published port does not answer, and the service cannot reach the
    /// internet either.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   admin:
    ///     networks: [back]
    ///     ports: ["8080:80"]
    /// networks:
    ///   back:
    ///     internal: true
    /// ```
    ///
    /// ## Fix
    /// Attach the service to a non-internal network too (for example the one a reverse
    /// proxy uses), or remove `ports`.
    pub static INTERNAL_NETWORK_PORTS = {
        code: "internal-network-ports",
        severity: Warning,
        applies_to: "Compose files",
        summary: "Ports published from a service on internal networks only",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.ports.is_empty() {
            continue;
        }
        let Attachment::Networks(nets) = p.attachment(s) else {
            continue;
        };
        let declared: Vec<_> = nets.iter().filter_map(|n| p.network(n)).collect();
        if declared.len() != nets.len() || !declared.iter().all(|n| n.internal) {
            continue;
        }
        let Some(key) = p.key(s, "ports") else {
            continue;
        };
        let mut f = Finding::new(
            &INTERNAL_NETWORK_PORTS,
            p.span(key),
            format!(
                "These ports will not answer: every network of `{}` is internal. Docker publishes nothing from internal networks. Attach it to a non-internal network too",
                s.name
            ),
        );
        for n in declared {
            f = f.with_related(p.span(n.key), format!("`{}` is internal", n.name));
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn internal_only() {
        let text = "services:\n  admin:\n    networks: [back]\n    ports: [\"8080:80\"]\n  web:\n    networks: [back, front]\n    ports: [\"8081:80\"]\nnetworks:\n  back:\n    internal: true\n  front: {}\n";
        assert_eq!(flagged(text, "internal-network-ports"), ["ports"]);
    }
}
