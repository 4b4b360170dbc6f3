//! The pure analysis: text in, findings out. No I/O; the CLI and the server share it.

use crate::classify::FileKind;
use crate::finding::{Finding, Severity};
use crate::model::compose::{Project, Vars};
use crate::rules;
use crate::syntax::dockerfile::DockerfileSyntax;
use crate::syntax::json::Json;
use crate::syntax::yaml::Yaml;

/// Files larger than this are not analysed; `input-too-large` says so.
pub const MAX_INPUT_BYTES: usize = 10 * 1024 * 1024;

/// What analysis of one file yields.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Sorted by position.
    pub findings: Vec<Finding>,
    /// The Compose tree when the file parsed, for features that need it (hover).
    pub yaml: Option<std::sync::Arc<Yaml>>,
}

/// The analysed text's YAML tree, as the workspace layer parsed it: the analysis uses it
/// instead of parsing again when `text` is the analysed text.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub text: std::sync::Arc<str>,
    pub yaml: std::sync::Arc<Yaml>,
}

/// What analysis may know besides the text: the variables Compose would interpolate
/// with (the `.env` beside the file, overridden by the environment). The workspace layer
/// loads them; analysis reads no files.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub vars: Vars,
    /// The variables whose value came from the project's `.env` (the environment did not
    /// override them); hovers say where a value came from.
    pub dotenv: rustc_hash::FxHashSet<String>,
    /// The line of `.env` that set each of those (messages say `.env:2`).
    pub dotenv_lines: rustc_hash::FxHashMap<String, usize>,
    /// Rule levels from the editor and `portside.toml`.
    pub rules: crate::config::RuleSettings,
    /// Names defined by the project's other files.
    pub external: crate::model::compose::External,
    /// A Dockerfile's build context `package.json` (for `npm run dev` and the like).
    pub package: Option<crate::finding::OtherFile>,
    /// The other files the workspace layer read for this context (to re-analyse this file
    /// when one of them changes).
    pub deps: Vec<std::path::PathBuf>,
    /// The analysed text's tree, when the workspace layer parsed it already.
    pub parsed: Option<Parsed>,
}

/// Analysis without context: no variables are set.
pub fn analyze(kind: FileKind, text: &str) -> Analysis {
    analyze_with(kind, text, &Context::default())
}

pub fn analyze_with(kind: FileKind, text: &str, ctx: &Context) -> Analysis {
    if text.len() > MAX_INPUT_BYTES {
        let finding = Finding::new(
            &rules::INPUT_TOO_LARGE,
            0..0,
            format!(
                "This file is {:.1} MiB; portside analyses files up to {} MiB, so it was skipped",
                text.len() as f64 / (1024.0 * 1024.0),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        );
        return Analysis {
            findings: vec![finding],
            yaml: None,
        };
    }
    let mut analysis = match kind {
        FileKind::Compose => compose(text, ctx),
        FileKind::Dockerfile => dockerfile(text, ctx),
        FileKind::DaemonJson => daemon_json(text, ctx),
        FileKind::Config => Analysis {
            findings: settings_toml(text),
            yaml: None,
        },
        // Read by the Compose files beside it, never analysed itself.
        FileKind::Env | FileKind::Read => Analysis::default(),
    };
    if matches!(kind, FileKind::Compose | FileKind::Dockerfile) {
        crate::suppress::apply(text, &mut analysis.findings);
    }
    // Problems with the settings themselves are never silenced by them.
    if kind != FileKind::Config {
        ctx.rules.apply(&mut analysis.findings);
    }
    analysis
        .findings
        .sort_by_key(|f| (f.range.start, f.range.end));
    // The same anchored value used by several services is one problem at one place.
    analysis
        .findings
        .dedup_by(|a, b| a.range == b.range && a.rule == b.rule && a.message == b.message);
    analysis
}

/// The findings of a `portside.toml`: its problems as `invalid-setting`.
fn settings_toml(text: &str) -> Vec<Finding> {
    crate::config::RuleSettings::from_toml(text, rules::known())
        .1
        .into_iter()
        .map(|p| Finding::new(&rules::INVALID_SETTING, p.range, p.message))
        .collect()
}

fn compose(text: &str, ctx: &Context) -> Analysis {
    let yaml = match &ctx.parsed {
        Some(p) if *p.text == *text => std::sync::Arc::clone(&p.yaml),
        _ => std::sync::Arc::new(Yaml::parse(text)),
    };
    if let Some(err) = &yaml.error {
        let finding = Finding::new(
            &rules::SYNTAX_ERROR,
            err.range.clone(),
            format!("YAML syntax error: {}", err.message),
        );
        return Analysis {
            findings: vec![finding],
            yaml: None,
        };
    }
    let mut findings = Vec::new();
    for dup in &yaml.duplicate_keys {
        let key = yaml.scalar(dup.duplicate).unwrap_or_default();
        let first = yaml.node(dup.first).span.clone();
        findings.push(
            Finding::new(
                &rules::DUPLICATE_KEY,
                yaml.node(dup.duplicate).span.clone(),
                format!("Compose rejects this file: mapping key \"{key}\" already defined"),
            )
            .with_related(first, format!("\"{key}\" is first defined here")),
        );
    }
    // Each Dockerfile is modelled once per analysis, not once per rule that reads it: the
    // workspace layer did it (and keeps it across analyses); a hand-built context is
    // completed here.
    let filled;
    let external = if ctx.external.dockerfiles.iter().any(|d| d.model.is_none()) {
        let mut e = ctx.external.clone();
        let project = Project::build(text, &yaml, &ctx.vars);
        for d in &mut e.dockerfiles {
            if d.model.is_none() {
                let args = project
                    .service(&d.service)
                    .and_then(|s| s.build.as_ref())
                    .map_or(&[][..], |b| b.args.as_slice());
                d.model = Some(std::sync::Arc::new(
                    crate::model::dockerfile::Dockerfile::read_with(&d.file.text, args),
                ));
            }
        }
        filled = e;
        &filled
    } else {
        &ctx.external
    };
    let inputs = crate::model::compose::Inputs {
        vars: &ctx.vars,
        external,
        host: &ctx.rules.host,
        dotenv: &ctx.dotenv,
        dotenv_lines: &ctx.dotenv_lines,
    };
    let project = Project::build_from(text, &yaml, inputs, &|_| true);
    rules::check_compose(&project, &ctx.rules, &mut findings);
    drop(project);
    Analysis {
        findings,
        yaml: Some(yaml),
    }
}

fn dockerfile(text: &str, ctx: &Context) -> Analysis {
    let parsed = DockerfileSyntax::parse(text);
    let mut findings: Vec<Finding> = parsed
        .errors
        .iter()
        .map(|e| {
            Finding::new(
                &rules::SYNTAX_ERROR,
                e.range.clone(),
                format!("Dockerfile syntax error: {}", e.message),
            )
        })
        .collect();
    // The recovered text keeps every offset, so spans apply to the original.
    if let Some(df) =
        crate::model::dockerfile::Dockerfile::from_syntax(&parsed, &[], ctx.package.clone())
    {
        for rule in rules::enabled(&ctx.rules) {
            for check in rule.checks.dockerfile {
                check(text, &df, &mut findings);
            }
        }
    }
    Analysis {
        findings,
        yaml: None,
    }
}

fn daemon_json(text: &str, ctx: &Context) -> Analysis {
    let json = Json::parse(text);
    let mut findings = Vec::new();
    if let Some(err) = &json.error {
        findings.push(Finding::new(
            &rules::SYNTAX_ERROR,
            err.range.clone(),
            format!(
                "dockerd will not start with this daemon.json: {}",
                err.message
            ),
        ));
    }
    if let Some(root) = &json.root
        && let Some(daemon) = crate::model::daemon::Daemon::read_on(root, &ctx.rules.host)
    {
        for check in rules::enabled(&ctx.rules).flat_map(|r| r.checks.daemon) {
            check(text, &daemon, &mut findings);
        }
    }
    for dup in &json.duplicate_keys {
        findings.push(
            Finding::new(
                &rules::DUPLICATE_KEY,
                dup.duplicate.clone(),
                format!(
                    "\"{}\" is set twice; dockerd keeps this value and ignores the first",
                    dup.key
                ),
            )
            .with_severity(Severity::Warning)
            .with_related(dup.first.clone(), "the ignored value"),
        );
    }
    Analysis {
        findings,
        yaml: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(kind: FileKind, text: &str) -> Vec<&'static str> {
        analyze(kind, text)
            .findings
            .iter()
            .map(|f| f.code())
            .collect()
    }

    #[test]
    fn compose_syntax_error_is_the_only_finding() {
        let text = "services:\n  web:\n    ports: [\"80:99999\"]\n  db\n    image: x\n";
        assert_eq!(codes(FileKind::Compose, text), ["syntax-error"]);
        assert!(analyze(FileKind::Compose, text).yaml.is_none());
    }

    #[test]
    fn compose_duplicate_key_points_back() {
        let text = "services:\n  web:\n    ports: []\n    ports: []\n";
        let a = analyze(FileKind::Compose, text);
        assert_eq!(a.findings.len(), 1);
        let f = &a.findings[0];
        assert_eq!(f.code(), "duplicate-key");
        assert_eq!(f.range.start, text.rfind("ports").unwrap());
        assert_eq!(f.related[0].range.start, text.find("ports").unwrap());
    }

    #[test]
    fn anchored_port_used_twice_is_reported_once() {
        let text = "x-p: &p [\"80:99999\"]\nservices:\n  a: {ports: *p}\n  b: {ports: *p}\n";
        assert_eq!(codes(FileKind::Compose, text), ["invalid-port-spec"]);
    }

    #[test]
    fn daemon_json() {
        assert_eq!(codes(FileKind::DaemonJson, "{\"a\": 1,}"), ["syntax-error"]);
        let a = analyze(FileKind::DaemonJson, "{\"debug\": true, \"debug\": false}");
        assert_eq!(a.findings[0].severity, Severity::Warning);
    }

    #[test]
    fn dockerfile_errors() {
        assert_eq!(
            codes(FileKind::Dockerfile, "FROM a\nRU x\n"),
            ["syntax-error"]
        );
        assert!(codes(FileKind::Dockerfile, "FROM a\nEXPOSE 80\n").is_empty());
    }

    #[test]
    fn huge_input_is_refused_quickly() {
        let text = "#".repeat(MAX_INPUT_BYTES + 1);
        let start = std::time::Instant::now();
        assert_eq!(codes(FileKind::Compose, &text), ["input-too-large"]);
        assert!(start.elapsed().as_secs() < 5);
    }
}
