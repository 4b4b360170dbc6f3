use super::*;

#[test]
fn nginx_listens_and_upstreams() {
    let text = "# proxy\nupstream app {\n    server 127.0.0.1:3000;\n    server api:8000 weight=2;\n}\nserver {\n    listen 8080 default_server;\n    listen [::]:8080;\n    location / { proxy_pass http://localhost:3000/; }\n    location /v2 {\n        proxy_pass http://api:8000;  # the service\n        proxy_pass http://$backend;\n    }\n}\n";
    let c = read(Kind::Nginx, text);
    let listens: Vec<_> = c.listens.iter().map(|l| (l.host.clone(), l.port)).collect();
    assert_eq!(
        listens,
        [(None, Some(8080)), (Some("::".into()), Some(8080))]
    );
    let ups: Vec<_> = c
        .upstreams
        .iter()
        .map(|u| (&text[u.span.clone()], u.port))
        .collect();
    assert_eq!(
        ups,
        [
            ("127.0.0.1", Some(3000)),
            ("api", Some(8000)),
            ("localhost", Some(3000)),
            ("api", Some(8000))
        ]
    );
}

#[test]
fn redis_bind_and_port() {
    let c = read(
        Kind::Redis,
        "# bind 0.0.0.0\nbind 127.0.0.1 -::1\nport 6380\n",
    );
    let got: Vec<_> = c.listens.iter().map(|l| (l.host.clone(), l.port)).collect();
    assert_eq!(
        got,
        [
            (Some("127.0.0.1".into()), Some(6380)),
            (Some("::1".into()), Some(6380))
        ]
    );
    let c = read(Kind::Redis, "port 7000\n");
    assert_eq!(c.listens[0].port, Some(7000));
    assert!(read(Kind::Redis, "maxmemory 1gb\n").listens.is_empty());
}

#[test]
fn mysql_groups() {
    let text = "[client]\nport = 3307\n[mysqld]\nbind-address = 127.0.0.1\nport=3306\n";
    let c = read(Kind::MySql, text);
    assert_eq!(c.listens.len(), 1);
    assert_eq!(c.listens[0].host.as_deref(), Some("127.0.0.1"));
    assert_eq!(&text[c.listens[0].span.clone()], "127.0.0.1");
    assert_eq!(c.listens[0].port, Some(3306));
}

#[test]
fn kinds_by_mount_target() {
    assert_eq!(
        Kind::of_target("/etc/nginx/conf.d/default.conf"),
        Some(Kind::Nginx)
    );
    assert_eq!(Kind::of_target("/etc/nginx/nginx.conf"), Some(Kind::Nginx));
    assert_eq!(
        Kind::of_target("/usr/local/etc/redis/redis.conf"),
        Some(Kind::Redis)
    );
    assert_eq!(
        Kind::of_target("/etc/mysql/conf.d/my.cnf"),
        Some(Kind::MySql)
    );
    assert_eq!(Kind::of_target("/etc/nginx/conf.d"), None);
    assert_eq!(Kind::of_target("/data"), None);
}

/// (host, port, spanned text) of each listener.
fn listens(kind: Kind, text: &str) -> Vec<(Option<String>, Option<u16>, String)> {
    read(kind, text)
        .listens
        .iter()
        .map(|l| (l.host.clone(), l.port, text[l.span.clone()].to_string()))
        .collect()
}

/// (host, port, spanned text) of each connection.
fn upstreams(kind: Kind, text: &str) -> Vec<(String, Option<u16>, String)> {
    read(kind, text)
        .upstreams
        .iter()
        .map(|u| (u.host.clone(), u.port, text[u.span.clone()].to_string()))
        .collect()
}

fn l(host: Option<&str>, port: Option<u16>, at: &str) -> (Option<String>, Option<u16>, String) {
    (host.map(str::to_string), port, at.to_string())
}

fn u(host: &str, port: Option<u16>) -> (String, Option<u16>, String) {
    (host.to_string(), port, host.to_string())
}

#[test]
fn nginx_servers_without_listen_and_includes() {
    let text = "http {\n    include /etc/nginx/mime.types;\n    server {\n        server_name _;\n        location / { proxy_pass http://app:3000; }\n    }\n    server {\n        listen 8081;\n    }\n}\n";
    let c = read(Kind::Nginx, text);
    assert!(c.open, "include");
    assert_eq!(
        listens(Kind::Nginx, text),
        [l(None, Some(8081), "8081"), l(None, Some(80), "server")]
    );
    // stream servers listen and proxy too.
    let text = "stream {\n    server {\n        listen 127.0.0.1:5432;\n        proxy_pass localhost:15432;\n    }\n}\n";
    assert_eq!(
        listens(Kind::Nginx, text),
        [l(Some("127.0.0.1"), Some(5432), "127.0.0.1:5432")]
    );
    assert_eq!(upstreams(Kind::Nginx, text), [u("localhost", Some(15432))]);
}

#[test]
fn mongod_yaml() {
    let text = "storage:\n  dbPath: /data/db\nnet:\n  port: 27018\n  bindIp: \"127.0.0.1, ::1\"\n";
    assert_eq!(
        listens(Kind::Mongo, text),
        [
            l(Some("127.0.0.1"), Some(27018), "127.0.0.1"),
            l(Some("::1"), Some(27018), "::1")
        ]
    );
    let text = "net:\n  bindIp: localhost\n  bindIpAll: true\n";
    assert_eq!(listens(Kind::Mongo, text), [l(None, None, "true")]);
    let text = "net:\n  port: 27019\n";
    assert_eq!(listens(Kind::Mongo, text), [l(None, Some(27019), "27019")]);
    assert!(
        read(Kind::Mongo, "systemLog:\n  verbosity: 1\n")
            .listens
            .is_empty()
    );
    assert!(read(Kind::Mongo, "{{{ not yaml").listens.is_empty());
    assert_eq!(
        read(Kind::Mongo, "net:\n  port: 27019\n").ports(Kind::Mongo),
        Some(vec![27019])
    );
}

#[test]
fn postgresql_conf() {
    let text = "# CONNECTIONS\nlisten_addresses = 'localhost'\t# what IP address(es) to listen on\nport = 5433\nmax_connections = 100\n";
    assert_eq!(
        listens(Kind::Postgres, text),
        [l(Some("localhost"), Some(5433), "localhost")]
    );
    let text = "listen_addresses='127.0.0.1,10.0.0.2'\nlisten_addresses = '*'\n";
    assert_eq!(listens(Kind::Postgres, text), [l(None, None, "*")]);
    assert_eq!(
        read(Kind::Postgres, text).ports(Kind::Postgres),
        Some(vec![5432])
    );
    let text = "port 6543\ninclude_dir 'conf.d'\n";
    let c = read(Kind::Postgres, text);
    assert_eq!(listens(Kind::Postgres, text), [l(None, Some(6543), "6543")]);
    assert!(c.open && c.ports(Kind::Postgres).is_none());
}

#[test]
fn haproxy_cfg() {
    let text = "global\n    maxconn 4096\n\ndefaults\n    mode http\n\nfrontend stats\n    bind 127.0.0.1:8404\n\nfrontend web\n    bind *:80\n    bind :::443 v4v6 ssl crt /etc/ssl/site.pem\n    default_backend app\n\nbackend app\n    balance roundrobin\n    server app1 app:8000 check\n    server app2 127.0.0.1:8001 check\n    server app3 ipv4@localhost:8002\n\npeers mypeers\n    peer haproxy1 10.0.0.1:1024\n";
    assert_eq!(
        listens(Kind::HaProxy, text),
        [
            l(Some("127.0.0.1"), Some(8404), "127.0.0.1:8404"),
            l(None, Some(80), "*:80"),
            l(Some("::"), Some(443), ":::443"),
        ]
    );
    assert_eq!(
        upstreams(Kind::HaProxy, text),
        [
            u("app", Some(8000)),
            u("127.0.0.1", Some(8001)),
            u("localhost", Some(8002))
        ]
    );
    let c = read(Kind::HaProxy, text);
    assert_eq!(c.ports(Kind::HaProxy), Some(vec![8404, 80, 443]));
    let c = read(Kind::HaProxy, "frontend f\n    bind \"${HOST}:${PORT}\"\n");
    assert!(c.open);
}

#[test]
fn caddyfile() {
    let text = "{\n\temail admin@example.com\n}\n\n:8080 {\n\treverse_proxy /api/* api:8000\n\treverse_proxy localhost:3000\n}\n\nhttp://admin.localhost {\n\tbind 127.0.0.1\n\treverse_proxy {\n\t\tto http://grafana:3000\n\t}\n}\n";
    assert_eq!(
        listens(Kind::Caddy, text),
        [
            l(None, Some(8080), ":8080"),
            l(Some("127.0.0.1"), Some(80), "127.0.0.1")
        ]
    );
    assert_eq!(
        upstreams(Kind::Caddy, text),
        [
            u("api", Some(8000)),
            u("localhost", Some(3000)),
            u("grafana", Some(3000))
        ]
    );
    // One site without braces; a hostname listens on 443 and 80.
    let text = "example.com\n\nreverse_proxy web:80\n";
    assert_eq!(
        listens(Kind::Caddy, text),
        [
            l(None, Some(443), "example.com"),
            l(None, Some(80), "example.com")
        ]
    );
    assert_eq!(upstreams(Kind::Caddy, text), [u("web", Some(80))]);
    assert!(read(Kind::Caddy, ":{$PORT} {\n\trespond ok\n}\n").open);
    assert!(read(Kind::Caddy, "{\n\thttp_port 8080\n}\nlocalhost {\n}\n").open);
}

#[test]
fn traefik_static_and_dynamic() {
    let text = "entryPoints:\n  web:\n    address: \":80\"\n  websecure:\n    address: 127.0.0.1:443\napi:\n  insecure: true\nproviders:\n  docker: {}\n";
    assert_eq!(
        listens(Kind::Traefik, text),
        [
            l(None, Some(80), ":80"),
            l(Some("127.0.0.1"), Some(443), "127.0.0.1"),
            l(None, Some(8080), "true"),
        ]
    );
    let text = "http:\n  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: \"http://localhost:3000/\"\n          - url: http://app\ntcp:\n  services:\n    db:\n      loadBalancer:\n        servers:\n          - address: \"db:5432\"\n";
    assert_eq!(
        upstreams(Kind::Traefik, text),
        [
            u("localhost", Some(3000)),
            u("app", Some(80)),
            u("db", Some(5432))
        ]
    );
}

#[test]
fn prometheus_targets() {
    let text = "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: node\n    static_configs:\n      - targets:\n          - node-exporter:9100\n          - \"127.0.0.1:8080\"\n  - job_name: blackbox\n    metrics_path: /probe\n    static_configs:\n      - targets: [http://localhost:8080]\n    relabel_configs:\n      - target_label: __address__\n        replacement: blackbox:9115\n";
    assert_eq!(
        upstreams(Kind::Prometheus, text),
        [
            u("localhost", Some(9090)),
            u("node-exporter", Some(9100)),
            u("127.0.0.1", Some(8080))
        ]
    );
}

#[test]
fn httpd_listen_and_proxy() {
    let text = "ServerRoot \"/usr/local/apache2\"\nListen 127.0.0.1:8080\nlisten [::1]:8081\nLoadModule proxy_module modules/mod_proxy.so\n<VirtualHost *:8080>\n    ProxyPass \"/api\" \"http://localhost:5000/api\"\n    ProxyPass /app http://app:8000/\n</VirtualHost>\n#Include conf/extra/httpd-ssl.conf\n";
    assert_eq!(
        listens(Kind::Httpd, text),
        [
            l(Some("127.0.0.1"), Some(8080), "127.0.0.1"),
            l(Some("::1"), Some(8081), "::1")
        ]
    );
    assert!(!read(Kind::Httpd, text).open);
    let ups: Vec<_> = read(Kind::Httpd, text)
        .upstreams
        .iter()
        .map(|x| (x.host.clone(), x.port))
        .collect();
    assert_eq!(
        ups,
        [
            ("localhost".to_string(), Some(5000)),
            ("app".to_string(), Some(8000))
        ]
    );
    assert!(read(Kind::Httpd, "Include ports.conf\n").open);
}

#[test]
fn more_kinds_by_mount_target() {
    for (target, kind, by_default) in [
        ("/etc/mongod.conf", Kind::Mongo, false),
        ("/etc/postgresql/postgresql.conf", Kind::Postgres, false),
        ("/usr/local/etc/haproxy/haproxy.cfg", Kind::HaProxy, true),
        ("/etc/caddy/Caddyfile", Kind::Caddy, true),
        ("/etc/traefik/traefik.yml", Kind::Traefik, true),
        ("/etc/traefik/dynamic/routes.yaml", Kind::Traefik, true),
        ("/etc/prometheus/prometheus.yml", Kind::Prometheus, true),
        ("/config/prometheus.yml", Kind::Prometheus, false),
        ("/usr/local/apache2/conf/httpd.conf", Kind::Httpd, true),
        (
            "/etc/apache2/sites-enabled/000-default.conf",
            Kind::Httpd,
            true,
        ),
        ("/etc/mysql/my.cnf", Kind::MySql, true),
        ("/usr/local/etc/redis/redis.conf", Kind::Redis, false),
    ] {
        assert_eq!(Kind::of_target(target), Some(kind), "{target}");
        assert_eq!(kind.read_by_default(target), by_default, "{target}");
    }
    let files: Vec<_> = Kind::files_in_folder("/etc/prometheus/").collect();
    assert_eq!(files, [("prometheus.yml", Kind::Prometheus)]);
    assert_eq!(
        Kind::folder_reads("/etc/nginx/conf.d"),
        Some((".conf", Kind::Nginx))
    );
    assert_eq!(Kind::files_in_folder("/data").count(), 0);
}

#[test]
fn images_that_run_the_server_alone() {
    assert!(Kind::Nginx.runs_in("nginx:1.27-alpine"));
    assert!(Kind::Nginx.runs_in("docker.io/library/nginx@sha256:abc"));
    assert!(Kind::Prometheus.runs_in("quay.io/prometheus/prometheus:v2.53.0"));
    assert!(Kind::Prometheus.runs_in("prom/prometheus"));
    assert!(Kind::Redis.runs_in("registry.example.com:5000/redis:7"));
    assert!(!Kind::Nginx.runs_in("richarvey/nginx-php-fpm:latest"));
    assert!(!Kind::Nginx.runs_in("bitnami/nginx"));
    assert!(!Kind::Prometheus.runs_in("bitnami/prometheus:2"));
}

#[test]
fn traefik_toml() {
    let text = "# static\n[entryPoints]\n  [entryPoints.web]\n    address = \":80\"\n  [entryPoints.admin]\n    address = \"127.0.0.1:9000\"\n\n[api]\n  insecure = true\n";
    assert_eq!(
        listens(Kind::Traefik, text),
        [
            l(None, Some(80), ":80"),
            l(Some("127.0.0.1"), Some(9000), "127.0.0.1"),
            l(None, Some(8080), "true"),
        ]
    );
    let text = "[http.services]\n  [http.services.app.loadBalancer]\n    [[http.services.app.loadBalancer.servers]]\n      url = \"http://localhost:3000/\"\n";
    assert_eq!(upstreams(Kind::Traefik, text), [u("localhost", Some(3000))]);
    assert_eq!(
        Kind::of_target("/etc/traefik/traefik.toml"),
        Some(Kind::Traefik)
    );
}

#[test]
fn pg_hba_local_only() {
    let text = "# TYPE  DATABASE  USER  ADDRESS  METHOD\nlocal   all  all                 trust\nhost    all  all  127.0.0.1/32   scram-sha-256\nhost    all  all  ::1/128        scram-sha-256\n";
    let c = read(Kind::PgHba, text);
    assert_eq!(
        c.local_clients_only.map(|s| &text[s]),
        Some("local   all  all                 trust")
    );
    for admits in [
        "host all all all scram-sha-256\n",
        "host all all 0.0.0.0/0 md5\n",
        "hostssl app app 172.16.0.0/12 scram-sha-256\n",
        "host all all samenet trust\n",
    ] {
        let text = format!("local all all trust\n{admits}");
        assert!(
            read(Kind::PgHba, &text).local_clients_only.is_none(),
            "{text}"
        );
    }
    let text = "local all all trust\ninclude_dir conf.d\n";
    assert!(read(Kind::PgHba, text).local_clients_only.is_none());
    assert!(read(Kind::PgHba, "# empty\n").local_clients_only.is_none());
    assert_eq!(
        Kind::of_target("/etc/postgresql/pg_hba.conf"),
        Some(Kind::PgHba)
    );
}
