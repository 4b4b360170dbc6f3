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
//!
//! A `[host]` section (JSON `"host"`) states facts about the Docker host that no file
//! shows, for the rules that need them:
//!
//! ```toml
//! [host]
//! rootless = true                      # rootless-privileged-port
//! unprivileged-port-start = 1024       # (read from /proc when not given)
//! mtu = 1420                           # mtu-mismatch: the uplink's MTU (VPN, cloud)
//! router = true                        # daemon-forward-drop: the host routes traffic
//! routes = ["192.168.0.0/16", "10.8.0.0/24"]   # host-route-overlap: LAN / VPN ranges
//! platform = "docker-desktop"          # or "engine": Docker Engine on Linux
//! ```
//!
//! The platform is the one fact portside also finds out by itself, so it keeps where it came
//! from ([`PlatformSource`]), strongest first: a setting (`portside.toml` over the editor),
//! then the live daemon's `docker info` (live checks on), then a guess from the operating
//! system portside runs on (macOS and Windows: Docker Desktop; Linux: unknown, since Docker
//! Desktop for Linux exists). A guess never silences a warning: rules that would say
//! nothing on Docker Desktop lower their finding to information instead and say the platform
//! was assumed.
//!
//! This module sits below the rules: it knows a rule by its metadata ([`RuleMeta`]) only.
//! The registry (`rules::known()`) is handed to [`RuleSettings::from_toml`] and
//! [`RuleSettings::from_json`] by their callers, and analysis turns the problems of a
//! `portside.toml` into `invalid-setting` findings.

use std::collections::HashMap;
use std::ops::Range;

use crate::finding::{Finding, RuleMeta, Severity};

/// What a setting does to a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    /// `"on"`: the rule's own severity (turns an opt-in rule on).
    Default,
    On(Severity),
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "off" => Level::Off,
            "on" => Level::Default,
            "error" => Level::On(Severity::Error),
            "warning" => Level::On(Severity::Warning),
            "info" => Level::On(Severity::Info),
            "hint" => Level::On(Severity::Hint),
            _ => return None,
        })
    }
}

/// Where Docker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Docker Engine: dockerd on a Linux host (rootful or rootless), containers on the
    /// host's own kernel and network stack.
    Engine,
    /// Docker Desktop (macOS, Windows, Desktop for Linux): dockerd in a VM; published ports
    /// are forwarded from the host by Desktop, `host.docker.internal` resolves, host
    /// networking only with Desktop's "Enable host networking" setting (4.34 and later).
    DockerDesktop,
}

impl Platform {
    /// The name in settings: `"engine"`, `"docker-desktop"`.
    pub fn setting(self) -> &'static str {
        match self {
            Platform::Engine => "engine",
            Platform::DockerDesktop => "docker-desktop",
        }
    }

    /// The platform in a message: "Docker Engine (Linux)", "Docker Desktop".
    pub fn words(self) -> &'static str {
        match self {
            Platform::Engine => "Docker Engine (Linux)",
            Platform::DockerDesktop => "Docker Desktop",
        }
    }
}

/// Where the platform came from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlatformSource {
    /// `platform` in `[host]` of `portside.toml` or the editor's `host` setting.
    Setting,
    /// The live daemon's `docker info` (`OperatingSystem`, `Name`, kernel).
    Daemon,
    /// The operating system portside runs on (`std::env::consts::OS`): a likelihood, not a
    /// fact.
    OsGuess { os: &'static str },
}

/// The platform and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformFact {
    pub platform: Platform,
    pub source: PlatformSource,
}

impl PlatformFact {
    /// Whether the fact is known (a setting or the daemon), not guessed.
    pub fn certain(self) -> bool {
        !matches!(self.source, PlatformSource::OsGuess { .. })
    }

    /// Where it came from, in words for messages and `portside doctor`.
    pub fn source_words(self) -> &'static str {
        match self.source {
            PlatformSource::Setting => "from the `[host] platform` setting",
            PlatformSource::Daemon => "from the Docker daemon",
            PlatformSource::OsGuess { os: "windows" } => "assumed: portside runs on Windows",
            PlatformSource::OsGuess { .. } => "assumed: portside runs on macOS",
        }
    }

    /// The platform a guess from operating system `os` (`std::env::consts::OS`) suggests:
    /// Docker Desktop on macOS and Windows (where Docker Engine does not run natively),
    /// nothing on Linux (Docker Engine or Docker Desktop for Linux) or elsewhere.
    pub fn guess(os: &'static str) -> Option<PlatformFact> {
        matches!(os, "macos" | "windows").then_some(PlatformFact {
            platform: Platform::DockerDesktop,
            source: PlatformSource::OsGuess { os },
        })
    }
}

/// What the settings say about the Docker host (`[host]`); unset facts are unknown, and
/// the rules that need them stay silent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// Docker Engine or Docker Desktop, and how portside knows; `None` when unknown (rules
    /// then give the verdicts they give without it).
    pub platform: Option<PlatformFact>,
    pub rootless: Option<bool>,
    /// `net.ipv4.ip_unprivileged_port_start` (1024 when unknown).
    pub unprivileged_port_start: Option<u16>,
    /// The MTU of the host's uplink.
    pub mtu: Option<u32>,
    /// The host routes traffic for others (VPN gateway, VMs, Kubernetes).
    pub router: bool,
    /// LAN and VPN ranges the host reaches.
    pub routes: Vec<ipnet::IpNet>,
}

impl HostFacts {
    fn overridden_by(&self, over: &HostFacts) -> HostFacts {
        HostFacts {
            // The stronger source wins; of two equal ones, `over`.
            platform: match (self.platform, over.platform) {
                (Some(a), Some(b)) if a.source < b.source => Some(a),
                (a, b) => b.or(a),
            },
            rootless: over.rootless.or(self.rootless),
            unprivileged_port_start: over
                .unprivileged_port_start
                .or(self.unprivileged_port_start),
            mtu: over.mtu.or(self.mtu),
            router: over.router || self.router,
            routes: if over.routes.is_empty() {
                self.routes.clone()
            } else {
                over.routes.clone()
            },
        }
    }

    /// Sets `key` from a setting's value; a wrong one is a problem at `range`.
    fn set(
        &mut self,
        key: &str,
        value: Fact<'_>,
        range: Range<usize>,
        problems: &mut Vec<Problem>,
    ) {
        let mut problem = |message: String| {
            problems.push(Problem {
                range: range.clone(),
                message,
            })
        };
        match (key, value) {
            ("rootless", Fact::Bool(b)) => self.rootless = Some(b),
            ("platform", Fact::Str(name)) if matches!(name, "docker-desktop" | "engine") => {
                self.platform = Some(PlatformFact {
                    platform: if name == "engine" {
                        Platform::Engine
                    } else {
                        Platform::DockerDesktop
                    },
                    source: PlatformSource::Setting,
                })
            }
            ("platform", _) => {
                problem("`host.platform` must be \"docker-desktop\" or \"engine\"".into())
            }
            ("router", Fact::Bool(b)) => self.router = b,
            ("unprivileged-port-start", Fact::Int(n)) if (0..=65536).contains(&n) => {
                self.unprivileged_port_start = Some(n.min(65535) as u16)
            }
            ("mtu", Fact::Int(n)) if (68..=65535).contains(&n) => self.mtu = Some(n as u32),
            ("routes", Fact::List(items)) => {
                for item in items {
                    match item.and_then(|s| s.parse::<ipnet::IpNet>().ok()) {
                        Some(net) => self.routes.push(net),
                        None => problem(
                            "`routes` entries must be CIDR strings such as \"192.168.1.0/24\""
                                .into(),
                        ),
                    }
                }
            }
            ("rootless" | "router", _) => problem(format!("`host.{key}` must be true or false")),
            ("unprivileged-port-start", _) => {
                problem("`host.unprivileged-port-start` must be a number from 0 to 65536".into())
            }
            ("mtu", _) => problem("`host.mtu` must be a number from 68 to 65535".into()),
            ("routes", _) => problem("`host.routes` must be a list of CIDR strings".into()),
            _ => {
                let mut message = format!("unknown host setting `{key}`");
                if let Some(close) = crate::text::did_you_mean(key, HOST_KEYS.iter().copied()) {
                    message.push_str(&format!(". Did you mean `{close}`?"));
                } else {
                    message.push_str(&format!(" (known: {})", HOST_KEYS.join(", ")));
                }
                problem(message)
            }
        }
    }
}

const HOST_KEYS: &[&str] = &[
    "rootless",
    "unprivileged-port-start",
    "mtu",
    "router",
    "routes",
    "platform",
];

impl HostFacts {
    /// The platform, whatever its source.
    pub fn platform(&self) -> Option<Platform> {
        self.platform.map(|p| p.platform)
    }

    /// Docker Desktop, known (a setting or the daemon), not guessed.
    pub fn desktop_certain(&self) -> bool {
        self.platform
            .is_some_and(|p| p.platform == Platform::DockerDesktop && p.certain())
    }

    /// Docker Desktop, guessed from the operating system only.
    pub fn desktop_guessed(&self) -> bool {
        self.platform
            .is_some_and(|p| p.platform == Platform::DockerDesktop && !p.certain())
    }
}

/// A setting's value, from JSON or TOML.
enum Fact<'a> {
    Bool(bool),
    Int(i64),
    Str(&'a str),
    /// A list; `None` for an item that is not a string.
    List(Vec<Option<&'a str>>),
    Other,
}

/// Per-rule levels; rules not named keep their defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSettings {
    levels: HashMap<&'static str, Level>,
    /// Facts about the Docker host (`[host]`).
    pub host: HostFacts,
    /// Editor setting `live.enabled: false` (an untrusted workspace, or a user who does not
    /// want portside to talk to Docker): no live code actions or commands.
    pub live_disabled: bool,
    /// Editor setting `live.endpoint`: the Docker (or Podman) endpoint to use instead of
    /// `DOCKER_HOST` and the Docker contexts.
    pub live_endpoint: Option<String>,
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
        self.levels.is_empty() && self.host == HostFacts::default()
    }

    /// `self` with `over`'s levels on top.
    pub fn overridden_by(&self, over: &RuleSettings) -> RuleSettings {
        let mut levels = self.levels.clone();
        levels.extend(over.levels.iter().map(|(k, v)| (*k, *v)));
        RuleSettings {
            levels,
            live_disabled: self.live_disabled,
            live_endpoint: self.live_endpoint.clone(),
            host: self.host.overridden_by(&over.host),
        }
    }

    /// Whether `rule`'s checks run: not when a setting turns it off, nor when it is opt-in
    /// and no setting names it.
    pub fn runs(&self, rule: &RuleMeta) -> bool {
        match self.levels.get(rule.code) {
            Some(Level::Off) => false,
            Some(_) => true,
            None => !rule.opt_in,
        }
    }

    /// Drops the findings of rules that are off (opt-in rules are off unless a setting
    /// names them) and sets the severity of the others. (Analysis does not apply the
    /// settings to a `portside.toml`'s own findings: problems with the settings themselves
    /// are never silenced.)
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain_mut(|f| match self.levels.get(f.rule.code) {
            Some(Level::Off) => false,
            Some(Level::Default) => true,
            Some(Level::On(severity)) => {
                f.severity = *severity;
                true
            }
            None => !f.rule.opt_in,
        });
    }

    fn set(
        &mut self,
        known: &[&'static RuleMeta],
        code: &str,
        level: &str,
        range: Range<usize>,
        problems: &mut Vec<Problem>,
    ) {
        let Some(rule) = known.iter().find(|r| r.code == code) else {
            let mut message =
                format!("`{code}` is not a portside rule, so this setting does nothing");
            if let Some(close) = crate::text::did_you_mean(code, known.iter().map(|r| r.code)) {
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
                    "`{level}` is not a level for `{code}`: use \"off\", \"on\", \"error\", \"warning\", \"info\" or \"hint\""
                ),
            }),
        }
    }

    /// The editor's settings: `{"rules": {"code": "level"}}`. Anything else is reported,
    /// also a code that is none of `known`'s (the registry: `rules::known()`).
    pub fn from_json(
        value: &serde_json::Value,
        known: &[&'static RuleMeta],
    ) -> (RuleSettings, Vec<Problem>) {
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
                match v.get("endpoint") {
                    None | Some(serde_json::Value::Null) => {}
                    Some(serde_json::Value::String(e)) if e.is_empty() => {}
                    Some(serde_json::Value::String(e))
                        if e.starts_with("unix://")
                            || e.starts_with("tcp://")
                            || e.starts_with("ssh://")
                            || e.starts_with("npipe://") =>
                    {
                        settings.live_endpoint = Some(e.clone());
                    }
                    Some(other) => problems.push(Problem {
                        range: 0..0,
                        message: format!(
                            "`live.endpoint` must be a unix://, tcp://, ssh:// or (Windows) npipe:// address such as \"unix:///run/podman/podman.sock\", not {other}"
                        ),
                    }),
                }
                continue;
            }
            // Settings of the editor extension itself (server path, trace level) arrive in
            // the same section; they are not the server's business.
            if matches!(key.as_str(), "server" | "trace") {
                continue;
            }
            if key == "host" {
                let Some(facts) = v.as_object() else {
                    problems.push(Problem {
                        range: 0..0,
                        message: "`host` must be an object such as {\"rootless\": true}".into(),
                    });
                    continue;
                };
                for (k, v) in facts {
                    let fact = match v {
                        serde_json::Value::Bool(b) => Fact::Bool(*b),
                        serde_json::Value::Number(n) => n.as_i64().map_or(Fact::Other, Fact::Int),
                        serde_json::Value::Array(a) => {
                            Fact::List(a.iter().map(serde_json::Value::as_str).collect())
                        }
                        serde_json::Value::String(s) => Fact::Str(s),
                        _ => Fact::Other,
                    };
                    settings.host.set(k, fact, 0..0, &mut problems);
                }
                continue;
            }
            if key != "rules" {
                problems.push(Problem {
                    range: 0..0,
                    message: format!("unknown portside setting `{key}` (known: rules, live, host)"),
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
                    Some(level) => settings.set(known, code, level, 0..0, &mut problems),
                    None => problems.push(Problem {
                        range: 0..0,
                        message: format!("the level of `{code}` must be a string such as \"off\""),
                    }),
                }
            }
        }
        (settings, problems)
    }

    /// `portside.toml`, whose `[rules]` may name the rules of `known` (the registry:
    /// `rules::known()`).
    pub fn from_toml(text: &str, known: &[&'static RuleMeta]) -> (RuleSettings, Vec<Problem>) {
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
            if key.get_ref().as_ref() == "host" {
                let toml::de::DeValue::Table(facts) = value.get_ref() else {
                    problems.push(Problem {
                        range: value.span(),
                        message: "`host` must be a table: [host]".into(),
                    });
                    continue;
                };
                for (k, v) in facts.iter() {
                    let fact = match v.get_ref() {
                        toml::de::DeValue::Boolean(b) => Fact::Bool(*b),
                        toml::de::DeValue::Integer(i) => {
                            i.as_str().parse::<i64>().map_or(Fact::Other, Fact::Int)
                        }
                        toml::de::DeValue::Array(a) => {
                            Fact::List(a.iter().map(|item| item.get_ref().as_str()).collect())
                        }
                        toml::de::DeValue::String(s) => Fact::Str(s.as_ref()),
                        _ => Fact::Other,
                    };
                    settings.host.set(
                        k.get_ref(),
                        fact,
                        k.span().start..v.span().end,
                        &mut problems,
                    );
                }
                continue;
            }
            if key.get_ref().as_ref() != "rules" {
                problems.push(Problem {
                    range: key.span(),
                    message: format!(
                        "unknown section `{}` (known: [rules], [host])",
                        key.get_ref()
                    ),
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
                        known,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn from_toml(text: &str) -> (RuleSettings, Vec<Problem>) {
        RuleSettings::from_toml(text, crate::rules::known())
    }

    fn from_json(value: &serde_json::Value) -> (RuleSettings, Vec<Problem>) {
        RuleSettings::from_json(value, crate::rules::known())
    }

    #[test]
    fn editor_settings_from_lua_clients_and_the_live_switch() {
        // Neovim sends an empty Lua table as `[]`.
        let (s, problems) = from_json(&serde_json::json!([]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s, RuleSettings::default());
        let (s, problems) = from_json(&serde_json::json!(["x"]));
        assert_eq!(problems.len(), 1);
        assert!(!s.live_disabled);
        let (s, problems) = from_json(&serde_json::json!({"live": {"enabled": false}}));
        assert!(problems.is_empty() && s.live_disabled);
        let (_, problems) = from_json(&serde_json::json!({"live": true}));
        assert_eq!(problems.len(), 1);
        // The VS Code extension's own settings share the section.
        let (_, problems) = from_json(
            &serde_json::json!({"server": {"path": "/x"}, "trace": {"server": "off"}, "rules": {}}),
        );
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn toml_settings_and_problems() {
        let text = "[rules]\npublish-all-interfaces = \"off\"\ncontainer-port-only = \"Warning\"\npublish-all-interface = \"off\"\nlinks-legacy = \"loud\"\n\n[other]\nx = 1\n";
        let (s, problems) = from_toml(text);
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
        let (_, problems) = from_toml("[rules\n");
        assert!(
            problems[0]
                .message
                .starts_with("portside.toml does not parse")
        );
    }

    #[test]
    fn json_settings() {
        let v = serde_json::json!({"rules": {"container-port-only": "off", "nope": "off"}, "x": 1});
        let (s, problems) = from_json(&v);
        assert_eq!(s.levels["container-port-only"], Level::Off);
        assert_eq!(problems.len(), 2);
        assert!(from_json(&serde_json::Value::Null).1.is_empty());
    }

    #[test]
    fn apply_and_precedence() {
        let text = "services:\n  a:\n    ports: [\"8080\", \"8081:80\"]\n";
        let all = crate::analysis::analyze(crate::classify::FileKind::Compose, text).findings;
        // publish-all-interfaces is opt-in: only container-port-only by default.
        let codes = |fs: &[Finding]| fs.iter().map(|f| f.code()).collect::<Vec<_>>();
        assert_eq!(codes(&all), ["container-port-only"]);
        let editor = from_json(&serde_json::json!({"rules": {"container-port-only": "error", "publish-all-interfaces": "on"}})).0;
        let file = from_toml("[rules]\ncontainer-port-only = \"hint\"\n").0;
        let ctx = crate::analysis::Context {
            rules: editor.overridden_by(&file),
            ..Default::default()
        };
        let mut findings =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        findings.sort_by_key(|f| f.code());
        assert_eq!(
            codes(&findings),
            ["container-port-only", "publish-all-interfaces"]
        );
        assert_eq!(findings[0].severity, Severity::Hint);
        assert_eq!(findings[1].severity, Severity::Info);
        // The file turns it off again; the editor's level loses to the file's.
        let file = from_toml("[rules]\npublish-all-interfaces = \"off\"\n").0;
        let mut findings = crate::analysis::analyze(crate::classify::FileKind::Compose, text)
            .findings
            .into_iter()
            .chain(findings)
            .collect::<Vec<_>>();
        editor.overridden_by(&file).apply(&mut findings);
        assert!(!codes(&findings).contains(&"publish-all-interfaces"));
    }

    #[test]
    fn host_facts_from_toml_and_json() {
        let text = "[host]\nrootless = true\nunprivileged-port-start = 80\nmtu = 1420\nrouter = true\nroutes = [\"192.168.1.0/24\", \"fd00::/8\"]\n";
        let (s, problems) = from_toml(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.host.rootless, Some(true));
        assert_eq!(s.host.unprivileged_port_start, Some(80));
        assert_eq!(s.host.mtu, Some(1420));
        assert!(s.host.router);
        assert_eq!(s.host.routes.len(), 2);
        assert!(!s.is_empty());
        let bad = "[host]\nrootles = true\nmtu = 9\nroutes = [\"lan\"]\nrouter = \"yes\"\n";
        let (_, problems) = from_toml(bad);
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].contains("Did you mean `rootless`?"),
            "{messages:?}"
        );
        assert_eq!(&bad[problems[1].range.clone()], "mtu = 9");
        let (s, problems) = from_json(
            &serde_json::json!({"host": {"rootless": true, "routes": ["10.0.0.0/8"], "mtu": "x"}}),
        );
        assert_eq!(s.host.rootless, Some(true));
        assert_eq!(s.host.routes.len(), 1);
        assert_eq!(problems.len(), 1);
        // The project's file wins over the editor, fact by fact.
        let editor = from_json(&serde_json::json!({"host": {"mtu": 1400, "rootless": true}})).0;
        let file = from_toml("[host]\nrootless = false\n").0;
        let both = editor.overridden_by(&file);
        assert_eq!(
            (both.host.rootless, both.host.mtu),
            (Some(false), Some(1400))
        );
    }

    #[test]
    fn the_platform_and_where_it_came_from() {
        let (s, problems) = from_toml("[host]\nplatform = \"docker-desktop\"\n");
        assert!(problems.is_empty(), "{problems:?}");
        let setting = s.host.platform.unwrap();
        assert_eq!(setting.platform, Platform::DockerDesktop);
        assert_eq!(setting.source, PlatformSource::Setting);
        assert!(s.host.desktop_certain() && !s.host.desktop_guessed());
        let (s, problems) = from_json(&serde_json::json!({"host": {"platform": "engine"}}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.host.platform(), Some(Platform::Engine));
        let (_, problems) = from_toml("[host]\nplatform = \"podman\"\n");
        assert!(
            problems[0]
                .message
                .contains("\"docker-desktop\" or \"engine\""),
            "{problems:?}"
        );
        let (_, problems) = from_json(&serde_json::json!({"host": {"platfrom": "engine"}}));
        assert!(problems[0].message.contains("Did you mean `platform`?"));
        // The OS guess: Desktop on macOS and Windows, nothing on Linux.
        assert_eq!(PlatformFact::guess("linux"), None);
        let mac = PlatformFact::guess("macos").unwrap();
        assert!(!mac.certain());
        assert_eq!(mac.source_words(), "assumed: portside runs on macOS");
        assert_eq!(
            PlatformFact::guess("windows").unwrap().source_words(),
            "assumed: portside runs on Windows"
        );
        // Strongest source first: a setting over the daemon over a guess, in either order.
        let with = |platform, source| RuleSettings {
            host: HostFacts {
                platform: Some(PlatformFact { platform, source }),
                ..HostFacts::default()
            },
            ..RuleSettings::default()
        };
        let daemon = with(Platform::Engine, PlatformSource::Daemon);
        let guess = with(
            Platform::DockerDesktop,
            PlatformSource::OsGuess { os: "macos" },
        );
        let set = with(Platform::DockerDesktop, PlatformSource::Setting);
        assert_eq!(
            guess.overridden_by(&daemon).host.platform(),
            Some(Platform::Engine)
        );
        assert_eq!(
            daemon.overridden_by(&guess).host.platform(),
            Some(Platform::Engine)
        );
        assert_eq!(
            daemon.overridden_by(&set).host.platform(),
            Some(Platform::DockerDesktop)
        );
        assert_eq!(
            set.overridden_by(&daemon).host.platform(),
            Some(Platform::DockerDesktop)
        );
        // The project's file over the editor's setting.
        let editor = from_json(&serde_json::json!({"host": {"platform": "engine"}})).0;
        let file = from_toml("[host]\nplatform = \"docker-desktop\"\n").0;
        assert_eq!(
            editor.overridden_by(&file).host.platform(),
            Some(Platform::DockerDesktop)
        );
        assert_eq!(
            editor
                .overridden_by(&RuleSettings::default())
                .host
                .platform(),
            Some(Platform::Engine)
        );
    }

    #[test]
    fn the_live_endpoint_setting() {
        let (s, problems) =
            from_json(&serde_json::json!({"live": {"endpoint": "unix:///run/podman/podman.sock"}}));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            s.live_endpoint.as_deref(),
            Some("unix:///run/podman/podman.sock")
        );
        let (s, problems) = from_json(&serde_json::json!({"live": {"endpoint": "ftp://x"}}));
        assert_eq!(s.live_endpoint, None);
        assert!(
            problems[0]
                .message
                .contains("unix://, tcp://, ssh:// or (Windows) npipe://"),
            "{problems:?}"
        );
    }
}
