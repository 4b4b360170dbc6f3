use super::declare_rule;
use crate::compose::refs::is_loopback;
use crate::compose::{Attachment, Project};
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Finds a single-label host (`postgres`, `api`) in a service's environment or command
    /// that nothing in the project provides: no service name, network alias, `hostname`,
    /// `container_name`, `links` or `extra_hosts` entry. Services on an external network
    /// are left alone, since that network may provide the name.
    ///
    /// ## Why it matters
    /// The name does not resolve: `getaddrinfo ENOTFOUND postgres`, `could not translate
    /// host name`. Usually the URL uses the image name or an old service name.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   app:
    ///     environment: {DATABASE_URL: "postgres://u:p@postgres:5432/app"}
    ///   db:
    ///     image: postgres:16
    /// ```
    ///
    /// ## Fix
    /// Use the service name (`db` above); portside suggests the closest one. Or add an
    /// alias with that name to the service.
    pub static UNKNOWN_SERVICE_HOST = {
        code: "unknown-service-host",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A host name no service provides",
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let mut names: Vec<&str> = Vec::new();
    for s in &p.services {
        names.push(s.name);
        names.extend(
            s.networks
                .iter()
                .flat_map(|n| n.aliases.iter().map(|a| a.value.as_ref())),
        );
        names.extend(s.hostname.iter().map(|h| h.value.as_ref()));
        names.extend(s.container_name.iter().map(|c| c.value.as_ref()));
    }
    for r in &p.refs {
        let host = p.ref_host(r);
        if host.contains('.')
            || host.contains(':')
            || host.starts_with('[')
            || is_loopback(host)
            || host.eq_ignore_ascii_case("localhost")
            || p.service_for_host(host).is_some()
            || p.external.hosts.contains(host)
        {
            continue;
        }
        let s = &p.services[r.service];
        let provided = s
            .links
            .iter()
            .chain(&s.external_links)
            .any(|l| l.value.split(':').any(|part| part == host))
            || s.extra_hosts.iter().any(|h| h.value == host);
        let external = match p.attachment(s) {
            Attachment::Networks(nets) => nets
                .iter()
                .any(|n| p.network(n).is_some_and(|n| n.external)),
            _ => true,
        };
        if provided || external {
            continue;
        }
        let mut message = format!(
            "No service, alias or host entry is called `{host}`: from `{}` it does not resolve",
            s.name
        );
        let mut names: Vec<&str> = p.host_names().collect();
        names.sort_unstable();
        match super::did_you_mean(host, names.iter().copied()) {
            Some(close) => message.push_str(&format!(". Did you mean `{close}`?")),
            None => {
                if let Some(by_image) = p.services.iter().find(|t| t.image_name() == Some(host)) {
                    message.push_str(&format!(
                        ". The `{host}` image runs as service `{}`; use that name",
                        by_image.name
                    ));
                }
            }
        }
        out.push(Finding::new(
            &UNKNOWN_SERVICE_HOST,
            p.value_span(p.ref_val(r), r.host.host_range.clone()),
            message,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn unknown_names() {
        let text = "services:\n  app:\n    environment:\n      DATABASE_URL: postgres://u:p@postgres:5432/app\n      CACHE: redis://cahce:6379\n      API: http://api.example.com\n      DB_HOST: db\n      OTHER_HOST: alias1\n  db:\n    image: postgres:16\n    networks:\n      default:\n        aliases: [alias1]\n  cache:\n    image: redis\n";
        assert_eq!(flagged(text, "unknown-service-host"), ["postgres", "cahce"]);
        let f = findings(text, &[], "unknown-service-host");
        assert!(
            f[0].message.contains("runs as service `db`"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message.contains("Did you mean `cache`?"),
            "{}",
            f[1].message
        );
    }

    #[test]
    fn external_networks_and_links_may_provide_names() {
        let text = "services:\n  app:\n    networks: [shared]\n    environment: {U: \"http://billing:8080\"}\n  b:\n    external_links: [\"legacy_db:olddb\"]\n    environment: {U: \"postgres://olddb:5432\"}\nnetworks:\n  shared:\n    external: true\n";
        assert!(flagged(text, "unknown-service-host").is_empty());
    }
}
