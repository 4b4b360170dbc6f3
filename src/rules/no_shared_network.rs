use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::{Attachment, Project, Service};

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
        compose: [check],
    };
}

fn describe(a: &Attachment) -> String {
    match a {
        Attachment::Networks(n) => n.join(", "),
        Attachment::Host => "the host network".into(),
        Attachment::Bridge => "the default bridge".into(),
        Attachment::Isolated => "no network".into(),
        Attachment::Unknown => "networks defined elsewhere".into(),
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
                "`{}` and `{}` share no network, so `{name}` does not resolve. `{}` is on {} and `{}` on {}. Attach one to a network of the other",
                s.name,
                t.name,
                s.name,
                describe(a),
                t.name,
                describe(b)
            )
        }
        (Attachment::Host, Attachment::Networks(_)) => format!(
            "`{}` uses host networking, where service names do not resolve. `{name}` is unknown there. Publish `{}`'s port and use `localhost`, or drop `network_mode: host`",
            s.name, t.name
        ),
        _ => return,
    };
    let mut f = Finding::new(&NO_SHARED_NETWORK, range, message)
        .with_related(p.span(t.key), format!("`{}` is defined here", t.name));
    if let Attachment::Networks(theirs) = b
        && let Some(net) = theirs.first()
        && matches!(a, Attachment::Networks(_))
        && let Some(edit) = attach_edit(p, s, net)
    {
        f = f.with_fix(format!("Attach `{}` to `{net}`", s.name), vec![edit]);
    }
    out.push(f);
}

/// The edit that adds network `net` to service `s`'s `networks`, in the style it is written.
fn attach_edit(p: &Project, s: &Service, net: &str) -> Option<Edit> {
    let text = p.text;
    let Some(entry) = p.yaml.get(s.node, "networks") else {
        // On `default` only: keep it, and add the other service's network.
        let indent = p.key_indent(s.node)?;
        let first = p
            .yaml
            .entries(s.node)
            .into_iter()
            .find(|e| e.via.is_none())?;
        let at = p.span(first.key).start;
        return Some(Edit {
            range: at..at,
            new_text: format!("networks: [default, {net}]\n{indent}"),
        });
    };
    if entry.via.is_some() {
        return None;
    }
    let value = p.yaml.resolve(entry.value);
    let span = p.yaml.span(value);
    let flow = text[span.clone()].starts_with(['[', '{']);
    let is_list = p.yaml.items(value).is_some();
    let empty = p.yaml.items(value).is_some_and(<[_]>::is_empty)
        || (!is_list && p.yaml.entries(value).is_empty());
    if flow {
        let close = span.end.checked_sub(1)?;
        let item = if is_list {
            net.to_string()
        } else {
            format!("{net}: {{}}")
        };
        let new_text = if empty { item } else { format!(", {item}") };
        return Some(Edit {
            range: close..close,
            new_text,
        });
    }
    // Block style: a new line like the last one.
    let last_start = if is_list {
        p.yaml.span(*p.yaml.items(value)?.last()?).start
    } else {
        p.yaml.span(p.yaml.entries(value).last()?.key).start
    };
    let line_start = text[..last_start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..last_start];
    if !prefix.chars().all(|c| c == ' ' || c == '-') {
        return None;
    }
    let item = if is_list {
        net.to_string()
    } else {
        format!("{net}: {{}}")
    };
    Some(Edit {
        range: span.end..span.end,
        new_text: format!("\n{prefix}{item}"),
    })
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let attach: Vec<Attachment> = p.services.iter().map(|s| p.attachment(s)).collect();
    let mut seen = rustc_hash::FxHashSet::default();
    for r in &p.refs {
        // An address handed to a browser or another machine is not this container's.
        if !r.connects() {
            continue;
        }
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
    fn fix_attaches_to_a_network_of_the_other_service() {
        use crate::rules::test_support::fix_all;
        let nets = "networks: {front: {}, back: {}}\n";
        // Flow list.
        let text = format!(
            "services:\n  proxy:\n    networks: [front]\n    environment: {{U: \"http://api:8080\"}}\n  api:\n    networks: [back]\n{nets}"
        );
        assert!(fix_all(&text, "no-shared-network").contains("networks: [front, back]"));
        // Block list.
        let text = format!(
            "services:\n  proxy:\n    networks:\n      - front\n    environment: {{U: \"http://api:8080\"}}\n  api:\n    networks: [back]\n{nets}"
        );
        assert!(
            fix_all(&text, "no-shared-network")
                .contains("    networks:\n      - front\n      - back\n")
        );
        // Map form.
        let text = format!(
            "services:\n  proxy:\n    networks:\n      front:\n        aliases: [p]\n    environment: {{U: \"http://api:8080\"}}\n  api:\n    networks: [back]\n{nets}"
        );
        assert!(
            fix_all(&text, "no-shared-network").contains("        aliases: [p]\n      back: {}\n")
        );
        // No `networks`: on `default`.
        let text = format!(
            "services:\n  proxy:\n    image: x\n    environment: {{U: \"http://api:8080\"}}\n  api:\n    networks: [back]\n{nets}"
        );
        assert!(
            fix_all(&text, "no-shared-network")
                .contains("  proxy:\n    networks: [default, back]\n    image: x\n")
        );
    }

    #[test]
    fn services_defined_partly_elsewhere_are_left_alone() {
        // `proxy` extends a service whose networks are not visible here.
        let text = "services:\n  proxy:\n    extends: {file: base.yaml, service: p}\n    environment: {U: \"http://api:8080\"}\n  api:\n    networks: [back]\nnetworks: {back: {}}\n";
        assert!(flagged(text, "no-shared-network").is_empty());
    }

    #[test]
    fn shared_is_fine() {
        let text = "services:\n  a:\n    environment: {U: \"http://b:80\"}\n  b: {}\n";
        assert!(flagged(text, "no-shared-network").is_empty());
    }
}
