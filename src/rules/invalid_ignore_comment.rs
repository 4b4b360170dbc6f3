use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a `# portside-ignore:` or `# portside-ignore-file:` comment that names no
    /// rule, or a rule portside does not have.
    ///
    /// ## Why it matters
    /// A misspelt code suppresses nothing, so the finding you meant to silence stays, and
    /// the comment suggests a decision that was never applied.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]  # portside-ignore: publish-all-interface
    /// ```
    ///
    /// ## Fix
    /// Use the exact code from `portside rules` (`publish-all-interfaces` above). Several
    /// codes are separated by commas. `# portside-ignore: CODE` applies to its own line, or
    /// to the next line when it stands alone; `# portside-ignore-file: CODE` to the file.
    pub static INVALID_IGNORE_COMMENT = {
        code: "invalid-ignore-comment",
        severity: Warning,
        applies_to: "Compose files, Dockerfiles",
        summary: "A suppression comment that names no known rule",
    };
}
