use super::declare_rule;
use super::ipam_config_invalid::subnet;
use crate::compose::Project;
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Reports two networks of the project whose `ipam` subnets overlap.
    ///
    /// ## Why it matters
    /// Compose does not check it; the engine refuses the second network at `up`:
    /// `invalid pool request: Pool overlaps with other one on this address space`.
    ///
    /// ## Example
    /// ```yaml
    /// networks:
    ///   front:
    ///     ipam: {config: [{subnet: 10.10.0.0/16}]}
    ///   back:
    ///     ipam: {config: [{subnet: 10.10.5.0/24}]}
    /// ```
    ///
    /// ## Fix
    /// Give each network its own range (`10.11.0.0/16` above). Overlaps with networks
    /// outside the project are checked by the live checks.
    pub static SUBNET_OVERLAP = {
        code: "subnet-overlap",
        severity: Error,
        applies_to: "Compose files",
        summary: "Two networks of the project with overlapping subnets",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let mut seen: Vec<(&str, ipnet::IpNet, &crate::compose::model::Val)> = Vec::new();
    for n in p.networks.iter().filter(|n| !n.external) {
        for c in &n.ipam {
            let Some(s) = &c.subnet else { continue };
            let Some(net) = subnet(s).map(|n| n.trunc()) else {
                continue;
            };
            for (other, other_net, other_val) in &seen {
                if *other != n.name && (other_net.contains(&net) || net.contains(other_net)) {
                    out.push(
                        Finding::new(
                            &SUBNET_OVERLAP,
                            p.val_span(s),
                            format!("{net} overlaps {other_net} of network `{other}`: the engine refuses the second network (\"Pool overlaps with other one on this address space\")"),
                        )
                        .with_related(p.val_span(other_val), format!("`{other}` uses {other_net} here")),
                    );
                }
            }
            seen.push((n.name, net, s));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn overlapping_subnets() {
        let text = "services:\n  a: {}\nnetworks:\n  n1:\n    ipam: {config: [{subnet: 10.10.0.0/16}]}\n  n2:\n    ipam: {config: [{subnet: 10.10.5.0/24}]}\n  n3:\n    ipam: {config: [{subnet: 10.11.0.0/16}]}\n";
        assert_eq!(flagged(text, "subnet-overlap"), ["10.10.5.0/24"]);
    }
}
