use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `userland-proxy: false`.
    ///
    /// ## Why it matters
    /// Without docker-proxy, published ports are NAT only: they are no longer reachable on
    /// the host's IPv6 addresses for IPv4-only containers, and some `localhost` and hairpin
    /// connections behave differently.
    ///
    /// ## Example
    /// ```json
    /// {"userland-proxy": false}
    /// ```
    ///
    /// ## Fix
    /// Keep the default (true) unless you need NAT only; then give the networks IPv6 if
    /// IPv6 clients must reach published ports.
    pub static DAEMON_USERLAND_PROXY_FALSE = {
        code: "daemon-userland-proxy-false",
        severity: Info,
        applies_to: "daemon.json",
        summary: "`userland-proxy: false` changes how published ports are reached",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some((false, e)) = d.bool("userland-proxy") {
        out.push(Finding::new(
            &DAEMON_USERLAND_PROXY_FALSE,
            e.value.span.clone(),
            "With `userland-proxy: false` published ports are NAT only. IPv4-only containers are not reachable on the host's IPv6 addresses, and some localhost/hairpin connections change",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn proxy() {
        assert_eq!(
            findings("{\"userland-proxy\": false}", "daemon-userland-proxy-false").len(),
            1
        );
    }
}
