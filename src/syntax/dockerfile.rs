//! Dockerfiles: parse-dockerfile, with recovery so that one typo does not hide the rest.
//!
//! parse-dockerfile stops at the first error. On an error we record it, blank the line it
//! names (spaces keep every byte offset of the rest of the file) and parse again, so the
//! instructions after a half-typed line are still analysed.

use std::borrow::Cow;

use super::SyntaxError;

/// Errors to collect before giving up on a file; each one costs a re-parse.
const MAX_ERRORS: usize = 50;

#[derive(Debug, Clone)]
pub struct DockerfileSyntax<'a> {
    /// The text that parses: the original, or a copy with the bad lines blanked.
    pub text: Cow<'a, str>,
    pub errors: Vec<SyntaxError>,
    /// Whether `text` parses. False only when recovery gave up.
    pub parsed: bool,
}

impl<'a> DockerfileSyntax<'a> {
    pub fn parse(original: &'a str) -> Self {
        let mut text = Cow::Borrowed(original);
        let mut errors = Vec::new();
        loop {
            let Some(err) = parse_dockerfile::parse(&text).err() else {
                return Self {
                    text,
                    errors,
                    parsed: true,
                };
            };
            let message = format!("{err:#}");
            let Some((start, end)) = line_bounds(&text, err.line()) else {
                // No position (e.g. no FROM at all): report at the start and stop.
                errors.push(SyntaxError::at(message, 0));
                return Self {
                    text,
                    errors,
                    parsed: false,
                };
            };
            let line = &text[start..end];
            // A blank line (or one blanked after an earlier error) has no content: point at
            // its start rather than at a reversed range.
            let (content_start, content_end) = if line.trim().is_empty() {
                (start, start)
            } else {
                (
                    start + (line.len() - line.trim_start().len()),
                    start + line.trim_end().len(),
                )
            };
            let token_end = if message.starts_with("unknown instruction") {
                text[content_start..content_end]
                    .find(char::is_whitespace)
                    .map_or(content_end, |i| content_start + i)
            } else {
                content_end
            };
            errors.push(SyntaxError {
                message,
                range: content_start..token_end,
            });
            if content_start == content_end || errors.len() >= MAX_ERRORS {
                // Blanking would change nothing (the error is at an empty line or EOF).
                return Self {
                    text,
                    errors,
                    parsed: false,
                };
            }
            let blanked: String = text
                .char_indices()
                .map(|(i, c)| {
                    if (start..end).contains(&i) && c != '\r' {
                        " ".repeat(c.len_utf8())
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            text = Cow::Owned(blanked);
        }
    }
}

/// Byte range of 1-based `line` without its line break.
fn line_bounds(text: &str, line: usize) -> Option<(usize, usize)> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let content = l.strip_suffix('\n').unwrap_or(l);
            return Some((start, start + content.len()));
        }
        start += l.len();
    }
    // The error is at the very end (after a trailing newline).
    Some((text.len(), text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_on_a_blank_line_has_an_empty_range_not_a_reversed_one() {
        // Found by tests/robustness.rs: an unterminated here-document reported at a line
        // that an earlier error had blanked.
        let text = "# syntax=dock1\nFROM python:3.12-slipip ins<<: *atall --no-cache-dir -r requirements.txt\nCOPY <<: *a. ports:.\nEm\nWORKDIR /app\nCO>Y requirem ments.txt\nents.txt .\nRUN pip install --no-cache-dir -r requirquirements.txt\nCOPY . .\nEm\nWORKDIR /app\nCOPY requienetwork_mode: ments.txt\nCOPY . .\nEXP Flask's development ser0.0.0.0ver lisétens on 127.0.0.1 u😀nless told otherwise.\nCMD [\"flask\", \"--app\", \nEXP Flask's dev\"api\",";
        let d = DockerfileSyntax::parse(text);
        for e in &d.errors {
            assert!(
                e.range.start <= e.range.end && e.range.end <= text.len(),
                "{e:?}"
            );
        }
    }

    #[test]
    fn clean_file_borrows() {
        let d = DockerfileSyntax::parse("FROM alpine\nEXPOSE 80\n");
        assert!(d.errors.is_empty());
        assert!(d.parsed);
        assert!(matches!(d.text, Cow::Borrowed(_)));
    }

    #[test]
    fn recovers_after_a_typo_and_keeps_offsets() {
        let text =
            "FROM alpine:3.20\nRU apk add curl\nRUN echo ok \\\n    && echo two\nEXPOSE 80\n";
        let d = DockerfileSyntax::parse(text);
        assert!(d.parsed);
        assert_eq!(d.errors.len(), 1);
        assert!(
            d.errors[0].message.contains("unknown instruction"),
            "{:?}",
            d.errors
        );
        assert_eq!(&text[d.errors[0].range.clone()], "RU");
        assert_eq!(d.text.len(), text.len());
        assert_eq!(d.text.find("EXPOSE"), text.find("EXPOSE"));
        let parsed = parse_dockerfile::parse(&d.text).unwrap();
        assert_eq!(parsed.instructions.len(), 3);
    }

    #[test]
    fn several_errors_are_all_reported() {
        let text = "FROM a\nRU x\nCP y\nEXPOSE 80\n";
        let d = DockerfileSyntax::parse(text);
        assert_eq!(d.errors.len(), 2);
        assert_eq!(&text[d.errors[1].range.clone()], "CP");
    }

    #[test]
    fn multibyte_lines_are_blanked_byte_for_byte() {
        let text = "FROM a\nRÜN 😀\nEXPOSE 80\n";
        let d = DockerfileSyntax::parse(text);
        assert_eq!(d.text.len(), text.len());
        assert!(d.parsed);
    }

    #[test]
    fn file_without_from_reports_once() {
        let d = DockerfileSyntax::parse("");
        assert!(d.errors.len() <= 1);
        let d = DockerfileSyntax::parse("EXPOSE 80\n");
        assert!(!d.errors.is_empty());
    }

    #[test]
    fn unterminated_heredoc_does_not_loop() {
        let d = DockerfileSyntax::parse("FROM a\nRUN <<EOF\necho never closed\n");
        assert!(!d.errors.is_empty());
        assert!(d.errors.len() < MAX_ERRORS);
    }
}
