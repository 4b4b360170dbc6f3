use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::daemon::Daemon;

declare_rule! {
    /// ## What it does
    /// When the host is known to route traffic for others (`router = true` in the `[host]`
    /// section of `portside.toml`, or the editor's `host` setting: a VPN gateway, VMs,
    /// Kubernetes), reports a daemon.json that lets Docker enable IP forwarding without
    /// `"ip-forward-no-drop": true`.
    ///
    /// ## Why it matters
    /// When dockerd turns IP forwarding on, it also sets the iptables FORWARD policy to
    /// DROP (always for IPv6 before Engine 28.0). After installing Docker, libvirt/LXD VMs,
    /// a WireGuard gateway or routed LAN traffic through the host stop working.
    ///
    /// ## Example
    /// ```json
    /// {"bip": "10.200.0.1/24"}
    /// ```
    ///
    /// ## Fix
    /// `"ip-forward-no-drop": true` (Engine 28.0 and later; the quick fix), or allow the
    /// routed traffic in the `DOCKER-USER` chain: `iptables -I DOCKER-USER -i wg0 -o eth0 -j
    /// ACCEPT`.
    pub static DAEMON_FORWARD_DROP = {
        code: "daemon-forward-drop",
        severity: Info,
        applies_to: "daemon.json (when the host is a router)",
        summary: "Docker sets the FORWARD policy to DROP on a host that routes",
        daemon: [check_daemon],
    };
}

pub fn check_daemon(text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    if !d.host.router
        || matches!(d.bool("ip-forward"), Some((false, _)))
        || matches!(d.bool("ip-forward-no-drop"), Some((true, _)))
        || matches!(d.bool("iptables"), Some((false, _)))
    {
        return;
    }
    let message = "Routed traffic (VMs, VPN clients, the LAN) stops passing when dockerd enables IP forwarding. This host routes traffic, and dockerd then sets the FORWARD policy to DROP. Add \"ip-forward-no-drop\": true (Engine 28.0+) or accept that traffic in DOCKER-USER";
    let f = match d.get("ip-forward-no-drop") {
        Some(e) => Finding::new(&DAEMON_FORWARD_DROP, e.value.span.clone(), message).with_fix(
            "Set \"ip-forward-no-drop\": true",
            vec![Edit {
                range: e.value.span.clone(),
                new_text: "true".into(),
            }],
        ),
        None => {
            let Some(brace) = text.find('{') else { return };
            let sep = if d.entries.is_empty() { "" } else { "," };
            Finding::new(&DAEMON_FORWARD_DROP, brace..brace + 1, message).with_fix(
                "Add \"ip-forward-no-drop\": true",
                vec![Edit {
                    range: brace + 1..brace + 1,
                    new_text: format!("\n  \"ip-forward-no-drop\": true{sep}"),
                }],
            )
        }
    };
    out.push(f);
}

#[cfg(test)]
mod tests {
    use crate::classify::FileKind;
    use crate::rules::test_support::findings_with_settings;

    #[test]
    fn router_hosts() {
        let router = "[host]\nrouter = true\n";
        let run = |text: &str, settings: &str| {
            findings_with_settings(FileKind::DaemonJson, text, settings, "daemon-forward-drop")
        };
        assert!(run("{}", "").is_empty());
        assert!(run("{\"ip-forward-no-drop\": true}", router).is_empty());
        assert!(run("{\"ip-forward\": false}", router).is_empty());
        for text in ["{}", "{\"debug\": true}", "{\"ip-forward-no-drop\": false}"] {
            let f = run(text, router);
            assert_eq!(f.len(), 1, "{text}");
            let (fixed, _) = crate::finding::apply_fixes(text, &f);
            assert!(
                serde_json::from_str::<serde_json::Value>(&fixed).is_ok(),
                "{fixed}"
            );
            assert!(run(&fixed, router).is_empty(), "{fixed}");
        }
    }
}
