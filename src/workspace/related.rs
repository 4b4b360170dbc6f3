//! The project's other Compose files: the base/override partner beside a file, `include:`
//! and `extends: file:` (recursively, capped), variants' base files, and the Compose files
//! that include this one (includer discovery). Each related file is read and modelled once
//! per content through the [`Vfs`]; the analysed text's tree is the one the context built.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::vfs::{Vfs, vars_key};
use crate::classify::{self, FileKind};
use crate::model::compose::{External, OtherService, Project};
use crate::syntax::yaml::Yaml;

/// How many other files one project may pull in (include chains, extends).
const MAX_RELATED_FILES: usize = 32;

/// Compose's default file names, and their override files.
pub(super) const BASE_NAMES: &[&str] = &[
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

/// The files a Compose file names, as paths (independent of variables).
#[derive(Debug, Default)]
struct Refs {
    /// `include:` and `extends: file:`.
    references: Vec<PathBuf>,
    /// `extends: file:` only.
    extends: Vec<PathBuf>,
}

impl Refs {
    /// Most files have neither `include:` nor `extends:`: a substring scan decides before
    /// any parsing.
    fn of(path: &Path, text: &str) -> Refs {
        let mentions = |key: &[u8]| memchr::memmem::find(text.as_bytes(), key).is_some();
        if text.len() > crate::analysis::MAX_INPUT_BYTES
            || !(mentions(b"include:") || mentions(b"extends:"))
        {
            return Refs::default();
        }
        Refs::of_tree(path, text, &Yaml::parse(text))
    }

    /// From the tree of `text`; the services are modelled only when the text mentions
    /// `extends:` (a file of thousands of services usually does not).
    fn of_tree(path: &Path, text: &str, yaml: &Yaml) -> Refs {
        let Some(dir) = path.parent() else {
            return Refs::default();
        };
        let mentions = |key: &[u8]| memchr::memmem::find(text.as_bytes(), key).is_some();
        let (include, extends) = (mentions(b"include:"), mentions(b"extends:"));
        if !include && !extends {
            return Refs::default();
        }
        let extends = if extends {
            extends_files_in(text, yaml)
        } else {
            Vec::new()
        };
        let mut references = includes_in(yaml);
        references.extend(extends.iter().cloned());
        Refs {
            references: references.into_iter().map(|n| dir.join(n)).collect(),
            extends: extends.into_iter().map(|n| dir.join(n)).collect(),
        }
    }
}

/// What a related Compose file contributes, modelled with the analysed file's variables.
#[derive(Debug, Default)]
struct Modelled {
    /// Its names (services, networks, hosts).
    names: External,
    service_names: Vec<String>,
    /// Its services for the merged view (`after` is set per use).
    services: Vec<OtherService>,
}

fn refs_of(vfs: &Vfs<'_>, path: &Path) -> Option<(Arc<str>, Arc<Refs>)> {
    vfs.derived(path, 0, |text| Refs::of(path, text))
}

fn modelled(
    vfs: &Vfs<'_>,
    path: &Path,
    vars: &crate::model::compose::Vars,
    key: u64,
) -> Option<Arc<Modelled>> {
    let (_, m) = vfs.derived(path, key, |text| {
        if text.len() > crate::analysis::MAX_INPUT_BYTES {
            return Modelled::default();
        }
        let yaml = Yaml::parse(text);
        let project = Project::build(text, &yaml, vars);
        let mut names = External::default();
        names.absorb(&project);
        let file = crate::finding::OtherFile {
            path: path.to_path_buf(),
            text: Arc::clone(text),
        };
        Modelled {
            names,
            service_names: project
                .services
                .iter()
                .map(|s| s.name.to_string())
                .collect(),
            services: OtherService::of_project(&project, &file, None),
        }
    })?;
    Some(m)
}

/// The project's other Compose files and the names they define. `own` is the analysed
/// file's tree when it parsed.
pub(super) fn related(
    path: &Path,
    own: Option<(&str, &Yaml)>,
    vars: &crate::model::compose::Vars,
    vfs: &Vfs<'_>,
) -> (External, Vec<PathBuf>) {
    let mut external = External::default();
    let mut seen: Vec<PathBuf> = vec![path.to_path_buf()];
    let sibling_files = siblings(path, vfs);
    let is_base = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| BASE_NAMES.contains(&n));
    let own_refs = own.map_or_else(Refs::default, |(text, y)| Refs::of_tree(path, text, y));
    // Files reached only through `extends: file:` lend one service to another; their
    // other services are not part of the project.
    let mut extends_only: Vec<PathBuf> = own_refs.extends.clone();
    let mut queue: Vec<PathBuf> = sibling_files.clone();
    // `docker-compose.prod.yml` and the like are usually run on top of the base file
    // beside them (`-f docker-compose.yml -f docker-compose.prod.yml`): its names count,
    // but not as a merge partner (the pairing is the user's choice, not Compose's).
    let variant_bases = variant_bases(path, vfs);
    queue.extend(variant_bases.iter().cloned());
    extends_only.extend(variant_bases.iter().cloned());
    external.base_missing = looks_like_override(path)
        && variant_bases.is_empty()
        && !sibling_files.iter().any(|f| {
            f.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| BASE_NAMES.contains(&n))
        });
    queue.extend(own_refs.references.iter().cloned());
    let key = vars_key(vars);
    // A base file and the variant files beside it are often layered (`-f compose.yaml
    // -f compose.observability.yaml -f compose.agent.yaml`): the host names the variants
    // define may resolve, which the rules say as less.
    if (is_base || !variant_bases.is_empty())
        && let Some(dir) = path.parent()
    {
        let listed = vfs.list(dir, |n| n.ends_with(".yaml") || n.ends_with(".yml"), 256);
        let others = listed
            .iter()
            .filter(|p| p.as_path() != path && looks_like_override(p))
            .take(32);
        for other in others {
            if let Some(m) = modelled(vfs, other, vars, key) {
                external.variant_hosts.extend(m.names.hosts.iter().cloned());
            }
        }
    }
    // The files that include this one (`include: [common/db.yaml]`) share its names.
    // A file that extends this one's services brings them into its own project, where its
    // top-level `networks` (and services) are the ones they are checked against.
    for includer in includers_in(path, vfs) {
        if sibling_files.contains(&includer.path) {
            continue;
        }
        if includer.namespace {
            queue.push(includer.path);
            continue;
        }
        // Only its names: its ports and the files it pulls in are not this file's project.
        if let Some(m) = modelled(vfs, &includer.path, vars, key) {
            external.services.extend(m.names.services.iter().cloned());
            external.networks.extend(m.names.networks.iter().cloned());
            external.hosts.extend(m.names.hosts.iter().cloned());
        }
    }
    // What each `extends: file:` of this file defines, for the extends check.
    if let (Some(dir), Some((text, own))) = (path.parent(), own)
        && memchr::memmem::find(text.as_bytes(), b"extends:").is_some()
    {
        for written in extends_files_in(text, own) {
            let services =
                modelled(vfs, &dir.join(&written), vars, key).map(|m| m.service_names.clone());
            external.extends_files.insert(written, services);
        }
    }
    while let Some(next) = queue.pop() {
        if seen.contains(&next) || seen.len() > MAX_RELATED_FILES {
            continue;
        }
        seen.push(next.clone());
        let Some(m) = modelled(vfs, &next, vars, key) else {
            continue;
        };
        let Some((_, refs)) = refs_of(vfs, &next) else {
            continue;
        };
        external.services.extend(m.names.services.iter().cloned());
        external.networks.extend(m.names.networks.iter().cloned());
        external.hosts.extend(m.names.hosts.iter().cloned());
        if !extends_only.contains(&next) {
            let after = sibling_files.contains(&next).then_some(is_base);
            external.other_services.extend(
                m.services
                    .iter()
                    .map(|s| OtherService { after, ..s.clone() }),
            );
        }
        extends_only.extend(refs.extends.iter().cloned());
        queue.extend(refs.references.iter().cloned());
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
fn variant_bases(path: &Path, vfs: &Vfs<'_>) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    if !looks_like_override(path) || OVERRIDE_NAMES.contains(&name) {
        return Vec::new();
    }
    BASE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter(|p| vfs.read(p).is_some())
        .collect()
}

/// The base file for an override file, and the override files for a base file, in the
/// same folder.
fn siblings(path: &Path, vfs: &Vfs<'_>) -> Vec<PathBuf> {
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
        .filter(|p| vfs.exists(p))
        .collect()
}

/// The `extends: file:` values of a Compose tree, as written (local paths only), in
/// service order: what the Compose model reads as each service's `extends.file`.
fn extends_files_in(text: &str, yaml: &Yaml) -> Vec<String> {
    static NO_VARS: std::sync::LazyLock<crate::model::compose::Vars> =
        std::sync::LazyLock::new(Default::default);
    let project = Project::build(text, yaml, &NO_VARS);
    project
        .services
        .iter()
        .filter_map(|s| s.extends.as_ref()?.file.as_ref())
        .map(|f| f.raw())
        .filter(|f| is_local(f))
        .map(str::to_string)
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

fn is_compose_name(name: &str) -> bool {
    classify::by_name(name) == Some(FileKind::Compose)
}

/// As [`includers`], through `vfs`: each folder's listing is kept until the folder
/// changes, and what each candidate names is derived once per its content.
pub fn includers_in(path: &Path, vfs: &Vfs<'_>) -> Vec<Includer> {
    let mut out = Vec::new();
    for dir in path.ancestors().skip(1).take(INCLUDER_DEPTH) {
        let candidates = vfs.list(dir, is_compose_name, 64);
        for candidate in candidates.iter() {
            if candidate == path {
                continue;
            }
            let Some((text, refs)) = refs_of(vfs, candidate) else {
                continue;
            };
            if text.len() > crate::analysis::MAX_INPUT_BYTES {
                continue;
            }
            let mut names = siblings(candidate, vfs);
            names.extend(refs.references.iter().cloned());
            if !names.iter().any(|n| same_file(n, path)) {
                continue;
            }
            let namespace = names
                .iter()
                .filter(|p| !refs.extends.contains(p))
                .any(|n| same_file(n, path));
            out.push(Includer {
                path: candidate.clone(),
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

/// The Compose files that share a namespace with the file at `path` (its override or base
/// partner and `include:`), unlike `extends: file:`, which lends one service.
pub fn namespace_paths(path: &Path, text: &str) -> Vec<PathBuf> {
    let refs = Refs::of(path, text);
    let mut out = siblings(path, &Vfs::new());
    out.extend(refs.references);
    out.retain(|p| !refs.extends.contains(p));
    out
}

/// Files that a Compose tree names in `include:`, as written (local paths only).
fn includes_in(yaml: &Yaml) -> Vec<String> {
    let mut names: Vec<&str> = Vec::new();
    if let Some(include) = yaml.top("include") {
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
    names
        .into_iter()
        .filter(|n| is_local(n))
        .map(str::to_string)
        .collect()
}

/// A plain local path: no variables, and no remote reference (`oci://…`, `git@…:…`, or
/// compose-go's `remote:` style loaders).
pub(super) fn is_local(path: &str) -> bool {
    let scheme = path
        .split_once(':')
        .is_some_and(|(head, _)| head.len() > 1 && !head.contains('/'));
    !path.contains('$') && !path.contains("://") && !path.contains('@') && !scheme
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("portside-related-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("common")).unwrap();
        dir
    }

    #[test]
    fn includer_discovery_is_cached_until_a_file_of_the_folder_changes() {
        let dir = temp("includers");
        std::fs::write(dir.join("compose.yaml"), "include: [common/db.yaml]\n").unwrap();
        std::fs::write(dir.join("docker-compose.ci.yml"), "services: {a: {}}\n").unwrap();
        std::fs::write(dir.join("common/db.yaml"), "services: {db: {}}\n").unwrap();
        let db = dir.join("common/db.yaml");
        let vfs = Vfs::new();
        let first = includers_in(&db, &vfs);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].path, dir.join("compose.yaml"));
        let (reads, parses) = (vfs.reads(), vfs.parses());
        // Again: nothing is read or parsed.
        assert_eq!(includers_in(&db, &vfs), first);
        assert_eq!((vfs.reads(), vfs.parses()), (reads, parses));
        // The editor changes the other file to include it too: only that file is parsed.
        vfs.set_open(
            &dir.join("docker-compose.ci.yml"),
            1,
            "include: [common/db.yaml]\n".into(),
        );
        let now = includers_in(&db, &vfs);
        assert_eq!(now.len(), 2);
        assert_eq!(vfs.parses(), parses + 1);
        // It is closed: the disk's text, which does not include it.
        vfs.close(&dir.join("docker-compose.ci.yml"));
        assert_eq!(includers_in(&db, &vfs).len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn related_files_are_modelled_once_per_content_and_variables() {
        let dir = temp("modelled");
        std::fs::write(
            dir.join("compose.override.yaml"),
            "services: {web: {ports: [\"${P}:80\"]}}\n",
        )
        .unwrap();
        std::fs::write(dir.join("common/db.yaml"), "services: {db: {}}\n").unwrap();
        let own = Yaml::parse("include: [common/db.yaml]\nservices: {web: {image: x}}\n");
        let path = dir.join("compose.yaml");
        let vfs = Vfs::new();
        let vars: crate::model::compose::Vars = [("P".into(), "8080".into())].into_iter().collect();
        let own_text = "include: [common/db.yaml]\nservices: {web: {image: x}}\n";
        let own = (own_text, &own);
        let (external, deps) = related(&path, Some(own), &vars, &vfs);
        assert!(external.services.contains("db"));
        assert_eq!(deps.len(), 2, "{deps:?}");
        let parses = vfs.parses();
        for _ in 0..3 {
            let (again, _) = related(&path, Some(own), &vars, &vfs);
            assert_eq!(again.other_services.len(), external.other_services.len());
        }
        assert_eq!(vfs.parses(), parses);
        // Other variables model the files again (a port may change).
        let vars: crate::model::compose::Vars = [("P".into(), "9090".into())].into_iter().collect();
        let (other, _) = related(&path, Some(own), &vars, &vfs);
        assert!(vfs.parses() > parses);
        let web = other
            .other_services
            .iter()
            .find(|s| s.name == "web")
            .unwrap();
        assert_eq!(web.ports[0].key, "9090:80");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
