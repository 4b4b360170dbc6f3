use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// When the Docker daemon is known to run rootless (`rootless = true` in the `[host]`
    /// section of `portside.toml` or the editor's `host` setting), reports a published
    /// host port below `net.ipv4.ip_unprivileged_port_start` (given as
    /// `unprivileged-port-start`, else read from the host's `/proc`, else 1024).
    /// `portside probe` checks the same against the running daemon.
    ///
    /// Rootless is a fact of Docker Engine on Linux: on Docker Desktop (`[host] platform`,
    /// set or read from the live daemon) Desktop publishes the ports from its own process
    /// and the rule says nothing. A platform only guessed from the OS does not outweigh an
    /// explicit `rootless = true`.
    ///
    /// ## Why it matters
    /// A rootless daemon binds host ports as your user, and the kernel reserves ports below
    /// `ip_unprivileged_port_start` for root: `docker compose up` fails with `error starting
    /// userland proxy: listen tcp4 0.0.0.0:80: bind: permission denied`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    ///     ports: ["80:80"]
    /// ```
    ///
    /// ## Fix
    /// Publish a port at or above the limit (`"8080:80"`), or lower the limit on the host:
    /// `sudo sysctl net.ipv4.ip_unprivileged_port_start=80` (or give rootlesskit
    /// `cap_net_bind_service`).
    pub static ROOTLESS_PRIVILEGED_PORT = {
        code: "rootless-privileged-port",
        severity: Error,
        applies_to: "Compose files (when the daemon is known to be rootless)",
        summary: "Rootless Docker cannot publish host ports below 1024",
        compose: [check],
    };
}

/// The message for host port `port` under the limit `start` (shared with `portside probe`).
pub fn message(port: u16, start: u16) -> String {
    format!(
        "Rootless Docker cannot bind host port {port}, so `up` fails with \"bind: permission denied\". Ports below {start} (net.ipv4.ip_unprivileged_port_start) need root. Publish {} or higher, or `sudo sysctl net.ipv4.ip_unprivileged_port_start={port}`",
        start.max(1024)
    )
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    if p.host.rootless != Some(true) || p.host.desktop_certain() {
        return;
    }
    let start = p.host.unprivileged_port_start.unwrap_or(1024);
    for s in &p.services {
        if s.network_mode.is_some() {
            continue;
        }
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            // A fixed port, or the low end of a range (`80-81:80-81`, `8000-8010:80`).
            let low = bindings
                .iter()
                .filter_map(|b| b.published.split('-').next()?.parse::<u16>().ok())
                .filter(|&p| p != 0 && p < start)
                .min();
            if let Some(low) = low {
                out.push(Finding::new(
                    &ROOTLESS_PRIVILEGED_PORT,
                    p.port_span(port),
                    message(low, start),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::FileKind;
    use crate::rules::test_support::findings_with_settings;

    #[test]
    fn privileged_ports_when_rootless() {
        let text = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\", \"8080:80\", \"127.0.0.1:443:443\", \"1000-1001:80-81\", \"8443\"]\n  host:\n    network_mode: host\n    ports: [\"80:80\"]\n";
        let at = |settings: &str| -> Vec<String> {
            findings_with_settings(
                FileKind::Compose,
                text,
                settings,
                "rootless-privileged-port",
            )
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect()
        };
        assert!(at("").is_empty());
        assert!(at("[host]\nrootless = false\n").is_empty());
        assert_eq!(
            at("[host]\nrootless = true\nunprivileged-port-start = 1024\n"),
            ["\"80:80\"", "\"127.0.0.1:443:443\"", "\"1000-1001:80-81\""]
        );
        assert_eq!(
            at("[host]\nrootless = true\nunprivileged-port-start = 443\n"),
            ["\"80:80\""]
        );
        let f = findings_with_settings(
            FileKind::Compose,
            text,
            "[host]\nrootless = true\nunprivileged-port-start = 1024\n",
            "rootless-privileged-port",
        );
        assert!(
            f[0].message
                .starts_with("Rootless Docker cannot bind host port 80")
        );
    }

    /// Rootless facts are Docker Engine's: on Docker Desktop (set or from the daemon) the
    /// rule is silent; a guess from the OS does not outweigh `rootless = true`.
    #[test]
    fn under_each_platform() {
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n";
        let counts: Vec<usize> = platforms()
            .into_iter()
            .map(|platform| {
                findings_on(
                    text,
                    platform,
                    "[host]\nrootless = true\nunprivileged-port-start = 1024\n",
                    "rootless-privileged-port",
                )
                .len()
            })
            .collect();
        assert_eq!(counts, [1, 1, 0, 0, 1]);
    }
}
