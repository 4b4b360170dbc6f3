//! Rule settings: each rule on or off and at which severity, from the editor's settings and
//! from `portside.toml`. Pure: text or JSON in, settings and problems out.
//!
//! ```toml
//! [rules]
//! publish-all-interfaces = "off"
//! container-port-only = "warning"
//! ```
//!
//! The editor sends the same shape as JSON: `{"rules": {"container-port-only": "off"}}`.

use std::collections::HashMap;
use std::ops::Range;

use crate::finding::{Finding, Severity};
use crate::rules;

/// What a setting does to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" => Level::Off,
            "error" => Level::On(Severity::Error),
            "warning" => Level::On(Severity::Warning),
            "info" => Level::On(Severity::Info),
            "hint" => Level::On(Severity::Hint),
            _ => return None,
        })
    }
}

/// Per-rule levels; rules not named keep their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSettings {
    levels: HashMap<&'static str, Level>,
    /// Editor setting `live.enabled: false` (an untrusted workspace, or a user who does not
    /// want portside to talk to Docker): no live code actions or commands.
    pub live_disabled: bool,
}

/// A problem with a setting, at a byte range of the config file (empty for editor
/// settings, which have no text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub range: Range<usize>,
    pub message: String,
}

impl RuleSettings {
    pub fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    /// `self` with `over`'s levels on top.
    pub fn overridden_by(&self, over: &RuleSettings) -> RuleSettings {
        let mut levels = self.levels.clone();
        levels.extend(over.levels.iter().map(|(k, v)| (*k, *v)));
        RuleSettings {
            levels,
            live_disabled: self.live_disabled,
        }
    }

    /// Drops the findings of rules that are off and sets the severity of the others.
    /// Problems with the settings themselves are never silenced.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        if self.levels.is_empty() {
            return;
        }
        findings.retain_mut(|f| match self.levels.get(f.rule.code) {
            _ if f.rule.code == rules::INVALID_SETTING.code => true,
            Some(Level::Off) => false,
            Some(Level::On(severity)) => {
                f.severity = *severity;
                true
            }
            None => true,
        });
    }

    fn set(&mut self, code: &str, level: &str, range: Range<usize>, problems: &mut Vec<Problem>) {
        let Some(rule) = rules::find(code) else {
            let mut message =
                format!("`{code}` is not a portside rule, so this setting does nothing");
            if let Some(close) = rules::did_you_mean(code, rules::ALL.iter().map(|r| r.code)) {
                message.push_str(&format!(". Did you mean `{close}`?"));
            }
            problems.push(Problem { range, message });
            return;
        };
        match Level::parse(level) {
            Some(l) => {
                self.levels.insert(rule.code, l);
            }
            None => problems.push(Problem {
                range,
                message: format!(
                    "`{level}` is not a level for `{code}`: use \"off\", \"error\", \"warning\", \"info\" or \"hint\""
                ),
            }),
        }
    }

    /// The editor's settings: `{"rules": {"code": "level"}}`. Anything else is reported.
    pub fn from_json(value: &serde_json::Value) -> (RuleSettings, Vec<Problem>) {
        let mut settings = RuleSettings::default();
        let mut problems = Vec::new();
        let Some(obj) = value.as_object() else {
            // Lua clients (Neovim) cannot tell `{}` from `[]` and send an empty array.
            let empty = value.as_array().is_some_and(Vec::is_empty);
            if !value.is_null() && !empty {
                problems.push(Problem {
                    range: 0..0,
                    message: "portside settings must be an object such as {\"rules\": {\"container-port-only\": \"off\"}}".into(),
                });
            }
            return (settings, problems);
        };
        for (key, v) in obj {
            if key == "live" {
                match v.get("enabled").map(serde_json::Value::as_bool) {
                    Some(Some(enabled)) => settings.live_disabled = !enabled,
                    None if v.is_object() => {}
                    _ => problems.push(Problem {
                        range: 0..0,
                        message: "`live` must be an object such as {\"enabled\": false}".into(),
                    }),
                }
                continue;
            }
            // Settings of the editor extension itself (server path, trace level) arrive in
            // the same section; they are not the server's business.
            if matches!(key.as_str(), "server" | "trace") {
                continue;
            }
            if key != "rules" {
                problems.push(Problem {
                    range: 0..0,
                    message: format!("unknown portside setting `{key}` (known: rules, live)"),
                });
                continue;
            }
            let Some(rules) = v.as_object() else {
                problems.push(Problem {
                    range: 0..0,
                    message: "`rules` must map rule codes to levels".into(),
                });
                continue;
            };
            for (code, level) in rules {
                match level.as_str() {
                    Some(level) => settings.set(code, level, 0..0, &mut problems),
                    None => problems.push(Problem {
                        range: 0..0,
                        message: format!("the level of `{code}` must be a string such as \"off\""),
                    }),
                }
            }
        }
        (settings, problems)
    }

    /// `portside.toml`.
    pub fn from_toml(text: &str) -> (RuleSettings, Vec<Problem>) {
        let mut settings = RuleSettings::default();
        let mut problems = Vec::new();
        let table = match toml::de::DeTable::parse(text) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem {
                    range: e.span().unwrap_or(0..0),
                    message: format!("portside.toml does not parse: {}", e.message().trim()),
                });
                return (settings, problems);
            }
        };
        for (key, value) in table.get_ref().iter() {
            if key.get_ref().as_ref() != "rules" {
                problems.push(Problem {
                    range: key.span(),
                    message: format!("unknown section `{}` (known: [rules])", key.get_ref()),
                });
                continue;
            }
            let toml::de::DeValue::Table(rules) = value.get_ref() else {
                problems.push(Problem {
                    range: value.span(),
                    message: "`rules` must be a table: [rules]".into(),
                });
                continue;
            };
            for (code, level) in rules.iter() {
                match level.get_ref().as_str() {
                    Some(l) => settings.set(
                        code.get_ref(),
                        l,
                        code.span().start..level.span().end,
                        &mut problems,
                    ),
                    None => problems.push(Problem {
                        range: level.span(),
                        message: format!(
                            "the level of `{}` must be a string such as \"off\"",
                            code.get_ref()
                        ),
                    }),
                }
            }
        }
        problems.sort_by_key(|p| p.range.start);
        (settings, problems)
    }
}

/// Findings for a `portside.toml` document.
pub fn check_toml(text: &str) -> Vec<Finding> {
    RuleSettings::from_toml(text)
        .1
        .into_iter()
        .map(|p| Finding::new(&rules::INVALID_SETTING, p.range, p.message))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_settings_from_lua_clients_and_the_live_switch() {
        // Neovim sends an empty Lua table as `[]`.
        let (s, problems) = RuleSettings::from_json(&serde_json::json!([]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s, RuleSettings::default());
        let (s, problems) = RuleSettings::from_json(&serde_json::json!(["x"]));
        assert_eq!(problems.len(), 1);
        assert!(!s.live_disabled);
        let (s, problems) =
            RuleSettings::from_json(&serde_json::json!({"live": {"enabled": false}}));
        assert!(problems.is_empty() && s.live_disabled);
        let (_, problems) = RuleSettings::from_json(&serde_json::json!({"live": true}));
        assert_eq!(problems.len(), 1);
        // The VS Code extension's own settings share the section.
        let (_, problems) = RuleSettings::from_json(
            &serde_json::json!({"server": {"path": "/x"}, "trace": {"server": "off"}, "rules": {}}),
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn toml_settings_and_problems() {
        let text = "[rules]\npublish-all-interfaces = \"off\"\ncontainer-port-only = \"Warning\"\npublish-all-interface = \"off\"\nlinks-legacy = \"loud\"\n\n[other]\nx = 1\n";
        let (s, problems) = RuleSettings::from_toml(text);
        assert_eq!(s.levels["publish-all-interfaces"], Level::Off);
        assert_eq!(
            s.levels["container-port-only"],
            Level::On(Severity::Warning)
        );
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(
            &text[problems[0].range.clone()],
            "publish-all-interface = \"off\""
        );
        assert!(
            problems[0]
                .message
                .contains("Did you mean `publish-all-interfaces`?")
        );
        assert!(problems[1].message.contains("`loud` is not a level"));
        assert_eq!(&text[problems[2].range.clone()], "other");
        let (_, problems) = RuleSettings::from_toml("[rules\n");
        assert!(
            problems[0]
                .message
                .starts_with("portside.toml does not parse")
        );
    }

    #[test]
    fn json_settings() {
        let v = serde_json::json!({"rules": {"container-port-only": "off", "nope": "off"}, "x": 1});
        let (s, problems) = RuleSettings::from_json(&v);
        assert_eq!(s.levels["container-port-only"], Level::Off);
        assert_eq!(problems.len(), 2);
        assert!(
            RuleSettings::from_json(&serde_json::Value::Null)
                .1
                .is_empty()
        );
    }

    #[test]
    fn apply_and_precedence() {
        let text = "services:\n  a:\n    ports: [\"8080\", \"8081:80\"]\n";
        let editor = RuleSettings::from_json(&serde_json::json!({"rules": {"container-port-only": "error", "publish-all-interfaces": "off"}})).0;
        let file = RuleSettings::from_toml("[rules]\ncontainer-port-only = \"hint\"\n").0;
        let mut findings =
            crate::analysis::analyze(crate::classify::FileKind::Compose, text).findings;
        assert_eq!(findings.len(), 2);
        editor.overridden_by(&file).apply(&mut findings);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code(), "container-port-only");
        assert_eq!(findings[0].severity, Severity::Hint);
    }
}
