use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::knowledge::daemon_keys;
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// Reports a daemon.json key that dockerd does not know, as dockerd checks it (members
    /// of objects such as `proxies` count as top-level keys), with a suggestion for the
    /// usual mistakes (`tls-verify`, singular `insecure-registry`, `graph`, ...).
    ///
    /// ## Why it matters
    /// dockerd refuses to start: `unable to configure the Docker daemon with file
    /// /etc/docker/daemon.json: the following directives don't match any configuration
    /// option: tls-verify`. Nothing of the file applies, and every container stays down.
    ///
    /// ## Example
    /// ```json
    /// {"tls-verify": true, "insecure-registry": ["registry.local:5000"]}
    /// ```
    ///
    /// ## Fix
    /// Use the key dockerd knows (`tlsverify`, `insecure-registries`); the quick fix
    /// renames it. `dockerd --validate` checks a file before a restart.
    pub static DAEMON_UNKNOWN_KEY = {
        code: "daemon-unknown-key",
        severity: Error,
        applies_to: "daemon.json",
        summary: "A daemon.json key dockerd does not know",
        daemon: [check_daemon],
    };
}

/// Keys dockerd accepts without a flag.
const SKIPPED: &[&str] = &[
    "features",
    "builder",
    "min-api-version",
    "deprecated-key-path",
    "allow-nondistributable-artifacts",
];

/// Usual mistakes and what they meant.
const RENAMES: &[(&str, &str)] = &[
    ("tls-verify", "tlsverify"),
    ("insecure-registry", "insecure-registries"),
    ("registry-mirror", "registry-mirrors"),
    ("dns-opt", "dns-opts"),
    ("label", "labels"),
    ("host", "hosts"),
    ("log-opt", "log-opts"),
    ("storage-opt", "storage-opts"),
    ("exec-opt", "exec-opts"),
    ("default-address-pool", "default-address-pools"),
    ("default-ulimit", "default-ulimits"),
    ("graph", "data-root"),
    ("authorization-plugin", "authorization-plugins"),
];

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    for e in &d.entries {
        if daemon_keys::find(e.key).is_some() || SKIPPED.contains(&e.key) {
            continue;
        }
        let suggestion = RENAMES
            .iter()
            .find(|(from, _)| *from == e.key)
            .map(|(_, to)| *to)
            .or_else(|| super::did_you_mean(e.key, daemon_keys::KEYS.iter().map(|k| k.name)));
        let mut message = format!(
            "dockerd will not start: `{key}` is not one of its options. It fails with \"the following directives don't match any configuration option: {key}\"",
            key = e.key
        );
        if let Some(s) = suggestion {
            message.push_str(&format!(". Did you mean `{s}`?"));
        }
        let mut f = Finding::new(&DAEMON_UNKNOWN_KEY, e.key_span.clone(), message);
        if let Some(s) = suggestion {
            f = f.with_fix(
                format!("Rename to `{s}`"),
                vec![Edit {
                    range: crate::model::daemon::inner(&e.key_span),
                    new_text: s.to_string(),
                }],
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn unknown_keys() {
        let f = findings(
            "{\"tls-verify\": true, \"debgu\": true, \"proxies\": {\"http-proxy\": \"x\", \"htp-proxy\": \"y\"}, \"log-opts\": {\"max-size\": \"1m\"}}",
            "daemon-unknown-key",
        );
        assert_eq!(f.len(), 3);
        assert!(
            f[0].message.contains(
                "don't match any configuration option: tls-verify\". Did you mean `tlsverify`?"
            ),
            "{}",
            f[0].message
        );
        assert!(f[1].message.contains("Did you mean `debug`?"));
        assert!(f[2].message.contains("htp-proxy"));
        assert_eq!(f[0].fixes[0].edits[0].new_text, "tlsverify");
    }
}
