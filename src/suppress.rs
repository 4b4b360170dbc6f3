//! Suppression comments in files that have `#` comments (Compose files, Dockerfiles):
//! `# portside-ignore: code[, code]` at the end of a line (that line) or alone on a line
//! (the next line), and `# portside-ignore-file: code[, code]` (the whole file).

use crate::finding::Finding;
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
}
