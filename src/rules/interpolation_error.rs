use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::model::compose::Project;
use crate::model::compose::interpolate::InterpolationError;

declare_rule! {
    /// ## What it does
    /// Reports a `${VAR:?message}` or `${VAR?message}` whose variable is missing from the
    /// environment and the `.env` file, and templates Compose cannot read (`${foo!}`).
    ///
    /// An invalid template is an error: Compose refuses it wherever it runs. A missing
    /// required variable is a warning: the variable may be set where Compose runs (the
    /// shell, a CI job, `--env-file`), and a project that ships a `.env.example` asks for
    /// exactly that; the message names such a template when there is no `.env`. With
    /// neither a `.env` nor a template beside the file, the values come from the
    /// environment by design (the `:?` guard says so): information. A default written
    /// without its `-` (`${PORT:8080}`) gets a quick fix.
    ///
    /// ## Why it matters
    /// `docker compose up` stops with `required variable VAR is missing a value` before it
    /// creates anything; an invalid template stops it with `Invalid template`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["${WEB_PORT:?set WEB_PORT in .env}:80"]
    /// ```
    ///
    /// ## Fix
    /// Set the variable in `.env` beside the Compose file (or in the environment), or give
    /// it a default: `${WEB_PORT:-8080}`.
    pub static INTERPOLATION_ERROR = {
        code: "interpolation-error",
        severity: Error,
        applies_to: "Compose files",
        summary: "A required variable is missing, or a template is invalid",
        compose: [check],
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (node, error) in &p.interpolation_errors {
        let span = p.span(*node);
        let finding = match error {
            // The author made it required on purpose; it may well be set where Compose
            // runs (the shell, CI, `--env-file`): a warning, not an error.
            InterpolationError::Required { var, .. } => Finding::new(
                &INTERPOLATION_ERROR,
                span,
                format!(
                    "Unless `{var}` is set where Compose runs, Compose stops here. Compose reports \"{error}\"{}. Set it in `.env` or the environment",
                    super::template_note(p)
                ),
            )
            .with_severity(required_severity(p)),
            InterpolationError::Invalid { .. } => {
                let raw = &p.text[span.clone()];
                match colon_without_operator(raw) {
                    // `${PORT:8080}`: a default written without its `-`.
                    Some((at, name)) => Finding::new(
                        &INTERPOLATION_ERROR,
                        span.clone(),
                        format!(
                            "Compose stops here: {error}. A default is written with `:-`: `${{{name}:-…}}`"
                        ),
                    )
                    .with_fix(
                        format!("Write the default as `${{{name}:-…}}`"),
                        vec![Edit {
                            range: span.start + at..span.start + at,
                            new_text: "-".into(),
                        }],
                    ),
                    None => Finding::new(
                        &INTERPOLATION_ERROR,
                        span,
                        format!(
                            "Compose stops here: {error}. Compose understands `$NAME`, `${{NAME}}`, `${{NAME:-default}}`, `${{NAME-default}}`, `${{NAME:?error}}`, `${{NAME:+alternative}}` and `$$` for a literal `$`"
                        ),
                    ),
                }
            }
        };
        out.push(finding);
    }
}

/// In `raw`, the first `${NAME:` followed by something other than `-`, `?` or `+`: the
/// offset just after the colon, and the name.
/// A required variable that is not set here: a warning where the project keeps its
/// settings in a `.env` (or ships a template for one) that lacks it; information where it
/// has neither, so the values come from the environment by design (CI secrets, an
/// exported shell), as the `:?` guard itself says.
fn required_severity(p: &Project) -> crate::finding::Severity {
    if p.dotenv.is_empty() && p.external.env_template.is_none() {
        crate::finding::Severity::Info
    } else {
        crate::finding::Severity::Warning
    }
}

fn colon_without_operator(raw: &str) -> Option<(usize, &str)> {
    let mut from = 0;
    while let Some(i) = raw[from..].find("${") {
        let start = from + i + 2;
        let name_len = raw[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(raw.len() - start);
        let after = start + name_len;
        if name_len > 0
            && raw[after..].starts_with(':')
            && !raw[after + 1..].starts_with(['-', '?', '+', '}'])
        {
            return Some((after + 1, &raw[start..after]));
        }
        from = after.max(start);
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    /// `${PORT:8080}` is a default written without its `-`: say so, and fix it.
    #[test]
    fn a_default_without_its_dash() {
        let text = "services:\n  web:\n    ports: [\"${WEB_PORT:8080}:80\"]\n";
        let f = findings(text, &[], "interpolation-error");
        assert!(
            f[0].message
                .contains("A default is written with `:-`: `${WEB_PORT:-…}`"),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains("give a default"), "{}", f[0].message);
        let fixed = crate::rules::test_support::fix_all(text, "interpolation-error");
        assert!(fixed.contains("\"${WEB_PORT:-8080}:80\""), "{fixed}");
    }

    #[test]
    fn required_and_invalid() {
        let text = "services:\n  web:\n    image: \"app:${TAG:?set TAG}\"\n    hostname: \"${foo!}\"\n    ports: [\"${P:-80}:80\"]\n";
        assert_eq!(
            flagged(text, "interpolation-error"),
            ["\"app:${TAG:?set TAG}\"", "\"${foo!}\""]
        );
        assert!(findings(text, &[("TAG", "1")], "interpolation-error").len() == 1);
        // Required and missing here may be set where Compose runs; invalid is certain.
        // With no `.env` and no template, the environment is where it comes from.
        let f = findings(text, &[], "interpolation-error");
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(
            f[0].message
                .starts_with("Unless `TAG` is set where Compose runs, Compose stops here."),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].severity, crate::finding::Severity::Error);
    }

    #[test]
    fn required_secret_missing_from_the_dotenv_or_a_template() {
        // A production file guards its secrets; the project keeps its settings in .env.
        let text = "services:\n  app:\n    image: example/signing:1\n    environment:\n      DATABASE_URL: postgres://app:${DB_PASSWORD:?set DB_PASSWORD}@db/app\n      SESSION_SECRET: ${SESSION_SECRET:?err}\n";
        let severities = |ctx: &crate::analysis::Context| -> Vec<_> {
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "interpolation-error")
                .map(|f| f.severity)
                .collect()
        };
        let mut with_dotenv = crate::analysis::Context::default();
        with_dotenv
            .vars
            .insert("DB_PASSWORD".into(), "s3cret".into());
        with_dotenv.dotenv.insert("DB_PASSWORD".into());
        assert_eq!(
            severities(&with_dotenv),
            [crate::finding::Severity::Warning]
        );
        let mut with_template = crate::analysis::Context::default();
        with_template.external.env_template = Some(".env.example".into());
        assert_eq!(
            severities(&with_template),
            [crate::finding::Severity::Warning; 2]
        );
        // Neither: the environment supplies them by design (CI secrets, an exported shell).
        assert_eq!(
            severities(&crate::analysis::Context::default()),
            [crate::finding::Severity::Info; 2]
        );
    }
}
