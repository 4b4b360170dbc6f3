use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::classify::FileKind;
use crate::config::RuleSettings;

fn disk(path: &Path) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

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

/// The findings of `code` in `file` of `dir`, as the workspace layer sees the project: the
/// text each spans, and the related texts (`file:text` for another file). Each message's
/// first sentence is checked to fit a Problems row.
pub(super) fn project_findings(dir: &Path, file: &str, code: &str) -> Vec<(String, Vec<String>)> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let ctx = context_for(&path, &text, &RuleSettings::default());
    crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
        .findings
        .into_iter()
        .filter(|f| f.code() == code)
        .map(|f| {
            let first = crate::rules::first_sentence(&f.message);
            assert!(
                first.chars().count() <= crate::rules::FIRST_SENTENCE_MAX,
                "{first}"
            );
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
    let includers = includers_in(&dir.join("common/db.yaml"), &Vfs::reading(&disk));
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
    // base.yaml is only extended: compose.yaml's ports are not its own, but its `web`
    // runs inside compose.yaml's project, where `backend` is declared.
    let of_base = includers_of(&dir.join("common/base.yaml"));
    assert_eq!(of_base, [false]);
    assert!(project_findings(&dir, "common/base.yaml", "undefined-network").is_empty());
    assert!(project_findings(&dir, "common/base.yaml", "duplicate-host-port").is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

fn includers_of(path: &Path) -> Vec<bool> {
    includers_in(path, &Vfs::reading(&disk))
        .iter()
        .map(|i| i.namespace)
        .collect()
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
        crate::rules::known(),
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

#[test]
fn the_edited_text_is_parsed_once_and_each_dockerfile_modelled_once() {
    let dir = temp("parse-once");
    std::fs::create_dir_all(dir.join("api")).unwrap();
    std::fs::create_dir_all(dir.join("web")).unwrap();
    std::fs::write(
        dir.join("api/Dockerfile"),
        "FROM python:3.12\nEXPOSE 8000\n",
    )
    .unwrap();
    std::fs::write(dir.join("web/Dockerfile"), "FROM node:22\nEXPOSE 3000\n").unwrap();
    // `web` gets its `build:` through a merge key from an anchor outside `services`.
    let text = "x-web: &web\n  build: ./web\nservices:\n  api:\n    build: ./api\n  web:\n    <<: *web\n  db:\n    image: postgres\n";
    let path = dir.join("compose.yaml");
    let vfs = Vfs::new();
    let ctx = context_vfs(&path, text, HashMap::new(), &RuleSettings::default(), &vfs);
    let built: Vec<_> = ctx
        .external
        .dockerfiles
        .iter()
        .map(|d| (d.service.as_str(), d.model.is_some()))
        .collect();
    assert_eq!(built, [("api", true), ("web", true)]);
    // The analysis uses the tree the context parsed.
    let parsed = ctx.parsed.as_ref().expect("the context parsed the text");
    let a = crate::analysis::analyze_with(FileKind::Compose, text, &ctx);
    assert!(std::sync::Arc::ptr_eq(
        a.yaml.as_ref().unwrap(),
        &parsed.yaml
    ));
    // Another text with the same context is parsed anew, not given the stale tree.
    let other = "services:\n  x:\n    image: y\n";
    let b = crate::analysis::analyze_with(FileKind::Compose, other, &ctx);
    assert!(!std::sync::Arc::ptr_eq(
        b.yaml.as_ref().unwrap(),
        &parsed.yaml
    ));
    // Again (the next keystroke): the Dockerfiles are not modelled again.
    let parses = vfs.parses();
    let again = context_vfs(&path, text, HashMap::new(), &RuleSettings::default(), &vfs);
    assert_eq!(again.external.dockerfiles.len(), 2);
    assert_eq!(vfs.parses(), parses);
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
    let assistant = "services:\n  assistant:\n    image: example/assistant:1\n    environment:\n      OTLP_ENDPOINT: http://collector:4318\n      SHOP_URL: http://shop:8080\n      SEARCH_URL: http://search:9200\n";
    std::fs::write(dir.join("compose.assistant.yaml"), assistant).unwrap();
    let ctx = context_for(
        &dir.join("compose.assistant.yaml"),
        assistant,
        &RuleSettings::default(),
    );
    let found: Vec<_> = crate::analysis::analyze_with(FileKind::Compose, assistant, &ctx)
        .findings
        .into_iter()
        .filter(|f| f.code() == "unknown-service-host")
        .map(|f| (assistant[f.range.clone()].to_string(), f.severity))
        .collect();
    // `shop` is the base's; `collector` another variant's (information); `search` no file's.
    assert_eq!(
        found,
        [
            ("collector".to_string(), crate::finding::Severity::Info),
            ("search".to_string(), crate::finding::Severity::Warning)
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
