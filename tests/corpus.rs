//! Truth on real files: analyse every file of `../shared/corpus` (public Compose files and
//! Dockerfiles, never copied into this repository) and compare the findings with the
//! reviewed list in `tests/corpus-expectations.tsv` (path, rule, line, reason).
//!
//! A new finding is either a real problem (add it with a one-line reason) or a bug to fix.
//! `PORTSIDE_BLESS=1 cargo test --test corpus` rewrites the list, keeping existing reasons
//! and marking new rows `UNREVIEWED`, which this test refuses until a person writes why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portside::analysis::analyze_with;
use portside::classify::{self, FileKind};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PORTSIDE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

fn expectations_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-expectations.tsv")
}

/// Files to analyse: recognised names, plus every YAML file as Compose (the corpus has
/// test fixtures with names like `compose-test-extends.yaml`).
fn files(dir: &Path) -> Vec<(PathBuf, FileKind)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let kind = classify::by_name(name).or_else(|| {
                (name.ends_with(".yaml") || name.ends_with(".yml")).then_some(FileKind::Compose)
            });
            if let Some(kind) = kind {
                out.push((path, kind));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

type Key = (String, String, usize);

fn actual(dir: &Path) -> Vec<Key> {
    let mut out = Vec::new();
    for (path, kind) in files(dir) {
        let text = std::fs::read_to_string(&path).unwrap();
        // No environment (the result must not depend on the machine); the project's other
        // files (override, include, extends) are read from the corpus as the CLI would.
        // Nothing outside the corpus (such as the machine's /etc/docker/daemon.json).
        let read = |p: &Path| {
            p.starts_with(dir)
                .then(|| std::fs::read_to_string(p).ok())
                .flatten()
        };
        let ctx = portside::workspace::context_in(
            &path,
            &text,
            Default::default(),
            &Default::default(),
            &read,
        );
        let rope = ropey::Rope::from_str(&text);
        let rel = path
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for f in analyze_with(kind, &text, &ctx).findings {
            let (line, _) = portside::text::human_line_col(&rope, f.range.start);
            out.push((rel.clone(), f.rule.code.to_string(), line));
        }
    }
    out.sort();
    out
}

fn expected() -> BTreeMap<Key, String> {
    let text = std::fs::read_to_string(expectations_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(4, '\t').collect();
            assert_eq!(cols.len(), 4, "malformed line: {l}");
            (
                (
                    cols[0].to_string(),
                    cols[1].to_string(),
                    cols[2].parse().unwrap(),
                ),
                cols[3].to_string(),
            )
        })
        .collect()
}

#[test]
fn corpus_findings_match_the_reviewed_expectations() {
    let Some(dir) = corpus_dir() else {
        if std::env::var("PORTSIDE_REQUIRE_CORPUS").is_ok_and(|v| v == "1") {
            panic!("PORTSIDE_REQUIRE_CORPUS=1 but ../shared/corpus is missing");
        }
        eprintln!("\n!!! SKIPPED corpus check: ../shared/corpus not found\n");
        return;
    };
    let got = actual(&dir);
    let want = expected();
    if std::env::var("PORTSIDE_BLESS").is_ok_and(|v| v == "1") {
        let mut out =
            String::from("# path\trule\tline\treason (reviewed: why this finding is true)\n");
        for key in &got {
            let reason = want
                .get(key)
                .cloned()
                .unwrap_or_else(|| "UNREVIEWED".into());
            out.push_str(&format!("{}\t{}\t{}\t{reason}\n", key.0, key.1, key.2));
        }
        std::fs::write(expectations_path(), out).unwrap();
        return;
    }
    let unexpected: Vec<_> = got.iter().filter(|k| !want.contains_key(*k)).collect();
    let missing: Vec<_> = want.keys().filter(|k| !got.contains(k)).collect();
    let unreviewed: Vec<_> = want
        .iter()
        .filter(|(_, r)| r.trim().is_empty() || r.as_str() == "UNREVIEWED")
        .collect();
    let mut report = String::new();
    for k in &unexpected {
        report.push_str(&format!("unexpected: {}:{} {}\n", k.0, k.2, k.1));
    }
    for k in &missing {
        report.push_str(&format!("missing:    {}:{} {}\n", k.0, k.2, k.1));
    }
    for (k, _) in &unreviewed {
        report.push_str(&format!("unreviewed: {}:{} {}\n", k.0, k.2, k.1));
    }
    assert!(
        report.is_empty(),
        "corpus findings differ from tests/corpus-expectations.tsv:\n{report}"
    );
    eprintln!("corpus: {} findings, all reviewed", got.len());
}
