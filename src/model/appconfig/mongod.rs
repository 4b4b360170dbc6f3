//! mongod.conf, MongoDB's YAML configuration file ("Configuration File Options" in the
//! MongoDB manual): `net.bindIp` (comma-separated addresses; `localhost` when unset outside
//! the official image), `net.bindIpAll`, `net.port` (default 27017). The official image's
//! entrypoint adds `--bind_ip_all` unless the command or the config file (`--config`/`-f`)
//! sets `net.bindIp` or `net.bindIpAll` (docker-library/mongo `docker-entrypoint.sh`), so a
//! file without them listens on every interface there.

use super::{AppConfig, Listen, yaml_part, yaml_path};
use crate::syntax::yaml::Yaml;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let yaml = Yaml::parse(text);
    let Some(root) = yaml.root_mapping() else {
        return out;
    };
    let port_node = yaml_path(&yaml, root, &["net", "port"]);
    let port = port_node
        .and_then(|n| yaml.scalar(n))
        .and_then(|p| p.trim().parse::<u16>().ok());
    let port_span = port_node
        .filter(|_| port.is_some())
        .map(|n| yaml.span(yaml.resolve(n)));
    let all = yaml_path(&yaml, root, &["net", "bindIpAll"]).filter(|&n| {
        yaml.scalar(n)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    });
    if let Some(node) = all {
        out.listens.push(Listen {
            host: None,
            port,
            span: yaml.span(yaml.resolve(node)),
            port_span: port_span.clone(),
        });
        return out;
    }
    if let Some(node) = yaml_path(&yaml, root, &["net", "bindIp"])
        && let Some(value) = yaml.scalar(node)
    {
        let mut at = 0;
        for part in value.split(',') {
            let start = at + (part.len() - part.trim_start().len());
            at += part.len() + 1;
            let host = part.trim();
            if host.is_empty() {
                continue;
            }
            out.listens.push(Listen {
                host: (host != "*").then(|| host.to_string()),
                port,
                span: yaml_part(&yaml, text, node, start..start + host.len()),
                port_span: port_span.clone(),
            });
        }
        if !out.listens.is_empty() {
            return out;
        }
    }
    if let (Some(node), Some(port)) = (port_node, port) {
        out.listens.push(Listen {
            host: None,
            port: Some(port),
            span: yaml.span(yaml.resolve(node)),
            port_span,
        });
    }
    out
}
