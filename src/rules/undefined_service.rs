use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;

declare_rule! {
    /// ## What it does
    /// Reports a reference to a service the project does not define: in `depends_on`, in
    /// `network_mode: service:NAME`, in `links`, and in `extends` (a service of this file,
    /// or of the file `extends: file:` names, which must be readable). Services that the
    /// override file or included files define count as defined.
    ///
    /// In a file that looks like part of a project (named as an override such as
    /// `docker-compose.prod.yml` with no base file beside it, or with a service that has
    /// neither `image` nor `build`), the name may come from the file it is merged with:
    /// the finding is then information and says so.
    ///
    /// ## Why it matters
    /// Compose refuses the project: `service "web" depends on undefined service "db"` or
    /// `service "vpn" not found for network_mode 'service:vpn'`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     depends_on: [database]
    ///   db:
    ///     image: postgres:16
    /// ```
    ///
    /// ## Fix
    /// Use the name of a service that exists; portside suggests the closest one.
    pub static UNDEFINED_SERVICE = {
        code: "undefined-service",
        severity: Error,
        applies_to: "Compose files",
        summary: "`depends_on`, `network_mode: service:`, `links` or `extends` names no service",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let names: Vec<&str> = p.services.iter().map(|s| s.name).collect();
    let defined = |name: &str| p.service(name).is_some() || p.external.services.contains(name);
    let fragment = p.fragment();
    let mut lowered = Vec::new();
    let mut report = |range, target: &str, mut message: String| {
        if let Some(close) = super::did_you_mean(target, names.iter().copied()) {
            message.push_str(&format!(". Did you mean `{close}`?"));
        }
        let mut f = Finding::new(&UNDEFINED_SERVICE, range, message);
        if let Some(why) = &fragment {
            f = super::in_a_fragment(f, why);
        }
        out.push(f);
    };
    for s in &p.services {
        for d in &s.depends_on {
            if !defined(&d.name) {
                let message = format!(
                    "Compose refuses this project: service \"{}\" depends on undefined service \"{}\"",
                    s.name, d.name
                );
                if d.unset_vars {
                    // Written with a variable that is not set here: where Compose runs it
                    // may name a service that exists.
                    lowered.push(
                        Finding::new(
                            &UNDEFINED_SERVICE,
                            p.span(d.node),
                            format!(
                                "Unless its variables are set where Compose runs, Compose refuses this project. It reports: {}",
                                message
                                    .strip_prefix("Compose refuses this project: ")
                                    .unwrap_or(&message)
                            ),
                        )
                        .with_severity(crate::finding::Severity::Info),
                    );
                    continue;
                }
                report(p.span(d.node), &d.name, message);
            }
        }
        if let Some(extends) = &s.extends {
            let target = extends.service.value.as_ref();
            match &extends.file {
                None if !defined(target) => report(
                    p.val_span(&extends.service),
                    target,
                    format!(
                        "Compose refuses this project: service \"{}\" extends undefined service \"{target}\"",
                        s.name
                    ),
                ),
                Some(file) => match p.external.extends_files.get(file.value.as_ref()) {
                    Some(Some(names)) if !names.iter().any(|n| n == target) => report(
                        p.val_span(&extends.service),
                        target,
                        format!(
                            "Compose refuses this project: {} defines no service \"{target}\" for `{}` to extend",
                            file.value, s.name
                        ),
                    ),
                    Some(None) => out_of_reach(p, file, s.name, &mut report),
                    _ => {}
                },
                None => {}
            }
        }
        if let Some(mode) = &s.network_mode
            && let Some(target) = mode.value.strip_prefix("service:")
            && !defined(target)
        {
            report(
                p.span(mode.node),
                target,
                format!(
                    "Compose refuses this project: service \"{target}\" not found for network_mode 'service:{target}'"
                ),
            );
        }
        for link in &s.links {
            let target = link.value.split(':').next().unwrap_or_default();
            if !defined(target) {
                report(
                    p.value_span(link, 0..target.len()),
                    target,
                    format!(
                        "Compose refuses this project: service \"{}\" links to undefined service \"{target}\"",
                        s.name
                    ),
                );
            }
        }
    }
    out.extend(lowered);
}

/// An `extends: file:` that cannot be read.
fn out_of_reach(
    p: &Project,
    file: &crate::model::compose::Val,
    service: &str,
    report: &mut impl FnMut(std::ops::Range<usize>, &str, String),
) {
    report(
        p.val_span(file),
        "",
        format!(
            "Compose refuses this project: `{}` (extended by `{service}`) cannot be read",
            file.value
        ),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    /// An override-style file whose services have no image: the names may come from the
    /// base file it is merged with, so it says so, as information.
    #[test]
    fn a_fragment_says_less() {
        let text = "services:\n  web:\n    ports: [\"8080:80\"]\n    depends_on: [db]\n    networks: [backend]\n";
        let f = findings(text, &[], "undefined-service");
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(
            f[0].message.contains(
                "looks like part of a project (where `web` has neither `image` nor `build`"
            ),
            "{}",
            f[0].message
        );
        let f = findings(text, &[], "undefined-network");
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        // A complete file keeps its errors.
        let text = "services:\n  web:\n    image: nginx\n    depends_on: [db]\n";
        let f = findings(text, &[], "undefined-service");
        assert_eq!(f[0].severity, crate::finding::Severity::Error);
    }

    #[test]
    fn extends_a_missing_service() {
        let text = "services:\n  base:\n    image: x\n  web:\n    extends: basic\n  api:\n    extends:\n      service: base\n";
        assert_eq!(flagged(text, "undefined-service"), ["basic"]);
    }

    #[test]
    fn unknown_references() {
        let text = "services:\n  web:\n    depends_on: [database]\n    links: [\"db:database\", \"cache\"]\n  vpn-client:\n    network_mode: service:vpm\n    depends_on:\n      db:\n        condition: service_healthy\n  vpn: {}\n  db: {}\n";
        assert_eq!(
            flagged(text, "undefined-service"),
            ["database", "cache", "service:vpm"]
        );
        let f = findings(text, &[], "undefined-service");
        assert!(
            f[2].message.contains("Did you mean `vpn`?"),
            "{}",
            f[2].message
        );
    }

    #[test]
    fn depends_on_written_with_a_variable() {
        // The database service is chosen by a variable whose default names a service here.
        let text = "services:\n  app:\n    image: example/app:2\n    depends_on:\n      - cache\n      - ${APP_DB_HOST:-pg}\n  pg:\n    image: postgres:17\n  cache:\n    image: redis:7\n";
        assert!(crate::rules::test_support::flagged(text, "undefined-service").is_empty());
        // Set to a service that exists, and to one that does not.
        let set = text.replace("${APP_DB_HOST:-pg}", "${APP_DB_HOST}");
        assert!(findings(&set, &[("APP_DB_HOST", "cache")], "undefined-service").is_empty());
        let wrong = findings(&set, &[("APP_DB_HOST", "mysql")], "undefined-service");
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].severity, crate::finding::Severity::Error);
        // Not set here: it may be set where Compose runs.
        let unset = findings(&set, &[], "undefined-service");
        assert_eq!(unset.len(), 1);
        assert_eq!(unset[0].severity, crate::finding::Severity::Info);
    }
}
