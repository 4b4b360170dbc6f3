//! What analysis returns: findings with exact byte ranges, related places and fixes.
//! Nothing here knows about LSP; the server and the CLI convert ranges themselves.

use std::ops::Range;

use crate::rules::Rule;

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
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the analysed text.
    pub range: Range<usize>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// A finding with the rule's default severity.
    pub fn new(rule: &'static Rule, range: Range<usize>, message: impl Into<String>) -> Self {
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
