use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Finds a service name, alias or `container_name` with an underscore used as the host
    /// of an `http(s)://` or `ws(s)://` URL. Database, cache and broker hosts
    /// (`DB_HOST=app_db`, `postgres://app_db:5432`, `redis://cache_1`) are fine: those
    /// protocols send no `Host` header, and Docker's DNS resolves the name. A bare
    /// `*_HOST` value is not reported either, since portside cannot tell it is spoken to
    /// over HTTP.
    ///
    /// ## Why it matters
    /// `_` is not allowed in host names (RFC 1123). Docker resolves the name, but many HTTP
    /// servers and clients reject it: Tomcat and Spring answer 400 (`The character [_] is
    /// never valid in a domain name`), Django raises `DisallowedHost`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   my_api:
    ///     image: api
    ///   web:
    ///     environment: {API_URL: "http://my_api:8080"}
    /// ```
    ///
    /// ## Fix
    /// Rename the service with a hyphen (`my-api`), or give it a hyphenated network alias
    /// and use that in the URL.
    pub static UNDERSCORE_HOSTNAME = {
        code: "underscore-hostname",
        severity: Info,
        applies_to: "Compose files",
        summary: "A host name with `_` used in an HTTP URL",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for r in &p.refs {
        if !p.ref_host(r).contains('_') || p.service_for_host(p.ref_host(r)).is_none() {
            continue;
        }
        // Only HTTP sends the name in a `Host` header that servers validate.
        if !matches!(r.host.scheme, Some("http" | "https" | "ws" | "wss")) || !r.connects() {
            continue;
        }
        out.push(Finding::new(
            &UNDERSCORE_HOSTNAME,
            p.value_span(p.ref_val(r), r.host.host_range.clone()),
            format!(
                "`{}` has an underscore, which is not valid in a host name. Many HTTP servers answer 400 or refuse the Host header. Use a hyphenated name or alias (`{}`)",
                p.ref_host(r),
                p.ref_host(r).replace('_', "-")
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn underscores_in_urls() {
        let text = "services:\n  my_api:\n    image: api\n  web:\n    environment:\n      UPSTREAM: http://my_api:8080\n      API_HOST: my_api\n      EVENTS: wss://my_api/events\n";
        assert_eq!(flagged(text, "underscore-hostname"), ["my_api", "my_api"]);
    }

    #[test]
    fn database_and_broker_hosts_send_no_host_header() {
        // A Django app with its database and cache named with underscores, as many
        // projects name them.
        let text = "services:\n  app_db:\n    image: postgres:16\n  cache_1:\n    image: redis:7\n  web:\n    build: .\n    environment:\n      DB_HOST: app_db\n      DATABASE_URL: postgres://app:secret@app_db:5432/app\n      REDIS_URL: redis://cache_1:6379/0\n      CELERY_BROKER_URL: redis://cache_1\n";
        assert!(flagged(text, "underscore-hostname").is_empty());
    }
}
