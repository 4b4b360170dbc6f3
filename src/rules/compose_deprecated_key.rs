use super::declare_rule;
use crate::finding::{Edit, Finding, Severity};
use crate::model::compose::Project;
use crate::model::compose::schema::Problem;

declare_rule! {
    /// ## What it does
    /// Reports keys that Compose still reads but has deprecated: the top-level `version`
    /// (obsolete: Compose ignores it and warns on every run) and `name` under `external`
    /// of a network, volume, config or secret (replaced by `name` beside `external: true`).
    ///
    /// ## Why it matters
    /// Nothing breaks today, so this is information. `version` no longer selects a file
    /// format, so it misleads readers (a `version: "2"` file may use keys that format
    /// never had) and adds a warning to every `docker compose` run.
    ///
    /// ## Example
    /// ```yaml
    /// version: "3.8"   # obsolete
    /// services:
    ///   web:
    ///     image: nginx
    /// ```
    ///
    /// ## Fix
    /// Remove `version` (the quick fix does); write `external: true` with `name:` beside
    /// it instead of `external: {name: ...}`.
    pub static COMPOSE_DEPRECATED_KEY = {
        code: "compose-deprecated-key",
        severity: Info,
        applies_to: "Compose files",
        summary: "A key Compose has deprecated (the top-level `version`)",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for problem in p.schema_problems() {
        let Problem::Deprecated { key, def } = problem else {
            continue;
        };
        let top = p
            .yaml
            .root_mapping()
            .is_some_and(|r| p.yaml.get(r, &def.name).is_some_and(|e| e.key == *key));
        let f = if top && def.name == "version" {
            let mut f = Finding::new(
                &COMPOSE_DEPRECATED_KEY,
                p.span(*key),
                "`version` is obsolete: Compose ignores it and warns on every run. Remove it",
            );
            if let Some(root) = p.yaml.root_mapping()
                && let Some(lines) = p.entry_lines(root, "version")
            {
                f = f.with_fix(
                    "Remove `version`",
                    vec![Edit {
                        range: lines,
                        new_text: String::new(),
                    }],
                );
            }
            f
        } else {
            Finding::new(
                &COMPOSE_DEPRECATED_KEY,
                p.span(*key),
                format!(
                    "`{}` here is deprecated: write `external: true` and put `name:` beside it",
                    def.name
                ),
            )
        };
        out.push(f.with_severity(Severity::Info));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings;

    #[test]
    fn version_is_information_with_a_fix() {
        let text = "version: \"3.8\"\nservices:\n  web:\n    image: nginx\n";
        let f = findings(text, &[], "compose-deprecated-key");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        let (fixed, _) = crate::finding::apply_fixes(text, &f);
        assert_eq!(fixed, "services:\n  web:\n    image: nginx\n");
        // An unquoted number is no type error: the deprecation says all there is.
        let text = "version: 3.8\nservices:\n  web:\n    image: nginx\n";
        assert!(findings(text, &[], "compose-invalid-value").is_empty());
    }
}
