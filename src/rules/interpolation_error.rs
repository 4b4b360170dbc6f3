use super::declare_rule;
use crate::compose::Project;
use crate::finding::Finding;

declare_rule! {
    /// ## What it does
    /// Reports a `${VAR:?message}` or `${VAR?message}` whose variable is missing from the
    /// environment and the `.env` file, and templates Compose cannot read (`${foo!}`).
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
    };
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (node, error) in &p.interpolation_errors {
        out.push(Finding::new(
            &INTERPOLATION_ERROR,
            p.span(*node),
            format!("Compose stops here: {error}. Set it in `.env` or the environment, or give a default"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings, flagged};

    #[test]
    fn required_and_invalid() {
        let text = "services:\n  web:\n    image: \"app:${TAG:?set TAG}\"\n    hostname: \"${foo!}\"\n    ports: [\"${P:-80}:80\"]\n";
        assert_eq!(
            flagged(text, "interpolation-error"),
            ["\"app:${TAG:?set TAG}\"", "\"${foo!}\""]
        );
        assert!(findings(text, &[("TAG", "1")], "interpolation-error").len() == 1);
    }
}
