use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::refs::is_loopback;
use crate::model::compose::{Attachment, Project};

declare_rule! {
    /// ## What it does
    /// Finds a single-label host (`postgres`, `api`) in a service's environment or command
    /// that nothing in the project provides: no service name, network alias, `hostname`,
    /// `container_name`, `links` or `extra_hosts` entry. Services on an external network
    /// are left alone, since that network may provide the name.
    ///
    /// Only names the container connects to count: addresses handed to a browser or
    /// another machine (`NEXT_PUBLIC_*`, `*_PUBLIC_URL`, CORS origins, ... see
    /// `localhost-between-containers`) and listen addresses are left alone. A bare word
    /// under a `*_HOST`-style key (`INIT_HOST=test`, with no port, no URL and no `*_PORT`
    /// beside it) is often a public name or a label rather than a container: it is reported
    /// only when it is evidently meant as one of the project's containers, i.e. it is close
    /// to a service, alias or container name (a typo) or is the image of a service (`postgres`
    /// for a service `db` running `postgres:16`). Switch words (`true`, `n`, `off`,
    /// `none`...), numbers and dotted names are never host names here.
    ///
    /// A name that another variant file beside this one defines (`compose.agent.yaml`
    /// naming a service of `compose.observability.yaml`, both layered on `compose.yaml`) is
    /// information: it resolves when the files run together.
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
        compose: [check],
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
        if !r.connects() {
            continue;
        }
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
            || s.extra_hosts.iter().any(|h| h.name.value == host);
        let external = match p.attachment(s) {
            Attachment::Networks(nets) => nets
                .iter()
                .any(|n| p.network(n).is_some_and(|n| n.external)),
            _ => true,
        };
        if provided || external {
            continue;
        }
        let variant = p.external.variant_hosts.contains(host);
        let mut message = format!(
            "No service, alias or host entry is called `{host}`. From `{}` it does not resolve",
            s.name
        );
        if variant {
            // Another variant file beside this one defines it: layered with it, it resolves.
            message.push_str(&format!(
                ", unless this file runs together with the variant file beside it that defines `{host}`"
            ));
        }
        if let Some(origin) = super::origin_sentence(&p.value_origin(p.ref_val(r)), "The name") {
            message.push_str(". ");
            message.push_str(&origin);
        }
        let mut names: Vec<&str> = p.host_names().collect();
        names.sort_unstable();
        let by_image = p.services.iter().find(|t| t.image_name() == Some(host));
        match super::did_you_mean(host, names.iter().copied()) {
            Some(close) => message.push_str(&format!(". Did you mean `{close}`?")),
            None => {
                // A bare word under a `*_HOST` key names a container only on evidence.
                if !r.has_port_or_scheme() && by_image.is_none() {
                    continue;
                }
                if let Some(by_image) = by_image {
                    message.push_str(&format!(
                        ". The `{host}` image runs as service `{}`; use that name",
                        by_image.name
                    ));
                }
            }
        }
        let mut f = Finding::new(
            &UNKNOWN_SERVICE_HOST,
            p.value_span(p.ref_val(r), r.host.host_range.clone()),
            message,
        );
        if variant {
            f = f.with_severity(crate::finding::Severity::Info);
        }
        out.push(f);
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
    fn switches_and_bare_words_are_not_containers() {
        let code = "unknown-service-host";
        // A DNS filter stack (pihole + unbound) and settings of a mail server.
        let text = "services:\n  pihole:\n    image: pihole/pihole\n    environment:\n      REV_SERVER: \"true\"\n      REV_SERVER_TARGET: 192.168.1.1\n      SMTP_SERVER: \"false\"\n      X_ADDRESS: \"0\"\n      ONLY_MAILCOW_HOSTNAME: n\n      PIHOLE_DNS_SERVER: unbound\n      INIT_HOST: test\n      WEB_HOST: Off\n  unbound:\n    image: mvance/unbound\n";
        assert!(flagged(text, code).is_empty(), "{:?}", flagged(text, code));
        // With a port, in a URL, or with a sibling `*_PORT`, the word is a container.
        let text = "services:\n  app:\n    environment:\n      SEARCH_URL: http://search:9200\n      QUEUE_HOST: queue\n      QUEUE_PORT: \"5672\"\n";
        assert_eq!(flagged(text, code), ["search", "queue"]);
        // A bare word close to a service name, or an image's name, is reported too.
        let text = "services:\n  app:\n    environment:\n      CACHE_HOST: cahce\n      DB_HOST: postgres\n  cache:\n    image: redis\n  db:\n    image: postgres:16\n";
        assert_eq!(flagged(text, code), ["cahce", "postgres"]);
    }

    #[test]
    fn browser_urls_need_not_resolve_here() {
        let text = "services:\n  web:\n    environment:\n      NEXT_PUBLIC_API_URL: http://myapp:8000\n      CORS_ORIGIN: http://frontend:3000\n      LISTEN_ADDR: anyhost:80\n";
        assert!(flagged(text, "unknown-service-host").is_empty());
    }

    #[test]
    fn external_networks_and_links_may_provide_names() {
        let text = "services:\n  app:\n    networks: [shared]\n    environment: {U: \"http://billing:8080\"}\n  b:\n    external_links: [\"legacy_db:olddb\"]\n    environment: {U: \"postgres://olddb:5432\"}\nnetworks:\n  shared:\n    external: true\n";
        assert!(flagged(text, "unknown-service-host").is_empty());
    }
}
