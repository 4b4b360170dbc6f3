//! `.env` files as compose-go's `dotenv/parser.go` reads them: comments, `export`,
//! `KEY=VAL` and `KEY: VAL`, single quotes (literal), double quotes (escapes, then
//! interpolation), unquoted values with ` #` comments and interpolation, and `KEY` alone
//! inheriting from the environment.

use std::collections::HashMap;

use super::interpolate::interpolate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    pub line: usize,
    pub message: String,
}

/// Parses `text`. Values may refer to variables defined earlier in the file or in
/// `environment`; `KEY` alone takes its value from `environment` when set there.
pub fn parse(
    text: &str,
    environment: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<DotenvError>) {
    let (vars, _lines, errors) = parse_with_lines(text, environment);
    (vars, errors)
}

/// As [`parse`], with the (1-based) line where each variable's value was last set, for
/// messages that say where a value came from (`.env:2`).
pub fn parse_with_lines(
    text: &str,
    environment: &HashMap<String, String>,
) -> (
    HashMap<String, String>,
    HashMap<String, usize>,
    Vec<DotenvError>,
) {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut defined_on: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let sep = line.find(['=', ':']);
        let (key, rest) = match sep {
            Some(p) => (line[..p].trim(), Some(line[p + 1..].trim_start())),
            None => (line.trim(), None),
        };
        if key.contains(char::is_whitespace) {
            errors.push(DotenvError {
                line: line_no,
                message: format!("line {line_no}: key cannot contain a space"),
            });
            continue;
        }
        if let Some(c) = key
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_.-[]".contains(*c)))
        {
            errors.push(DotenvError {
                line: line_no,
                message: format!(
                    "line {line_no}: unexpected character \"{c}\" in variable name \"{line}\""
                ),
            });
            continue;
        }
        let Some(rest) = rest else {
            if let Some(v) = environment.get(key) {
                vars.insert(key.to_string(), v.clone());
                defined_on.insert(key.to_string(), line_no);
            }
            continue;
        };
        let lookup = |name: &str| environment.get(name).or_else(|| vars.get(name)).cloned();
        let value = if let Some(body) = rest.strip_prefix('\'') {
            match read_quoted(body, '\'', &lines, &mut i) {
                Some(v) => v.replace("\\'", "'"),
                None => {
                    errors.push(unterminated(line_no, rest));
                    continue;
                }
            }
        } else if let Some(body) = rest.strip_prefix('"') {
            match read_quoted(body, '"', &lines, &mut i) {
                Some(v) => interpolate(&unescape(&v), &lookup).value,
                None => {
                    errors.push(unterminated(line_no, rest));
                    continue;
                }
            }
        } else {
            let v = match rest.find(" #") {
                Some(p) => &rest[..p],
                None => rest,
            };
            interpolate(v.trim_end(), &lookup).value
        };
        vars.insert(key.to_string(), value);
        defined_on.insert(key.to_string(), line_no);
    }
    (vars, defined_on, errors)
}

fn unterminated(line: usize, rest: &str) -> DotenvError {
    DotenvError {
        line,
        message: format!("line {line}: unterminated quoted value {rest}"),
    }
}

/// Reads a quoted value that may continue on the following lines.
fn read_quoted(first: &str, quote: char, lines: &[&str], next: &mut usize) -> Option<String> {
    let mut buf = String::new();
    let mut current = first.to_string();
    loop {
        if let Some(end) = closing_quote(&current, quote) {
            buf.push_str(&current[..end]);
            return Some(buf);
        }
        buf.push_str(&current);
        buf.push('\n');
        current = lines.get(*next)?.to_string();
        *next += 1;
    }
}

fn closing_quote(s: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return Some(i);
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            // `\$` is a literal dollar: keep it escaped for interpolation as `$$`.
            Some('$') => out.push_str("$$"),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> HashMap<String, String> {
        let env = HashMap::from([("FROM_ENV".to_string(), "outside".to_string())]);
        let (v, errors) = parse(text, &env);
        assert!(errors.is_empty(), "{errors:?}");
        v
    }

    #[test]
    fn forms() {
        let v = vars(
            "# comment\n\nexport A=1\nB = two  \nC: three\nD=VAL # comment\nE=VAL# not a comment\nF='lit $A \\t'\nG=\"x\\ty $A \\$A\"\nH=${A}-${MISSING:-d}\nFROM_ENV\nNOT_SET\n",
        );
        assert_eq!(v["A"], "1");
        assert_eq!(v["B"], "two");
        assert_eq!(v["C"], "three");
        assert_eq!(v["D"], "VAL");
        assert_eq!(v["E"], "VAL# not a comment");
        assert_eq!(v["F"], "lit $A \\t");
        assert_eq!(v["G"], "x\ty 1 $A");
        assert_eq!(v["H"], "1-d");
        assert_eq!(v["FROM_ENV"], "outside");
        assert!(!v.contains_key("NOT_SET"));
    }

    #[test]
    fn the_line_that_set_each_variable() {
        let text =
            "# db\nDB_HOST=localhost\nMULTI=\"a\nNOT_A_KEY=b\"\nexport DB_HOST=db\n\nPORT=1\n";
        let (v, lines, errors) = parse_with_lines(text, &HashMap::new());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v["DB_HOST"], "db");
        // The last definition wins, and a quoted value's next lines define nothing.
        assert_eq!(lines["DB_HOST"], 5);
        assert_eq!(lines["MULTI"], 3);
        assert_eq!(lines["PORT"], 7);
        assert!(!lines.contains_key("NOT_A_KEY"));
    }

    #[test]
    fn multi_line_quotes_and_errors() {
        let v = vars("A=\"one\ntwo\"\nB=3\n");
        assert_eq!(v["A"], "one\ntwo");
        assert_eq!(v["B"], "3");
        let (_, errors) = parse("MY KEY=1\nOK=1\nBAD!=2\nQ='open\n", &HashMap::new());
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages[0], "line 1: key cannot contain a space");
        assert!(messages[1].starts_with("line 3: unexpected character \"!\""));
        assert!(messages[2].starts_with("line 4: unterminated quoted value"));
    }
}
