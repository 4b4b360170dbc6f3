//! Config files that a service mounts into its container, read for what decides its
//! networking: where the server listens (`listen`, `bind`, `port`, `bind-address`, ...) and
//! where it connects to (proxy upstreams, backend servers, scrape targets). Pure: text in,
//! values with byte spans out. One file per format, each with the server's documentation
//! as the source of what it reads; adding a format is one file, one [`Kind`] and its
//! mount paths.

use std::ops::Range;

mod caddy;
mod haproxy;
mod httpd;
mod mongod;
mod mysql;
mod nginx;
mod pg_hba;
mod postgres;
mod prometheus;
mod redis;
mod traefik;

/// Which server reads the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Redis,
    MySql,
    Mongo,
    Postgres,
    HaProxy,
    Caddy,
    Traefik,
    Prometheus,
    Httpd,
    /// PostgreSQL's client authentication file.
    PgHba,
}

/// Where each official image reads its config when the command names none (each image's
/// Dockerfile `CMD` or documented default path):
/// - nginx: `/etc/nginx/nginx.conf`, which includes `conf.d/*.conf` (docker-library/nginx
///   Dockerfile and its `nginx.conf`);
/// - haproxy: `CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]`
///   (docker-library/haproxy Dockerfile);
/// - caddy: `CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter",
///   "caddyfile"]` (caddyserver/caddy-docker Dockerfile);
/// - traefik: the static config is looked for as `traefik.yml`/`.yaml`/`.toml` in
///   `/etc/traefik/` (doc.traefik.io, "Configuration Discovery");
/// - prometheus: `--config.file=/etc/prometheus/prometheus.yml` in the image's `CMD`
///   (prometheus/prometheus Dockerfile);
/// - httpd: `/usr/local/apache2/conf/httpd.conf` (docker-library/httpd); Debian's apache2
///   (the `php:*-apache` images) reads `/etc/apache2/apache2.conf`, which includes
///   `ports.conf` and `sites-enabled/*.conf`;
/// - MySQL/MariaDB: `/etc/mysql/my.cnf`, which includes `conf.d/` (and `mariadb.conf.d/`),
///   and `/etc/my.cnf` (MySQL's "Using Option Files").
///
/// Redis, mongod and postgres read a mounted file only when the command names it: the
/// official redis image starts `redis-server` with no file, mongod has no default config
/// path (`--config`/`-f`), and postgres reads `$PGDATA/postgresql.conf` unless
/// `-c config_file=` names another.
const DEFAULT_PATHS: &[(&str, Kind)] = &[
    ("/etc/nginx/nginx.conf", Kind::Nginx),
    ("/usr/local/etc/haproxy/haproxy.cfg", Kind::HaProxy),
    ("/etc/caddy/Caddyfile", Kind::Caddy),
    ("/etc/traefik/traefik.yml", Kind::Traefik),
    ("/etc/traefik/traefik.yaml", Kind::Traefik),
    ("/etc/traefik/traefik.toml", Kind::Traefik),
    ("/etc/prometheus/prometheus.yml", Kind::Prometheus),
    ("/usr/local/apache2/conf/httpd.conf", Kind::Httpd),
    ("/etc/apache2/apache2.conf", Kind::Httpd),
    ("/etc/apache2/ports.conf", Kind::Httpd),
    ("/etc/mysql/my.cnf", Kind::MySql),
    ("/etc/my.cnf", Kind::MySql),
];

/// Folders whose matching files the server reads by default (included by its main file).
const DEFAULT_FOLDERS: &[(&str, &str, Kind)] = &[
    ("/etc/nginx/conf.d/", ".conf", Kind::Nginx),
    ("/etc/mysql/conf.d/", ".cnf", Kind::MySql),
    ("/etc/mysql/mysql.conf.d/", ".cnf", Kind::MySql),
    ("/etc/mysql/mariadb.conf.d/", ".cnf", Kind::MySql),
    ("/etc/apache2/sites-enabled/", ".conf", Kind::Httpd),
    ("/etc/apache2/conf-enabled/", ".conf", Kind::Httpd),
];

impl Kind {
    /// The kind of a file mounted at `target` in the container, by its path.
    pub fn of_target(target: &str) -> Option<Kind> {
        let t = target.trim_end_matches('/');
        if let Some(&(_, kind)) = DEFAULT_PATHS.iter().find(|(p, _)| *p == t) {
            return Some(kind);
        }
        if let Some(&(_, _, kind)) = DEFAULT_FOLDERS
            .iter()
            .find(|(dir, ext, _)| t.starts_with(dir) && t.ends_with(ext) && t.len() > dir.len())
        {
            return Some(kind);
        }
        let name = t.rsplit('/').next().unwrap_or(t);
        Some(match name {
            "redis.conf" => Kind::Redis,
            "mongod.conf" => Kind::Mongo,
            "postgresql.conf" => Kind::Postgres,
            "pg_hba.conf" => Kind::PgHba,
            "haproxy.cfg" => Kind::HaProxy,
            "Caddyfile" => Kind::Caddy,
            "prometheus.yml" | "prometheus.yaml" => Kind::Prometheus,
            "httpd.conf" => Kind::Httpd,
            _ if t.starts_with("/etc/mysql/") && t.ends_with(".cnf") => Kind::MySql,
            // Traefik's dynamic configuration, read by its file provider.
            _ if t.starts_with("/etc/traefik/")
                && (t.ends_with(".yml") || t.ends_with(".yaml") || t.ends_with(".toml")) =>
            {
                Kind::Traefik
            }
            _ => return None,
        })
    }

    /// Whether the official image reads a file mounted at `target` without the command
    /// naming it (see [`DEFAULT_PATHS`]).
    pub fn read_by_default(self, target: &str) -> bool {
        let t = target.trim_end_matches('/');
        DEFAULT_PATHS.iter().any(|(p, _)| *p == t)
            || DEFAULT_FOLDERS
                .iter()
                .any(|(dir, ext, _)| t.starts_with(dir) && t.ends_with(ext))
            || (self == Kind::Traefik && t.starts_with("/etc/traefik/"))
    }

    /// The command-line option that names another config file, when a command naming it
    /// (without the mounted path) means the mounted file is not read.
    pub fn config_flag(self) -> Option<&'static str> {
        match self {
            Kind::Prometheus => Some("--config.file"),
            Kind::Traefik => Some("--configfile"),
            Kind::Caddy => Some("--config"),
            _ => None,
        }
    }

    /// The files a folder mount at `target` brings in that this module reads: the default
    /// paths inside it, as (path relative to the folder, full target path).
    pub fn files_in_folder(target: &str) -> impl Iterator<Item = (&'static str, Kind)> + '_ {
        let dir = target.trim_end_matches('/');
        DEFAULT_PATHS.iter().filter_map(move |&(p, kind)| {
            let rest = p.strip_prefix(dir)?.strip_prefix('/')?;
            (!rest.contains('/')).then_some((rest, kind))
        })
    }

    /// A folder the server reads every `*.ext` file of: (extension, kind).
    pub fn folder_reads(target: &str) -> Option<(&'static str, Kind)> {
        let dir = format!("{}/", target.trim_end_matches('/'));
        DEFAULT_FOLDERS
            .iter()
            .find(|(d, _, _)| *d == dir)
            .map(|&(_, ext, kind)| (ext, kind))
    }

    /// Whether `image` (a Compose `image:` value) runs this kind's server as its one
    /// process, reading the file where [`Kind::of_target`] expects it: the official image
    /// and the vendors' own. A service built from a Dockerfile, or an image that bundles
    /// several programs (nginx with php-fpm), may run others beside it, on its loopback and
    /// on its ports, so rules do not judge those.
    pub fn runs_in(self, image: &str) -> bool {
        let repo = repository(image);
        let names: &[&str] = match self {
            Kind::Nginx => &["nginx", "nginxinc/nginx-unprivileged"],
            Kind::Redis => &["redis", "valkey/valkey", "valkey", "eqalpha/keydb"],
            Kind::MySql => &["mysql", "mariadb", "percona", "mysql/mysql-server"],
            Kind::Mongo => &["mongo", "mongodb/mongodb-community-server"],
            Kind::Postgres | Kind::PgHba => &[
                "postgres",
                "postgis/postgis",
                "timescale/timescaledb",
                "pgvector/pgvector",
            ],
            Kind::HaProxy => &[
                "haproxy",
                "haproxytech/haproxy-alpine",
                "haproxytech/haproxy-debian",
                "haproxytech/haproxy-ubuntu",
            ],
            Kind::Caddy => &["caddy"],
            Kind::Traefik => &["traefik"],
            Kind::Prometheus => &["prom/prometheus", "prometheus/prometheus"],
            Kind::Httpd => &["httpd", "php", "wordpress"],
        };
        names.contains(&repo)
    }

    /// Whether a command (the service's `entrypoint` and `command` words) sets the listen
    /// address itself, which wins over the file: `--bind` (redis-server), `--bind_ip`/
    /// `--bind_ip_all` (mongod), `-c listen_addresses=` (postgres), `--bind-address`
    /// (mysqld), `--entrypoints.*` (traefik), `--web.listen-address` (prometheus).
    pub fn address_in_command(self, command: &str) -> bool {
        let c = command.to_ascii_lowercase();
        let has = |w: &[&str]| w.iter().any(|w| c.contains(w));
        match self {
            Kind::Redis => has(&["--bind"]),
            Kind::Mongo => has(&["--bind_ip"]),
            Kind::Postgres => has(&["listen_addresses"]),
            Kind::MySql => has(&["--bind-address", "--bind_address"]),
            Kind::Traefik => has(&["--entrypoints"]),
            Kind::Prometheus => has(&["--web.listen-address"]),
            Kind::Nginx => has(&["-g "]),
            Kind::HaProxy | Kind::Caddy | Kind::Httpd | Kind::PgHba => false,
        }
    }

    /// Whether a command may set the port itself (`--port`, `-p`, `port=`, ...), which wins
    /// over the file.
    pub fn port_in_command(self, command: &str) -> bool {
        let c = command.to_ascii_lowercase();
        self.address_in_command(command)
            || c.contains("port")
            || c.split_whitespace().any(|w| w == "-p" || w == "-P")
            || c.contains("$")
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Redis => "Redis",
            Kind::MySql => "MySQL",
            Kind::Mongo => "mongod",
            Kind::Postgres => "PostgreSQL",
            Kind::HaProxy => "HAProxy",
            Kind::Caddy => "Caddy",
            Kind::Traefik => "Traefik",
            Kind::Prometheus => "Prometheus",
            Kind::Httpd => "Apache httpd",
            Kind::PgHba => "PostgreSQL",
        }
    }

    /// The port the server listens on when its config names none (each server's
    /// documentation: nginx `listen` default `*:80`; Redis `port 6379`; MySQL `port` 3306;
    /// mongod `net.port` 27017; PostgreSQL `port` 5432; httpd's own config ships `Listen
    /// 80`; Prometheus `--web.listen-address` `0.0.0.0:9090`). `None`: the config lists
    /// every listener (HAProxy `bind`, Caddy's site addresses, Traefik's entryPoints).
    pub fn default_port(self) -> Option<u16> {
        match self {
            Kind::Nginx => Some(80),
            Kind::Redis => Some(6379),
            Kind::MySql => Some(3306),
            Kind::Mongo => Some(27017),
            Kind::Postgres => Some(5432),
            Kind::Httpd => Some(80),
            Kind::Prometheus => Some(9090),
            Kind::HaProxy | Kind::Caddy | Kind::Traefik | Kind::PgHba => None,
        }
    }

    /// How the file's connections read in a message: "sends nginx's requests to".
    pub fn connects(self) -> &'static str {
        match self {
            Kind::Prometheus => "makes Prometheus scrape",
            Kind::HaProxy => "sends HAProxy's traffic to",
            Kind::Caddy => "sends Caddy's requests to",
            Kind::Traefik => "sends Traefik's requests to",
            Kind::Httpd => "sends Apache's proxied requests to",
            _ => "sends nginx's requests to",
        }
    }
}

/// An nginx `include` that brings no `server` block: the official image's type maps and
/// parameter files (`mime.types`, `fastcgi_params`, ...) and dynamic modules.
pub fn nginx_include_has_no_servers(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "mime.types"
        || name.ends_with("_params")
        || name == "koi-utf"
        || name == "koi-win"
        || name == "win-utf"
        || path.starts_with("modules/")
        || path.starts_with("/etc/nginx/modules/")
}

/// Where the server listens: an address (`None`: every interface) and a port (`None`: the
/// server's default), with the span of the directive's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub span: Range<usize>,
    /// Where the port is written, when it is (a `port` line apart from `bind`).
    pub port_span: Option<Range<usize>>,
}

/// An address the server connects to (upstreams, backend servers, scrape targets): the
/// host's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    pub host: String,
    pub port: Option<u16>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    pub listens: Vec<Listen>,
    pub upstreams: Vec<Upstream>,
    /// Something in the file may add listeners that it does not show (an `include`, a
    /// placeholder, a global option that moves the ports): its ports are not all there is.
    pub open: bool,
    /// The files it includes, as written (nginx's `include`; relative paths are relative
    /// to `/etc/nginx`). An include makes the file `open`; the workspace's mounts may
    /// show that every included file is known.
    pub includes: Vec<String>,
    /// The file admits TCP clients from the container's own addresses only (pg_hba.conf
    /// with nothing but `local` and loopback `host` lines): the span of its first rule.
    pub local_clients_only: Option<Range<usize>>,
}

impl AppConfig {
    /// The ports the server listens on per this file, when the file decides them all:
    /// every listener's port (the server's default where one names none), `None` when the
    /// file may not show them all or names no listener.
    pub fn ports(&self, kind: Kind) -> Option<Vec<u16>> {
        if self.open || self.listens.is_empty() {
            return None;
        }
        let mut out: Vec<u16> = Vec::new();
        for l in &self.listens {
            let p = l.port.or(kind.default_port())?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Some(out)
    }
}

/// An image reference's repository as Docker Hub names it: no registry (`docker.io`,
/// `quay.io`, a mirror), no `library/`, no tag or digest.
fn repository(image: &str) -> &str {
    let image = image.trim();
    let image = image.split('@').next().unwrap_or(image);
    let image = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => image,
    };
    let image = match image.split_once('/') {
        Some((registry, rest)) if registry.contains(['.', ':']) || registry == "localhost" => rest,
        _ => image,
    };
    image.strip_prefix("library/").unwrap_or(image)
}

pub fn read(kind: Kind, text: &str) -> AppConfig {
    match kind {
        Kind::Nginx => nginx::read(text),
        Kind::Redis => redis::read(text),
        Kind::MySql => mysql::read(text),
        Kind::Mongo => mongod::read(text),
        Kind::Postgres => postgres::read(text),
        Kind::HaProxy => haproxy::read(text),
        Kind::Caddy => caddy::read(text),
        Kind::Traefik => traefik::read(text),
        Kind::Prometheus => prometheus::read(text),
        Kind::Httpd => httpd::read(text),
        Kind::PgHba => pg_hba::read(text),
    }
}

/// The lines of `text` with their start offsets, comments (`#` to the end) cut off.
fn lines<'t>(text: &'t str, comment: &[char]) -> impl Iterator<Item = (usize, &'t str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = at;
        at += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let cut = line.find(comment).unwrap_or(line.len());
        (start, &line[..cut])
    })
}

/// `host:port`, `[v6]:port`, `port` or `host` (a bare number is a port; `*` is no host).
fn split_address(value: &str) -> (Option<String>, Option<u16>) {
    if let Some(rest) = value.strip_prefix('[') {
        let (host, port) = rest.split_once(']').unwrap_or((rest, ""));
        return (
            Some(host.to_string()),
            port.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    if let Ok(port) = value.parse::<u16>() {
        return (None, Some(port));
    }
    match value.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => {
            let host = (host != "*" && !host.is_empty()).then(|| host.to_string());
            (host, port.parse().ok())
        }
        _ => (Some(value.to_string()), None),
    }
}

/// A URL's or address's authority as (host, port, offset of the host in `value`): the
/// scheme and path cut off (`http://api:8000/x` → `api`, 8000, 7). `None` for a host that
/// is a placeholder (`$`, `{`) or a unix socket.
fn authority(value: &str) -> Option<(String, Option<u16>, usize)> {
    let (skipped, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme.len() + 3, rest),
        None => (0, value),
    };
    let rest = rest.split(['/', '?']).next().unwrap_or(rest);
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((u, r)) => (u.len() + 1, r),
        None => (0, rest),
    };
    if rest.is_empty() || rest.contains(['$', '{', '%']) || rest.starts_with("unix:") {
        return None;
    }
    let (host, port) = split_address(rest);
    let host = host?;
    let at = skipped + userinfo + usize::from(rest.starts_with('['));
    Some((host, port, at))
}

/// The words of a directive line, with their offsets.
fn words(line: &str, base: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() || c == ';' || c == '{' || c == '}' {
            if let Some(s) = from.take() {
                out.push((base + s, &line[s..i]));
            }
        } else if from.is_none() {
            from = Some(i);
        }
    }
    if let Some(s) = from {
        out.push((base + s, &line[s..]));
    }
    out
}

/// A YAML scalar's text and the span of `part` of it (exact where written literally, else
/// the whole node).
fn yaml_part(
    yaml: &crate::syntax::yaml::Yaml,
    text: &str,
    id: crate::syntax::yaml::NodeId,
    part: Range<usize>,
) -> Range<usize> {
    yaml.part_span(text, id, part)
        .unwrap_or_else(|| yaml.span(yaml.resolve(id)))
}

/// The value at a path of keys in a YAML mapping.
fn yaml_path(
    yaml: &crate::syntax::yaml::Yaml,
    from: crate::syntax::yaml::NodeId,
    path: &[&str],
) -> Option<crate::syntax::yaml::NodeId> {
    let mut at = from;
    for key in path {
        at = yaml.get(at, key)?.value;
    }
    Some(at)
}

#[cfg(test)]
mod tests;
