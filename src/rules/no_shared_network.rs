use super::declare_rule;
use crate::compose::{Attachment, Project, Service};
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Finds a service that reaches another by name (a host in its environment or command,
    /// or `links`) while the two share no network. A service with `network_mode: host`
    /// that reaches another by name is reported too: host networking has no service names.
    ///
    /// ## Why it matters
    /// Service names resolve only on networks both containers are on:
    /// `getaddrinfo ENOTFOUND db`, `could not translate host name "db"`. `links` does not
    /// change that.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   proxy:
    ///     networks: [front]
    ///     environment: {UPSTREAM: "http://api:8080"}
    ///   api:
    ///     networks: [back]
    /// networks: {front: {}, back: {}}
    /// ```
    ///
    /// ## Fix
    /// Attach one service to a network the other is on (`api` to `front` above).
    pub static NO_SHARED_NETWORK = {
        code: "no-shared-network",
        severity: Error,
        applies_to: "Compose files",
        summary: "Services that talk share no network",
    };
}

fn describe(a: &Attachment) -> String {
    match a {
        Attachment::Networks(n) => n.join(", "),
        Attachment::Host => "the host network".into(),
        Attachment::Bridge => "the default bridge".into(),
        Attachment::Isolated => "no network".into(),
    }
}

fn report(
    p: &Project,
    (s, a): (&Service, &Attachment),
    (t, b): (&Service, &Attachment),
    name: &str,
    range: std::ops::Range<usize>,
    out: &mut Vec<Finding>,
) {
    let message = match (a, b) {
        (Attachment::Networks(x), Attachment::Networks(y)) if !x.iter().any(|n| y.contains(n)) => {
            format!(
                "`{}` (on {}) and `{}` (on {}) share no network, so `{name}` does not resolve. Attach one to a network of the other",
                s.name,
                describe(a),
                t.name,
                describe(b)
            )
        }
        (Attachment::Host, Attachment::Networks(_)) => format!(
            "`{}` uses host networking, where service names do not resolve: `{name}` is unknown there. Publish `{}`'s port and use `localhost`, or drop `network_mode: host`",
            s.name, t.name
        ),
        _ => return,
    };
    out.push(
        Finding::new(&NO_SHARED_NETWORK, range, message)
            .with_related(p.span(t.key), format!("`{}` is defined here", t.name)),
    );
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let attach: Vec<Attachment> = p.services.iter().map(|s| p.attachment(s)).collect();
    let mut seen = rustc_hash::FxHashSet::default();
    for r in &p.refs {
        let Some(ti) = p.host_index(p.ref_host(r)) else {
            continue;
        };
        if ti == r.service {
            continue;
        }
        // Most references are fine: decide that before anything else.
        if let (Attachment::Networks(x), Attachment::Networks(y)) =
            (&attach[r.service], &attach[ti])
            && x.iter().any(|n| y.contains(n))
        {
            continue;
        }
        let (s, t) = (&p.services[r.service], &p.services[ti]);
        let val = p.ref_val(r);
        if !seen.insert((r.service, val.node, ti)) {
            continue;
        }
        let range = p.value_span(val, r.host.host_range.clone());
        report(
            p,
            (s, &attach[r.service]),
            (t, &attach[ti]),
            p.ref_host(r),
            range,
            out,
        );
    }
    for (i, s) in p.services.iter().enumerate() {
        for link in &s.links {
            let name = link.value.split(':').next().unwrap_or_default();
            if let Some(ti) = p.service_index(name) {
                let range = p.value_span(link, 0..name.len());
                report(
                    p,
                    (s, &attach[i]),
                    (&p.services[ti], &attach[ti]),
                    name,
                    range,
                    out,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn separate_networks() {
        let text = "services:\n  proxy:\n    networks: [front]\n    environment:\n      UPSTREAM: http://api:8080\n      OTHER: http://web:80\n    links: [api]\n  api:\n    networks: [back]\n  web:\n    networks: [front, back]\n  sys:\n    network_mode: host\n    command: [\"curl\", \"http://api:8080/health\"]\n  dflt:\n    environment: [\"U=http://api:8080\"]\nnetworks: {front: {}, back: {}}\n";
        assert_eq!(
            flagged(text, "no-shared-network"),
            ["api", "api", "api", "api"]
        );
    }

    #[test]
    fn shared_is_fine() {
        let text = "services:\n  a:\n    environment: {U: \"http://b:80\"}\n  b: {}\n";
        assert!(flagged(text, "no-shared-network").is_empty());
    }
}
