use std::path::{Path, PathBuf};

use super::*;
use crate::analysis::Context;

fn map(text: &str) -> Topology {
    of_compose(text, &Context::default()).expect("a map")
}

/// A folder `/project` holding `files` (name, text), and a reader of it for the workspace
/// layer.
fn folder(files: &[(&str, &str)]) -> (PathBuf, impl Fn(&Path) -> Option<String>) {
    let dir = PathBuf::from("/project");
    let files: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(n, t)| (dir.join(n), t.to_string()))
        .collect();
    let read = move |p: &Path| {
        files
            .iter()
            .find(|(path, _)| path == p)
            .map(|(_, t)| t.clone())
    };
    (dir, read)
}

/// The map of `main` in a folder with the other files, read through the workspace layer.
fn map_in(main: &str, files: &[(&str, &str)]) -> Topology {
    let (dir, read) = folder(files);
    let path = dir.join("compose.yaml");
    let text = read(&path).expect("main file");
    assert_eq!(text, main);
    let ctx =
        crate::workspace::context_in(&path, &text, Default::default(), &Default::default(), &read);
    of_compose(&text, &ctx).expect("a map")
}

fn service<'t>(t: &'t Topology, name: &str) -> &'t MapService {
    t.services.iter().find(|s| s.name == name).expect(name)
}

fn network<'t>(t: &'t Topology, name: &str) -> &'t MapNetwork {
    t.networks.iter().find(|n| n.name == name).expect(name)
}

const SHOP: &str = "\
services:
  proxy:
    image: nginx:1.27
    ports:
      - \"80:80\"
      - \"127.0.0.1:8443:443/tcp\"
    networks: [front]
    depends_on: [api]
  api:
    build: ./api
    command: [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]
    environment:
      DATABASE_URL: postgres://app:pw@db:5432/app
      REDIS_URL: redis://cache:6379/0
    networks: [front, back]
  db:
    image: postgres:16
    networks:
      back:
        aliases: [database]
  cache:
    image: redis:7
    networks: [back]
networks:
  front:
    driver: bridge
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
";

#[test]
fn shared_and_internal_networks() {
    let t = map(SHOP);
    let names: Vec<&str> = t.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api", "cache", "db", "proxy"], "sorted by name");
    assert_eq!(
        service(&t, "api").sharing,
        Sharing::Networks(vec!["back".into(), "front".into()])
    );
    assert!(service(&t, "api").build);
    assert_eq!(service(&t, "db").image.as_deref(), Some("postgres:16"));
    assert!(
        service(&t, "db").listens.contains(&5432),
        "{:?}",
        service(&t, "db")
    );
    assert!(service(&t, "cache").listens.contains(&6379));
    let back = network(&t, "back");
    assert!(back.internal && !back.external);
    assert_eq!(back.subnets, ["10.20.0.0/24"]);
    assert_eq!(network(&t, "front").driver.as_deref(), Some("bridge"));
    assert!(back.span.is_some());
    assert!(
        !t.networks.iter().any(|n| n.name == "default"),
        "no service is on default"
    );
    // Published ports: host address, port, protocol, every interface marked.
    let published: Vec<(&str, &str, bool, u16)> = t
        .published
        .iter()
        .map(|p| {
            (
                p.host_ip.as_str(),
                p.host_port.as_str(),
                p.every_interface,
                p.container_port,
            )
        })
        .collect();
    assert_eq!(
        published,
        [("", "80", true, 80), ("127.0.0.1", "8443", false, 443)]
    );
    assert_eq!(&SHOP[t.published[0].span.clone()], "\"80:80\"");
    // Connections: URLs with their port, depends_on.
    let conns: Vec<(&str, Option<&str>, Option<u16>)> = t
        .connections
        .iter()
        .map(|c| (c.from.as_str(), c.to.as_deref(), c.port))
        .collect();
    assert_eq!(
        conns,
        [
            ("api", Some("db"), Some(5432)),
            ("api", Some("cache"), Some(6379)),
            ("proxy", Some("api"), None),
        ]
    );
    assert_eq!(&SHOP[t.connections[0].span.clone()], "db:5432");
    assert!(
        t.connections.iter().all(|c| c.findings.is_empty()),
        "{t:#?}"
    );
    // The spans lead back to the YAML.
    assert!(SHOP[service(&t, "db").span.clone()].starts_with("db:\n    image"));
}

#[test]
fn an_alias_reaches_its_service() {
    let text = SHOP.replace("db:5432", "database:5432");
    let t = map(&text);
    assert_eq!(t.connections[0].to.as_deref(), Some("db"));
    assert_eq!(t.connections[0].host, "database");
}

#[test]
fn host_mode_and_service_sharing() {
    let text = "\
services:
  vpn:
    image: qmcgaw/gluetun
    ports:
      - \"8080:8080\"
  torrent:
    image: linuxserver/qbittorrent
    network_mode: service:vpn
  exporter:
    image: prom/node-exporter
    network_mode: host
    ports:
      - \"9100:9100\"
  app:
    image: busybox
";
    let t = map(text);
    assert_eq!(
        service(&t, "torrent").sharing,
        Sharing::Service("vpn".into())
    );
    assert_eq!(service(&t, "exporter").sharing, Sharing::Host);
    assert_eq!(
        service(&t, "app").sharing,
        Sharing::Networks(vec!["default".into()])
    );
    // Only the services on project networks make the implicit default network.
    let nets: Vec<&str> = t.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(nets, ["default"]);
    assert_eq!(network(&t, "default").span, None);
    // Docker discards ports with network_mode: host; the rule's finding is on the service.
    assert!(t.published.iter().all(|p| p.service != "exporter"));
    assert!(
        service(&t, "exporter")
            .findings
            .iter()
            .any(|m| m.code == "network-mode-host-with-ports"),
        "{:?}",
        service(&t, "exporter").findings
    );
}

#[test]
fn refused_connections_carry_the_rules_finding() {
    let text = "\
services:
  api:
    image: node:22
    command: [\"node\", \"server.js\"]
    environment:
      DATABASE_URL: postgres://u:p@localhost:5432/app
      CACHE_URL: redis://cache:6380/0
  cache:
    image: redis:7
    ports:
      - \"6380:6379\"
  db:
    image: postgres:16
";
    let t = map(text);
    let local = t
        .connections
        .iter()
        .find(|c| c.host == "localhost")
        .expect("a finding keeps the localhost reference on the map");
    assert_eq!(local.to, None);
    assert!(local.refused());
    assert_eq!(local.findings[0].code, "localhost-between-containers");
    let cache = t
        .connections
        .iter()
        .find(|c| c.to.as_deref() == Some("cache"))
        .unwrap();
    assert!(cache.refused(), "{cache:#?}");
    assert_eq!(cache.findings[0].code, "published-port-between-containers");
    assert!(t.published[0].every_interface);
}

#[test]
fn a_reference_to_an_unknown_host_without_finding_is_left_out() {
    let text = "\
services:
  api:
    image: node:22
    environment:
      UPSTREAM: https://example.com/api
";
    let t = map(text);
    assert!(t.connections.is_empty(), "{:?}", t.connections);
}

/// A base file whose `web` names `worker`, which only the override file defines.
const WEB_AND_WORKER: &str = "\
services:
  web:
    image: nginx
    networks: [front]
    environment:
      BACKEND: http://worker:9000
networks:
  front: {}
";

#[test]
fn an_override_file_counts() {
    let main = WEB_AND_WORKER;
    let over = "\
services:
  web:
    ports:
      - \"8080:80\"
  worker:
    image: busybox
    networks: [front]
";
    let t = map_in(
        main,
        &[("compose.yaml", main), ("compose.override.yaml", over)],
    );
    // The override's service is known as a name: a connection to it is drawn (to a host
    // node); the map draws the services of the file it is asked for.
    assert_eq!(t.services.len(), 1);
    let to_worker = &t.connections[0];
    assert_eq!((to_worker.to.as_deref(), to_worker.elsewhere), (None, true));
    assert_eq!(to_worker.port, Some(9000));
    assert!(to_worker.findings.is_empty(), "{:?}", to_worker.findings);
    assert_eq!(
        service(&t, "web").sharing,
        Sharing::Networks(vec!["front".into()])
    );
}

#[test]
fn a_syntax_error_is_no_map() {
    let err = of_compose("services:\n  web: [\n", &Context::default()).unwrap_err();
    assert!(err.offset.is_some());
    assert!(!err.message.is_empty());
}

#[test]
fn renderings_are_deterministic_and_well_formed() {
    for text in [
        SHOP,
        "services: {}\n",
        "",
        "services:\n  a:\n    network_mode: service:a\n",
    ] {
        let Ok(t) = of_compose(text, &Context::default()) else {
            continue;
        };
        let (m, d, s) = (render::mermaid(&t), render::dot(&t), render::svg(&t));
        assert!(m.starts_with("flowchart LR\n"));
        assert!(d.starts_with("digraph portside {") && d.ends_with("}\n"));
        assert!(
            s.contains("<svg") && s.trim_end().ends_with("</svg>"),
            "{s}"
        );
        assert_eq!(render::mermaid(&t), m);
        assert_eq!(render::dot(&t), d);
        assert_eq!(render::svg(&t), s);
    }
}

#[test]
fn findings_become_tooltips_in_svg() {
    let text = "\
services:
  api:
    image: node:22
    command: [\"node\", \"server.js\"]
    environment:
      DATABASE_URL: postgres://u:p@localhost:5432/app
  db:
    image: postgres:16
";
    let t = map(text);
    let svg = render::svg(&t);
    assert!(
        svg.contains("<title>localhost-between-containers: Inside `api`"),
        "{svg}"
    );
    assert!(svg.contains("#d32f2f"));
    let mermaid = render::mermaid(&t);
    assert!(mermaid.contains("linkStyle 0 stroke:#d32f2f"), "{mermaid}");
}

fn proxied(t: &Topology) -> Vec<(&str, &str, Option<u16>, Option<&str>)> {
    t.connections
        .iter()
        .filter_map(|c| match &c.kind {
            ConnectionKind::Proxy { via, rule } => Some((
                c.from.as_str(),
                c.to.as_deref().unwrap_or(""),
                c.port,
                rule.as_deref().or(Some(via)),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn traefik_labels_are_connections_from_the_traefik_service() {
    let text = "\
services:
  traefik:
    image: traefik:v3.1
    command: [\"--providers.docker=true\"]
    ports: [\"80:80\"]
    labels:
      - traefik.http.routers.dash.rule=Host(`traefik.localhost`)
  whoami:
    image: traefik/whoami
    labels:
      - traefik.http.routers.who.rule=Host(`who.localhost`)
      - traefik.http.services.who.loadBalancer.server.port=8080
  api:
    build: ./api
    labels:
      traefik.http.routers.api.rule: PathPrefix(`/api`)
      traefik.http.routers.api.service: api-svc
      traefik.http.routers.web.rule: Host(`web.localhost`)
      traefik.http.routers.web.service: web-svc
      traefik.http.services.api-svc.loadbalancer.server.port: \"3000\"
      traefik.http.services.web-svc.loadbalancer.server.port: \"3001\"
  off:
    image: busybox
    labels:
      traefik.enable: \"false\"
      traefik.http.routers.off.rule: Host(`off.localhost`)
";
    let t = map(text);
    assert_eq!(
        proxied(&t),
        [
            (
                "traefik",
                "whoami",
                Some(8080),
                Some("Host(`who.localhost`)")
            ),
            ("traefik", "api", Some(3000), Some("PathPrefix(`/api`)")),
            ("traefik", "api", Some(3001), Some("Host(`web.localhost`)")),
        ],
        "the proxy's own labels and `traefik.enable: false` make no connection"
    );
    let who = t
        .connections
        .iter()
        .find(|c| c.to.as_deref() == Some("whoami"))
        .unwrap();
    assert_eq!(
        &text[who.span.clone()],
        "traefik.http.services.who.loadBalancer.server.port=8080"
    );
    let mermaid = render::mermaid(&t);
    assert!(
        mermaid.contains("-->|\"traefik Host('who.localhost') :8080\"|"),
        "{mermaid}"
    );
}

#[test]
fn routers_without_a_port_label_and_no_proxy_in_the_file() {
    let with = "\
services:
  proxy:
    image: docker.io/library/traefik:3
  app:
    image: nginx
    labels: [\"traefik.http.routers.app.rule=Host(`app.example.com`)\"]
";
    let t = map(with);
    assert_eq!(
        proxied(&t),
        [("proxy", "app", None, Some("Host(`app.example.com`)"))]
    );
    // The same labels with the proxy in another project: nothing to draw from.
    let without = with.replace("docker.io/library/traefik:3", "nginx");
    assert!(proxied(&map(&without)).is_empty());
}

#[test]
fn nginx_proxy_virtual_hosts_and_caddy_docker_proxy_labels() {
    let text = "\
services:
  nginx-proxy:
    image: nginxproxy/nginx-proxy:1.6
    ports: [\"80:80\"]
  blog:
    image: ghost:5
    environment:
      - VIRTUAL_HOST=blog.example.com
      - VIRTUAL_PORT=2368
  wiki:
    image: nginx
    environment:
      VIRTUAL_HOST: wiki.example.com
  caddy:
    image: lucaslorentz/caddy-docker-proxy:ci-alpine
  kuma:
    image: louislam/uptime-kuma:1
    labels:
      caddy: status.example.org
      caddy.reverse_proxy: \"* {{upstreams 3001}}\"
      caddy_1: other.example.org
      caddy_1.reverse_proxy: \"{{upstreams}}\"
";
    let t = map(text);
    assert_eq!(
        proxied(&t),
        [
            ("caddy", "kuma", Some(3001), Some("status.example.org")),
            ("caddy", "kuma", None, Some("other.example.org")),
            ("nginx-proxy", "blog", Some(2368), Some("blog.example.com")),
            ("nginx-proxy", "wiki", None, Some("wiki.example.com")),
        ]
    );
    // VIRTUAL_HOST is a name browsers use, not a connection of `wiki` itself.
    assert!(
        t.connections
            .iter()
            .all(|c| matches!(c.kind, ConnectionKind::Proxy { .. }))
    );
}

/// Live verdicts colour published ports and references: green reached, red refused with
/// the probe's words, grey unknown; without verdicts the renderings are what they were.
#[test]
fn live_verdicts_are_painted() {
    let t = map(SHOP);
    let plain = (render::mermaid(&t), render::svg(&t), render::dot(&t));
    let unpainted = paint(t.clone(), &Verdicts::default());
    assert!(
        unpainted
            .published
            .iter()
            .all(|p| matches!(p.live, Some(Live::Unknown(_))))
    );
    assert_eq!(
        (render::mermaid(&t), render::svg(&t), render::dot(&t)),
        plain,
        "painting is a new topology; the old one renders as before"
    );
    let v = Verdicts {
        ports: vec![
            PortVerdict {
                service: "proxy".into(),
                entry_start: t.published[0].span.start,
                host_ip: String::new(),
                host_port: "80".into(),
                container_port: 80,
                protocol: "tcp".into(),
                live: Live::Reached("127.0.0.1:80 answers.".into()),
            },
            PortVerdict {
                service: "proxy".into(),
                entry_start: t.published[1].span.start,
                host_ip: "127.0.0.1".into(),
                host_port: "8443".into(),
                container_port: 443,
                protocol: "tcp".into(),
                live: Live::Refused("nothing in `proxy` listens on container port 443".into()),
            },
        ],
        connections: vec![ConnectionVerdict {
            from: "api".into(),
            to: "db".into(),
            port: Some(5432),
            live: Live::Refused("nothing in `db` listens on port 5432".into()),
        }],
    };
    let painted = paint(t, &v);
    assert!(matches!(painted.published[0].live, Some(Live::Reached(_))));
    assert!(matches!(painted.published[1].live, Some(Live::Refused(_))));
    let live_of = |to: &str| {
        painted
            .connections
            .iter()
            .find(|c| c.to.as_deref() == Some(to))
            .and_then(|c| c.live.clone())
    };
    assert!(matches!(live_of("db"), Some(Live::Refused(_))));
    assert!(
        matches!(live_of("cache"), Some(Live::Unknown(_))),
        "no verdict: unknown"
    );
    assert_eq!(live_of("api"), None, "depends_on is no network path");
    let svg = render::svg(&painted);
    assert!(svg.contains("data-live=\"reached\""), "{svg}");
    assert!(svg.contains("data-live=\"refused\""), "{svg}");
    assert!(svg.contains("data-live=\"unknown\""), "{svg}");
    assert!(svg.contains("#2e7d32") && svg.contains("#d32f2f") && svg.contains("#9e9e9e"));
    assert!(
        svg.contains("<title>live (refused): nothing in `db` listens on port 5432</title>"),
        "{svg}"
    );
    let mermaid = render::mermaid(&painted);
    // Link 0 is `api`'s second network; 1 and 2 the published ports.
    assert!(mermaid.contains("linkStyle 1 stroke:#2e7d32"), "{mermaid}");
    assert!(mermaid.contains("linkStyle 2 stroke:#d32f2f"), "{mermaid}");
    assert!(
        mermaid.contains("live ✗ nothing in 'db' listens on port 5432"),
        "{mermaid}"
    );
    let dot = render::dot(&painted);
    assert!(dot.contains("color=\"#2e7d32\""), "{dot}");

    // A proxy route is painted by the verdict on the proxy reaching the service.
    let text = "services:\n  traefik:\n    image: traefik:v3\n  app:\n    image: nginx\n    labels: [\"traefik.http.services.app.loadbalancer.server.port=80\"]\n";
    let t = map(text);
    assert!(matches!(
        paint(t.clone(), &Verdicts::default()).connections[0].live,
        Some(Live::Unknown(_))
    ));
    let v = Verdicts {
        ports: vec![],
        connections: vec![ConnectionVerdict {
            from: "traefik".into(),
            to: "app".into(),
            port: Some(80),
            live: Live::Refused("`traefik` and `app` share no network".into()),
        }],
    };
    assert!(matches!(
        paint(t, &v).connections[0].live,
        Some(Live::Refused(_))
    ));
}

/// The project map of `main` in a folder with the other files, each file's context read
/// through the workspace layer.
fn project_in(main: &str, files: &[(&str, &str)]) -> Topology {
    let (dir, read) = folder(files);
    let context = |p: &Path, t: &str| {
        crate::workspace::context_in(p, t, Default::default(), &Default::default(), &read)
    };
    let path = dir.join("compose.yaml");
    of_project(main, &context(&path, main), &context).expect("a map")
}

#[test]
fn included_files_add_their_services_networks_and_connections() {
    let main = "\
include:
  - db/compose.yaml
services:
  api:
    image: node:22
    command: [node, server.js]
    environment:
      DATABASE_URL: postgres://db:5432/app
    networks: [back]
    ports: [\"3000:3000\"]
networks:
  back: {}
";
    let db = "\
services:
  db:
    image: postgres:16
    networks: [back]
  admin:
    image: adminer
    ports: [\"8081:8080\"]
    environment:
      ADMINER_DEFAULT_SERVER: db
    networks: [back]
";
    let t = project_in(main, &[("compose.yaml", main), ("db/compose.yaml", db)]);
    let names: Vec<&str> = t.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["admin", "api", "db"]);
    let included = PathBuf::from("/project/db/compose.yaml");
    assert_eq!(service(&t, "db").file.as_ref(), Some(&included));
    assert_eq!(service(&t, "api").file, None);
    // One `back` network, declared in the analysed file.
    assert_eq!(t.networks.len(), 1, "{:?}", t.networks);
    assert_eq!(network(&t, "back").file, None);
    // The reference to `db` now reaches the drawn service.
    let to_db = t
        .connections
        .iter()
        .find(|c| c.from == "api" && c.host == "db")
        .expect("api → db");
    assert_eq!((to_db.to.as_deref(), to_db.elsewhere), (Some("db"), false));
    assert_eq!(to_db.port, Some(5432));
    // The included file's port, with its place in that file.
    let admin_port = t
        .published
        .iter()
        .find(|p| p.service == "admin")
        .expect("8081");
    assert_eq!(
        (admin_port.host_port.as_str(), admin_port.container_port),
        ("8081", 8080)
    );
    assert_eq!(admin_port.file.as_ref(), Some(&included));
    assert_eq!(&db[admin_port.span.clone()], "\"8081:8080\"");
    // Elements name the other file, so an editor can open it.
    let elements = render::elements(&t);
    let admin = elements
        .iter()
        .find(|e| e.label == "service admin")
        .expect("admin");
    assert_eq!(admin.file.as_ref(), Some(&included));
    assert!(db[admin.span.clone()].starts_with("admin:"));
    // The SVG draws them all, and the rendering is as stable as a single file's.
    let svg = render::svg(&t);
    assert!(svg.contains(">db<") || svg.contains("db</tspan>"), "{svg}");
    assert_eq!(
        svg,
        render::svg(&project_in(
            main,
            &[("compose.yaml", main), ("db/compose.yaml", db)]
        ))
    );
}

#[test]
fn an_override_file_merges_into_its_services() {
    let main = WEB_AND_WORKER;
    let over = "\
services:
  web:
    ports:
      - \"8080:80\"
  worker:
    image: busybox
    command: [httpd, -f, -p, \"9000\"]
    networks: [front]
";
    let t = project_in(
        main,
        &[("compose.yaml", main), ("compose.override.yaml", over)],
    );
    assert_eq!(t.services.len(), 2);
    // `web` stays one service: its networks from here, its port from the override.
    let web = service(&t, "web");
    assert_eq!(web.file, None);
    assert_eq!(web.sharing, Sharing::Networks(vec!["front".into()]));
    let published: Vec<(&str, &str, u16)> = t
        .published
        .iter()
        .map(|p| (p.service.as_str(), p.host_port.as_str(), p.container_port))
        .collect();
    assert_eq!(published, [("web", "8080", 80)]);
    assert!(t.published[0].file.is_some());
    // No implicit `default` network: the override's `web` names none, but the merged one does.
    assert_eq!(
        t.networks
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        ["front"]
    );
    let to_worker = t
        .connections
        .iter()
        .find(|c| c.host == "worker")
        .expect("web → worker");
    assert_eq!(to_worker.to.as_deref(), Some("worker"));
}

#[test]
fn an_override_that_sets_host_mode_wins_and_publishes_nothing() {
    let main = "\
services:
  exporter:
    image: prom/node-exporter
    ports: [\"9100:9100\"]
";
    let over = "\
services:
  exporter:
    network_mode: host
";
    let t = project_in(
        main,
        &[("compose.yaml", main), ("compose.override.yaml", over)],
    );
    assert_eq!(service(&t, "exporter").sharing, Sharing::Host);
    assert!(t.published.is_empty(), "{:?}", t.published);
    assert!(t.networks.is_empty(), "{:?}", t.networks);
}

#[test]
fn a_file_that_does_not_parse_adds_nothing() {
    let main = "\
include:
  - broken.yaml
services:
  web:
    image: nginx
";
    let t = project_in(
        main,
        &[
            ("compose.yaml", main),
            ("broken.yaml", "services:\n  x: [\n"),
        ],
    );
    assert_eq!(t.services.len(), 1);
}
