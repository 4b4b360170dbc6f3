use super::declare_rule;
use crate::compose::Project;
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Finds a service name, alias or `container_name` with an underscore used as the host
    /// of an `http(s)://` or `ws(s)://` URL, or as a `*_HOST` value.
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
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for r in &p.refs {
        if !p.ref_host(r).contains('_') || p.service_for_host(p.ref_host(r)).is_none() {
            continue;
        }
        let http = matches!(r.host.scheme, Some("http" | "https" | "ws" | "wss"));
        let host_key = r.key.to_ascii_uppercase().ends_with("_HOST");
        if !http && !host_key {
            continue;
        }
        out.push(Finding::new(
            &UNDERSCORE_HOSTNAME,
            p.value_span(p.ref_val(r), r.host.host_range.clone()),
            format!(
                "`{}` has an underscore, which is not valid in a host name: many HTTP servers answer 400 or refuse the Host header. Use a hyphenated name or alias (`{}`)",
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
        let text = "services:\n  my_api:\n    image: api\n  web:\n    environment:\n      UPSTREAM: http://my_api:8080\n      DB: postgres://my_api:5432/x\n      API_HOST: my_api\n";
        assert_eq!(flagged(text, "underscore-hostname"), ["my_api", "my_api"]);
    }
}
