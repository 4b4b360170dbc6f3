use std::ops::Range;

use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::refs::{Audience, is_loopback};
use crate::model::compose::{CommandKind, Project, Service, Val};
use crate::model::dockerfile::listen::base;

declare_rule! {
    /// ## What it does
    /// Reports a server that hands `localhost` (or `127.0.0.1`, `::1`) to other containers
    /// as its own address, where the project shows that they use it:
    /// - a Kafka listener of `KAFKA_ADVERTISED_LISTENERS` (`KAFKA_CFG_ADVERTISED_LISTENERS`
    ///   in Bitnami's image) such as `PLAINTEXT://localhost:9092`, while another service
    ///   names the broker on that port (`KAFKA_BOOTSTRAP_SERVERS: kafka:9092`);
    /// - a MongoDB replica-set member configured as `localhost:27017` (`rs.initiate({...
    ///   members: [{host: 'localhost:27017'}]})` or `rs.add(...)` in a `command`,
    ///   `entrypoint` or `healthcheck` the Compose file inlines, or Bitnami's
    ///   `MONGODB_ADVERTISED_HOSTNAME` in replica-set mode), while another service
    ///   connects to the set by its service name without `directConnection=true`;
    /// - a Redis replica that announces a loopback address to its master
    ///   (`--replica-announce-ip`, `--slave-announce-ip`, Bitnami's `REDIS_REPLICA_IP`)
    ///   in a project that runs Redis Sentinel, and a Sentinel that announces one to the
    ///   other Sentinels (`--sentinel announce-ip`, Bitnami's
    ///   `REDIS_SENTINEL_ANNOUNCE_IP`) when the project runs more than one;
    /// - a RabbitMQ node named `rabbit@localhost` (`RABBITMQ_NODENAME`, Bitnami's
    ///   `RABBITMQ_NODE_NAME`, whose default that is) in a pair that Bitnami's
    ///   `RABBITMQ_CLUSTER_NODE_NAME: rabbit@rabbitmq1` clusters;
    /// - an Elasticsearch or OpenSearch node whose `network.host`,
    ///   `network.publish_host`, `transport.host` or `transport.publish_host` (also in the
    ///   `ES_SETTING_*` form) is a loopback address or `_local_`, in a cluster of more than
    ///   one node (`discovery.seed_hosts` naming another service, or another node naming
    ///   this one); and a `network.host` on loopback that another service connects to
    ///   (Kibana's `ELASTICSEARCH_HOSTS`), since it is also where the node listens;
    /// - a Gitea whose `ROOT_URL` (`GITEA__server__ROOT_URL`) is on loopback while an
    ///   Actions runner registers with it by service name (`GITEA_INSTANCE_URL:
    ///   http://gitea:3000`): the runner's jobs clone from the `ROOT_URL` and run in
    ///   containers of their own.
    ///
    /// Left alone: a listener, member or node that only clients on the host use (there
    /// `localhost` is right), a single Elasticsearch node (`discovery.type=single-node`),
    /// a client that connects with `directConnection=true`, and services with a
    /// `network_mode`.
    ///
    /// ## Why it matters
    /// These servers tell their clients and peers where to connect next, and the clients
    /// follow. A Kafka client uses the bootstrap address only to fetch the cluster's
    /// metadata, then connects to the advertised listener (Apache Kafka's documentation of
    /// `advertised.listeners`). A MongoDB driver connects to the members the replica-set
    /// configuration lists, not to the seed it was given (MongoDB's driver documentation,
    /// "Replica Set in Docker"). Sentinel learns replicas from the master's `INFO
    /// replication`, where each replica appears at its announced address, and finds the
    /// other Sentinels through the addresses they announce (Redis's replication and
    /// Sentinel documentation, "Sentinel, Docker, NAT"). Elasticsearch's `network.host`
    /// sets both the address a node binds and the one it publishes to the other nodes
    /// (Elasticsearch's network settings). Erlang nodes, RabbitMQ's among them, find each
    /// other by the host part of their names, and Bitnami's RabbitMQ image names its node
    /// `rabbit@localhost` by default, which its documentation says cannot cluster. Gitea
    /// gives its `ROOT_URL` to Actions jobs (`actions/checkout` clones from it), and its
    /// maintainers answer runner setups that fail so by asking for a `ROOT_URL` the
    /// containers can visit (go-gitea/gitea#27595). In another container `localhost` is that
    /// container: `Connection to node 1 (localhost/127.0.0.1:9092) could not be
    /// established`, `MongoServerSelectionError: connect ECONNREFUSED 127.0.0.1:27017`,
    /// although the first address was right.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   kafka:
    ///     image: apache/kafka:3.8.0
    ///     environment:
    ///       KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092
    ///   app:
    ///     environment:
    ///       KAFKA_BOOTSTRAP_SERVERS: kafka:9092
    /// ```
    ///
    /// ## Fix
    /// Advertise the service name to containers: a Kafka listener of their own
    /// (`INTERNAL://kafka:29092`, with `KAFKA_LISTENERS` and
    /// `KAFKA_LISTENER_SECURITY_PROTOCOL_MAP` to match), replica-set members named
    /// `mongo:27017`, the Redis service's name or no announce address at all (Redis then
    /// announces the container's address), `network.publish_host` set to the service name,
    /// RabbitMQ nodes named `rabbit@<service>`, a Gitea `ROOT_URL` on a name that browsers
    /// and containers both resolve.
    /// Keep `localhost` only on a listener that the host's clients use. No quick fix:
    /// changing the advertised name may break the clients on the host.
    ///
    /// ## Severity
    /// A warning. Information where only newer drivers would follow the replica set: a
    /// MongoDB URL with one host and neither `replicaSet` nor `directConnection`
    /// (drivers released since 2020 discover the set from it, older ones connect only to
    /// the seed).
    pub static ADVERTISED_ADDRESS_LOOPBACK = {
        code: "advertised-address-loopback",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A server advertises localhost to other containers",
        compose: [check, check_mongo, check_redis, check_elasticsearch, check_rabbitmq, check_gitea],
    };
}

/// Variables that hold a broker's advertised listeners (`NAME://host:port,...`).
const ADVERTISED: &[&str] = &[
    "KAFKA_ADVERTISED_LISTENERS",
    "KAFKA_CFG_ADVERTISED_LISTENERS",
];

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (index, s) in p.services.iter().enumerate() {
        for e in &s.environment {
            if !ADVERTISED.contains(&e.key) {
                continue;
            }
            let Some(val) = &e.value else { continue };
            let mut at = 0;
            for listener in val.value.split(',') {
                let start = at;
                at += listener.len() + 1;
                let Some((scheme_end, rest)) =
                    listener.find("://").map(|i| (i + 3, &listener[i + 3..]))
                else {
                    continue;
                };
                let Some((host, port)) = rest.rsplit_once(':') else {
                    continue;
                };
                let Ok(port) = port.trim().parse::<u16>() else {
                    continue;
                };
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                if !is_loopback(bare) || bare == "0.0.0.0" {
                    continue;
                }
                // Another service that connects to this broker on this port.
                let client = p.refs.iter().find(|r| {
                    r.service != index
                        && r.audience == Audience::Container
                        && r.host.effective_port() == Some(port)
                        && p.host_index(&p.ref_val(r).value[r.host.host_range.clone()])
                            == Some(index)
                });
                let Some(client) = client else { continue };
                let host_at = start + (listener.len() - listener.trim_start().len()) + scheme_end;
                let range = host_at..host_at + host.len();
                let client_val = p.ref_val(client);
                let client_name = &p.services[client.service].name;
                let written = &client_val.value[client.host.host_range.start
                    ..client
                        .host
                        .port_range
                        .as_ref()
                        .map_or(client.host.host_range.end, |r| r.end)];
                out.push(
                    Finding::new(
                        &ADVERTISED_ADDRESS_LOOPBACK,
                        p.value_span(val, range),
                        format!(
                            "`{}` advertises {host}:{port} to its clients, so `{client_name}` is refused after the bootstrap. `{client_name}` connects to it on port {port} (`{written}`), then reconnects to {host}:{port}, which in its container is `{client_name}` itself. Advertise a listener with the service name for containers",
                            s.name
                        ),
                    )
                    .with_related(
                        p.value_span(client_val, client.host.host_range.clone()),
                        format!("`{client_name}` connects to the broker here"),
                    ),
                );
            }
        }
    }
}

/// Words of a service's `command`, `entrypoint` and `healthcheck.test` values: the index
/// of the value in `Service::commands`, the word's range inside it (quotes stripped), and
/// the word. String forms and `sh -c` bodies are split at whitespace, which is all the
/// flags read here need.
fn words<'a>(s: &'a Service<'_>, kinds: &[CommandKind]) -> Vec<(usize, Range<usize>, &'a str)> {
    let mut out = Vec::new();
    for (i, (v, k)) in s.commands.iter().zip(&s.command_kinds).enumerate() {
        if !kinds.contains(k) {
            continue;
        }
        let text: &str = &v.value;
        let mut at = 0;
        for word in text.split(|c: char| c.is_whitespace() || c == ';') {
            let start = at;
            at += word.len() + 1;
            let trimmed = word.trim_matches(|c| c == '"' || c == '\'' || c == '\\');
            if trimmed.is_empty() {
                continue;
            }
            let lead = word.find(trimmed).unwrap_or(0);
            out.push((i, start + lead..start + lead + trimmed.len(), trimmed));
        }
    }
    out
}

const RUNS: &[CommandKind] = &[CommandKind::Command, CommandKind::Entrypoint];

/// A loopback address that a server would hand out (not the "any" address).
fn announces_loopback(host: &str) -> bool {
    is_loopback(host) && host != "0.0.0.0"
}

/// Whether the service runs Redis Sentinel: `redis-sentinel`, `redis-server ... --sentinel`,
/// or an image named `redis-sentinel` (Bitnami's).
fn is_sentinel(s: &Service<'_>) -> bool {
    let image = s.image.as_ref().map_or("", |i| &*i.value);
    let repo = image.split(['@', ':']).next().unwrap_or("");
    repo.rsplit('/').next() == Some("redis-sentinel")
        || (s.commands.iter().any(|c| c.value.contains("sentinel"))
            && words(s, RUNS)
                .iter()
                .any(|(_, _, w)| *w == "--sentinel" || base(w) == "redis-sentinel"))
}

/// How many containers a service runs (`scale`, `deploy.replicas`).
fn containers(s: &Service<'_>) -> u64 {
    s.replicas.map_or(1, |(n, _)| n)
}

/// Redis replicas and Sentinels that announce a loopback address.
pub fn check_redis(p: &Project, out: &mut Vec<Finding>) {
    // Sentinels in the host's network namespace share its loopback: left out.
    let sentinels: Vec<usize> = (0..p.services.len())
        .filter(|&i| is_sentinel(&p.services[i]) && p.services[i].network_mode.is_none())
        .collect();
    if sentinels.is_empty() {
        return;
    }
    let sentinel_containers: u64 = sentinels.iter().map(|&i| containers(&p.services[i])).sum();
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        let sentinel = sentinels.contains(&index);
        let announces = s.commands.iter().any(|c| c.value.contains("announce-ip"))
            || s.environment
                .iter()
                .any(|e| matches!(e.key, "REDIS_REPLICA_IP" | "REDIS_SENTINEL_ANNOUNCE_IP"));
        if !announces {
            continue;
        }
        // (value, range inside it, the address, what announces it)
        let mut found: Vec<(&Val<'_>, Range<usize>, bool)> = Vec::new();
        let w = words(s, RUNS);
        for (k, (_, _, word)) in w.iter().enumerate() {
            let (value, is_sentinel_flag) = match *word {
                "--replica-announce-ip" | "--slave-announce-ip" => (w.get(k + 1), false),
                "--sentinel" if w.get(k + 1).is_some_and(|n| n.2 == "announce-ip") => {
                    (w.get(k + 2), true)
                }
                _ => continue,
            };
            if let Some((v, range, host)) = value
                && announces_loopback(host)
            {
                found.push((&s.commands[*v], range.clone(), is_sentinel_flag));
            }
        }
        for e in &s.environment {
            let is_sentinel_var = match e.key {
                "REDIS_REPLICA_IP" => false,
                "REDIS_SENTINEL_ANNOUNCE_IP" => true,
                _ => continue,
            };
            if let Some(v) = &e.value
                && announces_loopback(v.value.trim())
            {
                found.push((v, 0..v.value.len(), is_sentinel_var));
            }
        }
        for (val, range, sentinel_flag) in found {
            let host = &val.value[range.clone()];
            let message = if sentinel_flag {
                // The other Sentinels learn this one from its hello messages.
                if !sentinel || sentinel_containers < 2 {
                    continue;
                }
                format!(
                    "Sentinel `{}` announces {host} to the other Sentinels, which cannot reach it there. Sentinels find each other through the addresses they announce (their hello messages); in another container {host} is that container. Without enough Sentinels that agree, no failover happens. Announce the service name or drop the setting",
                    s.name
                )
            } else {
                let Some(&other) = sentinels.iter().find(|&&i| i != index) else {
                    continue;
                };
                format!(
                    "`{}` announces {host} to its master, so Sentinel `{}` cannot reach it. Sentinel learns replicas from the master's `INFO replication`, where this replica appears at {host}; in Sentinel's container that is Sentinel itself. A failover cannot promote it, and clients that ask Sentinel for replicas get {host}. Announce the service name or drop the setting",
                    s.name, p.services[other].name
                )
            };
            out.push(Finding::new(
                &ADVERTISED_ADDRESS_LOOPBACK,
                p.value_span(val, range),
                message,
            ));
        }
    }
}

/// Elasticsearch and OpenSearch settings given as environment variables, by their setting
/// name: `network.host` as written, or `ES_SETTING_NETWORK_HOST` (the image turns `_` into
/// `.` and `__` into `_`).
fn es_setting(key: &str) -> Option<String> {
    if let Some(rest) = key.strip_prefix("ES_SETTING_") {
        return Some(
            rest.split("__")
                .map(|part| part.replace('_', "."))
                .collect::<Vec<_>>()
                .join("_")
                .to_ascii_lowercase(),
        );
    }
    key.contains('.').then(|| key.to_string())
}

/// `127.0.0.1`, `localhost`, `_local_`, `_loopback_` (and their `:ipv4`/`:ipv6` forms).
fn es_loopback(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '[', ']']);
    announces_loopback(v) || v.starts_with("_local") || v.starts_with("_loopback")
}

/// Elasticsearch/OpenSearch nodes that publish (or bind) loopback in a cluster of more than
/// one node, or that other services connect to.
pub fn check_elasticsearch(p: &Project, out: &mut Vec<Finding>) {
    // Who names whom in `discovery.seed_hosts`: (from, to).
    let mut seeds: Vec<(usize, usize)> = Vec::new();
    let mut any = false;
    for (index, s) in p.services.iter().enumerate() {
        for e in &s.environment {
            let Some(setting) = es_setting(e.key) else {
                continue;
            };
            any = true;
            if !matches!(
                setting.as_str(),
                "discovery.seed_hosts" | "discovery.zen.ping.unicast.hosts"
            ) {
                continue;
            }
            let Some(v) = &e.value else { continue };
            for host in v.value.split(',') {
                let host = host.trim().trim_matches(['"', '[', ']']);
                let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
                if let Some(to) = p.host_index(host) {
                    seeds.push((index, to));
                }
            }
        }
    }
    if !any {
        return;
    }
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some()
            || !s
                .environment
                .iter()
                .any(|e| e.key.contains('.') || e.key.starts_with("ES_SETTING_"))
        {
            continue;
        }
        let setting_of = |name: &str| {
            s.environment.iter().find_map(|e| {
                (es_setting(e.key).as_deref() == Some(name))
                    .then_some(e.value.as_ref())
                    .flatten()
            })
        };
        let single = setting_of("discovery.type").is_some_and(|v| v.value.trim() == "single-node");
        // Another node this one joins, or that joins it.
        let peer = seeds
            .iter()
            .find(|&&(from, to)| from != to && (from == index || to == index))
            .map(|&(from, to)| if from == index { to } else { from });
        let masters = setting_of("cluster.initial_master_nodes")
            .is_some_and(|v| v.value.split(',').filter(|n| !n.trim().is_empty()).count() > 1);
        let cluster = !single && (peer.is_some() || masters);
        for name in [
            "network.host",
            "network.publish_host",
            "transport.host",
            "transport.publish_host",
        ] {
            let Some(val) = setting_of(name) else {
                continue;
            };
            if !es_loopback(&val.value) {
                continue;
            }
            let host = val.value.trim();
            let range = p.value_span(val, 0..val.value.len());
            if cluster {
                let others = match peer {
                    Some(peer) => format!("`{}`", p.services[peer].name),
                    None => "the other nodes".to_string(),
                };
                out.push(Finding::new(
                    &ADVERTISED_ADDRESS_LOOPBACK,
                    range,
                    format!(
                        "`{}` publishes {host} to the other nodes, so {others} cannot join it. `{name}` is the address a node hands to the cluster (and `network.host` also where it listens); in another container {host} is that container. Set it to the service name, or `0.0.0.0` for `network.host`",
                        s.name
                    ),
                ));
                continue;
            }
            // A single node: only `network.host` matters, where it also binds HTTP.
            if name != "network.host"
                || setting_of("http.host").is_some_and(|v| !es_loopback(&v.value))
            {
                continue;
            }
            let client = p.refs.iter().find(|r| {
                r.service != index
                    && r.origin == CommandKind::Environment
                    && !matches!(r.audience, Audience::Client | Audience::Listen)
                    && p.host_index(p.ref_host(r)) == Some(index)
            });
            let Some(client) = client else { continue };
            let client_name = &p.services[client.service].name;
            out.push(
                Finding::new(
                    &ADVERTISED_ADDRESS_LOOPBACK,
                    range,
                    format!(
                        "`{}` binds {host} with `network.host`, so `{client_name}` cannot connect. `network.host` sets the address Elasticsearch listens on as well as the one it publishes; in its container {host} is reached only from inside. Use `0.0.0.0`",
                        s.name
                    ),
                )
                .with_related(
                    p.value_span(p.ref_val(client), client.host.host_range.clone()),
                    format!("`{client_name}` connects to it here"),
                ),
            );
        }
    }
}

/// The `host: 'localhost:27017'` members of replica-set configurations (`rs.initiate`,
/// `rs.reconfig`) and the `rs.add('localhost:27018')` arguments written in `text`: ranges
/// of the loopback `host:port` strings.
fn mongo_loopback_members(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if !text.contains("rs.") {
        return out;
    }
    let bytes = text.as_bytes();
    // After `host` (a property name, quoted or not) and `:`, or after `rs.add(`.
    let mut starts = Vec::new();
    for (i, _) in text.match_indices("host") {
        let before = i.checked_sub(1).map(|b| bytes[b]);
        if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let mut j = i + 4;
        while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b'\\' | b' ') {
            j += 1;
        }
        if bytes.get(j) == Some(&b':') {
            starts.push(j + 1);
        }
    }
    for (i, _) in text.match_indices("rs.add(") {
        starts.push(i + "rs.add(".len());
    }
    for mut j in starts {
        while j < bytes.len() && matches!(bytes[j], b' ' | b'\\') {
            j += 1;
        }
        let Some(&quote) = bytes.get(j).filter(|b| matches!(b, b'"' | b'\'')) else {
            continue;
        };
        let start = j + 1;
        let Some(len) = text[start..].find([quote as char, '\\']) else {
            continue;
        };
        let member = &text[start..start + len];
        let host = member.rsplit_once(':').map_or(member, |(h, _)| h);
        if announces_loopback(host) {
            out.push(start..start + len);
        }
    }
    out
}

/// MongoDB replica-set members configured as `localhost` while another service connects
/// to the set by name: inline `rs.initiate`/`rs.add` configurations, and Bitnami's
/// `MONGODB_ADVERTISED_HOSTNAME` (the name its replica-set setup registers the node under).
pub fn check_mongo(p: &Project, out: &mut Vec<Finding>) {
    // (the value, the member's range in it, the services that are the set's members)
    let mut announced: Vec<(&Val<'_>, Range<usize>, Vec<usize>)> = Vec::new();
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        for e in &s.environment {
            if e.key == "MONGODB_ADVERTISED_HOSTNAME"
                && let Some(v) = &e.value
                && announces_loopback(v.value.trim())
                && s.environment
                    .iter()
                    .any(|e| e.key == "MONGODB_REPLICA_SET_MODE")
            {
                announced.push((v, 0..v.value.len(), vec![index]));
            }
        }
        for (v, kind) in s.commands.iter().zip(&s.command_kinds) {
            if *kind == CommandKind::Environment {
                continue;
            }
            for range in mongo_loopback_members(&v.value) {
                // The set's members: the services the command connects to (`mongosh --host
                // mongo1`, `mongosh mongodb://mongo1:27017`), else this service.
                let w = words(s, &[*kind]);
                let mut members: Vec<usize> = Vec::new();
                for (k, (_, _, word)) in w.iter().enumerate() {
                    // `--host rs0/mongo1:27017,mongo2:27017`, `mongodb://u:p@mongo1:27017/db`
                    let target = if let Some(url) = word.strip_prefix("mongodb://") {
                        url.split(['/', '?']).next()
                    } else if *word == "--host" {
                        w.get(k + 1).and_then(|n| n.2.rsplit('/').next())
                    } else {
                        word.strip_prefix("--host=")
                            .and_then(|v| v.rsplit('/').next())
                    };
                    for host in target.into_iter().flat_map(|t| t.split(',')) {
                        let host = host.rsplit('@').next().unwrap_or(host);
                        let host = host.split(':').next().unwrap_or(host);
                        if let Some(t) = p.host_index(host) {
                            members.push(t);
                        }
                    }
                }
                if members.is_empty() {
                    members.push(index);
                }
                announced.push((v, range, members));
            }
        }
    }
    for (v, range, members) in announced {
        let client = p.refs.iter().find(|r| {
            r.host.scheme.is_some_and(|s| s.starts_with("mongodb"))
                && !members.contains(&r.service)
                && r.origin == CommandKind::Environment
                && r.audience == Audience::Container
                && p.host_index(p.ref_host(r))
                    .is_some_and(|t| members.contains(&t))
                && !p.ref_val(r).value.contains("directConnection=true")
        });
        let Some(client) = client else { continue };
        let client_val = p.ref_val(client);
        let client_name = &p.services[client.service].name;
        let member = &v.value[range.clone()];
        let set = client_val.value.contains("replicaSet=")
            || p.refs
                .iter()
                .filter(|r| r.source == client.source && r.service == client.service)
                .count()
                > 1;
        let mut f = Finding::new(
            &ADVERTISED_ADDRESS_LOOPBACK,
            p.value_span(v, range),
            format!(
                "The replica set lists its member as {member}, so `{client_name}` is refused after connecting. The driver connects to the set through `{}`, then to the members the set's configuration lists; in `{client_name}`'s container {member} is `{client_name}` itself. Name the member by its service name (`{}:{}`){}",
                p.ref_host(client),
                p.ref_host(client),
                client.host.effective_port().unwrap_or(27017),
                if set {
                    ""
                } else {
                    ". The URL names no `replicaSet`: drivers released since 2020 discover the set from it anyway, older ones stay on the seed"
                }
            ),
        )
        .with_related(
            p.value_span(client_val, client.host.host_range.clone()),
            format!("`{client_name}` connects to the replica set here"),
        );
        if !set {
            f = f.with_severity(Severity::Info);
        }
        out.push(f);
    }
}

/// The node name a RabbitMQ service runs as: `RABBITMQ_NODENAME` (the official image) or
/// `RABBITMQ_NODE_NAME` (Bitnami's), with the value.
fn rabbit_node_name<'v>(s: &'v Service<'_>) -> Option<&'v Val<'v>> {
    s.environment.iter().find_map(|e| {
        matches!(e.key, "RABBITMQ_NODENAME" | "RABBITMQ_NODE_NAME")
            .then_some(e.value.as_ref())
            .flatten()
    })
}

fn is_bitnami_rabbitmq(s: &Service<'_>) -> bool {
    s.image.as_ref().is_some_and(|i| {
        let repo = i.value.split(['@', ':']).next().unwrap_or("");
        repo.ends_with("bitnami/rabbitmq")
    })
}

/// RabbitMQ nodes clustered by name (Bitnami's `RABBITMQ_CLUSTER_NODE_NAME=rabbit@rabbitmq1`)
/// while a node of the pair is named `rabbit@localhost`: Erlang distribution reaches a node
/// by the host part of its name, so the other node looks for it in its own container.
pub fn check_rabbitmq(p: &Project, out: &mut Vec<Finding>) {
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        let Some(join) = s
            .environment
            .iter()
            .find(|e| e.key == "RABBITMQ_CLUSTER_NODE_NAME")
            .and_then(|e| e.value.as_ref())
        else {
            continue;
        };
        let Some((_, host)) = join.value.split_once('@') else {
            continue;
        };
        let Some(target) = p.host_index(host.trim()).filter(|&t| t != index) else {
            continue;
        };
        let t = &p.services[target];
        let join_at = join.value.len() - host.len()..join.value.len();
        let related = (
            p.value_span(join, join_at.clone()),
            format!("`{}` joins `{}`'s cluster here", s.name, t.name),
        );
        // The node joined, then the joining node itself: each must reach the other.
        for (node, other) in [(t, s), (s, t)] {
            let name = rabbit_node_name(node);
            let written = name.and_then(|v| {
                let (_, h) = v.value.split_once('@')?;
                announces_loopback(h.trim()).then(|| (v, v.value.len() - h.len()..v.value.len()))
            });
            let finding = match (written, name) {
                (Some((v, range)), _) => Finding::new(
                    &ADVERTISED_ADDRESS_LOOPBACK,
                    p.value_span(v, range),
                    format!(
                        "RabbitMQ node `{}` is named `{}`, so `{}` cannot reach it. Erlang nodes reach each other by the host part of their names; in `{}`'s container localhost is `{}` itself. Name the node after its service (`rabbit@{}`)",
                        node.name, v.value, other.name, other.name, other.name, node.name
                    ),
                )
                .with_related(related.0.clone(), related.1.clone()),
                // Bitnami's image names the node `rabbit@localhost` unless told otherwise.
                (None, None) if std::ptr::eq(node, t) && is_bitnami_rabbitmq(t) => Finding::new(
                    &ADVERTISED_ADDRESS_LOOPBACK,
                    p.value_span(join, join_at.clone()),
                    format!(
                        "`{}` runs as `rabbit@localhost`, Bitnami's default, so `{}` cannot join it. Erlang nodes reach each other by the host part of their names. Set `RABBITMQ_NODE_NAME: rabbit@{}` on `{}`",
                        t.name, s.name, t.name, t.name
                    ),
                ),
                _ => continue,
            };
            out.push(finding);
        }
    }
}

/// A Gitea whose `ROOT_URL` is on loopback while a runner registers with it by service name
/// (`GITEA_INSTANCE_URL: http://gitea:3000`): Gitea hands its `ROOT_URL` to the jobs
/// (`actions/checkout` clones from it, artifacts upload to it), which run in other
/// containers.
pub fn check_gitea(p: &Project, out: &mut Vec<Finding>) {
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        let gitea_image = s.image.as_ref().is_some_and(|i| {
            let repo = i.value.split(['@', ':']).next().unwrap_or("");
            repo.rsplit('/').next() == Some("gitea") && !repo.contains("act_runner")
        });
        let Some(val) = s.environment.iter().find_map(|e| {
            (e.key.eq_ignore_ascii_case("GITEA__server__ROOT_URL")
                || (gitea_image && e.key == "ROOT_URL"))
                .then_some(e.value.as_ref())
                .flatten()
        }) else {
            continue;
        };
        let Some(url) = crate::model::compose::refs::find("ROOT_URL", &val.value)
            .into_iter()
            .next()
        else {
            continue;
        };
        let host = &val.value[url.host_range.clone()];
        if !announces_loopback(host) {
            continue;
        }
        let runner = p.services.iter().enumerate().find_map(|(i, r)| {
            let e = r
                .environment
                .iter()
                .find(|e| e.key == "GITEA_INSTANCE_URL")?;
            let v = e.value.as_ref()?;
            let r_url = crate::model::compose::refs::find(e.key, &v.value)
                .into_iter()
                .next()?;
            (i != index && p.host_index(&v.value[r_url.host_range.clone()]) == Some(index))
                .then_some((r, v, r_url))
        });
        let Some((runner, runner_val, runner_url)) = runner else {
            continue;
        };
        out.push(
            Finding::new(
                &ADVERTISED_ADDRESS_LOOPBACK,
                p.value_span(val, url.host_range.clone()),
                format!(
                    "`{}`'s ROOT_URL is on {host}, so the jobs of runner `{}` cannot clone from it. Gitea gives its ROOT_URL to the jobs it hands out (`actions/checkout` clones from it, artifacts upload to it), and jobs run in containers where {host} is the job itself; Gitea's maintainers say to use an address the containers can visit. Use a name both browsers and containers resolve",
                    s.name, runner.name
                ),
            )
            .with_related(
                p.value_span(runner_val, runner_url.host_range.clone()),
                format!("`{}` registers with Gitea by its service name here", runner.name),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn localhost_advertised_to_a_container_client() {
        let text = "services:\n  kafka:\n    image: apache/kafka:3.8.0\n    environment:\n      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092\n  app:\n    image: example/app\n    environment:\n      KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n";
        assert_eq!(flagged(text, "advertised-address-loopback"), ["localhost"]);
        // Bitnami's variable, with two listeners: only the one a container uses counts.
        let two = "services:\n  kafka:\n    image: bitnami/kafka:3.7\n    environment:\n      KAFKA_CFG_ADVERTISED_LISTENERS: INTERNAL://kafka:29092,EXTERNAL://localhost:9092\n  app:\n    image: example/app\n    environment:\n      SPRING_KAFKA_BOOTSTRAP_SERVERS: kafka:29092\n";
        assert!(flagged(two, "advertised-address-loopback").is_empty());
        let wrong = two.replace("kafka:29092\n", "kafka:9092\n");
        assert_eq!(
            flagged(&wrong, "advertised-address-loopback"),
            ["localhost"]
        );
    }

    /// Only the host's clients use it, or a browser-facing value names it: nothing.
    #[test]
    fn clients_on_the_host_are_what_localhost_is_for() {
        let text = "services:\n  kafka:\n    image: apache/kafka:3.8.0\n    ports: [\"9092:9092\"]\n    environment:\n      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092\n  ui:\n    image: example/ui\n    environment:\n      PUBLIC_URL: http://localhost:8080\n";
        assert!(flagged(text, "advertised-address-loopback").is_empty());
    }

    const RULE: &str = "advertised-address-loopback";

    /// A three-member replica set initiated by a one-shot container, and an API that
    /// connects to it by name.
    const MONGO_SET: &str = r#"services:
  mongo1:
    image: mongo:7.0
    command: ["mongod", "--replSet", "rs0", "--bind_ip_all"]
  mongo2:
    image: mongo:7.0
    command: ["mongod", "--replSet", "rs0", "--bind_ip_all"]
  mongo-init:
    image: mongo:7.0
    depends_on: [mongo1, mongo2]
    entrypoint: >
      mongosh --host mongo1:27017 --eval
      "rs.initiate({_id: 'rs0', members: [{_id: 0, host: 'localhost:27017'}]}); rs.add('127.0.0.1:27018')"
  api:
    image: example/api
    environment:
      MONGO_URL: mongodb://mongo1:27017,mongo2:27017/app?replicaSet=rs0
"#;

    #[test]
    fn mongo_members_named_localhost() {
        assert_eq!(
            flagged(MONGO_SET, RULE),
            ["localhost:27017", "127.0.0.1:27018"]
        );
        // Named by their service names: right.
        let named = MONGO_SET
            .replace("localhost:27017", "mongo1:27017")
            .replace("127.0.0.1:27018", "mongo2:27017");
        assert!(flagged(&named, RULE).is_empty());
        // A client that connects straight to one member does not follow the set.
        let direct = MONGO_SET.replace(
            "mongodb://mongo1:27017,mongo2:27017/app?replicaSet=rs0",
            "mongodb://mongo1:27017/app?directConnection=true",
        );
        assert!(flagged(&direct, RULE).is_empty());
        // The set named in the shell's `--host`.
        let set_host = MONGO_SET.replace(
            "--host mongo1:27017",
            "--host rs0/mongo1:27017,mongo2:27017",
        );
        assert_eq!(flagged(&set_host, RULE).len(), 2);
    }

    /// The single-node set of local development, initiated in the healthcheck.
    const MONGO_SINGLE: &str = r#"services:
  mongo:
    image: mongo:7.0
    command: ["--replSet", "rs0", "--bind_ip_all"]
    ports: ["27017:27017"]
    healthcheck:
      test: echo "try { rs.status() } catch (err) { rs.initiate({_id:'rs0',members:[{_id:0,host:'localhost:27017'}]}) }" | mongosh --quiet
      interval: 5s
"#;

    #[test]
    fn a_single_node_set_only_the_host_uses_is_right() {
        assert!(flagged(MONGO_SINGLE, RULE).is_empty());
        let with_api = format!(
            "{MONGO_SINGLE}  api:\n    image: example/api\n    environment:\n      DATABASE_URL: mongodb://mongo:27017/app?replicaSet=rs0\n"
        );
        let found = findings(&with_api, &[], RULE);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(&with_api[found[0].range.clone()], "localhost:27017");
        // Without `replicaSet`, only drivers that discover the set follow it: information.
        let seed_only = with_api.replace("?replicaSet=rs0", "");
        let found = findings(&seed_only, &[], RULE);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        // The precision project's form: the member is the service's own name.
        assert!(
            flagged(
                &with_api.replace("host:'localhost:27017'", "host:'mongo:27017'"),
                RULE
            )
            .is_empty()
        );
    }

    /// A master, a replica and three Sentinels, as in the Redis Sentinel tutorials.
    const SENTINELS: &str = r#"services:
  redis-master:
    image: redis:7.2
    command: redis-server --appendonly yes
  redis-replica:
    image: redis:7.2
    command: redis-server --replicaof redis-master 6379 --replica-announce-ip 127.0.0.1
  sentinel:
    image: redis:7.2
    command: redis-server /etc/redis/sentinel.conf --sentinel --sentinel announce-ip 127.0.0.1
    deploy:
      replicas: 3
"#;

    #[test]
    fn redis_replicas_and_sentinels_announcing_loopback() {
        assert_eq!(flagged(SENTINELS, RULE), ["127.0.0.1", "127.0.0.1"]);
        let messages: Vec<String> = findings(SENTINELS, &[], RULE)
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert!(
            messages[0].starts_with("`redis-replica` announces 127.0.0.1 to its master"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("Sentinel `sentinel` announces"),
            "{messages:?}"
        );
        // One Sentinel has no other Sentinel to tell.
        let one = SENTINELS.replace("replicas: 3", "replicas: 1");
        assert_eq!(flagged(&one, RULE), ["127.0.0.1"]);
        // No Sentinel: nobody reads the replica's announced address.
        let plain = "services:\n  redis-master:\n    image: redis:7.2\n  redis-replica:\n    image: redis:7.2\n    command: redis-server --replicaof redis-master 6379 --replica-announce-ip 127.0.0.1\n";
        assert!(flagged(plain, RULE).is_empty());
        // Announcing the service name is right.
        assert!(flagged(&SENTINELS.replace("127.0.0.1", "redis-replica"), RULE).is_empty());
    }

    #[test]
    fn bitnami_announce_variables() {
        let text = r#"services:
  redis:
    image: bitnami/redis:7.2
    environment:
      REDIS_REPLICATION_MODE: master
      ALLOW_EMPTY_PASSWORD: "yes"
  redis-replica:
    image: bitnami/redis:7.2
    environment:
      REDIS_REPLICATION_MODE: slave
      REDIS_MASTER_HOST: redis
      REDIS_REPLICA_IP: 127.0.0.1
  sentinel-1:
    image: bitnami/redis-sentinel:7.2
    environment:
      REDIS_MASTER_HOST: redis
      REDIS_SENTINEL_ANNOUNCE_IP: localhost
  sentinel-2:
    image: bitnami/redis-sentinel:7.2
    environment:
      REDIS_MASTER_HOST: redis
"#;
        assert_eq!(flagged(text, RULE), ["127.0.0.1", "localhost"]);
    }

    /// Two Elasticsearch nodes that find each other, and Kibana.
    const ES_CLUSTER: &str = r#"services:
  es01:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      - node.name=es01
      - discovery.seed_hosts=es02
      - cluster.initial_master_nodes=es01,es02
      - network.publish_host=127.0.0.1
  es02:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      - node.name=es02
      - discovery.seed_hosts=es01
      - cluster.initial_master_nodes=es01,es02
  kibana:
    image: docker.elastic.co/kibana/kibana:8.15.0
    environment:
      - ELASTICSEARCH_HOSTS=http://es01:9200
"#;

    #[test]
    fn elasticsearch_nodes_publishing_loopback() {
        assert_eq!(flagged(ES_CLUSTER, RULE), ["127.0.0.1"]);
        assert!(
            flagged(
                &ES_CLUSTER.replace("publish_host=127.0.0.1", "publish_host=es01"),
                RULE
            )
            .is_empty()
        );
        // The `ES_SETTING_` form and `_local_`.
        let setting = ES_CLUSTER.replace(
            "network.publish_host=127.0.0.1",
            "ES_SETTING_NETWORK_PUBLISH__HOST=_local_",
        );
        assert_eq!(flagged(&setting, RULE), ["_local_"]);
    }

    #[test]
    fn a_single_elasticsearch_node() {
        let single = r#"services:
  elasticsearch:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    environment:
      - discovery.type=single-node
      - network.publish_host=127.0.0.1
    ports: ["9200:9200"]
  kibana:
    image: docker.elastic.co/kibana/kibana:8.15.0
    environment:
      - ELASTICSEARCH_HOSTS=http://elasticsearch:9200
"#;
        // The publish address matters only to other nodes.
        assert!(flagged(single, RULE).is_empty());
        // `network.host` is also where it listens: Kibana cannot connect.
        let bound = single.replace("network.publish_host", "network.host");
        assert_eq!(flagged(&bound, RULE), ["127.0.0.1"]);
        // ... unless HTTP is bound elsewhere, or nobody else connects.
        let http = bound.replace(
            "      - network.host",
            "      - http.host=0.0.0.0\n      - network.host",
        );
        assert!(flagged(&http, RULE).is_empty());
        let alone = bound.split("  kibana:").next().unwrap().to_string();
        assert!(flagged(&alone, RULE).is_empty());
        // `0.0.0.0` is the right value.
        assert!(flagged(&bound.replace("=127.0.0.1", "=0.0.0.0"), RULE).is_empty());
    }

    #[test]
    fn rabbitmq_nodes_named_localhost() {
        let text = r#"services:
  rabbitmq1:
    image: bitnami/rabbitmq:3.13
    environment:
      RABBITMQ_ERL_COOKIE: s3cr3t
  rabbitmq2:
    image: bitnami/rabbitmq:3.13
    environment:
      RABBITMQ_NODE_NAME: rabbit@rabbitmq2
      RABBITMQ_CLUSTER_NODE_NAME: rabbit@rabbitmq1
      RABBITMQ_ERL_COOKIE: s3cr3t
"#;
        // The default name of the node joined.
        assert_eq!(flagged(text, RULE), ["rabbitmq1"]);
        let named = text.replace(
            "      RABBITMQ_ERL_COOKIE: s3cr3t\n  rabbitmq2",
            "      RABBITMQ_NODE_NAME: rabbit@rabbitmq1\n      RABBITMQ_ERL_COOKIE: s3cr3t\n  rabbitmq2",
        );
        assert!(flagged(&named, RULE).is_empty());
        // The joining node named localhost.
        let joining = named.replace("rabbit@rabbitmq2", "rabbit@localhost");
        assert_eq!(flagged(&joining, RULE), ["localhost"]);
        // A single node named localhost is right.
        let single = "services:\n  rabbitmq:\n    image: rabbitmq:3.13-management\n    environment:\n      RABBITMQ_NODENAME: rabbit@localhost\n";
        assert!(flagged(single, RULE).is_empty());
    }

    #[test]
    fn bitnami_mongodb_advertised_hostname() {
        let text = r#"services:
  mongodb:
    image: bitnami/mongodb:7.0
    environment:
      MONGODB_REPLICA_SET_MODE: primary
      MONGODB_REPLICA_SET_NAME: rs0
      MONGODB_ADVERTISED_HOSTNAME: localhost
      ALLOW_EMPTY_PASSWORD: "yes"
  rocketchat:
    image: registry.rocket.chat/rocketchat/rocket.chat:6.10
    environment:
      MONGO_URL: mongodb://mongodb:27017/rocketchat?replicaSet=rs0
"#;
        assert_eq!(flagged(text, RULE), ["localhost"]);
        assert!(
            flagged(
                &text.replace("HOSTNAME: localhost", "HOSTNAME: mongodb"),
                RULE
            )
            .is_empty()
        );
        // Not in replica-set mode: the variable names nothing the driver follows.
        let standalone = text.replace("      MONGODB_REPLICA_SET_MODE: primary\n", "");
        assert!(flagged(&standalone, RULE).is_empty());
    }

    #[test]
    fn gitea_root_url_handed_to_runner_jobs() {
        let text = r#"services:
  gitea:
    image: docker.gitea.com/gitea:1.22
    environment:
      GITEA__server__ROOT_URL: http://localhost:3000/
    ports: ["3000:3000"]
  runner:
    image: docker.io/gitea/act_runner:latest
    environment:
      GITEA_INSTANCE_URL: http://gitea:3000
      GITEA_RUNNER_REGISTRATION_TOKEN: token
    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]
"#;
        assert_eq!(flagged(text, RULE), ["localhost"]);
        // No runner, or a runner that uses the same public address: nothing.
        let alone = text.split("  runner:").next().unwrap().to_string();
        assert!(flagged(&alone, RULE).is_empty());
        let public = text.replace("http://localhost:3000/", "https://git.example.com/");
        assert!(flagged(&public, RULE).is_empty());
    }
}
