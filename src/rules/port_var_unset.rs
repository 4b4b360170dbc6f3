use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::PortSpec;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a variable in a `ports` or `expose` entry that is not set (in the
    /// environment or `.env`) and has no default. When there is no `.env` beside the file
    /// but a template is (`.env.example`, `.env.dist`, ...), it says that Compose does not
    /// read the template.
    ///
    /// It is a warning, not an error, even where the blank value makes the entry invalid:
    /// the variable may well be set where Compose runs (the shell, a CI job, `--env-file`).
    ///
    /// ## Why it matters
    /// Compose replaces it with nothing and only warns (`The "BIND_IP" variable is not set.
    /// Defaulting to a blank string.`): `"${BIND_IP}:8080:80"` becomes `":8080:80"`,
    /// published on every interface, `"${PORT}:80"` becomes `":80"`, a random port, and a
    /// blank container port or `expose` entry makes Compose refuse the file.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["${BIND_IP}:${PORT}:80"]
    /// ```
    ///
    /// ## Fix
    /// Set the variable in `.env`, or give a safe default or make it required:
    /// `${BIND_IP:-127.0.0.1}`, `${PORT:?set PORT}` (the quick fixes).
    pub static PORT_VAR_UNSET = {
        code: "port-var-unset",
        severity: Warning,
        applies_to: "Compose files",
        summary: "An unset variable leaves a host address or port blank",
        compose: [check],
    };
}

/// A `$NAME` or `${NAME}` without operator, by byte range in the raw text.
fn bare_vars(raw: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                let end = raw[i..].find('}').map_or(raw.len(), |e| i + e + 1);
                let inner = &raw[i + 2..end.saturating_sub(1).max(i + 2)];
                if !inner.is_empty()
                    && inner
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.push((i..end, inner.to_string()));
                }
                i = end;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let len = raw[i + 1..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(raw.len() - i - 1);
                out.push((i..i + 1 + len, raw[i + 1..i + 1 + len].to_string()));
                i += 1 + len;
            }
            _ => i += 1,
        }
    }
    out
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        for v in &s.expose {
            if v.unset().is_empty() || v.error().is_some() {
                continue;
            }
            for (range, name) in bare_vars(v.raw()) {
                if !v.unset().contains(&name) {
                    continue;
                }
                let (what, replacement) = blank_container_port(&name);
                push(p, v, range, &name, what, replacement, out);
            }
        }
        for port in &s.ports {
            let PortSpec::Short(v) = &port.spec else {
                continue;
            };
            if v.unset().is_empty() || v.error().is_some() {
                continue;
            }
            // Which part each variable sits in: count the colons after it in the raw text
            // (outside `${...}`): two or more means the IP, one the host port.
            let vars = bare_vars(v.raw());
            for (i, (range, name)) in vars.iter().enumerate() {
                let (range, name) = (range.clone(), name.as_str());
                // `${P}:${P}/udp`: one finding per variable, at its last use (the container
                // port, whose blank stops Compose, says the most).
                if !v.unset().iter().any(|u| u == name)
                    || vars[i + 1..].iter().any(|(_, later)| later == name)
                {
                    continue;
                }
                let colons_after = v.raw()[range.end..].matches(':').count()
                    - v.raw()[range.end..]
                        .split("${")
                        .skip(1)
                        .map(|seg| seg.split('}').next().unwrap_or("").matches(':').count())
                        .sum::<usize>();
                let (what, replacement) = match colons_after {
                    0 => blank_container_port(name),
                    1 => (
                        "the host port is blank, so Docker picks a random one",
                        format!("${{{name}:?set {name} to the host port}}"),
                    ),
                    _ => (
                        "the host address is blank, so the port is published on every interface",
                        format!("${{{name}:-127.0.0.1}}"),
                    ),
                };
                push(p, v, range, name, what, replacement, out);
            }
        }
    }
}

fn blank_container_port(name: &str) -> (&'static str, String) {
    (
        "the container port is blank, so Compose refuses the entry",
        format!("${{{name}:?set {name} to the container port}}"),
    )
}

fn push(
    p: &Project,
    v: &crate::model::compose::Val,
    range: std::ops::Range<usize>,
    name: &str,
    what: &str,
    replacement: String,
    out: &mut Vec<Finding>,
) {
    let token = p.raw_span(v, range);
    let mut f = Finding::new(
        &PORT_VAR_UNSET,
        token.clone().unwrap_or_else(|| p.span(v.node)),
        format!(
            "`{name}` is unset: {what}. It is not set in the environment or `.env`{}, and `{}` becomes `{}`",
            super::template_note(p),
            v.raw(),
            v.value
        ),
    );
    if let Some(range) = token {
        f = f.with_fix(
            format!("Use `{replacement}`"),
            vec![Edit {
                range,
                new_text: replacement,
            }],
        );
    }
    out.push(f);
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn one_finding_for_a_variable_used_twice_in_an_entry() {
        // A media server whose UDP port must be the same inside and out.
        let text = "services:\n  media:\n    image: example/media:9\n    ports:\n      - ${MEDIA_PORT}:${MEDIA_PORT}/udp\n      - ${MEDIA_PORT}:${MEDIA_PORT}/tcp\n      - ${WEB_PORT}:8065\n";
        let f = findings(text, &[], "port-var-unset");
        assert_eq!(f.len(), 3);
        assert!(
            f[0].message.contains("container port is blank"),
            "{}",
            f[0].message
        );
        assert_eq!(&text[f[0].range.clone()], "${MEDIA_PORT}");
        assert!(f[0].range.start > text.find("}:${MEDIA_PORT}/udp").unwrap());
        assert!(
            f[2].message.contains("host port is blank"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn unset_host_ip_and_port() {
        let text = "services:\n  a:\n    ports:\n      - \"${BIND_IP}:${PORT}:80\"\n      - \"${OK_IP:-127.0.0.1}:${OK_PORT:-80}:80\"\n      - \"$HOST_PORT:$TARGET\"\n";
        assert_eq!(
            flagged(text, "port-var-unset"),
            ["${BIND_IP}", "${PORT}", "$HOST_PORT", "$TARGET"]
        );
        let f = findings(text, &[], "port-var-unset");
        assert!(f[0].message.contains("every interface"));
        assert!(f[1].message.contains("random"));
        assert_eq!(f[0].fixes[0].edits[0].new_text, "${BIND_IP:-127.0.0.1}");
        assert!(
            findings(
                text,
                &[
                    ("BIND_IP", "127.0.0.1"),
                    ("PORT", "80"),
                    ("HOST_PORT", "81"),
                    ("TARGET", "82")
                ],
                "port-var-unset"
            )
            .is_empty()
        );
    }

    /// A blank container port makes the entry invalid; that is still this warning, not
    /// `invalid-port-spec`'s error: the variable may be set where Compose runs.
    #[test]
    fn unset_container_port_and_expose() {
        let text = "services:\n  db:\n    image: postgres\n    expose:\n      - ${PG_PORT}\n    ports:\n      - \"5432:${PG_PORT}\"\n";
        assert_eq!(
            flagged(text, "port-var-unset"),
            ["${PG_PORT}", "${PG_PORT}"]
        );
        assert!(flagged(text, "invalid-port-spec").is_empty());
        let f = findings(text, &[], "port-var-unset");
        assert!(
            f[0].message.contains("Compose refuses the entry"),
            "{}",
            f[0].message
        );
        assert!(findings(text, &[("PG_PORT", "5432")], "port-var-unset").is_empty());
    }

    #[test]
    fn a_template_beside_the_file_is_named() {
        let text = "services:\n  web:\n    ports: [\"${WEB_PORT}:80\"]\n";
        let mut ctx = crate::analysis::Context::default();
        ctx.external.env_template = Some(".env.example".into());
        let f =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        let f: Vec<_> = f.iter().filter(|f| f.code() == "port-var-unset").collect();
        assert!(
            f[0].message.contains(
                "`.env.example` beside this file is a template: Compose reads only `.env`"
            ),
            "{}",
            f[0].message
        );
    }
}
