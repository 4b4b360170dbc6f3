//! Truth on real files, and the precision suite.
//!
//! Two sets of projects are analysed as the CLI would (the project's other files read from
//! the same folder, no environment), and every finding is compared with a reviewed list:
//!
//! - `../shared/corpus`: public Compose files and Dockerfiles, never copied into this
//!   repository; reviewed in `tests/corpus-expectations.tsv`.
//! - `tests/precision/<project>/`: small realistic projects of our own, each built around a
//!   false alarm seen on real files (and a true finding or two as controls); reviewed in the
//!   project's own `expect.tsv`.
//!
//! A row is `path, rule, line, verdict, reason`: verdict `true` means the finding is a real
//! problem, `false` a known false alarm still to fix. A new finding is either a real problem
//! (add it with a reason) or a bug to fix. The suite also holds the precision budget of the
//! default rule set: no **error** may be a false alarm, and Compose files get on average at
//! most one warning per five files. `cargo test --test corpus -- --nocapture` prints the
//! counts per rule. `PORTSIDE_BLESS=1 cargo test --test corpus` rewrites the lists, keeping
//! existing verdicts and reasons and marking new rows `UNREVIEWED`, which this test refuses
//! until a person writes why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portside::analysis::analyze_with;
use portside::classify::{self, FileKind};
use portside::rules::{FIRST_SENTENCE_MAX, first_sentence};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PORTSIDE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Files to analyse: recognised names; with `yaml_as_compose`, every YAML file as Compose
/// too (the corpus has test fixtures with names like `compose-test-extends.yaml`).
fn files(dir: &Path, yaml_as_compose: bool) -> Vec<(PathBuf, FileKind)> {
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
                (yaml_as_compose && (name.ends_with(".yaml") || name.ends_with(".yml")))
                    .then_some(FileKind::Compose)
            });
            if let Some(kind) = kind.filter(|k| *k != FileKind::Config) {
                out.push((path, kind));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// (path relative to the root, rule, 1-based line)
type Key = (String, String, usize);

struct Got {
    key: Key,
    severity: &'static str,
    compose: bool,
    message: String,
}

/// The findings on every file below `dir`, reading other files only inside `dir`.
fn actual(dir: &Path, yaml_as_compose: bool) -> (Vec<Got>, usize) {
    let mut out = Vec::new();
    let mut compose_files = 0;
    for (path, kind) in files(dir, yaml_as_compose) {
        let text = std::fs::read_to_string(&path).unwrap();
        compose_files += usize::from(kind == FileKind::Compose);
        // No environment (the result must not depend on the machine); the project's other
        // files (override, include, extends, Dockerfiles) are read from the folder as the
        // CLI would. Nothing outside it (such as the machine's /etc/docker/daemon.json).
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
            out.push(Got {
                key: (rel.clone(), f.rule.code.to_string(), line),
                severity: f.severity.as_str(),
                compose: kind == FileKind::Compose,
                message: f.message.clone(),
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    (out, compose_files)
}

#[derive(Clone)]
struct Row {
    verdict: String,
    reason: String,
}

const HEADER: &str = "# path\trule\tline\tverdict\treason (true: a real problem, and why; false: a known false alarm)\n";

fn expected(path: &Path) -> BTreeMap<Key, Row> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.splitn(5, '\t').collect();
            assert_eq!(cols.len(), 5, "malformed line in {}: {l}", path.display());
            (
                (
                    cols[0].to_string(),
                    cols[1].to_string(),
                    cols[2].parse().unwrap(),
                ),
                Row {
                    verdict: cols[3].to_string(),
                    reason: cols[4].to_string(),
                },
            )
        })
        .collect()
}

fn bless(path: &Path, got: &[Got], want: &BTreeMap<Key, Row>) {
    // The header, then the list's own comment lines, kept as they were.
    let mut out = String::from(HEADER);
    let old = std::fs::read_to_string(path).unwrap_or_default();
    for line in old.lines().filter(|l| l.starts_with('#')).skip(1) {
        out.push_str(line);
        out.push('\n');
    }
    for g in got {
        let row = want.get(&g.key).cloned().unwrap_or(Row {
            verdict: "true".into(),
            reason: "UNREVIEWED".into(),
        });
        let (p, r, l) = &g.key;
        out.push_str(&format!("{p}\t{r}\t{l}\t{}\t{}\n", row.verdict, row.reason));
    }
    std::fs::write(path, out).unwrap();
}

/// Per rule and severity: (true findings, false alarms).
type Tally = BTreeMap<(String, &'static str), (usize, usize)>;

#[derive(Default)]
struct Totals {
    tally: Tally,
    compose_files: usize,
    compose_warnings: usize,
    false_errors: Vec<String>,
}

/// Compares one root's findings with its list; returns the differences as report lines.
fn compare(
    name: &str,
    list: &Path,
    got: &[Got],
    compose_files: usize,
    totals: &mut Totals,
) -> String {
    let want = expected(list);
    if std::env::var("PORTSIDE_BLESS").is_ok_and(|v| v == "1") {
        bless(list, got, &want);
        return String::new();
    }
    let mut report = String::new();
    totals.compose_files += compose_files;
    for g in got {
        let (p, r, l) = &g.key;
        let Some(row) = want.get(&g.key) else {
            report.push_str(&format!(
                "unexpected: {name}/{p}:{l} {r} ({})\n",
                g.severity
            ));
            continue;
        };
        if row.reason.trim().is_empty() || row.reason == "UNREVIEWED" {
            report.push_str(&format!("unreviewed: {name}/{p}:{l} {r}\n"));
        }
        let is_true = match row.verdict.as_str() {
            "true" => true,
            "false" => false,
            other => {
                report.push_str(&format!(
                    "bad verdict {other:?} (true or false): {name}/{p}:{l} {r}\n"
                ));
                continue;
            }
        };
        let t = totals
            .tally
            .entry((r.clone(), g.severity))
            .or_insert((0, 0));
        if is_true {
            t.0 += 1;
        } else {
            t.1 += 1;
            if g.severity == "error" {
                totals
                    .false_errors
                    .push(format!("{name}/{p}:{l} {r}: {}", row.reason));
            }
        }
        if g.compose && g.severity == "warning" {
            totals.compose_warnings += 1;
        }
    }
    let keys: Vec<&Key> = got.iter().map(|g| &g.key).collect();
    for (p, r, l) in want.keys().filter(|k| !keys.contains(k)) {
        report.push_str(&format!("missing:    {name}/{p}:{l} {r}\n"));
    }
    report
}

fn precision_projects() -> Vec<PathBuf> {
    let root = manifest_dir().join("tests/precision");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Messages whose first sentence is longer than [`FIRST_SENTENCE_MAX`], one line per rule
/// and sentence, the sentence quoted as editors show it. VS Code's Problems panel and a
/// diagnostic's one-line view cut a message after about 100 characters, so what fails and
/// where must be said before that (issue 19, item 6).
fn long_first_sentences(name: &str, got: &[Got], out: &mut std::collections::BTreeSet<String>) {
    for g in got {
        let first = first_sentence(&g.message).replace('`', "\"");
        let n = first.chars().count();
        if n > FIRST_SENTENCE_MAX {
            let (p, r, l) = &g.key;
            out.insert(format!("{r} ({n} chars, e.g. {name}/{p}:{l}): {first}"));
        }
    }
}

#[test]
fn findings_match_the_reviewed_expectations_and_the_precision_budget() {
    let mut totals = Totals::default();
    let mut report = String::new();
    let mut long = std::collections::BTreeSet::new();
    match corpus_dir() {
        Some(dir) => {
            let (got, n) = actual(&dir, true);
            long_first_sentences("corpus", &got, &mut long);
            let list = manifest_dir().join("tests/corpus-expectations.tsv");
            report += &compare("corpus", &list, &got, n, &mut totals);
        }
        None => {
            if std::env::var("PORTSIDE_REQUIRE_CORPUS").is_ok_and(|v| v == "1") {
                panic!("PORTSIDE_REQUIRE_CORPUS=1 but ../shared/corpus is missing");
            }
            eprintln!("\n!!! corpus part SKIPPED: ../shared/corpus not found\n");
        }
    }
    let projects = precision_projects();
    assert!(!projects.is_empty(), "tests/precision has no project");
    for dir in &projects {
        let list = dir.join("expect.tsv");
        assert!(
            list.is_file(),
            "{} has no expect.tsv (write one, even if only the header)",
            dir.display()
        );
        let (got, n) = actual(dir, false);
        let name = format!("precision/{}", dir.file_name().unwrap().to_string_lossy());
        long_first_sentences(&name, &got, &mut long);
        report += &compare(&name, &list, &got, n, &mut totals);
    }
    // The examples have no reviewed list; their messages are held to the same length.
    let (got, _) = actual(&manifest_dir().join("examples"), false);
    long_first_sentences("examples", &got, &mut long);
    for line in &long {
        eprintln!("long first sentence: {line}");
    }
    if std::env::var("PORTSIDE_BLESS").is_ok_and(|v| v == "1") {
        return;
    }

    let mut table = String::from("rule                                 severity  true false\n");
    for ((rule, severity), (t, f)) in &totals.tally {
        table.push_str(&format!("{rule:<36} {severity:<8} {t:>5} {f:>5}\n"));
    }
    eprintln!(
        "{table}{} Compose files, {} warnings on them; {} precision projects",
        totals.compose_files,
        totals.compose_warnings,
        projects.len()
    );

    assert!(
        report.is_empty(),
        "findings differ from the reviewed lists (tests/corpus-expectations.tsv, \
         tests/precision/*/expect.tsv):\n{report}"
    );
    assert!(
        totals.false_errors.is_empty(),
        "an error-severity finding is a known false alarm; an error must be certain:\n{}",
        totals.false_errors.join("\n")
    );
    assert!(
        totals.compose_warnings * 5 <= totals.compose_files,
        "{} warnings on {} Compose files: the default rule set allows one per five files",
        totals.compose_warnings,
        totals.compose_files
    );
    assert!(
        long.is_empty(),
        "a message's first sentence (up to the first \". \") is longer than \
         {FIRST_SENTENCE_MAX} characters, so the Problems row cuts it; say what fails and where \
         first and move the detail to later sentences:\n{}",
        long.iter().cloned().collect::<Vec<_>>().join("\n")
    );
}

/// The incremental parse (`Yaml::parse_edited`, which reparses only the service an edit
/// falls in) gives the same tree as a full parse, on edits spread over every Compose file of
/// the corpus and the precision projects: a deleted byte, an inserted letter, digit, space or
/// line break, a pasted `key: value` line.
#[test]
fn incremental_parse_matches_a_full_parse_on_real_files() {
    use portside::syntax::yaml::{Yaml, same_tree};
    let mut roots: Vec<PathBuf> = precision_projects();
    roots.extend(corpus_dir());
    let (mut edits, mut spliced, mut files_seen) = (0usize, 0usize, 0usize);
    for root in &roots {
        for (path, kind) in files(root, true) {
            if kind != FileKind::Compose {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            files_seen += 1;
            let old = Yaml::parse(&text);
            let stride = (text.len() / 150).max(1);
            let mut at = 0;
            let mut n = 0usize;
            while at < text.len() {
                if text.is_char_boundary(at) {
                    let insert = ["x", "7", " ", "\n", "\n    extra: 1"][n % 5];
                    let new = if n % 6 == 5 {
                        let end = (at + 1..=text.len())
                            .find(|&e| text.is_char_boundary(e))
                            .unwrap_or(text.len());
                        format!("{}{}", &text[..at], &text[end..])
                    } else {
                        format!("{}{insert}{}", &text[..at], &text[at..])
                    };
                    let full = Yaml::parse(&new);
                    let got = Yaml::parse_edited(&old, &text, &new);
                    if let Err(e) = same_tree(&got, &full) {
                        panic!(
                            "{}: the edit at byte {at} ({:?}) parsed incrementally differs from a full parse: {e}",
                            path.display(),
                            &new[at.saturating_sub(20)..(at + 30).min(new.len())]
                        );
                    }
                    if let Some(s) = Yaml::splice(&old, &text, &new) {
                        same_tree(&s, &full).unwrap();
                        spliced += 1;
                    }
                    edits += 1;
                    n += 1;
                }
                at += stride;
            }
        }
    }
    eprintln!(
        "incremental parse: {edits} edits on {files_seen} Compose files, {spliced} of them spliced, all equal to a full parse"
    );
    assert!(files_seen > 0 && edits > files_seen);
    // Most edits land inside one service: the splice must keep applying to them.
    assert!(
        spliced * 4 > edits,
        "only {spliced} of {edits} edits were spliced"
    );
}
