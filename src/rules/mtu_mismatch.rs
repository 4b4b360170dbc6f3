use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::daemon::Daemon;
use crate::syntax::json::JsonKind;

declare_rule! {
    /// ## What it does
    /// When the host's uplink MTU is known to be below 1500 (`mtu = 1420` in the `[host]`
    /// section of `portside.toml`, or the editor's `host` setting: a VPN, WireGuard,
    /// OpenStack VXLAN), reports a daemon.json without `mtu` (or with a larger one), and
    /// Compose bridge networks without a `com.docker.network.driver.mtu` driver option that
    /// fits.
    ///
    /// ## Why it matters
    /// Docker does not inherit the uplink's MTU: containers send 1500-byte packets that the
    /// tunnel drops. Small requests work; large transfers and TLS handshakes hang (`apt-get
    /// update` stuck at "Waiting for headers", `git fetch` stalls).
    ///
    /// ## Example
    /// ```toml
    /// # portside.toml
    /// [host]
    /// mtu = 1420
    /// ```
    /// ```json
    /// {"bip": "10.200.0.1/24"}
    /// ```
    ///
    /// ## Fix
    /// daemon.json: `"mtu": 1420` (the default bridge) and `"default-network-opts":
    /// {"bridge": {"com.docker.network.driver.mtu": "1420"}}`; Compose: `driver_opts:
    /// {com.docker.network.driver.mtu: 1420}` on the network.
    pub static MTU_MISMATCH = {
        code: "mtu-mismatch",
        severity: Info,
        applies_to: "daemon.json, Compose files (when the host's MTU is set)",
        summary: "Containers use MTU 1500 on a host whose uplink is smaller",
        compose: [check],
        daemon: [check_daemon],
    };
}

fn too_big(value: Option<&str>, host: u32) -> bool {
    value
        .and_then(|v| v.trim().parse::<u32>().ok())
        .is_none_or(|m| m > host)
}

pub fn check_daemon(text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    let Some(host) = d.host.mtu.filter(|&m| m < 1500) else {
        return;
    };
    match d.get("mtu") {
        Some(e) => {
            let JsonKind::Number(n) = &e.value.kind else {
                return;
            };
            if !too_big(Some(n), host) {
                return;
            }
            out.push(
                Finding::new(
                    &MTU_MISMATCH,
                    e.value.span.clone(),
                    format!("The host's uplink MTU is {host} but the default bridge uses {n}. Large packets are dropped and big transfers hang. Set \"mtu\": {host}"),
                )
                .with_fix(
                    format!("Set \"mtu\": {host}"),
                    vec![Edit {
                        range: e.value.span.clone(),
                        new_text: host.to_string(),
                    }],
                ),
            );
        }
        None => {
            let Some(brace) = text.find('{') else { return };
            let f = Finding::new(
                &MTU_MISMATCH,
                brace..brace + 1,
                format!(
                    "The host's uplink MTU is {host} but containers use 1500. Large packets are dropped and big transfers hang. Add \"mtu\": {host} (and the same `com.docker.network.driver.mtu` in `default-network-opts.bridge`)"
                ),
            );
            let sep = if d.entries.is_empty() { "" } else { "," };
            out.push(f.with_fix(
                format!("Add \"mtu\": {host}"),
                vec![Edit {
                    range: brace + 1..brace + 1,
                    new_text: format!("\n  \"mtu\": {host}{sep}"),
                }],
            ));
        }
    }
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let Some(host) = p.host.mtu.filter(|&m| m < 1500) else {
        return;
    };
    for n in &p.networks {
        let bridge = n.driver.as_ref().is_none_or(|d| d.value == "bridge");
        if n.external || !bridge || !too_big(n.mtu.as_deref(), host) {
            continue;
        }
        out.push(Finding::new(
            &MTU_MISMATCH,
            p.span(n.key),
            format!(
                "The host's uplink MTU is {host} but network `{}` uses {}. Large packets are dropped and big transfers hang. Add `driver_opts: {{com.docker.network.driver.mtu: {host}}}`",
                n.name,
                n.mtu.as_deref().unwrap_or("1500")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::classify::FileKind;
    use crate::rules::test_support::findings_with_settings;

    const HOST: &str = "[host]\nmtu = 1420\n";

    #[test]
    fn daemon_json() {
        let run = |text: &str, settings: &str| {
            findings_with_settings(FileKind::DaemonJson, text, settings, "mtu-mismatch")
        };
        assert!(run("{\"bip\": \"10.1.0.1/24\"}", "").is_empty());
        assert!(run("{\"mtu\": 1400}", HOST).is_empty());
        assert!(run("{}", "[host]\nmtu = 1500\n").is_empty());
        let f = run("{\"mtu\": 1500}", HOST);
        assert_eq!(f[0].range, 8..12);
        let (fixed, _) = crate::finding::apply_fixes("{\"mtu\": 1500}", &f);
        assert_eq!(fixed, "{\"mtu\": 1420}");
        for text in ["{}", "{\"bip\": \"10.1.0.1/24\"}"] {
            let f = run(text, HOST);
            assert_eq!(f.len(), 1);
            let (fixed, _) = crate::finding::apply_fixes(text, &f);
            assert!(
                serde_json::from_str::<serde_json::Value>(&fixed).is_ok(),
                "{fixed}"
            );
            assert!(run(&fixed, HOST).is_empty(), "{fixed}");
        }
    }

    #[test]
    fn compose_networks() {
        let text = "services:\n  a: {image: x, networks: [front, back, ok, ov]}\nnetworks:\n  front: {}\n  back:\n    driver_opts:\n      com.docker.network.driver.mtu: 1500\n  ok:\n    driver_opts:\n      com.docker.network.driver.mtu: \"1400\"\n  ov:\n    driver: overlay\n  ext:\n    external: true\n";
        let at: Vec<_> = findings_with_settings(FileKind::Compose, text, HOST, "mtu-mismatch")
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect();
        assert_eq!(at, ["front", "back"]);
        assert!(findings_with_settings(FileKind::Compose, text, "", "mtu-mismatch").is_empty());
    }
}
