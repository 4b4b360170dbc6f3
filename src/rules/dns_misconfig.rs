use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::refs::is_loopback;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports a loopback DNS server (`127.0.0.53`, `127.0.0.1`, `::1`) in daemon.json's
    /// `dns` or in a Compose service's `dns`.
    ///
    /// In Compose, `127.0.0.11` is not reported for a service on the project's networks:
    /// Docker's own DNS server listens there in each such container.
    ///
    /// ## Why it matters
    /// Containers resolve through these servers, and inside a container 127.0.0.1 is the
    /// container itself: nothing answers there, so names do not resolve (`Temporary failure
    /// in name resolution`). The host's systemd-resolved stub (127.0.0.53) is not reachable
    /// from containers.
    ///
    /// ## Example
    /// ```json
    /// {"dns": ["127.0.0.53"]}
    /// ```
    /// ```yaml
    /// services:
    ///   app:
    ///     dns: 127.0.0.1
    /// ```
    ///
    /// ## Fix
    /// Use the real upstream servers (your router's or your network's resolver, or a public
    /// one), not the host's loopback stub.
    pub static DNS_MISCONFIG = {
        code: "dns-misconfig",
        severity: Warning,
        applies_to: "daemon.json, Compose files",
        summary: "A loopback DNS server for containers",
        compose: [check],
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    for (addr, span) in d.strings("dns") {
        if addr != "0.0.0.0" && is_loopback(addr) {
            out.push(Finding::new(
                &DNS_MISCONFIG,
                span,
                format!("{addr} is a loopback address, so containers' DNS queries get no answer. Inside containers it is the container itself. Use a resolver containers can reach"),
            ));
        }
    }
}

/// Compose: a service's `dns` (a string or a list).
pub fn check(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        // Most services have no `dns`: the recorded key says so without a lookup.
        if p.key(s, "dns").is_none() {
            continue;
        }
        let Some(entry) = p.yaml.get(s.node, "dns") else {
            continue;
        };
        let node = p.yaml.resolve(entry.value);
        let nodes = p.yaml.items(node).map_or_else(|| vec![node], <[_]>::to_vec);
        for n in nodes {
            let n = p.yaml.resolve(n);
            let Some(server) = p.yaml.scalar(n) else {
                continue;
            };
            // On a Compose network (any service without `network_mode`) Docker's embedded
            // DNS server listens on 127.0.0.11 inside the container: naming it is redundant,
            // not broken.
            if server == "127.0.0.11" && s.network_mode.is_none() {
                continue;
            }
            if server.parse::<std::net::IpAddr>().is_ok() && is_loopback(server) {
                out.push(Finding::new(
                    &DNS_MISCONFIG,
                    p.span(n),
                    format!(
                        "{server} is `{}`'s own loopback, where no DNS server listens. Names do not resolve: lookups fail with \"Temporary failure in name resolution\". Use a real resolver's address, or drop `dns` to use Docker's",
                        s.name
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn loopback_dns() {
        assert_eq!(
            findings("{\"dns\": [\"127.0.0.53\", \"1.1.1.1\"]}", "dns-misconfig").len(),
            1
        );
    }

    #[test]
    fn compose_dns() {
        let text = "services:\n  a:\n    image: x\n    dns: 127.0.0.1\n  b:\n    image: x\n    dns: [\"10.0.0.2\", \"::1\", \"1.1.1.1\"]\n";
        assert_eq!(
            crate::rules::test_support::flagged(text, "dns-misconfig"),
            ["127.0.0.1", "\"::1\""]
        );
    }

    #[test]
    fn embedded_dns_address_on_a_compose_network() {
        // A dev override that lists Docker's embedded resolver first, then a resolver of
        // its own; the same address under `network_mode: host` is the host's loopback.
        let text = "services:\n  api:\n    image: php:8.3-fpm\n    dns:\n      - 127.0.0.11\n      - 172.20.0.53\n    networks: [backend]\n  probe:\n    image: busybox\n    network_mode: host\n    dns: 127.0.0.11\nnetworks:\n  backend: {}\n";
        assert_eq!(
            crate::rules::test_support::flagged(text, "dns-misconfig"),
            ["127.0.0.11"]
        );
        let f = crate::rules::test_support::findings(text, &[], "dns-misconfig");
        assert!(f[0].range.start > text.find("network_mode").unwrap());
    }
}
