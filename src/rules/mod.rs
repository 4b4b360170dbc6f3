//! The rule registry. Every rule lives in its own file and is declared with
//! [`declare_rule!`], whose `///` doc comment (What it does / Why it matters / Example /
//! Fix) is the single source of `portside explain`, `docs/rules.md` and hovers.

use crate::finding::Severity;

mod duplicate_key;
mod input_too_large;
pub mod invalid_port_spec;
mod syntax_error;

pub use duplicate_key::DUPLICATE_KEY;
pub use input_too_large::INPUT_TOO_LARGE;
pub use invalid_port_spec::INVALID_PORT_SPEC;
pub use syntax_error::SYNTAX_ERROR;

/// Where the rule documentation is published; a diagnostic's `codeDescription` links to
/// the rule's section (`#<code>`).
pub const RULES_DOC_URL: &str = "https://github.com/portside-lsp/portside/blob/main/docs/rules.md";

#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Kebab-case code, shown in diagnostics and used in settings.
    pub code: &'static str,
    pub severity: Severity,
    /// Which files it checks, in words.
    pub applies_to: &'static str,
    /// One line for `portside rules`.
    pub summary: &'static str,
    /// The full documentation, Markdown.
    doc: &'static str,
}

impl Rule {
    /// The documentation with the one leading space of each `///` line removed.
    pub fn doc(&self) -> String {
        let mut out = String::with_capacity(self.doc.len());
        for line in self.doc.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    pub fn url(&self) -> String {
        format!("{RULES_DOC_URL}#{}", self.code)
    }
}

/// Declares a rule; the doc comment becomes its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub static $name:ident = {
            code: $code:literal,
            severity: $severity:ident,
            applies_to: $applies:literal,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            severity: $crate::finding::Severity::$severity,
            applies_to: $applies,
            summary: $summary,
            doc: concat!($($doc, "\n"),+),
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in the order `portside rules` lists them.
pub static ALL: &[&Rule] = &[
    &INVALID_PORT_SPEC,
    &SYNTAX_ERROR,
    &DUPLICATE_KEY,
    &INPUT_TOO_LARGE,
];

pub fn find(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code == code)
}

/// `docs/rules.md`, generated from the rules' documentation.
pub fn markdown_reference() -> String {
    let mut out = String::from(
        "# portside rules\n\n\
         Generated from the rules' source by `portside rules --markdown`; do not edit by hand.\n\n\
         | code | severity | checks | summary |\n|---|---|---|---|\n",
    );
    for rule in ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} | {3} |\n",
            rule.code,
            rule.severity.as_str(),
            rule.applies_to,
            rule.summary
        ));
    }
    for rule in ALL {
        out.push_str(&format!(
            "\n## {}\n\nDefault severity: **{}**. Checks: {}.\n\n{}",
            rule.code,
            rule.severity.as_str(),
            rule.applies_to,
            demote_headings(&rule.doc())
        ));
    }
    out
}

/// Rule docs use `##` headings; inside the reference they sit one level lower.
fn demote_headings(doc: &str) -> String {
    let mut in_code = false;
    doc.lines()
        .map(|l| {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            if !in_code && l.starts_with('#') {
                format!("##{l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "duplicate {}", rule.code);
            assert!(
                rule.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                rule.code
            );
            let doc = rule.doc();
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(doc.contains(section), "{} lacks {section}", rule.code);
            }
        }
    }

    #[test]
    fn docs_rules_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown_reference(),
            "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`"
        );
    }
}
