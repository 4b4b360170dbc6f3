//! Compose variable interpolation, as compose-go's `template/template.go` does it:
//! `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
//! `${VAR:+alt}`, `${VAR+alt}`, `$$`, nested and lazily evaluated defaults.

/// The result of interpolating one value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interpolated {
    pub value: String,
    /// Variables that were used without a default and are not set: Compose substitutes
    /// a blank string and warns.
    pub unset: Vec<String>,
    /// Every variable the value actually read (set or not), in order.
    pub used: Vec<String>,
    pub error: Option<InterpolationError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolationError {
    /// `${VAR:?msg}` / `${VAR?msg}` with the variable missing.
    Required { var: String, message: String },
    /// Not a template Compose understands, such as `${foo!}`.
    Invalid { template: String },
}

impl std::fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpolationError::Required { var, message } if message.is_empty() => {
                write!(f, "required variable {var} is missing a value")
            }
            InterpolationError::Required { var, message } => {
                write!(f, "required variable {var} is missing a value: {message}")
            }
            InterpolationError::Invalid { template } => {
                write!(f, "Invalid template: \"{template}\"")
            }
        }
    }
}

fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

/// Interpolates `s`, looking variables up with `lookup` (`None` = unset).
pub fn interpolate(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Interpolated {
    let mut out = Interpolated::default();
    match expand(s, lookup, &mut out) {
        Ok(value) => out.value = value,
        Err(e) => {
            out.error = Some(e);
            out.value = s.to_string();
        }
    }
    out
}

fn expand(
    s: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    acc: &mut Interpolated,
) -> Result<String, InterpolationError> {
    let mut result = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        result.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            result.push('$');
            rest = tail;
        } else if after.starts_with(is_name_start) {
            let end = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
            let name = &after[..end];
            result.push_str(&value_of(name, lookup, acc, true));
            rest = &after[end..];
        } else if let Some(inner_and_tail) = after.strip_prefix('{') {
            let close =
                matching_brace(inner_and_tail).ok_or_else(|| InterpolationError::Invalid {
                    template: s.to_string(),
                })?;
            let inner = &inner_and_tail[..close];
            result.push_str(&braced(inner, s, lookup, acc)?);
            rest = &inner_and_tail[close + 1..];
        } else {
            // A lone `$` (not followed by a name or `{`) is kept literally.
            result.push('$');
            rest = after;
        }
    }
    result.push_str(rest);
    Ok(result)
}

/// Index of the `}` that closes a `${`; every `{` inside opens a level, as in compose-go
/// (so `${X:-{"json":1}}` closes after the JSON).
fn matching_brace(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn value_of(
    name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    acc: &mut Interpolated,
    warn_if_unset: bool,
) -> String {
    acc.used.push(name.to_string());
    match lookup(name) {
        Some(v) => v,
        None => {
            if warn_if_unset {
                acc.unset.push(name.to_string());
            }
            String::new()
        }
    }
}

fn braced(
    inner: &str,
    whole: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    acc: &mut Interpolated,
) -> Result<String, InterpolationError> {
    let invalid = || InterpolationError::Invalid {
        template: whole.to_string(),
    };
    let name_end = inner.find(|c| !is_name_char(c)).unwrap_or(inner.len());
    let name = &inner[..name_end];
    if name.is_empty() || !name.starts_with(is_name_start) {
        return Err(invalid());
    }
    let op_and_arg = &inner[name_end..];
    if op_and_arg.is_empty() {
        return Ok(value_of(name, lookup, acc, true));
    }
    // The operator is what follows the name: `:-`, `-`, `:?`, `?`, `:+`, `+`.
    let (op, arg) = if let Some(rest) = op_and_arg.strip_prefix(':') {
        match rest.chars().next() {
            Some(c @ ('-' | '?' | '+')) => ((true, c), &rest[1..]),
            _ => return Err(invalid()),
        }
    } else {
        match op_and_arg.chars().next() {
            Some(c @ ('-' | '?' | '+')) => ((false, c), &op_and_arg[1..]),
            _ => return Err(invalid()),
        }
    };
    acc.used.push(name.to_string());
    let value = lookup(name);
    let (colon, kind) = op;
    // With `:`, an empty value counts as missing.
    let present = match &value {
        Some(v) => !(colon && v.is_empty()),
        None => false,
    };
    match kind {
        '-' => {
            if present {
                Ok(value.unwrap_or_default())
            } else {
                expand(arg, lookup, acc)
            }
        }
        '?' => {
            if present {
                Ok(value.unwrap_or_default())
            } else {
                let message = expand(arg, lookup, acc)?;
                Err(InterpolationError::Required {
                    var: name.to_string(),
                    message,
                })
            }
        }
        _ => {
            if present {
                expand(arg, lookup, acc)
            } else {
                Ok(String::new())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "FOO" => Some("first".into()),
            "BAR" => Some(String::new()),
            "JSON" => Some("{\"json\":2}".into()),
            _ => None,
        }
    }

    fn ok(s: &str) -> String {
        let r = interpolate(s, &env);
        assert!(r.error.is_none(), "{s}: {:?}", r.error);
        r.value
    }

    fn err(s: &str) -> String {
        interpolate(s, &env).error.expect("error").to_string()
    }

    // compose-networking-spec.md §5, from compose-go template_test.go.
    #[test]
    fn compose_go_vectors() {
        assert_eq!(ok("$${foo}"), "${foo}");
        assert_eq!(ok("foo"), "foo");
        for lit in ["a $ string", "^REGEX$", "$}", "$"] {
            assert_eq!(ok(lit), lit);
        }
        for bad in ["${", "${}", "${ }", "${ foo}", "${foo }", "${foo!}"] {
            assert!(err(bad).starts_with("Invalid template"), "{bad}");
        }
        assert_eq!(ok("$FOO-bar"), "first-bar");
        assert_eq!(ok("This ${missing} var"), "This  var");
        assert_eq!(ok("This ${BAR} var"), "This  var");
        assert_eq!(ok("This $FOO var"), "This first var");
        assert_eq!(ok("This ${FOO} var"), "This first var");
        assert_eq!(ok("ok ${missing:-def}"), "ok def");
        assert_eq!(ok("ok ${missing-def}"), "ok def");
        assert_eq!(ok("${A:+${A},}B"), "B");
        assert_eq!(ok("${A:-${B}}"), "");
        assert_eq!(ok("ok ${BAR:-def}"), "ok def");
        assert_eq!(ok("ok ${FOO:-def}"), "ok first");
        assert_eq!(ok("ok ${BAR-def}"), "ok ");
        assert_eq!(ok("ok ${UNSET_VAR:+presence_value}"), "ok ");
        assert_eq!(ok("ok ${UNSET_VAR+presence_value}"), "ok ");
        assert_eq!(ok("ok ${FOO:+presence_value}"), "ok presence_value");
        assert_eq!(ok("ok ${FOO+presence_value}"), "ok presence_value");
        assert_eq!(ok("ok ${BAR+presence_value}"), "ok presence_value");
        assert_eq!(ok("ok ${BAR:+presence_value}"), "ok ");
        assert_eq!(ok("ok ${BAR:-/non:-alphanumeric}"), "ok /non:-alphanumeric");
        assert_eq!(ok("+ok ${UNSET:-${BAR-defaultValue}}"), "+ok ");
        assert_eq!(ok(":-ok ${UNSET-defaultValue}"), ":-ok defaultValue");
        assert_eq!(ok(":?ok ${BAR:-defaultValue}"), ":?ok defaultValue");
        assert_eq!(ok("ok ${UNSET_VAR-$FOO}"), "ok first");
        assert_eq!(ok("ok ${UNSET_VAR-${FOO}}"), "ok first");
        assert_eq!(ok("ok ${UNSET_VAR-${FOO} ${FOO}}"), "ok first first");
        assert_eq!(ok("ok ${BAR+$FOO ${FOO:+second}}"), "ok first second");
        assert_eq!(
            err("not ok ${UNSET_VAR:?Mandatory Variable Unset}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable Unset"
        );
        assert_eq!(
            err("not ok ${BAR:?Mandatory Variable Empty}"),
            "required variable BAR is missing a value: Mandatory Variable Empty"
        );
        assert_eq!(
            err("not ok ${UNSET_VAR:?}"),
            "required variable UNSET_VAR is missing a value"
        );
        assert_eq!(
            err("not ok ${UNSET_VAR?}"),
            "required variable UNSET_VAR is missing a value"
        );
        assert_eq!(
            err("not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}"),
            "required variable UNSET_VAR is missing a value: Mandatory Variable first"
        );
        assert_eq!(ok("ok ${FOO:?err}"), "ok first");
        assert_eq!(ok("ok ${FOO?err}"), "ok first");
        assert_eq!(ok("ok ${BAR?err}"), "ok ");
        assert_eq!(
            err("${UNSET_VAR?bar-baz}"),
            "required variable UNSET_VAR is missing a value: bar-baz"
        );
        assert_eq!(ok("${UNSET_VAR-myerror?msg}"), "myerror?msg");
        assert_eq!(ok("ok ${missing:-{\"json\":1}}"), "ok {\"json\":1}");
        assert_eq!(ok("ok ${missing-{\"json\":1}}"), "ok {\"json\":1}");
        assert_eq!(ok("ok ${JSON:-{\"json\":1}}"), "ok {\"json\":2}");
        assert_eq!(ok("ok ${SUBDOMAIN:-redis}.${FOO:?}"), "ok redis.first");
    }

    #[test]
    fn unset_variables_are_recorded_only_without_a_default() {
        let r = interpolate("${HOST_IP}:${PORT:-8080}:80", &env);
        assert_eq!(r.value, ":8080:80");
        assert_eq!(r.unset, ["HOST_IP"]);
        assert_eq!(r.used, ["HOST_IP", "PORT"]);
        // A nested default that is used warns for its own variable only.
        let r = interpolate("${A:-${B}}", &env);
        assert_eq!(r.unset, ["B"]);
        let r = interpolate("${A:+${A},}B", &env);
        assert!(r.unset.is_empty());
    }
}
