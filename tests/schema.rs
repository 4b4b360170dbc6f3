//! The Compose key checks (`compose-unknown-key`, `compose-invalid-value`,
//! `compose-deprecated-key`, `compose-legacy-format`) against fixtures and a real Compose.
//!
//! Each fixture in `tests/schema/` says in its header what Debian's `docker-compose` 1.29
//! (`# v1:`) and `docker compose` v2 (compose-go, `# v2:`) make of it, why, and the findings
//! portside gives (`# expect: RULE TOKEN [FIXED]`: a finding of RULE at the text TOKEN, whose
//! quick fix writes FIXED there). Where v1 and v2 disagree the header says so: those are
//! the keys and forms the two disagree on.
//!
//! - `fixtures_match_their_expectations` runs the analysis and the fixes (always).
//! - `debian_docker_compose_agrees_with_the_fixtures` runs `docker-compose config -q` on
//!   every fixture: its verdict must be the header's, and where v1 and v2 agree, portside
//!   reports a schema error exactly when they refuse the file.
//! - `corpus_files_docker_compose_accepts_get_no_schema_error` runs it on every Compose file
//!   of `../shared/corpus`: a file it accepts gets no schema error from portside, but for
//!   the forms the fixtures show v2 refusing (the legacy version 1 format).
//!
//! The last two need `docker-compose` (`.ci/run` installs it): they are ignored by default,
//! and fail when it is missing under `--include-ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use portside::analysis::{Context, analyze_with};
use portside::classify::FileKind;
use portside::finding::{Finding, Severity, apply_fixes};

const SCHEMA_RULES: &[&str] = &[
    "compose-unknown-key",
    "compose-invalid-value",
    "compose-deprecated-key",
    "compose-legacy-format",
];

struct Fixture {
    path: PathBuf,
    text: String,
    v1: String,
    v2: String,
    expect: Vec<(String, String, Option<String>)>,
}

fn fixtures() -> Vec<Fixture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let header = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .map(str::to_string)
        };
        let expect = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .map(|e| {
                let mut words = e.split(' ');
                let rule = words.next().unwrap().to_string();
                let token = words.next().unwrap().to_string();
                (rule, token, words.next().map(str::to_string))
            })
            .collect();
        out.push(Fixture {
            v1: header("v1").unwrap_or_else(|| panic!("{}: no `# v1:`", path.display())),
            v2: header("v2").unwrap_or_else(|| panic!("{}: no `# v2:`", path.display())),
            path,
            text,
            expect,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(out.len() >= 25, "{} fixtures", out.len());
    out
}

fn schema_findings(text: &str) -> Vec<Finding> {
    analyze_with(FileKind::Compose, text, &Context::default())
        .findings
        .into_iter()
        .filter(|f| SCHEMA_RULES.contains(&f.code()))
        .collect()
}

fn refuses(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

#[test]
fn fixtures_match_their_expectations() {
    for fx in fixtures() {
        let name = fx.path.file_name().unwrap().to_string_lossy().into_owned();
        let found = schema_findings(&fx.text);
        assert_eq!(
            found.len(),
            fx.expect.len(),
            "{name}: {:?}",
            found.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        // What fails is said before the Problems row cuts the message.
        for f in &found {
            let first = portside::rules::first_sentence(&f.message);
            assert!(
                first.chars().count() <= portside::rules::FIRST_SENTENCE_MAX,
                "{name}: {} first sentence longer than {} characters: {first}",
                f.code(),
                portside::rules::FIRST_SENTENCE_MAX
            );
        }
        for (rule, token, fixed) in &fx.expect {
            let f = found
                .iter()
                .find(|f| f.code() == rule && fx.text[f.range.clone()].starts_with(token.as_str()))
                .unwrap_or_else(|| panic!("{name}: no {rule} at `{token}` in {found:?}"));
            if let Some(fixed) = fixed {
                let (after, n) = apply_fixes(&fx.text, std::slice::from_ref(f));
                assert_eq!(n, 1, "{name}: no fix on {f:?}");
                assert!(
                    after[f.range.start..].starts_with(fixed.as_str()),
                    "{name}: the fix wrote {:?}",
                    &after[f.range.start..]
                );
            }
        }
        // Every fix applied: the schema errors are gone and nothing new appears.
        if fx.expect.iter().all(|(_, _, fixed)| fixed.is_some()) && !fx.expect.is_empty() {
            let (after, _) = apply_fixes(&fx.text, &found);
            let left = schema_findings(&after);
            assert!(!refuses(&left), "{name} after its fixes: {left:?}\n{after}");
        }
        // portside refuses exactly what compose-go (v2) refuses; where v1 disagrees, the
        // fixture's header says so and the Debian test below checks v1's side.
        assert_eq!(refuses(&found), fx.v2 == "refused", "{name}: {found:?}");
    }
}

/// `docker-compose config -q` on `file` in a scratch folder (with an empty `other.yaml` for
/// `include`): `true` when it accepts the file.
fn v1_accepts(file: &Path, dir: &Path) -> bool {
    Command::new("docker-compose")
        .arg("-f")
        .arg(file)
        .args(["config", "-q"])
        .current_dir(dir)
        .env_remove("COMPOSE_FILE")
        .output()
        .unwrap()
        .status
        .success()
}

fn need_docker_compose() {
    let ok = Command::new("docker-compose")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::missing(
            "Debian's docker-compose (the only Compose in Debian 12)",
            "apt-get install docker-compose",
        );
    }
}

#[test]
#[ignore = "needs Debian's docker-compose: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn debian_docker_compose_agrees_with_the_fixtures() {
    need_docker_compose();
    let dir = std::env::temp_dir().join(format!("portside-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("other.yaml"), "services: {}\n").unwrap();
    let mut agree = 0;
    for fx in fixtures() {
        let file = dir.join("compose.yaml");
        std::fs::write(&file, &fx.text).unwrap();
        let accepted = v1_accepts(&file, &dir);
        let name = fx.path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            if accepted { "accepted" } else { "refused" },
            fx.v1,
            "{name}: docker-compose 1.29 disagrees with the fixture's `# v1:`"
        );
        if fx.v1 == fx.v2 {
            agree += 1;
            assert_eq!(
                refuses(&schema_findings(&fx.text)),
                !accepted,
                "{name}: portside and docker-compose disagree"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(agree >= 20, "only {agree} fixtures where v1 and v2 agree");
}

#[test]
#[ignore = "needs Debian's docker-compose and ../shared/corpus: bash .ci/run installs it; cargo test -- --include-ignored runs it"]
fn corpus_files_docker_compose_accepts_get_no_schema_error() {
    need_docker_compose();
    let corpus = std::env::var_os("PORTSIDE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    assert!(corpus.is_dir(), "no corpus at {}", corpus.display());
    let mut files = Vec::new();
    let mut stack = vec![corpus.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(portside::classify::by_name)
                == Some(FileKind::Compose)
            {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 100, "{} Compose files", files.len());
    // Two at a time: the machines have two cores, and each run is mostly Python start-up.
    let chunks: Vec<Vec<PathBuf>> = files
        .chunks(files.len().div_ceil(2))
        .map(<[PathBuf]>::to_vec)
        .collect();
    let verdicts: Vec<(PathBuf, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|f| {
                            let dir = f.parent().unwrap().to_path_buf();
                            let ok = v1_accepts(&f, &dir);
                            (f, ok)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut accepted = 0;
    let mut wrong = Vec::new();
    for (file, ok) in &verdicts {
        if !ok {
            continue;
        }
        accepted += 1;
        let text = std::fs::read_to_string(file).unwrap();
        let found = schema_findings(&text);
        // The legacy version 1 format: 1.29 reads it, v2 does not (tests/schema/legacy-v1.yaml),
        // and then its version 1 keys (`net`) are unknown to v2 as well.
        if found.iter().any(|f| f.code() == "compose-legacy-format") {
            continue;
        }
        for f in found.iter().filter(|f| f.severity == Severity::Error) {
            wrong.push(format!("{}: {}", file.display(), f.message));
        }
    }
    eprintln!(
        "docker-compose 1.29 accepts {accepted} of {} corpus Compose files; portside's schema errors on them: {}",
        verdicts.len(),
        wrong.len()
    );
    assert!(accepted > 100, "{accepted}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
