use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::PortSpec;
use crate::model::compose::{Attachment, Project, Service};
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Opt-in (turn it on with `publish-all-interfaces = "on"`, or a level): reports every
    /// port published without a host address (or with `0.0.0.0` or `::`), unless the
    /// service's networks set `com.docker.network.bridge.host_binding_ipv4`.
    ///
    /// Publishing a web server, a proxy or a VPN on every interface is how most projects
    /// are meant to run, so this is off by default: it is for hosts where nothing should
    /// face the network unless it says so. Servers that must never face the network (no
    /// password, the Docker API) are reported by default, by `unprotected-service-published`.
    ///
    /// ## Why it matters
    /// Docker publishes such a port on every interface of the host, so every machine that
    /// can reach the host can reach the service. Published ports are routed before the
    /// host firewall sees them: `ufw deny 5432` does not protect a published 5432. That is
    /// Docker Engine on Linux (iptables); on Docker Desktop (`[host] platform`, set, read
    /// from the daemon or assumed on macOS and Windows) Desktop's own process forwards the
    /// port from the machine's addresses, and the message says so instead.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   admin:
    ///     image: adminer
    ///     ports: ["8080:8080"]
    /// ```
    ///
    /// ## Fix
    /// Bind to the loopback address, `"127.0.0.1:8080:8080"`, when only this machine needs
    /// it; or publish nothing and let other containers use the network. The quick fix is
    /// offered only where loopback cannot be what breaks the project: never for UDP ports,
    /// well-known public ports (HTTP, HTTPS, mail, DNS, VPNs) or reverse proxies and VPN
    /// servers, which exist to face the network.
    pub static PUBLISH_ALL_INTERFACES = {
        code: "publish-all-interfaces",
        severity: Info,
        applies_to: "Compose files",
        summary: "A port published on every interface, past the host firewall (opt-in)",
        opt_in: true,
        compose: [check],
    };
}

/// Host ports that exist to face the network: HTTP(S), mail, DNS, VPNs, TURN.
const PUBLIC_PORTS: &[u16] = &[
    25, 53, 80, 443, 465, 587, 993, 995, 1194, 1701, 3478, 4500, 500, 51820, 8443,
];

/// Images whose job is to face the network: reverse proxies, load balancers and VPNs.
const FRONT_IMAGES: &[&str] = &[
    "traefik",
    "caddy",
    "nginx",
    "nginx-proxy",
    "nginx-proxy-manager",
    "haproxy",
    "envoy",
    "httpd",
    "kong",
    "wireguard",
    "wg-easy",
    "openvpn",
    "openvpn-as",
    "pihole",
    "adguardhome",
    "coturn",
];

fn unspecified(ip: &str) -> bool {
    ip.is_empty() || ip == "0.0.0.0" || ip == "::"
}

/// The first binding of a port entry when it publishes on every interface.
pub(super) fn all_interfaces<'a>(
    port: &'a crate::model::compose::Port,
) -> Option<&'a ports::Binding> {
    let b = port.bindings()?.first()?;
    (unspecified(&b.host_ip) && !b.published.is_empty()).then_some(b)
}

/// Whether a network option restricts the default host address of this service's ports.
pub(super) fn restricted_by_network(p: &Project, s: &Service) -> bool {
    let Attachment::Networks(nets) = p.attachment(s) else {
        return false;
    };
    nets.iter().any(|n| {
        p.network(n)
            .and_then(|n| n.host_binding_ipv4.as_deref())
            .is_some_and(|ip| !unspecified(ip))
    })
}

/// Whether binding this port to loopback could be what breaks a working project.
fn faces_the_network(s: &Service, b: &ports::Binding) -> bool {
    let published: Option<u16> = b.published.split('-').next().and_then(|p| p.parse().ok());
    b.protocol != "tcp"
        || published.is_some_and(|p| PUBLIC_PORTS.contains(&p))
        || s.image_name().is_some_and(|i| FRONT_IMAGES.contains(&i))
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.network_mode.is_some()
            || restricted_by_network(p, s)
            || super::unprotected_service_published::reported(p, s)
        {
            continue;
        }
        for port in &s.ports {
            let Some(b) = all_interfaces(port) else {
                continue;
            };
            let who = if b.host_ip == "::" {
                "every IPv6 interface"
            } else {
                "every interface"
            };
            let message = match p.host.platform {
                None => format!(
                    "Host port {} is published on {who}, past the host firewall. Neither ufw nor firewalld filters published ports. Bind it to 127.0.0.1 if only this machine needs it",
                    b.published
                ),
                Some(f) if f.platform == crate::config::Platform::Engine => format!(
                    "Host port {} is published on {who}, past the host firewall. On Docker Engine (Linux) neither ufw nor firewalld filters published ports. Bind it to 127.0.0.1 if only this machine needs it",
                    b.published
                ),
                Some(f) => format!(
                    "Host port {} is published on {who}. Docker Desktop ({}) forwards it from this machine's addresses. Bind it to 127.0.0.1 if only this machine needs it",
                    b.published,
                    f.source_words()
                ),
            };
            let mut f = Finding::new(&PUBLISH_ALL_INTERFACES, p.port_span(port), message);
            if !faces_the_network(s, b)
                && let Some(edit) = loopback_edit(p, port)
            {
                f = f.with_fix("Publish on 127.0.0.1 only", vec![edit]);
            }
            out.push(f);
        }
    }
}

/// Puts `127.0.0.1` where the host address goes.
pub(super) fn loopback_edit(p: &Project, port: &crate::model::compose::Port) -> Option<Edit> {
    match &port.spec {
        PortSpec::Short(v) if !v.interpolated() => {
            let parts = ports::spec_parts(&v.value);
            if parts.ip.is_empty() {
                let at = p.raw_span(v, 0..0)?;
                // A plain number must become a string.
                if p.yaml.node(v.node).span.start == at.start
                    && v.value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Some(Edit {
                        range: p.span(v.node),
                        new_text: format!("\"127.0.0.1:{}\"", v.value),
                    });
                }
                Some(Edit {
                    range: at,
                    new_text: "127.0.0.1:".to_string(),
                })
            } else {
                Some(Edit {
                    range: p.raw_span(v, parts.ip)?,
                    new_text: "127.0.0.1".to_string(),
                })
            }
        }
        PortSpec::Long(long) => match &long.host_ip {
            Some(ip) if !ip.interpolated() => Some(Edit {
                range: p.raw_span(ip, 0..ip.value.len())?,
                new_text: "127.0.0.1".to_string(),
            }),
            Some(_) => None,
            None => {
                let indent = p.key_indent(port.item)?;
                let first_key = p.yaml.entries(port.item).first()?.key;
                let start = p.span(first_key).start;
                Some(Edit {
                    range: start..start,
                    new_text: format!("host_ip: 127.0.0.1\n{indent}"),
                })
            }
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// The firewall claim is Docker Engine's: said as such when the platform is Engine,
    /// replaced by Desktop's forwarding on Docker Desktop (whatever the source), unchanged
    /// when the platform is unknown. The finding itself is the same everywhere.
    #[test]
    fn under_each_platform() {
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  admin:\n    image: adminer\n    ports: [\"8080:8080\"]\n";
        let messages: Vec<String> = platforms()
            .into_iter()
            .map(|platform| {
                let f = findings_on(
                    text,
                    platform,
                    "[rules]\npublish-all-interfaces = \"on\"\n",
                    "publish-all-interfaces",
                );
                assert_eq!(f.len(), 1, "{platform:?}");
                f[0].message.clone()
            })
            .collect();
        assert!(
            messages[0].contains("past the host firewall. Neither ufw nor firewalld"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("On Docker Engine (Linux) neither ufw nor firewalld"),
            "{}",
            messages[1]
        );
        for m in &messages[2..] {
            assert!(
                m.contains("forwards it from this machine's addresses") && !m.contains("firewall"),
                "{m}"
            );
        }
        assert!(messages[4].contains("Docker Desktop (assumed: portside runs on macOS)"));
    }

    use crate::analysis::{Context, analyze_with};
    use crate::classify::FileKind;
    use crate::finding::{Finding, Severity, apply_fixes};

    const CODE: &str = "publish-all-interfaces";

    /// The rule's findings with it turned on (`level`), and the text after its fixes.
    fn on(text: &str, level: &str) -> (Vec<Finding>, String) {
        let (rules, problems) = crate::config::RuleSettings::from_toml(
            &format!("[rules]\n{CODE} = \"{level}\"\n"),
            crate::rules::known(),
        );
        assert!(problems.is_empty(), "{problems:?}");
        let ctx = Context {
            rules,
            ..Context::default()
        };
        let f: Vec<Finding> = analyze_with(FileKind::Compose, text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == CODE)
            .collect();
        let (fixed, _) = apply_fixes(text, &f);
        (f, fixed)
    }

    fn flagged_on(text: &str) -> Vec<&str> {
        on(text, "on")
            .0
            .iter()
            .map(|f| &text[f.range.clone()])
            .collect()
    }

    #[test]
    fn off_by_default() {
        let text = "services:\n  web:\n    ports: [\"8080:80\"]\n";
        assert!(crate::rules::test_support::flagged(text, CODE).is_empty());
    }

    #[test]
    fn published_everywhere_when_turned_on() {
        let text = "services:\n  web:\n    ports: [\"8080:80\", \"127.0.0.1:8443:443\", \"0.0.0.0:8081:81\", \"9000\"]\n  db:\n    image: postgres:16\n    environment: [POSTGRES_PASSWORD=x]\n    ports:\n      - \"5432:5432\"\n  api:\n    ports:\n      - target: 3000\n        published: 3000\n";
        assert_eq!(
            flagged_on(text),
            [
                "\"8080:80\"",
                "\"0.0.0.0:8081:81\"",
                "\"5432:5432\"",
                "target"
            ]
        );
        let (f, _) = on(text, "on");
        // Its own severity is info, whatever the port: the level decides the rest.
        assert!(f.iter().all(|f| f.severity == Severity::Info));
        let (f, _) = on(text, "warning");
        assert!(f.iter().all(|f| f.severity == Severity::Warning));
    }

    #[test]
    fn fixes_bind_to_loopback() {
        let text = "services:\n  web:\n    ports: [\"8080:80\", \"0.0.0.0:8081:81\", 8082:82]\n  api:\n    ports:\n      - target: 3000\n        published: 3000\n";
        let (_, fixed) = on(text, "on");
        assert!(
            fixed.contains("[\"127.0.0.1:8080:80\", \"127.0.0.1:8081:81\", 127.0.0.1:8082:82]"),
            "{fixed}"
        );
        assert!(
            fixed.contains("      - host_ip: 127.0.0.1\n        target: 3000\n"),
            "{fixed}"
        );
    }

    /// A fix must never break what works: public ports, UDP, proxies and VPNs face the
    /// network on purpose.
    #[test]
    fn no_fix_where_loopback_breaks_the_project() {
        let text = "services:\n  proxy:\n    image: traefik:v3\n    ports: [\"8080:8080\"]\n  web:\n    ports: [\"80:80\", \"443:443\"]\n  vpn:\n    image: lscr.io/linuxserver/wireguard\n    ports: [\"51820:51820/udp\"]\n  dns:\n    ports: [\"5353:53/udp\"]\n";
        let (f, _) = on(text, "on");
        assert_eq!(f.len(), 5);
        assert!(f.iter().all(|f| f.fixes.is_empty()), "{f:?}");
    }

    #[test]
    fn a_network_option_restricts_it() {
        let text = "services:\n  web:\n    ports: [\"8080:80\"]\nnetworks:\n  default:\n    driver_opts:\n      com.docker.network.bridge.host_binding_ipv4: \"127.0.0.1\"\n";
        assert!(flagged_on(text).is_empty());
    }

    /// A server without a password is `unprotected-service-published`'s, once.
    #[test]
    fn unprotected_servers_are_reported_once() {
        let text = "services:\n  cache:\n    image: redis:7\n    ports: [\"6379:6379\"]\n";
        assert!(flagged_on(text).is_empty());
    }
}
