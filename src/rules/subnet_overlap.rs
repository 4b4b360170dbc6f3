use super::declare_rule;
use super::ipam_config_invalid::subnet;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports two networks of the project whose `ipam` subnets overlap, and a subnet that
    /// overlaps the daemon's default bridge (`bip`) or its `default-address-pools`, when a
    /// daemon.json is found above the Compose file or at /etc/docker/daemon.json.
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
    /// Give each network its own range (`10.11.0.0/16` above), outside docker0's subnet
    /// and the daemon's pools. Overlaps with networks outside the project are checked by
    /// the live checks.
    pub static SUBNET_OVERLAP = {
        code: "subnet-overlap",
        severity: Error,
        applies_to: "Compose files",
        summary: "Two networks of the project with overlapping subnets",
        compose: [check, check_against_daemon],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let mut seen: Vec<(&str, ipnet::IpNet, &crate::model::compose::Val)> = Vec::new();
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
                            format!("{net} overlaps {other_net} of network `{other}`: the engine refuses the second network. It fails with \"Pool overlaps with other one on this address space\""),
                        )
                        .with_related(p.val_span(other_val), format!("`{other}` uses {other_net} here")),
                    );
                }
            }
            seen.push((n.name, net, s));
        }
    }
}

/// A project subnet against the daemon's docker0 (`bip`, an error: the engine refuses the
/// network) and its `default-address-pools` (a warning: whether it collides depends on
/// which blocks of the pool other networks already hold).
pub fn check_against_daemon(p: &Project, out: &mut Vec<Finding>) {
    let Some(daemon) = &p.external.daemon else {
        return;
    };
    let file = daemon
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in p.networks.iter().filter(|n| !n.external) {
        for c in &n.ipam {
            let Some(s) = &c.subnet else { continue };
            let Some(net) = subnet(s).map(|n| n.trunc()) else {
                continue;
            };
            let overlaps = |other: &ipnet::IpNet| other.contains(&net) || net.contains(other);
            if let Some((bip, span)) = &daemon.bip
                && overlaps(bip)
            {
                out.push(
                    Finding::new(
                        &SUBNET_OVERLAP,
                        p.val_span(s),
                        format!("{net} overlaps the default bridge docker0 ({bip}): the engine refuses it. docker0's subnet is `bip` in {file}; creating the network fails with \"Pool overlaps with other one on this address space\""),
                    )
                    .with_related_in(daemon.file.clone(), span.clone(), format!("docker0 uses {bip} here")),
                );
                continue;
            }
            if let Some((pool, span)) = daemon.pools.iter().find(|(pool, _)| overlaps(pool)) {
                out.push(
                    Finding::new(
                        &SUBNET_OVERLAP,
                        p.val_span(s),
                        format!("{net} lies in the daemon's address pool {pool}, where another network may already hold it. The pool is `default-address-pools` in {file}: a network Docker already allocated from that pool (another project's default network) may hold the same block, and then the engine refuses this one"),
                    )
                    .with_severity(crate::finding::Severity::Warning)
                    .with_related_in(daemon.file.clone(), span.clone(), format!("the pool {pool} is declared here")),
                );
            }
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
