//! prometheus.yml (Prometheus's "Configuration"): each job of `scrape_configs` lists
//! `static_configs[].targets` as `host:port`; Prometheus connects to them from its own
//! container. Prometheus itself listens on `--web.listen-address`, `0.0.0.0:9090` by
//! default, so `localhost:9090` is it scraping itself.

use super::{AppConfig, Upstream, split_address, yaml_part, yaml_path};
use crate::syntax::yaml::Yaml;

pub(super) fn read(text: &str) -> AppConfig {
    let mut out = AppConfig::default();
    let yaml = Yaml::parse(text);
    let Some(root) = yaml.root_mapping() else {
        return out;
    };
    let Some(jobs) = yaml_path(&yaml, root, &["scrape_configs"]) else {
        return out;
    };
    for &job in yaml.items(jobs).unwrap_or_default() {
        // A job that rewrites `__address__` scrapes somewhere else (an exporter's probe).
        if yaml.get(job, "relabel_configs").is_some() {
            continue;
        }
        let Some(statics) = yaml_path(&yaml, job, &["static_configs"]) else {
            continue;
        };
        for &sc in yaml.items(statics).unwrap_or_default() {
            let Some(targets) = yaml_path(&yaml, sc, &["targets"]) else {
                continue;
            };
            for &t in yaml.items(targets).unwrap_or_default() {
                let Some(value) = yaml.scalar(t) else {
                    continue;
                };
                let value_trim = value.trim();
                if value_trim.contains(['$', '{', '/']) {
                    continue;
                }
                let lead = value.len() - value.trim_start().len();
                if let (Some(host), Some(port)) = split_address(value_trim) {
                    let from = lead + usize::from(value_trim.starts_with('['));
                    out.upstreams.push(Upstream {
                        span: yaml_part(&yaml, text, t, from..from + host.len()),
                        host,
                        port: Some(port),
                    });
                }
            }
        }
    }
    out
}
