use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::compose::Val;

declare_rule! {
    /// ## What it does
    /// Reports an `extra_hosts` entry that maps a name other than `localhost` to a loopback
    /// address (`127.0.0.0/8`, `::1`). A service that maps one of its own names (its
    /// service name, `hostname`, `container_name` or an alias) to loopback is left alone:
    /// that is how a MongoDB replica set or a cluster node finds itself by the name its
    /// peers use, and there the container itself is meant.
    ///
    /// ## Why it matters
    /// Inside a container 127.0.0.1 is the container itself, not the host and not another
    /// service: connections to that name are refused. The entry usually tries to reach a
    /// program on the host, or another service.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     extra_hosts: ["api.local:127.0.0.1"]
    /// ```
    ///
    /// ## Fix
    /// Map the name to `host-gateway` (the host's address on Docker's bridge; the quick
    /// fix), and make the program on the host listen on that address; or use the name of
    /// the service you meant, which Docker's DNS already resolves.
    pub static EXTRA_HOSTS_LOOPBACK = {
        code: "extra-hosts-loopback",
        severity: Warning,
        applies_to: "Compose files",
        summary: "`extra_hosts` maps a name to the container's own loopback",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.extra_hosts.is_empty() {
            continue;
        }
        let Some(entry) = p.yaml.get(s.node, "extra_hosts") else {
            continue;
        };
        let node = p.yaml.resolve(entry.value);
        // (name, the value holding the address, where the address starts in it)
        let mut pairs: Vec<(&str, Val, usize)> = Vec::new();
        if let Some(items) = p.yaml.items(node) {
            for &item in items {
                let item = p.yaml.resolve(item);
                let Some(text) = p.yaml.scalar(item) else {
                    continue;
                };
                if let Some(at) = text.find(['=', ':']) {
                    pairs.push((&text[..at], Val::plain(item, text), at + 1));
                }
            }
        } else {
            for e in p.yaml.entries(node) {
                let value = p.yaml.resolve(e.value);
                if let (Some(name), Some(ip)) = (p.yaml.scalar(e.key), p.yaml.scalar(value)) {
                    pairs.push((name, Val::plain(value, ip), 0));
                }
            }
        }
        for (name, val, at) in pairs {
            let ip = &val.value[at..];
            let bare = ip.trim_start_matches('[').trim_end_matches(']');
            let Ok(addr) = bare.parse::<std::net::IpAddr>() else {
                continue;
            };
            let own = name == s.name || s.other_names().any(|n| n.value == name);
            if !addr.is_loopback() || name.eq_ignore_ascii_case("localhost") || own {
                continue;
            }
            let mut f = Finding::new(
                &EXTRA_HOSTS_LOOPBACK,
                p.value_span(&val, at..val.value.len()),
                format!(
                    "`{name}` → {bare} is `{}`'s own loopback, so connections are refused. It is not the host or another service. Use `{name}:host-gateway` to reach the host",
                    s.name
                ),
            );
            if let Some(range) = p.raw_span(&val, at..val.value.len()) {
                f = f.with_fix(
                    "Map it to `host-gateway`",
                    vec![Edit {
                        range,
                        new_text: "host-gateway".into(),
                    }],
                );
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn loopback_extra_hosts() {
        let text = "services:\n  app:\n    image: app\n    extra_hosts:\n      - \"api.local:127.0.0.1\"\n      - \"v6=::1\"\n      - \"localhost:127.0.0.1\"\n      - \"db:10.0.0.5\"\n      - \"gw:host-gateway\"\n  map:\n    image: app\n    extra_hosts:\n      dev.local: 127.0.1.1\n";
        assert_eq!(
            flagged(text, "extra-hosts-loopback"),
            ["127.0.0.1", "::1", "127.0.1.1"]
        );
        let fixed = fix_all(text, "extra-hosts-loopback");
        assert!(fixed.contains("\"api.local:host-gateway\""), "{fixed}");
        assert!(fixed.contains("\"v6=host-gateway\""), "{fixed}");
        assert!(fixed.contains("dev.local: host-gateway"), "{fixed}");
    }

    #[test]
    fn a_service_that_maps_its_own_name_to_itself() {
        // A single-node MongoDB replica set: the member advertises `mongo:27017`, which
        // the node itself must resolve.
        let text = "services:\n  mongo:\n    image: mongo:7\n    command: [\"--replSet\", \"rs0\", \"--bind_ip_all\"]\n    hostname: mongo1\n    extra_hosts:\n      - \"mongo:127.0.0.1\"\n      - \"mongo1:127.0.0.1\"\n      - \"api:127.0.0.1\"\n  api:\n    image: api\n";
        assert_eq!(flagged(text, "extra-hosts-loopback"), ["127.0.0.1"]);
    }
}
