//! `portside check [PATH...]`: find the files, analyse each, print like a compiler.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use ropey::Rope;

use super::{ColorChoice, Format, render};
use crate::analysis;
use crate::classify::{self, FileKind};
use crate::finding::Severity;
use crate::text::{self, PositionEncoding};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check; folders are searched recursively.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Make warnings fail the check (exit status 1) too.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    #[arg(long, value_enum, default_value_t)]
    color: ColorChoice,
    /// Apply the quick fixes, write the files, then report what is left.
    #[arg(long)]
    fix: bool,
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
    for path in &args.paths {
        match collect(path, &mut files) {
            Ok(()) => {}
            Err(msg) => {
                eprintln!("portside: {msg}");
                io_error = true;
            }
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
                Format::Text => println!("{}\n", renderer.finding(&display, &text, &rope, f)),
                Format::Json => json.push(JsonFinding {
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
        Format::Json => println!("{}", serde_json::to_string_pretty(&json).expect("json")),
        Format::Text if !(io_error && checked == 0) => {
            println!("{}", summary(errors, warnings, checked));
        }
        Format::Text => {}
    }
    if io_error {
        ExitCode::from(2)
    } else if errors > 0 || (args.deny == Some(Deny::Warnings) && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
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

/// Adds `path` (a file, or the recognised files below a folder) to `out`, sorted.
fn collect(path: &Path, out: &mut Vec<(PathBuf, FileKind)>) -> Result<(), String> {
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
                if !SKIP_DIRS.contains(&name) {
                    stack.push(entry.path());
                }
            } else if let Some(kind) = classify::by_name(name) {
                found.push((entry.path(), kind));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(found);
    Ok(())
}

/// A file named explicitly on the command line with an unusual name.
fn by_extension(path: &Path) -> Option<FileKind> {
    match path.extension()?.to_str()? {
        "yaml" | "yml" => Some(FileKind::Compose),
        _ => None,
    }
}
