//! Config files that services mount (`model::appconfig`), read through the workspace layer
//! and checked by the port rules: a project on disk per case, with its clean control.

use std::path::{Path, PathBuf};

use super::*;
use crate::classify::FileKind;
use crate::config::RuleSettings;

/// A project folder holding `files` (path, text).
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("portside-cfg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Each finding of `code` on `compose.yaml`: the text it spans, and the related texts
/// (`file:text` for another file).
fn found(dir: &Path, code: &str) -> Vec<(String, Vec<String>)> {
    super::tests::project_findings(dir, "compose.yaml", code)
}

fn messages(dir: &Path, code: &str) -> Vec<String> {
    let path = dir.join("compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ctx = context_for(&path, &text, &RuleSettings::default());
    crate::analysis::analyze_with(FileKind::Compose, &text, &ctx)
        .findings
        .into_iter()
        .filter(|f| f.code() == code)
        .map(|f| f.message)
        .collect()
}

const LOOPBACK: &str = "app-listens-on-loopback";
const MISMATCH: &str = "target-port-mismatch";
const NOT_LISTENING: &str = "service-port-not-listening";
const LOCALHOST: &str = "localhost-between-containers";

#[test]
fn mongod_conf_named_by_the_command() {
    let compose = "services:\n  mongo:\n    image: mongo:7\n    command: [\"mongod\", \"--config\", \"/etc/mongod.conf\"]\n    volumes:\n      - ./mongod.conf:/etc/mongod.conf:ro\n    ports: [\"27017:27017\"]\n  api:\n    image: node:20\n    environment:\n      MONGO_URL: mongodb://mongo:27017/app\n";
    let conf = "storage:\n  dbPath: /data/db\nnet:\n  port: 27017\n  bindIp: 127.0.0.1\n";
    let dir = project("mongo", &[("compose.yaml", compose), ("mongod.conf", conf)]);
    assert_eq!(
        found(&dir, LOOPBACK),
        [(
            "./mongod.conf:/etc/mongod.conf:ro".to_string(),
            vec!["mongod.conf:127.0.0.1".to_string()]
        )]
    );
    // Control: bindIpAll; and a file the command does not name is not read.
    let open = conf.replace("bindIp: 127.0.0.1", "bindIpAll: true");
    let dir = project(
        "mongo-all",
        &[("compose.yaml", compose), ("mongod.conf", &open)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
    let unnamed = compose.replace(
        "    command: [\"mongod\", \"--config\", \"/etc/mongod.conf\"]\n",
        "",
    );
    let dir = project(
        "mongo-unnamed",
        &[("compose.yaml", &unnamed), ("mongod.conf", conf)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
    // A flag on the command wins over the file.
    let flag = compose.replace(
        "\"/etc/mongod.conf\"]",
        "\"/etc/mongod.conf\", \"--bind_ip_all\"]",
    );
    let dir = project(
        "mongo-flag",
        &[("compose.yaml", &flag), ("mongod.conf", conf)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
}

#[test]
fn postgresql_conf_listen_addresses_and_port() {
    let compose = "services:\n  db:\n    image: postgres:16\n    command: postgres -c config_file=/etc/postgresql/postgresql.conf\n    volumes:\n      - ./postgresql.conf:/etc/postgresql/postgresql.conf\n    ports: [\"15432:5432\"]\n  app:\n    image: app\n    environment:\n      DATABASE_URL: postgres://app:app@db:5432/app\n";
    let conf = "listen_addresses = 'localhost'\nport = 5433\nshared_buffers = 128MB\n";
    let dir = project(
        "pg",
        &[("compose.yaml", compose), ("postgresql.conf", conf)],
    );
    assert_eq!(found(&dir, LOOPBACK).len(), 1);
    // The port moved to 5433: the mapping and the URL miss it.
    assert_eq!(
        found(&dir, MISMATCH),
        [(
            "\"15432:5432\"".to_string(),
            vec!["postgresql.conf:5433".to_string()]
        )]
    );
    assert_eq!(found(&dir, NOT_LISTENING).len(), 1);
    assert!(
        messages(&dir, NOT_LISTENING)[0]
            .contains("`postgresql.conf` makes PostgreSQL listen on 5433")
    );
    // Control: every interface, the default port.
    let good = "listen_addresses = '*'\nport = 5432\n";
    let dir = project(
        "pg-good",
        &[("compose.yaml", compose), ("postgresql.conf", good)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
    assert!(found(&dir, MISMATCH).is_empty());
    assert!(found(&dir, NOT_LISTENING).is_empty());
}

#[test]
fn redis_conf_moves_the_port() {
    let compose = "services:\n  cache:\n    image: redis:7\n    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n    volumes:\n      - ./redis.conf:/usr/local/etc/redis/redis.conf\n    ports: [\"16379:6379\"]\n  worker:\n    image: worker\n    environment:\n      REDIS_URL: redis://cache:6379/0\n";
    let conf = "bind 0.0.0.0\nport 6380\nappendonly yes\n";
    let dir = project(
        "redis-port",
        &[("compose.yaml", compose), ("redis.conf", conf)],
    );
    let f = found(&dir, MISMATCH);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, ["redis.conf:6380"]);
    assert_eq!(found(&dir, NOT_LISTENING).len(), 1);
    // Control: the mapping and the URL follow the file; the command's default (6379) no
    // longer counts.
    let moved = compose
        .replace("16379:6379", "16380:6380")
        .replace("cache:6379", "cache:6380");
    let dir = project(
        "redis-moved",
        &[("compose.yaml", &moved), ("redis.conf", conf)],
    );
    assert!(
        found(&dir, MISMATCH).is_empty(),
        "{:?}",
        found(&dir, MISMATCH)
    );
    assert!(found(&dir, NOT_LISTENING).is_empty());
    // Swapped sides: the published port is where the file listens.
    let swapped = compose.replace("16379:6379", "6380:6379");
    let dir = project(
        "redis-swap",
        &[("compose.yaml", &swapped), ("redis.conf", conf)],
    );
    assert!(messages(&dir, MISMATCH)[0].contains("swap them"));
}

#[test]
fn haproxy_binds_and_backends() {
    let compose = "services:\n  lb:\n    image: haproxy:3.0\n    volumes:\n      - ./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro\n    ports: [\"80:80\", \"8404:8404\"]\n  web:\n    image: nginx:1.27\n    expose: [\"80\"]\n";
    let conf = "defaults\n    mode http\n    timeout connect 5s\n\nfrontend http\n    bind :8080\n    default_backend web\n\nfrontend stats\n    bind *:8404\n    stats enable\n\nbackend web\n    server web1 127.0.0.1:80 check\n";
    let dir = project(
        "haproxy",
        &[("compose.yaml", compose), ("haproxy.cfg", conf)],
    );
    assert_eq!(
        found(&dir, MISMATCH),
        [(
            "\"80:80\"".to_string(),
            vec!["haproxy.cfg::8080".to_string()]
        )]
    );
    let f = found(&dir, LOCALHOST);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].1, ["haproxy.cfg:127.0.0.1"]);
    let m = &messages(&dir, LOCALHOST)[0];
    assert!(m.contains("(`web` listens on 80: `web:80`)"), "{m}");
    // Control: binds on the mapped ports, the backend by name.
    let good = conf
        .replace("bind :8080", "bind :80")
        .replace("127.0.0.1:80", "web:80");
    let dir = project(
        "haproxy-good",
        &[("compose.yaml", compose), ("haproxy.cfg", &good)],
    );
    assert!(found(&dir, MISMATCH).is_empty());
    assert!(found(&dir, LOCALHOST).is_empty());
}

#[test]
fn caddyfile_sites_and_reverse_proxy() {
    let compose = "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n    ports: [\"8080:80\"]\n  app:\n    image: app\n    expose: [\"3000\"]\n";
    let conf = ":8080 {\n\treverse_proxy localhost:3000\n}\n";
    let dir = project("caddy", &[("compose.yaml", compose), ("Caddyfile", conf)]);
    assert_eq!(found(&dir, MISMATCH).len(), 1);
    assert!(messages(&dir, MISMATCH)[0].contains("swap them"));
    assert_eq!(found(&dir, LOCALHOST).len(), 1);
    // Control.
    let good = ":80 {\n\treverse_proxy app:3000\n}\n";
    let dir = project(
        "caddy-good",
        &[("compose.yaml", compose), ("Caddyfile", good)],
    );
    assert!(found(&dir, MISMATCH).is_empty());
    assert!(found(&dir, LOCALHOST).is_empty());
    // A bind to loopback.
    let bound = ":80 {\n\tbind 127.0.0.1\n\treverse_proxy app:3000\n}\n";
    let dir = project(
        "caddy-bind",
        &[("compose.yaml", compose), ("Caddyfile", bound)],
    );
    assert_eq!(found(&dir, LOOPBACK).len(), 1);
}

#[test]
fn prometheus_scrapes_from_its_own_container() {
    let compose = "services:\n  prometheus:\n    image: prom/prometheus:v2.53.0\n    volumes:\n      - ./prometheus:/etc/prometheus\n    ports: [\"9090:9090\"]\n  node-exporter:\n    image: prom/node-exporter:v1.8.1\n    expose: [\"9100\"]\n";
    let conf = "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: node\n    static_configs:\n      - targets: ['localhost:9100']\n";
    let dir = project(
        "prom",
        &[
            ("compose.yaml", compose),
            ("prometheus/prometheus.yml", conf),
        ],
    );
    let f = found(&dir, LOCALHOST);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, ["prometheus.yml:localhost"]);
    assert!(messages(&dir, LOCALHOST)[0].contains("makes Prometheus scrape localhost:9100"));
    // Control: itself on 9090 and the exporter by name.
    let good = conf.replace("localhost:9100", "node-exporter:9100");
    let dir = project(
        "prom-good",
        &[
            ("compose.yaml", compose),
            ("prometheus/prometheus.yml", &good),
        ],
    );
    assert!(found(&dir, LOCALHOST).is_empty());
    // A command naming another config file: this one is not read.
    let other = compose.replace(
        "    ports:",
        "    command: [\"--config.file=/etc/prom.yml\"]\n    ports:",
    );
    let dir = project(
        "prom-other",
        &[
            ("compose.yaml", &other),
            ("prometheus/prometheus.yml", conf),
        ],
    );
    assert!(found(&dir, LOCALHOST).is_empty());
}

#[test]
fn traefik_entrypoints_and_file_provider() {
    let compose = "services:\n  traefik:\n    image: traefik:v3.1\n    volumes:\n      - ./traefik.yml:/etc/traefik/traefik.yml:ro\n      - ./dynamic.yml:/etc/traefik/dynamic.yml:ro\n    ports: [\"80:80\", \"8080:8080\"]\n  whoami:\n    image: traefik/whoami\n";
    let conf = "entryPoints:\n  web:\n    address: \":8000\"\napi:\n  insecure: true\nproviders:\n  file:\n    filename: /etc/traefik/dynamic.yml\n";
    let dynamic = "http:\n  routers:\n    app:\n      rule: PathPrefix(`/`)\n      service: app\n  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:5000\n";
    let dir = project(
        "traefik",
        &[
            ("compose.yaml", compose),
            ("traefik.yml", conf),
            ("dynamic.yml", dynamic),
        ],
    );
    // 80 is not an entry point (8000 is); 8080 is the dashboard.
    assert_eq!(
        found(&dir, MISMATCH).len(),
        1,
        "{:?}",
        found(&dir, MISMATCH)
    );
    assert_eq!(found(&dir, LOCALHOST).len(), 1);
    let good = conf.replace(":8000", ":80");
    let good_dyn = dynamic.replace("127.0.0.1:5000", "whoami:80");
    let dir = project(
        "traefik-good",
        &[
            ("compose.yaml", compose),
            ("traefik.yml", &good),
            ("dynamic.yml", &good_dyn),
        ],
    );
    assert!(found(&dir, MISMATCH).is_empty());
    assert!(found(&dir, LOCALHOST).is_empty());
}

#[test]
fn httpd_listen_and_nginx_folder_mounts() {
    let compose = "services:\n  web:\n    image: httpd:2.4\n    volumes:\n      - ./httpd.conf:/usr/local/apache2/conf/httpd.conf\n    ports: [\"8080:80\"]\n";
    let conf = "ServerRoot \"/usr/local/apache2\"\nListen 127.0.0.1:80\nServerName localhost\n";
    let dir = project("httpd", &[("compose.yaml", compose), ("httpd.conf", conf)]);
    assert_eq!(found(&dir, LOOPBACK).len(), 1);
    assert!(found(&dir, MISMATCH).is_empty());
    let dir = project(
        "httpd-good",
        &[("compose.yaml", compose), ("httpd.conf", "Listen 80\n")],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
    // A conf.d folder mount replaces the image's default.conf: its files decide.
    let compose = "services:\n  proxy:\n    image: nginx:1.27\n    volumes: [\"./conf.d:/etc/nginx/conf.d:ro\"]\n    ports: [\"80:80\"]\n";
    let site = "server {\n    listen 8080;\n    location / { proxy_pass http://api:3000; }\n}\n";
    let dir = project(
        "nginx-dir",
        &[("compose.yaml", compose), ("conf.d/site.conf", site)],
    );
    assert_eq!(found(&dir, MISMATCH).len(), 1);
    let dir = project(
        "nginx-dir-good",
        &[
            ("compose.yaml", compose),
            ("conf.d/site.conf", &site.replace("8080", "80")),
        ],
    );
    assert!(found(&dir, MISMATCH).is_empty());
    // A single site file beside the image's default.conf (which listens on 80): nothing.
    let compose = "services:\n  proxy:\n    image: nginx:1.27\n    volumes: [\"./site.conf:/etc/nginx/conf.d/site.conf:ro\"]\n    ports: [\"80:80\"]\n";
    let dir = project(
        "nginx-beside",
        &[("compose.yaml", compose), ("site.conf", site)],
    );
    assert!(found(&dir, MISMATCH).is_empty());
}

/// An image that bundles nginx with php-fpm runs both in one container: `127.0.0.1:9000`
/// there is php-fpm, and a loopback `listen` may be meant for the other process.
#[test]
fn images_that_bundle_other_programs_are_not_judged() {
    let compose = "services:\n  web:\n    image: richarvey/nginx-php-fpm:3.1.6\n    volumes:\n      - ./default.conf:/etc/nginx/conf.d/default.conf\n    ports: [\"8080:80\"]\n";
    let conf = "server {\n    listen 80;\n    root /var/www/html;\n    location ~ \\.php$ {\n        fastcgi_pass 127.0.0.1:9000;\n    }\n}\n";
    let dir = project(
        "bundled",
        &[("compose.yaml", compose), ("default.conf", conf)],
    );
    assert!(found(&dir, LOCALHOST).is_empty());
    assert!(found(&dir, MISMATCH).is_empty());
    // The same file in the official image: php-fpm is not in nginx's container.
    let official = compose.replace("richarvey/nginx-php-fpm:3.1.6", "nginx:1.27");
    let dir = project(
        "bundled-official",
        &[("compose.yaml", &official), ("default.conf", conf)],
    );
    assert_eq!(found(&dir, LOCALHOST).len(), 1);
}

#[test]
fn upstreams_at_a_host_port() {
    let compose = "services:\n  proxy:\n    image: nginx:1.27\n    volumes: [\"./default.conf:/etc/nginx/conf.d/default.conf:ro\"]\n    ports: [\"80:80\"]\n  api:\n    image: ghcr.io/example/api:2\n    ports: [\"8081:3000\"]\n";
    let conf = "server {\n    listen 80;\n    location /api/ { proxy_pass http://api:8081/; }\n}\n";
    let dir = project(
        "hostport",
        &[("compose.yaml", compose), ("default.conf", conf)],
    );
    let f = found(&dir, "published-port-between-containers");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].1, ["default.conf:api", "\"8081:3000\""]);
    let good = conf.replace("api:8081", "api:3000");
    let dir = project(
        "hostport-good",
        &[("compose.yaml", compose), ("default.conf", &good)],
    );
    assert!(found(&dir, "published-port-between-containers").is_empty());
}

#[test]
fn healthchecks_against_the_port_a_config_sets() {
    let compose = "services:\n  web:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./default.conf:/etc/nginx/conf.d/default.conf:ro\n    ports: [\"8080:8080\"]\n    healthcheck:\n      test: [\"CMD\", \"wget\", \"-qO-\", \"http://localhost:80/\"]\n";
    let conf = "server {\n    listen 8080;\n    root /usr/share/nginx/html;\n}\n";
    let dir = project(
        "health",
        &[("compose.yaml", compose), ("default.conf", conf)],
    );
    let f = found(&dir, "healthcheck-port-not-listening");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, ["default.conf:8080"]);
    assert!(found(&dir, MISMATCH).is_empty());
    let good = compose.replace("localhost:80/", "localhost:8080/");
    let dir = project(
        "health-good",
        &[("compose.yaml", &good), ("default.conf", conf)],
    );
    assert!(found(&dir, "healthcheck-port-not-listening").is_empty());
}

/// nginx.conf with `include mime.types` and `include /etc/nginx/conf.d/*.conf`, beside a
/// mounted conf.d folder: every file nginx reads is known, so their listens decide.
#[test]
fn nginx_conf_with_includes_of_mounted_files() {
    let compose = "services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/conf.d:/etc/nginx/conf.d:ro\n    ports: [\"80:80\"]\n";
    let main = "worker_processes auto;\nevents { worker_connections 1024; }\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    include /etc/nginx/conf.d/*.conf;\n}\n";
    let site = "server {\n    listen 8080;\n    location / { proxy_pass http://app:3000; }\n}\n";
    let dir = project(
        "nginx-main",
        &[
            ("compose.yaml", compose),
            ("nginx/nginx.conf", main),
            ("nginx/conf.d/app.conf", site),
        ],
    );
    assert_eq!(
        found(&dir, MISMATCH).len(),
        1,
        "{:?}",
        found(&dir, MISMATCH)
    );
    let good = site.replace("8080", "80");
    let dir = project(
        "nginx-main-good",
        &[
            ("compose.yaml", compose),
            ("nginx/nginx.conf", main),
            ("nginx/conf.d/app.conf", &good),
        ],
    );
    assert!(found(&dir, MISMATCH).is_empty());
    // An include of something not mounted (sites-enabled): unknown, nothing said.
    let other = main.replace(
        "include /etc/nginx/conf.d/*.conf;",
        "include /etc/nginx/sites-enabled/*;",
    );
    let dir = project(
        "nginx-main-other",
        &[
            ("compose.yaml", compose),
            ("nginx/nginx.conf", &other),
            ("nginx/conf.d/app.conf", site),
        ],
    );
    assert!(
        found(&dir, MISMATCH).is_empty(),
        "{:?}",
        messages(&dir, MISMATCH)
    );
}

#[test]
fn pg_hba_that_admits_only_local_clients() {
    let compose = "services:\n  db:\n    image: postgres:16\n    command: [\"postgres\", \"-c\", \"hba_file=/etc/postgresql/pg_hba.conf\"]\n    volumes:\n      - ./pg_hba.conf:/etc/postgresql/pg_hba.conf:ro\n  app:\n    image: app\n    environment:\n      DATABASE_URL: postgres://app:app@db:5432/app\n";
    let hba = "# TYPE  DATABASE  USER  ADDRESS       METHOD\nlocal   all       all                 trust\nhost    all       all   127.0.0.1/32  scram-sha-256\n";
    let dir = project("hba", &[("compose.yaml", compose), ("pg_hba.conf", hba)]);
    let f = found(&dir, LOOPBACK);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].1[0].starts_with("pg_hba.conf:local"), "{f:?}");
    let good = format!("{hba}host    all       all   all           scram-sha-256\n");
    let dir = project(
        "hba-good",
        &[("compose.yaml", compose), ("pg_hba.conf", &good)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
    // Not named by the command: the image's own pg_hba.conf in PGDATA is read.
    let unnamed = compose.replace(
        "    command: [\"postgres\", \"-c\", \"hba_file=/etc/postgresql/pg_hba.conf\"]\n",
        "",
    );
    let dir = project(
        "hba-unnamed",
        &[("compose.yaml", &unnamed), ("pg_hba.conf", hba)],
    );
    assert!(found(&dir, LOOPBACK).is_empty());
}
