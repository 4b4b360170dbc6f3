//! Host references inside values: URLs (`postgres://u:p@db:5432/x`), `host:port` values
//! and `*_HOST` / `*_PORT` pairs. Only values that clearly name a host count.

use std::ops::Range;

/// Schemes whose URLs name a host, with their default port.
const SCHEMES: &[(&str, u16)] = &[
    ("postgres", 5432),
    ("postgresql", 5432),
    ("mysql", 3306),
    ("mariadb", 3306),
    ("redis", 6379),
    ("rediss", 6379),
    ("amqp", 5672),
    ("amqps", 5671),
    ("mongodb", 27017),
    ("mongodb+srv", 27017),
    ("nats", 4222),
    ("kafka", 9092),
    ("http", 80),
    ("https", 443),
    ("ws", 80),
    ("wss", 443),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRef {
    /// Byte range of the host inside the value (`&value[host_range]` is the host).
    pub host_range: Range<usize>,
    /// The explicit port, if any.
    pub port: Option<u16>,
    pub port_range: Option<Range<usize>>,
    /// The URL scheme (lower case), if the reference is a URL.
    pub scheme: Option<&'static str>,
}

impl HostRef {
    /// The explicit port, or the scheme's default.
    pub fn effective_port(&self) -> Option<u16> {
        self.port.or_else(|| {
            let scheme = self.scheme?;
            SCHEMES.iter().find(|(s, _)| *s == scheme).map(|(_, p)| *p)
        })
    }
}

/// Loopback and "any" addresses: inside a container they mean the container itself.
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h == "ip6-localhost"
        || h == "::1"
        || h == "0.0.0.0"
        || (h.starts_with("127.") && h.parse::<std::net::Ipv4Addr>().is_ok())
}

/// A name a DNS server could answer: letters, digits, `-`, `_`, `.`.
fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_host(s: &str) -> bool {
    !is_setting_word(s)
        && (is_hostname(s) || s.parse::<std::net::IpAddr>().is_ok() || is_loopback(s))
}

/// Words that settings use as switches or placeholders, never as host names: booleans in
/// every spelling YAML and shells use (`true`, `n`, `OFF`), and `none`/`null`/`disabled`.
/// `REV_SERVER=true` or `SMTP_SERVER=false` switch a feature; no container is called so.
pub fn is_setting_word(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "none", "null", "nil",
        "disabled", "enabled", "disable", "enable", "auto", "default", "unset",
    ];
    WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Who uses an address written in a value. Every rule that judges a host reference reads
/// this one classification (through `ServiceRef::audience`), so they agree on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A program in this container connects to it: connection strings of servers
    /// (`postgres://`, `redis://`, ...), `host:port` values, `*_HOST`-style keys, and
    /// `http(s)` URLs under keys that say so (`*_INTERNAL_URL`, `*_UPSTREAM`).
    Container,
    /// Handed to a browser or another machine: front-end build variables (`NEXT_PUBLIC_*`,
    /// `VITE_*`, `REACT_APP_*`, `NUXT_PUBLIC_*`, `PUBLIC_*`, ...), public and external URLs
    /// (`*_PUBLIC_URL`, `*_EXTERNAL_URL`, `APP_URL`, `SITE_URL`, `ROOT_URL`, `BASE_URL`),
    /// CORS origins, redirect and callback URLs, virtual hosts, allowed and trusted hosts,
    /// asset, media, static and CDN URLs that pages link to.
    /// There `localhost` is the user's machine, and the name need not resolve here.
    Client,
    /// Where this container listens (`*_LISTEN_*`, `*_BIND_*`, or the "any" address
    /// `0.0.0.0` / `[::]`, which only a listener names): not a connection.
    Listen,
    /// Cannot tell: an `http(s)` URL under a key that says nothing about who opens it
    /// (`API_URL` may be read by the server or shipped to the browser).
    Unknown,
}

/// Prefixes of the variables that front-end toolchains copy into the code the browser runs.
const BROWSER_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "NUXT_PUBLIC_",
    "NUXT_ENV_",
    "VITE_",
    "REACT_APP_",
    "VUE_APP_",
    "EXPO_PUBLIC_",
    "GATSBY_",
    "PUBLIC_",
    "STORYBOOK_",
];

/// Words of a key that say a browser or another machine uses the address.
const CLIENT_WORDS: &[&str] = &[
    "PUBLIC",
    "EXTERNAL",
    "ORIGIN",
    "ORIGINS",
    "CORS",
    "REDIRECT",
    "CALLBACK",
    "VIRTUAL",
    "ALLOWED",
    "TRUSTED",
    "CSRF",
    "FRONTEND",
    "BROWSER",
    "ADVERTISED",
    "ANNOUNCE",
    "DOMAIN",
    "DOMAINS",
    "ASSET",
    "ASSETS",
    "CDN",
    "MEDIA",
    "STATIC",
];

/// Keys, or endings of keys, that name the public address of an application (what its
/// pages link to and browsers open). `BASE_URL` counts only alone: `API_BASE_URL` may be
/// what a server calls.
const PUBLIC_URL_KEYS: &[&str] = &[
    "APP_URL",
    "SITE_URL",
    "ROOT_URL",
    "HOME_URL",
    "WEB_URL",
    "UI_URL",
    "CLIENT_URL",
    "WEBSITE_URL",
    "NEXTAUTH_URL",
];

/// Words of a key that say this container connects to an `http(s)` address itself.
const CONTAINER_WORDS: &[&str] = &["INTERNAL", "UPSTREAM", "PRIVATE", "HEALTHCHECK"];

/// Classifies reference `r` found in `value` of environment variable `key` (see
/// [`Audience`]). Keys are compared case-insensitively, word by word (`_`, `.` and `-`
/// separate words).
pub fn audience(key: &str, value: &str, r: &HostRef) -> Audience {
    if matches!(
        value.get(r.host_range.clone()),
        Some("0.0.0.0" | "[::]" | "::")
    ) {
        return Audience::Listen;
    }
    // Called for every reference of every service: no allocation but the upper-cased key.
    let upper = key.to_ascii_uppercase();
    let has = |list: &[&str]| {
        upper
            .split(['_', '.', '-'])
            .any(|w| !w.is_empty() && list.contains(&w))
    };
    if has(&["LISTEN", "BIND"]) {
        return Audience::Listen;
    }
    if BROWSER_PREFIXES.iter().any(|p| upper.starts_with(p))
        || has(CLIENT_WORDS)
        || upper == "BASE_URL"
        || PUBLIC_URL_KEYS.iter().any(|k| {
            upper == *k
                || upper
                    .strip_suffix(k)
                    .is_some_and(|rest| rest.ends_with('_'))
        })
    {
        return Audience::Client;
    }
    match r.scheme {
        Some("http" | "https" | "ws" | "wss") if !has(CONTAINER_WORDS) => Audience::Unknown,
        _ => Audience::Container,
    }
}

/// Programs and shell idioms that wait until a server accepts connections.
const WAIT_TOOLS: &[&str] = &[
    "wait-for",
    "wait_for",
    "waitfor",
    "wait4x",
    "dockerize",
    "pg_isready",
    "mysqladmin ping",
    "redis-cli",
    "nc -z",
    "nc -vz",
    "nc -zv",
    "/dev/tcp/",
    "until ",
];

/// Whether a service's `command`/`entrypoint` (its words joined) waits for `host` before
/// going on: `wait-for-it.sh db:5432 -- ...`, `dockerize -wait tcp://db:5432`,
/// `until pg_isready -h db; do sleep 1; done`, `while ! nc -z db 5432; ...`.
pub fn waits_for(command: &str, host: &str) -> bool {
    let lower = command.to_ascii_lowercase();
    WAIT_TOOLS.iter().any(|t| lower.contains(t))
        && command
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .any(|word| word == host)
}

/// Finds the host references in `value` of environment variable `key`.
pub fn find(key: &str, value: &str) -> Vec<HostRef> {
    let mut out = urls(value);
    if !out.is_empty() {
        return out;
    }
    // `host:port` (or a comma list of them, as Kafka's bootstrap servers).
    if !value.contains(char::is_whitespace) && value.contains(':') && !value.contains('/') {
        let mut start = 0;
        for part in value.split(',') {
            if let Some(r) = host_port(part, start) {
                out.push(r);
            }
            start += part.len() + 1;
        }
        if !out.is_empty() {
            return out;
        }
    }
    // `DB_HOST=db`: a bare host under a key that names one.
    if is_host_key(key) && is_host(value) && value != "0.0.0.0" && !value.contains(':') {
        out.push(HostRef {
            host_range: 0..value.len(),
            port: None,
            port_range: None,
            scheme: None,
        });
    }
    out
}

/// `*_HOST`, `*_HOSTNAME`, `*_SERVER`, `*_ADDR`, `*_ADDRESS`, `*_BROKER`, ... but not
/// `HOST` / `HOSTNAME` alone, which servers read as their own bind address.
fn is_host_key(key: &str) -> bool {
    let Some((prefix, suffix)) = key.rsplit_once('_') else {
        return false;
    };
    !prefix.is_empty()
        && [
            "HOST", "HOSTNAME", "SERVER", "ADDR", "ADDRESS", "BROKER", "ENDPOINT",
        ]
        .iter()
        .any(|s| suffix.eq_ignore_ascii_case(s))
}

/// For `DB_HOST`, the prefix `DB` lower-cased, and the sibling port key `DB_PORT`.
pub fn host_key_prefix(key: &str) -> Option<(String, String)> {
    let (prefix, _) = key.rsplit_once('_')?;
    is_host_key(key).then(|| (prefix.to_ascii_lowercase(), format!("{prefix}_PORT")))
}

fn host_port(part: &str, base: usize) -> Option<HostRef> {
    let (host, port) = if let Some(rest) = part.strip_prefix('[') {
        let end = rest.find(']')?;
        (&part[..end + 2], rest[end + 1..].strip_prefix(':')?)
    } else {
        let (h, p) = part.rsplit_once(':')?;
        if h.contains(':') {
            return None;
        }
        (h, p)
    };
    if !is_host(host) || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port_num = port.parse::<u16>().ok()?;
    let port_start = base + host.len() + 1;
    Some(HostRef {
        host_range: base..base + host.len(),
        port: Some(port_num),
        port_range: Some(port_start..port_start + port.len()),
        scheme: None,
    })
}

/// Every `scheme://authority` in the value, including `jdbc:postgresql://`.
fn urls(value: &str) -> Vec<HostRef> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(i) = memchr::memmem::find(&value.as_bytes()[search..], b"://") {
        let sep = search + i;
        search = sep + 3;
        // After the last character that cannot be in a scheme (which may be multi-byte).
        let scheme_start = value[..sep]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '+' || c == '.' || c == '-'))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let Some(&(scheme, _)) = SCHEMES
            .iter()
            .find(|(s, _)| value[scheme_start..sep].eq_ignore_ascii_case(s))
        else {
            continue;
        };
        let auth_start = sep + 3;
        let auth_end = value[auth_start..]
            .find(['/', '?', '#', ' ', '"', '\''])
            .map_or(value.len(), |p| auth_start + p);
        let authority = &value[auth_start..auth_end];
        let hosts_start = authority.rfind('@').map_or(0, |p| p + 1);
        let mut start = auth_start + hosts_start;
        for part in authority[hosts_start..].split(',') {
            let r = host_port(part, start).or_else(|| {
                is_host(part).then(|| HostRef {
                    host_range: start..start + part.len(),
                    port: None,
                    port_range: None,
                    scheme: None,
                })
            });
            if let Some(mut r) = r {
                r.scheme = Some(scheme);
                out.push(r);
            }
            start += part.len() + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_byte_character_before_the_scheme() {
        // Found by `cargo fuzz run compose` and `yaml`: the scheme's start was computed
        // inside the character before it.
        assert!(hosts("URL", "po\u{4c68d}es://sl").is_empty());
        assert_eq!(
            hosts("URL", "xݏpostgres://db:5432/app"),
            [("db".to_string(), Some(5432))]
        );
    }

    fn hosts(key: &str, value: &str) -> Vec<(String, Option<u16>)> {
        find(key, value)
            .into_iter()
            .map(|r| {
                if let (Some(p), Some(range)) = (r.port, r.port_range.clone()) {
                    assert_eq!(value[range].parse::<u16>().unwrap(), p);
                }
                (value[r.host_range.clone()].to_string(), r.effective_port())
            })
            .collect()
    }

    fn h(host: &str, port: u16) -> (String, Option<u16>) {
        (host.to_string(), Some(port))
    }

    #[test]
    fn urls_of_every_scheme() {
        assert_eq!(
            hosts("DATABASE_URL", "postgres://u:p@localhost:5432/app"),
            [h("localhost", 5432)]
        );
        assert_eq!(
            hosts("DATABASE_URL", "postgresql://db/app"),
            [h("db", 5432)]
        );
        assert_eq!(
            hosts("X", "jdbc:mysql://mysql:3306/x?useSSL=false"),
            [h("mysql", 3306)]
        );
        assert_eq!(
            hosts("REDIS_URL", "redis://[::1]:6379/0"),
            [h("[::1]", 6379)]
        );
        assert_eq!(
            hosts("API_URL", "http://0.0.0.0:8000"),
            [h("0.0.0.0", 8000)]
        );
        assert_eq!(
            hosts("U", "https://api.example.com/v1"),
            [h("api.example.com", 443)]
        );
        assert_eq!(
            hosts("MONGO", "mongodb://u:p@m1:27017,m2:27018/db?replicaSet=rs"),
            [h("m1", 27017), h("m2", 27018)]
        );
        assert_eq!(
            hosts("AMQP", "amqp://guest:guest@rabbit"),
            [h("rabbit", 5672)]
        );
        assert!(hosts("X", "ftp://files:21").is_empty());
        assert!(hosts("X", "file:///etc/hosts").is_empty());
    }

    #[test]
    fn host_port_values_and_host_keys() {
        assert_eq!(hosts("METRICS_ADDR", "svc-1:9090"), [h("svc-1", 9090)]);
        assert_eq!(
            hosts("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092,kafka2:9093"),
            [h("kafka", 9092), h("kafka2", 9093)]
        );
        assert_eq!(
            hosts("REDIS_HOST", "127.0.0.1"),
            [(String::from("127.0.0.1"), None)]
        );
        assert_eq!(hosts("DB_HOST", "db"), [(String::from("db"), None)]);
        // Not hosts: bind addresses, times, paths, free text.
        assert!(hosts("HOST", "0.0.0.0").is_empty());
        assert!(hosts("HOSTNAME", "0.0.0.0").is_empty());
        assert!(hosts("BIND_HOST", "0.0.0.0").is_empty());
        assert!(hosts("TIME", "12:30").is_empty());
        assert!(hosts("PATH", "/usr/bin:/bin").is_empty());
        assert!(hosts("GREETING", "hello world: 1").is_empty());
        assert!(hosts("DEBUG", "true").is_empty());
        assert!(hosts("VERSION", "1.2:3").is_empty());
    }

    #[test]
    fn loopback() {
        for l in [
            "localhost",
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "0.0.0.0",
            "ip6-localhost",
        ] {
            assert!(is_loopback(l), "{l}");
        }
        for n in ["db", "10.0.0.1", "localhost.example.com", "127.0.0.256"] {
            assert!(!is_loopback(n), "{n}");
        }
    }

    #[test]
    fn switches_numbers_and_placeholders_are_not_hosts() {
        for (k, v) in [
            ("REV_SERVER", "true"),
            ("SMTP_SERVER", "false"),
            ("ONLY_MAILCOW_HOSTNAME", "n"),
            ("ENABLE_SSL_SNI_HOST", "N"),
            ("X_ADDRESS", "0"),
            ("PROXY_SERVER", "Off"),
            ("CONFIG_application_server__katex_server", "false"),
            ("UPSTREAM_HOST", ""),
            ("LDAP_SERVER", "none"),
        ] {
            assert!(hosts(k, v).is_empty(), "{k}={v}");
        }
        assert_eq!(
            hosts("MAIL_SERVER", "postfix"),
            [(String::from("postfix"), None)]
        );
        assert!(hosts("X", "true:80").is_empty());
    }

    fn who(key: &str, value: &str) -> Audience {
        let r = find(key, value);
        assert_eq!(r.len(), 1, "{key}={value}");
        audience(key, value, &r[0])
    }

    #[test]
    fn who_uses_an_address() {
        use Audience::*;
        // A program in the container connects.
        assert_eq!(who("DATABASE_URL", "postgres://u:p@db:5432/x"), Container);
        assert_eq!(who("DB_HOST", "db"), Container);
        assert_eq!(who("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"), Container);
        assert_eq!(who("API_INTERNAL_URL", "http://api:8000"), Container);
        assert_eq!(who("auth.upstream", "http://auth:9000"), Container);
        // A browser or another machine uses it.
        for key in [
            "NEXT_PUBLIC_API_URL",
            "VITE_API_URL",
            "REACT_APP_BACKEND",
            "NUXT_PUBLIC_API_BASE",
            "PUBLIC_STORAGE_URL",
            "MINIO_PUBLIC_URL",
            "GITLAB_EXTERNAL_URL",
            "APP_URL",
            "SITE_URL",
            "GITEA__server__ROOT_URL",
            "BASE_URL",
            "CORS_ALLOWED_ORIGINS",
            "FRONTEND_ORIGIN",
            "OAUTH_REDIRECT_URI",
            "GITHUB_CALLBACK_URL",
            "NEXTAUTH_URL",
            "ASSET_URL",
            "MEDIA_URL",
            "CDN_BASE_URL",
        ] {
            assert_eq!(who(key, "http://localhost:3000"), Client, "{key}");
        }
        assert_eq!(who("VIRTUAL_HOST", "app.localhost"), Client);
        // Where the container listens.
        assert_eq!(who("METRICS_LISTEN_ADDR", "127.0.0.1:9100"), Listen);
        assert_eq!(who("GRPC_BIND_ADDRESS", "localhost:50051"), Listen);
        assert_eq!(who("SERVER_ADDRESS", "0.0.0.0:8080"), Listen);
        assert_eq!(who("API_URL", "http://0.0.0.0:8000"), Listen);
        // Cannot tell: a server may call it, or a browser may get it.
        assert_eq!(who("API_URL", "http://localhost:8000"), Unknown);
        assert_eq!(who("API_BASE_URL", "http://localhost:8000"), Unknown);
    }

    #[test]
    fn commands_that_wait() {
        assert!(waits_for("./wait-for-it.sh db:5432 -- npm start", "db"));
        assert!(waits_for("dockerize -wait tcp://db:5432 ./run", "db"));
        assert!(waits_for(
            "sh -c until pg_isready -h db; do sleep 1; done",
            "db"
        ));
        assert!(waits_for("while ! nc -z db 5432; do sleep 1; done", "db"));
        assert!(!waits_for("./wait-for-it.sh dbx:5432 -- npm start", "db"));
        assert!(!waits_for("npm start --db db", "db"));
    }

    #[test]
    fn host_key_prefixes() {
        assert_eq!(
            host_key_prefix("DB_HOST"),
            Some(("db".into(), "DB_PORT".into()))
        );
        assert_eq!(host_key_prefix("HOST"), None);
        assert_eq!(host_key_prefix("REDIS_URL"), None);
    }
}
