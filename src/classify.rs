//! Which kind of file a path or an editor document is, from its file name and the
//! editor's languageId. Anything else is ignored quietly.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Compose,
    Dockerfile,
    DaemonJson,
    /// `portside.toml`, portside's own settings.
    Config,
    /// A `.env` open in the editor: not analysed, but its unsaved text is what the Compose
    /// files beside it interpolate with (only editor documents have this kind; `portside
    /// check` reads `.env` files as the context of Compose files).
    Env,
    /// A file that an open document's analysis reads and portside does not analyse itself:
    /// a config file a Compose service mounts (`redis.conf`, `nginx.conf`, `Caddyfile`).
    /// Its unsaved text is what that analysis reads, each edit re-analyses it, and the
    /// findings that point into the file are published on it (only editor documents have
    /// this kind, given when it is opened while a document that reads it is open).
    Read,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Compose => "compose",
            FileKind::Dockerfile => "dockerfile",
            FileKind::DaemonJson => "daemon.json",
            FileKind::Config => "portside.toml",
            FileKind::Env => ".env",
            FileKind::Read => "read by an open document",
        }
    }
}

/// Classifies by file name alone (what `portside check` does).
pub fn by_name(file_name: &str) -> Option<FileKind> {
    let lower = file_name.to_ascii_lowercase();
    if is_compose_name(&lower) {
        Some(FileKind::Compose)
    } else if is_dockerfile_name(file_name, &lower) {
        Some(FileKind::Dockerfile)
    } else if lower == "daemon.json" {
        Some(FileKind::DaemonJson)
    } else if lower == "portside.toml" {
        Some(FileKind::Config)
    } else {
        None
    }
}

/// Classifies an editor document: the file name decides when it is known; the languageId
/// decides for documents Docker's and lspconfig's conventions mark (`dockercompose`,
/// `yaml.docker-compose`, `dockerfile`) whatever their name. A JSON document counts only
/// when it is named `daemon.json`.
pub fn by_document(path: &Path, language_id: &str) -> Option<FileKind> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name == ".env" {
        return Some(FileKind::Env);
    }
    match language_id {
        "dockercompose" | "yaml.docker-compose" => return Some(FileKind::Compose),
        "dockerfile" => return Some(FileKind::Dockerfile),
        _ => {}
    }
    let kind = by_name(name)?;
    let agrees = match kind {
        FileKind::Compose => matches!(language_id, "yaml" | ""),
        FileKind::Dockerfile => matches!(language_id, "" | "plaintext"),
        FileKind::DaemonJson => matches!(language_id, "json" | "jsonc" | ""),
        FileKind::Config => matches!(language_id, "toml" | ""),
        FileKind::Env | FileKind::Read => true,
    };
    agrees.then_some(kind)
}

fn is_compose_name(lower: &str) -> bool {
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
    else {
        return false;
    };
    // compose.yaml, docker-compose.yml, compose.override.yaml, docker-compose.prod.yml,
    // docker-compose-dev.yml, compose-ci.yaml, docker-compose_test.yml, and the
    // `<name>.compose.yaml` / `<name>-docker-compose.yml` styles.
    let after = |prefix: &str| {
        stem.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '-', '_']))
    };
    after("compose")
        || after("docker-compose")
        || stem.ends_with(".compose")
        || stem.ends_with(".docker-compose")
        || stem.ends_with("-docker-compose")
        || stem.ends_with("_docker-compose")
}

/// A YAML file in a folder named `docker-compose/` (a common home for a project's Compose
/// files) that has a top-level `services:` key: Compose too, though its name says nothing.
pub fn in_compose_folder(path: &Path, text: &str) -> bool {
    let yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.eq_ignore_ascii_case("docker-compose"));
    yaml && folder && text.lines().any(|l| l.trim_end() == "services:")
}

fn is_dockerfile_name(name: &str, lower: &str) -> bool {
    lower == "dockerfile"
        || lower == "containerfile"
        || name.starts_with("Dockerfile.")
        || name.starts_with("Containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

#[cfg(test)]
mod tests {
    use super::*;
    use FileKind::*;

    #[test]
    fn names() {
        for n in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yaml",
            "docker-compose.yml",
            "compose.override.yaml",
            "docker-compose.override.yml",
            "docker-compose.prod.yml",
            "web.compose.yaml",
            "Compose.YAML",
            "docker-compose-dev.yml",
            "docker-compose-v4.yml",
            "docker-compose_test.yaml",
            "compose-ci.yaml",
            "compose-dev.yml",
            "prod.docker-compose.yml",
            "local-docker-compose.yml",
        ] {
            assert_eq!(by_name(n), Some(Compose), "{n}");
        }
        for n in [
            "Dockerfile",
            "dockerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "api.dockerfile",
            "Containerfile",
        ] {
            assert_eq!(by_name(n), Some(Dockerfile), "{n}");
        }
        assert_eq!(by_name("daemon.json"), Some(DaemonJson));
        assert_eq!(by_name("portside.toml"), Some(Config));
        for n in [
            "config.yaml",
            "composer.json",
            "package.json",
            "Dockerfile2",
            "mycompose.yaml",
            "README.md",
            "composer.yaml",
            "composes.yml",
            "docker-composer.yml",
        ] {
            assert_eq!(by_name(n), None, "{n}");
        }
    }

    #[test]
    fn compose_folder() {
        let p = Path::new("deploy/docker-compose/monitoring.yml");
        assert!(in_compose_folder(p, "services:\n  a:\n    image: x\n"));
        assert!(!in_compose_folder(p, "scrape_configs:\n  - job_name: x\n"));
        let p = Path::new("deploy/config/monitoring.yml");
        assert!(!in_compose_folder(p, "services:\n  a:\n    image: x\n"));
    }

    #[test]
    fn documents() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(
            by_document(&p("/x/stack.yml"), "dockercompose"),
            Some(Compose)
        );
        assert_eq!(
            by_document(&p("/x/stack.yml"), "yaml.docker-compose"),
            Some(Compose)
        );
        assert_eq!(by_document(&p("/x/compose.yaml"), "yaml"), Some(Compose));
        assert_eq!(by_document(&p("/x/config.yaml"), "yaml"), None);
        assert_eq!(
            by_document(&p("/x/build.df"), "dockerfile"),
            Some(Dockerfile)
        );
        assert_eq!(
            by_document(&p("/etc/docker/daemon.json"), "json"),
            Some(DaemonJson)
        );
        assert_eq!(
            by_document(&p("/etc/docker/daemon.json"), "jsonc"),
            Some(DaemonJson)
        );
        assert_eq!(by_document(&p("/x/settings.json"), "json"), None);
        assert_eq!(by_document(&p("/x/compose.yaml"), "python"), None);
    }
}
