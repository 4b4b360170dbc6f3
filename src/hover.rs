//! Hover texts, as Markdown: pure functions of the analysed tree. For now, port entries:
//! what Docker makes of each one.

use crate::compose::{PortEntry, PortList};
use crate::ports::{self, Binding};
use crate::syntax::yaml::{NodeKind, Yaml};

/// Markdown for a `ports` or `expose` entry.
pub fn port_entry(yaml: &Yaml, entry: &PortEntry) -> String {
    let service = yaml.scalar(entry.service).unwrap_or("?");
    let item = yaml.resolve(entry.item);
    let mut md = String::new();
    match (&yaml.node(item).kind, entry.list) {
        (NodeKind::Scalar { value, .. }, _) if value.contains('$') => {
            md.push_str(&format!(
                "**`{service}`** port entry `{value}`\n\nIt uses variables; Compose substitutes them from `.env` and the environment before reading the mapping."
            ));
        }
        (NodeKind::Scalar { value, .. }, PortList::Ports) => {
            md.push_str(&format!("**`{service}`** publishes `{value}`\n\n"));
            match ports::parse_port_spec(value) {
                Ok(bindings) => push_bindings(&mut md, &bindings),
                Err(e) => md.push_str(&format!("Docker rejects this entry: `{}`", e.message)),
            }
        }
        (NodeKind::Scalar { value, .. }, PortList::Expose) => {
            md.push_str(&format!("**`{service}`** exposes `{value}`\n\n"));
            match ports::parse_expose(value) {
                Ok(exposed) => {
                    let first = &exposed[0];
                    let last = &exposed[exposed.len() - 1];
                    let range = if exposed.len() == 1 {
                        format!("{}/{}", first.port, first.protocol)
                    } else {
                        format!("{}-{}/{}", first.port, last.port, first.protocol)
                    };
                    md.push_str(&format!(
                        "Container port {range}: documentation for other containers on the same network, which reach every listening port anyway. **Not published** to the host; use `ports` for that."
                    ));
                }
                Err(e) => md.push_str(&format!("Docker rejects this entry: `{e}`")),
            }
        }
        (NodeKind::Mapping { .. }, _) => {
            let field = |k: &str| {
                yaml.get(item, k)
                    .and_then(|e| yaml.scalar(e.value))
                    .unwrap_or("")
                    .to_string()
            };
            md.push_str(&format!("**`{service}`** publishes (long syntax)\n\n"));
            match field("target").parse::<u16>() {
                Ok(target) => {
                    let protocol = match field("protocol").as_str() {
                        "" => "tcp",
                        p => ports::protocol(p).unwrap_or("tcp"),
                    };
                    let binding = Binding {
                        host_ip: field("host_ip").into(),
                        published: field("published").into(),
                        target,
                        protocol,
                    };
                    push_bindings(&mut md, &[binding]);
                    if field("mode") == "host" {
                        md.push_str(
                            "\n`mode: host` publishes on the node that runs the container only.",
                        );
                    }
                }
                Err(_) => md.push_str("It has no valid `target` (container port)."),
            }
        }
        _ => md.push_str(&format!("**`{service}`** port entry")),
    }
    md
}

fn push_bindings(md: &mut String, bindings: &[Binding]) {
    for b in bindings {
        md.push_str(&format!("- {}\n", b.describe().replace("->", "→")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::port_entries;

    fn hovers(text: &str) -> Vec<String> {
        let yaml = Yaml::parse(text);
        port_entries(&yaml)
            .iter()
            .map(|e| port_entry(&yaml, e))
            .collect()
    }

    #[test]
    fn port_hovers() {
        let h = hovers(
            "services:\n  web:\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - \"localhost:1:2\"\n      - {target: 53, published: 5353, protocol: udp}\n    expose: [\"9000-9001\"]\n",
        );
        assert_eq!(
            h[0],
            "**`web`** publishes `127.0.0.1:8080:80`\n\n- host 127.0.0.1, port 8080 → container port 80/tcp\n"
        );
        assert!(h[1].contains("Docker rejects this entry: `invalid IP address: localhost`"));
        assert!(h[2].contains("host all interfaces, port 5353 → container port 53/udp"));
        assert!(h[3].contains("Container port 9000-9001/tcp"));
        assert!(h[3].contains("**Not published**"));
    }
}
