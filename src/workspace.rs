//! The workspace layer: reads what analysis may use besides the file itself, so analysis
//! stays pure: the variables for interpolation (the `.env` beside the file, under the
//! environment), the rule settings (the editor's, under the nearest `portside.toml`) and
//! the names the project's other Compose files define (the base or override file beside
//! it, `include:` and `extends: file:`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analysis::Context;
use crate::classify::{self, FileKind};
use crate::compose::{External, Project, dotenv};
use crate::config::RuleSettings;
use crate::syntax::yaml::Yaml;

/// Reads a file's text: the editor's unsaved text when it has one, else the disk.
pub type Reader<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// How many other files one project may pull in (include chains, extends).
const MAX_RELATED_FILES: usize = 32;

/// Compose's default file names, and their override files.
const BASE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];
const OVERRIDE_NAMES: &[&str] = &[
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

fn disk(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// The context for a file whose text is `text`, with the environment portside runs in,
/// reading other files from disk.
pub fn context_for(path: &Path, text: &str, editor: &RuleSettings) -> Context {
    context_reading(path, text, editor, &disk)
}

/// As [`context_for`], reading the project's other files through `read` (the server passes
/// the editor's unsaved texts).
pub fn context_reading(
    path: &Path,
    text: &str,
    editor: &RuleSettings,
    read: Reader<'_>,
) -> Context {
    let environment: HashMap<String, String> = std::env::vars().collect();
    context_in(path, text, environment, editor, read)
}

/// The full context with an explicit environment (deterministic, for tests and the corpus
/// check).
pub fn context_in(
    path: &Path,
    text: &str,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
    read: Reader<'_>,
) -> Context {
    let mut ctx = context_with(path, environment, editor);
    let yaml_file = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && (classify::by_name(name) == Some(FileKind::Compose) || yaml_file)
    {
        let (mut external, mut deps) = related(path, text, &ctx.vars, read);
        for d in dockerfiles(path, text, &ctx.vars, read) {
            deps.push(d.file.path.clone());
            external.dockerfiles.push(d);
        }
        if let Some(daemon) = daemon_ranges(path, read) {
            deps.push(daemon.file.path.clone());
            external.daemon = Some(daemon);
        }
        if let Some(dir) = path.parent() {
            deps.push(dir.join(".env"));
            if read(&dir.join(".env")).is_none() {
                external.env_template = ENV_TEMPLATES
                    .iter()
                    .find(|name| read(&dir.join(name)).is_some())
                    .map(|name| name.to_string());
            }
        }
        ctx.external = external;
        ctx.deps = deps;
    } else if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && classify::by_name(name) == Some(FileKind::Dockerfile)
        && let Some(dir) = path.parent()
    {
        // The build context is usually the Dockerfile's folder.
        ctx.package = package_json(dir, read);
        ctx.deps.push(dir.join("package.json"));
    }
    ctx
}

/// Names of env templates that projects ship for users to copy to `.env`.
const ENV_TEMPLATES: &[&str] = &[
    ".env.example",
    "env.example",
    ".env.sample",
    ".env.dist",
    ".env.template",
    ".env.default",
    "example.env",
    "sample.env",
];

/// The `package.json` in `dir`, when it is there and small enough to read.
fn package_json(dir: &Path, read: Reader<'_>) -> Option<crate::finding::OtherFile> {
    let path = dir.join("package.json");
    let text = read(&path).filter(|t| t.len() <= 1024 * 1024)?;
    Some(crate::finding::OtherFile {
        path,
        text: text.into(),
    })
}

/// As [`context_for`] without the other files, with an explicit environment (for tests).
pub fn context_with(
    path: &Path,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
) -> Context {
    let mut vars = HashMap::new();
    let mut dotenv_lines = rustc_hash::FxHashMap::default();
    if let Some(dir) = path.parent()
        && let Ok(text) = std::fs::read_to_string(dir.join(".env"))
    {
        let (from_file, lines, _errors) = dotenv::parse_with_lines(&text, &environment);
        vars = from_file;
        dotenv_lines.extend(lines);
    }
    let dotenv = vars
        .keys()
        .filter(|k| !environment.contains_key(*k))
        .cloned()
        .collect();
    vars.extend(environment);
    // The project's file wins over the editor: it is what the whole team shares. Its
    // problems are reported on portside.toml itself; the valid settings still apply.
    let rules = match find_config(path).and_then(|p| std::fs::read_to_string(p).ok()) {
        Some(text) => editor.overridden_by(&RuleSettings::from_toml(&text).0),
        None => editor.clone(),
    };
    let mut rules = rules;
    // A rootless daemon's limit is the host's sysctl, unless the settings give it.
    if rules.host.rootless == Some(true) && rules.host.unprivileged_port_start.is_none() {
        rules.host.unprivileged_port_start =
            std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
                .ok()
                .and_then(|s| s.trim().parse().ok());
    }
    Context {
        vars,
        dotenv,
        dotenv_lines,
        rules,
        ..Context::default()
    }
}

/// The project's other Compose files and the names they define.
fn related(
    path: &Path,
    own: &str,
    vars: &crate::compose::Vars,
    read: Reader<'_>,
) -> (External, Vec<PathBuf>) {
    let mut external = External::default();
    let mut seen: Vec<PathBuf> = vec![path.to_path_buf()];
    let sibling_files = siblings(path);
    let is_base = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| BASE_NAMES.contains(&n));
    // Files reached only through `extends: file:` lend one service to another; their
    // other services are not part of the project.
    let mut extends_only: Vec<PathBuf> = extends_paths(path, own);
    let mut queue: Vec<PathBuf> = sibling_files.clone();
    // `docker-compose.prod.yml` and the like are usually run on top of the base file
    // beside them (`-f docker-compose.yml -f docker-compose.prod.yml`): its names count,
    // but not as a merge partner (the pairing is the user's choice, not Compose's).
    let variant_bases = variant_bases(path, read);
    queue.extend(variant_bases.iter().cloned());
    extends_only.extend(variant_bases.iter().cloned());
    external.base_missing = looks_like_override(path)
        && variant_bases.is_empty()
        && !sibling_files.iter().any(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| BASE_NAMES.contains(&n))
        });
    queue.extend(references(path, own));
    // A base file and the variant files beside it are often layered (`-f compose.yaml
    // -f compose.observability.yaml -f compose.agent.yaml`): the host names the variants
    // define may resolve, which the rules say as less.
    if (is_base || !variant_bases.is_empty())
        && let Some(dir) = path.parent()
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        let mut others: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p != path && looks_like_override(p) && p.parent() == Some(dir))
            .take(32)
            .collect();
        others.sort();
        for other in others {
            let Some(text) = read(&other).filter(|t| t.len() <= crate::analysis::MAX_INPUT_BYTES)
            else {
                continue;
            };
            let yaml = Yaml::parse(&text);
            let mut names = External::default();
            names.absorb(&Project::build(&text, &yaml, vars));
            external.variant_hosts.extend(names.hosts);
        }
    }
    // The files that include this one (`include: [common/db.yaml]`) share its names.
    // A file that extends this one's services brings them into its own project, where its
    // top-level `networks` (and services) are the ones they are checked against.
    for includer in includers(path, read) {
        if sibling_files.contains(&includer.path) {
            continue;
        }
        if includer.namespace {
            queue.push(includer.path);
            continue;
        }
        // Only its names: its ports and the files it pulls in are not this file's project.
        if let Some(text) =
            read(&includer.path).filter(|t| t.len() <= crate::analysis::MAX_INPUT_BYTES)
        {
            let yaml = Yaml::parse(&text);
            external.absorb(&Project::build(&text, &yaml, vars));
        }
    }
    // What each `extends: file:` of this file defines, for the extends check.
    if let Some(dir) = path.parent() {
        for written in extends_files(own) {
            let services = read(&dir.join(&written)).map(|text| {
                let yaml = Yaml::parse(&text);
                let project = Project::build(&text, &yaml, vars);
                project
                    .services
                    .iter()
                    .map(|s| s.name.to_string())
                    .collect()
            });
            external.extends_files.insert(written, services);
        }
    }
    while let Some(next) = queue.pop() {
        if seen.contains(&next) || seen.len() > MAX_RELATED_FILES {
            continue;
        }
        seen.push(next.clone());
        let Some(text) = read(&next) else { continue };
        if text.len() > crate::analysis::MAX_INPUT_BYTES {
            continue;
        }
        let yaml = Yaml::parse(&text);
        let project = Project::build(&text, &yaml, vars);
        external.absorb(&project);
        if !extends_only.contains(&next) {
            let after = sibling_files.contains(&next).then_some(is_base);
            let file = crate::finding::OtherFile {
                path: next.clone(),
                text: text.as_str().into(),
            };
            external
                .other_services
                .extend(crate::compose::OtherService::of_project(
                    &project, &file, after,
                ));
        }
        extends_only.extend(extends_paths(&next, &text));
        queue.extend(references(&next, &text));
    }
    seen.remove(0);
    (external, seen)
}

/// A Compose file named as an override or a variant of a base file:
/// `compose.override.yaml`, `docker-compose.prod.yml`, `docker-compose-dev.yml`.
fn looks_like_override(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    if BASE_NAMES.contains(&lower.as_str()) || classify::by_name(&lower) != Some(FileKind::Compose)
    {
        return false;
    }
    [
        "compose.",
        "compose-",
        "docker-compose.",
        "docker-compose-",
        "docker-compose_",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// For a variant such as `docker-compose.prod.yml` (not Compose's own override names), the
/// base files beside it.
fn variant_bases(path: &Path, read: Reader<'_>) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    if !looks_like_override(path) || OVERRIDE_NAMES.contains(&name) {
        return Vec::new();
    }
    BASE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| read(p).is_some())
        .collect()
}

/// The base file for an override file, and the override files for a base file, in the
/// same folder.
fn siblings(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let others: &[&str] = if BASE_NAMES.contains(&name) {
        OVERRIDE_NAMES
    } else if OVERRIDE_NAMES.contains(&name) {
        BASE_NAMES
    } else {
        return Vec::new();
    };
    others
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| p.is_file())
        .collect()
}

/// The Dockerfiles of the services with `build:` (context, `dockerfile`), read through
/// `read`. Files that do not mention `build:` are not parsed again.
fn dockerfiles(
    path: &Path,
    text: &str,
    vars: &crate::compose::Vars,
    read: Reader<'_>,
) -> Vec<crate::compose::ServiceDockerfile> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    if text.len() > crate::analysis::MAX_INPUT_BYTES
        || memchr::memmem::find(text.as_bytes(), b"build:").is_none()
    {
        return Vec::new();
    }
    let yaml = Yaml::parse(text);
    let project = Project::build(text, &yaml, vars);
    let mut out = Vec::new();
    for s in &project.services {
        let Some(build) = &s.build else { continue };
        let context = build.context.as_ref().map_or(".", |c| c.value.as_ref());
        if !is_local(context) && context != "." {
            continue;
        }
        let name = build
            .dockerfile
            .as_ref()
            .map_or("Dockerfile", |d| d.value.as_ref());
        if !is_local(name) {
            continue;
        }
        let base = if context == "." {
            dir.to_path_buf()
        } else {
            dir.join(context)
        };
        let file = base.join(name);
        if let Some(text) = read(&file) {
            out.push(crate::compose::ServiceDockerfile {
                service: s.name.to_string(),
                file: crate::finding::OtherFile {
                    path: file,
                    text: text.into(),
                },
                package: package_json(&base, read),
            });
        }
    }
    out
}

/// The system's daemon.json, used when none is found beside the project.
const SYSTEM_DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// The daemon.json nearest above a Compose file (a repository often keeps one), else the
/// system's; its `bip` and `default-address-pools`.
fn daemon_ranges(path: &Path, read: Reader<'_>) -> Option<crate::compose::DaemonRanges> {
    use crate::syntax::json::{Json, JsonKind};
    let mut candidates: Vec<PathBuf> = path
        .ancestors()
        .skip(1)
        .map(|d| d.join("daemon.json"))
        .collect();
    candidates.push(PathBuf::from(SYSTEM_DAEMON_JSON));
    let (file, text) = candidates
        .into_iter()
        .find_map(|p| read(&p).map(|t| (p, t)))?;
    let json = Json::parse(&text);
    let root = json.root.as_ref()?;
    let daemon = crate::daemon::Daemon::read(root)?;
    let bip = daemon
        .str("bip")
        .and_then(|(s, e)| Some((crate::daemon::cidr(s)?.trunc(), e.value.span.clone())));
    let mut pools = Vec::new();
    if let Some(e) = daemon.get("default-address-pools")
        && let JsonKind::Array(items) = &e.value.kind
    {
        for item in items {
            if let JsonKind::Object(props) = &item.kind
                && let Some(base) = props.iter().find(|p| p.key == "base")
                && let JsonKind::String(b) = &base.value.kind
                && let Some(net) = crate::daemon::cidr(b)
            {
                pools.push((net.trunc(), base.value.span.clone()));
            }
        }
    }
    Some(crate::compose::DaemonRanges {
        file: crate::finding::OtherFile {
            path: file,
            text: text.into(),
        },
        bip,
        pools,
    })
}

/// The `extends: file:` values of a Compose file, as written.
fn extends_files(text: &str) -> Vec<String> {
    if memchr::memmem::find(text.as_bytes(), b"extends:").is_none()
        || text.len() > crate::analysis::MAX_INPUT_BYTES
    {
        return Vec::new();
    }
    let yaml = Yaml::parse(text);
    let Some(root) = yaml
        .documents
        .iter()
        .filter_map(|d| d.root)
        .find(|&r| yaml.is_mapping(r))
    else {
        return Vec::new();
    };
    let Some(services) = yaml.get(root, "services") else {
        return Vec::new();
    };
    yaml.entries(services.value)
        .iter()
        .filter_map(|s| {
            let extends = yaml.get(s.value, "extends")?;
            let file = yaml.get(extends.value, "file")?;
            yaml.scalar(file.value)
                .filter(|f| is_local(f))
                .map(str::to_string)
        })
        .collect()
}

/// How many folders above a file are searched for the Compose files that include it.
const INCLUDER_DEPTH: usize = 3;

/// A Compose file that names another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Includer {
    pub path: PathBuf,
    /// It includes the file (or is its override/base partner): one namespace. `false`
    /// when it only extends a service of it.
    pub namespace: bool,
    /// The other files it names.
    pub names: Vec<PathBuf>,
}

/// The Compose files in the folder of `path` and the folders above that include, extend or
/// override it, read through `read`.
pub fn includers(path: &Path, read: Reader<'_>) -> Vec<Includer> {
    let mut out = Vec::new();
    for dir in path.ancestors().skip(1).take(INCLUDER_DEPTH) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut candidates: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| classify::by_name(n) == Some(FileKind::Compose))
            })
            .map(|e| e.path())
            .take(64)
            .collect();
        candidates.sort();
        for candidate in candidates {
            if candidate == path {
                continue;
            }
            let Some(text) =
                read(&candidate).filter(|t| t.len() <= crate::analysis::MAX_INPUT_BYTES)
            else {
                continue;
            };
            let names = related_paths(&candidate, &text);
            if !names.iter().any(|n| same_file(n, path)) {
                continue;
            }
            let namespace = namespace_paths(&candidate, &text)
                .iter()
                .any(|n| same_file(n, path));
            out.push(Includer {
                path: candidate,
                namespace,
                names,
            });
        }
    }
    out
}

/// Whether two paths name the same file (`a/../b` and `b` do).
pub fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// The Compose files that a Compose file at `path` brings into its project: its override
/// or base partner, `include:` and `extends: file:`.
pub fn related_paths(path: &Path, text: &str) -> Vec<PathBuf> {
    let mut out = siblings(path);
    out.extend(references(path, text));
    out
}

/// The Compose files that share a namespace with the file at `path` (its override or base
/// partner and `include:`), unlike `extends: file:`, which lends one service.
pub fn namespace_paths(path: &Path, text: &str) -> Vec<PathBuf> {
    let extended = extends_paths(path, text);
    related_paths(path, text)
        .into_iter()
        .filter(|p| !extended.contains(p))
        .collect()
}

/// The files a Compose file's services extend, as paths.
fn extends_paths(path: &Path, text: &str) -> Vec<PathBuf> {
    match path.parent() {
        Some(dir) if memchr::memmem::find(text.as_bytes(), b"extends:").is_some() => {
            extends_files(text).iter().map(|f| dir.join(f)).collect()
        }
        _ => Vec::new(),
    }
}

/// Files that a Compose file names in `include:` and `extends: file:`, relative to it.
/// Most files have neither: a substring scan decides before any parsing.
fn references(path: &Path, text: &str) -> Vec<PathBuf> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let mentions = |key: &[u8]| memchr::memmem::find(text.as_bytes(), key).is_some();
    if text.len() > crate::analysis::MAX_INPUT_BYTES
        || !(mentions(b"include:") || mentions(b"extends:"))
    {
        return Vec::new();
    }
    let yaml = Yaml::parse(text);
    let Some(root) = yaml
        .documents
        .iter()
        .filter_map(|d| d.root)
        .find(|&r| yaml.is_mapping(r))
    else {
        return Vec::new();
    };
    let mut names: Vec<&str> = Vec::new();
    if let Some(include) = yaml.get(root, "include") {
        for &item in yaml.items(include.value).unwrap_or_default() {
            match yaml.scalar(item) {
                Some(p) => names.push(p),
                None => {
                    if let Some(p) = yaml.get(item, "path") {
                        match yaml.items(p.value) {
                            Some(list) => names.extend(list.iter().filter_map(|&i| yaml.scalar(i))),
                            None => names.extend(yaml.scalar(p.value)),
                        }
                    }
                }
            }
        }
    }
    if let Some(services) = yaml.get(root, "services") {
        for s in yaml.entries(services.value) {
            if let Some(extends) = yaml.get(s.value, "extends")
                && let Some(file) = yaml.get(extends.value, "file")
            {
                names.extend(yaml.scalar(file.value));
            }
        }
    }
    names
        .into_iter()
        .filter(|n| is_local(n))
        .map(|n| dir.join(n))
        .collect()
}

/// A plain local path: no variables, and no remote reference (`oci://…`, `git@…:…`, or
/// compose-go's `remote:` style loaders).
fn is_local(path: &str) -> bool {
    let scheme = path
        .split_once(':')
        .is_some_and(|(head, _)| head.len() > 1 && !head.contains('/'));
    !path.contains('$') && !path.contains("://") && !path.contains('@') && !scheme
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
        assert_eq!(ctx.dotenv_lines.get("HOST_IP"), Some(&2));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// `docker-compose.prod.yml` is run on top of the base file beside it: the base's names
    /// count. Without a base, the file says it is an override portside cannot complete.
    #[test]
    fn a_variant_file_sees_the_base_names_or_says_its_base_is_missing() {
        let dir = temp("variant");
        let prod = dir.join("docker-compose.prod.yml");
        let text = "services:\n  web:\n    image: app\n    depends_on: [db]\n";
        std::fs::write(&prod, text).unwrap();
        let ctx = context_for(&prod, text, &RuleSettings::default());
        assert!(ctx.external.base_missing);
        std::fs::write(
            dir.join("docker-compose.yml"),
            "services:\n  db:\n    image: postgres\n",
        )
        .unwrap();
        let ctx = context_for(&prod, text, &RuleSettings::default());
        assert!(!ctx.external.base_missing);
        assert!(ctx.external.services.contains("db"));
        // Names only: the variant is not merged port by port with the base.
        assert!(ctx.external.other_services.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_env_template_counts_only_without_a_dotenv() {
        let dir = temp("template");
        let compose = dir.join("compose.yaml");
        let text = "services:\n  web:\n    ports: [\"${WEB_PORT}:80\"]\n";
        std::fs::write(&compose, text).unwrap();
        std::fs::write(dir.join(".env.example"), "WEB_PORT=8080\n").unwrap();
        let ctx = context_for(&compose, text, &RuleSettings::default());
        assert_eq!(ctx.external.env_template.as_deref(), Some(".env.example"));
        std::fs::write(dir.join(".env"), "WEB_PORT=8080\n").unwrap();
        let ctx = context_for(&compose, text, &RuleSettings::default());
        assert_eq!(ctx.external.env_template, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_from_the_override_file_include_and_extends() {
        let dir = temp("related");
        std::fs::create_dir_all(dir.join("shared")).unwrap();
        std::fs::write(
            dir.join("compose.yaml"),
            "include:\n  - shared/db.yaml\nservices:\n  web:\n    networks: [edge]\n    depends_on: [db, worker]\n    extends:\n      file: base.yaml\n      service: common\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("compose.override.yaml"),
            "services:\n  worker:\n    image: w\nnetworks:\n  edge: {}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("shared/db.yaml"),
            "services:\n  db:\n    image: postgres\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("base.yaml"),
            "services:\n  common:\n    hostname: shared-host\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(dir.join("compose.yaml")).unwrap();
        let ctx = context_for(&dir.join("compose.yaml"), &text, &RuleSettings::default());
        assert!(ctx.external.networks.contains("edge"));
        assert!(ctx.external.services.contains("db"));
        assert!(ctx.external.services.contains("worker"));
        assert!(ctx.external.hosts.contains("shared-host"));
        // The override file, the included file, the extended file and the `.env` (the
        // machine's /etc/docker/daemon.json is outside `dir`).
        let local: Vec<_> = ctx.deps.iter().filter(|d| d.starts_with(&dir)).collect();
        assert_eq!(local.len(), 4, "{:?}", ctx.deps);
        assert!(ctx.deps.contains(&dir.join(".env")));
        let codes: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
            .findings
            .iter()
            .map(|f| f.code())
            .collect();
        assert!(!codes.contains(&"undefined-network"), "{codes:?}");
        assert!(!codes.contains(&"undefined-service"), "{codes:?}");
        // `extends` is checked against the other file.
        let bad = "services:\n  a:\n    extends: {file: base.yaml, service: nope}\n  b:\n    extends: {file: missing.yaml, service: x}\n";
        let ctx = context_for(&dir.join("compose.yaml"), bad, &RuleSettings::default());
        let msgs: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, bad, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "undefined-service")
            .map(|f| f.message)
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].contains("base.yaml defines no service \"nope\""),
            "{msgs:?}"
        );
        assert!(
            msgs[1].contains("`missing.yaml` (extended by `b`) cannot be read"),
            "{msgs:?}"
        );
        // The override file sees the base file's names too.
        let over = std::fs::read_to_string(dir.join("compose.override.yaml")).unwrap();
        let ctx = context_for(
            &dir.join("compose.override.yaml"),
            &over,
            &RuleSettings::default(),
        );
        assert!(ctx.external.services.contains("web"));
        // An unsaved editor text wins over the disk.
        let overlay = |p: &Path| {
            (p == dir.join("compose.override.yaml"))
                .then(|| "networks:\n  other: {}\n".to_string())
                .or_else(|| std::fs::read_to_string(p).ok())
        };
        let ctx = context_reading(
            &dir.join("compose.yaml"),
            &text,
            &RuleSettings::default(),
            &overlay,
        );
        assert!(!ctx.external.networks.contains("edge"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn subnets_against_the_daemon_json_above_the_project() {
        let dir = temp("daemon");
        std::fs::create_dir_all(dir.join("app")).unwrap();
        std::fs::write(
            dir.join("daemon.json"),
            "{\n  \"bip\": \"172.26.0.1/16\",\n  \"default-address-pools\": [{\"base\": \"10.200.0.0/16\", \"size\": 24}]\n}\n",
        )
        .unwrap();
        let text = "services:\n  a: {networks: [n1, n2, n3]}\nnetworks:\n  n1:\n    ipam: {config: [{subnet: 172.26.5.0/24}]}\n  n2:\n    ipam: {config: [{subnet: 10.200.3.0/24}]}\n  n3:\n    ipam: {config: [{subnet: 10.201.0.0/24}]}\n";
        let path = dir.join("app").join("compose.yaml");
        let ctx = context_for(&path, text, &RuleSettings::default());
        assert!(
            ctx.deps.contains(&dir.join("daemon.json")),
            "{:?}",
            ctx.deps
        );
        let found: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "subnet-overlap")
            .collect();
        let got: Vec<_> = found
            .iter()
            .map(|f| (&text[f.range.clone()], f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("172.26.5.0/24", crate::finding::Severity::Error),
                ("10.200.3.0/24", crate::finding::Severity::Warning)
            ]
        );
        assert!(
            found[0].message.contains("docker0 (172.26.0.0/16"),
            "{}",
            found[0].message
        );
        let related = &found[0].related[0];
        let other = related.file.as_ref().unwrap();
        assert_eq!(other.path, dir.join("daemon.json"));
        assert_eq!(&other.text[related.range.clone()], "\"172.26.0.1/16\"");
        let related = &found[1].related[0];
        assert_eq!(
            &related.file.as_ref().unwrap().text[related.range.clone()],
            "\"10.200.0.0/16\""
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_loopback_app_in_the_dockerfile_flags_the_compose_port() {
        let dir = temp("build");
        std::fs::create_dir_all(dir.join("api")).unwrap();
        std::fs::write(
            dir.join("api/Dockerfile.dev"),
            "FROM python:3.12\nEXPOSE 8000\nCMD [\"uvicorn\", \"app:app\"]\n",
        )
        .unwrap();
        let text = "services:\n  api:\n    build:\n      context: api\n      dockerfile: Dockerfile.dev\n    ports: [\"127.0.0.1:8000:8000\"]\n";
        let ctx = context_for(&dir.join("compose.yaml"), text, &RuleSettings::default());
        assert_eq!(ctx.deps[0], dir.join("api").join("Dockerfile.dev"));
        let findings: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "app-listens-on-loopback")
            .collect();
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(&text[findings[0].range.clone()], "\"127.0.0.1:8000:8000\"");
        let related = &findings[0].related[0];
        let other = related.file.as_ref().unwrap();
        assert_eq!(&other.text[related.range.clone()], "uvicorn");
        // Compose's environment or command override the image: no finding.
        for extra in [
            "    environment: [\"UVICORN_HOST=0.0.0.0\"]\n",
            "    command: uvicorn app:app --host 0.0.0.0\n",
        ] {
            let text = format!("{text}{extra}");
            let ctx = context_for(&dir.join("compose.yaml"), &text, &RuleSettings::default());
            let codes: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
                .findings
                .iter()
                .map(|f| f.code())
                .collect();
            assert!(
                !codes.contains(&"app-listens-on-loopback"),
                "{extra}: {codes:?}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn package_json_of_the_build_context_and_beside_a_dockerfile() {
        let dir = temp("npm");
        std::fs::create_dir_all(dir.join("web")).unwrap();
        let dockerfile = "FROM node:22\nEXPOSE 5173\nCMD [\"npm\", \"run\", \"dev\"]\n";
        std::fs::write(dir.join("web/Dockerfile"), dockerfile).unwrap();
        std::fs::write(
            dir.join("web/package.json"),
            r#"{"scripts": {"dev": "vite"}}"#,
        )
        .unwrap();
        // The Dockerfile on its own reads the package.json beside it.
        let path = dir.join("web/Dockerfile");
        let ctx = context_for(&path, dockerfile, &RuleSettings::default());
        assert!(ctx.deps.contains(&dir.join("web/package.json")));
        let a = crate::analysis::analyze_with(FileKind::Dockerfile, dockerfile, &ctx);
        assert_eq!(a.findings.len(), 1, "{:?}", a.findings);
        // The Compose port of the service built from it, with both files related.
        let text = "services:\n  web:\n    build: ./web\n    ports: [\"127.0.0.1:5173:5173\"]\n";
        let ctx = context_for(&dir.join("compose.yaml"), text, &RuleSettings::default());
        let found: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "app-listens-on-loopback")
            .collect();
        assert_eq!(found.len(), 1, "{found:?}");
        let files: Vec<_> = found[0]
            .related
            .iter()
            .map(|r| {
                r.file
                    .as_ref()
                    .unwrap()
                    .path
                    .file_name()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(files, ["Dockerfile", "package.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The findings of `code` in `file` of `dir`, as the workspace layer sees the project.
    fn project_findings(dir: &Path, file: &str, code: &str) -> Vec<(String, Vec<String>)> {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let ctx = context_for(&path, &text, &RuleSettings::default());
        crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == code)
            .map(|f| {
                let related = f
                    .related
                    .iter()
                    .map(|r| match &r.file {
                        Some(other) => format!(
                            "{}:{}",
                            other.path.file_name().unwrap().to_string_lossy(),
                            &other.text[r.range.clone()]
                        ),
                        None => text[r.range.clone()].to_string(),
                    })
                    .collect();
                (text[f.range.clone()].to_string(), related)
            })
            .collect()
    }

    #[test]
    fn merged_ports_across_base_and_override() {
        let dir = temp("merge-ports");
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\", \"9000:9000\"]\n  api:\n    image: api\n    ports: [\"127.0.0.1:7000:7000\"]\n  worker:\n    image: w\n    ports: [\"6000:6000\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("compose.override.yaml"),
            "services:\n  web:\n    ports: [\"8080:80\", \"9000:9001\"]\n  admin:\n    image: admin\n    ports: [\"7000:7000\"]\n  worker:\n    ports: !override [\"6001:6000\"]\n  extra:\n    image: x\n    ports: [\"6000:1\"]\n",
        )
        .unwrap();
        // The identical `8080:80` is de-duplicated; `9000` is bound twice by `web`; `admin`
        // takes 7000 on every interface, which includes api's 127.0.0.1; worker's 6000 is
        // replaced by the override, so `extra` may take it.
        assert_eq!(
            project_findings(&dir, "compose.yaml", "duplicate-host-port"),
            [
                (
                    "9000".to_string(),
                    vec!["compose.override.yaml:\"9000:9001\"".to_string()]
                ),
                (
                    "7000".to_string(),
                    vec!["compose.override.yaml:\"7000:7000\"".to_string()]
                ),
            ]
        );
        // The override file sees the same conflicts from its side.
        let over = project_findings(&dir, "compose.override.yaml", "duplicate-host-port");
        let at: Vec<_> = over.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at, ["9000", "7000"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn host_network_mode_in_one_file_ports_in_the_other() {
        let dir = temp("merge-host");
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n  api:\n    image: api\n    ports: [\"7000:7000\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("compose.override.yaml"),
            "services:\n  web:\n    network_mode: host\n  api:\n    network_mode: host\n    ports: !reset []\n",
        )
        .unwrap();
        // The base's `web` ports are discarded by the override's host mode; `api` resets them.
        assert_eq!(
            project_findings(&dir, "compose.yaml", "network-mode-host-with-ports"),
            [(
                "ports".to_string(),
                vec!["compose.override.yaml:host".to_string()]
            )]
        );
        let over = project_findings(
            &dir,
            "compose.override.yaml",
            "network-mode-host-with-ports",
        );
        assert_eq!(
            over,
            [("host".to_string(), vec!["compose.yaml:ports".to_string()])]
        );
        // The quick fix adds `ports: !reset []`, after which both files are clean.
        let path = dir.join("compose.override.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let ctx = context_for(&path, &text, &RuleSettings::default());
        let found: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "network-mode-host-with-ports")
            .collect();
        let (fixed, applied) = crate::finding::apply_fixes(&text, &found);
        assert_eq!(applied, 1);
        assert!(
            fixed.contains("  web:\n    ports: !reset []\n    network_mode: host\n"),
            "{fixed}"
        );
        std::fs::write(&path, &fixed).unwrap();
        assert!(
            project_findings(
                &dir,
                "compose.override.yaml",
                "network-mode-host-with-ports"
            )
            .is_empty()
        );
        assert!(project_findings(&dir, "compose.yaml", "network-mode-host-with-ports").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_variant_file_names_a_service_of_another_variant_beside_it() {
        // compose.yaml + compose.metrics.yaml + compose.assistant.yaml, layered with -f.
        let dir = temp("variants");
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  shop:\n    image: example/shop:2\n    ports: [\"8080:8080\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("compose.metrics.yaml"),
            "services:\n  collector:\n    image: otel/opentelemetry-collector-contrib:0.110.0\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("compose.assistant.yaml"),
            "services:\n  assistant:\n    image: example/assistant:1\n    environment:\n      OTLP_ENDPOINT: http://collector:4318\n      SHOP_URL: http://shop:8080\n      SEARCH_URL: http://search:9200\n",
        )
        .unwrap();
        let ctx = context_for(
            &dir.join("compose.assistant.yaml"),
            &std::fs::read_to_string(dir.join("compose.assistant.yaml")).unwrap(),
            &RuleSettings::default(),
        );
        let text = std::fs::read_to_string(dir.join("compose.assistant.yaml")).unwrap();
        let found: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == "unknown-service-host")
            .map(|f| (text[f.range.clone()].to_string(), f.severity))
            .collect();
        // `shop` is the base's; `collector` another variant's (information); `search` no
        // file's.
        assert_eq!(
            found,
            [
                ("collector".to_string(), crate::finding::Severity::Info),
                ("search".to_string(), crate::finding::Severity::Warning)
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_included_file_knows_the_names_of_the_file_that_includes_it() {
        let dir = temp("includer");
        std::fs::create_dir_all(dir.join("common")).unwrap();
        std::fs::write(
            dir.join("compose.yaml"),
            "include: [common/db.yaml]\nservices:\n  web:\n    extends: {file: common/base.yaml, service: web}\n    ports: [\"8080:80\"]\nnetworks:\n  backend: {}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("common/db.yaml"),
            "services:\n  db:\n    image: postgres\n    networks: [backend]\n    ports: [\"8080:5432\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("common/base.yaml"),
            "services:\n  web:\n    image: nginx\n    networks: [backend]\n  other:\n    image: x\n    ports: [\"8080:1\"]\n",
        )
        .unwrap();
        let includers = includers(&dir.join("common/db.yaml"), &disk);
        assert_eq!(includers.len(), 1);
        assert!(includers[0].namespace);
        // db.yaml: `backend` comes from compose.yaml, and its 8080 clashes with web's.
        assert!(project_findings(&dir, "common/db.yaml", "undefined-network").is_empty());
        assert_eq!(
            project_findings(&dir, "common/db.yaml", "duplicate-host-port"),
            [(
                "8080".to_string(),
                vec!["compose.yaml:\"8080:80\"".to_string()]
            )]
        );
        // base.yaml is only extended: compose.yaml's ports are not its own, but its
        // `web` runs inside compose.yaml's project, where `backend` is declared.
        let of_base = includers_of(&dir.join("common/base.yaml"));
        assert_eq!(of_base, [false]);
        assert!(project_findings(&dir, "common/base.yaml", "undefined-network").is_empty());
        assert!(project_findings(&dir, "common/base.yaml", "duplicate-host-port").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn includers_of(path: &Path) -> Vec<bool> {
        includers(path, &disk).iter().map(|i| i.namespace).collect()
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
