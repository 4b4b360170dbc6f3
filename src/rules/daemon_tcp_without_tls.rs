use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::refs::is_loopback;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports a TCP address in `hosts` (`tcp://0.0.0.0:2375`, `:2375`) when the API does
    /// not require client certificates (`tlsverify` is not true, and `tls` does not imply
    /// it). Critical (an error) for addresses other machines can reach; a warning on
    /// loopback.
    ///
    /// ## Why it matters
    /// The Docker API is root on the host: anyone who reaches the socket can start a
    /// privileged container that mounts `/`. dockerd itself warns `Binding to IP address
    /// without --tlsverify is insecure and gives root access on this machine to everyone
    /// who has access to your network`. Exposed port 2375 is scanned for on the internet.
    ///
    /// ## Example
    /// ```json
    /// {"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"]}
    /// ```
    ///
    /// ## Fix
    /// Use SSH (`DOCKER_HOST=ssh://user@host`) instead of TCP, or require client
    /// certificates: `"tlsverify": true` with `tlscacert`, `tlscert`, `tlskey`, on port 2376.
    pub static DAEMON_TCP_WITHOUT_TLS = {
        code: "daemon-tcp-without-tls",
        severity: Error,
        applies_to: "daemon.json",
        summary: "The API on TCP without TLS client verification",
        daemon: [check_daemon],
    };
}

/// The host of a `hosts` entry that is TCP: `tcp://h:p`, `h:p`, `:p`, `h:`.
fn tcp_host(entry: &str) -> Option<&str> {
    let rest = match entry.split_once("://") {
        Some(("tcp" | "http", rest)) => rest,
        Some(_) => return None,
        None if entry.contains(':') => entry,
        None => return None,
    };
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    Some(host.trim_start_matches('[').trim_end_matches(']'))
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let verify = match (d.bool("tlsverify"), d.bool("tls")) {
        (Some((v, _)), _) => v,
        (None, Some((tls, _))) => tls,
        (None, None) => false,
    };
    if verify {
        return;
    }
    for (entry, span) in d.strings("hosts") {
        let Some(host) = tcp_host(entry) else {
            continue;
        };
        let local = !host.is_empty() && host != "0.0.0.0" && is_loopback(host);
        let (severity, message) = if local {
            (
                Severity::Warning,
                format!(
                    "The Docker API on {entry} has no TLS client verification. Every local user and process gets root on this host through it. Prefer the Unix socket"
                ),
            )
        } else {
            (
                Severity::Error,
                format!(
                    "Critical: the Docker API on {entry} has no TLS client verification. Anyone who can reach this port is root on the host. Use SSH, or \"tlsverify\": true with certificates on 2376"
                ),
            )
        };
        out.push(Finding::new(&DAEMON_TCP_WITHOUT_TLS, span, message).with_severity(severity));
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn tcp_sockets() {
        let f = findings(
            "{\"hosts\": [\"unix:///var/run/docker.sock\", \"tcp://0.0.0.0:2375\", \"tcp://127.0.0.1:2375\", \":2375\", \"fd://\"]}",
            "daemon-tcp-without-tls",
        );
        let sev: Vec<_> = f.iter().map(|f| f.severity).collect();
        assert_eq!(sev, [Severity::Error, Severity::Warning, Severity::Error]);
        assert!(
            findings(
                "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tlsverify\": true}",
                "daemon-tcp-without-tls"
            )
            .is_empty()
        );
        assert!(
            findings(
                "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tls\": true}",
                "daemon-tcp-without-tls"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                "{\"hosts\": [\"tcp://0.0.0.0:2376\"], \"tls\": true, \"tlsverify\": false}",
                "daemon-tcp-without-tls"
            )
            .len(),
            1
        );
    }
}
