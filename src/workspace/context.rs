//! The context of one analysis: the variables for interpolation (the `.env` beside the
//! file, under the environment), the rule settings (the editor's, under the nearest
//! `portside.toml`) and host facts, the names the project's other Compose files define,
//! the Dockerfiles of built services with their `package.json`, and the daemon's ranges.
//! Every file is read through a [`Vfs`]; the analysed text is parsed once here and the
//! tree handed to the analysis ([`Context::parsed`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Reader;
use super::related::{is_local, related};
use super::vfs::{Vfs, key_of};
use crate::analysis::{Context, Parsed};
use crate::classify::{self, FileKind};
use crate::config::RuleSettings;
use crate::model::compose::{Project, dotenv};
use crate::syntax::yaml::Yaml;

/// The context for a file whose text is `text`, with the environment portside runs in,
/// reading other files from disk.
pub fn context_for(path: &Path, text: &str, editor: &RuleSettings) -> Context {
    let environment: HashMap<String, String> = std::env::vars().collect();
    context_vfs(path, text, environment, editor, &Vfs::new())
}

/// As [`context_for`], reading the project's other files through `read` (each once).
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
    context_vfs(path, text, environment, editor, &Vfs::reading(read))
}

/// As [`context_for`], reading every other file through `vfs` (the server's cache, which
/// knows the open documents).
pub fn context_cached(path: &Path, text: &str, editor: &RuleSettings, vfs: &Vfs<'_>) -> Context {
    context_after_edit(path, text, editor, vfs, None)
}

/// [`context_cached`] for a new version of a document whose previous text and tree are
/// `previous`: the text is parsed incrementally from it ([`Yaml::parse_edited`]).
pub fn context_after_edit(
    path: &Path,
    text: &str,
    editor: &RuleSettings,
    vfs: &Vfs<'_>,
    previous: Option<&Parsed>,
) -> Context {
    let environment: HashMap<String, String> = std::env::vars().collect();
    context_edited(path, text, environment, editor, vfs, previous)
}

/// The context, every read through `vfs`.
pub fn context_vfs(
    path: &Path,
    text: &str,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
    vfs: &Vfs<'_>,
) -> Context {
    context_edited(path, text, environment, editor, vfs, None)
}

fn context_edited(
    path: &Path,
    text: &str,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
    vfs: &Vfs<'_>,
    previous: Option<&Parsed>,
) -> Context {
    let mut ctx = context_with_vfs(path, environment, editor, vfs);
    let yaml_file = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && (classify::by_name(name) == Some(FileKind::Compose) || yaml_file)
    {
        // The analysed text is parsed here once; the analysis reuses the tree.
        let parsed = (text.len() <= crate::analysis::MAX_INPUT_BYTES).then(|| Parsed {
            text: Arc::from(text),
            yaml: Arc::new(match previous {
                Some(p) => Yaml::parse_edited(&p.yaml, &p.text, text),
                None => Yaml::parse(text),
            }),
        });
        let own = parsed.as_ref().map(|p| &*p.yaml);
        let (mut external, mut deps) = related(path, own.map(|y| (text, y)), &ctx.vars, vfs);
        if let Some(own) = own {
            for d in dockerfiles(path, text, own, &ctx.vars, vfs) {
                deps.push(d.file.path.clone());
                external.dockerfiles.push(d);
            }
        }
        if let Some(own) = own {
            for c in mounted_configs(path, text, own, vfs) {
                deps.push(c.file.path.clone());
                external.mounted_configs.push(c);
            }
        }
        if let Some(daemon) = daemon_ranges(path, vfs) {
            deps.push(daemon.file.path.clone());
            external.daemon = Some(daemon);
        }
        if let Some(dir) = path.parent() {
            deps.push(dir.join(".env"));
            if !vfs.exists(&dir.join(".env")) {
                external.env_template = ENV_TEMPLATES
                    .iter()
                    .find(|name| vfs.exists(&dir.join(name)))
                    .map(|name| name.to_string());
            }
        }
        ctx.external = external;
        ctx.deps = deps;
        ctx.parsed = parsed;
    } else if let Some(name) = path.file_name().and_then(|n| n.to_str())
        && classify::by_name(name) == Some(FileKind::Dockerfile)
        && let Some(dir) = path.parent()
    {
        // The build context is usually the Dockerfile's folder.
        ctx.package = package_json(dir, vfs);
        ctx.deps.push(dir.join("package.json"));
    }
    // Its settings apply: an edit of it (saved or not) analyses this file again.
    if let Some(config) = find_config_in(path, vfs) {
        ctx.deps.push(config);
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
fn package_json(dir: &Path, vfs: &Vfs<'_>) -> Option<crate::finding::OtherFile> {
    let path = dir.join("package.json");
    let text = vfs.read(&path).filter(|t| t.len() <= 1024 * 1024)?;
    Some(crate::finding::OtherFile { path, text })
}

/// As [`context_for`] without the other files, with an explicit environment (for tests).
pub fn context_with(
    path: &Path,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
) -> Context {
    context_with_vfs(path, environment, editor, &Vfs::new())
}

/// Where a rootless daemon's limit comes from when the settings do not give it.
const UNPRIVILEGED_PORT_START: &str = "/proc/sys/net/ipv4/ip_unprivileged_port_start";

/// Variables, rule settings and host facts, each file read through `vfs` (an open
/// `.env` or `portside.toml` counts with its unsaved text).
pub fn context_with_vfs(
    path: &Path,
    environment: HashMap<String, String>,
    editor: &RuleSettings,
    vfs: &Vfs<'_>,
) -> Context {
    let mut vars = HashMap::new();
    let mut dotenv_lines = rustc_hash::FxHashMap::default();
    if let Some(dir) = path.parent()
        && let Some(text) = vfs.read(&dir.join(".env"))
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
    let file_settings = find_config_in(path, vfs).and_then(|p| {
        vfs.derived(&p, 0, |text| {
            RuleSettings::from_toml(text, crate::rules::known()).0
        })
        .map(|(_, s)| s)
    });
    let mut rules = match file_settings {
        Some(file) => editor.overridden_by(&file),
        None => editor.clone(),
    };
    // Neither a setting nor the daemon (the server adds its answer to the editor's
    // settings) said which platform: guess from this machine's OS (macOS and Windows run
    // Docker Desktop; Linux stays unknown).
    if rules.host.platform.is_none() {
        rules.host.platform = crate::config::PlatformFact::guess(std::env::consts::OS);
    }
    // A rootless daemon's limit is the host's sysctl, unless the settings give it.
    if rules.host.rootless == Some(true) && rules.host.unprivileged_port_start.is_none() {
        rules.host.unprivileged_port_start = vfs
            .read(Path::new(UNPRIVILEGED_PORT_START))
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

/// The Dockerfiles of the services with `build:` (context, `dockerfile`), each read and
/// modelled (with the service's build arguments) through `vfs`.
/// The config files the services bind-mount where their server reads them
/// (`model::appconfig::Kind::of_target`: nginx, Redis, MySQL, mongod, PostgreSQL, HAProxy,
/// Caddy, Traefik, Prometheus, httpd), read through `vfs` and parsed once per content. A
/// file counts where the image reads it by default (`Kind::read_by_default`) or where the
/// command names its path (`redis-server /usr/local/etc/redis/redis.conf`, `mongod
/// --config ...`, `postgres -c config_file=...`), and not when the command names another
/// config file. A folder mount brings the default files inside it
/// (`./prometheus:/etc/prometheus`) and every file of a folder the server reads whole
/// (`./conf.d:/etc/nginx/conf.d`).
fn mounted_configs(
    path: &Path,
    text: &str,
    yaml: &Yaml,
    vfs: &Vfs<'_>,
) -> Vec<crate::model::compose::MountedConfig> {
    use crate::model::appconfig::Kind;
    let mut out = Vec::new();
    let Some(dir) = path.parent() else {
        return out;
    };
    let t = text.as_bytes();
    let finder = |n: &str| memchr::memmem::find(t, n.as_bytes()).is_some();
    if ![
        "/etc/",
        "redis.conf",
        "my.cnf",
        "mongod.conf",
        "postgresql.conf",
        "haproxy",
        "Caddyfile",
        "prometheus",
        "apache2",
    ]
    .iter()
    .any(|n| finder(n))
    {
        return out;
    }
    let Some(services) = crate::model::compose::schema::services_node(yaml) else {
        return out;
    };
    let words = |key: &str, node| {
        yaml.get(node, key)
            .map_or_else(String::new, |c| match yaml.items(c.value) {
                Some(items) => items
                    .iter()
                    .filter_map(|&i| yaml.scalar(i))
                    .collect::<Vec<_>>()
                    .join(" "),
                None => yaml.scalar(c.value).unwrap_or_default().to_string(),
            })
    };
    for service in yaml.entries(services) {
        let Some(name) = yaml.scalar(service.key) else {
            continue;
        };
        let Some(volumes) = yaml.get(service.value, "volumes") else {
            continue;
        };
        let command = format!(
            "{} {}",
            words("entrypoint", service.value),
            words("command", service.value)
        );
        for &item in yaml.items(volumes.value).unwrap_or_default() {
            let (source, target) = match yaml.scalar(item) {
                Some(short) => {
                    let mut parts = short.splitn(3, ':');
                    match (parts.next(), parts.next()) {
                        (Some(s), Some(t)) => (s.to_string(), t.to_string()),
                        _ => continue,
                    }
                }
                None => {
                    let field = |k: &str| {
                        yaml.get(item, k)
                            .and_then(|e| yaml.scalar(e.value))
                            .map(str::to_string)
                    };
                    if field("type").as_deref() != Some("bind") {
                        continue;
                    }
                    match (field("source"), field("target")) {
                        (Some(s), Some(t)) => (s, t),
                        _ => continue,
                    }
                }
            };
            if source.contains('$') || !(source.starts_with('.') || source.starts_with('/')) {
                continue;
            }
            let mut relative = source.as_str();
            while let Some(rest) = relative.strip_prefix("./") {
                relative = rest;
            }
            let source = dir.join(relative);
            // (file on the host, target in the container, kind, from a folder mount)
            let mut files: Vec<(std::path::PathBuf, String, Kind, bool)> = Vec::new();
            match Kind::of_target(&target) {
                Some(kind) => files.push((source, target.clone(), kind, false)),
                None => {
                    let folder = target.trim_end_matches('/');
                    for (name, kind) in Kind::files_in_folder(folder) {
                        files.push((source.join(name), format!("{folder}/{name}"), kind, true));
                    }
                    if let Some((ext, kind)) = Kind::folder_reads(folder) {
                        let listed =
                            vfs.list(&source, |n| n.ends_with(".conf") || n.ends_with(".cnf"), 64);
                        for file in listed.iter() {
                            let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
                                continue;
                            };
                            if name.ends_with(ext) {
                                files.push((file.clone(), format!("{folder}/{name}"), kind, true));
                            }
                        }
                    }
                }
            }
            for (file, target, kind, from_folder) in files {
                let named = command.contains(target.as_str());
                if !named && !kind.read_by_default(&target) {
                    continue;
                }
                // The command names another config file: this one is not read.
                if !named
                    && kind
                        .config_flag()
                        .is_some_and(|f| command.to_ascii_lowercase().contains(f))
                {
                    continue;
                }
                let Some((text, config)) = vfs.derived(&file, kind as u64 + 0x6170_7063, |t| {
                    crate::model::appconfig::read(kind, t)
                }) else {
                    continue;
                };
                if text.len() > 1024 * 1024 {
                    continue;
                }
                out.push(crate::model::compose::MountedConfig {
                    service: name.to_string(),
                    kind,
                    target,
                    file: crate::finding::OtherFile { path: file, text },
                    config,
                    entry: yaml.span(item),
                    from_folder,
                    command: command.clone(),
                });
            }
        }
    }
    out
}

fn dockerfiles(
    path: &Path,
    text: &str,
    yaml: &Yaml,
    vars: &crate::model::compose::Vars,
    vfs: &Vfs<'_>,
) -> Vec<crate::model::compose::ServiceDockerfile> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    if memchr::memmem::find(text.as_bytes(), b"build:").is_none() {
        return Vec::new();
    }
    // Only the services with `build:` are modelled (the analysis models them all).
    let Some(services) = crate::model::compose::schema::services_node(yaml) else {
        return Vec::new();
    };
    // The services whose entry holds a `build:` of the text (found by a substring scan, not
    // by looking up a key in each of thousands of services).
    let at: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), b"build:").collect();
    let entries = yaml.entries(services);
    let holds = |from: usize, to: usize| {
        let i = at.partition_point(|&o| o < from);
        at.get(i).is_some_and(|&o| o < to)
    };
    let (from, to) = (yaml.span(services).start, yaml.span(services).end);
    // A `build:` outside `services` (an anchor merged with `<<:`): look the key up instead.
    let merged = at.iter().any(|&o| o < from || o >= to);
    let starts: rustc_hash::FxHashSet<usize> = entries
        .iter()
        .filter(|s| {
            if merged {
                yaml.get(s.value, "build").is_some()
            } else {
                holds(yaml.span(s.key).start, yaml.span(s.value).end)
            }
        })
        .map(|s| yaml.span(s.key).start)
        .collect();
    if starts.is_empty() {
        return Vec::new();
    }
    let none = crate::model::compose::External::default();
    let project = Project::build_only(text, yaml, vars, &none, &|r| starts.contains(&r.start));
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
        let args = build.args.clone();
        if let Some((text, model)) = vfs.derived(&file, key_of(&args), |text| {
            crate::model::dockerfile::Dockerfile::read_with(text, &args)
        }) {
            out.push(crate::model::compose::ServiceDockerfile {
                service: s.name.to_string(),
                file: crate::finding::OtherFile { path: file, text },
                package: package_json(&base, vfs),
                model: Some(model),
            });
        }
    }
    out
}

/// The system's daemon.json, used when none is found beside the project.
const SYSTEM_DAEMON_JSON: &str = "/etc/docker/daemon.json";

/// The daemon.json nearest above a Compose file (a repository often keeps one), else the
/// system's; its `bip` and `default-address-pools`, derived once per content.
fn daemon_ranges(path: &Path, vfs: &Vfs<'_>) -> Option<crate::model::compose::DaemonRanges> {
    let mut candidates: Vec<PathBuf> = path
        .ancestors()
        .skip(1)
        .map(|d| d.join("daemon.json"))
        .collect();
    candidates.push(PathBuf::from(SYSTEM_DAEMON_JSON));
    let file = candidates.into_iter().find(|p| vfs.exists(p))?;
    let (_, ranges) = vfs.derived(&file, 0, |text| ranges_of(&file, text))?;
    (*ranges).clone()
}

fn ranges_of(file: &Path, text: &Arc<str>) -> Option<crate::model::compose::DaemonRanges> {
    use crate::syntax::json::{Json, JsonKind};
    let json = Json::parse(text);
    let root = json.root.as_ref()?;
    let daemon = crate::model::daemon::Daemon::read(root)?;
    let bip = daemon
        .str("bip")
        .and_then(|(s, e)| Some((crate::model::daemon::cidr(s)?.trunc(), e.value.span.clone())));
    let mut pools = Vec::new();
    if let Some(e) = daemon.get("default-address-pools")
        && let JsonKind::Array(items) = &e.value.kind
    {
        for item in items {
            if let JsonKind::Object(props) = &item.kind
                && let Some(base) = props.iter().find(|p| p.key == "base")
                && let JsonKind::String(b) = &base.value.kind
                && let Some(net) = crate::model::daemon::cidr(b)
            {
                pools.push((net.trunc(), base.value.span.clone()));
            }
        }
    }
    Some(crate::model::compose::DaemonRanges {
        file: crate::finding::OtherFile {
            path: file.to_path_buf(),
            text: Arc::clone(text),
        },
        bip,
        pools,
    })
}

/// The nearest `portside.toml` in the file's folder or above.
pub fn find_config(path: &Path) -> Option<PathBuf> {
    find_config_in(path, &Vfs::new())
}

/// As [`find_config`], through `vfs` (an unsaved, newly created one counts).
pub fn find_config_in(path: &Path, vfs: &Vfs<'_>) -> Option<PathBuf> {
    let mut dir = path.parent()?;
    loop {
        let candidate = dir.join("portside.toml");
        if vfs.exists(&candidate) {
            return Some(candidate);
        }
        dir = dir.parent()?;
    }
}
