//! The workspace layer: reads what analysis may use besides the file itself, so analysis
//! stays pure: the variables for interpolation (the `.env` beside the file, under the
//! environment) and the rule settings (the editor's, under the nearest `portside.toml`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analysis::Context;
use crate::compose::dotenv;
use crate::config::RuleSettings;

/// The context for a file, with the environment portside runs in.
pub fn context_for(path: &Path, editor: &RuleSettings) -> Context {
    let environment: HashMap<String, String> = std::env::vars().collect();
    context_with(path, environment, editor)
}

/// As [`context_for`], with an explicit environment (for tests).
pub fn context_with(
    path: &Path,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
) -> Context {
    let mut vars = HashMap::new();
    if let Some(dir) = path.parent()
        && let Ok(text) = std::fs::read_to_string(dir.join(".env"))
    {
        let (from_file, _errors) = dotenv::parse(&text, &environment);
        vars = from_file;
    }
    vars.extend(environment);
    // The project's file wins over the editor: it is what the whole team shares. Its
    // problems are reported on portside.toml itself; the valid settings still apply.
    let rules = match find_config(path).and_then(|p| std::fs::read_to_string(p).ok()) {
        Some(text) => editor.overridden_by(&RuleSettings::from_toml(&text).0),
        None => editor.clone(),
    };
    Context { vars, rules }
}

/// The nearest `portside.toml` in the file's folder or above.
pub fn find_config(path: &Path) -> Option<PathBuf> {
    let mut dir = path.parent()?;
    loop {
        let candidate = dir.join("portside.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = dir.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("portside-ws-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn dotenv_beside_the_file_and_the_environment_wins() {
        let dir = temp("env");
        std::fs::write(dir.join(".env"), "PORT=8000\nHOST_IP=127.0.0.1\n").unwrap();
        let env = HashMap::from([("PORT".to_string(), "9000".to_string())]);
        let ctx = context_with(&dir.join("compose.yaml"), env, &RuleSettings::default());
        assert_eq!(ctx.vars["PORT"], "9000");
        assert_eq!(ctx.vars["HOST_IP"], "127.0.0.1");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn portside_toml_upward_overrides_the_editor() {
        let dir = temp("cfg");
        let sub = dir.join("deploy/prod");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            dir.join("portside.toml"),
            "[rules]\ncontainer-port-only = \"off\"\nnope = \"off\"\n",
        )
        .unwrap();
        assert_eq!(
            find_config(&sub.join("compose.yaml")),
            Some(dir.join("portside.toml"))
        );
        let editor = RuleSettings::from_json(
            &serde_json::json!({"rules": {"container-port-only": "error", "links-legacy": "off"}}),
        )
        .0;
        let ctx = context_with(&sub.join("compose.yaml"), HashMap::new(), &editor);
        let mut findings = crate::analysis::analyze_with(
            crate::classify::FileKind::Compose,
            "services:\n  a:\n    ports: [\"8080\"]\n    links: [b]\n  b: {}\n",
            &ctx,
        )
        .findings;
        findings.retain(|f| f.code() != "no-shared-network");
        assert!(findings.is_empty(), "{findings:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
