//! What analysis returns: findings with exact byte ranges, related places and fixes.
//! Nothing here knows about LSP; the server and the CLI convert ranges themselves.
//!
//! A finding names its rule by the rule's metadata ([`RuleMeta`]: code, severity,
//! documentation), which lives here, below the models and the settings; the rules' checks
//! and the registry of every rule are `rules`' business, above them.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

/// Where the rule documentation is published; a diagnostic's `codeDescription` links to
/// the rule's section (`#<code>`).
pub const RULES_DOC_URL: &str = "https://github.com/portside-lsp/portside/blob/main/docs/rules.md";

/// What a rule is, apart from its checks: its code, default level and documentation,
/// declared once with `rules::declare_rule!` in the rule's own file. `rules::Rule` adds the
/// checks and dereferences to this, so a `&'static rules::Rule` is taken wherever a
/// `&'static RuleMeta` is.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case code, shown in diagnostics and used in settings.
    pub code: &'static str,
    pub severity: Severity,
    /// Which files it checks, in words.
    pub applies_to: &'static str,
    /// One line for `portside rules`.
    pub summary: &'static str,
    /// Opinionated: off unless a setting turns it on (`"on"` gives `severity`), as ruff's
    /// and clippy's opt-in lints.
    pub opt_in: bool,
    /// The rule's `///` documentation as written (Markdown, each line with its leading
    /// space); [`RuleMeta::doc`] gives it trimmed.
    pub doc_comment: &'static str,
}

/// Rules are the same when their codes are (codes are unique: a test says so).
impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleMeta {}

impl RuleMeta {
    /// The documentation with the one leading space of each `///` line removed.
    pub fn doc(&self) -> String {
        let mut out = String::with_capacity(self.doc_comment.len());
        for line in self.doc_comment.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }

    pub fn url(&self) -> String {
        format!("{RULES_DOC_URL}#{}", self.code)
    }

    /// The default level in words: `error`, `warning`, `info`, or `off (opt-in, info)`.
    pub fn default_level(&self) -> String {
        if self.opt_in {
            format!("off (opt-in, {})", self.severity.as_str())
        } else {
            self.severity.as_str().to_string()
        }
    }
}

/// Another place that explains a finding ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Byte range in the analysed text, or in `file` when set.
    pub range: Range<usize>,
    pub message: String,
    /// Another file (a Dockerfile for a Compose finding), with its text so that callers
    /// can turn the range into a position.
    pub file: Option<OtherFile>,
}

/// A file other than the analysed one, as analysis saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherFile {
    pub path: std::path::PathBuf,
    pub text: std::sync::Arc<str>,
}

/// One text replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A quick fix: a title and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the analysed text.
    pub range: Range<usize>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// A finding with the rule's default severity.
    pub fn new(rule: &'static RuleMeta, range: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: message.into(),
            range,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Self {
        self.related.push(Related {
            range,
            message: message.into(),
            file: None,
        });
        self
    }

    /// Adds related information gathered elsewhere.
    pub fn with_related_all(mut self, related: Vec<Related>) -> Self {
        self.related.extend(related);
        self
    }

    /// Related information in another file.
    pub fn with_related_in(
        mut self,
        file: OtherFile,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            range,
            message: message.into(),
            file: Some(file),
        });
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>) -> Self {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }

    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}

/// Applies the first fix of each finding to `text`. Fixes whose edits overlap an edit
/// already taken are skipped (run again to apply them). Returns the new text and how many
/// fixes were applied.
pub fn apply_fixes(text: &str, findings: &[Finding]) -> (String, usize) {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut candidates: Vec<&Fix> = findings.iter().filter_map(|f| f.fixes.first()).collect();
    candidates.sort_by_key(|f| f.edits.iter().map(|e| e.range.start).min());
    for fix in candidates {
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.range.start < t.range.end && t.range.start < e.range.end
                    || (e.range.start == t.range.start)
            })
        });
        if overlaps || fix.edits.iter().any(|e| e.range.end > text.len()) {
            continue;
        }
        taken.extend(fix.edits.iter());
        applied += 1;
    }
    taken.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in taken {
        out.replace_range(e.range.clone(), &e.new_text);
    }
    (out, applied)
}
