use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Points at a network of the project with `driver: overlay` that Compose would create
    /// (not `external`). As a hint: whether it works depends on the daemon, which no file
    /// shows. The live check ("Check reachability", `portside probe`) asks the daemon and
    /// reports a daemon that is not a swarm manager as a failure.
    ///
    /// ## Why it matters
    /// Overlay networks belong to Docker's swarm mode. On a daemon that is not a swarm
    /// manager, `docker compose up` stops before starting anything: `Error response from
    /// daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm
    /// join" to connect this node to swarm and try again.`
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     image: example/api
    ///     networks: [backend]
    /// networks:
    ///   backend:
    ///     driver: overlay
    /// ```
    ///
    /// ## Fix
    /// On a single host, use the default `bridge` driver (remove `driver: overlay`). For a
    /// swarm, run `docker swarm init` on the manager and deploy with `docker stack deploy`,
    /// or create the network once (`docker network create -d overlay --attachable backend`)
    /// and declare it `external: true`.
    pub static OVERLAY_NETWORK_NEEDS_SWARM = {
        code: "overlay-network-needs-swarm",
        severity: Hint,
        applies_to: "Compose files",
        summary: "An overlay network, which only a swarm manager creates",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for n in p.networks.iter().filter(|n| !n.external) {
        let Some(driver) = &n.driver else { continue };
        if !driver.value.eq_ignore_ascii_case("overlay") {
            continue;
        }
        out.push(Finding::new(
            &OVERLAY_NETWORK_NEEDS_SWARM,
            p.val_span(driver),
            format!(
                "`{}` uses the overlay driver, which needs a swarm manager. Unless this daemon is one, `docker compose up` fails with \"This node is not a swarm manager\". On a single host, use the default bridge driver",
                n.name
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn overlay_networks_compose_creates() {
        let text = "services:\n  api:\n    image: x\n    networks: [backend, shared, front]\nnetworks:\n  backend:\n    driver: overlay\n  shared:\n    driver: overlay\n    external: true\n  front:\n    driver: bridge\n";
        assert_eq!(flagged(text, "overlay-network-needs-swarm"), ["overlay"]);
        let f = findings(text, &[], "overlay-network-needs-swarm");
        assert_eq!(f[0].severity, Severity::Hint);
    }
}
