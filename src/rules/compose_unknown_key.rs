use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::knowledge::compose_keys::schema;
use crate::model::compose::Project;
use crate::model::compose::schema::Problem;

declare_rule! {
    /// ## What it does
    /// Reports a key that Compose does not take where it is written: `port` instead of
    /// `ports`, `network` or `netwroks` for `networks`, `network_mod`, `publised` in a
    /// long-syntax port, `ipv4address` under a service's network, `gatewy` in IPAM. Every
    /// mapping is read in its context (the top level, a service, `build`, `deploy`, a
    /// long-syntax port, `ipam.config`, ...), from the table of keys that `docker compose`
    /// validates files with; `x-` keys are allowed wherever Compose allows them, and keys
    /// brought in by `<<: *anchor` are checked where the anchor writes them.
    ///
    /// ## Why it matters
    /// `docker compose` refuses the whole file (`additional properties 'port' not
    /// allowed`), so nothing starts; tools that do not validate drop the key silently, and
    /// a port that was never published refuses every connection.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx
    ///     port: ["8080:80"]   # `ports`
    /// ```
    ///
    /// ## Fix
    /// Use the key Compose knows; the quick fix renames it to the suggestion. Keys of
    /// your own start with `x-`. Hover a key for its description and reference link.
    pub static COMPOSE_UNKNOWN_KEY = {
        code: "compose-unknown-key",
        severity: Error,
        applies_to: "Compose files",
        summary: "A key Compose does not take in this place",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let s = schema();
    for problem in p.schema_problems() {
        let Problem::UnknownKey {
            key,
            name,
            ctx,
            suggestion,
            path,
        } = problem
        else {
            continue;
        };
        let place = if path.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in this {}. Its path is `{path}`", s.context(*ctx).title)
        };
        let mut message = format!("Compose refuses this file: `{name}` is not allowed {place}");
        if let Some(sug) = suggestion {
            message.push_str(&format!(". Did you mean `{sug}`?"));
        } else {
            message.push_str(". Keys of your own start with `x-`");
        }
        let mut f = Finding::new(&COMPOSE_UNKNOWN_KEY, p.span(*key), message);
        // Rename only a plain key written where it is used (not a quoted one, whose quotes
        // the edit would have to keep, nor one brought by a merge).
        if let Some(sug) = suggestion
            && p.yaml.source(p.text, *key) == name.as_str()
        {
            f = f.with_fix(
                format!("Rename to `{sug}`"),
                vec![Edit {
                    range: p.span(*key),
                    new_text: sug.to_string(),
                }],
            );
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings;

    #[test]
    fn unknown_key_with_suggestion_and_fix() {
        let text = "services:\n  web:\n    image: nginx\n    port: [\"8080:80\"]\n";
        let f = findings(text, &[], "compose-unknown-key");
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].range.clone()], "port");
        assert!(
            f[0].message.contains("Did you mean `ports`?"),
            "{}",
            f[0].message
        );
        let (fixed, n) = crate::finding::apply_fixes(text, &f);
        assert_eq!(n, 1);
        assert!(fixed.contains("    ports: [\"8080:80\"]"));
        assert!(findings(&fixed, &[], "compose-unknown-key").is_empty());
    }

    #[test]
    fn x_keys_and_merges_are_not_unknown() {
        let text = "x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: nginx\n    x-note: hi\n";
        assert!(findings(text, &[], "compose-unknown-key").is_empty());
    }
}
