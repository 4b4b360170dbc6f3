use super::declare_rule;
use crate::finding::{Edit, Finding, Severity};
use crate::knowledge::daemon_keys::{self, Ty};
use crate::model::daemon::Daemon;
use crate::syntax::json::JsonKind;

declare_rule! {
    /// ## What it does
    /// Checks each daemon.json value against the type dockerd expects (booleans are
    /// `true`/`false`, not `"true"`; lists are arrays; `mtu` is an integer), and `mtu` and
    /// the `dns` servers for values dockerd refuses or that break networking.
    ///
    /// ## Why it matters
    /// A wrong type stops dockerd at start: `invalid JSON: json: cannot unmarshal string
    /// into Go struct field ... of type bool`. A negative MTU is `invalid default MTU`;
    /// below 68 or above 65535 no interface accepts it; `dns` entries must be IP addresses.
    ///
    /// ## Example
    /// ```json
    /// {"iptables": "false", "dns": "8.8.8.8", "mtu": 70000}
    /// ```
    ///
    /// ## Fix
    /// Write the type dockerd expects: `"iptables": false` (the quick fix), `"dns":
    /// ["8.8.8.8"]`, an MTU such as 1400.
    pub static DAEMON_INVALID_VALUE = {
        code: "daemon-invalid-value",
        severity: Error,
        applies_to: "daemon.json",
        summary: "A daemon.json value of the wrong type or out of range",
        daemon: [check_daemon],
    };
}

fn json_type(kind: &JsonKind) -> &'static str {
    match kind {
        JsonKind::Null => "null",
        JsonKind::Bool(_) => "a boolean",
        JsonKind::Number(_) => "a number",
        JsonKind::String(_) => "a string",
        JsonKind::Array(_) => "a list",
        JsonKind::Object(_) => "an object",
    }
}

pub fn check_daemon(_text: &str, d: &Daemon, out: &mut Vec<Finding>) {
    for e in &d.entries {
        let Some(key) = daemon_keys::find(e.key) else {
            continue;
        };
        let ok = match (key.ty, &e.value.kind) {
            (Ty::Bool, JsonKind::Bool(_)) => true,
            (Ty::Int, JsonKind::Number(n)) => n.parse::<i64>().is_ok(),
            (Ty::Str, JsonKind::String(_)) => true,
            (Ty::StrList, JsonKind::Array(items)) => {
                items.iter().all(|i| matches!(i.kind, JsonKind::String(_)))
            }
            (Ty::Object | Ty::Flattened, JsonKind::Object(_)) => true,
            (Ty::PoolList, JsonKind::Array(_)) => true,
            _ => false,
        };
        if !ok {
            let mut f = Finding::new(
                &DAEMON_INVALID_VALUE,
                e.value.span.clone(),
                format!(
                    "dockerd will not start: `{}` must be {}, not {}",
                    e.key,
                    key.ty.describe(),
                    json_type(&e.value.kind)
                ),
            );
            if let (Ty::Bool, JsonKind::String(s)) = (key.ty, &e.value.kind)
                && matches!(s.as_str(), "true" | "false")
            {
                f = f.with_fix(
                    format!("Use the boolean {s}"),
                    vec![Edit {
                        range: e.value.span.clone(),
                        new_text: s.clone(),
                    }],
                );
            }
            out.push(f);
            continue;
        }
        if e.key == "mtu"
            && let JsonKind::Number(n) = &e.value.kind
            && let Ok(mtu) = n.parse::<i64>()
        {
            if mtu < 0 {
                out.push(Finding::new(
                    &DAEMON_INVALID_VALUE,
                    e.value.span.clone(),
                    format!("dockerd will not start: \"invalid default MTU: {mtu}\""),
                ));
            } else if !(68..=65535).contains(&mtu) {
                out.push(
                    Finding::new(&DAEMON_INVALID_VALUE, e.value.span.clone(), format!("MTU {mtu} is outside 68-65535: the default bridge cannot use it. Typical values are 1500, or 1400-1450 behind VPNs and clouds"))
                        .with_severity(Severity::Warning),
                );
            }
        }
    }
    for (addr, span) in d.strings("dns") {
        if addr.parse::<std::net::IpAddr>().is_err() {
            out.push(Finding::new(&DAEMON_INVALID_VALUE, span, format!("dockerd will not start: `dns` entries must be IP addresses, and `{addr}` is not one")));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::daemon_findings as findings;

    #[test]
    fn types_mtu_and_dns() {
        let f = findings(
            "{\"iptables\": \"false\", \"dns\": \"8.8.8.8\", \"mtu\": 70000, \"labels\": [\"a=b\"], \"debug\": true}",
            "daemon-invalid-value",
        );
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[0].message.contains("`iptables` must be a boolean"));
        assert_eq!(f[0].fixes[0].edits[0].new_text, "false");
        assert!(f[1].message.contains("`dns` must be a list of strings"));
        assert!(f[2].message.contains("MTU 70000"));
        let f = findings(
            "{\"mtu\": -10, \"dns\": [\"dns.example\"]}",
            "daemon-invalid-value",
        );
        assert!(f[0].message.contains("invalid default MTU: -10"));
        assert!(f[1].message.contains("`dns.example` is not one"));
    }
}
