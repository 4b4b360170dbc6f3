//! Tests that need a Docker daemon, an editor or another installed tool are
//! `#[ignore = "needs ..."]`: a plain `cargo test` lists them as ignored instead of passing
//! them unrun, and `cargo test -- --include-ignored` (what `.ci/run` runs) runs them, failing
//! when what they need is missing. These checks read the source of the files that hold such
//! tests, so that a new live or editor test cannot forget its `ignore`.

use std::path::Path;

/// The test files whose tests need something installed, unless listed in `NEEDS_NOTHING`.
const FILES: &[&str] = &[
    "live.rs",
    "nvim.rs",
    "emacs.rs",
    "kakoune.rs",
    "vscode.rs",
    "zed.rs",
    "protocol.rs",
    "schema.rs",
    "platforms.rs",
];

/// The tests in `FILES` that need nothing installed (fake daemons, unreachable endpoints,
/// contexts) and so run with every `cargo test`.
const NEEDS_NOTHING: &[&str] = &[
    "an_unreachable_endpoint_is_a_clear_error",
    "probe_of_a_file_that_is_not_there_exits_2",
    "probe_without_a_daemon_exits_2_with_a_clear_message",
    "a_daemon_socket_that_never_answers_gives_up_in_bounded_time",
    "docker_contexts_choose_the_endpoint_like_the_cli",
    "malformed_daemon_answers_end_in_a_clear_message",
    "unexpected_daemon_versions_end_in_a_clear_message",
    "a_socket_this_user_may_not_open_is_named_with_the_fix",
    "the_editor_endpoint_setting_overrides_docker_host",
    "the_editor_reads_a_local_image_from_a_fake_daemon",
    "the_editor_takes_the_platform_from_a_fake_docker_desktop",
    "a_daemon_that_fails_or_hangs_never_delays_the_diagnostics",
    "fixtures_match_their_expectations",
    "the_readers_know_their_formats",
];

/// A test function of a source file: its name and its attribute lines.
struct Test {
    name: String,
    attributes: Vec<String>,
}

/// The `#[test]` and `#[tokio::test]` functions of `source`, with the attributes written
/// above each (doc comments between them are passed over).
fn tests_in(source: &str) -> Vec<Test> {
    let mut found = Vec::new();
    let mut attributes: Vec<String> = Vec::new();
    for line in source.lines().map(str::trim) {
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("#[") {
            attributes.push(line.to_string());
        } else if let Some(rest) = line
            .strip_prefix("fn ")
            .or_else(|| line.strip_prefix("async fn "))
        {
            if attributes
                .iter()
                .any(|a| a == "#[test]" || a.starts_with("#[tokio::test"))
            {
                let name = rest.split(['(', '<']).next().unwrap().to_string();
                found.push(Test {
                    name,
                    attributes: std::mem::take(&mut attributes),
                });
            }
            attributes.clear();
        } else {
            attributes.clear();
        }
    }
    found
}

#[test]
fn every_test_that_needs_a_daemon_or_an_editor_is_ignored_with_what_it_needs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for file in FILES {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            !source.contains("SKIPPED"),
            "tests/{file}: a test that skips passes unrun; make it #[ignore = \"needs ...\"] and \
             fail when what it needs is missing (common::missing)"
        );
        let tests = tests_in(&source);
        assert!(!tests.is_empty(), "tests/{file}: no tests found");
        for t in tests {
            let ignore = t.attributes.iter().find(|a| a.starts_with("#[ignore"));
            if NEEDS_NOTHING.contains(&t.name.as_str()) {
                seen.push(t.name.clone());
                if let Some(a) = ignore {
                    wrong.push(format!(
                        "tests/{file}: {} is listed as needing nothing but has {a}",
                        t.name
                    ));
                }
            } else if !ignore.is_some_and(|a| {
                a.starts_with("#[ignore = \"needs ") && a.contains("--include-ignored")
            }) {
                wrong.push(format!(
                    "tests/{file}: {} has no #[ignore = \"needs WHAT: bash .ci/run installs \
                     it; cargo test -- --include-ignored runs it\"]; if it needs nothing \
                     installed, list it in NEEDS_NOTHING (tests/prerequisites.rs)",
                    t.name
                ));
            }
        }
    }
    for name in NEEDS_NOTHING {
        if !seen.iter().any(|s| s == name) {
            wrong.push(format!("NEEDS_NOTHING names {name}, which no file has"));
        }
    }
    assert!(wrong.is_empty(), "\n{}\n", wrong.join("\n"));
}

#[test]
fn the_attribute_reader_sees_ignores_through_doc_comments() {
    let tests = tests_in(
        "/// doc\n#[test]\n#[ignore = \"needs x: y; cargo test -- --include-ignored runs it\"]\n/// more\nfn a() {}\n\nfn helper() {}\n#[tokio::test]\nasync fn b() {}\n",
    );
    let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(tests[0].attributes.len(), 2);
    assert_eq!(tests[1].attributes, ["#[tokio::test]"]);
}

/// CI runs the ignored tests too; with PORTSIDE_REQUIRE_DOCKER=1 or PORTSIDE_REQUIRE_EDITORS=1
/// (`.ci/run` sets both) a run that leaves them out fails here.
#[test]
fn ci_runs_the_ignored_tests() {
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.lines()
            .any(|l| l.trim() == "cargo test --locked -- --include-ignored"),
        ".ci/run must run `cargo test --locked -- --include-ignored`"
    );
    let included = std::env::args().any(|a| a == "--include-ignored" || a == "--ignored");
    for var in ["PORTSIDE_REQUIRE_DOCKER", "PORTSIDE_REQUIRE_EDITORS"] {
        if std::env::var(var).is_ok_and(|v| v == "1") {
            assert!(
                included,
                "{var}=1 but this run leaves out the tests that need a daemon or an editor: \
                 run `cargo test -- --include-ignored`"
            );
        }
    }
}
