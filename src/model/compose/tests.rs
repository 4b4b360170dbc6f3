//! The model's tests: building, interpolation, spans and queries.

use super::*;
use crate::syntax::yaml::Yaml;

fn with<R>(text: &str, vars: &[(&str, &str)], f: impl FnOnce(&Project) -> R) -> R {
    let yaml = Yaml::parse(text);
    assert!(yaml.error.is_none(), "{:?}", yaml.error);
    let vars: Vars = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let project = Project::build(text, &yaml, &vars);
    f(&project)
}

#[test]
fn services_networks_and_attachments() {
    let text = "services:\n  web:\n    image: nginx:1.25\n    networks: [front]\n    ports: [\"${WEB_PORT:-8080}:80\"]\n  api:\n    image: registry.example/team/api@sha256:abc\n    networks:\n      front:\n        aliases: [backend]\n      back:\n        ipv4_address: 10.0.0.5\n  db:\n    image: postgres\n  vpn:\n    network_mode: service:api\n  sys:\n    network_mode: host\nnetworks:\n  front: {}\n  back:\n    internal: true\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n";
    with(text, &[], |p| {
        assert_eq!(p.services.len(), 5);
        let web = p.service("web").unwrap();
        assert_eq!(web.image_name(), Some("nginx"));
        let b = web.ports[0].bindings().unwrap();
        assert_eq!(b[0].published, "8080");
        let api = p.service("api").unwrap();
        assert_eq!(api.image_name(), Some("api"));
        assert_eq!(api.networks[1].ipv4.as_ref().unwrap().value, "10.0.0.5");
        assert_eq!(p.service_for_host("backend").unwrap().name, "api");
        assert_eq!(
            p.attachment(p.service("db").unwrap()),
            Attachment::Networks(vec!["default"])
        );
        assert_eq!(
            p.attachment(p.service("vpn").unwrap()),
            Attachment::Networks(vec!["front", "back"])
        );
        assert_eq!(p.attachment(p.service("sys").unwrap()), Attachment::Host);
        assert!(p.share_network(web, api));
        assert!(!p.share_network(web, p.service("db").unwrap()));
        let back = p.network("back").unwrap();
        assert!(back.internal);
        assert_eq!(back.ipam[0].subnet.as_ref().unwrap().value, "10.0.0.0/24");
    });
}

#[test]
fn environment_forms_and_value_spans() {
    let text = "services:\n  app:\n    environment:\n      - DATABASE_URL=postgres://u:p@localhost:5432/app\n      - DEBUG\n  other:\n    environment:\n      REDIS_URL: \"redis://${REDIS_HOST:-cache}:6379\"\n";
    with(text, &[], |p| {
        let app = p.service("app").unwrap();
        let url = app.environment[0].value.as_ref().unwrap();
        assert_eq!(url.value, "postgres://u:p@localhost:5432/app");
        let host = url.value.find("localhost").unwrap();
        let span = p.value_span(url, host..host + 9);
        assert_eq!(&text[span], "localhost");
        assert!(app.environment[1].value.is_none());
        let other = p.service("other").unwrap();
        let v = other.environment[0].value.as_ref().unwrap();
        assert_eq!(v.value, "redis://cache:6379");
        // Interpolated: the whole token.
        assert_eq!(
            &text[p.value_span(v, 8..13)],
            "\"redis://${REDIS_HOST:-cache}:6379\""
        );
    });
}

#[test]
fn interpolation_errors_and_unset_variables() {
    let text =
        "services:\n  a:\n    ports: [\"${BIND}:8080:80\"]\n    image: \"${TAG:?set TAG}\"\n";
    with(text, &[], |p| {
        let a = p.service("a").unwrap();
        let PortSpec::Short(v) = &a.ports[0].spec else {
            panic!()
        };
        assert_eq!(v.value, ":8080:80");
        assert_eq!(v.unset(), ["BIND"]);
        assert_eq!(p.interpolation_errors.len(), 1);
        assert_eq!(
            p.interpolation_errors[0].1.to_string(),
            "required variable TAG is missing a value: set TAG"
        );
    });
    with(text, &[("BIND", "127.0.0.1"), ("TAG", "1")], |p| {
        assert!(p.interpolation_errors.is_empty());
        let b = p.service("a").unwrap().ports[0].bindings().unwrap();
        assert_eq!(b[0].host_ip, "127.0.0.1");
    });
}

#[test]
fn long_syntax_ports_and_replicas() {
    let text = "services:\n  a:\n    ports:\n      - target: 80\n        published: \"8000-8001\"\n        host_ip: 127.0.0.1\n    deploy:\n      replicas: 3\n";
    with(text, &[], |p| {
        let a = p.service("a").unwrap();
        let b = a.ports[0].bindings().unwrap();
        assert_eq!(b[0].published, "8000-8001");
        assert_eq!(a.replicas.map(|r| r.0), Some(3));
    });
}

/// Every occurrence's range holds exactly its name and no range occurs twice, whatever the
/// scalar style (so that a rename can replace each range): quoted and block values, an
/// escape before the name (not recorded), interpolation (not recorded), and an anchor
/// merged into two services (one place).
#[test]
fn occurrences_hold_their_names_once() {
    let texts = [
        "services:\n  web:\n    depends_on: [\"db\"]\n    links: ['db:alias']\n    networks: {front: {}}\n    command: >-\n      wait-for db:5432\n    environment:\n      A: \"postgres://db:5432/x\"\n      B: \"\\x41 http://db:80\"\n      C: http://${DB:-db}:80\n  db:\n    extends: {service: web}\nnetworks:\n  front:\n",
        "x-net: &net\n  networks: [front]\nservices:\n  a:\n    <<: *net\n  b:\n    <<: *net\n    network_mode: service:a\nnetworks:\n  front: {}\n",
    ];
    for text in texts {
        let yaml = Yaml::parse(text);
        assert!(yaml.error.is_none(), "{:?}", yaml.error);
        let vars = Vars::new();
        let p = Project::build(text, &yaml, &vars);
        let all = p.occurrences();
        assert!(!all.is_empty());
        let mut ranges = Vec::new();
        for o in &all {
            assert_eq!(&text[o.range.clone()], o.name, "{o:?} in {text:?}");
            assert!(!o.name.contains('$'), "{o:?}");
            ranges.push((o.range.start, o.range.end));
        }
        let n = ranges.len();
        ranges.sort();
        ranges.dedup();
        assert_eq!(ranges.len(), n, "{all:?}");
    }
    let text = texts[0];
    let yaml = Yaml::parse(text);
    let vars = Vars::new();
    let p = Project::build(text, &yaml, &vars);
    let db: Vec<&str> = p
        .occurrences_where(&|k, n| k == NameKind::Service && n == "db")
        .iter()
        .map(|o| &text[o.range.start.saturating_sub(4)..o.range.end])
        .collect();
    // depends_on, links, the folded command, the quoted URL, the definition; not the value
    // with an escape before it, nor the interpolated one.
    assert_eq!(db.len(), 5, "{db:?}");
}

/// The names-only model that navigation builds has the occurrences of the full model.
#[test]
fn the_names_model_has_the_full_models_occurrences() {
    for text in [
        "services:\n  web:\n    image: x\n    ports: [\"8080:80\"]\n    networks: [front]\n    depends_on: {db: {condition: service_healthy}}\n    links: [\"db:database\"]\n    command: [\"wait-for\", \"db:5432\"]\n    healthcheck: {test: [\"CMD\", \"curl\", \"http://db:80/\"]}\n    environment: [\"DB=postgres://db:5432\"]\n  side:\n    network_mode: \"service:web\"\n    extends: web\n  db:\n    extends: {file: base.yaml, service: app}\nnetworks:\n  front: {}\n",
        "x-net: &net\n  networks: [front]\nservices:\n  a:\n    <<: *net\n  b:\n    <<: *net\n    network_mode: service:a\nnetworks:\n  front: {}\n",
    ] {
        let yaml = Yaml::parse(text);
        let vars = Vars::new();
        let full = Project::build(text, &yaml, &vars).occurrences();
        let names = Project::build_names(text, &yaml, &|_| true).occurrences();
        assert!(full.len() > 3, "{full:?}");
        assert_eq!(names, full, "{text:?}");
    }
}
