use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::compose::schema::Problem;

declare_rule! {
    /// ## What it does
    /// Reports a value that Compose's schema does not take for its key: a string where a
    /// list is needed (`ports: "80:80"`), a mapping where a string is (`healthcheck.test`
    /// written as a mapping), a number where only a string is taken (`user: 1000`,
    /// `interval: 30`), a duration Compose cannot read (`timeout: 5 s`), or a value outside
    /// the key's allowed values (`condition: service_healty`). Values are checked after
    /// interpolation, as Compose checks them; a value that reads a variable not set here is
    /// left alone, since it may be set where Compose runs.
    ///
    /// ## Why it matters
    /// `docker compose` refuses the whole file (`services.web.ports must be a array`,
    /// `services.web.user must be a string`), so nothing starts.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    ///     ports: "8080:80"        # a list: ["8080:80"]
    ///     healthcheck:
    ///       test: curl -f http://localhost
    ///       interval: 30          # a duration: 30s
    /// ```
    ///
    /// ## Fix
    /// Write the value in the form the key takes: quote numbers that are strings
    /// (`user: "1000"`), give durations a unit (`30s`), pick one of the listed values (the
    /// quick fix does when one is close). Hover the key for what it takes.
    pub static COMPOSE_INVALID_VALUE = {
        code: "compose-invalid-value",
        severity: Error,
        applies_to: "Compose files",
        summary: "A value of a type or form its key does not take",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for problem in p.schema_problems() {
        let f = match problem {
            Problem::WrongType {
                value,
                key,
                found,
                expected,
                interpolated,
            } => {
                let mut message = format!(
                    "Compose refuses this file: `{}` takes {}, not {found}",
                    key.name,
                    expected.describe()
                );
                if let Some(v) = interpolated {
                    message.push_str(&format!(". After interpolation it is `{v}`"));
                }
                let mut f = Finding::new(&COMPOSE_INVALID_VALUE, p.span(*value), message);
                // A plain number where only a string is taken: quoting it is what was meant.
                let written = p.yaml.source(p.text, *value);
                if interpolated.is_none()
                    && expected
                        .0
                        .contains(&crate::knowledge::compose_keys::Alt::String)
                    && !written.is_empty()
                    && !written.contains(['"', '\'', '\n', '#'])
                    && p.yaml.scalar(*value).is_some()
                {
                    f = f.with_fix(
                        format!("Quote it: \"{written}\""),
                        vec![Edit {
                            range: p.span(*value),
                            new_text: format!("\"{written}\""),
                        }],
                    );
                }
                f
            }
            Problem::BadDuration { value, key, found } => {
                let mut f = Finding::new(
                    &COMPOSE_INVALID_VALUE,
                    p.span(*value),
                    format!(
                        "Compose cannot read `{found}` as a duration for `{}`. Write a number with a unit, such as `30s`, `1m30s` or `500ms`",
                        key.name
                    ),
                );
                // `30` → `30s`, `5 s` → `5s`: only when the digits are all there is.
                let compact: String = found.chars().filter(|c| !c.is_whitespace()).collect();
                let digits = compact.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                let unit = &compact[digits.len()..];
                if !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && matches!(unit, "" | "s" | "ms" | "m" | "h")
                    && p.yaml.source(p.text, *value) == found.as_str()
                {
                    let unit = if unit.is_empty() { "s" } else { unit };
                    f = f.with_fix(
                        format!("Write `{digits}{unit}`"),
                        vec![Edit {
                            range: p.span(*value),
                            new_text: format!("{digits}{unit}"),
                        }],
                    );
                }
                f
            }
            Problem::NotInEnum {
                value,
                key,
                found,
                nearest,
            } => {
                let values: Vec<String> = key.values.iter().map(|v| format!("`{v}`")).collect();
                let mut message = format!(
                    "Compose refuses this file: `{found}` is not a value of `{}`. It must be one of {}",
                    key.name,
                    values.join(", ")
                );
                if let Some(n) = nearest {
                    message.push_str(&format!(". Did you mean `{n}`?"));
                }
                let mut f = Finding::new(&COMPOSE_INVALID_VALUE, p.span(*value), message);
                if let Some(n) = nearest
                    && p.yaml.source(p.text, *value) == found.as_str()
                {
                    f = f.with_fix(
                        format!("Replace with `{n}`"),
                        vec![Edit {
                            range: p.span(*value),
                            new_text: n.to_string(),
                        }],
                    );
                }
                f
            }
            _ => continue,
        };
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings;

    fn fixed(text: &str) -> String {
        let f = findings(text, &[], "compose-invalid-value");
        crate::finding::apply_fixes(text, &f).0
    }

    #[test]
    fn wrong_type() {
        let text = "services:\n  web:\n    image: nginx\n    ports: \"8080:80\"\n";
        let f = findings(text, &[], "compose-invalid-value");
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("`ports` takes a list, not a string"),
            "{}",
            f[0].message
        );
        assert_eq!(&text[f[0].range.clone()], "\"8080:80\"");
    }

    #[test]
    fn number_where_a_string_is_taken_is_quoted() {
        let text = "services:\n  web:\n    image: nginx\n    user: 1000\n";
        assert_eq!(
            fixed(text),
            "services:\n  web:\n    image: nginx\n    user: \"1000\"\n"
        );
    }

    #[test]
    fn durations_get_a_unit() {
        let text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30\n      timeout: 5 s\n";
        let out = fixed(text);
        assert!(
            out.contains("interval: 30s\n") && out.contains("timeout: 5s\n"),
            "{out}"
        );
        assert!(findings(&out, &[], "compose-invalid-value").is_empty());
    }

    #[test]
    fn enum_value_with_nearest() {
        let text = "services:\n  web:\n    image: nginx\n    depends_on:\n      db:\n        condition: service_healty\n  db:\n    image: postgres\n";
        let f = findings(text, &[], "compose-invalid-value");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("Did you mean `service_healthy`?"));
        assert!(fixed(text).contains("condition: service_healthy\n"));
    }

    #[test]
    fn interpolated_values() {
        let text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: ${EVERY}\n";
        assert!(findings(text, &[], "compose-invalid-value").is_empty());
        let f = findings(text, &[("EVERY", "10")], "compose-invalid-value");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(findings(text, &[("EVERY", "10s")], "compose-invalid-value").is_empty());
    }
}
