use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::dockerfile::Dockerfile;
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` word with a host address or host port, such as
    /// `EXPOSE 127.0.0.1:8080:80` (BuildKit's `ExposeInvalidFormat` check).
    ///
    /// ## Why it matters
    /// `EXPOSE` never publishes anything: BuildKit keeps only the container port (`80/tcp`)
    /// and drops the rest. The address and host port look like a binding but do nothing, and
    /// Docker's documentation says this form will become an error.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 127.0.0.1:8080:80
    /// ```
    ///
    /// ## Fix
    /// Keep the container port (`EXPOSE 80`, the quick fix) and publish with `ports` in
    /// Compose or `-p` on `docker run`.
    pub static EXPOSE_INVALID_FORMAT = {
        code: "expose-invalid-format",
        severity: Warning,
        applies_to: "Dockerfiles",
        summary: "`EXPOSE` with a host address or host port",
        dockerfile: [check_dockerfile],
    };
}

pub fn check_dockerfile(text: &str, df: &Dockerfile, out: &mut Vec<Finding>) {
    for stage in &df.stages {
        for (word, value) in stage
            .exposes
            .iter()
            .flat_map(|w| w.values.iter().flatten().map(move |v| (w, v)))
        {
            let Ok(bindings) = ports::parse_port_spec(value) else {
                continue;
            };
            if bindings
                .iter()
                .all(|b| b.host_ip.is_empty() && b.published.is_empty())
            {
                continue;
            }
            let mut f = Finding::new(
                &EXPOSE_INVALID_FORMAT,
                word.span.clone(),
                format!(
                    "EXPOSE instruction should not define an IP address or host-port mapping, found '{value}'. BuildKit keeps only the container port; publish with `ports` or `-p`"
                ),
            );
            if word.literal() && text.get(word.span.clone()) == Some(word.text.as_str()) {
                let container = &value[ports::spec_parts(value).container.start..];
                f = f.with_fix(
                    format!("Keep `{container}`"),
                    vec![Edit {
                        range: word.span.clone(),
                        new_text: container.to_string(),
                    }],
                );
            }
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::dockerfile_findings as findings;

    #[test]
    fn host_parts_in_expose() {
        let text = "FROM a\nEXPOSE 127.0.0.1:8080:80 8081:81/udp 82\n";
        let f = findings(text, "expose-invalid-format");
        assert_eq!(f.len(), 2);
        assert_eq!(&text[f[0].range.clone()], "127.0.0.1:8080:80");
        assert_eq!(f[0].fixes[0].edits[0].new_text, "80");
        assert_eq!(f[1].fixes[0].edits[0].new_text, "81/udp");
    }

    #[test]
    fn variables_are_expanded_first() {
        let text = "FROM a\nARG BIND=127.0.0.1:8080:80\nEXPOSE $BIND\n";
        let f = findings(text, "expose-invalid-format");
        assert_eq!(f.len(), 1);
        assert_eq!(&text[f[0].range.clone()], "$BIND");
        // Not literal: no fix that would drop the variable.
        assert!(f[0].fixes.is_empty());
        assert!(findings("FROM a\nEXPOSE $PORT\n", "expose-invalid-format").is_empty());
    }
}
