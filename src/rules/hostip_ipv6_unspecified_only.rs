use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::PortSpec;
use crate::model::compose::Project;
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Reports a port published on `::` (`"[::]:8080:80"` or `host_ip: "::"`).
    ///
    /// ## Why it matters
    /// `::` means every IPv6 address and nothing else: IPv4 clients, including
    /// `curl http://127.0.0.1:8080`, are refused. An empty host address (or `0.0.0.0`)
    /// publishes on IPv4 and IPv6.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["[::]:8080:80"]
    /// ```
    ///
    /// ## Fix
    /// Drop the address (`"8080:80"`) for both families, or add an IPv4 entry.
    pub static HOSTIP_IPV6_UNSPECIFIED_ONLY = {
        code: "hostip-ipv6-unspecified-only",
        severity: Info,
        applies_to: "Compose files",
        summary: "A port published on IPv6 only (`::`)",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            if bindings.first().is_none_or(|b| b.host_ip != "::") {
                continue;
            }
            let (range, edit) = match &port.spec {
                PortSpec::Short(v) => {
                    let parts = ports::spec_parts(&v.value);
                    let range = p.value_span(v, parts.ip.clone());
                    // Remove the address and its colon.
                    let edit = (!v.interpolated())
                        .then(|| p.raw_span(v, parts.ip.start..parts.ip.end + 1))
                        .flatten()
                        .map(|r| Edit {
                            range: r,
                            new_text: String::new(),
                        });
                    (range, edit)
                }
                PortSpec::Long(long) => (
                    long.host_ip
                        .as_ref()
                        .map_or(p.span(port.item), |h| p.span(h.node)),
                    None,
                ),
                PortSpec::Other => continue,
            };
            let mut f = Finding::new(
                &HOSTIP_IPV6_UNSPECIFIED_ONLY,
                range,
                "`::` publishes on IPv6 only: IPv4 clients such as 127.0.0.1 are refused. Leave the address out to publish on both",
            );
            if let Some(edit) = edit {
                f = f.with_fix("Publish on IPv4 and IPv6", vec![edit]);
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn ipv6_any() {
        let text = "services:\n  a:\n    ports: [\"[::]:8080:80\", \":::8081:81\", \"[::1]:8082:82\"]\n  b:\n    ports:\n      - target: 80\n        published: 80\n        host_ip: \"::\"\n";
        assert_eq!(
            flagged(text, "hostip-ipv6-unspecified-only"),
            ["[::]", "::", "\"::\""]
        );
    }
}
