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
    is_hostname(s) || s.parse::<std::net::IpAddr>().is_ok() || is_loopback(s)
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
    fn host_key_prefixes() {
        assert_eq!(
            host_key_prefix("DB_HOST"),
            Some(("db".into(), "DB_PORT".into()))
        );
        assert_eq!(host_key_prefix("HOST"), None);
        assert_eq!(host_key_prefix("REDIS_URL"), None);
    }
}
