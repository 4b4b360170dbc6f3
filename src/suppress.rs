//! Suppression comments in files that have `#` comments (Compose files, Dockerfiles):
//! `# portside-ignore: code[, code]` at the end of a line (that line) or alone on a line
//! (the next line), and `# portside-ignore-file: code[, code]` (the whole file).

use std::ops::Range;

use crate::classify::FileKind;
use crate::finding::{Edit, Finding};
use crate::rules;

struct Directive {
    /// The line it applies to, or `None` for the whole file.
    line: Option<usize>,
    codes: Vec<String>,
}

/// Removes suppressed findings and reports directives that name unknown rules.
pub fn apply(text: &str, findings: &mut Vec<Finding>) {
    if memchr::memmem::find(text.as_bytes(), b"portside-ignore").is_none() {
        return;
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
    let mut directives = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let Some(hash) = line
            .find("# portside-ignore")
            .or_else(|| line.find("#portside-ignore"))
        else {
            continue;
        };
        let comment = line[hash + 1..].trim_start();
        let (file_wide, rest) = if let Some(rest) = comment.strip_prefix("portside-ignore-file") {
            (true, rest)
        } else if let Some(rest) = comment.strip_prefix("portside-ignore") {
            (false, rest)
        } else {
            continue;
        };
        let codes: Vec<String> = rest
            .trim_start()
            .strip_prefix(':')
            .unwrap_or("")
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let start = line_starts[n] + hash;
        let range = start..line_starts[n] + line.len();
        if codes.is_empty() {
            problems.push(Finding::new(
                &rules::INVALID_IGNORE_COMMENT,
                range.clone(),
                "This suppression names no rule: write `# portside-ignore: CODE` (`portside rules` lists the codes)",
            ));
        }
        for code in &codes {
            if rules::find(code).is_none() {
                let mut message =
                    format!("`{code}` is not a portside rule, so this suppresses nothing");
                if let Some(close) =
                    crate::text::did_you_mean(code, rules::ALL.iter().map(|r| r.code))
                {
                    message.push_str(&format!(". Did you mean `{close}`?"));
                }
                problems.push(Finding::new(
                    &rules::INVALID_IGNORE_COMMENT,
                    range.clone(),
                    message,
                ));
            }
        }
        let alone = line[..hash].trim().is_empty();
        directives.push(Directive {
            line: (!file_wide).then_some(if alone { n + 1 } else { n }),
            codes,
        });
    }
    findings.retain(|f| {
        let line = line_of(f.range.start);
        !directives
            .iter()
            .any(|d| d.line.is_none_or(|l| l == line) && d.codes.iter().any(|c| c == f.rule.code))
    });
    findings.extend(problems);
}

/// A suppression directive on one line: whether it is file-wide, whether it stands alone on
/// its line, and where its code list ends (trailing spaces excluded); `None` without codes.
fn directive_on(line: &str) -> Option<(bool, bool, usize)> {
    let hash = line
        .find("# portside-ignore")
        .or_else(|| line.find("#portside-ignore"))?;
    let comment = line[hash + 1..].trim_start();
    let (file_wide, rest) = match comment.strip_prefix("portside-ignore-file") {
        Some(rest) => (true, rest),
        None => (false, comment.strip_prefix("portside-ignore")?),
    };
    let codes = rest.trim_start().strip_prefix(':')?;
    if codes.trim().is_empty() {
        return None;
    }
    let alone = line[..hash].trim().is_empty();
    Some((file_wide, alone, line.trim_end().len()))
}

/// The lines of `text` as (start, end without the line break).
fn line_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        let end = if text[..i].ends_with('\r') { i - 1 } else { i };
        spans.push(start..end);
        start = i + 1;
    }
    spans.push(start..text.len());
    spans
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// The edit that suppresses `code` on the line of `offset`: the code added to a directive
/// that already applies to that line, else `# portside-ignore: CODE` at the end of the line
/// (when `at_end`: the caller knows a comment may end it) or alone on a line above it (when
/// `above`). `None` when neither may be written there.
pub fn ignore_on_line(
    text: &str,
    offset: usize,
    code: &str,
    at_end: bool,
    above: bool,
) -> Option<Edit> {
    let lines = line_spans(text);
    let n = lines
        .partition_point(|l| l.start <= offset)
        .checked_sub(1)?;
    let line = &text[lines[n].clone()];
    let append = |at: usize| Edit {
        range: at..at,
        new_text: format!(", {code}"),
    };
    if let Some((false, false, end)) = directive_on(line) {
        return Some(append(lines[n].start + end));
    }
    if n > 0
        && let Some((false, true, end)) = directive_on(&text[lines[n - 1].clone()])
    {
        return Some(append(lines[n - 1].start + end));
    }
    if at_end {
        let end = lines[n].start + line.trim_end().len();
        return Some(Edit {
            range: end..end,
            new_text: format!("  # portside-ignore: {code}"),
        });
    }
    if above {
        let indent = &line[..line.len() - line.trim_start().len()];
        let start = lines[n].start;
        return Some(Edit {
            range: start..start,
            new_text: format!("{indent}# portside-ignore: {code}{}", newline(text)),
        });
    }
    None
}

/// The edit that suppresses `code` in the whole file: the code added to the first
/// `# portside-ignore-file:` directive, else a new one at the top (after a byte order mark
/// and, in a Dockerfile, after the parser directives, which must come first).
pub fn ignore_in_file(text: &str, kind: FileKind, code: &str) -> Edit {
    let lines = line_spans(text);
    for l in &lines {
        if let Some((true, _, end)) = directive_on(&text[l.clone()]) {
            let at = l.start + end;
            return Edit {
                range: at..at,
                new_text: format!(", {code}"),
            };
        }
    }
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if kind == FileKind::Dockerfile {
        // `# syntax=...`, `# escape=...`, `# check=...`: read only before any comment.
        for l in &lines {
            let line = text[l.clone()].trim_start_matches('\u{feff}');
            let is_directive = line.strip_prefix('#').is_some_and(|rest| {
                rest.split_once('=').is_some_and(|(name, _)| {
                    let name = name.trim();
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())
                })
            });
            if !is_directive {
                break;
            }
            at = (l.end + 1).min(text.len());
            if text[l.end..].starts_with("\r\n") {
                at = l.end + 2;
            }
        }
        if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
            return Edit {
                range: at..at,
                new_text: format!("{}# portside-ignore-file: {code}", newline(text)),
            };
        }
    }
    Edit {
        range: at..at,
        new_text: format!("# portside-ignore-file: {code}{}", newline(text)),
    }
}

/// The edit of a `portside.toml` (its text, empty when it is new) that turns `code` off:
/// the rule's line in `[rules]` changed, else added there, else a `[rules]` table appended.
/// `None` when the result would not turn it off (a `rules` written another way): the caller
/// offers nothing rather than a broken file.
pub fn turn_off_in_config(text: &str, code: &str) -> Option<Edit> {
    let lines = line_spans(text);
    let nl = newline(text);
    let header = lines.iter().position(|l| {
        let t = text[l.clone()].trim();
        t.strip_prefix("[rules]")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'))
    });
    let edit = match header {
        Some(h) => {
            let section = lines[h + 1..]
                .iter()
                .take_while(|l| !text[(*l).clone()].trim_start().starts_with('['));
            let mut found = None;
            let mut last = lines[h].clone();
            for l in section {
                let t = text[l.clone()].trim();
                if !t.is_empty() {
                    last = l.clone();
                }
                let key = t.split('=').next().unwrap_or("").trim().trim_matches('"');
                if t.contains('=') && key == code {
                    found = Some(l.clone());
                }
            }
            match found {
                Some(l) => Edit {
                    range: l,
                    new_text: format!("{code} = \"off\""),
                },
                None => Edit {
                    range: last.end..last.end,
                    new_text: format!("{nl}{code} = \"off\""),
                },
            }
        }
        None => {
            let sep = if text.is_empty() {
                ""
            } else if text.ends_with('\n') {
                nl
            } else {
                if nl == "\r\n" { "\r\n\r\n" } else { "\n\n" }
            };
            Edit {
                range: text.len()..text.len(),
                new_text: format!("{sep}[rules]{nl}{code} = \"off\"{nl}"),
            }
        }
    };
    // The result must parse, keep every setting it had, and turn the rule off.
    let mut after = text.to_string();
    after.replace_range(edit.range.clone(), &edit.new_text);
    let known = rules::known();
    let (settings, problems) = crate::config::RuleSettings::from_toml(&after, known);
    let (_, before) = crate::config::RuleSettings::from_toml(text, known);
    let rule = known.iter().find(|r| r.code == code)?;
    (problems.len() <= before.len() && !settings.runs(rule)).then_some(edit)
}

#[cfg(test)]
mod tests {
    use crate::analysis::analyze;
    use crate::classify::FileKind;

    fn codes(text: &str) -> Vec<&'static str> {
        analyze(FileKind::Compose, text)
            .findings
            .iter()
            .map(|f| f.code())
            .collect()
    }

    #[test]
    fn line_next_line_and_file() {
        let base = "services:\n  a:\n    ports:\n      - \"8080\"\n      - \"8081\"\n";
        assert_eq!(codes(base), ["container-port-only", "container-port-only"]);
        let same_line = base.replace(
            "\"8080\"",
            "\"8080\"  # portside-ignore: container-port-only",
        );
        assert_eq!(codes(&same_line), ["container-port-only"]);
        let above = base.replace("      - \"8081\"", "      # portside-ignore: publish-all-interfaces, container-port-only\n      - \"8081\"");
        assert_eq!(codes(&above), ["container-port-only"]);
        let file = format!("# portside-ignore-file: container-port-only\n{base}");
        assert!(codes(&file).is_empty());
    }

    #[test]
    fn unknown_codes_are_reported() {
        let text =
            "services:\n  a:\n    ports: [\"8080\"]  # portside-ignore: container-port-onl\n";
        let a = analyze(FileKind::Compose, text);
        let bad: Vec<_> = a
            .findings
            .iter()
            .filter(|f| f.code() == "invalid-ignore-comment")
            .collect();
        assert_eq!(bad.len(), 1);
        assert!(
            bad[0]
                .message
                .contains("Did you mean `container-port-only`?"),
            "{}",
            bad[0].message
        );
        let text = "FROM a\n# portside-ignore:\nRUN x\n";
        let a = analyze(FileKind::Dockerfile, text);
        assert_eq!(a.findings[0].code(), "invalid-ignore-comment");
    }

    fn apply(text: &str, e: &crate::finding::Edit) -> String {
        let mut t = text.to_string();
        t.replace_range(e.range.clone(), &e.new_text);
        t
    }

    #[test]
    fn suppression_edits_make_the_finding_go() {
        let base = "services:\n  a:\n    ports:\n      - \"8080\"\n      - \"8081\"\n";
        let at = base.find("\"8081").unwrap();
        let end = super::ignore_on_line(base, at, "container-port-only", true, true).unwrap();
        assert_eq!(codes(&apply(base, &end)), ["container-port-only"]);
        let above = super::ignore_on_line(base, at, "container-port-only", false, true).unwrap();
        let t = apply(base, &above);
        assert!(
            t.contains("      # portside-ignore: container-port-only\n      - \"8081\""),
            "{t}"
        );
        assert_eq!(codes(&t), ["container-port-only"]);
        assert!(super::ignore_on_line(base, at, "x", false, false).is_none());
        // A second rule joins the directive already there.
        let t2 = apply(
            &t,
            &super::ignore_on_line(
                &t,
                t.find("\"8081").unwrap(),
                "publish-all-interfaces",
                true,
                true,
            )
            .unwrap(),
        );
        assert!(
            t2.contains("# portside-ignore: container-port-only, publish-all-interfaces\n"),
            "{t2}"
        );
        let file = super::ignore_in_file(base, FileKind::Compose, "container-port-only");
        let t = apply(base, &file);
        assert!(
            t.starts_with("# portside-ignore-file: container-port-only\n"),
            "{t}"
        );
        assert!(codes(&t).is_empty());
        let t3 = apply(
            &t,
            &super::ignore_in_file(&t, FileKind::Compose, "publish-all-interfaces"),
        );
        assert!(
            t3.starts_with("# portside-ignore-file: container-port-only, publish-all-interfaces\n"),
            "{t3}"
        );
    }

    #[test]
    fn a_dockerfile_line_is_ignored_from_the_line_above() {
        let text = "# syntax=docker/dockerfile:1\nFROM scratch\nEXPOSE 80/TCP\n";
        let found = analyze(FileKind::Dockerfile, text).findings;
        let f = found
            .iter()
            .find(|f| f.code() == "expose-proto-casing")
            .expect("a finding");
        let e = super::ignore_on_line(text, f.range.start, f.code(), false, true).unwrap();
        let t = apply(text, &e);
        assert_eq!(
            t,
            "# syntax=docker/dockerfile:1\nFROM scratch\n# portside-ignore: expose-proto-casing\nEXPOSE 80/TCP\n"
        );
        assert!(
            !analyze(FileKind::Dockerfile, &t)
                .findings
                .iter()
                .any(|f| f.code() == "expose-proto-casing")
        );
        let e = super::ignore_in_file(text, FileKind::Dockerfile, f.code());
        let t = apply(text, &e);
        assert!(
            t.starts_with("# syntax=docker/dockerfile:1\n# portside-ignore-file: "),
            "{t}"
        );
        assert!(analyze(FileKind::Dockerfile, &t).findings.is_empty(), "{t}");
    }

    #[test]
    fn a_dockerfile_keeps_its_parser_directives_first() {
        let text = "# syntax=docker/dockerfile:1\n# escape=\\\nFROM a\n";
        let e = super::ignore_in_file(text, FileKind::Dockerfile, "x");
        assert_eq!(
            apply(text, &e),
            "# syntax=docker/dockerfile:1\n# escape=\\\n# portside-ignore-file: x\nFROM a\n"
        );
        let e = super::ignore_in_file("FROM a\r\n", FileKind::Dockerfile, "x");
        assert_eq!(
            apply("FROM a\r\n", &e),
            "# portside-ignore-file: x\r\nFROM a\r\n"
        );
    }

    #[test]
    fn turning_a_rule_off_in_portside_toml() {
        let code = "container-port-only";
        let off = |t: &str| {
            let e = super::turn_off_in_config(t, code).unwrap();
            apply(t, &e)
        };
        assert_eq!(off(""), "[rules]\ncontainer-port-only = \"off\"\n");
        assert_eq!(
            off("[host]\nrootless = true\n"),
            "[host]\nrootless = true\n\n[rules]\ncontainer-port-only = \"off\"\n"
        );
        assert_eq!(
            off("[rules]\nlinks-legacy = \"off\"\n\n[host]\nrootless = true\n"),
            "[rules]\nlinks-legacy = \"off\"\ncontainer-port-only = \"off\"\n\n[host]\nrootless = true\n"
        );
        assert_eq!(
            off("[rules]\ncontainer-port-only = \"error\"\n"),
            "[rules]\ncontainer-port-only = \"off\"\n"
        );
        // `rules` written as dotted keys: appending a table would break the file.
        assert!(super::turn_off_in_config("rules.links-legacy = \"off\"\n", code).is_none());
    }
}
