use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that does not parse: YAML for Compose files, strict JSON for
    /// daemon.json, and Dockerfile syntax. The diagnostic sits where the parser stopped.
    ///
    /// ## Why it matters
    /// Docker reads none of a file that does not parse: `docker compose` refuses the project
    /// and dockerd refuses to start with a broken daemon.json (comments and trailing commas
    /// are not allowed there, whatever an editor's JSONC mode says). While a Compose file is
    /// broken, portside keeps its last good version for hovers but reports only the error.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "bip": "172.30.0.1/24",
    /// }
    /// ```
    ///
    /// ## Fix
    /// Correct the syntax at the position shown: here, remove the trailing comma. In a
    /// Dockerfile, portside blanks the broken line and goes on, so later findings still show.
    pub static SYNTAX_ERROR = {
        code: "syntax-error",
        severity: Error,
        applies_to: "Compose files, Dockerfiles, daemon.json",
        summary: "The file does not parse",
    };
}
