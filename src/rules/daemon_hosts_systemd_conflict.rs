use super::declare_rule;
use crate::finding::Finding;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports `hosts` in daemon.json, which conflicts with the `-H fd://` that the stock
    /// systemd unit (docker.service) passes on most Linux distributions.
    ///
    /// ## Why it matters
    /// dockerd refuses an option given both as a flag and in the file, whatever the values:
    /// `the following directives are specified both as a flag and in the configuration
    /// file: hosts: (from flag: [fd://], from file: [tcp://0.0.0.0:2375])`, and the daemon
    /// does not start.
    ///
    /// ## Example
    /// ```json
    /// {"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}
    /// ```
    ///
    /// ## Fix
    /// Keep `hosts` here and clear the flag with a drop-in
    /// (`/etc/systemd/system/docker.service.d/override.conf`: `[Service]`, `ExecStart=`,
    /// `ExecStart=/usr/bin/dockerd`), or remove `hosts` and change the unit instead.
    pub static DAEMON_HOSTS_SYSTEMD_CONFLICT = {
        code: "daemon-hosts-systemd-conflict",
        severity: Warning,
        applies_to: "daemon.json",
        summary: "`hosts` fights systemd's `-H fd://`",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if let Some(e) = d.get("hosts") {
        out.push(Finding::new(
            &DAEMON_HOSTS_SYSTEMD_CONFLICT,
            e.key_span.clone(),
            "On systemd distributions dockerd does not start with `hosts` set here. docker.service starts dockerd with -H fd://, and dockerd refuses `hosts` given both as a flag and here (\"the following directives are specified both as a flag and in the configuration file: hosts\"). Clear the flag with a systemd drop-in, or move the hosts to the unit",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn hosts_key() {
        assert_eq!(
            findings(
                "{\"hosts\": [\"unix:///var/run/docker.sock\"]}",
                "daemon-hosts-systemd-conflict"
            )
            .len(),
            1
        );
        assert!(findings("{\"debug\": true}", "daemon-hosts-systemd-conflict").is_empty());
    }
}
