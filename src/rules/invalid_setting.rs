use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks `portside.toml` (and the editor's portside settings): the TOML must parse,
    /// every rule named under `[rules]` must exist, and each value must be `off`, `error`,
    /// `warning`, `info` or `hint`.
    ///
    /// ## Why it matters
    /// A misspelt rule or level changes nothing, and the rule you meant to turn off keeps
    /// firing (or the one you meant to raise stays quiet). Everything that is valid still
    /// applies; the defaults cover the rest.
    ///
    /// ## Example
    /// ```toml
    /// [rules]
    /// publish-all-interface = "off"   # no such rule
    /// container-port-only = "loud"    # no such level
    /// ```
    ///
    /// ## Fix
    /// Use a code from `portside rules` and one of the five levels:
    /// ```toml
    /// [rules]
    /// publish-all-interfaces = "off"
    /// container-port-only = "warning"
    /// ```
    pub static INVALID_SETTING = {
        code: "invalid-setting",
        severity: Warning,
        applies_to: "portside.toml, editor settings",
        summary: "A setting that names no rule or no level",
    };
}
