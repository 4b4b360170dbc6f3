//! Syntax layers: one per file kind, each giving exact byte spans and recoverable errors.

pub mod dockerfile;
pub mod json;
pub mod yaml;

/// A syntax error at a byte range of the text (empty when the parser gives only a point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub range: std::ops::Range<usize>,
}

impl SyntaxError {
    pub fn at(message: impl Into<String>, offset: usize) -> Self {
        Self {
            message: message.into(),
            range: offset..offset,
        }
    }
}
