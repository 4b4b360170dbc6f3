use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Attachment;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a project that creates more than 10 networks from Docker's address pools
    /// (networks without an explicit `ipam` subnet, the implicit `default` one included),
    /// unless a daemon.json that sets `default-address-pools` was found above the project.
    ///
    /// ## Why it matters
    /// Docker's built-in pools hold 31 networks in all (three /16s, twelve /16s out of three
    /// /14s, and sixteen /20s of 192.168.0.0/16), shared by every project on the host. Past
    /// that, `docker compose up` fails with `all predefined address pools have been fully
    /// subnetted` (older engines: `could not find an available, non-overlapping IPv4 address
    /// pool among the defaults to assign to the network`).
    ///
    /// ## Example
    /// ```yaml
    /// networks:
    ///   n1: {}
    ///   # ... n2 to n11
    /// ```
    ///
    /// ## Fix
    /// Use fewer networks, give them explicit small subnets, or set
    /// `"default-address-pools": [{"base": "172.17.0.0/12", "size": 24}]` in daemon.json
    /// (4096 networks); `docker network prune` removes the unused ones.
    pub static ADDRESS_POOL_EXHAUSTED = {
        code: "address-pool-exhausted",
        severity: Info,
        applies_to: "Compose files",
        summary: "More networks than Docker's default pools comfortably hold",
        compose: [check],
    };
}

/// More networks than this is worth a note.
const LIMIT: usize = 10;

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    if p.external
        .daemon
        .as_ref()
        .is_some_and(|d| !d.pools.is_empty())
    {
        return;
    }
    let mut pooled: Vec<&crate::model::compose::Network> = p
        .networks
        .iter()
        .filter(|n| !n.external && n.ipam.iter().all(|c| c.subnet.is_none()))
        .collect();
    if pooled.len() < LIMIT {
        return;
    }
    pooled.sort_by_key(|n| p.span(n.key).start);
    let uses_default = p.network("default").is_none()
        && p.services.iter().any(
            |s| matches!(p.attachment(s), Attachment::Networks(ns) if ns.contains(&"default")),
        );
    let total = pooled.len() + usize::from(uses_default);
    if total <= LIMIT {
        return;
    }
    // Point at the first network past the limit.
    let at = pooled[LIMIT
        .saturating_sub(usize::from(uses_default))
        .min(pooled.len() - 1)];
    out.push(Finding::new(
        &ADDRESS_POOL_EXHAUSTED,
        p.span(at.key),
        format!(
            "This project takes {total} of the 31 networks Docker's address pools hold for the whole host. With other projects, `up` fails with \"all predefined address pools have been fully subnetted\". Give networks explicit subnets, or set `default-address-pools` with a smaller size in daemon.json"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn many_networks() {
        let networks = |n: usize, extra: &str| {
            let mut text = String::from("services:\n  a: {image: x}\nnetworks:\n");
            for i in 1..=n {
                text.push_str(&format!("  n{i}: {{}}\n"));
            }
            text.push_str(extra);
            text
        };
        // 10 declared + default = 11.
        assert_eq!(
            flagged(&networks(10, ""), "address-pool-exhausted"),
            ["n10"]
        );
        assert!(flagged(&networks(9, ""), "address-pool-exhausted").is_empty());
        // Explicit subnets and external networks take nothing from the pools.
        let text = networks(
            9,
            "  fixed:\n    ipam:\n      config:\n        - subnet: 10.5.0.0/24\n  ext:\n    external: true\n",
        );
        assert!(flagged(&text, "address-pool-exhausted").is_empty());
        // Every service on a named network: `default` is not created.
        let text = networks(10, "").replace("a: {image: x}", "a: {image: x, networks: [n1]}");
        assert!(flagged(&text, "address-pool-exhausted").is_empty());
        assert_eq!(
            flagged(
                &networks(11, "").replace("a: {image: x}", "a: {image: x, networks: [n1]}"),
                "address-pool-exhausted"
            ),
            ["n11"]
        );
    }
}
