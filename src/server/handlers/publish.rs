//! `textDocument/publishDiagnostics`: what an analysis sends (built on the worker pool by
//! [`crate::server::scheduler`], which decides when it is sent), and the live verdicts kept
//! across edits.

use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::super::convert;
use crate::analysis;

/// The most diagnostics one document gets.
pub const MAX_DIAGNOSTICS: usize = 2000;

/// The diagnostics of one analysis as sent: the findings (at most [`MAX_DIAGNOSTICS`], then
/// one that counts the rest) and the live verdicts, in the analysed text's positions.
pub fn diagnostics(
    uri: &Uri,
    rope: &ropey::Rope,
    findings: &[crate::finding::Finding],
    live: &[crate::server::documents::LiveResult],
    links: &[crate::server::documents::LinkResult],
    enc: crate::text::PositionEncoding,
) -> Vec<Diagnostic> {
    // An editor cannot show a hundred thousand diagnostics usefully, and building them
    // costs hundreds of megabytes: the first MAX_DIAGNOSTICS, then one that says how many
    // more `portside check` would list.
    let others = convert::OtherRopes::default();
    let mut diagnostics = findings
        .iter()
        .take(MAX_DIAGNOSTICS)
        .map(|f| convert::diagnostic_with(uri, rope, f, enc, &others))
        .collect::<Vec<_>>();
    if findings.len() > MAX_DIAGNOSTICS {
        diagnostics.push(convert::more_findings(
            findings.len() - MAX_DIAGNOSTICS,
            MAX_DIAGNOSTICS,
        ));
    }
    diagnostics.extend(
        live.iter()
            .filter(|r| !r.quiet)
            .map(|r| convert::live_diagnostic(rope, r, enc)),
    );
    diagnostics.extend(
        links
            .iter()
            .filter(|r| !r.quiet)
            .map(|r| convert::live_link_diagnostic(rope, r, enc)),
    );
    diagnostics
}

/// Live results whose mapping is still in the text (same service, entry and binding), with
/// its range in this text; the others are dropped.
pub fn relocate(
    live: Vec<crate::server::documents::LiveResult>,
    path: &std::path::Path,
    text: &str,
    ctx: &analysis::Context,
) -> Vec<crate::server::documents::LiveResult> {
    if live.is_empty() {
        return live;
    }
    let (_, mappings) = crate::live::plan::mappings(path, text, ctx);
    live.into_iter()
        .filter_map(|mut r| {
            let m = mappings
                .iter()
                .find(|m| m.same_binding(&r.verdict.mapping))?;
            r.verdict.mapping.range = m.range.clone();
            Some(r)
        })
        .collect()
}

/// Link verdicts whose network or reference is still in the text, re-located.
pub fn relocate_links(
    links: Vec<crate::server::documents::LinkResult>,
    text: &str,
    ctx: &analysis::Context,
) -> Vec<crate::server::documents::LinkResult> {
    if links.is_empty() {
        return links;
    }
    let now = crate::live::plan::links(text, ctx);
    links
        .into_iter()
        .filter_map(|mut r| {
            let l = now.iter().find(|l| l.same(&r.verdict.link))?;
            r.verdict.link.range = l.range.clone();
            Some(r)
        })
        .collect()
}
