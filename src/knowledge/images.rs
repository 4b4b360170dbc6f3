//! The images people run from Compose files and the ports their servers listen on inside the
//! container, as data: `images.toml` beside this file, one entry per image with the source
//! of each fact (the image's Dockerfile, entrypoint, default config or documentation).
//!
//! [`lookup`] matches an image reference as Docker resolves it: any tag or digest, the
//! Docker Hub registry written or not (`docker.io/library/postgres:16`), and the Hub
//! mirrors people use (`mirror.gcr.io`, `public.ecr.aws/docker/library`).

use std::sync::OnceLock;

use serde::Deserialize;

/// One port a server in the image listens on.
#[derive(Debug, Clone, Deserialize)]
pub struct PortFact {
    pub port: u16,
    pub protocol: String,
    /// What answers there (`PostgreSQL`, `management UI`).
    pub what: String,
}

/// Tags whose name contains `tag_contains` (or starts with `tag_prefix`) listen on other
/// ports (`php:8-fpm` on 9000), or another address (`eclipse-mosquitto:1.6`).
#[derive(Debug, Clone, Deserialize)]
pub struct Variant {
    #[serde(default)]
    pub tag_contains: String,
    #[serde(default)]
    pub tag_prefix: String,
    pub ports: Vec<PortFact>,
    /// The address the tag's server binds, when it differs from the image's.
    #[serde(default)]
    pub bind: Option<String>,
}

impl Variant {
    fn matches(&self, tag: &str) -> bool {
        (!self.tag_contains.is_empty() && tag.contains(&self.tag_contains))
            || (!self.tag_prefix.is_empty() && tag.starts_with(&self.tag_prefix))
    }
}

/// An image and what its server listens on by default.
#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    /// Repository names without registry, tag or digest (`postgres`, `bitnami/redis`,
    /// `quay.io/keycloak/keycloak` for images outside Docker Hub).
    pub names: Vec<String>,
    pub what: String,
    pub ports: Vec<PortFact>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// `all` or `loopback`: the address the server binds by default.
    pub bind: String,
    /// Variables that change the (first) port.
    pub port_env: Vec<String>,
    /// Server flags that change the port (`-p`, `--port`, `-c port=`).
    pub port_flags: Vec<String>,
    /// Variables that change the listen address.
    pub bind_env: Vec<String>,
    pub note: String,
    pub source: String,
}

#[derive(Deserialize)]
struct Table {
    image: Vec<Image>,
}

/// The table, parsed on first use.
pub fn all() -> &'static [Image] {
    static TABLE: OnceLock<Vec<Image>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A test checks that the bundled table parses; a broken one is an empty table, not
        // a crash of the server.
        toml::from_str::<Table>(include_str!("images.toml"))
            .map_or_else(|_| Vec::new(), |t| t.image)
    })
}

/// An image reference matched against the table.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub image: &'static Image,
    /// The repository as the table names it (`postgres`).
    pub name: &'static str,
    /// The ports of this tag: the variant's when the tag names one.
    pub ports: &'static [PortFact],
    /// The variant the tag named, if any.
    pub variant: Option<&'static Variant>,
    /// `all` or `loopback`: the address this tag's server binds by default.
    pub bind: &'static str,
}

/// Registries (and paths in them) that serve Docker Hub's images under the same names.
const HUB: &[&str] = &[
    "docker.io/",
    "index.docker.io/",
    "registry-1.docker.io/",
    "registry.hub.docker.com/",
    "mirror.gcr.io/",
    "public.ecr.aws/docker/",
];

/// The repository and tag of an image reference: `docker.io/library/postgres:16@sha256:…`
/// → (`postgres`, `16`). `None` for a reference that still holds a variable.
pub fn repository(reference: &str) -> Option<(std::borrow::Cow<'_, str>, &str)> {
    use std::borrow::Cow;
    let reference = reference.trim();
    if reference.is_empty() || reference.contains('$') {
        return None;
    }
    let without_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match without_digest[last_slash..].find(':') {
        Some(colon) => (
            &without_digest[..last_slash + colon],
            &without_digest[last_slash + colon + 1..],
        ),
        None => (without_digest, ""),
    };
    // Borrowed unless the name has capitals: lookups run for every service.
    let strip = |name: &str| -> (usize, usize) {
        let mut start = 0;
        if let Some(hub) = HUB.iter().find(|h| name.starts_with(*h)) {
            start = hub.len();
        }
        if name[start..].starts_with("library/") {
            start += "library/".len();
        }
        (start, name.len())
    };
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = name.to_ascii_lowercase();
        let (a, b) = strip(&lower);
        Cow::Owned(lower[a..b].to_string())
    } else {
        let (a, b) = strip(name);
        Cow::Borrowed(&name[a..b])
    };
    Some((name, tag))
}

/// Each name of the table, with its image.
fn by_name() -> &'static rustc_hash::FxHashMap<&'static str, &'static Image> {
    static INDEX: OnceLock<rustc_hash::FxHashMap<&'static str, &'static Image>> = OnceLock::new();
    INDEX.get_or_init(|| {
        all()
            .iter()
            .flat_map(|image| image.names.iter().map(move |n| (n.as_str(), image)))
            .collect()
    })
}

/// What the table knows of `reference`, with the ports of its tag.
pub fn lookup(reference: &str) -> Option<Known> {
    let (name, tag) = repository(reference)?;
    by_name().get(&*name).and_then(|image| {
        let tag = tag.to_ascii_lowercase();
        let matched = image.names.iter().find(|n| **n == *name)?;
        let variant = image.variants.iter().find(|v| v.matches(&tag));
        Some(Known {
            image,
            name: matched,
            ports: variant.map_or(&image.ports[..], |v| &v.ports[..]),
            variant,
            bind: variant
                .and_then(|v| v.bind.as_deref())
                .unwrap_or(&image.bind),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_has_a_source() {
        let table: Table = toml::from_str(include_str!("images.toml")).expect("images.toml parses");
        assert!(table.image.len() >= 80, "{} images", table.image.len());
        let mut seen = std::collections::HashSet::new();
        for image in &table.image {
            assert!(
                !image.source.trim().is_empty(),
                "{:?} has no source",
                image.names
            );
            assert!(
                matches!(image.bind.as_str(), "all" | "loopback"),
                "{:?}",
                image.names
            );
            for n in &image.names {
                assert!(seen.insert(n.clone()), "{n} is listed twice");
                assert_eq!(*n, n.to_ascii_lowercase(), "{n}: names are lower case");
            }
            for p in image
                .ports
                .iter()
                .chain(image.variants.iter().flat_map(|v| &v.ports))
            {
                assert!(
                    matches!(p.protocol.as_str(), "tcp" | "udp"),
                    "{:?}",
                    image.names
                );
                assert!(p.port > 0);
            }
        }
        assert_eq!(all().len(), table.image.len());
    }

    #[test]
    fn references_match_as_docker_resolves_them() {
        let port = |r: &str| lookup(r).map(|k| k.ports.iter().map(|p| p.port).collect::<Vec<_>>());
        assert_eq!(port("postgres"), Some(vec![5432]));
        assert_eq!(port("postgres:16-alpine"), Some(vec![5432]));
        assert_eq!(
            port("docker.io/library/postgres:16@sha256:abcd"),
            Some(vec![5432])
        );
        assert_eq!(port("library/postgres"), Some(vec![5432]));
        assert_eq!(port("mirror.gcr.io/library/redis:7"), Some(vec![6379]));
        assert_eq!(
            port("public.ecr.aws/docker/library/nginx:1.27"),
            Some(vec![80])
        );
        assert_eq!(port("nginxinc/nginx-unprivileged:stable"), Some(vec![8080]));
        assert_eq!(port("quay.io/keycloak/keycloak:26.0"), Some(vec![8080]));
        // Tags that name a variant.
        assert_eq!(port("wordpress:6-fpm-alpine"), Some(vec![9000]));
        assert_eq!(port("php:8.3-apache"), Some(vec![80]));
        assert_eq!(port("php:8.3-cli"), Some(vec![]));
        assert!(port("rabbitmq:4-management").unwrap().contains(&15672));
        assert!(!port("rabbitmq:4").unwrap().contains(&15672));
        // Unknown images, other registries and unresolved variables.
        assert_eq!(port("registry.example.com/postgres:16"), None);
        assert_eq!(port("myorg/api:1.0"), None);
        assert_eq!(port("${IMAGE}"), None);
        assert_eq!(port("localhost:5000/postgres"), None);
        // Mosquitto 2 binds loopback with its stock config; 1.x every interface.
        assert_eq!(lookup("eclipse-mosquitto:2.0.18").unwrap().bind, "loopback");
        assert_eq!(lookup("eclipse-mosquitto").unwrap().bind, "loopback");
        assert_eq!(lookup("eclipse-mosquitto:1.6.15").unwrap().bind, "all");
        assert_eq!(lookup("postgres").unwrap().bind, "all");
    }
}
