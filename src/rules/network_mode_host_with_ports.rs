use super::declare_rule;
use crate::compose::Project;
use crate::finding::{Edit, Finding};

declare_rule! {
    /// ## What it does
    /// Reports `ports` on a service with `network_mode: host`.
    ///
    /// ## Why it matters
    /// With host networking the container uses the host's network stack directly: there is
    /// no port mapping, and Docker discards `ports` with the warning `Published ports are
    /// discarded when using host network mode`. The app is reachable on the port it listens
    /// on, whatever `ports` says, and a host port already in use makes it fail to bind.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     network_mode: host
    ///     ports: ["8080:80"]   # ignored: the app is on host port 80
    /// ```
    ///
    /// ## Fix
    /// Remove `ports` (the quick fix does) and make the app listen on the port you want, or
    /// drop `network_mode: host` and keep the mapping.
    pub static NETWORK_MODE_HOST_WITH_PORTS = {
        code: "network-mode-host-with-ports",
        severity: Warning,
        applies_to: "Compose files",
        summary: "`ports` are ignored with `network_mode: host`",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.mode() != Some("host") || s.ports.is_empty() {
            continue;
        }
        let Some(key) = p.key(s, "ports") else {
            continue;
        };
        let mut f = Finding::new(
            &NETWORK_MODE_HOST_WITH_PORTS,
            p.span(key),
            "Docker discards these ports: with `network_mode: host` the app listens directly on the host, on its own port. Remove `ports`",
        );
        if let Some(mode) = &s.network_mode {
            f = f.with_related(p.span(mode.node), "host networking is chosen here");
        }
        if let Some(lines) = p.entry_lines(s.node, "ports") {
            f = f.with_fix(
                "Remove `ports`",
                vec![Edit {
                    range: lines,
                    new_text: String::new(),
                }],
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    const TEXT: &str = "services:\n  web:\n    network_mode: host\n    ports:\n      - \"8080:80\"\n      - 9090:9090 # metrics\n    image: nginx\n  api:\n    ports: [\"8080:80\"]\n";

    #[test]
    fn ports_under_host_mode() {
        assert_eq!(flagged(TEXT, "network-mode-host-with-ports"), ["ports"]);
    }

    #[test]
    fn fix_removes_the_block() {
        let fixed = fix_all(TEXT, "network-mode-host-with-ports");
        assert_eq!(
            fixed,
            "services:\n  web:\n    network_mode: host\n    image: nginx\n  api:\n    ports: [\"8080:80\"]\n"
        );
    }
}
