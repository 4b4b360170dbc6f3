use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports `ports` on a service with `network_mode: host`, in one file or across the
    /// base and override files as Compose merges them (host mode set in one, `ports` in the
    /// other). An override file that sets host mode drops the base's ports with `ports:
    /// !reset []` (the quick fix there). Where every entry maps a port to itself on every
    /// interface (`"80:80"`), the app answers on that host port anyway: the entries only
    /// have no effect, and the finding is information.
    ///
    /// ## Why it matters
    /// With host networking the container uses the host's network stack directly: there is
    /// no port mapping, and Docker discards `ports` with the warning `Published ports are
    /// discarded when using host network mode`. The app is reachable on the port it listens
    /// on, whatever `ports` says, and a host port already in use makes it fail to bind.
    ///
    /// Where the app then listens depends on the platform (`[host] platform`): on Docker
    /// Engine (Linux) directly on the host; on Docker Desktop inside Desktop's VM, reached
    /// from the machine only when Desktop's Settings > Resources > Network > "Enable host
    /// networking" is on (Docker Desktop 4.34 and later; Docker's host network driver
    /// documentation). The message says which of the two it assumes; that Docker discards
    /// the ports holds on both.
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
        compose: [check, check_merged],
    };
}

/// Where a host-mode app listens, on the platform the host facts give (`tail` follows
/// "on the host" on Docker Engine); `None` when the platform is unknown (the messages keep
/// the words they had before the platform was known).
fn listens(p: &Project, tail: &str) -> Option<String> {
    use crate::config::Platform;
    let fact = p.host.platform?;
    Some(match fact.platform {
        Platform::Engine => {
            format!("On Docker Engine (Linux) the app listens directly on the host{tail}")
        }
        Platform::DockerDesktop => format!(
            "On Docker Desktop ({}) the app listens inside Desktop's VM: this machine reaches it only with Settings > Resources > Network > Enable host networking (Docker Desktop 4.34 and later)",
            fact.source_words()
        ),
    })
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.mode() != Some("host") || s.ports.is_empty() {
            continue;
        }
        let Some(key) = p.key(s, "ports") else {
            continue;
        };
        // `80:80` on every interface: the app answers on host port 80 anyway, so the entry
        // only has no effect (information). Another host port, or a host address that
        // was meant to restrict who reaches it, is what the author will not get.
        let same = s.ports.iter().all(|port| {
            port.bindings().is_some_and(|bs| {
                bs.iter().all(|b| {
                    (b.host_ip.is_empty() || b.host_ip == "0.0.0.0" || b.host_ip == "::")
                        && b.published == b.target.to_string()
                })
            })
        });
        let mut f = if same {
            Finding::new(
                &NETWORK_MODE_HOST_WITH_PORTS,
                p.span(key),
                match listens(p, ", on the same ports") {
                    Some(listens) => format!(
                        "These ports have no effect with `network_mode: host`. {listens}. Remove `ports`"
                    ),
                    None => "These ports have no effect with `network_mode: host`. The app listens directly on the host, on the same ports. Remove `ports`".to_string(),
                },
            )
            .with_severity(crate::finding::Severity::Info)
        } else {
            Finding::new(
                &NETWORK_MODE_HOST_WITH_PORTS,
                p.span(key),
                match listens(p, ", on its own port and every interface, whatever the mapping says") {
                    Some(listens) => format!(
                        "Docker discards these ports with `network_mode: host`. {listens}. Remove `ports`"
                    ),
                    None => "Docker discards these ports with `network_mode: host`. The app listens directly on the host, on its own port and every interface, whatever the mapping says. Remove `ports`".to_string(),
                },
            )
        };
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

/// Across the base and override files, as Compose merges them: `network_mode: host` in
/// one file and `ports` in the other.
pub fn check_merged(p: &Project, out: &mut Vec<Finding>) {
    let others = &p.external.other_services;
    for s in &p.services {
        for o in others
            .iter()
            .filter(|o| o.name == s.name && o.after.is_some())
        {
            let name = o
                .file
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            // `ports` here, host networking there.
            if s.network_mode.is_none()
                && !s.ports.is_empty()
                && let Some((mode, mode_span)) = &o.network_mode
                && mode == "host"
                && !(o.after == Some(true) && o.ports_replace)
                && !crate::model::compose::replaces(p, s, "network_mode")
                && let Some(key) = p.key(s, "ports")
            {
                out.push(
                    Finding::new(
                        &NETWORK_MODE_HOST_WITH_PORTS,
                        p.span(key),
                        format!(
                            "Docker discards these ports: {name} sets `network_mode: host` for `{}`. {}. Remove them, or reset them there with `ports: !reset []`",
                            s.name,
                            listens(p, "").map_or_else(
                                || "In the merged project the app listens directly on the host".to_string(),
                                |l| format!("In the merged project: {l}")
                            )
                        ),
                    )
                    .with_related_in(o.file.clone(), mode_span.clone(), "host networking is chosen here"),
                );
            }
            // Host networking here, `ports` there.
            if s.mode() == Some("host")
                && !o.ports.is_empty()
                && !(o.after == Some(false) && crate::model::compose::replaces(p, s, "ports"))
                && let Some(mode) = &s.network_mode
                && let Some(ports_key) = &o.ports_key
            {
                let mut f = Finding::new(
                    &NETWORK_MODE_HOST_WITH_PORTS,
                    p.val_span(mode),
                    format!(
                        "Docker discards the ports `{}` publishes in {name}. With `network_mode: host` they have no effect in the merged project.{}",
                        s.name,
                        if o.after == Some(false) {
                            " Add `ports: !reset []` here to drop them"
                        } else {
                            " Remove them there"
                        }
                    ),
                )
                .with_related_in(o.file.clone(), ports_key.clone(), "the ports that are discarded");
                // An override file drops the base's ports with `ports: !reset []`.
                let line_start = p.text[..p.span(mode.node).start]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                if o.after == Some(false)
                    && p.key(s, "ports").is_none()
                    && p.text[line_start..]
                        .trim_start()
                        .starts_with("network_mode")
                    && let Some(indent) = p.key_indent(s.node)
                {
                    f = f.with_fix(
                        "Add `ports: !reset []`",
                        vec![Edit {
                            range: line_start..line_start,
                            new_text: format!("{indent}ports: !reset []\n"),
                        }],
                    );
                }
                out.push(f);
            }
        }
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

    /// `"80:80"` under host mode works as written: information, not a warning.
    #[test]
    fn same_ports_only_have_no_effect() {
        let text = "services:\n  web:\n    network_mode: host\n    ports: [\"80:80\", \"443:443/udp\"]\n  local:\n    network_mode: host\n    ports: [\"127.0.0.1:9000:9000\"]\n";
        let f = crate::rules::test_support::findings(text, &[], "network-mode-host-with-ports");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(f[0].message.contains("no effect"), "{}", f[0].message);
        // A loopback address meant to restrict it: the app faces every interface instead.
        assert_eq!(f[1].severity, crate::finding::Severity::Warning);
    }

    /// Docker discards the ports on every platform; where the app listens is said for the
    /// platform the host facts give, and in today's words when it is unknown.
    #[test]
    fn under_each_platform() {
        use crate::finding::Severity;
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  web:\n    network_mode: host\n    ports: [\"8080:80\"]\n  same:\n    network_mode: host\n    ports: [\"80:80\"]\n";
        let all: Vec<_> = platforms()
            .into_iter()
            .map(|platform| findings_on(text, platform, "", "network-mode-host-with-ports"))
            .collect();
        for f in &all {
            assert_eq!(
                f.iter().map(|f| f.severity).collect::<Vec<_>>(),
                [Severity::Warning, Severity::Info]
            );
            assert!(
                f[0].message
                    .starts_with("Docker discards these ports with `network_mode: host`.")
            );
        }
        assert!(
            all[0][0]
                .message
                .contains(". The app listens directly on the host, on its own port")
        );
        assert!(all[1][0].message.contains(
            "On Docker Engine (Linux) the app listens directly on the host, on its own port"
        ));
        assert!(all[1][1].message.contains(
            "On Docker Engine (Linux) the app listens directly on the host, on the same ports"
        ));
        for (f, source) in [
            (&all[2], "from the `[host] platform` setting"),
            (&all[3], "from the Docker daemon"),
            (&all[4], "assumed: portside runs on macOS"),
        ] {
            for f in f {
                assert!(
                    f.message.contains(&format!(
                        "On Docker Desktop ({source}) the app listens inside Desktop's VM"
                    )),
                    "{}",
                    f.message
                );
                assert!(
                    f.message
                        .contains("Enable host networking (Docker Desktop 4.34 and later)")
                );
            }
        }
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
