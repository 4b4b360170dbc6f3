//! Reverse proxies that route to a container by what the container itself declares, read
//! as connections of the map: from the proxy's service to the routed service, with the port
//! it connects to where the declaration names one.
//!
//! Facts, with their sources:
//! - Traefik's Docker provider reads container labels: a router's matcher is
//!   `traefik.http.routers.<router>.rule` (`Host(...)`), the port it connects to is
//!   `traefik.http.services.<service>.loadbalancer.server.port` (without it, the first port
//!   the container exposes), a router names its service with `.service`, TCP and UDP have
//!   the same keys under `traefik.tcp`/`traefik.udp`, and `traefik.enable=false` leaves the
//!   container out (doc.traefik.io, routing/providers/docker, "Specify a Custom Port for
//!   the Container"; label keys are matched case-insensitively, `loadBalancer` is common).
//! - nginx-proxy (`nginxproxy/nginx-proxy`, formerly `jwilder/nginx-proxy`) reads the
//!   proxied container's environment: `VIRTUAL_HOST` (host names, comma-separated) and
//!   `VIRTUAL_PORT`; without it, the single exposed port, else 80 (nginx-proxy's README,
//!   "Multiple Ports").
//! - caddy-docker-proxy (`lucaslorentz/caddy-docker-proxy`) reads labels prefixed `caddy`
//!   (`caddy_0`, `caddy_1`, ... for several sites): `caddy: <site address>` and
//!   `caddy.reverse_proxy: "{{upstreams [http|https] [port]}}"`, whose port is the one it
//!   connects to (lucaslorentz/caddy-docker-proxy README, "upstreams").
//!
//! The proxy's service is found by its image (Traefik through the image table).

use std::ops::Range;

use crate::model::compose::{EnvVar, Project, Service};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Traefik,
    NginxProxy,
    CaddyDockerProxy,
}

impl Kind {
    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Traefik => "traefik",
            Kind::NginxProxy => "nginx-proxy",
            Kind::CaddyDockerProxy => "caddy-docker-proxy",
        }
    }
}

/// The proxy an image runs, if it is one of those that route by container declarations.
pub(super) fn kind_of_image(reference: &str) -> Option<Kind> {
    if crate::knowledge::images::lookup(reference).is_some_and(|k| k.name == "traefik") {
        return Some(Kind::Traefik);
    }
    let (repo, _) = crate::knowledge::images::repository(reference)?;
    match &*repo {
        "nginxproxy/nginx-proxy" | "jwilder/nginx-proxy" => Some(Kind::NginxProxy),
        "lucaslorentz/caddy-docker-proxy" => Some(Kind::CaddyDockerProxy),
        _ => None,
    }
}

/// A route a service declares for a proxy of `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Route {
    pub kind: Kind,
    /// The container port the proxy connects to, when the declaration names it.
    pub port: Option<u16>,
    /// What the proxy matches requests by: a router rule, virtual host names, a site
    /// address.
    pub rule: Option<String>,
    /// The label or variable that declares it (key to value end).
    pub span: Range<usize>,
}

fn entry_span(project: &Project<'_>, e: &EnvVar<'_>) -> Range<usize> {
    let start = project.span(e.key_node).start;
    let end = e.value.as_ref().map_or_else(
        || project.span(e.key_node).end,
        |v| project.span(v.node).end,
    );
    start..end.max(start)
}

fn value<'a>(e: &'a EnvVar<'_>) -> &'a str {
    e.value.as_ref().map_or("", |v| v.value.as_ref()).trim()
}

/// The routes service `s` declares for the proxies in `kinds`.
pub(super) fn routes(project: &Project<'_>, s: &Service<'_>, kinds: &[Kind]) -> Vec<Route> {
    let mut out = Vec::new();
    if kinds.contains(&Kind::Traefik) {
        traefik(project, s, &mut out);
    }
    if kinds.contains(&Kind::NginxProxy) {
        nginx_proxy(project, s, &mut out);
    }
    if kinds.contains(&Kind::CaddyDockerProxy) {
        caddy(project, s, &mut out);
    }
    out
}

/// `traefik.<proto>.<what>.<name>.<rest>` of a label key, lower case.
fn traefik_key(key: &str) -> Option<(String, String, String, String)> {
    let key = key.to_ascii_lowercase();
    let rest = key.strip_prefix("traefik.")?;
    let mut parts = rest.splitn(4, '.');
    let proto = parts.next()?.to_string();
    let what = parts.next()?.to_string();
    let name = parts.next()?.to_string();
    let tail = parts.next()?.to_string();
    matches!(proto.as_str(), "http" | "tcp" | "udp").then_some((proto, what, name, tail))
}

fn traefik(project: &Project<'_>, s: &Service<'_>, out: &mut Vec<Route>) {
    let labels = &s.labels;
    if labels
        .iter()
        .any(|l| l.key.eq_ignore_ascii_case("traefik.enable") && value(l) == "false")
    {
        return;
    }
    // (proto, service name, port, label)
    let mut ports: Vec<(String, String, Option<u16>, &EnvVar<'_>)> = Vec::new();
    // (proto, router, rule, label)
    let mut rules: Vec<(String, String, String, &EnvVar<'_>)> = Vec::new();
    // (proto, router, service)
    let mut uses: Vec<(String, String, String)> = Vec::new();
    for l in labels {
        let Some((proto, what, name, tail)) = traefik_key(l.key) else {
            continue;
        };
        match (what.as_str(), tail.as_str()) {
            ("services", "loadbalancer.server.port") => {
                ports.push((proto, name, value(l).parse().ok(), l));
            }
            ("routers", "rule") => rules.push((proto, name, value(l).to_string(), l)),
            ("routers", "service") => uses.push((proto, name, value(l).to_ascii_lowercase())),
            _ => {}
        }
    }
    for (proto, name, port, label) in &ports {
        // The rule of the router that names this service; else the only router's.
        let named = rules.iter().find(|(p, router, _, _)| {
            p == proto
                && uses
                    .iter()
                    .any(|(up, ur, us)| up == p && ur == router && us == name)
        });
        let only = (rules.len() == 1 && ports.len() == 1).then(|| &rules[0]);
        out.push(Route {
            kind: Kind::Traefik,
            port: *port,
            rule: named.or(only).map(|r| r.2.clone()),
            span: entry_span(project, label),
        });
    }
    if ports.is_empty() {
        // Routers without a port label: Traefik connects to the first exposed port.
        for (_, _, rule, label) in &rules {
            out.push(Route {
                kind: Kind::Traefik,
                port: None,
                rule: Some(rule.clone()),
                span: entry_span(project, label),
            });
        }
    }
}

fn nginx_proxy(project: &Project<'_>, s: &Service<'_>, out: &mut Vec<Route>) {
    let env = |name: &str| s.environment.iter().find(|e| e.key == name);
    let Some(host) = env("VIRTUAL_HOST").filter(|e| !value(e).is_empty()) else {
        return;
    };
    out.push(Route {
        kind: Kind::NginxProxy,
        port: env("VIRTUAL_PORT").and_then(|e| value(e).parse().ok()),
        rule: Some(value(host).to_string()),
        span: entry_span(project, host),
    });
}

/// The `caddy` or `caddy_N` prefix of a label key and the rest after it.
fn caddy_key(key: &str) -> Option<(&str, &str)> {
    let (prefix, rest) = key.split_once('.').unwrap_or((key, ""));
    let ok = prefix == "caddy"
        || prefix
            .strip_prefix("caddy_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    ok.then_some((prefix, rest))
}

/// The port of `{{upstreams [http|https] [port]}}` in a directive's value: `Some(None)`
/// when it names none.
fn upstreams_port(v: &str) -> Option<Option<u16>> {
    let at = v.find("{{")?;
    let inner = &v[at + 2..];
    let inner = &inner[..inner.find("}}")?];
    let mut words = inner.split_whitespace();
    if words.next()? != "upstreams" {
        return None;
    }
    Some(words.find_map(|w| w.parse().ok()))
}

fn caddy(project: &Project<'_>, s: &Service<'_>, out: &mut Vec<Route>) {
    for l in &s.labels {
        let Some((prefix, "reverse_proxy")) = caddy_key(l.key) else {
            continue;
        };
        let Some(port) = upstreams_port(value(l)) else {
            continue;
        };
        let site = s
            .labels
            .iter()
            .find(|site| site.key == prefix)
            .map(|site| value(site).to_string())
            .filter(|v| !v.is_empty());
        out.push(Route {
            kind: Kind::CaddyDockerProxy,
            port,
            rule: site,
            span: entry_span(project, l),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_images() {
        assert_eq!(kind_of_image("traefik:v3.1"), Some(Kind::Traefik));
        assert_eq!(
            kind_of_image("docker.io/library/traefik"),
            Some(Kind::Traefik)
        );
        assert_eq!(
            kind_of_image("nginxproxy/nginx-proxy:1.6"),
            Some(Kind::NginxProxy)
        );
        assert_eq!(kind_of_image("jwilder/nginx-proxy"), Some(Kind::NginxProxy));
        assert_eq!(
            kind_of_image("lucaslorentz/caddy-docker-proxy:ci-alpine"),
            Some(Kind::CaddyDockerProxy)
        );
        assert_eq!(kind_of_image("nginx:1.27"), None);
        assert_eq!(kind_of_image("caddy:2"), None);
    }

    #[test]
    fn upstreams_ports() {
        assert_eq!(upstreams_port("{{upstreams 8080}}"), Some(Some(8080)));
        assert_eq!(
            upstreams_port("* {{ upstreams http 3001 }}"),
            Some(Some(3001))
        );
        assert_eq!(upstreams_port("{{upstreams}}"), Some(None));
        assert_eq!(upstreams_port("app:8080"), None);
        assert_eq!(
            caddy_key("caddy_1.reverse_proxy"),
            Some(("caddy_1", "reverse_proxy"))
        );
        assert_eq!(caddy_key("caddy"), Some(("caddy", "")));
        assert_eq!(caddy_key("caddyfile.x"), None);
    }
}
