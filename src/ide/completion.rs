//! What to complete at the cursor of a Compose file: the kind of name the cursor is typing
//! ([`completing`]), the names the list under it already holds ([`already_named`]), and the
//! names a file defines ([`defined`]). The file is usually mid-edit, so the context is read
//! from the text around the cursor, not from the tree.

use super::nav::valid_name;
use crate::syntax::yaml::Yaml;

/// What the cursor is completing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completing {
    Service,
    Network,
    Protocol,
}

/// What to complete at `offset`, from the text alone (the file is usually mid-edit): the
/// line so far and the keys of the lines above it.
pub fn completing(text: &str, offset: usize) -> Option<Completing> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..offset];
    let trimmed = prefix.trim_start();
    if let Some(rest) = trimmed.strip_prefix("network_mode:") {
        let rest = rest.trim_start().trim_start_matches(['"', '\'']);
        return rest.starts_with("service:").then_some(Completing::Service);
    }
    if trimmed.starts_with("protocol:") {
        return Some(Completing::Protocol);
    }
    // A flow list on the key's own line: `depends_on: [db, `.
    for (key, what) in [
        ("depends_on:", Completing::Service),
        ("links:", Completing::Service),
        ("networks:", Completing::Network),
    ] {
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.contains(['[', '{'])
        {
            return Some(what);
        }
    }
    let indent = prefix.len() - trimmed.len();
    let item = trimmed.starts_with('-');
    let word = trimmed.trim_start_matches(['-', ' ', '"', '\'']);
    // `- "8080:80/` completes a protocol.
    if item
        && let Some(slash) = word.rfind('/')
        && word[..slash].bytes().any(|b| b.is_ascii_digit())
        && word[slash + 1..].bytes().all(|b| b.is_ascii_alphabetic())
    {
        return Some(Completing::Protocol);
    }
    if !word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return None;
    }
    // The parent key: the nearest line above with less indentation (a list item may sit
    // at the key's own indentation).
    let mut parent = None;
    for line in text[..line_start].lines().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = line.len() - t.len();
        if i < indent || (item && i == indent && !t.starts_with('-')) {
            parent = Some((i, t));
            break;
        }
    }
    let (parent_indent, parent) = parent?;
    let key = parent
        .trim_start_matches(['-', ' '])
        .split(':')
        .next()?
        .trim();
    match key {
        "depends_on" | "links" => Some(Completing::Service),
        // A service's `networks`, not the top-level section.
        "networks" if parent_indent > 0 => Some(Completing::Network),
        _ => None,
    }
}

/// Names that completion should leave out at `offset`: those the list under the cursor
/// already holds (block or flow style, above and below), and the service the list belongs
/// to (`depends_on` on itself is refused by Compose). Read from the text, like
/// [`completing`].
pub fn already_named(text: &str, offset: usize) -> Vec<String> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let current = &text[line_start..line_end];
    let indent = |l: &str| l.len() - l.trim_start().len();
    let name_of = |t: &str| -> Option<String> {
        let t = t.trim_start_matches(['-', ' ']);
        let t = t.split(':').next()?.trim().trim_matches(['"', '\'']);
        valid_name(t).then(|| t.to_string())
    };
    let mut out = Vec::new();
    // This line is the list's key when the list is a flow list on it.
    let mut key_indent = None;
    // A flow list on this line: `depends_on: [db, cache, `.
    if let Some(open) = current.find('[') {
        if current[..open].contains(':') {
            key_indent = Some(indent(current));
        }
        let inside = current[open + 1..].trim_end_matches([']', ' ']);
        out.extend(inside.split(',').filter_map(|i| {
            let i = i.trim().trim_matches(['"', '\'']);
            valid_name(i).then(|| i.to_string())
        }));
    }
    let own = indent(current);
    let item = current.trim_start().starts_with('-');
    // Up: the list's other entries, then its key, then the service that owns it.
    for line in text[..line_start].lines().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        match key_indent {
            None if i < own || (item && i == own && !t.starts_with('-')) => key_indent = Some(i),
            None => out.extend(name_of(t)),
            Some(k) if i < k => {
                out.extend(name_of(t));
                break;
            }
            Some(_) => {}
        }
    }
    // Down: the entries below the cursor in the same list.
    for line in text[line_end..].lines().skip(1) {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let i = indent(line);
        if i < own || (i == own && item && !t.starts_with('-')) {
            break;
        }
        if i == own {
            out.extend(name_of(t));
        }
    }
    out
}

/// The service and network names a Compose file defines.
pub fn defined(yaml: &Yaml) -> (Vec<String>, Vec<String>) {
    let mut services = Vec::new();
    let mut networks = Vec::new();
    for (section, out) in [("services", &mut services), ("networks", &mut networks)] {
        if let Some(e) = yaml.top(section) {
            out.extend(
                yaml.entries(e.value)
                    .iter()
                    .filter_map(|e| yaml.scalar(e.key))
                    .map(str::to_string),
            );
        }
    }
    (services, networks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_context() {
        let c = |before: &str| completing(before, before.len());
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n      - "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n    - d"),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on:\n      "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    depends_on: [db, "),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    networks:\n      - fr"),
            Some(Completing::Network)
        );
        assert_eq!(
            c("services:\n  a:\n    network_mode: service:"),
            Some(Completing::Service)
        );
        assert_eq!(
            c("services:\n  a:\n    ports:\n      - \"8080:80/"),
            Some(Completing::Protocol)
        );
        assert_eq!(
            c("services:\n  a:\n    ports:\n      - target: 53\n        protocol: "),
            Some(Completing::Protocol)
        );
        assert_eq!(c("networks:\n  "), None);
        assert_eq!(c("services:\n  a:\n    ports:\n      - "), None);
        assert_eq!(c("services:\n  a:\n    network_mode: ho"), None);
    }

    #[test]
    fn completion_leaves_out_what_is_there() {
        let text =
            "services:\n  web:\n    depends_on:\n      - db\n      - \n      - cache\n  db: {}\n";
        let at = text.find("- \n").unwrap() + 2;
        let mut got = already_named(text, at);
        got.sort();
        assert_eq!(got, ["cache", "db", "web"]);
        let text = "services:\n  api:\n    depends_on: [db, ";
        let mut got = already_named(text, text.len());
        got.sort();
        assert_eq!(got, ["api", "db"]);
    }
}
