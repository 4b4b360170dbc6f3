//! Reparsing after an edit: only the entry that changed.
//!
//! A keystroke in a Compose file almost always lands inside one entry of a top-level
//! mapping's block mapping: one service under `services:`, one network under `networks:`.
//! Such an entry is a run of whole lines that starts at its key's line and ends where the
//! next key of the same mapping (or of the top level) begins, and everything inside it is
//! indented past the key. YAML gives that run the same meaning on its own as inside the
//! file, so [`splice`] parses just those lines and puts the new nodes where the old ones
//! were, shifting the spans and indices of everything after them.
//!
//! It refuses (and the caller parses the whole text) whenever the meaning could depend on
//! the rest of the file or the shape could change: an old tree with an error or several
//! documents, an edit that is not inside one entry or touches its key's column, a new text
//! that adds a line at or left of the key's column, anchors, aliases or tags in the old or
//! new entry, a renamed key (the mapping's duplicate keys could change), a node that touches
//! the entry's end (an empty value takes its position from the next token). The tests compare
//! the result with a full parse on hand-written edits and on every file of the real-world
//! corpus (`tests/corpus.rs`).

use super::{Entry, NodeId, Raw, Tag, Yaml, to_u32};

/// `new_text` parsed, reusing `old` (the tree of `old_text`) where only one entry changed.
pub(super) fn splice(old: &Yaml, old_text: &str, new_text: &str) -> Option<Yaml> {
    if old.error.is_some() || old.documents.len() != 1 {
        return None;
    }
    let (o, n) = (old_text.as_bytes(), new_text.as_bytes());
    let prefix = o.iter().zip(n).take_while(|(a, b)| a == b).count();
    let max_suffix = o.len().min(n.len()) - prefix;
    let suffix = o
        .iter()
        .rev()
        .zip(n.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let edit_end = o.len() - suffix;

    let root = old.documents[0].root?;
    if !is_block_mapping(old, old_text, root) {
        return None;
    }
    let top = old.mapping_entries(root);
    // The top-level entry whose block mapping holds the edit, and the entry in it.
    let (j, parent) = top.iter().enumerate().find_map(|(j, e)| {
        let span = old.span(e.value);
        (is_block_mapping(old, old_text, e.value) && span.start <= prefix && edit_end <= span.end)
            .then_some((j, e.value))
    })?;
    let entries = old.mapping_entries(parent);
    let i = entries
        .iter()
        .rposition(|e| old.span(e.key).start <= prefix)?;
    let key = entries[i].key;
    let key_start = old.span(key).start;
    let chunk_start = own_line(old_text, key_start)?;
    let next_key = entries
        .get(i + 1)
        .or_else(|| top.get(j + 1))
        .map(|e: &Entry| e.key);
    let chunk_end = match next_key {
        Some(k) => own_line(old_text, old.span(k).start)?,
        None => o.len(),
    };
    // Bytes up to the key's first are unchanged, so the key keeps its column.
    if edit_end > chunk_end || prefix <= key_start {
        return None;
    }
    let new_end = (chunk_end + n.len()).checked_sub(o.len())?;
    if new_end <= chunk_start || (new_end < n.len() && !matches!(n[new_end - 1], b'\n' | b'\r')) {
        return None;
    }
    let old_chunk = &old_text[chunk_start..chunk_end];
    let new_chunk = new_text.get(chunk_start..new_end)?;
    let refused = |s: &str| memchr::memchr2(b'&', b'!', s.as_bytes()).is_some();
    if refused(old_chunk) || refused(new_chunk) {
        return None;
    }
    let column = key_start - chunk_start;
    if !indented_past(new_chunk, column) {
        return None;
    }

    // The old entry's nodes, and where their data sits in the shared arrays.
    let first = key;
    let past = last_descendant(old, entries[i].value) + 1;
    let expected_past = next_key.unwrap_or(to_u32(old.nodes.len()));
    if past != expected_past {
        return None;
    }
    let old_nodes = &old.nodes[first as usize..past as usize];

    // Aliases (`<<: *common`) name anchors outside the entry, which a parse of the entry
    // alone does not know: each name the old entry used is defined, in front of it, on a
    // line of its own, and the new entry's aliases are pointed at the old targets.
    let mut anchors: Vec<(&str, NodeId)> = Vec::new();
    for r in old_nodes.iter().filter(|r| r.tag() == Tag::Alias) {
        let name = old_text[r.start as usize..r.end as usize].strip_prefix('*')?;
        let target = r.a.checked_sub(1)?;
        if !anchors.iter().any(|(n, _)| *n == name) {
            anchors.push((name, target));
        }
    }
    let mut source = String::new();
    for (k, (name, _)) in anchors.iter().enumerate() {
        source += &format!("{:column$}__portside_anchor_{k}: &{name} ~\n", "");
    }
    let pre = source.len();
    source += new_chunk;
    let chunk = Yaml::parse(&source);
    if chunk.error.is_some()
        || chunk.documents.len() != 1
        || chunk.documents[0].root != Some(0)
        || chunk.nodes[0].tag() != Tag::Mapping
        || !chunk.tags.is_empty()
    {
        return None;
    }
    // Nodes 1..lead are the definitions' keys and values; the entry's key follows.
    let lead = to_u32(1 + 2 * anchors.len());
    let root_entries = chunk.mapping_entries(0);
    let (Some(only), true) = (root_entries.last(), root_entries.len() == anchors.len() + 1) else {
        return None;
    };
    if only.key != lead
        || chunk.scalar(lead).is_none()
        || chunk.scalar(lead) != old.scalar(key)
        || last_descendant(&chunk, only.value) as usize + 1 != chunk.nodes.len()
    {
        return None;
    }
    let body = &chunk.nodes[lead as usize..];
    // An empty value's span comes from the token after it, which is not in the chunk.
    let at_end = |r: &Raw| r.start as usize >= source.len() || r.end as usize >= source.len();
    if new_end < n.len() && body.iter().any(at_end) {
        return None;
    }
    // Where the definitions' data ends: their scalars come first; the root's entries,
    // which close last, are the end of `entries`.
    let pre_strings = chunk.nodes[1..lead as usize]
        .iter()
        .map(|r| r.b())
        .sum::<u32>();
    let root_from = chunk.nodes[0].a as usize;
    let mut targets = Vec::with_capacity(anchors.len());
    for (k, (_, target)) in anchors.iter().enumerate() {
        // The definition's value node is `2k + 2`.
        targets.push((to_u32(2 * k + 2) + 1, *target));
    }

    let strings = Window::of(old_nodes, |t| matches!(t, Tag::Scalar(_)))?;
    let items = Window::of(old_nodes, |t| t == Tag::Sequence)?;
    let maps = Window::of(old_nodes, |t| t == Tag::Mapping)?;

    let removed = past - first;
    let added = to_u32(body.len());
    let delta = n.len() as i64 - o.len() as i64;
    let shift_span = |x: u32| {
        if x as usize >= chunk_end {
            (x as i64 + delta) as u32
        } else {
            x
        }
    };
    let map_id = |id: NodeId| if id >= past { id - removed + added } else { id };
    let new_id = |id: NodeId| id - lead + first;
    let (s_base, i_base, e_base) = (
        to_u32(old.strings.len()) - strings.len(),
        to_u32(old.items.len()) - items.len(),
        to_u32(old.entries.len()) - maps.len(),
    );

    let mut y = Yaml {
        nodes: Vec::with_capacity(old.nodes.len() - removed as usize + added as usize),
        items: Vec::with_capacity(i_base as usize + chunk.items.len()),
        entries: Vec::with_capacity(e_base as usize + root_from),
        strings: String::with_capacity(s_base as usize + chunk.strings.len()),
        tags: Vec::new(),
        documents: old.documents.clone(),
        error: None,
        duplicate_keys: Vec::new(),
    };
    let outside = |r: &Raw| {
        let mut r = *r;
        r.start = shift_span(r.start);
        r.end = shift_span(r.end);
        match r.tag() {
            Tag::Scalar(_) => r.a = strings.shift(r.a),
            Tag::Sequence => r.a = items.shift(r.a),
            Tag::Mapping => r.a = maps.shift(r.a),
            Tag::Alias if r.a > 0 => r.a = map_id(r.a - 1) + 1,
            Tag::Alias => {}
        }
        r
    };
    y.nodes
        .extend(old.nodes[..first as usize].iter().map(outside));
    let at = |x: u32| x - to_u32(pre) + to_u32(chunk_start);
    for r in body {
        let mut r = *r;
        (r.start, r.end) = (at(r.start), at(r.end));
        match r.tag() {
            Tag::Scalar(_) => r.a = r.a - pre_strings + s_base,
            Tag::Sequence => r.a += i_base,
            Tag::Mapping => r.a += e_base,
            // Every alias of the entry names one of the definitions in front of it.
            Tag::Alias => {
                r.a = targets
                    .iter()
                    .find(|(def, _)| *def == r.a)
                    .map(|(_, t)| map_id(*t) + 1)?;
            }
        }
        y.nodes.push(r);
    }
    y.nodes
        .extend(old.nodes[past as usize..].iter().map(outside));

    strings.copy_str(&old.strings, &mut y.strings);
    y.strings.push_str(&chunk.strings[pre_strings as usize..]);
    items.copy(&old.items, &mut y.items, |&id| map_id(id));
    y.items.extend(chunk.items.iter().map(|&id| new_id(id)));
    maps.copy(&old.entries, &mut y.entries, |e| Entry {
        key: map_id(e.key),
        value: map_id(e.value),
    });
    y.entries
        .extend(chunk.entries[..root_from].iter().map(|e| Entry {
            key: new_id(e.key),
            value: new_id(e.value),
        }));
    y.tags = old
        .tags
        .iter()
        .map(|(id, t)| (map_id(*id), t.clone()))
        .collect();
    // The entry's key keeps its id: a duplicate of it in the parent mapping stays.
    let inside = |id: NodeId| first < id && id < past;
    y.duplicate_keys = old
        .duplicate_keys
        .iter()
        .filter(|d| !inside(d.first) && !inside(d.duplicate))
        .map(|d| super::DuplicateKey {
            first: map_id(d.first),
            duplicate: map_id(d.duplicate),
        })
        .chain(chunk.duplicate_keys.iter().map(|d| super::DuplicateKey {
            first: new_id(d.first),
            duplicate: new_id(d.duplicate),
        }))
        .collect();

    // The two block mappings around the entry end where their last value ends.
    for id in [parent, root] {
        let last = y
            .mapping_entries(id)
            .last()
            .map(|e| y.nodes[e.value as usize].end);
        let node = &mut y.nodes[id as usize];
        if let Some(end) = last {
            node.end = node.start.max(end);
        }
    }
    Some(y)
}

/// A mapping written in block style (`{` starts a flow mapping's span) whose span ends
/// where its last value does: not one with an anchor or a tag, whose span runs to the next
/// token after it, outside the entry.
fn is_block_mapping(y: &Yaml, text: &str, id: NodeId) -> bool {
    let raw = &y.nodes[id as usize];
    raw.tag() == Tag::Mapping
        && text.as_bytes().get(raw.start as usize) != Some(&b'{')
        && y.mapping_entries(id)
            .last()
            .is_some_and(|e| y.nodes[e.value as usize].end == raw.end)
}

/// The start of the line of `at` when only spaces precede `at` on it.
fn own_line(text: &str, at: usize) -> Option<usize> {
    let line = text[..at].rfind(['\n', '\r']).map_or(0, |p| p + 1);
    text.as_bytes()[line..at]
        .iter()
        .all(|&b| b == b' ')
        .then_some(line)
}

/// Every line after the first that has content starts past `column` with spaces (comments
/// and blank lines may sit anywhere).
fn indented_past(chunk: &str, column: usize) -> bool {
    chunk.split(['\n', '\r']).skip(1).all(|line| {
        let indent = line.bytes().take_while(|&b| b == b' ').count();
        match line.as_bytes().get(indent) {
            None | Some(b'#') => true,
            Some(b'\t') => false,
            Some(_) => indent > column,
        }
    })
}

/// The last node of `id`'s subtree in node order (its last child's, recursively).
fn last_descendant(y: &Yaml, mut id: NodeId) -> NodeId {
    loop {
        let raw = &y.nodes[id as usize];
        let (a, b) = (raw.a as usize, raw.b() as usize);
        id = match raw.tag() {
            Tag::Sequence if b > 0 => y.items[a + b - 1],
            Tag::Mapping if b > 0 => y.entries[a + b - 1].value,
            _ => return id,
        };
    }
}

/// The part of one shared array (strings, items or entries) that the old entry's nodes
/// use: one contiguous run, since a subtree's collections close one after another.
#[derive(Clone, Copy)]
struct Window {
    lo: u32,
    hi: u32,
}

impl Window {
    fn of(nodes: &[Raw], kind: impl Fn(Tag) -> bool) -> Option<Window> {
        let (mut lo, mut hi, mut total) = (u32::MAX, 0u32, 0u32);
        for r in nodes.iter().filter(|r| kind(r.tag()) && r.b() > 0) {
            lo = lo.min(r.a);
            hi = hi.max(r.a + r.b());
            total += r.b();
        }
        if total == 0 {
            return Some(Window { lo: 0, hi: 0 });
        }
        (hi - lo == total).then_some(Window { lo, hi })
    }

    fn len(&self) -> u32 {
        self.hi - self.lo
    }

    /// An index of data outside the window, once the window is cut out.
    fn shift(&self, a: u32) -> u32 {
        if self.len() > 0 && a >= self.hi {
            a - self.len()
        } else {
            a
        }
    }

    fn copy<T: Copy>(&self, from: &[T], to: &mut Vec<T>, map: impl Fn(&T) -> T) {
        let (lo, hi) = (self.lo as usize, self.hi as usize);
        to.extend(from[..lo].iter().map(&map));
        to.extend(from[hi..].iter().map(&map));
    }

    fn copy_str(&self, from: &str, to: &mut String) {
        let (lo, hi) = (self.lo as usize, self.hi as usize);
        to.push_str(&from[..lo]);
        to.push_str(&from[hi..]);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{NodeKind, Yaml};

    /// Compares two trees node by node through the public view; `Err` says where they differ.
    pub(crate) fn same(a: &Yaml, b: &Yaml) -> Result<(), String> {
        crate::syntax::yaml::same_tree(a, b)
    }

    fn check(old: &str, new: &str) -> bool {
        let before = Yaml::parse(old);
        let spliced = super::splice(&before, old, new);
        let full = Yaml::parse(new);
        let got = Yaml::parse_edited(&before, old, new);
        same(&got, &full).unwrap_or_else(|e| panic!("{e}\nold:\n{old}\nnew:\n{new}"));
        if let Some(s) = &spliced {
            same(s, &full).unwrap_or_else(|e| panic!("{e}\nold:\n{old}\nnew:\n{new}"));
        }
        spliced.is_some()
    }

    const BASE: &str = "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n    environment:\n      A: 1\n  # between\n  db:\n    image: postgres\n    command: >\n      postgres -c\n      port=5433\n    restart: always\n  cache:\n    image: redis\nnetworks:\n  front:\n    driver: bridge\n";

    #[test]
    fn an_edit_inside_one_service_reparses_only_it() {
        assert!(check(BASE, &BASE.replace("8080:80", "8081:80")));
        assert!(check(
            BASE,
            &BASE.replace("8080:80", "8080:80\"\n      - \"9090:90")
        ));
        assert!(check(
            BASE,
            &BASE.replace("      A: 1\n", "      A: 1\n      B: two\n")
        ));
        assert!(check(BASE, &BASE.replace("port=5433", "port=5432")));
        assert!(check(BASE, &BASE.replace("# between", "# between us")));
        // The last service, before another top-level key; and the last entry of the file.
        assert!(check(BASE, &BASE.replace("image: redis", "image: valkey")));
        assert!(check(
            BASE,
            &BASE.replace("driver: bridge", "driver: overlay")
        ));
        assert!(check(
            BASE,
            &BASE.replace("postgres\n    command", "postgres:16\n    command")
        ));
    }

    #[test]
    fn aliases_to_anchors_outside_the_entry_are_kept() {
        let text = "x-common: &common\n  restart: always\nx-env: &env\n  A: 1\nservices:\n  web:\n    <<: *common\n    environment: *env\n    image: nginx\n  db:\n    <<: *common\n    image: postgres\n";
        assert!(check(text, &text.replace("image: nginx", "image: httpd")));
        assert!(check(
            text,
            &text.replace("image: postgres", "image: postgres:16")
        ));
        // An alias the entry did not use before, or an unknown one: parsed in full.
        assert!(!check(
            text,
            &text.replace("image: postgres", "environment: *env\n    image: postgres")
        ));
        assert!(!check(
            text,
            &text.replace("image: postgres", "image: *nope")
        ));
        let y = Yaml::parse_edited(&Yaml::parse(text), text, &text.replace("nginx", "httpd"));
        let full = Yaml::parse(&text.replace("nginx", "httpd"));
        same(&y, &full).unwrap();
    }

    /// Found by `cargo fuzz`: a service key written twice stays a duplicate when the edit
    /// falls in one of the two entries.
    #[test]
    fn duplicate_keys_of_the_edited_entry_are_kept() {
        let text = "services:\n  web:\n    image: a\n  db:\n    image: b\n  web:\n    image: c\n  x:\n    image: d\n";
        assert!(check(text, &text.replace("image: a", "image: aa")));
        assert!(check(text, &text.replace("image: c", "image: cc")));
    }

    #[test]
    fn edits_that_change_the_shape_parse_everything() {
        // A new service, a new top-level key, a dedent, a key renamed,
        // anchors and aliases, a broken line.
        for new in [
            BASE.replace("      A: 1\n", "      A: 1\n  api:\n    image: x\n"),
            BASE.replace("      A: 1\n", "      A: 1\nvolumes:\n  x:\n"),
            BASE.replace("  web:", "  webapp:"),
            BASE.replace("image: nginx", "image: &img nginx"),
            BASE.replace("      A: 1\n", "      A: [1\n"),
            BASE.replace("image: nginx", "image: !!str nginx"),
        ] {
            assert!(!check(BASE, &new), "spliced:\n{new}");
        }
        // An empty value at the entry's end, a change of nothing, several changes far apart:
        // whether spliced or not, the same tree.
        check(
            BASE,
            &BASE.replace("      A: 1\n", "      A: 1\n    healthcheck:\n"),
        );
        check(BASE, &BASE.replace("restart: always\n", "restart:\n"));
        check(BASE, &BASE.replace("A: 1\n  # between", "A: 1  # between"));
        check(BASE, BASE);
        check(
            BASE,
            &BASE.replace("nginx", "httpd").replace("redis", "valkey"),
        );
    }

    #[test]
    fn a_broken_old_tree_or_text_parses_everything() {
        let broken = BASE.replace("      A: 1\n", "      A: [1\n");
        assert!(!check(&broken, BASE));
        assert!(!check(
            BASE,
            &BASE.replace("services:", "services:\n  x: [")
        ));
        // Windows line ends and a service without a final line break.
        let crlf = BASE.replace('\n', "\r\n");
        assert!(check(&crlf, &crlf.replace("8080:80", "8081:80")));
        let bare = "services:\n  a:\n    image: x";
        assert!(check(bare, "services:\n  a:\n    image: xy"));
    }

    #[test]
    fn every_single_byte_edit_of_a_file_matches_a_full_parse() {
        let text = BASE;
        let mut spliced = 0;
        for at in 0..text.len() {
            if !text.is_char_boundary(at) {
                continue;
            }
            let mut deleted = text.to_string();
            deleted.remove(at);
            let inserted = format!("{}x{}", &text[..at], &text[at..]);
            let spaced = format!("{} {}", &text[..at], &text[at..]);
            let broken = format!("{}\n{}", &text[..at], &text[at..]);
            for new in [deleted, inserted, spaced, broken] {
                spliced += usize::from(check(text, &new));
            }
        }
        assert!(spliced > text.len(), "only {spliced} edits spliced");
        let _ = NodeKind::Alias { target: None };
    }
}
