//! Compiler-style output through annotate-snippets: `path:line:col`, severity, rule code,
//! message, and the source lines with the span underlined.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Snippet};
use ropey::Rope;

use crate::finding::{Finding, Severity};
use crate::text;

/// Source excerpts longer than this are not shown (a minified one-line file, say); the
/// location is still printed.
const MAX_EXCERPT_BYTES: usize = 4096;

pub struct Renderer {
    inner: annotate_snippets::Renderer,
}

impl Renderer {
    pub fn new(color: bool) -> Self {
        let inner = if color {
            annotate_snippets::Renderer::styled()
        } else {
            annotate_snippets::Renderer::plain()
        };
        Self { inner }
    }

    pub fn finding(&self, path: &str, source: &str, rope: &Rope, f: &Finding) -> String {
        let level = match f.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
            Severity::Info => Level::INFO,
            Severity::Hint => Level::HELP,
        };
        let title = level.primary_title(f.message.as_str()).id(f.rule.code);
        let mut group: Group = match excerpt(source, rope, f.range.clone()) {
            Some((line_start, base, excerpt)) => title.element(
                Snippet::source(excerpt)
                    .line_start(line_start)
                    .path(path)
                    .annotation(
                        AnnotationKind::Primary.span(f.range.start - base..f.range.end - base),
                    ),
            ),
            None => {
                let (line, col) = text::human_line_col(rope, f.range.start);
                title.element(Origin::path(path).line(line).char_column(col))
            }
        };
        for related in &f.related {
            if let Some(other) = &related.file {
                let other_rope = Rope::from_str(&other.text);
                let (line, col) = text::human_line_col(&other_rope, related.range.start);
                group = group.element(Level::NOTE.message(format!(
                    "{}: {}:{line}:{col}",
                    related.message,
                    other.path.display()
                )));
                continue;
            }
            if let Some((line_start, base, excerpt)) = excerpt(source, rope, related.range.clone())
            {
                group = group.element(
                    Snippet::source(excerpt)
                        .line_start(line_start)
                        .path(path)
                        .annotation(
                            AnnotationKind::Context
                                .span(related.range.start - base..related.range.end - base)
                                .label(related.message.as_str()),
                        ),
                );
            }
        }
        for fix in &f.fixes {
            group = group.element(Level::HELP.message(format!("quick fix: {}", fix.title)));
        }
        group = group.element(
            Level::NOTE.message(format!("`portside explain {}` for details", f.rule.code)),
        );
        self.inner.render(&[group])
    }
}

/// The whole lines that hold `range`: (1-based first line, byte offset of the excerpt,
/// excerpt text).
fn excerpt<'s>(
    source: &'s str,
    rope: &Rope,
    range: std::ops::Range<usize>,
) -> Option<(usize, usize, &'s str)> {
    let start_line = rope.byte_to_line(range.start.min(source.len()));
    let end_line = rope.byte_to_line(range.end.min(source.len()));
    let from = rope.line_to_byte(start_line);
    let to = if end_line + 1 < rope.len_lines() {
        rope.line_to_byte(end_line + 1)
    } else {
        source.len()
    };
    let text = source.get(from..to)?;
    let text = text.strip_suffix('\n').unwrap_or(text);
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.len() > MAX_EXCERPT_BYTES || range.end > from + text.len() + 1 {
        return None;
    }
    Some((start_line + 1, from, text))
}
