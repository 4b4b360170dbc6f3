use super::declare_rule;
use super::publish_all_interfaces::{all_interfaces, loopback_edit, restricted_by_network};
use crate::finding::Finding;
use crate::model::compose::{Project, Service};

declare_rule! {
    /// ## What it does
    /// Reports a port published on every interface of the host (no host address, `0.0.0.0`
    /// or `::`) by a service that the file itself shows has no authentication:
    ///
    /// - the Docker API: container port 2375 (plain HTTP), or a Docker socket proxy image
    ///   (`tecnativa/docker-socket-proxy`, `linuxserver/socket-proxy`, ...);
    /// - `postgres` with `POSTGRES_HOST_AUTH_METHOD=trust`; `mysql`/`mariadb` with
    ///   `MYSQL_ALLOW_EMPTY_PASSWORD` or `MARIADB_ALLOW_EMPTY_ROOT_PASSWORD`; a Bitnami image
    ///   with `ALLOW_EMPTY_PASSWORD=yes`;
    /// - `redis`, `valkey` or `keydb` from the official images without `requirepass`, an ACL
    ///   file or a config file; `memcached` without SASL (`-S`); `mongo` without
    ///   `MONGO_INITDB_ROOT_USERNAME`, `--auth`, a key file or a config file;
    /// - `elasticsearch` with `xpack.security.enabled=false` (or a 7.x image, whose security
    ///   is off unless enabled); `opensearch` with its security plugin disabled.
    ///
    /// Where a config file is mounted, a password variable is set or a command line may
    /// carry one, the rule says nothing: it cannot see the password, so it does not guess.
    ///
    /// ## Why it matters
    /// Docker publishes such a port on every interface of the host, and published ports are
    /// routed before the host firewall sees them (`ufw deny 6379` does not protect a
    /// published 6379). A server without a password is then open to every machine that can
    /// reach the host: an open Docker API is root on the host, an open Redis is a well-known
    /// way in for miners. The firewall part is Docker Engine on Linux (iptables); on Docker
    /// Desktop (`[host] platform`, set, read from the daemon or assumed on macOS and
    /// Windows) Desktop's process forwards the port, and the message says so instead.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: redis:7
    ///     ports: ["6379:6379"]
    /// ```
    ///
    /// ## Fix
    /// Publish it on the loopback address only, `"127.0.0.1:6379:6379"` (the quick fix),
    /// when only this machine needs it; publish nothing when only other containers use it;
    /// or give the server a password.
    pub static UNPROTECTED_SERVICE_PUBLISHED = {
        code: "unprotected-service-published",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A server without authentication published on every interface",
        compose: [check],
    };
}

/// The image's repository, lower case, without registry host, `library/`, tag or digest:
/// `redis`, `bitnami/redis`, `tecnativa/docker-socket-proxy`.
pub(super) fn repository(s: &Service) -> Option<String> {
    let image = s.image.as_ref()?.value.to_ascii_lowercase();
    let no_digest = image.split('@').next().unwrap_or(&image);
    let mut parts: Vec<&str> = no_digest.split('/').collect();
    // A first part with a dot or a colon, or `localhost`, is a registry host.
    if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
        parts.remove(0);
    }
    if parts.len() > 1 && parts[0] == "library" {
        parts.remove(0);
    }
    let last = parts.pop()?;
    let name = last.split(':').next().unwrap_or(last);
    parts.push(name);
    Some(parts.join("/"))
}

/// The image tag's major version, when the tag starts with one (`7.17.9` → 7).
fn tag_major(s: &Service) -> Option<u32> {
    let image = &s.image.as_ref()?.value;
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    let tag = last.split_once(':')?.1;
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn env<'a>(s: &'a Service, key: &str) -> Option<&'a str> {
    s.environment
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case(key))
        .and_then(|e| e.value.as_ref())
        .map(|v| v.value.as_ref())
}

fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "1"))
}

/// Whether a command, config file or variable may set a password the file does not show.
fn may_have_auth(p: &Project, s: &Service, words: &[&str]) -> bool {
    let in_commands = s.commands.iter().any(|c| {
        let c = c.value.to_ascii_lowercase();
        words.iter().any(|w| c.contains(w)) || c.contains(".conf") || c.contains("--config")
    });
    let password_var = s.environment.iter().any(|e| {
        let k = e.key.to_ascii_uppercase();
        k.contains("PASSWORD") || k.contains("PASS") || k.ends_with("_ARGS") || k.contains("AUTH")
    });
    in_commands || password_var || super::mounts_config(p, s)
}

/// Why the service has no authentication, in words, when the file shows it.
fn unprotected(p: &Project, s: &Service, targets: &[u16]) -> Option<String> {
    let repo = repository(s)?;
    let name = repo.rsplit('/').next().unwrap_or(&repo);
    if repo.contains("docker-socket-proxy") || name == "socket-proxy" {
        return Some("is a Docker socket proxy: its API controls the Docker host".into());
    }
    if targets.contains(&2375) {
        return Some("serves the Docker API on 2375 without TLS: whoever reaches it controls the Docker host".into());
    }
    if repo.starts_with("bitnami/") {
        return truthy(env(s, "ALLOW_EMPTY_PASSWORD"))
            .then(|| "runs with `ALLOW_EMPTY_PASSWORD=yes`: no password".into());
    }
    // The vendors' own registries of official images.
    let official = !repo.contains('/')
        || matches!(
            repo.as_str(),
            "elasticsearch/elasticsearch" | "opensearchproject/opensearch"
        );
    if !official {
        // Other publishers' images set their own defaults; only the official ones are known.
        return None;
    }
    match name {
        "postgres" | "postgis" | "timescaledb" | "pgvector" => env(
            s,
            "POSTGRES_HOST_AUTH_METHOD",
        )
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("trust"))
        .then(|| "accepts every connection without a password (`POSTGRES_HOST_AUTH_METHOD: trust`)".into()),
        "mysql" | "mariadb" | "percona" => {
            let empty = [
                "MYSQL_ALLOW_EMPTY_PASSWORD",
                "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD",
                "MARIADB_ALLOW_EMPTY_PASSWORD",
            ]
            .iter()
            .find(|k| env(s, k).is_some_and(|v| !v.trim().is_empty()));
            empty.map(|k| format!("lets root in without a password (`{k}`)"))
        }
        "redis" | "valkey" | "keydb" => (!may_have_auth(
            p,
            s,
            &["requirepass", "aclfile", "--user", " -a ", "--pass", "rediscli_auth"],
        ))
        .then(|| format!("has no password (the `{name}` image needs `--requirepass` or a config file for one)")),
        "memcached" => {
            let sasl = s.commands.iter().any(|c| {
                c.value
                    .split_whitespace()
                    .any(|w| w == "-S" || w == "--enable-sasl")
            });
            (!sasl).then(|| "has no authentication (memcached without SASL, `-S`)".into())
        }
        "mongo" => {
            let user = env(s, "MONGO_INITDB_ROOT_USERNAME").is_some()
                || env(s, "MONGO_INITDB_ROOT_USERNAME_FILE").is_some();
            (!user && !may_have_auth(p, s, &["--auth", "--keyfile", "--transitionToAuth"]))
                .then(|| "has no user or password (no `MONGO_INITDB_ROOT_USERNAME`, no `--auth`)".into())
        }
        "elasticsearch" => {
            let setting = env(s, "xpack.security.enabled");
            let off = setting.is_some_and(|v| v.trim().eq_ignore_ascii_case("false"))
                || (setting.is_none() && tag_major(s).is_some_and(|m| m < 8));
            (off && !super::mounts_config(p, s))
                .then(|| "runs with security off (`xpack.security.enabled` is false): no password".into())
        }
        "opensearch" => {
            let off = truthy(env(s, "DISABLE_SECURITY_PLUGIN"))
                || truthy(env(s, "plugins.security.disabled"));
            off.then(|| "runs with its security plugin disabled: no password".into())
        }
        _ => None,
    }
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.network_mode.is_some() || restricted_by_network(p, s) {
            continue;
        }
        let open: Vec<_> = s
            .ports
            .iter()
            .filter_map(|port| all_interfaces(port).map(|b| (port, b)))
            .collect();
        if open.is_empty() {
            continue;
        }
        let targets: Vec<u16> = open.iter().map(|(_, b)| b.target).collect();
        let Some(why) = unprotected(p, s, &targets) else {
            continue;
        };
        for (port, b) in open {
            let who = if b.host_ip == "::" {
                "every IPv6 interface"
            } else {
                "every interface"
            };
            let reach = match p.host.platform {
                None => "The host firewall does not apply to published ports: anyone who can reach this machine can use it".to_string(),
                Some(f) if f.platform == crate::config::Platform::Engine => "On Docker Engine (Linux) the host firewall does not apply to published ports: anyone who can reach this machine can use it".to_string(),
                Some(f) => format!(
                    "Docker Desktop ({}) forwards it from this machine's addresses: anyone who can reach this machine may use it",
                    f.source_words()
                ),
            };
            let message = format!(
                "`{name}` is published on {who} (host port {}) without authentication. It {why}. {reach}. Publish it on 127.0.0.1 if only this machine needs it",
                b.published,
                name = s.name,
            );
            let mut f = Finding::new(&UNPROTECTED_SERVICE_PUBLISHED, p.port_span(port), message);
            if let Some(edit) = loopback_edit(p, port) {
                f = f.with_fix("Publish on 127.0.0.1 only", vec![edit]);
            }
            out.push(f);
        }
    }
}

/// Whether `s` is one the rule reports (for `publish-all-interfaces`, which then stays
/// silent on its ports).
pub(super) fn reported(p: &Project, s: &Service) -> bool {
    let targets: Vec<u16> = s
        .ports
        .iter()
        .filter_map(all_interfaces)
        .map(|b| b.target)
        .collect();
    !targets.is_empty() && unprotected(p, s, &targets).is_some()
}

#[cfg(test)]
mod tests {
    /// The firewall claim is Docker Engine's: said as such when the platform is Engine,
    /// replaced by Desktop's forwarding on Docker Desktop (whatever the source), unchanged
    /// when the platform is unknown. The finding itself is the same everywhere.
    #[test]
    fn under_each_platform() {
        use crate::rules::test_support::{findings_on, platforms};
        let text = "services:\n  cache:\n    image: redis:7\n    ports: [\"6379:6379\"]\n";
        let messages: Vec<String> = platforms()
            .into_iter()
            .map(|platform| {
                let f = findings_on(text, platform, "", "unprotected-service-published");
                assert_eq!(f.len(), 1, "{platform:?}");
                f[0].message.clone()
            })
            .collect();
        assert!(
            messages[0].contains(". The host firewall does not apply"),
            "{}",
            messages[0]
        );
        assert!(
            messages[1].contains("On Docker Engine (Linux) the host firewall does not apply"),
            "{}",
            messages[1]
        );
        for m in &messages[2..] {
            assert!(
                m.contains("forwards it from this machine's addresses") && !m.contains("firewall"),
                "{m}"
            );
        }
        assert!(messages[4].contains("Docker Desktop (assumed: portside runs on macOS)"));
    }

    use crate::rules::test_support::{findings, fix_all, flagged};

    const CODE: &str = "unprotected-service-published";

    #[test]
    fn servers_without_a_password() {
        let text = "services:
  cache:
    image: redis:7-alpine
    ports: [\"6379:6379\"]
  sessions:
    image: docker.io/library/memcached:1.6
    ports: [\"11211:11211\"]
  db:
    image: postgres:16
    ports: [\"15432:5432\"]
    environment:
      POSTGRES_HOST_AUTH_METHOD: trust
  mysql:
    image: mysql:8
    ports: [\"3306:3306\"]
    environment: [MYSQL_ALLOW_EMPTY_PASSWORD=yes]
  docs:
    image: mongo:7
    ports: [\"0.0.0.0:27017:27017\"]
  proxy:
    image: tecnativa/docker-socket-proxy
    ports: [\"2375:2375\"]
  search:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.13.0
    ports: [\"9200:9200\"]
    environment: [xpack.security.enabled=false, discovery.type=single-node]
";
        assert_eq!(
            flagged(text, CODE),
            [
                "\"6379:6379\"",
                "\"11211:11211\"",
                "\"15432:5432\"",
                "\"3306:3306\"",
                "\"0.0.0.0:27017:27017\"",
                "\"2375:2375\"",
                "\"9200:9200\"",
            ]
        );
        let f = findings(text, &[], CODE);
        assert!(
            f[2].message.contains("POSTGRES_HOST_AUTH_METHOD: trust"),
            "{}",
            f[2].message
        );
        assert!(f[0].message.contains("host port 6379"), "{}", f[0].message);
        let fixed = fix_all(text, CODE);
        assert!(fixed.contains("\"127.0.0.1:6379:6379\""), "{fixed}");
        assert!(fixed.contains("\"127.0.0.1:27017:27017\""), "{fixed}");
    }

    /// Where a password may be set where the file does not show it, the rule is silent.
    #[test]
    fn a_password_anywhere_or_a_loopback_binding_is_enough() {
        let text = "services:
  cache:
    image: redis:7
    command: redis-server --requirepass \"${REDIS_PASSWORD}\"
    ports: [\"6379:6379\"]
  cache2:
    image: redis:7
    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]
    ports: [\"6380:6379\"]
  cache3:
    image: redis:7
    volumes: [\"./redis.conf:/usr/local/etc/redis/redis.conf\"]
    ports: [\"6381:6379\"]
  cache4:
    image: bitnami/redis:7.2
    environment: [REDIS_PASSWORD=secret]
    ports: [\"6382:6379\"]
  local:
    image: redis:7
    ports: [\"127.0.0.1:6383:6379\"]
  internal:
    image: redis:7
  db:
    image: postgres:16
    environment: [POSTGRES_PASSWORD=secret]
    ports: [\"5432:5432\"]
  docs:
    image: mongo:7
    environment:
      MONGO_INITDB_ROOT_USERNAME: root
      MONGO_INITDB_ROOT_PASSWORD: example
    ports: [\"27017:27017\"]
  search:
    image: elasticsearch:8.13.0
    ports: [\"9200:9200\"]
  vendor:
    image: someone/redis
    ports: [\"6390:6379\"]
";
        assert!(flagged(text, CODE).is_empty(), "{:?}", flagged(text, CODE));
    }
}
