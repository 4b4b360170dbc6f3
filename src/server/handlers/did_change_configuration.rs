//! `workspace/didChangeConfiguration`, and the settings plumbing `initialize` and
//! `initialized` share: rule levels from `initializationOptions`, then from
//! `workspace/configuration` (section `portside`) when the client answers it.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::ls_types::{ConfigurationItem, DidChangeConfigurationParams, MessageType};

use crate::config::RuleSettings;
use crate::server::{Backend, scheduler};

/// Parses and stores editor settings (`{"rules": {...}}`, `live.endpoint`...); returns
/// whether they changed and the problems found in them. The live endpoint is part of them:
/// the live calls run with the session's setting (`crate::live::with_endpoint`).
pub fn store(backend: &Backend, value: &Value) -> (bool, Vec<String>) {
    let (settings, problems) = RuleSettings::from_json(value, crate::rules::known());
    let changed = backend.set_settings(settings);
    (changed, problems.into_iter().map(|p| p.message).collect())
}

/// Stores settings after `initialize`: as [`store`], and the CodeLenses, which come and go
/// with `live.enabled`, are asked for again when it changed.
fn store_later(backend: &Backend, value: &Value) -> (bool, Vec<String>) {
    let live_was = backend.settings().live_disabled;
    let stored = store(backend, value);
    if backend.settings().live_disabled != live_was
        && backend
            .code_lens_refresh
            .load(std::sync::atomic::Ordering::Relaxed)
    {
        let client = backend.client.clone();
        tokio::spawn(async move {
            if let Err(e) = client.code_lens_refresh().await {
                tracing::warn!("workspace/codeLens/refresh failed: {e}");
            }
        });
    }
    stored
}

async fn report(backend: &Backend, problems: Vec<String>) {
    if !problems.is_empty() {
        backend
            .client
            .show_message(
                MessageType::WARNING,
                super::super::convert::plain(&format!(
                    "portside settings: {}. The other settings apply.",
                    problems.join("; ")
                )),
            )
            .await;
    }
}

/// Asks the client for the `portside` section, when it can answer; re-analyses on change.
pub async fn pull(backend: &Arc<Backend>) {
    if !backend.pull_configuration() {
        return;
    }
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some("portside".to_string()),
    }];
    let value = match backend.client.configuration(items).await {
        Ok(mut values) if !values.is_empty() => values.remove(0),
        Ok(_) => return,
        Err(e) => {
            tracing::warn!("workspace/configuration failed: {e}");
            return;
        }
    };
    let (changed, problems) = store_later(backend, &value);
    report(backend, problems).await;
    if changed {
        scheduler::schedule_all(backend);
    }
}

pub async fn did_change_configuration(
    backend: &Arc<Backend>,
    params: DidChangeConfigurationParams,
) {
    // Clients either push the settings (`{"portside": {...}}`) or only signal a change.
    match params.settings.get("portside") {
        Some(value) => {
            let (changed, problems) = store_later(backend, value);
            report(backend, problems).await;
            if changed {
                scheduler::schedule_all(backend);
            }
        }
        None => pull(backend).await,
    }
}
