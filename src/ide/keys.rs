//! Compose keys in the editor: the key under the cursor in the tree (for its hover), and
//! the mapping the cursor is typing in, read from the text (for completion of the keys it
//! takes and of a key's allowed values). Both read the key table
//! ([`knowledge::compose_keys`](crate::knowledge::compose_keys)).

use std::fmt::Write as _;
use std::ops::Range;

use crate::knowledge::compose_keys::{CtxId, Key, schema};
use crate::model::compose::schema::{Layout, layout};
use crate::syntax::yaml::{NodeId, NodeKind, Yaml};

/// A key of the table under the cursor.
#[derive(Debug, Clone)]
pub struct KeyAt {
    pub key: &'static Key,
    pub ctx: CtxId,
    pub span: Range<usize>,
}

/// The Compose key written at `offset`, if the table knows it there.
pub fn key_at(yaml: &Yaml, offset: usize) -> Option<KeyAt> {
    let root = yaml.root_mapping()?;
    let mut path: Vec<String> = Vec::new();
    if layout(yaml) == Layout::Legacy {
        path.push("services".into());
    }
    let mut node: NodeId = root;
    let inside = |r: &Range<usize>| r.start <= offset && offset < r.end.max(r.start + 1);
    for _ in 0..64 {
        match yaml.node(node).kind {
            NodeKind::Mapping { entries } => {
                let mut next = None;
                for e in entries {
                    let ks = yaml.span(e.key);
                    if inside(&ks) {
                        let name = yaml.scalar(e.key)?;
                        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                        let s = schema();
                        let ctx = s.context_at(&refs)?;
                        let key = s.key(ctx, name)?;
                        return Some(KeyAt { key, ctx, span: ks });
                    }
                    if inside(&yaml.span(e.value)) {
                        next = Some((yaml.scalar(e.key)?.to_string(), e.value));
                        break;
                    }
                }
                let (name, value) = next?;
                path.push(name);
                node = value;
            }
            NodeKind::Sequence { items } => {
                let item = items.iter().find(|&&i| inside(&yaml.span(i)))?;
                path.push("-".into());
                node = *item;
            }
            _ => return None,
        }
    }
    None
}

/// The hover of a key: what it is, what it takes, its reference link.
pub fn hover(k: &KeyAt) -> String {
    let s = schema();
    let c = s.context(k.ctx);
    let mut md = format!("**`{}`** ({} key)\n\n{}", k.key.name, c.title, k.key.doc);
    if let Some(note) = &k.key.note {
        let _ = write!(md, " {note}");
    }
    md.push_str("\n\n");
    if k.key.deprecated {
        md.push_str("Deprecated. ");
    }
    if k.key.values.is_empty() {
        let _ = write!(md, "Takes {}.", k.key.shape.describe());
    } else {
        let values: Vec<String> = k.key.values.iter().map(|v| format!("`{v}`")).collect();
        let _ = write!(md, "One of {}.", values.join(", "));
    }
    let _ = write!(md, " [Compose file reference]({})", k.key.link);
    md
}

/// What the cursor is typing, from the text (the file is usually mid-edit).
#[derive(Debug, Clone)]
pub enum Typing {
    /// A key of the mapping of this context; the keys it already has.
    Key { ctx: CtxId, present: Vec<String> },
    /// The value of a key with allowed values.
    Value { key: &'static Key },
}

/// One line of YAML as completion reads it.
struct Line<'t> {
    /// The columns of its `- ` list markers.
    dashes: Vec<usize>,
    /// The column of its content after the markers.
    col: usize,
    /// The key it writes (`name:`), if any.
    key: Option<&'t str>,
}

fn line(l: &str) -> Option<Line<'_>> {
    let mut col = l.len() - l.trim_start_matches(' ').len();
    let mut rest = &l[col..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let mut dashes = Vec::new();
    while rest == "-" || rest.starts_with("- ") {
        dashes.push(col);
        let after = rest[1..].trim_start_matches(' ');
        col += rest.len() - after.len();
        rest = after;
    }
    let key = rest
        .find(':')
        .filter(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with([' ', '#']))
        .map(|i| rest[..i].trim().trim_matches(['"', '\'']))
        .filter(|k| !k.is_empty() && !k.contains([' ', '{', '[']));
    Some(Line { dashes, col, key })
}

/// The path of keys (and `-` for list items) down to the mapping that holds a key written
/// at column `col` on the line starting at `line_start`, read upward by indentation.
fn path_above(
    text: &str,
    line_start: usize,
    col: usize,
    item: Option<usize>,
) -> Option<Vec<String>> {
    let mut path: Vec<String> = Vec::new();
    let mut target = col;
    // A list item's key may sit at the same column as the list's own key.
    let mut after_dash = false;
    if let Some(d) = item {
        path.push("-".into());
        target = d;
        after_dash = true;
    }
    for raw in text[..line_start].lines().rev() {
        if target == 0 {
            break;
        }
        let Some(l) = line(raw) else { continue };
        if l.col < target {
            let key = l.key?;
            path.push(key.to_string());
            match l.dashes.first() {
                Some(&first) => {
                    for _ in &l.dashes {
                        path.push("-".into());
                    }
                    target = first;
                    after_dash = true;
                }
                None => {
                    target = l.col;
                    after_dash = false;
                }
            }
        } else if let Some(&first) = l.dashes.first()
            && first < target
        {
            // A sibling key on the item's first line: we are in that item's mapping.
            for _ in l.dashes.iter().filter(|&&d| d < target) {
                path.push("-".into());
            }
            target = first;
            after_dash = true;
        } else if after_dash && l.col == target && l.dashes.is_empty() {
            path.push(l.key?.to_string());
            target = l.col;
            after_dash = false;
        }
    }
    if target != 0 {
        return None;
    }
    path.reverse();
    Some(path)
}

/// The keys already written in the mapping whose keys sit at column `col` around the line
/// at `line_start`.
fn present_keys(text: &str, line_start: usize, line_end: usize, col: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut scan = |l: Line<'_>| -> bool {
        if l.col < col || l.dashes.first().is_some_and(|&d| d < col) {
            // The mapping's first line (`- key:`) still holds one of its keys.
            if l.col == col
                && let Some(k) = l.key
            {
                out.push(k.to_string());
            }
            return false;
        }
        if l.col == col
            && let Some(k) = l.key
        {
            out.push(k.to_string());
        }
        true
    };
    for raw in text[..line_start].lines().rev() {
        if let Some(l) = line(raw)
            && !scan(l)
        {
            break;
        }
    }
    for raw in text[line_end.min(text.len())..].lines().skip(1) {
        if let Some(l) = line(raw) {
            if l.col <= col && !l.dashes.is_empty() && l.dashes[0] <= col {
                break;
            }
            if !scan(l) {
                break;
            }
        }
    }
    out
}

/// What the cursor at `offset` is typing: a key of a Compose mapping, or the value of a
/// key with allowed values.
pub fn typing(text: &str, offset: usize) -> Option<Typing> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let prefix = &text[line_start..offset];
    let legacy = {
        // Cheap: only a file with no `services:` at column 0 can be legacy.
        !text.starts_with("services:") && !text.contains("\nservices:")
    };
    let s = schema();
    let mut col = prefix.len() - prefix.trim_start_matches(' ').len();
    let mut rest = &prefix[col..];
    let mut item = None;
    while rest == "-" || rest.starts_with("- ") {
        item = Some(col);
        let after = rest[1..].trim_start_matches(' ');
        col += rest.len() - after.len();
        rest = after;
    }
    let with_legacy = |mut path: Vec<String>| -> Vec<String> {
        if legacy && !path.is_empty() && s.key(s.top(), &path[0]).is_none() {
            path.insert(0, "services".into());
        }
        path
    };
    // `key: partial` with allowed values.
    if let Some(colon) = rest.find(": ") {
        let key = rest[..colon].trim();
        let value = rest[colon + 1..].trim_start();
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
        {
            return None;
        }
        let path = with_legacy(path_above(text, line_start, col, item)?);
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let ctx = s.context_at(&refs)?;
        let key = s.key(ctx, key)?;
        return (!key.values.is_empty()).then_some(Typing::Value { key });
    }
    if !rest
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return None;
    }
    let path = with_legacy(path_above(text, line_start, col, item)?);
    let refs: Vec<&str> = path.iter().map(String::as_str).collect();
    let ctx = s.context_at(&refs)?;
    let present = present_keys(text, line_start, line_end, col);
    Some(Typing::Key { ctx, present })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_of(text: &str) -> Option<String> {
        match typing(text, text.len())? {
            Typing::Key { ctx, .. } => Some(schema().context(ctx).id.clone()),
            Typing::Value { key } => Some(format!("value of {}", key.name)),
        }
    }

    #[test]
    fn the_mapping_under_the_cursor() {
        assert_eq!(
            ctx_of("services:\n  web:\n    ima").as_deref(),
            Some("service")
        );
        assert_eq!(ctx_of("serv").as_deref(), Some("top"));
        assert_eq!(
            ctx_of("services:\n  web:\n    ports:\n      - target: 80\n        pub").as_deref(),
            Some("port")
        );
        assert_eq!(
            ctx_of("services:\n  web:\n    ports:\n    - target: 80\n      pub").as_deref(),
            Some("port")
        );
        assert_eq!(
            ctx_of("services:\n  web:\n    healthcheck:\n      test: x\n\n      # c\n      inter")
                .as_deref(),
            Some("healthcheck")
        );
        assert_eq!(
            ctx_of("services:\n  web:\n    depends_on:\n      db:\n        condition: service_h")
                .as_deref(),
            Some("value of condition")
        );
        // A service name is not a key of the table.
        assert_eq!(ctx_of("services:\n  we"), None);
        // Legacy files: services at the top level.
        assert_eq!(ctx_of("web:\n  image: x\n  po").as_deref(), Some("service"));
    }

    #[test]
    fn keys_already_written() {
        let text = "services:\n  web:\n    image: x\n    \n    ports: []\n  db:\n    image: y\n";
        let at = text.find("    \n").unwrap() + 4;
        match typing(text, at) {
            Some(Typing::Key { present, .. }) => {
                assert_eq!(present, ["image", "ports"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn key_hover_from_the_tree() {
        let text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: 30s\n";
        let y = Yaml::parse(text);
        let k = key_at(&y, text.find("interval").unwrap() + 2).unwrap();
        assert_eq!(k.key.name, "interval");
        assert!(hover(&k).contains("https://docs.docker.com/"));
        assert!(key_at(&y, text.find("web").unwrap()).is_none());
        assert!(key_at(&y, text.find("nginx").unwrap()).is_none());
    }
}
