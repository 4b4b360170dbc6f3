//! End to end: spawn the real `portside` binary and speak LSP over its stdio.

mod common;

use std::process::Stdio;

use common::{Client, examples_dir, range};
use serde_json::{Value, json};
use tokio::process::Command;

async fn run(args: &[&str], encoding: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn portside");
    let mut c = Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let init = c.initialize(&[encoding]).await;
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], encoding);

    let path = examples_dir().join("broken/compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = format!("file://{}", path.display());
    c.open(&uri, "dockercompose", 1, &text).await;
    let d = c.diagnostics(&uri).await;
    let diags = d["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    // The first finding is `localhost` in `- "localhost:8080:80"` (line 10, 1-based).
    assert_eq!(diags[0]["code"], "invalid-port-spec");
    assert_eq!(range(&diags[0]), [9, 9, 9, 18]);

    // Hover on the cache's port: the mapping in words, with who can reach it.
    let line = text
        .lines()
        .position(|l| l.contains("\"6380:6379\""))
        .unwrap();
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 10}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**`cache`** publishes `6380:6379`"),
        "{value}"
    );
    assert!(value.contains("`redis://127.0.0.1:6380`"), "{value}");
    assert!(
        value.contains("`cache:6379` on network `default`"),
        "{value}"
    );
    assert!(
        value.contains("⚠ `unprotected-service-published`"),
        "{value}"
    );

    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null);
    c.notify("exit", json!(null)).await;
    let status = tokio::time::timeout(common::TIMEOUT, child.wait())
        .await
        .expect("portside exits after `exit`")
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn lsp_subcommand_over_stdio() {
    run(&["lsp"], "utf-16").await;
}

#[tokio::test]
async fn lsp_with_stdio_flag() {
    run(&["lsp", "--stdio"], "utf-8").await;
}

#[tokio::test]
async fn top_level_stdio_flag() {
    run(&["--stdio"], "utf-16").await;
}
