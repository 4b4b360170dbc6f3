//! Findings to LSP diagnostics and code actions, through the one position module.

use std::str::FromStr;

use ropey::Rope;
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, Uri,
};

use crate::finding::{Finding, Severity};
use crate::text::{self, PositionEncoding};

pub fn range(rope: &Rope, r: std::ops::Range<usize>, enc: PositionEncoding) -> lsp::Range {
    let r = text::range_of(rope, r, enc);
    lsp::Range::new(
        lsp::Position::new(r.start.line, r.start.character),
        lsp::Position::new(r.end.line, r.end.character),
    )
}

/// Text for the places editors show as plain text (diagnostic messages, code action titles,
/// notifications): a Markdown code span `` `x` `` becomes "x" (or 'x' when `x` holds a
/// double quote), so that no backticks show; an unpaired backtick stays. Hovers keep their
/// Markdown.
pub fn plain(s: &str) -> String {
    if !s.contains('`') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('`') {
            // An empty span (two backticks) or an unpaired one is kept as written.
            Some(close) if close > 0 => {
                let code = &after[..close];
                let q = if code.contains('"') { '\'' } else { '"' };
                out.push(q);
                out.push_str(code);
                out.push(q);
                rest = &after[close + 1..];
            }
            Some(_) => {
                out.push_str("``");
                rest = &after[1..];
            }
            None => {
                out.push('`');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// Ropes of the other files that related information points into, built once per file text
/// for all the findings of one publication (not once per finding).
#[derive(Default)]
pub struct OtherRopes(std::cell::RefCell<Vec<(std::sync::Arc<str>, Rope)>>);

impl OtherRopes {
    fn range(
        &self,
        text: &std::sync::Arc<str>,
        r: std::ops::Range<usize>,
        enc: PositionEncoding,
    ) -> lsp::Range {
        let mut ropes = self.0.borrow_mut();
        let at = match ropes
            .iter()
            .position(|(t, _)| std::sync::Arc::ptr_eq(t, text))
        {
            Some(at) => at,
            None => {
                ropes.push((std::sync::Arc::clone(text), Rope::from_str(text)));
                ropes.len() - 1
            }
        };
        range(&ropes[at].1, r, enc)
    }
}

pub fn diagnostic(uri: &Uri, rope: &Rope, f: &Finding, enc: PositionEncoding) -> Diagnostic {
    diagnostic_with(uri, rope, f, enc, &OtherRopes::default())
}

/// [`diagnostic`] with the other files' ropes shared across the findings of a publication.
pub fn diagnostic_with(
    uri: &Uri,
    rope: &Rope,
    f: &Finding,
    enc: PositionEncoding,
    others: &OtherRopes,
) -> Diagnostic {
    let related = f
        .related
        .iter()
        .filter_map(|r| {
            let location = match &r.file {
                None => Location::new(uri.clone(), range(rope, r.range.clone(), enc)),
                Some(other) => Location::new(
                    Uri::from_file_path(&other.path)?,
                    others.range(&other.text, r.range.clone(), enc),
                ),
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: plain(&r.message),
            })
        })
        .collect::<Vec<_>>();
    Diagnostic {
        range: range(rope, f.range.clone(), enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.code.to_string())),
        code_description: Uri::from_str(&f.rule.url())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("portside".to_string()),
        message: plain(&f.message),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A live check's verdict at its mapping: an error where the probe saw something fail,
/// information where the service has no container (nothing was seen to fail), and a hint
/// when it answers (the CodeLens and the hover carry that; no squiggle).
/// The findings of an analysis of `uri` that point into a config file a service mounts
/// (`files`: the mounted files' paths), as diagnostics of that file: at the line the
/// related information names, with the finding's place in `uri` as related information.
/// Analysis stays pure; this only routes what it found to the file it is about.
pub fn in_read_files(
    uri: &Uri,
    rope: &Rope,
    findings: &[Finding],
    files: &[std::path::PathBuf],
    enc: PositionEncoding,
) -> Vec<(Uri, Vec<Diagnostic>)> {
    let mut out: Vec<(Uri, Vec<Diagnostic>)> = Vec::new();
    if files.is_empty() {
        return out;
    }
    let others = OtherRopes::default();
    for f in findings {
        let Some(at) = f
            .related
            .iter()
            .find(|r| r.file.as_ref().is_some_and(|o| files.contains(&o.path)))
        else {
            continue;
        };
        let Some(other) = &at.file else { continue };
        let Some(target) = Uri::from_file_path(&other.path) else {
            continue;
        };
        let mut d = diagnostic_with(uri, rope, f, enc, &others);
        d.range = others.range(&other.text, at.range.clone(), enc);
        let mut related = vec![DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(rope, f.range.clone(), enc)),
            message: "mounted here".to_string(),
        }];
        related.extend(
            d.related_information
                .take()
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r.location.uri != target || r.location.range != d.range),
        );
        d.related_information = Some(related);
        match out.iter_mut().find(|(u, _)| *u == target) {
            Some((_, list)) => list.push(d),
            None => out.push((target, vec![d])),
        }
    }
    out
}

pub fn live_diagnostic(
    rope: &Rope,
    r: &crate::server::documents::LiveResult,
    enc: PositionEncoding,
) -> Diagnostic {
    let v = &r.verdict;
    let severity = match v.outcome {
        crate::live::probe::Outcome::Ok => DiagnosticSeverity::HINT,
        // The service has no container at all (not started, or in a profile): nothing
        // was seen to fail. A container that exited is a failure the probe saw.
        _ if matches!(v.why, crate::live::step::Step::NoContainer { .. }) => {
            DiagnosticSeverity::INFORMATION
        }
        _ => DiagnosticSeverity::ERROR,
    };
    live(
        rope,
        v.mapping.range.clone(),
        severity,
        v.step,
        &v.message,
        enc,
    )
}

/// A live verdict on an external network or a service reference, at the network's key or
/// the value that names the other service.
pub fn live_link_diagnostic(
    rope: &Rope,
    r: &crate::server::documents::LinkResult,
    enc: PositionEncoding,
) -> Diagnostic {
    let v = &r.verdict;
    let severity = match (v.outcome, &v.why) {
        (crate::live::probe::Outcome::Ok, _) => DiagnosticSeverity::HINT,
        (_, crate::live::step::LinkStep::NotRunning { .. }) => DiagnosticSeverity::INFORMATION,
        _ => DiagnosticSeverity::ERROR,
    };
    live(
        rope,
        v.link.range.clone(),
        severity,
        v.step,
        &v.message,
        enc,
    )
}

fn live(
    rope: &Rope,
    at: std::ops::Range<usize>,
    severity: DiagnosticSeverity,
    step: &str,
    message: &str,
    enc: PositionEncoding,
) -> Diagnostic {
    Diagnostic {
        range: range(rope, at, enc),
        severity: Some(severity),
        code: Some(NumberOrString::String(format!("live-{step}"))),
        source: Some("portside-live".to_string()),
        message: plain(&if severity == DiagnosticSeverity::ERROR {
            format!("Live check failed at `{step}`: {message}")
        } else {
            format!("Live: {message}")
        }),
        ..Default::default()
    }
}

/// The last diagnostic of a document with more findings than are sent: how many more, and
/// how to see them.
pub fn more_findings(more: usize, shown: usize) -> Diagnostic {
    Diagnostic {
        range: lsp::Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("portside".into()),
        message: format!(
            "portside shows the first {shown} findings of this file; {more} more are not shown. \"portside check\" on the file lists them all"
        ),
        ..Default::default()
    }
}

#[cfg(test)]
mod other_ropes_tests {
    use super::*;

    #[test]
    fn code_spans_become_quotes_in_plain_text() {
        assert_eq!(
            plain("Replace `localhost` with `127.0.0.1`"),
            "Replace \"localhost\" with \"127.0.0.1\""
        );
        assert_eq!(plain("`\"8080:80\"` is quoted"), "'\"8080:80\"' is quoted");
        assert_eq!(plain("no code"), "no code");
        assert_eq!(plain("one ` alone"), "one ` alone");
        assert_eq!(plain("empty `` span"), "empty `` span");
        assert_eq!(plain("`a` and `b"), "\"a\" and `b");
        assert_eq!(plain("é `ü` ß"), "é \"ü\" ß");
    }

    /// Related information into the same other file builds its rope once per publication.
    #[test]
    fn one_rope_per_other_file() {
        let others = OtherRopes::default();
        let a: std::sync::Arc<str> = "FROM x\nEXPOSE 80\n".into();
        let b: std::sync::Arc<str> = "x".into();
        let r1 = others.range(&a, 7..13, PositionEncoding::Utf16);
        let r2 = others.range(&a, 0..4, PositionEncoding::Utf16);
        others.range(&b, 0..1, PositionEncoding::Utf16);
        assert_eq!(others.0.borrow().len(), 2);
        assert_eq!((r1.start.line, r1.start.character), (1, 0));
        assert_eq!((r2.start.line, r2.end.character), (0, 4));
    }
}
