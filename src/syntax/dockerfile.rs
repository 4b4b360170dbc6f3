//! Dockerfiles: parse-dockerfile, with recovery so that one typo does not hide the rest.
//!
//! parse-dockerfile stops at the first error. On an error we record it, blank the line it
//! names (spaces keep every byte offset of the rest of the file) and parse again, so the
//! instructions after a half-typed line are still analysed.
//!
//! Before that, [`bridge`] rewrites what BuildKit accepts and parse-dockerfile refuses, byte
//! for byte: here-documents anywhere in `RUN`/`COPY`/`ADD` (several on a line, after other
//! words, `<<-`, quoted delimiters) have their bodies blanked and their `<<` markers too, and
//! `ENTRYPOINT []` (which resets the entrypoint) is blanked and remembered. The rules follow
//! moby/buildkit `frontend/dockerfile/parser/parser.go` (line continuation, comment and
//! empty lines inside continuations, the `escape` directive, `reHeredoc`).

pub mod shell;

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
    /// Where each `ENTRYPOINT []` stood (blanked in `text`): the entrypoint is reset there.
    pub entrypoint_resets: Vec<usize>,
}

impl<'a> DockerfileSyntax<'a> {
    pub fn parse(original: &'a str) -> Self {
        let Bridged {
            mut text,
            entrypoint_resets,
            mut errors,
        } = bridge(original);
        loop {
            let Some(err) = parse_dockerfile::parse(&text).err() else {
                return Self {
                    text,
                    errors,
                    parsed: true,
                    entrypoint_resets,
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
                    entrypoint_resets,
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
                    entrypoint_resets,
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

/// The text after [`bridge`].
struct Bridged<'a> {
    text: Cow<'a, str>,
    entrypoint_resets: Vec<usize>,
    errors: Vec<SyntaxError>,
}

/// A physical line: where it starts and its text without the line break (`\n`, `\r\n`).
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    content: &'a str,
}

fn physical_lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for l in text.split_inclusive('\n') {
        let content = l.strip_suffix('\n').unwrap_or(l);
        let content = content.strip_suffix('\r').unwrap_or(content);
        out.push(Line { start, content });
        start += l.len();
    }
    out
}

/// The escape character the `# escape=` directive sets. BuildKit reads directives
/// (`syntax`, `escape`, `check`) at the top of the file and stops at the first line that is
/// not one (`frontend/dockerfile/parser/directives.go`).
fn escape_char(lines: &[Line<'_>]) -> char {
    for (i, line) in lines.iter().enumerate() {
        let mut c = line.content;
        if i == 0 {
            c = c.strip_prefix('\u{feff}').unwrap_or(c);
        }
        let Some(rest) = c.trim_start().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim();
        let value = value.trim();
        if value.is_empty()
            || !key.starts_with(|c: char| c.is_ascii_alphabetic())
            || !key.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            break;
        }
        match key.to_ascii_lowercase().as_str() {
            "escape" => return if value == "`" { '`' } else { '\\' },
            "syntax" | "check" => {}
            _ => break,
        }
    }
    '\\'
}

/// Whether the line ends with the line-continuation character (BuildKit's
/// `lineContinuationRegex`: the escape character, then only blanks, not itself escaped),
/// and the line without it.
fn continues(content: &str, escape: char) -> (bool, &str) {
    let trimmed = content.trim_end_matches([' ', '\t']);
    let Some(before) = trimmed.strip_suffix(escape) else {
        return (false, content);
    };
    if before.is_empty() || !before.ends_with(escape) {
        (true, before)
    } else {
        (false, content)
    }
}

fn is_comment(content: &str) -> bool {
    content.trim_start().starts_with('#')
}

/// Rewrites, offsets kept, what BuildKit accepts and parse-dockerfile refuses (see the
/// module documentation).
fn bridge(original: &str) -> Bridged<'_> {
    let mut out = Bridged {
        text: Cow::Borrowed(original),
        entrypoint_resets: Vec::new(),
        errors: Vec::new(),
    };
    let quick = memchr::memmem::find(original.as_bytes(), b"<<").is_some()
        || original
            .as_bytes()
            .windows(10)
            .any(|w| w.eq_ignore_ascii_case(b"entrypoint"));
    if !quick {
        return out;
    }
    let lines = physical_lines(original);
    let escape = escape_char(&lines);
    // Byte ranges to blank (line breaks and `\r` are kept).
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i];
        let mut content = first.content;
        if i == 0 {
            content = content.strip_prefix('\u{feff}').unwrap_or(content);
        }
        if content.trim().is_empty() || is_comment(content) {
            i += 1;
            continue;
        }
        // The logical line: pieces of physical lines with where they start.
        let offset0 = first.start + (first.content.len() - content.len());
        let lead = content.len() - content.trim_start().len();
        let mut pieces: Vec<(usize, &str)> = Vec::new();
        let (mut more, piece) = continues(&content[lead..], escape);
        pieces.push((offset0 + lead, piece));
        let mut last = i;
        while more && last + 1 < lines.len() {
            last += 1;
            let l = lines[last];
            if is_comment(l.content) || l.content.trim().is_empty() {
                continue;
            }
            let (m, piece) = continues(l.content, escape);
            more = m;
            pieces.push((l.start, piece));
        }
        let (logical, map) = join(&pieces);
        let (keyword, args_at) = keyword(&logical);
        let keyword = keyword.to_ascii_lowercase();
        let mut next = last + 1;
        if keyword == "entrypoint" {
            // `ENTRYPOINT []` and a bare `ENTRYPOINT`: BuildKit's parseEntrypoint takes an
            // empty command as "no entrypoint".
            let args = logical[args_at..].trim();
            if args.is_empty()
                || (args.starts_with('[')
                    && args.ends_with(']')
                    && args[1..args.len() - 1].trim().is_empty())
            {
                // `ONBUILD ENTRYPOINT []` is for images built from this one.
                if !logical
                    .trim_start()
                    .get(..7)
                    .is_some_and(|w| w.eq_ignore_ascii_case("onbuild"))
                {
                    out.entrypoint_resets.push(map[0]);
                }
                blank.push(lines[i].start..lines[last].start + lines[last].content.len());
            }
        } else if logical.contains("<<") && can_hold_heredocs(&keyword, &logical[args_at..]) {
            for doc in heredocs(&logical) {
                // The marker (`<<`, `<<-`) becomes blanks; the delimiter word stays.
                blank.extend(doc.marker.clone().map(|k| map[k]..map[k] + 1));
                let mut terminated = false;
                while next < lines.len() {
                    let l = lines[next];
                    next += 1;
                    let candidate = if doc.chomp {
                        l.content.trim_start_matches('\t')
                    } else {
                        l.content
                    };
                    blank.push(l.start..l.start + l.content.len());
                    if candidate == doc.name {
                        terminated = true;
                        break;
                    }
                }
                if !terminated {
                    let at = map[doc.marker.start];
                    out.errors.push(SyntaxError {
                        message: format!("unterminated heredoc `{}`", doc.name),
                        range: at..map[doc.marker.end - 1] + 1,
                    });
                    break;
                }
            }
        }
        i = next;
    }
    if blank.is_empty() {
        return out;
    }
    let mut bytes = original.as_bytes().to_vec();
    for r in blank {
        for b in &mut bytes[r] {
            if *b != b'\r' && *b != b'\n' {
                *b = b' ';
            }
        }
    }
    // Whole lines or ASCII markers were blanked, so the text stays UTF-8; the fallback
    // only guards against a mistake here.
    out.text = match String::from_utf8(bytes) {
        Ok(s) => Cow::Owned(s),
        Err(_) => Cow::Borrowed(original),
    };
    out
}

/// The pieces joined, and for each byte of the result its offset in the file.
fn join(pieces: &[(usize, &str)]) -> (String, Vec<usize>) {
    let mut logical = String::new();
    let mut map = Vec::new();
    for (start, piece) in pieces {
        logical.push_str(piece);
        map.extend((0..piece.len()).map(|k| start + k));
    }
    // Never empty: an offset for "after the end".
    map.push(pieces.last().map_or(0, |(s, p)| s + p.len()));
    (logical, map)
}

/// The instruction keyword of a logical line and where its arguments start; `ONBUILD X`
/// gives `X`.
fn keyword(logical: &str) -> (&str, usize) {
    let word_at = |from: usize| {
        let rest = &logical[from..];
        let start = from + (rest.len() - rest.trim_start().len());
        let end = logical[start..]
            .find(char::is_whitespace)
            .map_or(logical.len(), |e| start + e);
        (&logical[start..end], end)
    };
    let (first, end) = word_at(0);
    if first.eq_ignore_ascii_case("onbuild") {
        return word_at(end);
    }
    (first, end)
}

/// BuildKit's `canContainHeredoc`: `RUN`, `COPY` and `ADD`, not in JSON form.
fn can_hold_heredocs(keyword: &str, args: &str) -> bool {
    if !matches!(keyword, "run" | "copy" | "add") {
        return false;
    }
    // Flags (`--mount=...`) come first; the JSON form is an array of strings after them.
    let mut rest = args.trim_start();
    while rest.starts_with("--") {
        rest = rest
            .find(char::is_whitespace)
            .map_or("", |e| rest[e..].trim_start());
    }
    !(rest.starts_with('[') && serde_json::from_str::<Vec<String>>(rest.trim_end()).is_ok())
}

/// A here-document named on an instruction line.
#[derive(Debug, PartialEq, Eq)]
struct Heredoc {
    /// `<<` or `<<-` in the logical line.
    marker: std::ops::Range<usize>,
    name: String,
    /// `<<-`: leading tabs are removed before comparing with the delimiter.
    chomp: bool,
}

/// The here-documents of a logical line, in order: its words (quotes kept; `<<` and the
/// blanks after it join the next word) that match BuildKit's `^(\d*)<<(-?)\s*([^<]*)$`
/// and whose delimiter, unquoted, is one word.
fn heredocs(logical: &str) -> Vec<Heredoc> {
    let mut out = Vec::new();
    for (start, word) in raw_words_at(logical) {
        let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let Some(after) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        let chomp = after.starts_with('-');
        let rest = if chomp { &after[1..] } else { after }.trim_start();
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let words = shell::process(rest, '\\', &|_| None)
            .map(|p| p.words)
            .unwrap_or_else(|| vec![rest.to_string()]);
        let [name] = &words[..] else { continue };
        let marker_start = start + digits;
        out.push(Heredoc {
            marker: marker_start..marker_start + 2 + usize::from(chomp),
            name: name.clone(),
            chomp,
        });
    }
    out
}

/// Words split at blanks outside quotes, quotes and escapes kept, with their starts;
/// `<<` followed by blanks stays with the next word (as BuildKit's lexer reads it).
fn raw_words_at(line: &str) -> Vec<(usize, &str)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(b'"') if b == b'\\' => i += 1,
                Some(_) => {}
                None if b == b'\'' || b == b'"' => quote = Some(b),
                None if b == b'\\' => i += 1,
                None if b == b'<' && bytes.get(i + 1) == Some(&b'<') => {
                    i += 2;
                    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                        i += 1;
                    }
                    continue;
                }
                None if b.is_ascii_whitespace() => break,
                None => {}
            }
            i += 1;
        }
        let end = i.min(bytes.len());
        if let Some(word) = line.get(start..end) {
            out.push((start, word));
        }
    }
    out
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

    /// Shapes `docker build` accepts (BuildKit's parser and instruction parser): none may be
    /// a syntax error, and the instructions after them must still be read.
    #[test]
    fn what_buildkit_accepts_is_not_a_syntax_error() {
        let cases: &[(&str, &str)] = &[
            ("empty exec CMD", "FROM a\nCMD []\n"),
            ("empty exec ENTRYPOINT", "FROM a\nENTRYPOINT []\n"),
            ("bare ENTRYPOINT", "FROM a\nENTRYPOINT\nCMD [\"x\"]\n"),
            ("bare ENTRYPOINT at EOF", "FROM a\nentrypoint"),
            (
                "ENTRYPOINT [ ] spaced",
                "FROM a\nENTRYPOINT [ ]\nCMD [\"x\"]\n",
            ),
            (
                "JSON odd spacing",
                "FROM a\nCMD [ \"node\" ,\"x\" ]\nENTRYPOINT   [\"a\"]   \n",
            ),
            ("JSON tight", "FROM a\nRUN [\"a\",\"b\"]\n"),
            ("not JSON is shell form", "FROM a\nCMD [not json\n"),
            ("heredoc RUN", "FROM a\nRUN <<EOF\necho hi\nEOF\n"),
            ("heredoc COPY", "FROM a\nCOPY <<EOF /x\nhello\nEOF\n"),
            ("heredoc ADD", "FROM a\nADD <<EOF /x\nhi\nEOF\n"),
            ("heredoc chomp", "FROM a\nRUN <<-EOF\n\techo hi\n\tEOF\n"),
            (
                "two heredocs on a line",
                "FROM a\nRUN <<A cat > /a && <<B cat > /b\na\nA\nb\nB\n",
            ),
            (
                "heredoc after words",
                "FROM a\nRUN python3 <<EOF\nprint('hi')\nEOF\nEXPOSE 80\n",
            ),
            (
                "heredoc with flags",
                "FROM a\nRUN --mount=type=cache,target=/c <<EOF\nWRONG looks like an instruction\nEOF\n",
            ),
            (
                "quoted delimiters",
                "FROM a\nRUN <<\"EOF\"\necho $HOME\nEOF\nRUN <<'X'\necho\nX\n",
            ),
            ("space after <<", "FROM a\nRUN cat << EOF\nbody\nEOF\n"),
            ("fd heredoc", "FROM a\nRUN cat 0<<EOF\nbody\nEOF\n"),
            (
                "heredoc CRLF",
                "FROM a\r\nRUN <<EOF\r\nWRONG x\r\nEOF\r\nEXPOSE 80\r\n",
            ),
            (
                "ONBUILD heredoc",
                "FROM a\nONBUILD RUN <<EOF\nWRONG x\nEOF\n",
            ),
            ("shift is not a heredoc", "FROM a\nRUN echo $((1<<2))\n"),
            (
                "syntax directive",
                "# syntax=docker/dockerfile:1.7\n# check=skip=all\nFROM a\n",
            ),
            (
                "escape backtick",
                "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir `\n  C:\\\nEXPOSE 80\n",
            ),
            (
                "escape backslash",
                "# escape=\\\nFROM a\nRUN echo \\\n  hi\n",
            ),
            (
                "comments and blank lines in continuations",
                "FROM a\nRUN apt-get update \\\n# a comment\n  && apt-get install -y x \\\n\n  && echo done\nEXPOSE 80\n",
            ),
            ("indented comment", "FROM a\n   # indented\nRUN x\n"),
            (
                "ONBUILD",
                "FROM a\nONBUILD RUN echo hi\nONBUILD COPY . /app\n",
            ),
            (
                "flags",
                "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache --network=none --security=insecure go build\nCOPY --chown=1000:1000 --chmod=755 --link --from=build /a /b\nCOPY --exclude=*.md --parents ./x /y\nADD --keep-git-dir=true https://github.com/a/b.git /src\nADD --checksum=sha256:abc https://x/y /z\nHEALTHCHECK --interval=5s --timeout=3s --start-period=1s --start-interval=1s --retries=3 CMD curl -f http://localhost/\n",
            ),
            ("HEALTHCHECK NONE", "FROM a\nHEALTHCHECK NONE\n"),
            (
                "lower case",
                "from alpine as base\nrun echo hi\nexpose 80\ncmd [\"x\"]\n",
            ),
            (
                "MAINTAINER and STOPSIGNAL",
                "FROM a\nMAINTAINER me <me@x>\nSTOPSIGNAL SIGTERM\n",
            ),
            (
                "ARG before FROM",
                "ARG V=1\nARG W\nFROM a:$V AS y\nFROM y\n",
            ),
            ("CRLF", "FROM a\r\nRUN echo \\\r\n  hi\r\nEXPOSE 80\r\n"),
            ("BOM", "\u{feff}FROM a\nEXPOSE 80\n"),
            ("trailing backslash at EOF", "FROM a\nRUN echo hi \\"),
            ("trailing backslash and newline", "FROM a\nRUN echo hi \\\n"),
            (
                "other instructions",
                "FROM a\nVOLUME [\"/data\"]\nVOLUME /a /b\nUSER 1000:1000\nWORKDIR /app\nLABEL a=b \"c d\"=e\nSHELL [\"powershell\", \"-Command\"]\nENV A=1 \\\n    B=2\nENV LEGACY some value\n",
            ),
        ];
        for (name, text) in cases {
            let d = DockerfileSyntax::parse(text);
            assert!(d.errors.is_empty(), "{name}: {:?}", d.errors);
            assert!(d.parsed, "{name}");
            assert_eq!(d.text.len(), text.len(), "{name}: offsets kept");
        }
    }

    /// What BuildKit refuses stays an error.
    #[test]
    fn what_buildkit_refuses_is_still_an_error() {
        let cases: &[(&str, &str)] = &[
            ("unknown instruction", "FROM a\nWRONG x\n"),
            ("empty SHELL", "FROM a\nSHELL []\n"),
            ("SHELL not JSON", "FROM a\nSHELL powershell -command\n"),
            (
                "unterminated heredoc",
                "FROM a\nRUN python3 <<EOF\nprint(1)\n",
            ),
            ("bad escape directive", "# escape=x\nFROM a\n"),
            ("HEALTHCHECK without CMD", "FROM a\nHEALTHCHECK\n"),
            ("no FROM", "EXPOSE 80\n"),
        ];
        for (name, text) in cases {
            let d = DockerfileSyntax::parse(text);
            assert!(!d.errors.is_empty(), "{name}");
            for e in &d.errors {
                assert!(e.range.end <= text.len(), "{name}: {e:?}");
            }
        }
    }

    #[test]
    fn bridged_text_keeps_what_follows_a_heredoc() {
        let text =
            "FROM a\nRUN <<A cat > /a && <<B cat > /b\nEXPOSE 1\nA\nEXPOSE 2\nB\nEXPOSE 80\n";
        let d = DockerfileSyntax::parse(text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        // The bodies are blank; the EXPOSE after them is still there, at its place.
        assert_eq!(d.text.matches("EXPOSE").count(), 1);
        assert_eq!(d.text.find("EXPOSE 80"), text.find("EXPOSE 80"));
        let d = DockerfileSyntax::parse("FROM a\nENTRYPOINT [\"x\"]\nENTRYPOINT []\n");
        assert_eq!(d.entrypoint_resets, [24]);
        let d = DockerfileSyntax::parse("FROM a\nONBUILD ENTRYPOINT []\n");
        assert!(
            d.errors.is_empty() && d.entrypoint_resets.is_empty(),
            "{d:?}"
        );
    }

    #[test]
    fn heredoc_names_as_buildkit_reads_them() {
        let names = |line: &str| -> Vec<(String, bool)> {
            heredocs(line)
                .into_iter()
                .map(|h| (h.name, h.chomp))
                .collect()
        };
        let one = |n: &str, chomp: bool| vec![(n.to_string(), chomp)];
        assert_eq!(names("RUN <<EOF"), one("EOF", false));
        assert_eq!(names("RUN <<-EOF"), one("EOF", true));
        // BuildKit's lexer joins blanks only right after `<<`: `<<-` then a word is no
        // heredoc (its unit test passes on an empty list).
        assert!(names("RUN <<- EOF").is_empty());
        assert_eq!(names("RUN << EOF"), one("EOF", false));
        assert_eq!(names("RUN << -EOF"), one("-EOF", false));
        assert_eq!(names("RUN <<'EOF'"), one("EOF", false));
        assert_eq!(names("RUN <<EO\"F\""), one("EOF", false));
        assert_eq!(names("RUN 4<<EOF"), one("EOF", false));
        assert_eq!(names("RUN <<EOF <<EOF2").len(), 2);
        assert!(names("RUN '<<EOF'").is_empty());
        assert!(names("RUN \"<<EOF\"").is_empty());
        assert!(names("RUN <<<EOF").is_empty());
        assert!(names("RUN echo $((1<<2))").is_empty());
        // The marker is where `<<` is, for blanking.
        let line = "COPY a 12<<-X /d";
        let h = &heredocs(line)[0];
        assert_eq!(&line[h.marker.clone()], "<<-");
    }

    #[test]
    fn escape_directive_only_among_the_first_directives() {
        let lines = |t: &'static str| physical_lines(t);
        assert_eq!(escape_char(&lines("# escape=`\nFROM a\n")), '`');
        assert_eq!(
            escape_char(&lines("# syntax=x\n#ESCAPE = ` \nFROM a\n")),
            '`'
        );
        assert_eq!(escape_char(&lines("\u{feff}# escape=`\n")), '`');
        // After an instruction, a comment or an unknown directive: an ordinary comment.
        assert_eq!(escape_char(&lines("FROM a\n# escape=`\n")), '\\');
        assert_eq!(escape_char(&lines("# hello\n# escape=`\n")), '\\');
        assert_eq!(escape_char(&lines("# foo=bar\n# escape=`\n")), '\\');
    }
}
