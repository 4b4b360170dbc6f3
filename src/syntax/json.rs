//! daemon.json: strict JSON with byte spans.
//!
//! jsonc-parser does the parsing with every leniency off (no comments, trailing commas,
//! single quotes, hex or bare words), so it rejects what Go's `encoding/json` rejects but
//! raw control characters in strings, which serde_json then catches. Duplicate keys are
//! not a syntax error for dockerd (the last one wins), so they are reported separately.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use super::SyntaxError;

/// Deeper documents are refused before parsing: the recursive-descent parser must not run
/// out of stack, and daemon.json is four levels deep at most.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<JsonValue>),
    Object(Vec<Property>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue {
    pub kind: JsonKind,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: JsonValue,
}

/// A key that appears twice in one object: dockerd keeps the last value.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    pub first: Range<usize>,
    pub duplicate: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Json {
    pub root: Option<JsonValue>,
    pub error: Option<SyntaxError>,
    pub duplicate_keys: Vec<DuplicateKey>,
}

impl Json {
    pub fn parse(text: &str) -> Json {
        if let Some(offset) = too_deep(text) {
            return Json::failed(
                format!("JSON nested deeper than {MAX_DEPTH} levels; portside does not read it"),
                offset,
            );
        }
        let strict = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        let collect = CollectOptions {
            comments: CommentCollectionStrategy::Off,
            tokens: false,
        };
        let parsed = match jsonc_parser::parse_to_ast(text, &collect, &strict) {
            Ok(parsed) => parsed,
            Err(e) => {
                let range = e.range();
                let end = range.end.min(text.len());
                return Json {
                    error: Some(SyntaxError {
                        message: e.kind().to_string(),
                        range: range.start.min(end)..end,
                    }),
                    ..Json::default()
                };
            }
        };
        let Some(value) = parsed.value else {
            return Json::failed("daemon.json is empty: it must hold a JSON object".into(), 0);
        };
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            return Json::failed(capitalize(&strip_location(&e)), serde_offset(text, &e));
        }
        let mut json = Json::default();
        json.root = Some(convert(&value, &mut json.duplicate_keys));
        json
    }

    fn failed(message: String, offset: usize) -> Json {
        Json {
            error: Some(SyntaxError::at(message, offset)),
            ..Json::default()
        }
    }
}

fn convert(value: &ast::Value<'_>, dups: &mut Vec<DuplicateKey>) -> JsonValue {
    let span = |r: &jsonc_parser::common::Range| r.start..r.end;
    match value {
        ast::Value::NullKeyword(n) => JsonValue {
            kind: JsonKind::Null,
            span: span(&n.range),
        },
        ast::Value::BooleanLit(b) => JsonValue {
            kind: JsonKind::Bool(b.value),
            span: span(&b.range),
        },
        ast::Value::NumberLit(n) => JsonValue {
            kind: JsonKind::Number(n.value.to_string()),
            span: span(&n.range),
        },
        ast::Value::StringLit(s) => JsonValue {
            kind: JsonKind::String(s.value.to_string()),
            span: span(&s.range),
        },
        ast::Value::Array(a) => JsonValue {
            kind: JsonKind::Array(a.elements.iter().map(|v| convert(v, dups)).collect()),
            span: span(&a.range),
        },
        ast::Value::Object(o) => {
            let mut props: Vec<Property> = Vec::with_capacity(o.properties.len());
            for p in &o.properties {
                let (key, key_span) = match &p.name {
                    ast::ObjectPropName::String(s) => (s.value.to_string(), span(&s.range)),
                    ast::ObjectPropName::Word(w) => (w.value.to_string(), span(&w.range)),
                };
                if let Some(first) = props.iter().find(|q| q.key == key) {
                    dups.push(DuplicateKey {
                        key: key.clone(),
                        first: first.key_span.clone(),
                        duplicate: key_span.clone(),
                    });
                }
                props.push(Property {
                    key,
                    key_span,
                    value: convert(&p.value, dups),
                });
            }
            JsonValue {
                kind: JsonKind::Object(props),
                span: span(&o.range),
            }
        }
    }
}

/// Offset of the first opener past [`MAX_DEPTH`], skipping strings.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// serde_json reports a 1-based line and a 1-based byte column, one short of the offending
/// byte for control characters; those are looked up on the line.
fn serde_offset(text: &str, e: &serde_json::Error) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut offset = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    if e.to_string().starts_with("control character") {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        if let Some(i) = text[offset..line_end].bytes().position(|b| b < 0x20) {
            return offset + i;
        }
    }
    offset
}

fn strip_location(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> SyntaxError {
        Json::parse(text).error.expect("error")
    }

    #[test]
    fn valid_object_with_spans() {
        let text = "{\n  \"bip\": \"172.30.5.1/24\",\n  \"dns\": [\"1.1.1.1\"]\n}\n";
        let json = Json::parse(text);
        assert!(json.error.is_none());
        let JsonKind::Object(props) = &json.root.unwrap().kind else {
            panic!("object")
        };
        assert_eq!(props[0].key, "bip");
        assert_eq!(&text[props[0].key_span.clone()], "\"bip\"");
        assert_eq!(&text[props[0].value.span.clone()], "\"172.30.5.1/24\"");
    }

    #[test]
    fn strict_errors_have_positions() {
        let e = err("{\n  \"a\": 1,\n}");
        assert_eq!(e.message, "Trailing commas are not allowed");
        assert_eq!(e.range, 10..11);
        assert_eq!(
            err("{\n  // c\n  \"a\": 1}").message,
            "Comments are not allowed"
        );
        assert_eq!(
            err("{'a': 1}").message,
            "Single-quoted strings are not allowed"
        );
        assert_eq!(
            err("{\"a\": 0x10}").message,
            "Hexadecimal numbers are not allowed"
        );
        assert!(err("{\"a\": NaN}").message.contains("Unexpected"));
        assert!(err("{} {}").message.contains("more than one JSON value"));
    }

    #[test]
    fn control_characters_are_caught_by_serde() {
        let e = err("{\"a\": \"x\ty\"}");
        assert!(e.message.starts_with("Control character"), "{}", e.message);
        assert_eq!(e.range.start, 8);
    }

    #[test]
    fn duplicate_keys() {
        let text = "{\"debug\": true, \"debug\": false}";
        let json = Json::parse(text);
        assert!(json.error.is_none());
        assert_eq!(json.duplicate_keys.len(), 1);
        assert_eq!(json.duplicate_keys[0].first, 1..8);
        assert_eq!(json.duplicate_keys[0].duplicate, 16..23);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = err(&text);
        assert!(e.message.contains("nested deeper"));
        assert_eq!(e.range.start, MAX_DEPTH);
        // Brackets inside strings do not count.
        let s = format!("{{\"a\": \"{}\"}}", "[".repeat(500));
        assert!(Json::parse(&s).error.is_none());
    }

    #[test]
    fn empty_file() {
        assert!(err("").message.contains("empty"));
        assert!(err("  \n").message.contains("empty"));
    }
}
