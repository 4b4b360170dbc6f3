//! `portside check [PATH...]`: find the files, analyse each, print like a compiler.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ropey::Rope;

use super::{ColorChoice, render};
use crate::analysis;
use crate::classify::{self, FileKind};
use crate::finding::Severity;
use crate::text::{self, PositionEncoding};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check; folders are searched recursively.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// `sarif` is SARIF 2.1.0 for GitHub code scanning; `github` prints workflow commands
    /// that GitHub Actions shows as annotations.
    #[arg(long, value_enum, default_value_t)]
    format: CheckFormat,
    /// Make warnings fail the check (exit status 1) too.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    #[arg(long, value_enum, default_value_t)]
    color: ColorChoice,
    /// Apply the quick fixes, write the files, then report what is left.
    #[arg(long)]
    fix: bool,
    /// Say on stderr which files were checked and which YAML, JSON and Docker-looking files
    /// and folders were passed over, and why.
    #[arg(long, short)]
    verbose: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
enum CheckFormat {
    #[default]
    Text,
    Json,
    Sarif,
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Deny {
    Warnings,
}

/// Folders never searched: version control, dependencies, build output.
const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "target",
    ".venv",
    "venv",
];

#[derive(serde::Serialize)]
struct JsonFinding {
    path: String,
    range: text::Range,
    severity: Severity,
    code: &'static str,
    message: String,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let mut io_error = false;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in &args.paths {
        match collect(path, &mut files, &mut skipped) {
            Ok(()) => {}
            Err(msg) => {
                eprintln!("portside: {msg}");
                io_error = true;
            }
        }
    }
    if args.verbose {
        for (path, kind) in &files {
            eprintln!("portside: checking {} as {}", path.display(), kind.as_str());
        }
        for (path, why) in &skipped {
            eprintln!("portside: skipped {}: {why}", path.display());
        }
    }
    let renderer = render::Renderer::new(args.color.enabled());
    let mut json = Vec::new();
    let (mut errors, mut warnings, mut checked) = (0usize, 0usize, 0usize);
    for (path, kind) in &files {
        let text = match read(path) {
            Ok(t) => t,
            Err(msg) => {
                eprintln!("portside: {msg}");
                io_error = true;
                continue;
            }
        };
        checked += 1;
        let ctx =
            crate::workspace::context_for(path, &text, &crate::config::RuleSettings::default());
        let mut result = analysis::analyze_with(*kind, &text, &ctx);
        let mut text = text;
        if args.fix {
            let (fixed, count) = crate::finding::apply_fixes(&text, &result.findings);
            if count > 0 {
                if let Err(e) = std::fs::write(path, &fixed) {
                    eprintln!("portside: cannot write {}: {e}", path.display());
                    io_error = true;
                } else {
                    eprintln!(
                        "portside: applied {count} fix{} to {}",
                        if count == 1 { "" } else { "es" },
                        path.display()
                    );
                    text = fixed;
                    result = analysis::analyze_with(*kind, &text, &ctx);
                }
            }
        }
        let rope = Rope::from_str(&text);
        let display = path.display().to_string();
        for f in &result.findings {
            match f.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
                _ => {}
            }
            match args.format {
                CheckFormat::Text => {
                    println!("{}\n", renderer.finding(&display, &text, &rope, f))
                }
                _ => json.push(JsonFinding {
                    path: display.clone(),
                    range: text::range_of(&rope, f.range.clone(), PositionEncoding::Utf16),
                    severity: f.severity,
                    code: f.rule.code,
                    message: f.message.clone(),
                }),
            }
        }
    }
    match args.format {
        CheckFormat::Json => println!("{}", serde_json::to_string_pretty(&json).expect("json")),
        CheckFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&sarif(&json)).expect("json")
        ),
        CheckFormat::Github => {
            for f in &json {
                println!("{}", github(f));
            }
            if !(io_error && checked == 0) {
                println!("{}", summary(errors, warnings, checked));
            }
        }
        CheckFormat::Text if !(io_error && checked == 0) => {
            println!("{}", summary(errors, warnings, checked));
        }
        CheckFormat::Text => {}
    }
    if io_error {
        ExitCode::from(2)
    } else if errors > 0 || (args.deny == Some(Deny::Warnings) && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "note",
    }
}

/// A path as a SARIF/GitHub relative URI: forward slashes, no leading `./`.
fn uri_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").unwrap_or(&p).to_string()
}

/// SARIF 2.1.0 with the rules that fired as `tool.driver.rules` (columns in UTF-16 code
/// units, SARIF's default `columnKind`).
fn sarif(findings: &[JsonFinding]) -> serde_json::Value {
    let mut rules: Vec<&'static crate::rules::Rule> = Vec::new();
    for f in findings {
        if let Some(r) = crate::rules::find(f.code)
            && !rules.iter().any(|x| x.code == r.code)
        {
            rules.push(r);
        }
    }
    let rule_json: Vec<_> = rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.code,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {"text": r.doc(), "markdown": r.doc()},
                "helpUri": r.url(),
                "defaultConfiguration": {"level": sarif_level(r.severity)},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|r| r.code == f.code);
            serde_json::json!({
                "ruleId": f.code,
                "ruleIndex": index,
                "level": sarif_level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_path(&f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.range.start.line + 1,
                            "startColumn": f.range.start.character + 1,
                            "endLine": f.range.end.line + 1,
                            "endColumn": f.range.end.character + 1,
                        }
                    }
                }],
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "portside",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/portside-lsp/portside",
                "rules": rule_json,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

/// A GitHub Actions workflow command (`::error file=…,line=…::message`).
fn github(f: &JsonFinding) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        _ => "notice",
    };
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    format!(
        "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        prop(&uri_path(&f.path)),
        f.range.start.line + 1,
        f.range.start.character + 1,
        f.range.end.line + 1,
        f.range.end.character + 1,
        prop(&format!("portside {}", f.code)),
        data(&f.message)
    )
}

fn summary(errors: usize, warnings: usize, files: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors + warnings == 0 {
        format!("portside: no problems found in {}", plural(files, "file"))
    } else {
        format!(
            "portside: {}, {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files, "file")
        )
    }
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("cannot read {}: it is not UTF-8 text ({e})", path.display()))
}

/// Adds `path` (a file, or the recognised files below a folder) to `out`, sorted; files
/// and folders passed over that a user might have expected go to `skipped`, with why.
fn collect(
    path: &Path,
    out: &mut Vec<(PathBuf, FileKind)>,
    skipped: &mut Vec<(PathBuf, &'static str)>,
) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind = classify::by_name(name).or_else(|| by_extension(path)).ok_or_else(|| {
            format!(
                "{}: not a Compose file, Dockerfile or daemon.json (portside goes by the file name)",
                path.display()
            )
        })?;
        out.push((path.to_path_buf(), kind));
        return Ok(());
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if file_type.is_dir() {
                if SKIP_DIRS.contains(&name) {
                    skipped.push((
                        entry.path(),
                        "version control, dependencies or build output",
                    ));
                } else {
                    stack.push(entry.path());
                }
            } else if let Some(kind) = classify::by_name(name) {
                found.push((entry.path(), kind));
            } else if let Some(why) = passed_over(&entry.path(), name) {
                let path = entry.path();
                if why.is_empty() {
                    found.push((path, FileKind::Compose));
                } else {
                    skipped.push((path, why));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    skipped.sort();
    out.extend(found);
    Ok(())
}

/// For a file whose name portside does not recognise: "" when it is Compose all the same
/// (a YAML file with `services:` in a `docker-compose/` folder), else why a YAML, JSON or
/// Docker-looking file is passed over; `None` for files nobody would expect checked.
fn passed_over(path: &Path, name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        let in_folder = path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n.eq_ignore_ascii_case("docker-compose"));
        if in_folder {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            return Some(if classify::in_compose_folder(path, &text) {
                ""
            } else {
                "in a docker-compose/ folder, but it has no top-level `services:`"
            });
        }
        return Some(
            "not a Compose file name (compose*.yaml, docker-compose*.yml, *.compose.yaml); name it on the command line to check it",
        );
    }
    if lower.ends_with(".json") {
        return Some("only daemon.json is checked among JSON files");
    }
    (lower.contains("dockerfile") || lower.contains("containerfile"))
        .then_some("not a Dockerfile name (Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile)")
}

/// A file named explicitly on the command line with an unusual name.
fn by_extension(path: &Path) -> Option<FileKind> {
    match path.extension()?.to_str()? {
        "yaml" | "yml" => Some(FileKind::Compose),
        _ => None,
    }
}
