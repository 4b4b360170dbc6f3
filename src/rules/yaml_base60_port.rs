use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::syntax::yaml::{NodeKind, Style};

declare_rule! {
    /// ## What it does
    /// Reports an unquoted `ports` or `expose` entry such as `22:22` that YAML 1.1 reads as
    /// a base-60 number.
    ///
    /// ## Why it matters
    /// `docker compose` (v2, YAML 1.2 through go-yaml v3) reads `22:22` as text, so the
    /// file works there; that is why this is advice (info), not an error. YAML 1.1 tools
    /// (the old `docker-compose` v1, podman-compose, Ansible, PyYAML scripts) read it as
    /// 1342: port 22 silently becomes container port 1342 on a random host port, and
    /// `9022:22` becomes 541342 (`Invalid port specification`). The Compose spec says to
    /// always quote ports.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   sftp:
    ///     ports:
    ///       - 22:22
    /// ```
    ///
    /// ## Fix
    /// Quote it: `- "22:22"` (the quick fix).
    pub static YAML_BASE60_PORT = {
        code: "yaml-base60-port",
        severity: Info,
        applies_to: "Compose files",
        summary: "An unquoted `xx:yy` port that YAML 1.1 tools read as base 60",
        compose: [check],
    };
}

/// The YAML 1.1 sexagesimal integer `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`, or `None`.
fn base60(s: &str) -> Option<u128> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut groups = digits.split(':');
    let first = groups.next()?;
    if !first.starts_with(|c: char| ('1'..='9').contains(&c))
        || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    let mut value: u128 = first.replace('_', "").parse().ok()?;
    let mut count = 0;
    for g in groups {
        if g.is_empty() || g.len() > 2 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u128 = g.parse().ok()?;
        if n > 59 {
            return None;
        }
        value = value.checked_mul(60)?.checked_add(n)?;
        count += 1;
    }
    (count > 0).then_some(value)
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let items = p.services.iter().flat_map(|s| {
        s.ports
            .iter()
            .map(|port| port.item)
            .chain(s.expose_items.iter().copied())
    });
    for item in items {
        let node = p.yaml.node(item);
        let NodeKind::Scalar {
            value,
            style: Style::Plain,
        } = node.kind
        else {
            continue;
        };
        if node.tag.is_some() {
            continue;
        }
        let Some(number) = base60(value) else {
            continue;
        };
        out.push(
            Finding::new(
                &YAML_BASE60_PORT,
                node.span.clone(),
                format!(
                    "YAML 1.1 tools read unquoted `{value}` as the number {number}, not a port mapping. `docker compose` reads it as a port mapping, but YAML 1.1 tools (docker-compose v1, podman-compose, Ansible) do not. Quote it to be safe everywhere"
                ),
            )
            .with_fix(
                format!("Quote `{value}`"),
                vec![Edit {
                    range: node.span.clone(),
                    new_text: format!("\"{value}\""),
                }],
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::base60;
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, fix_all, flagged};

    // ports-spec.md §7.10.
    #[test]
    fn vectors() {
        assert_eq!(base60("22:22"), Some(1342));
        assert_eq!(base60("21:21"), Some(1281));
        assert_eq!(base60("53:53"), Some(3233));
        assert_eq!(base60("25:25"), Some(1525));
        assert_eq!(base60("2222:22"), Some(133342));
        assert_eq!(base60("9022:22"), Some(541342));
        assert_eq!(base60("2122:22"), Some(127342));
        assert_eq!(base60("1082:21"), Some(64941));
        assert_eq!(base60("8000:59"), Some(480059));
        for s in [
            "8080:80",
            "80:80",
            "5432:5432",
            "8000:60",
            "53:53/udp",
            "127.0.0.1:22:22",
            "0:22",
        ] {
            assert_eq!(base60(s), None, "{s}");
        }
    }

    #[test]
    fn plain_only_and_fix() {
        let text = "services:\n  a:\n    ports:\n      - 22:22\n      - \"21:21\"\n      - 9022:22\n      - 8080:80\n    expose:\n      - 53:53\n";
        assert_eq!(
            flagged(text, "yaml-base60-port"),
            ["22:22", "9022:22", "53:53"]
        );
        let f = findings(text, &[], "yaml-base60-port");
        // Compose v2 reads them right: advice, whatever YAML 1.1 would make of them.
        assert!(f.iter().all(|f| f.severity == Severity::Info));
        let fixed = fix_all(text, "yaml-base60-port");
        assert!(
            fixed.contains("- \"22:22\"\n      - \"21:21\"\n      - \"9022:22\""),
            "{fixed}"
        );
    }
}
