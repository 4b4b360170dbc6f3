use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::compose::schema::{Layout, layout};

declare_rule! {
    /// ## What it does
    /// Reports a Compose file in the legacy version 1 format: services at the top level,
    /// without `services:`. Its networking is still analysed as if the services were under
    /// `services:`, so a duplicate host port or a `localhost` between containers is found
    /// too.
    ///
    /// ## Why it matters
    /// `docker compose` (v2) no longer reads the format and refuses the file
    /// (`additional properties 'web' not allowed`); only the retired Python
    /// `docker-compose` 1.x still runs it.
    ///
    /// ## Example
    /// ```yaml
    /// web:
    ///   image: nginx
    ///   ports: ["8080:80"]
    /// ```
    ///
    /// ## Fix
    /// Put the services under `services:`, indented one level (the quick fix does when the
    /// file holds nothing but services). Version 1 options that the current format
    /// renamed (`net:` became `network_mode:`) then show up as unknown keys.
    pub static COMPOSE_LEGACY_FORMAT = {
        code: "compose-legacy-format",
        severity: Error,
        applies_to: "Compose files",
        summary: "A legacy version 1 file (services at the top level)",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    if layout(p.yaml) != Layout::Legacy {
        return;
    }
    let Some(root) = p.yaml.root_mapping() else {
        return;
    };
    let Some(first) = p.yaml.entries(root).first().map(|e| e.key) else {
        return;
    };
    let names: Vec<String> = p.services.iter().map(|s| format!("`{}`", s.name)).collect();
    let mut f = Finding::new(
        &COMPOSE_LEGACY_FORMAT,
        p.span(first),
        format!(
            "Compose v2 refuses this legacy version 1 file: its services are at the top level. Put the services ({}) under `services:`",
            names.join(", ")
        ),
    );
    if let Some(edits) = wrap_in_services(p.text, p.yaml.span(root)) {
        f = f.with_fix("Move the services under `services:`", edits);
    }
    out.push(f);
}

/// `services:` above the root mapping and every line of it indented two spaces, when that
/// is certain to keep its meaning: one block-style document with nothing before the root
/// but comments and blank lines, no tabs in indentation, no document markers.
fn wrap_in_services(text: &str, root: std::ops::Range<usize>) -> Option<Vec<Edit>> {
    let before = &text[..root.start];
    if before
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        || text[root.start..].starts_with('{')
    {
        return None;
    }
    let mut edits = vec![Edit {
        range: root.start..root.start,
        new_text: "services:\n".to_string(),
    }];
    let mut offset = root.start;
    for line in text[root.start..].split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.starts_with("---") || body.starts_with("...") || body.starts_with('\t') {
            return None;
        }
        if !body.trim().is_empty() {
            edits.push(Edit {
                range: offset..offset,
                new_text: "  ".to_string(),
            });
        }
        offset += line.len();
    }
    // The `services:` line and the first line's indent start at the same offset: one edit.
    let first = edits.remove(1);
    edits[0].new_text.push_str(&first.new_text);
    Some(edits)
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings;

    #[test]
    fn legacy_file_is_one_error_with_a_fix_and_its_networking_is_analysed() {
        let text = "# app\nweb:\n  image: nginx\n  ports: [\"8080:80\"]\nadmin:\n  image: nginx\n  ports:\n    - \"8080:80\"\n";
        let f = findings(text, &[], "compose-legacy-format");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`web`, `admin`"), "{}", f[0].message);
        // The duplicate host port is found as if under `services:`.
        assert!(!findings(text, &[], "duplicate-host-port").is_empty());
        let (fixed, _) = crate::finding::apply_fixes(text, &f);
        assert_eq!(
            fixed,
            "# app\nservices:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n  admin:\n    image: nginx\n    ports:\n      - \"8080:80\"\n"
        );
        assert!(findings(&fixed, &[], "compose-legacy-format").is_empty());
        assert!(findings(&fixed, &[], "compose-unknown-key").is_empty());
    }
}
