//! The command a Compose service runs, as Docker hands it to the container: `command:` and
//! `entrypoint:` in their string form (split as Compose splits it, into words) or list form,
//! put in a Dockerfile [`Stage`] with the service's variables, so that the listener analysis
//! (`model::dockerfile::listen`, `app-listens-on-loopback`) reads a command written in
//! Compose exactly as one written in a Dockerfile. Word spans are bytes of the Compose file.
//!
//! As in Docker: a Compose `entrypoint` replaces the image's `ENTRYPOINT` and drops its
//! `CMD`; a Compose `command` replaces `CMD` and keeps the image's `ENTRYPOINT`. The image's
//! `ENTRYPOINT` is left out of the words (its spans are another file's): most are wrappers
//! that `exec "$@"`.

use super::{CommandKind, Val};
use super::{Project, Service};
use crate::model::dockerfile::{Cmd, Stage, Word, split_words};

/// The stage a service runs with the Compose `command`/`entrypoint` as its `CMD`/
/// `ENTRYPOINT`: `image` is the stage of the Dockerfile it is built from (its variables
/// are the container's too), `None` for a service run from an image. `None` when Compose
/// sets neither key.
pub fn service_stage(p: &Project<'_>, s: &Service<'_>, image: Option<&Stage>) -> Option<Stage> {
    // Most services set neither: known from the model, without a lookup in the tree.
    if !s
        .command_kinds
        .iter()
        .any(|k| matches!(k, CommandKind::Command | CommandKind::Entrypoint))
    {
        return None;
    }
    let command = part(p, s, "command", CommandKind::Command);
    let entrypoint = part(p, s, "entrypoint", CommandKind::Entrypoint);
    if command.is_none() && entrypoint.is_none() {
        return None;
    }
    let mut stage = image.cloned().unwrap_or_default();
    stage.cmd = command;
    stage.entrypoint = entrypoint;
    // Compose's `environment` is the container's, after the image's ENV.
    for e in &s.environment {
        stage.vars.push((
            e.key.to_string(),
            e.value.as_ref().map(|v| v.value.to_string()),
        ));
    }
    Some(stage)
}

/// `command` or `entrypoint` of `s` as a [`Cmd`]: a list is one word per item (exec form,
/// fixes insert quoted items only into a flow list of double-quoted words); a string is
/// split into words (no shell runs it; `sh -c` bodies are split again by
/// [`Stage::command`]). A word whose bytes cannot be located exactly gets the whole
/// value's span, and the command gets no span to insert into (no fix).
fn part(p: &Project<'_>, s: &Service<'_>, key: &str, kind: CommandKind) -> Option<Cmd> {
    let vals: Vec<&Val<'_>> = s
        .commands
        .iter()
        .zip(&s.command_kinds)
        .filter(|(_, k)| **k == kind)
        .map(|(v, _)| v)
        .collect();
    let value_node = p.yaml.get(s.node, key).map(|e| p.yaml.resolve(e.value))?;
    let span = p.span(value_node);
    let mut exact = true;
    let mut words = Vec::new();
    if p.yaml.items(value_node).is_some() {
        let flow = p.text.as_bytes().get(span.start) == Some(&b'[');
        for v in &vals {
            let at = p.raw_span(v, 0..v.value.len());
            exact &= at.is_some();
            words.push(Word {
                text: v.value.to_string(),
                span: at.unwrap_or_else(|| p.value_span(v, 0..v.value.len())),
            });
        }
        // A fix inserts `, "--host", "0.0.0.0"` after a double-quoted item of a flow list;
        // a block list, or plain or single-quoted items, have no place for it.
        let quoted = words.iter().all(|w| {
            p.text[..w.span.start].ends_with('"') && p.text[w.span.end..].starts_with('"')
        });
        return Some(Cmd {
            exec: true,
            span: if flow && exact && quoted { span } else { 0..0 },
            words,
        });
    }
    let [v] = vals[..] else { return None };
    for w in split_words(&v.value, 0) {
        // A quoted word (`"npm ci && vite"`) is located by its content, so that the words
        // of an `sh -c` body split from it land on their own bytes.
        let quoted = &v.value[w.span.clone()];
        let range = if w.text.len() + 2 == quoted.len()
            && (quoted.starts_with('"') && quoted.ends_with('"')
                || quoted.starts_with('\'') && quoted.ends_with('\''))
        {
            w.span.start + 1..w.span.end - 1
        } else {
            w.span.clone()
        };
        let at = p.raw_span(v, range.clone());
        exact &= at.is_some();
        words.push(Word {
            text: w.text,
            span: at.unwrap_or_else(|| p.value_span(v, range)),
        });
    }
    Some(Cmd {
        exec: false,
        span: if exact { span } else { 0..0 },
        words,
    })
}
