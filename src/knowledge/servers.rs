//! Servers that run in containers, as data: `servers.toml` beside this file, one entry per
//! way of starting a server (`flask run`, `uvicorn`, `rails server`, ...), with the address
//! and port it listens on by default, the flags and variables that change them, the config
//! file that may, and the source of each fact. Read by the listener analysis
//! (`model::dockerfile::listen`) and by `app-listens-on-loopback`.

use std::sync::OnceLock;

use serde::Deserialize;

/// Flags whose value is a listen address wherever they appear.
pub const ADDRESS_FLAGS: &[&str] = &[
    "--host",
    "--bind",
    "--hostname",
    "--ip",
    "--listen",
    "--address",
    // Go programs' conventional flag (`-addr=:8080`, `--addr :8080`).
    "--addr",
    "-addr",
    "-b",
    "-S",
];

/// A server and where it listens unless told otherwise.
#[derive(Debug, Clone, Deserialize)]
pub struct Server {
    pub id: String,
    /// Alternative command word sequences that start it (`["flask", "run"]`), matched by
    /// the first word's base name with options between the words skipped.
    pub words: Vec<Vec<String>>,
    /// `loopback`, `all` or `unknown`: what the command alone says about the address when
    /// the server runs in a container as people run it. `unknown` entries (an image, a
    /// launcher or a config decides) give neither an address nor a default port.
    pub container_default: String,
    pub what: String,
    pub default_host: String,
    /// 0 when none is known.
    pub default_port: u16,
    pub host_flags: Vec<String>,
    pub port_flags: Vec<String>,
    /// Flags whose value is `host:port`.
    pub address_flags: Vec<String>,
    /// `port`, `address` or empty: what a bare argument is.
    pub positional: String,
    pub host_env: Vec<String>,
    pub port_env: Vec<String>,
    pub url_env: Vec<String>,
    /// A config file the server reads by default that may set the address (empty if none).
    pub config: String,
    pub config_flags: Vec<String>,
    /// What a quick fix inserts after the command words to listen on every interface.
    pub fix: Vec<String>,
    pub note: String,
    pub source: String,
}

impl Server {
    /// It binds loopback unless a flag, a variable or its config says otherwise.
    pub fn loopback(&self) -> bool {
        self.container_default == "loopback"
    }

    /// The port it listens on when nothing changes it, when the command alone says so: a
    /// loopback server's, or another's that reads no config file for it.
    pub fn known_port(&self) -> Option<u16> {
        let known = match self.container_default.as_str() {
            "loopback" => true,
            "all" => self.config.is_empty(),
            _ => false,
        };
        (known && self.default_port > 0).then_some(self.default_port)
    }
}

#[derive(Deserialize)]
struct Table {
    server: Vec<Server>,
}

/// The table, parsed on first use (a test checks it parses; a broken one is empty).
pub fn all() -> &'static [Server] {
    static TABLE: OnceLock<Vec<Server>> = OnceLock::new();
    TABLE.get_or_init(|| {
        toml::from_str::<Table>(include_str!("servers.toml"))
            .map_or_else(|_| Vec::new(), |t| t.server)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_has_a_source() {
        let table: Table =
            toml::from_str(include_str!("servers.toml")).expect("servers.toml parses");
        assert!(table.server.len() >= 40, "{} servers", table.server.len());
        let mut ids = std::collections::HashSet::new();
        for s in &table.server {
            assert!(ids.insert(s.id.clone()), "{} twice", s.id);
            assert!(!s.source.trim().is_empty(), "{} has no source", s.id);
            assert!(
                !s.words.is_empty() && s.words.iter().all(|w| !w.is_empty()),
                "{}",
                s.id
            );
            assert!(
                matches!(s.container_default.as_str(), "loopback" | "all" | "unknown"),
                "{}",
                s.id
            );
            if s.loopback() {
                assert!(
                    matches!(s.default_host.as_str(), "127.0.0.1" | "localhost" | "::1"),
                    "{} is loopback in containers but defaults to {:?}",
                    s.id,
                    s.default_host
                );
            }
        }
        assert_eq!(all().len(), table.server.len());
    }
}
