//! Text positions: the one module that converts between byte offsets (what analysis uses),
//! char indices (what saphyr-parser reports) and LSP positions in the negotiated encoding.
//!
//! Line breaks are `\n`, `\r\n` and `\r`, as in LSP. ropey is built without
//! `unicode_lines`, so U+2028, U+2029 and NEL are ordinary characters here, as they are
//! for every LSP client.

use ropey::Rope;

/// How the `character` of an LSP position is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// UTF-8 code units (bytes).
    Utf8,
    /// UTF-16 code units: LSP's default and mandatory encoding.
    #[default]
    Utf16,
    /// Unicode scalar values (`utf-32`).
    Utf32,
}

/// A zero-based line and character, counted in some [`PositionEncoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// A half-open range of [`Position`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// Byte offset (clamped to the text and moved back to a char boundary) to a position.
pub fn offset_to_position(rope: &Rope, offset: usize, enc: PositionEncoding) -> Position {
    position_at(rope, floor_char_boundary(rope, offset), enc)
}

/// [`offset_to_position`] for an offset already on a char boundary.
fn position_at(rope: &Rope, offset: usize, enc: PositionEncoding) -> Position {
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match enc {
        PositionEncoding::Utf8 => offset - line_start,
        // A short prefix is counted directly; a long line (1 MB minified, say) from the
        // rope's counts, so that each position stays O(log n).
        PositionEncoding::Utf16 if offset - line_start <= 4096 => {
            rope.byte_slice(line_start..offset).len_utf16_cu()
        }
        PositionEncoding::Utf32 if offset - line_start <= 4096 => {
            rope.byte_slice(line_start..offset).len_chars()
        }
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(rope.byte_to_char(offset))
                - rope.char_to_utf16_cu(rope.byte_to_char(line_start))
        }
        PositionEncoding::Utf32 => rope.byte_to_char(offset) - rope.byte_to_char(line_start),
    };
    Position {
        line: line as u32,
        character: character as u32,
    }
}

/// A byte range to a [`Range`].
pub fn range_of(rope: &Rope, range: std::ops::Range<usize>, enc: PositionEncoding) -> Range {
    let from = floor_char_boundary(rope, range.start);
    let start = position_at(rope, from, enc);
    // Most ranges are a name or a token within a line: measure the end from the start
    // instead of finding it in the rope again (which counts when a request answers with
    // thousands of ranges).
    let to = range.end.min(rope.len_bytes());
    if from <= to && to - from <= 256 && is_char_boundary(rope, to) {
        let slice = rope.byte_slice(from..to);
        if !slice.chars().any(|c| c == '\n' || c == '\r') {
            let width = match enc {
                PositionEncoding::Utf8 => to - from,
                PositionEncoding::Utf16 => slice.len_utf16_cu(),
                PositionEncoding::Utf32 => slice.len_chars(),
            };
            let end = Position {
                line: start.line,
                character: start.character + width as u32,
            };
            return Range { start, end };
        }
    }
    Range {
        start,
        end: offset_to_position(rope, range.end, enc),
    }
}

fn is_char_boundary(rope: &Rope, offset: usize) -> bool {
    let (chunk, chunk_start, _, _) = rope.chunk_at_byte(offset);
    chunk.is_char_boundary(offset - chunk_start)
}

/// A position to a byte offset. Positions past the end of a line snap to the end of the
/// line's content (before its line break); lines past the end snap to the end of the text;
/// a position inside a UTF-16 surrogate pair or a UTF-8 sequence moves back to the start of
/// the character. Never panics.
pub fn position_to_offset(rope: &Rope, pos: Position, enc: PositionEncoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start_char = rope.line_to_char(line);
    let content_chars = line_content_len_chars(rope, line);
    let line_end_char = line_start_char + content_chars;
    let char_idx = match enc {
        PositionEncoding::Utf8 => {
            let start_byte = rope.char_to_byte(line_start_char);
            let end_byte = rope.char_to_byte(line_end_char);
            let target = (start_byte + pos.character as usize).min(end_byte);
            rope.byte_to_char(target)
        }
        PositionEncoding::Utf16 => {
            let start_cu = rope.char_to_utf16_cu(line_start_char);
            let end_cu = rope.char_to_utf16_cu(line_end_char);
            let target = (start_cu + pos.character as usize).min(end_cu);
            rope.utf16_cu_to_char(target)
        }
        PositionEncoding::Utf32 => (line_start_char + pos.character as usize).min(line_end_char),
    };
    rope.char_to_byte(char_idx)
}

/// Number of chars on `line`, not counting its line break.
fn line_content_len_chars(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_chars();
    if len > 0 && slice.char(len - 1) == '\n' {
        len -= 1;
    }
    if len > 0 && slice.char(len - 1) == '\r' {
        len -= 1;
    }
    len
}

fn floor_char_boundary(rope: &Rope, offset: usize) -> usize {
    let offset = offset.min(rope.len_bytes());
    // byte_to_char rounds down to the char containing the byte.
    rope.char_to_byte(rope.byte_to_char(offset))
}

/// One-based line and one-based column in Unicode scalar values, as compilers print them.
pub fn human_line_col(rope: &Rope, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(rope, offset);
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    (line + 1, char_idx - rope.line_to_char(line) + 1)
}

/// Converts the char indices that saphyr-parser reports into byte offsets of the same text
/// in O(log n), without building a rope. ASCII text costs nothing.
#[derive(Debug, Default)]
pub struct CharToByte {
    /// For every non-ASCII char: (its char index, extra bytes of all non-ASCII chars up to
    /// and including it).
    extra: Vec<(usize, usize)>,
}

impl CharToByte {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self::default();
        }
        let mut extra = Vec::new();
        let mut total = 0;
        for (i, c) in text.chars().enumerate() {
            let len = c.len_utf8();
            if len > 1 {
                total += len - 1;
                extra.push((i, total));
            }
        }
        Self { extra }
    }

    pub fn byte(&self, char_idx: usize) -> usize {
        // Extra bytes of the non-ASCII chars strictly before `char_idx`.
        let n = self.extra.partition_point(|&(i, _)| i < char_idx);
        char_idx + if n == 0 { 0 } else { self.extra[n - 1].1 }
    }
}

/// The candidate closest to `wrong` when it is a plausible typo of it.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(wrong, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {

    /// The one-line shortcut of `range_of` agrees with converting both ends, for every
    /// range of texts with multibyte characters, surrogate pairs and every line break.
    #[test]
    fn range_of_agrees_with_both_ends() {
        for text in [
            "a😀b\r\nc\u{2028}d\re\nf",
            "é\n\n😀😀\r\r\nx",
            "",
            "plain ascii line\nsecond",
        ] {
            let rope = Rope::from_str(text);
            for enc in [
                PositionEncoding::Utf8,
                PositionEncoding::Utf16,
                PositionEncoding::Utf32,
            ] {
                for a in 0..=text.len() + 2 {
                    // The position itself, against the char-based definition.
                    let o = floor_char_boundary(&rope, a);
                    let c = rope.byte_to_char(o);
                    let line = rope.char_to_line(c);
                    let character = match enc {
                        PositionEncoding::Utf8 => o - rope.line_to_byte(line),
                        PositionEncoding::Utf16 => {
                            rope.char_to_utf16_cu(c)
                                - rope.char_to_utf16_cu(rope.line_to_char(line))
                        }
                        PositionEncoding::Utf32 => c - rope.line_to_char(line),
                    };
                    assert_eq!(
                        offset_to_position(&rope, a, enc),
                        pos(line as u32, character as u32),
                        "{text:?} {a} {enc:?}"
                    );
                    for b in 0..=text.len() + 2 {
                        let both = Range {
                            start: offset_to_position(&rope, a, enc),
                            end: offset_to_position(&rope, b, enc),
                        };
                        assert_eq!(
                            range_of(&rope, a..b, enc),
                            both,
                            "{text:?} {a}..{b} {enc:?}"
                        );
                    }
                }
            }
        }
    }
    use super::*;
    use PositionEncoding::{Utf8, Utf16};

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    /// Offset of `needle` in `text` must map to `want8`/`want16` and back.
    fn check(text: &str, needle: &str, want8: Position, want16: Position) {
        let rope = Rope::from_str(text);
        let off = text.find(needle).expect("needle");
        assert_eq!(
            offset_to_position(&rope, off, Utf8),
            want8,
            "utf-8 of {needle:?}"
        );
        assert_eq!(
            offset_to_position(&rope, off, Utf16),
            want16,
            "utf-16 of {needle:?}"
        );
        assert_eq!(position_to_offset(&rope, want8, Utf8), off);
        assert_eq!(position_to_offset(&rope, want16, Utf16), off);
    }

    #[test]
    fn ascii() {
        check("ports:\n  - \"80:80\"\n", "\"80", pos(1, 4), pos(1, 4));
    }

    #[test]
    fn accented_letter_before_the_span() {
        // é is 2 bytes in UTF-8 and 1 unit in UTF-16.
        check("x: é X\n", "X", pos(0, 6), pos(0, 5));
    }

    #[test]
    fn cjk_before_the_span() {
        // Each CJK char is 3 bytes in UTF-8 and 1 unit in UTF-16.
        check("# 端口\nname: 网络 X", "X", pos(1, 13), pos(1, 9));
    }

    #[test]
    fn emoji_surrogate_pair_before_the_span() {
        // 😀 is 4 bytes in UTF-8 and 2 units (a surrogate pair) in UTF-16.
        check("a: \"😀\" X", "X", pos(0, 10), pos(0, 8));
        // A position inside the surrogate pair snaps back to the emoji's start.
        let rope = Rope::from_str("😀X");
        assert_eq!(position_to_offset(&rope, pos(0, 1), Utf16), 0);
        assert_eq!(position_to_offset(&rope, pos(0, 2), Utf16), 4);
    }

    #[test]
    fn crlf_lines() {
        let text = "a: 1\r\nb: 2\r\nX";
        check(text, "b", pos(1, 0), pos(1, 0));
        check(text, "X", pos(2, 0), pos(2, 0));
        // Past the end of a CRLF line: the end of its content, before "\r\n".
        let rope = Rope::from_str(text);
        assert_eq!(position_to_offset(&rope, pos(0, 99), Utf16), 4);
        // The offset of '\n' inside "\r\n" still reports line 0.
        assert_eq!(offset_to_position(&rope, 5, Utf16), pos(0, 5));
    }

    #[test]
    fn lone_cr_is_a_line_break() {
        check("a\rX", "X", pos(1, 0), pos(1, 0));
    }

    #[test]
    fn trailing_line_without_newline() {
        let text = "a: 1\nb: 22";
        let rope = Rope::from_str(text);
        assert_eq!(offset_to_position(&rope, text.len(), Utf16), pos(1, 5));
        assert_eq!(position_to_offset(&rope, pos(1, 5), Utf16), text.len());
        assert_eq!(position_to_offset(&rope, pos(1, 50), Utf8), text.len());
        assert_eq!(position_to_offset(&rope, pos(7, 0), Utf8), text.len());
    }

    #[test]
    fn u2028_is_not_a_line_break() {
        let text = "a: \"x\u{2028}y\" X\nb: 1";
        check(text, "X", pos(0, 11), pos(0, 9));
        check(text, "b", pos(1, 0), pos(1, 0));
        assert_eq!(Rope::from_str(text).len_lines(), 2);
    }

    #[test]
    fn out_of_range_offsets_are_clamped() {
        let rope = Rope::from_str("é");
        assert_eq!(offset_to_position(&rope, 1, Utf8), pos(0, 0));
        assert_eq!(offset_to_position(&rope, 99, Utf16), pos(0, 1));
    }

    #[test]
    fn human_columns_count_chars() {
        let text = "a: 😀 X";
        let rope = Rope::from_str(text);
        assert_eq!(human_line_col(&rope, text.find('X').unwrap()), (1, 6));
    }

    #[test]
    fn char_to_byte_matches_std() {
        for text in ["plain ascii", "é😀 端口 x\u{2028}y", "😀😀"] {
            let map = CharToByte::new(text);
            for (ci, (bi, _)) in text.char_indices().enumerate() {
                assert_eq!(map.byte(ci), bi, "{text:?} char {ci}");
            }
            assert_eq!(map.byte(text.chars().count()), text.len());
        }
    }
}
