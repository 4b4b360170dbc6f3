use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::dockerfile::Dockerfile;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` protocol that is not lower case, such as `EXPOSE 80/TCP`
    /// (BuildKit's `ExposeProtoCasing` check).
    ///
    /// ## Why it matters
    /// BuildKit accepts it and warns; other tools that read the image's `ExposedPorts`
    /// compare protocols exactly, and `80/TCP` is not `80/tcp` to them. The image builds
    /// and runs, and ports published in Compose do not depend on it: information.
    ///
    /// ## Example
    /// ```dockerfile
    /// EXPOSE 80/TCP
    /// ```
    ///
    /// ## Fix
    /// Write the protocol in lower case: `EXPOSE 80/tcp` (the quick fix).
    pub static EXPOSE_PROTO_CASING = {
        code: "expose-proto-casing",
        severity: Info,
        applies_to: "Dockerfiles",
        summary: "An `EXPOSE` protocol in upper case",
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
            let Some((_, proto)) = value.split_once('/') else {
                continue;
            };
            if proto.is_empty() || proto == proto.to_lowercase() {
                continue;
            }
            let mut f = Finding::new(
                &EXPOSE_PROTO_CASING,
                word.span.clone(),
                format!("Defined protocol '{value}' in EXPOSE instruction should be lowercase"),
            );
            if word.literal() && text.get(word.span.clone()) == Some(word.text.as_str()) {
                f = f.with_fix(
                    format!("Use `{}`", word.text.to_lowercase()),
                    vec![Edit {
                        range: word.span.clone(),
                        new_text: word.text.to_lowercase(),
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
    fn upper_case_protocols() {
        let f = findings("FROM a\nEXPOSE 80/TCP 53/udp 54\n", "expose-proto-casing");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].fixes[0].edits[0].new_text, "80/tcp");
    }

    #[test]
    fn variables_are_expanded_first() {
        let f = findings(
            "FROM a\nENV PROTO=TCP\nEXPOSE 80/$PROTO 81/${NOPE}\n",
            "expose-proto-casing",
        );
        assert_eq!(f.len(), 1);
        assert!(f[0].fixes.is_empty());
    }
}
