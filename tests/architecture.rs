//! The architecture, checked on the source (ARCHITECTURE.md states these invariants):
//!
//! - the graph of the crate's top-level modules (with `model`'s submodules as nodes of
//!   their own), built from the `crate::` paths each module's code names, has no cycle;
//! - every such path points down the layers (a module names only modules of its own layer
//!   or below): `text`, `syntax` → `finding` → `config` → `model`, `knowledge` → `rules` →
//!   `analysis`, `suppress`, `classify` → `ide`, `workspace` → `live` → `server` → `cli`;
//! - only `live` and `cli` name `bollard` (only they talk to Docker);
//! - the LSP notifications that change state (didOpen, didChange, didClose,
//!   didChangeConfiguration, didChangeWatchedFiles) do no file I/O;
//! - test support is not compiled into the library.
//!
//! Comments, string literals and `#[cfg(test)]` items are left out of every scan: a
//! module's tests may use anything. `super::` is resolved from the file's module (an inline
//! module's `super::` is read as its file's), which is enough for the crate's layout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers, bottom first. A module may name modules of its own layer or of a lower one.
/// `lib.rs` and `main.rs` (the crate root) and `malloc` (allocator settings, names
/// nothing) are outside the layers.
const LAYERS: &[&[&str]] = &[
    &["text", "syntax"],
    &["finding"],
    &["config"],
    &[
        "model",
        "model::ports",
        "model::appconfig",
        "model::compose",
        "model::dockerfile",
        "model::daemon",
        "knowledge",
    ],
    &["rules"],
    &["analysis", "suppress", "classify"],
    &["ide", "workspace"],
    &["live"],
    &["server"],
    &["cli"],
];

/// Modules that must not name these, whatever the layers say.
const FORBIDDEN: &[(&str, &[&str])] = &[
    (
        "syntax",
        &["rules", "ide", "server", "live", "workspace", "cli"],
    ),
    (
        "model",
        &["rules", "ide", "server", "live", "workspace", "cli"],
    ),
    ("rules", &["ide", "server", "live", "cli"]),
];

/// The notification handlers that mutate state; they run on the serving task.
const STATE_HANDLERS: &[&str] = &[
    "did_open.rs",
    "did_change.rs",
    "did_close.rs",
    "did_change_configuration.rs",
    "did_change_watched_files.rs",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
}

/// The source with comments and the contents of string and char literals replaced by
/// spaces (line breaks kept), so that only code is left.
fn code_only(source: &str) -> String {
    let b = source.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    out.extend_from_slice(b"  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
        } else if (c == b'r' || (c == b'b' && b.get(i + 1) == Some(&b'r')))
            && (i == 0 || !is_ident(b[i - 1]))
            && {
                let j = i + if c == b'b' { 2 } else { 1 };
                let hashes = b[j..].iter().take_while(|&&x| x == b'#').count();
                b.get(j + hashes) == Some(&b'"')
            }
        {
            // A raw string: r"..", r#".."#, br".." and so on.
            let j = i + if c == b'b' { 2 } else { 1 };
            let hashes = b[j..].iter().take_while(|&&x| x == b'#').count();
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            out.extend(std::iter::repeat_n(b' ', j + hashes + 1 - i));
            i = j + hashes + 1;
            while i < b.len() && !b[i..].starts_with(&close) {
                blank(&mut out, b[i]);
                i += 1;
            }
            out.extend(std::iter::repeat_n(b' ', close.len().min(b.len() - i)));
            i += close.len();
        } else if c == b'"' {
            out.push(b' ');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else if c == b'\'' {
            // A char literal ('a', '\n', '\u{..}'), or a lifetime ('a), which is code.
            let end = if b.get(i + 1) == Some(&b'\\') {
                b.get(i + 3..)
                    .and_then(|r| r.iter().position(|&x| x == b'\''))
                    .map(|p| i + 3 + p)
            } else {
                let ch_len = source[i + 1..].chars().next().map_or(1, char::len_utf8);
                (b.get(i + 1 + ch_len) == Some(&b'\'')).then_some(i + 1 + ch_len)
            };
            match end {
                Some(end) => {
                    out.extend(std::iter::repeat_n(b' ', end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `code` without its `#[cfg(test)]` items, and the names of the `#[cfg(test)] mod x;`
/// files it declares.
fn without_tests(code: &str) -> (String, Vec<String>) {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len());
    let mut test_files = Vec::new();
    let mut i = 0;
    while let Some(at) = code[i..].find("#[cfg(test)]").map(|p| p + i) {
        out.push_str(&code[i..at]);
        // The item runs to the first `;` or to the end of the first block at depth 0.
        let mut j = at + "#[cfg(test)]".len();
        let mut depth = 0usize;
        let mut brackets = 0usize;
        while j < b.len() {
            match b[j] {
                b'[' => brackets += 1,
                b']' => brackets = brackets.saturating_sub(1),
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                b';' if depth == 0 && brackets == 0 => {
                    let item = code[at..j].split_whitespace().collect::<Vec<_>>();
                    if let Some(p) = item.iter().position(|w| *w == "mod") {
                        test_files.push(item[p + 1].to_string());
                    }
                    j += 1;
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        for c in code[at..j.min(b.len())].chars() {
            out.push(if c == '\n' { '\n' } else { ' ' });
        }
        i = j.min(b.len());
    }
    out.push_str(&code[i..]);
    (out, test_files)
}

/// A source file's module path below `src/`, as `["rules", "mod"]` for `src/rules/mod.rs`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" {
        parts.push(stem.to_string());
    }
    parts
}

/// The graph node a module path belongs to: its top-level module, or `model::X` for the
/// model's submodules. `None` for the crate root.
fn node(path: &[String]) -> Option<String> {
    let top = path.first()?;
    if matches!(top.as_str(), "lib" | "main") && path.len() == 1 {
        return None;
    }
    match (top.as_str(), path.get(1)) {
        ("model", Some(sub)) => Some(format!("model::{sub}")),
        _ => Some(top.clone()),
    }
}

fn ident_at(code: &str, at: usize) -> Option<&str> {
    let rest = &code[at..];
    let rest = rest.trim_start();
    let len = rest.bytes().take_while(|&c| is_ident(c)).count();
    (len > 0).then(|| &rest[..len])
}

/// The module paths (from the crate root) that `code`, in module `module`, names: every
/// `crate::a::b` (also inside `use crate::{a, b::c}` groups and as `$crate::`), and
/// `super::` paths, resolved to at most two segments.
fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !(is_ident(b[i]) && (i == 0 || !is_ident(b[i - 1]))) {
            i += 1;
            continue;
        }
        let word_len = b[i..].iter().take_while(|&&c| is_ident(c)).count();
        let word = &code[i..i + word_len];
        let base: Option<(Vec<String>, usize)> = match word {
            "crate" if code[i + word_len..].starts_with("::") => {
                Some((Vec::new(), i + word_len + 2))
            }
            "super"
                if code[i + word_len..].starts_with("::") && (i < 2 || &b[i - 2..i] != b"::") =>
            {
                // A file's module is `module`; `mod.rs` files are their folder's module.
                let mut base = module.to_vec();
                let mut at = i;
                while code[at..].starts_with("super::") {
                    base.pop();
                    at += "super::".len();
                }
                Some((base, at))
            }
            _ => None,
        };
        if let Some((prefix, at)) = base {
            collect(code, at, prefix, &mut found);
        }
        i += word_len;
    }
    found
}

/// Reads the path (or `{..}` group of paths) at `at` after `prefix`, pushing each one cut
/// to two segments.
fn collect(code: &str, at: usize, prefix: Vec<String>, found: &mut Vec<Vec<String>>) {
    let rest = code[at..].trim_start();
    let at = code.len() - rest.len();
    if rest.starts_with('{') {
        // A group: split its items at depth 1.
        let mut depth = 0;
        let mut item_start = at + 1;
        for (k, c) in code[at..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' | ',' if depth == 1 => {
                    collect(code, item_start, prefix.clone(), found);
                    item_start = at + k + 1;
                    if c == '}' {
                        return;
                    }
                }
                '}' => depth -= 1,
                _ => {}
            }
        }
        return;
    }
    let Some(ident) = ident_at(code, at) else {
        if !prefix.is_empty() {
            found.push(prefix);
        }
        return;
    };
    if ident == "self" {
        if !prefix.is_empty() {
            found.push(prefix);
        }
        return;
    }
    let mut path = prefix;
    path.push(ident.to_string());
    let after = at + code[at..].find(ident).unwrap() + ident.len();
    if path.len() < 2 && code[after..].starts_with("::") {
        collect(code, after + 2, path, found);
    } else {
        found.push(path);
    }
}

struct Crate {
    /// Each scanned file with its module path and code (no comments, strings or tests).
    files: Vec<(PathBuf, Vec<String>, String)>,
    /// node → nodes it names, with one place that names each.
    edges: BTreeMap<String, BTreeMap<String, String>>,
}

fn read_crate() -> Crate {
    let mut all = Vec::new();
    rust_files(&src(), &mut all);
    let mut code_of = Vec::new();
    let mut test_files: BTreeSet<PathBuf> = BTreeSet::new();
    for file in &all {
        let (code, tests) = without_tests(&code_only(&std::fs::read_to_string(file).unwrap()));
        let dir = if file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        for t in tests {
            test_files.insert(dir.join(format!("{t}.rs")));
            test_files.insert(dir.join(&t).join("mod.rs"));
        }
        code_of.push((file.clone(), module_path(file), code));
    }
    // A file inside a test module's folder is test code too.
    let files: Vec<_> = code_of
        .into_iter()
        .filter(|(f, _, _)| {
            !test_files
                .iter()
                .any(|t| f == t || f.starts_with(t.with_extension("")))
        })
        .collect();
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|(_, m, _)| m.first().cloned())
        .collect();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (file, module, code) in &files {
        let Some(from) = node(module) else { continue };
        edges.entry(from.clone()).or_default();
        for path in named_paths(code, module) {
            if !path.first().is_some_and(|t| tops.contains(t)) {
                continue; // `crate::SomeReexport`, a macro, or outside the crate
            }
            let Some(to) = node(&path) else { continue };
            let to = if to.starts_with("model::")
                && !files
                    .iter()
                    .any(|(_, m, _)| node(m).as_deref() == Some(to.as_str()))
            {
                "model".to_string() // an item of `model` itself
            } else {
                to
            };
            if to != from {
                let rel = file.strip_prefix(src()).unwrap().display().to_string();
                edges
                    .get_mut(&from)
                    .unwrap()
                    .entry(to)
                    .or_insert(format!("src/{rel} names crate::{}", path.join("::")));
            }
        }
    }
    Crate { files, edges }
}

/// A cycle of the graph, if there is one, as the list of its nodes.
fn find_cycle(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark: BTreeMap<&str, Mark> = edges.keys().map(|k| (k.as_str(), Mark::New)).collect();
    for start in edges.keys() {
        if mark[start.as_str()] != Mark::New {
            continue;
        }
        // Iterative depth-first search; `stack` is the current path.
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(
            start.as_str(),
            edges[start].keys().map(String::as_str).collect(),
        )];
        mark.insert(start.as_str(), Mark::Open);
        while let Some((n, next)) = stack.last_mut() {
            let n = *n;
            match next.pop() {
                Some(m) => match mark.get(m).copied().unwrap_or(Mark::Done) {
                    Mark::Open => {
                        let from = stack.iter().position(|(x, _)| *x == m).unwrap();
                        let mut cycle: Vec<String> =
                            stack[from..].iter().map(|(x, _)| x.to_string()).collect();
                        cycle.push(m.to_string());
                        return Some(cycle);
                    }
                    Mark::New => {
                        mark.insert(m, Mark::Open);
                        stack.push((m, edges[m].keys().map(String::as_str).collect()));
                    }
                    Mark::Done => {}
                },
                None => {
                    mark.insert(n, Mark::Done);
                    stack.pop();
                }
            }
        }
    }
    None
}

fn layer_of(node: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&node))
}

#[test]
fn the_module_graph_has_no_cycle() {
    let krate = read_crate();
    assert!(krate.edges.len() > 10, "{:?}", krate.edges.keys());
    if let Some(cycle) = find_cycle(&krate.edges) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("  {} -> {}: {}", w[0], w[1], krate.edges[&w[0]][&w[1]]))
            .collect();
        panic!(
            "the modules form a cycle: {}\n{}",
            cycle.join(" -> "),
            steps.join("\n")
        );
    }
}

#[test]
fn modules_name_only_their_layer_and_below() {
    let krate = read_crate();
    let mut wrong = Vec::new();
    for (from, targets) in &krate.edges {
        let Some(from_layer) = layer_of(from) else {
            if from != "malloc" {
                wrong.push(format!("module `{from}` is in no layer (add it to LAYERS)"));
            }
            continue;
        };
        for (to, place) in targets {
            match layer_of(to) {
                Some(to_layer) if to_layer <= from_layer => {}
                Some(_) => wrong.push(format!("{from} names {to}, a higher layer: {place}")),
                None => wrong.push(format!("{from} names {to}, which is in no layer: {place}")),
            }
            for (module, never) in FORBIDDEN {
                let top = from.split("::").next().unwrap();
                let to_top = to.split("::").next().unwrap();
                if top == *module && never.contains(&to_top) {
                    wrong.push(format!("{from} must never name {to}: {place}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_live_and_cli_name_bollard() {
    let krate = read_crate();
    let mut wrong = Vec::new();
    for (file, module, code) in &krate.files {
        if matches!(module.first().map(String::as_str), Some("live" | "cli")) {
            continue;
        }
        let mentions = code.match_indices("bollard").any(|(at, _)| {
            (at == 0 || !is_ident(code.as_bytes()[at - 1]))
                && !code
                    .as_bytes()
                    .get(at + "bollard".len())
                    .is_some_and(|&c| is_ident(c))
        });
        if mentions {
            wrong.push(file.display().to_string());
        }
    }
    assert!(
        wrong.is_empty(),
        "only live and cli talk to Docker: {wrong:?}"
    );
}

#[test]
fn state_changing_notifications_do_no_io() {
    let dir = src().join("server/handlers");
    let mut wrong = Vec::new();
    for name in STATE_HANDLERS {
        let path = dir.join(name);
        let source =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (code, _) = without_tests(&code_only(&source));
        let compact: String = code.split_whitespace().collect();
        for io in [
            "std::fs",
            "tokio::fs",
            "File::",
            "read_dir",
            "std::{fs",
            ",fs,",
            ",fs}",
        ] {
            if compact.contains(io) {
                wrong.push(format!("{name}: {io}"));
            }
        }
        let b = compact.as_bytes();
        if compact
            .match_indices("fs::")
            .any(|(at, _)| at == 0 || !is_ident(b[at - 1]))
        {
            wrong.push(format!("{name}: fs::"));
        }
    }
    assert!(
        wrong.is_empty(),
        "state-changing notifications run on the serving task and must not touch the disk \
         (hand reads to the Vfs on the worker pool): {wrong:?}"
    );
}

/// Test support (the fuzzing harness, the generator of large files) lives in
/// `tests/support/`, included by the tests, the benchmark and the fuzz targets; the library
/// does not compile it.
#[test]
fn test_support_is_not_in_the_library() {
    let krate = read_crate();
    for support in ["fuzzing", "generate"] {
        assert!(
            !krate.edges.contains_key(support),
            "src/{support}.rs is test support: it belongs in tests/support/"
        );
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/support/{support}.rs"));
        assert!(path.exists(), "{}", path.display());
    }
}

/// The scanner itself: comments, strings and tests are not code; paths and groups are
/// read.
#[test]
fn the_scanner_reads_paths_and_skips_what_is_not_code() {
    let source = r##"
use crate::{finding::{Finding, Severity}, model::compose};
// crate::server in a comment
/* crate::cli /* nested */ crate::ide */
const S: &str = "crate::live";
const R: &str = r#"crate::workspace " "#;
const C: char = '"';
fn f<'a>(x: &'a str) -> crate::text::Position { super::helper(x) }
#[cfg(test)]
mod tests {
    use crate::rules;
}
#[cfg(test)]
mod more;
"##;
    let (code, tests) = without_tests(&code_only(source));
    assert_eq!(tests, ["more"]);
    let module = vec!["analysis".to_string()];
    let mut paths: Vec<String> = named_paths(&code, &module)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "finding::Finding",
            "finding::Severity",
            "helper",
            "model::compose",
            "text::Position"
        ]
    );
    let edges: BTreeMap<String, BTreeMap<String, String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| {
        (
            k.to_string(),
            v.into_iter()
                .map(|t| (t.to_string(), String::new()))
                .collect(),
        )
    })
    .collect();
    let cycle = find_cycle(&edges).unwrap();
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4);
}
