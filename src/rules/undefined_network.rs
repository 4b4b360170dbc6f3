use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a network named in a service's `networks` that the top-level `networks`
    /// section does not declare (`default` is always available).
    ///
    /// In a file that looks like part of a project (an override without its base beside
    /// it, or a service with neither `image` nor `build`), the finding is information.
    ///
    /// ## Why it matters
    /// Compose refuses the whole project: `service "web" refers to undefined network
    /// backend: invalid compose project`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     networks: [backend]
    /// networks:
    ///   back-end: {}
    /// ```
    ///
    /// ## Fix
    /// Declare the network at the top level (`networks: {backend: {}}`) or use the name that
    /// is declared; portside suggests the closest one.
    pub static UNDEFINED_NETWORK = {
        code: "undefined-network",
        severity: Error,
        applies_to: "Compose files",
        summary: "A service uses a network that is not declared",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    // Computed once, and only when a name is undefined.
    let fragment = std::cell::OnceCell::new();
    let declared: Vec<&str> = p.networks.iter().map(|n| n.name).collect();
    for s in &p.services {
        for n in &s.networks {
            if n.name == "default"
                || declared.contains(&n.name.as_ref())
                || p.external.networks.contains(n.name.as_ref())
            {
                continue;
            }
            let mut message = format!(
                "Compose refuses this project: service \"{}\" refers to undefined network {}",
                s.name, n.name
            );
            match super::did_you_mean(&n.name, declared.iter().copied()) {
                Some(close) => message.push_str(&format!(". Did you mean `{close}`?")),
                None => message.push_str(". Declare it under the top-level `networks`"),
            }
            let mut f = Finding::new(&UNDEFINED_NETWORK, p.span(n.node), message);
            if let Some(why) = fragment.get_or_init(|| p.fragment()) {
                f = super::in_a_fragment(f, why);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn undeclared_names() {
        let text = "services:\n  web:\n    networks: [backend, default, front]\n  api:\n    networks:\n      back_end: {}\nnetworks:\n  front: {}\n  back-end: {}\n";
        assert_eq!(flagged(text, "undefined-network"), ["backend", "back_end"]);
        let f = findings(text, &[], "undefined-network");
        assert!(
            f[0].message
                .contains("Did you mean `back-end`? This file looks like part of a project"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn declared_and_default_are_fine() {
        let text = "services:\n  web:\n    networks: [front]\n  api: {}\nnetworks:\n  front:\n";
        assert!(flagged(text, "undefined-network").is_empty());
    }
}
