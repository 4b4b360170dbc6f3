use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a key written twice in the same mapping of a Compose file or the same object
    /// of daemon.json, and points at the first one.
    ///
    /// ## Why it matters
    /// Compose (go-yaml) rejects a Compose file with a duplicate key: `mapping key "ports"
    /// already defined`. dockerd accepts a duplicate in daemon.json and silently keeps the
    /// last value, so the first one, often the one being edited, has no effect.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]
    ///     ports: ["8443:443"]
    /// ```
    ///
    /// ## Fix
    /// Merge the two into one key, or delete the one you do not mean.
    pub static DUPLICATE_KEY = {
        code: "duplicate-key",
        severity: Error,
        applies_to: "Compose files (error), daemon.json (warning)",
        summary: "A key appears twice in one mapping",
    };
}
