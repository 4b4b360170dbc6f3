use std::ops::Range;

use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::PortSpec;
use crate::model::compose::{self, PortList, Project};
use crate::model::ports::{self, PortErrorKind};
use crate::syntax::yaml::{NodeId, NodeKind, Plain, Style, Yaml, resolve_plain};

declare_rule! {
    /// ## What it does
    /// Checks every entry of a Compose service's `ports` and `expose`, and every Dockerfile
    /// `EXPOSE` word, with Docker's own grammar (go-connections `ParsePortSpec` for `ports`
    /// and `EXPOSE`, moby's `ParsePortRange` for `expose`) and reports the entries Docker
    /// would reject, with the message Docker prints. The long syntax (`target`,
    /// `published`, `host_ip`, `protocol`, `mode`) is checked too; `EXPOSE $PORT` is checked
    /// with the value BuildKit gives it (the ARG and ENV values in scope at that line, and
    /// Compose's `build.args` for a service's Dockerfile); a variable whose value is not
    /// known there (an `ARG` without a default, the base image's environment) is left alone.
    ///
    /// ## Why it matters
    /// `docker compose up` refuses the whole project when one port entry is invalid, and the
    /// message it prints (`invalid containerPort: 8080 ` with a trailing space, say) is easy
    /// to misread. Host names are not allowed where an IP goes: `localhost:8080:80` fails.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports:
    ///       - "localhost:8080:80"   # invalid IP address: localhost
    ///       - "8080:80/tpc"         # invalid proto: tpc
    ///       - "8000-8010:80-81"     # ranges of different lengths
    ///     expose:
    ///       - "8080:80"             # expose takes container ports only
    /// ```
    ///
    /// ## Fix
    /// Write `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` with an IP address (not a
    /// host name), ports from 0 to 65535, ranges of equal length, and `tcp`, `udp` or `sctp`:
    /// ```yaml
    ///       - "127.0.0.1:8080:80"
    ///       - "8080:80/tcp"
    ///       - "8000-8001:80-81"
    /// ```
    /// Quick fixes replace `localhost` with `127.0.0.1` and correct a misspelt protocol.
    /// Entries that use `${VARIABLES}` are checked after interpolation, and the finding
    /// says what they resolved to.
    pub static INVALID_PORT_SPEC = {
        code: "invalid-port-spec",
        severity: Error,
        applies_to: "Compose files, Dockerfiles",
        summary: "A `ports`, `expose` or `EXPOSE` entry that Docker rejects",
        compose: [check],
        dockerfile: [check_dockerfile],
    };
}

const LONG_SYNTAX_KEYS: &[&str] = &[
    "target",
    "published",
    "host_ip",
    "protocol",
    "app_protocol",
    "mode",
    "name",
];

/// Checks `services.*.ports[*]` and `services.*.expose[*]`. Entries the model parsed
/// without error are valid; only the others are examined again for the exact message.
pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let (text, yaml) = (p.text, p.yaml);
    for service in &p.services {
        for port in &service.ports {
            if port.bindings().is_some() {
                continue;
            }
            let entry = compose::PortEntry {
                service: service.key,
                list: PortList::Ports,
                item: port.item,
            };
            if yaml.scalar(port.item).is_some_and(|raw| raw.contains('$')) {
                check_interpolated(p, service, entry, out);
            } else {
                check_port(text, yaml, port.item, out);
            }
        }
        {
            for &item in &service.expose_items {
                if yaml.scalar(item).is_some_and(|raw| raw.contains('$')) {
                    let entry = compose::PortEntry {
                        service: service.key,
                        list: PortList::Expose,
                        item,
                    };
                    check_interpolated(p, service, entry, out);
                } else {
                    check_expose(yaml, item, out);
                }
            }
        }
    }
}

/// Dockerfile `EXPOSE` words, parsed as BuildKit does (the full port grammar, keeping the
/// container side), after BuildKit's variable expansion (`Exposed::values`).
pub fn check_dockerfile(
    text: &str,
    df: &crate::model::dockerfile::Dockerfile,
    out: &mut Vec<Finding>,
) {
    for stage in &df.stages {
        // Each word as BuildKit expanded it (one word may give several ports); a word whose
        // variables have no known value here is left alone.
        for word in &stage.exposes {
            for value in word.values.iter().flatten() {
                check_exposed(text, word, value, out);
            }
        }
    }
}

fn check_exposed(
    text: &str,
    word: &crate::model::dockerfile::Exposed,
    value: &str,
    out: &mut Vec<Finding>,
) {
    let Err(err) = ports::parse_port_spec(value) else {
        return;
    };
    let message = match err.kind {
        PortErrorKind::NoPort => format!("invalid port: \"{value}\": no port specified"),
        PortErrorKind::Protocol => format!("invalid port: \"{value}\": {}", err.message),
        _ => err.message.clone(),
    };
    let literal = word.literal() && text.get(word.span.clone()) == Some(word.text.as_str());
    let range = if literal {
        word.span.start + err.span.start..word.span.start + err.span.end
    } else {
        word.span.clone()
    };
    let resolved = if literal {
        String::new()
    } else {
        format!(" (`{}` resolves to `{value}`)", word.text)
    };
    out.push(Finding::new(
        &INVALID_PORT_SPEC,
        range,
        format!(
            "The build fails: \"{message}\"{resolved}. `EXPOSE` takes container ports such as `8080` or `8000-8010/udp`"
        ),
    ));
}

/// An entry with variables: parsed after interpolation, reported on the whole token with
/// what it resolved to. Interpolation errors are `interpolation-error`'s.
fn check_interpolated(
    p: &Project,
    service: &crate::model::compose::Service,
    entry: compose::PortEntry,
    out: &mut Vec<Finding>,
) {
    let val = match entry.list {
        PortList::Ports => service.ports.iter().find_map(|port| match &port.spec {
            PortSpec::Short(v) if port.item == entry.item => Some(v),
            _ => None,
        }),
        PortList::Expose => service
            .expose
            .iter()
            .find(|v| v.node == p.yaml.resolve(entry.item)),
    };
    // An unset variable is not certain to stay unset where Compose runs (the shell, CI,
    // `--env-file`): `port-var-unset` says what it would do, as a warning.
    let Some(val) = val.filter(|v| v.error().is_none() && v.unset().is_empty()) else {
        return;
    };
    let message = match entry.list {
        PortList::Ports => ports::parse_port_spec(&val.value).err().map(|e| {
            (
                e.message.clone(),
                format!(". {}", capitalize(e.explanation())),
            )
        }),
        PortList::Expose => ports::parse_expose(&val.value)
            .err()
            .map(|m| (m, String::new())),
    };
    if let Some((message, explanation)) = message {
        out.push(Finding::new(
            &INVALID_PORT_SPEC,
            p.span(entry.item),
            format!(
                "Docker rejects this port: `{}` resolves to `{}`. It fails with \"{message}\"{explanation}",
                val.raw(),
                val.value
            ),
        ));
    }
}

/// The value Docker sees for a scalar entry, or the Go type name Compose would complain
/// about (`invalid type float64 for port`).
enum Value<'a> {
    Spec(std::borrow::Cow<'a, str>),
    BadType(&'static str),
}

fn scalar_value<'y>(yaml: &'y Yaml, id: NodeId) -> Option<Value<'y>> {
    let node = yaml.node(yaml.resolve(id));
    let NodeKind::Scalar { value, style } = node.kind else {
        return None;
    };
    if style != Style::Plain || node.tag.is_some() {
        return Some(Value::Spec(value.into()));
    }
    Some(match resolve_plain(value) {
        Plain::Str => Value::Spec(value.into()),
        Plain::Int(i) if value.starts_with("0x") || value.starts_with("0o") => {
            Value::Spec(i.to_string().into())
        }
        Plain::Int(_) => Value::Spec(value.trim_start_matches('+').into()),
        Plain::Null => Value::BadType("<nil>"),
        Plain::Bool(_) => Value::BadType("bool"),
        Plain::Float => Value::BadType("float64"),
    })
}

/// Byte range in the source of `part` (a range inside the scalar's value), when the value
/// is written literally in the source (plain, or quoted without escapes); else the token.
fn sub_span(text: &str, yaml: &Yaml, id: NodeId, part: Range<usize>) -> Range<usize> {
    let id = yaml.resolve(id);
    let node = yaml.node(id);
    let token = node.span.clone();
    let NodeKind::Scalar { value, style } = node.kind else {
        return token;
    };
    let src = yaml.source(text, id);
    let inner_start = match style {
        Style::Plain => token.start,
        Style::SingleQuoted | Style::DoubleQuoted if src.len() >= 2 => token.start + 1,
        _ => return token,
    };
    let inner = &text[inner_start..inner_start + value.len().min(text.len() - inner_start)];
    if inner != value || part.end > value.len() {
        return token;
    }
    inner_start + part.start..inner_start + part.end
}

fn token(yaml: &Yaml, id: NodeId) -> Range<usize> {
    yaml.node(yaml.resolve(id)).span.clone()
}

fn has_variable(yaml: &Yaml, id: NodeId) -> bool {
    yaml.scalar(id).is_some_and(|v| v.contains('$'))
}

fn check_port(text: &str, yaml: &Yaml, item: NodeId, out: &mut Vec<Finding>) {
    if yaml.is_mapping(item) {
        return check_long_syntax(text, yaml, item, out);
    }
    let spec = match scalar_value(yaml, item) {
        None => {
            out.push(Finding::new(
                &INVALID_PORT_SPEC,
                token(yaml, item),
                "A port entry must be a string such as \"8080:80\", a number, or a mapping \
                 (long syntax), not a list",
            ));
            return;
        }
        Some(Value::BadType(go_type)) => {
            out.push(Finding::new(
                &INVALID_PORT_SPEC,
                token(yaml, item),
                format!(
                    "Docker rejects this port: \"invalid type {go_type} for port\". Write the \
                     mapping as a quoted string such as \"8080:80\""
                ),
            ));
            return;
        }
        Some(Value::Spec(spec)) => spec,
    };
    if spec.contains('$') {
        return; // checked after interpolation
    }
    let Err(err) = ports::parse_port_spec(&spec) else {
        return;
    };
    let literal = yaml.scalar(item) == Some(&*spec);
    let range = if literal {
        sub_span(text, yaml, item, err.span.clone())
    } else {
        token(yaml, item)
    };
    let mut finding = Finding::new(
        &INVALID_PORT_SPEC,
        range.clone(),
        format!(
            "{}. {}",
            super::refusal("Docker rejects this port", &err.message),
            capitalize(err.explanation())
        ),
    );
    if literal && range != token(yaml, item) {
        let bad = &text[range.clone()];
        let replacement = match err.kind {
            PortErrorKind::HostIp if bad == "localhost" => Some("127.0.0.1".to_string()),
            PortErrorKind::HostIp if bad == "[localhost]" => Some("127.0.0.1".to_string()),
            PortErrorKind::Protocol => closest_protocol(bad).map(str::to_string),
            _ => None,
        };
        if let Some(new_text) = replacement {
            finding = finding.with_fix(
                format!("Replace `{bad}` with `{new_text}`"),
                vec![Edit { range, new_text }],
            );
        }
    }
    out.push(finding);
}

fn check_expose(yaml: &Yaml, item: NodeId, out: &mut Vec<Finding>) {
    let spec = match scalar_value(yaml, item) {
        None => {
            out.push(Finding::new(
                &INVALID_PORT_SPEC,
                token(yaml, item),
                "An `expose` entry must be a container port or range such as \"8080\" or \
                 \"8000-8010/udp\"",
            ));
            return;
        }
        Some(Value::BadType(go_type)) => {
            out.push(Finding::new(
                &INVALID_PORT_SPEC,
                token(yaml, item),
                format!("Docker rejects this expose entry: \"invalid type {go_type} for port\""),
            ));
            return;
        }
        Some(Value::Spec(spec)) => spec,
    };
    if spec.contains('$') {
        return;
    }
    let Err(message) = ports::parse_expose(&spec) else {
        return;
    };
    let hint = if spec.contains(':') {
        "`expose` takes container ports only and never publishes to the host; to publish a \
         port, move this mapping to `ports`"
    } else {
        "`expose` takes a container port or range with an optional protocol, such as `8080` \
         or `8000-8010/udp`"
    };
    out.push(Finding::new(
        &INVALID_PORT_SPEC,
        token(yaml, item),
        format!(
            "{}. {}",
            super::refusal("Docker rejects this expose entry", &message),
            capitalize(hint)
        ),
    ));
}

fn check_long_syntax(text: &str, yaml: &Yaml, mapping: NodeId, out: &mut Vec<Finding>) {
    let entries = yaml.entries(mapping);
    let mut has_target = false;
    for entry in &entries {
        let Some(key) = yaml.scalar(entry.key) else {
            continue;
        };
        let key_range = token(yaml, entry.key);
        if !LONG_SYNTAX_KEYS.contains(&key) {
            if !key.starts_with("x-") {
                out.push(Finding::new(
                    &INVALID_PORT_SPEC,
                    key_range,
                    format!(
                        "Compose rejects this port mapping: additional property `{key}` is not \
                         allowed. The keys it takes are {}",
                        LONG_SYNTAX_KEYS.join(", ")
                    ),
                ));
            }
            continue;
        }
        if key == "target" {
            has_target = true;
        }
        let value = entry.value;
        let range = token(yaml, value);
        let spec = match scalar_value(yaml, value) {
            Some(Value::Spec(spec)) => spec,
            Some(Value::BadType(_)) | None => {
                out.push(Finding::new(
                    &INVALID_PORT_SPEC,
                    range,
                    format!("`{key}` must be a string or a number"),
                ));
                continue;
            }
        };
        if has_variable(yaml, value) {
            continue;
        }
        let problem = match key {
            "target" => match spec.parse::<u32>() {
                Ok(1..=65535) => None,
                _ => Some(format!(
                    "invalid target port: {spec}. `target` is the container port, a number \
                     from 1 to 65535"
                )),
            },
            "published" if !spec.is_empty() => ports::parse_port_range(&spec).err().map(|_| {
                format!(
                    "invalid hostPort: {spec}. `published` is the host port, a number from 0 \
                     to 65535 or a range such as \"8000-8010\""
                )
            }),
            "host_ip" if !ports::is_ip(&spec) => Some(format!(
                "invalid ip address: {spec}. `host_ip` must be an IP address such as 127.0.0.1; \
                 host names are not allowed"
            )),
            "protocol" if !matches!(spec.to_lowercase().as_str(), "tcp" | "udp" | "sctp") => Some(
                format!("invalid proto: {spec}. The protocol must be tcp, udp or sctp"),
            ),
            "mode" if !matches!(&*spec, "host" | "ingress") => Some(format!(
                "invalid mode: {spec}. `mode` must be `host` or `ingress`"
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            let mut finding = Finding::new(
                &INVALID_PORT_SPEC,
                range.clone(),
                format!("Docker rejects this port mapping: {problem}"),
            );
            let literal = yaml.scalar(value) == Some(&*spec);
            let fix = match key {
                "host_ip" if spec == "localhost" => Some("127.0.0.1"),
                "protocol" => closest_protocol(&spec),
                _ => None,
            };
            if let (Some(new_text), true) = (fix, literal) {
                let range = sub_span(text, yaml, value, 0..spec.len());
                finding = finding.with_fix(
                    format!("Replace `{spec}` with `{new_text}`"),
                    vec![Edit {
                        range,
                        new_text: new_text.to_string(),
                    }],
                );
            }
            out.push(finding);
        }
    }
    if !has_target {
        let range = entries
            .first()
            .map_or_else(|| token(yaml, mapping), |e| token(yaml, e.key));
        out.push(Finding::new(
            &INVALID_PORT_SPEC,
            range,
            "Compose rejects this port mapping: it is missing a target port. Add `target:` \
             with the container port",
        ));
    }
}

/// `tpc` → `tcp`, `UPD` → `udp`: the valid protocol one typo away (a letter added,
/// dropped, changed or two swapped), ignoring case.
fn closest_protocol(bad: &str) -> Option<&'static str> {
    let lower = bad.to_lowercase();
    ["tcp", "udp", "sctp"]
        .into_iter()
        .find(|p| osa_distance(&lower, p) <= 1)
}

/// Optimal string alignment distance: Levenshtein plus adjacent transpositions.
fn osa_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<Finding> {
        crate::rules::test_support::findings(text, &[], "invalid-port-spec")
    }

    fn flagged(text: &str) -> Vec<String> {
        findings(text)
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect()
    }

    fn ports(entries: &str) -> String {
        format!("services:\n  web:\n    image: nginx\n    ports:\n{entries}")
    }

    #[test]
    fn valid_entries_are_quiet() {
        let text = ports(
            "      - \"8080:80\"\n      - 8080\n      - \"127.0.0.1:8080:80/udp\"\n      - \"[::1]:80:80\"\n      - 80-82:8080-8082\n      - target: 80\n        published: \"8000-8010\"\n        host_ip: 127.0.0.1\n        protocol: udp\n        mode: host\n        x-note: ok\n      - \"${HOST_IP}:${PORT}:80\"\n",
        );
        assert!(findings(&text).is_empty(), "{:?}", findings(&text));
    }

    #[test]
    fn the_exact_token_is_flagged() {
        let text = ports(
            "      - \"localhost:8080:80\"\n      - 8080:80/tpc\n      - '8080:99999'\n      - \"8000-8010:80-81\"\n",
        );
        assert_eq!(
            flagged(&text),
            ["localhost", "tpc", "99999", "8000-8010:80-81"]
        );
        let f = &findings(&text)[0];
        assert_eq!(
            f.message,
            "Docker rejects this port: \"invalid IP address: localhost\". The part before the host port must be an IP address (hostnames such as `localhost` are not allowed; use `127.0.0.1`), and IPv6 may be written in brackets."
        );
        assert_eq!(f.fixes[0].edits[0].new_text, "127.0.0.1");
        assert_eq!(findings(&text)[1].fixes[0].edits[0].new_text, "tcp");
    }

    #[test]
    fn integers_and_other_types() {
        let text = ports("      - 9999999\n      - 80.5\n      - ~\n      - [80]\n      - 0x50\n");
        let got = findings(&text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].message.contains("invalid containerPort: 9999999"));
        assert!(got[1].message.contains("invalid type float64 for port"));
        assert!(got[2].message.contains("invalid type <nil> for port"));
        assert!(got[3].message.contains("not a list"));
    }

    #[test]
    fn escaped_strings_flag_the_whole_token() {
        let text = ports("      - \"local\\x68ost:8080:80\"\n");
        assert_eq!(flagged(&text), ["\"local\\x68ost:8080:80\""]);
    }

    #[test]
    fn long_syntax() {
        let text = ports(
            "      - target: 99999\n        published: \"80-x\"\n        host_ip: localhost\n        protocol: TCPX\n        mode: global\n        port: 80\n      - published: 8080\n",
        );
        let got = flagged(&text);
        assert_eq!(
            got,
            [
                "99999",
                "\"80-x\"",
                "localhost",
                "TCPX",
                "global",
                "port",
                "published"
            ]
        );
        let all = findings(&text);
        assert!(all[2].message.contains("invalid ip address: localhost"));
        assert!(all[6].message.contains("missing a target port"));
        assert_eq!(all[2].fixes[0].edits[0].new_text, "127.0.0.1");
    }

    #[test]
    fn expose() {
        let text = "services:\n  web:\n    expose:\n      - \"8080\"\n      - 3000-3005/udp\n      - \"8080:80\"\n      - abc\n";
        let got = findings(text);
        assert_eq!(got.len(), 2);
        assert!(
            got[0]
                .message
                .contains("invalid start port '8080:80': invalid syntax")
        );
        assert!(got[0].message.contains("move this mapping to `ports`"));
        assert_eq!(&text[got[1].range.clone()], "abc");
    }

    #[test]
    fn ports_from_anchors_and_merge_keys() {
        let text = "x-ports: &p\n  ports: [\"80:99999\"]\nservices:\n  a:\n    <<: *p\n  b:\n    ports: *list\n";
        // `*list` is an unknown anchor: a YAML error, handled by the syntax layer.
        assert!(Yaml::parse(text).error.is_some());
        let text = "x-ports: &p\n  ports: [\"80:99999\"]\nservices:\n  a:\n    <<: *p\n";
        assert_eq!(flagged(text), ["99999"]);
    }

    #[test]
    fn interpolated_entries_are_checked_after_interpolation() {
        let text = ports("      - \"${PORT:-99999}:80\"\n      - \"${PORT:-8080}:80\"\n");
        let got = findings(&text);
        assert_eq!(got.len(), 1);
        assert_eq!(&text[got[0].range.clone()], "\"${PORT:-99999}:80\"");
        assert!(
            got[0].message.contains("resolves to `99999:80`"),
            "{}",
            got[0].message
        );
        assert!(got[0].message.contains("invalid hostPort: 99999"));
        let vars = [("PORT", "8081")];
        assert!(crate::rules::test_support::findings(&text, &vars, "invalid-port-spec").is_empty());
    }

    #[test]
    fn protocol_suggestions() {
        assert_eq!(closest_protocol("tpc"), Some("tcp"));
        assert_eq!(closest_protocol("UPD"), Some("udp"));
        assert_eq!(closest_protocol("sctpp"), Some("sctp"));
        assert_eq!(closest_protocol("http"), None);
        assert_eq!(closest_protocol("icmp"), None);
    }

    fn dockerfile(text: &str) -> Vec<String> {
        crate::rules::test_support::dockerfile_findings(text, "invalid-port-spec")
            .iter()
            .map(|f| format!("{}|{}", &text[f.range.clone()], f.message))
            .collect()
    }

    #[test]
    fn dockerfile_expose_with_variables() {
        // BuildKit expands ARG and ENV in EXPOSE: none of these fails the build.
        for text in [
            "ARG PORT=80\nFROM node:22\nARG PORT\nENV PORT $PORT\nEXPOSE $PORT 9229\n",
            "FROM node:22\nARG PORT\nEXPOSE $PORT\n",
            "FROM node:22\nEXPOSE ${PORT:-3000} ${NODE_PORT}\n",
            "FROM node:22\nENV PORTS=\"80 443/udp\"\nEXPOSE $PORTS\n",
            "FROM a AS base\nENV PORT=8080\nFROM base\nEXPOSE $PORT\n",
        ] {
            assert!(
                dockerfile(text).is_empty(),
                "{text}: {:?}",
                dockerfile(text)
            );
        }
        // A value that is known and wrong still fails the build, at the word.
        let f = dockerfile("FROM a\nARG PORT=80a\nEXPOSE $PORT\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("$PORT|"), "{f:?}");
        assert!(f[0].contains("`$PORT` resolves to `80a`"), "{f:?}");
        let f = dockerfile("FROM a\nEXPOSE 80a\n");
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn compose_build_args_reach_the_dockerfile() {
        use crate::analysis::analyze_with;
        use crate::classify::FileKind;
        let df = "FROM node:22\nARG PORT=3000\nEXPOSE $PORT\nCMD [\"node\", \"index.js\"]\n";
        let run = |compose: &str, vars: &[(&str, &str)]| {
            let mut ctx = crate::rules::test_support::built_context(df);
            ctx.vars = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            analyze_with(FileKind::Compose, compose, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "target-port-mismatch")
                .count()
        };
        let map = "services:\n  api:\n    build:\n      context: .\n      args:\n        PORT: 8080\n    ports: [\"8080:8080\"]\n";
        assert_eq!(run(map, &[]), 0);
        let list = "services:\n  api:\n    build:\n      context: .\n      args: [PORT=8080]\n    ports: [\"8080:8080\"]\n";
        assert_eq!(run(list, &[]), 0);
        // `PORT` without a value comes from the environment; unset there, the default.
        let bare = "services:\n  api:\n    build:\n      context: .\n      args: [PORT]\n    ports: [\"8080:8080\"]\n";
        assert_eq!(run(bare, &[("PORT", "8080")]), 0);
        assert_eq!(run(bare, &[]), 1);
        // No build args: the default, 3000, is what the image exposes.
        let none = "services:\n  api:\n    build: .\n    ports: [\"8080:8080\"]\n";
        assert_eq!(run(none, &[]), 1);
        assert_eq!(
            run(
                "services:\n  api:\n    build: .\n    ports: [\"8080:3000\"]\n",
                &[]
            ),
            0
        );
    }
}
