//! The Zed extension for portside: it only tells Zed how to start `portside lsp` and passes
//! the user's settings through. Everything else is the server's.
//!
//! Zed settings (`settings.json`):
//!
//! ```json
//! "lsp": {
//!   "portside": {
//!     "binary": { "path": "/home/me/.cargo/bin/portside" },
//!     "settings": { "rules": { "container-port-only": "off" }, "live": { "enabled": false } }
//!   }
//! }
//! ```

use zed_extension_api::{self as zed, LanguageServerId, Result, settings::LspSettings};

const SERVER: &str = "portside";

struct Portside;

impl Portside {
    fn settings(worktree: &zed::Worktree) -> LspSettings {
        // A malformed `lsp.portside` section must not keep the server from starting.
        LspSettings::for_worktree(SERVER, worktree).unwrap_or_default()
    }
}

impl zed::Extension for Portside {
    fn new() -> Self {
        Portside
    }

    fn language_server_command(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = Self::settings(worktree).binary;
        let configured = binary.as_ref().and_then(|b| b.path.clone());
        let command = match configured {
            Some(path) => path,
            None => worktree.which(SERVER).ok_or_else(|| {
                "portside was not found on PATH. Install it (`cargo install --git \
                 https://github.com/portside-lsp/portside --locked`) or set \
                 `lsp.portside.binary.path` in Zed's settings.json."
                    .to_string()
            })?,
        };
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_else(|| vec!["lsp".to_string()]);
        let mut env = worktree.shell_env();
        if let Some(extra) = binary.and_then(|b| b.env) {
            env.retain(|(k, _)| !extra.contains_key(k));
            env.extend(extra);
        }
        Ok(zed::Command { command, args, env })
    }

    fn language_server_initialization_options(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        let settings = Self::settings(worktree);
        Ok(settings.initialization_options.or(settings.settings))
    }

    fn language_server_workspace_configuration(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        // Zed answers `workspace/configuration` by section and pushes this whole value with
        // `workspace/didChangeConfiguration`; the server reads the `portside` key of both.
        Ok(Self::settings(worktree)
            .settings
            .map(|s| zed::serde_json::json!({ SERVER: s })))
    }
}

zed::register_extension!(Portside);
