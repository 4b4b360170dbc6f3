//! In-process LSP tests: the real server over in-memory pipes.

mod common;
#[path = "support/generate.rs"]
mod generate;

use common::{Client, range};
use serde_json::{Value, json};
use tokio::io::{DuplexStream, duplex};

type TestClient = Client<DuplexStream, DuplexStream>;

fn start() -> TestClient {
    let (client_read, server_write) = duplex(1 << 20);
    let (server_read, client_write) = duplex(1 << 20);
    tokio::spawn(portside::server::serve(server_read, server_write));
    Client::new(client_read, client_write)
}

const URI: &str = "file:///project/compose.yaml";

/// `ports` line 4 (0-based 3); the bad host IP `localhost` follows an emoji in a comment.
const BROKEN: &str =
    "services:\n  web: # 😀 front end\n    ports:\n      - \"localhost:8080:80\" # 😀\n";

#[tokio::test]
async fn negotiates_the_position_encoding() {
    let mut c = start();
    let r = c.initialize(&["utf-8", "utf-16"]).await;
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(r["result"]["serverInfo"]["name"], "portside");

    // UTF-32 (characters) is chosen over UTF-16 when offered; the emoji before `localhost`
    // counts once.
    let mut c = start();
    let r = c.initialize(&["utf-32", "utf-16"]).await;
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-32");
    let text = "services:\n  web:\n    ports: [\"😀\", \"localhost:8080:80\"]\n";
    c.open(URI, "yaml", 1, text).await;
    let d = c.diagnostics(URI).await;
    let bad = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("localhost"))
        .unwrap()
        .clone();
    assert_eq!(range(&bad), [2, 18, 2, 27], "{d}");

    let mut c = start();
    let r = c.initialize(&[]).await;
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(r["result"]["capabilities"]["textDocumentSync"]["change"], 2);
}

#[tokio::test]
async fn publishes_invalid_port_spec_at_the_exact_token() {
    let mut c = start();
    c.initialize(&[]).await;
    c.open(URI, "yaml", 1, BROKEN).await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["version"], 1);
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    let diag = &diags[0];
    assert_eq!(range(diag), [3, 9, 3, 18]);
    assert_eq!(diag["code"], "invalid-port-spec");
    assert_eq!(diag["source"], "portside");
    assert_eq!(diag["severity"], 1);
    assert!(
        diag["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules.md#invalid-port-spec")
    );
    assert!(
        diag["message"]
            .as_str()
            .unwrap()
            .contains("invalid IP address: localhost")
    );
}

#[tokio::test]
async fn positions_follow_the_negotiated_encoding() {
    // The emoji before the span is 4 bytes in UTF-8 and 2 units in UTF-16.
    let text = "services:\n  web:\n    ports: [\"😀\", \"8080:99999\"]\n";
    for (enc, start) in [("utf-8", 26), ("utf-16", 24)] {
        let mut c = start_with(enc).await;
        c.open(URI, "dockercompose", 1, text).await;
        let d = c.diagnostics(URI).await;
        let diags = d["diagnostics"].as_array().unwrap();
        // `"😀"` is an invalid port too; the second diagnostic is `99999`.
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(range(&diags[1]), [2, start, 2, start + 5], "{enc}");
    }
}

async fn start_with(enc: &str) -> TestClient {
    let mut c = start();
    let r = c.initialize(&[enc]).await;
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], enc);
    c
}

#[tokio::test]
async fn incremental_changes_republish_and_close_clears() {
    let mut c = start_with("utf-16").await;
    c.open(URI, "yaml", 1, BROKEN).await;
    assert_eq!(
        c.diagnostics(URI).await["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Replace `localhost` with `127.0.0.1`.
    c.change(
        URI,
        2,
        json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 18}}, "text": "127.0.0.1"}]),
    )
    .await;
    let d = c.diagnostics_for_version(URI, 2).await;
    assert_eq!(d["diagnostics"], json!([]));
    // Full replace with a broken protocol.
    c.change(
        URI,
        3,
        json!([{"text": "services:\n  web:\n    ports: [\"80/tpc\"]\n"}]),
    )
    .await;
    let d = c.diagnostics_for_version(URI, 3).await;
    assert_eq!(range(&d["diagnostics"][0]), [2, 16, 2, 19]);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    )
    .await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"], json!([]));
}

#[tokio::test]
async fn rapid_edits_apply_in_order_and_never_publish_an_older_version() {
    let mut c = start_with("utf-16").await;
    c.open(URI, "yaml", 1, "services:\n  web:\n    ports: [\"")
        .await;
    let typed = "8080:99999\"]\n";
    for (i, ch) in typed.chars().enumerate() {
        let col = 13 + i as u64;
        let (line, col) = (2, col);
        c.change(
            URI,
            2 + i as i64,
            json!([{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch.to_string()}]),
        )
        .await;
    }
    let last = 1 + typed.chars().count() as i64;
    let mut seen = Vec::new();
    loop {
        let d = c.diagnostics(URI).await;
        let v = d["version"].as_i64().unwrap();
        seen.push(v);
        if v == last {
            let diags = d["diagnostics"].as_array().unwrap();
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(range(&diags[0]), [2, 18, 2, 23]);
            break;
        }
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

#[tokio::test]
async fn a_syntax_error_is_what_gets_published() {
    let mut c = start_with("utf-16").await;
    c.open(
        URI,
        "yaml",
        1,
        "services:\n  web:\n    ports: [\"80:99999\"]\n  db\n    image: x\n",
    )
    .await;
    let d = c.diagnostics(URI).await;
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["code"], "syntax-error");
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("YAML syntax error")
    );
}

#[tokio::test]
async fn duplicate_keys_carry_related_information() {
    let mut c = start_with("utf-16").await;
    c.open(
        URI,
        "yaml",
        1,
        "services:\n  web:\n    ports: []\n    ports: []\n",
    )
    .await;
    let d = c.diagnostics(URI).await;
    let diag = &d["diagnostics"][0];
    assert_eq!(diag["code"], "duplicate-key");
    assert_eq!(range(diag), [3, 4, 3, 9]);
    let related = &diag["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(related["location"]["range"]["start"]["line"], 2);
}

#[tokio::test]
async fn quick_fix_replaces_the_token() {
    let mut c = start_with("utf-16").await;
    c.open(URI, "yaml", 1, BROKEN).await;
    let d = c.diagnostics(URI).await;
    let diag = d["diagnostics"][0].clone();
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": diag["range"], "context": {"diagnostics": [diag], "only": ["quickfix"]}}),
        )
        .await;
    let all = r["result"].as_array().unwrap();
    let actions: Vec<&Value> = all.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert_eq!(actions.len(), 1, "{all:?}");
    // Titles are plain text in editors: code spans become quotes.
    assert_eq!(
        actions[0]["title"],
        "Replace \"localhost\" with \"127.0.0.1\""
    );
    // The suppressions of the finding come after its fixes.
    let titles: Vec<&str> = all.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles[1..],
        [
            "Ignore invalid-port-spec on this line",
            "Ignore invalid-port-spec in this file"
        ],
        "{all:?}"
    );
    let edit = &actions[0]["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "127.0.0.1");
    assert_eq!(range(edit), [3, 9, 3, 18]);
    // Elsewhere in the file there is nothing to fix.
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .await;
    assert_eq!(r["result"], json!([]));
    // Without `only`, the live checks are offered too, as source actions; the setting
    // `live.enabled: false` removes them.
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "context": {"diagnostics": []}}),
        )
        .await;
    let kinds: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["source.portside.live"]);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"portside": {"live": {"enabled": false}}}}),
    )
    .await;
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "context": {"diagnostics": []}}),
        )
        .await;
    assert_eq!(r["result"], json!([]));
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": URI}]}),
        )
        .await;
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("turned off"),
        "{r}"
    );
}

/// `portside.daemon` (the VS Code status item's question) answers with the endpoint the live
/// checks would use with the session's settings, and says when nothing answers there or
/// live checks are off.
#[tokio::test]
async fn the_daemon_status_command_follows_the_live_settings() {
    let mut c = start();
    c.initialize_with(
        json!({}),
        json!({"live": {"endpoint": "unix:///nonexistent/portside-status.sock"}}),
    )
    .await;
    let ask = json!({"command": "portside.daemon", "arguments": []});
    let r = c.request("workspace/executeCommand", ask.clone()).await;
    assert_eq!(
        r["result"]["endpoint"],
        "unix:///nonexistent/portside-status.sock (from the editor setting live.endpoint)",
        "{r}"
    );
    assert!(
        r["result"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("/nonexistent/portside-status.sock")),
        "{r}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"portside": {"live": {"enabled": false}}}}),
    )
    .await;
    let r = c.request("workspace/executeCommand", ask).await;
    assert_eq!(r["result"], json!({"disabled": true}), "{r}");
}

#[tokio::test]
async fn other_files_are_ignored_and_unknown_documents_answer_empty() {
    let mut c = start_with("utf-16").await;
    c.open("file:///project/config.yaml", "yaml", 1, "ports: [\"x\"]\n")
        .await;
    c.open("file:///etc/docker/daemon.json", "json", 1, "{\"a\": 1,}")
        .await;
    // The daemon.json diagnostics arrive; config.yaml never gets any.
    let d = c.diagnostics("file:///etc/docker/daemon.json").await;
    assert_eq!(d["diagnostics"][0]["code"], "syntax-error");
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": "file:///never/opened.yaml"}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
        )
        .await;
    assert_eq!(r["result"], Value::Null);
    assert!(
        !c.notifications
            .iter()
            .any(|n| n["params"]["uri"] == "file:///project/config.yaml")
    );
}

#[tokio::test]
async fn dockerfile_by_language_id_and_untitled_documents() {
    let mut c = start_with("utf-16").await;
    let uri = "untitled:Untitled-1";
    c.open(uri, "dockerfile", 1, "FROM alpine\nRU apk add curl\n")
        .await;
    let d = c.diagnostics(uri).await;
    assert_eq!(range(&d["diagnostics"][0]), [1, 0, 1, 2]);
}

#[tokio::test]
async fn shutdown_then_exit() {
    let mut c = start_with("utf-16").await;
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null);
    c.notify("exit", Value::Null).await;
}

#[tokio::test]
async fn hover_explains_a_port_even_while_the_file_is_broken() {
    let mut c = start_with("utf-16").await;
    let text = "services:\n  web:\n    ports:\n      - \"127.0.0.1:8080:80\"\n";
    c.open(URI, "yaml", 1, text).await;
    c.diagnostics(URI).await;
    let at = json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 12}});
    let r = c.request("textDocument/hover", at.clone()).await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("loopback only (`127.0.0.1`), port 8080"),
        "{value}"
    );
    assert!(value.contains("port 80/tcp of `web`"), "{value}");
    assert!(value.contains("`http://127.0.0.1:8080`"), "{value}");
    assert_eq!(range(&r["result"]), [3, 8, 3, 27]);
    // Break the file below the port: the last good tree still answers.
    c.change(URI, 2, json!([{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}}, "text": "  db\n    image: x\n"}]))
        .await;
    let d = c.diagnostics_for_version(URI, 2).await;
    assert_eq!(d["diagnostics"][0]["code"], "syntax-error");
    let r = c.request("textDocument/hover", at).await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("port 8080")
    );
    // A Compose key: its description and reference link.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 1}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**`services`**"), "{value}");
    assert!(
        value.contains("https://docs.docker.com/reference/compose-file/"),
        "{value}"
    );
}

#[tokio::test]
async fn a_20_mb_document_is_refused_with_a_diagnostic_and_the_server_keeps_serving() {
    let mut c = start_with("utf-16").await;
    let mut big = String::from("services:\n  web:\n    environment:\n");
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("      KEY: \"some long value to fill the file up to twenty megabytes\"\n");
    }
    let started = std::time::Instant::now();
    c.open(URI, "yaml", 1, &big).await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"][0]["code"], "input-too-large");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // Another document is still served.
    let other = "file:///project/other/compose.yaml";
    c.open(
        other,
        "yaml",
        1,
        "services:\n  a:\n    ports: [\"80:99999\"]\n",
    )
    .await;
    let d = c.diagnostics(other).await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-port-spec");
}

const EPHEMERAL: &str = "services:\n  a:\n    ports: [\"8080\"]\n";

#[tokio::test]
async fn initialization_options_turn_rules_off() {
    let mut c = start();
    c.initialize_with(json!({}), json!({"rules": {"container-port-only": "off"}}))
        .await;
    c.open(URI, "yaml", 1, EPHEMERAL).await;
    assert_eq!(c.diagnostics(URI).await["diagnostics"], json!([]));
}

#[tokio::test]
async fn pushed_settings_change_severity_and_republish() {
    let mut c = start_with("utf-16").await;
    c.open(URI, "yaml", 1, EPHEMERAL).await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"][0]["severity"], 3);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"portside": {"rules": {"container-port-only": "error"}}}}),
    )
    .await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"][0]["severity"], 1);
}

#[tokio::test]
async fn pulled_settings_and_a_clear_message_for_bad_ones() {
    let mut c = start();
    c.configuration = Some(json!({"rules": {"container-port-only": "off", "no-such-rule": "off"}}));
    c.initialize_with(json!({"workspace": {"configuration": true}}), Value::Null)
        .await;
    let message = c.notification("window/showMessage").await;
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("\"no-such-rule\" is not a portside rule"),
        "{message}"
    );
    c.open(URI, "yaml", 1, EPHEMERAL).await;
    assert_eq!(c.diagnostics(URI).await["diagnostics"], json!([]));
    // A change signal without values makes the server ask again.
    c.configuration = Some(json!({"rules": {}}));
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    )
    .await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"][0]["code"], "container-port-only");
}

#[tokio::test]
async fn portside_toml_gets_diagnostics() {
    let mut c = start_with("utf-16").await;
    let uri = "file:///project/portside.toml";
    c.open(uri, "toml", 1, "[rules]\npublish-all-interface = \"off\"\n")
        .await;
    let d = c.diagnostics(uri).await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-setting");
    assert_eq!(range(&d["diagnostics"][0]), [1, 0, 1, 29]);
}

#[tokio::test]
async fn names_from_the_override_file_and_reanalysis_when_it_changes() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-related-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "services:\n  web:\n    networks: [edge]\n";
    let over = "networks:\n  edge: {}\n";
    std::fs::write(dir.join("compose.yaml"), base).unwrap();
    std::fs::write(dir.join("compose.override.yaml"), over).unwrap();
    let base_uri = format!("file://{}", dir.join("compose.yaml").display());
    let over_uri = format!("file://{}", dir.join("compose.override.yaml").display());

    let mut c = start_with("utf-16").await;
    c.open(&base_uri, "yaml", 1, base).await;
    assert_eq!(c.diagnostics(&base_uri).await["diagnostics"], json!([]));
    // An unsaved edit of the override file that drops `edge` re-analyses the base file.
    c.open(&over_uri, "yaml", 1, over).await;
    c.diagnostics(&over_uri).await;
    c.change(&over_uri, 2, json!([{"text": "networks:\n  other: {}\n"}]))
        .await;
    let d = loop {
        let d = c.diagnostics(&base_uri).await;
        if d["diagnostics"] != json!([]) {
            break d;
        }
    };
    assert_eq!(d["diagnostics"][0]["code"], "undefined-network");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_compose_port_points_at_the_dockerfile_line_that_binds_loopback() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM python:3.12\nEXPOSE 5000\nCMD [\"flask\", \"run\"]\n",
    )
    .unwrap();
    let text = "services:\n  api:\n    build: .\n    ports: [\"127.0.0.1:5000:5000\"]\n";
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let mut c = start_with("utf-16").await;
    c.open(&uri, "yaml", 1, text).await;
    let d = c.diagnostics(&uri).await;
    let diag = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "app-listens-on-loopback")
        .expect("the port is flagged")
        .clone();
    assert_eq!(range(&diag), [3, 12, 3, 33]);
    let related = &diag["relatedInformation"][0]["location"];
    assert!(
        related["uri"].as_str().unwrap().ends_with("/Dockerfile"),
        "{related}"
    );
    assert_eq!(
        related["range"]["start"],
        json!({"line": 2, "character": 6})
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn hovers_with_dotenv_values_findings_dockerfile_and_daemon_json() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-hover-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), "WEB_PORT=9000\n").unwrap();
    let compose = "services:\n  web:\n    ports:\n      - \"${WEB_PORT}:80\"\n";
    let compose_uri = format!("file://{}", dir.join("compose.yaml").display());
    let mut c = start_with("utf-16").await;
    c.open(&compose_uri, "yaml", 1, compose).await;
    c.diagnostics(&compose_uri).await;
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": compose_uri}, "position": {"line": 3, "character": 12}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("`${WEB_PORT}:80` → `9000:80`"), "{value}");
    assert!(value.contains("`WEB_PORT=9000` from `.env`"), "{value}");
    assert!(value.contains("`http://127.0.0.1:9000`"), "{value}");
    // publish-all-interfaces is opt-in: not turned on here, so not in the hover.
    assert!(!value.contains("`publish-all-interfaces`"), "{value}");

    let df_uri = format!("file://{}", dir.join("Dockerfile").display());
    c.open(&df_uri, "dockerfile", 1, "FROM scratch\nEXPOSE 8080\n")
        .await;
    c.diagnostics(&df_uri).await;
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": df_uri}, "position": {"line": 1, "character": 8}}),
        )
        .await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("**Not published**")
    );
    assert_eq!(range(&r["result"]), [1, 7, 1, 11]);

    let json_uri = format!("file://{}", dir.join("daemon.json").display());
    c.open(&json_uri, "json", 1, "{\"iptables\": false}\n")
        .await;
    c.diagnostics(&json_uri).await;
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": json_uri}, "position": {"line": 0, "character": 3}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**`iptables`**"), "{value}");
    assert!(value.contains("⚠ `"), "{value}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn document_highlight_marks_the_definition_and_the_uses_in_this_file() {
    let uri = "file:///tmp/portside-highlight/compose.yaml";
    let text = "services:\n  web:\n    depends_on: [db]\n    environment:\n      DB_URL: postgres://db:5432/app\n  db:\n    image: postgres\n";
    let mut c = start_with("utf-16").await;
    c.open(uri, "yaml", 1, text).await;
    c.diagnostics(uri).await;
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let r = c.request("textDocument/documentHighlight", at(2, 18)).await;
    let mut found: Vec<([u64; 4], u64)> = r["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|h| (range(h), h["kind"].as_u64().unwrap()))
        .collect();
    found.sort();
    // READ = 2, WRITE = 3 (the `db:` key that defines the service).
    assert_eq!(
        found,
        [([2, 17, 2, 19], 2), ([4, 25, 4, 27], 2), ([5, 2, 5, 4], 3)],
        "{r}"
    );
    // Nothing to highlight on a key that names nothing.
    let r = c.request("textDocument/documentHighlight", at(6, 5)).await;
    assert!(r["result"].is_null(), "{r}");
}

/// Rename and references read the Compose model's occurrences: a host in `command`
/// (string and list form) and in `healthcheck.test` is renamed with the service.
#[tokio::test]
async fn rename_and_references_include_hosts_in_commands_and_healthchecks() {
    let uri = "file:///tmp/portside-rename-commands/compose.yaml";
    let text = "services:\n  api:\n    image: x\n  worker:\n    command: sh -c \"wait-for api:8080 && run\"\n  probe:\n    command: [\"curl\", \"-f\", \"http://api:8080/health\"]\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://api:8080/\"]\n";
    let mut c = start_with("utf-16").await;
    c.open(uri, "yaml", 1, text).await;
    c.diagnostics(uri).await;
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let mut params = at(1, 3);
    params["context"] = json!({"includeDeclaration": true});
    let r = c.request("textDocument/references", params).await;
    let mut found: Vec<[u64; 4]> = r["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(range)
        .collect();
    found.sort();
    assert_eq!(
        found,
        [[1, 2, 1, 5], [4, 29, 4, 32], [6, 36, 6, 39], [8, 42, 8, 45]],
        "{r}"
    );
    // From the command's host, the definition.
    let r = c.request("textDocument/definition", at(4, 30)).await;
    assert_eq!(range(&r["result"]), [1, 2, 1, 5], "{r}");
    let mut params = at(8, 43);
    params["newName"] = json!("backend");
    let r = c.request("textDocument/rename", params).await;
    let mut edits: Vec<[u64; 4]> = r["result"]["changes"][uri]
        .as_array()
        .unwrap_or_else(|| panic!("{r}"))
        .iter()
        .map(|e| {
            assert_eq!(e["newText"], "backend");
            range(e)
        })
        .collect();
    edits.sort();
    assert_eq!(edits, found, "{r}");
}

#[tokio::test]
async fn definition_references_symbols_completion_and_rename_across_two_files() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-nav-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "services:\n  web:\n    networks: [edge]\n    depends_on: [db]\n    environment:\n      DB_URL: postgres://db:5432/app\n    ports: [\"8080:80\"]\n";
    let over = "services:\n  db:\n    networks:\n      - edge\nnetworks:\n  edge: {}\n";
    std::fs::write(dir.join("compose.yaml"), base).unwrap();
    std::fs::write(dir.join("compose.override.yaml"), over).unwrap();
    let base_uri = format!("file://{}", dir.join("compose.yaml").display());
    let over_uri = format!("file://{}", dir.join("compose.override.yaml").display());
    let mut c = start_with("utf-16").await;
    c.open(&base_uri, "yaml", 1, base).await;
    c.diagnostics(&base_uri).await;
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": base_uri}, "position": {"line": line, "character": character}});
    let parses = |r: &Value| r["result"]["parses"].as_u64().unwrap();
    let stats = json!({"command": "portside.debug.stats", "arguments": []});
    let analysed = parses(&c.request("workspace/executeCommand", stats.clone()).await);

    // `db` in depends_on → the override file's `db:` key.
    let r = c.request("textDocument/definition", at(3, 19)).await;
    assert_eq!(r["result"]["uri"], over_uri, "{r}");
    assert_eq!(range(&r["result"]), [1, 2, 1, 4]);
    let first_nav = parses(&c.request("workspace/executeCommand", stats.clone()).await);
    // The URL host goes there too.
    let r = c.request("textDocument/definition", at(5, 25)).await;
    assert_eq!(r["result"]["uri"], over_uri, "{r}");

    // References of `edge`: this file's one, the override's definition and reference.
    let mut params = at(2, 16);
    params["context"] = json!({"includeDeclaration": true});
    let r = c.request("textDocument/references", params.clone()).await;
    let found: Vec<(String, [u64; 4])> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["uri"].as_str().unwrap().to_string(), range(l)))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.contains(&(base_uri.clone(), [2, 15, 2, 19])));
    assert!(found.contains(&(over_uri.clone(), [3, 8, 3, 12])));
    assert!(found.contains(&(over_uri.clone(), [5, 2, 5, 6])));
    params["context"] = json!({"includeDeclaration": false});
    let before = parses(&c.request("workspace/executeCommand", stats.clone()).await);
    let r = c.request("textDocument/references", params).await;
    assert_eq!(r["result"].as_array().unwrap().len(), 2);
    // The override file was parsed through the workspace cache for the first request; not
    // again for the next ones.
    let after = parses(&c.request("workspace/executeCommand", stats.clone()).await);
    assert!(
        first_nav > analysed,
        "navigation did not use the workspace cache"
    );
    assert_eq!(before, after, "navigation parsed the other file again");

    // Outline.
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": base_uri}}),
        )
        .await;
    assert_eq!(r["result"][0]["name"], "web");
    assert_eq!(r["result"][0]["detail"], "service · 8080:80");

    // Rename `db` everywhere; a taken or invalid name is refused.
    let r = c.request("textDocument/prepareRename", at(3, 19)).await;
    assert_eq!(r["result"]["placeholder"], "db");
    let mut params = at(3, 19);
    params["newName"] = json!("database");
    let r = c.request("textDocument/rename", params.clone()).await;
    let changes = &r["result"]["changes"];
    assert_eq!(changes[&base_uri].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(changes[&over_uri].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(changes[&over_uri][0]["newText"], "database");
    params["newName"] = json!("web");
    let r = c.request("textDocument/rename", params.clone()).await;
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already has a service named `web`"),
        "{r}"
    );
    params["newName"] = json!("no good");
    let r = c.request("textDocument/rename", params).await;
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid Compose name")
    );

    // Completion while typing a new depends_on entry: names from both files.
    let typed = format!("{base}  worker:\n    depends_on:\n      - ");
    c.change(&base_uri, 2, json!([{"text": typed}])).await;
    c.diagnostics_for_version(&base_uri, 2).await;
    let r = c.request("textDocument/completion", at(9, 8)).await;
    let labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"web") && labels.contains(&"db"),
        "{labels:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_dotenv_changed_on_disk_re_analyses_through_the_registered_watcher() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), "WEB_PORT=80a\n").unwrap();
    let text = "services:\n  web:\n    ports: [\"${WEB_PORT}:80\"]\n";
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let mut c = start();
    c.initialize_with(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Value::Null,
    )
    .await;
    c.open(&uri, "yaml", 1, text).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-port-spec", "{d}");
    // The server registered a watcher for the files its analyses read.
    let registration = c
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("a registration")
        .clone();
    let watcher = &registration["params"]["registrations"][0];
    assert_eq!(watcher["method"], "workspace/didChangeWatchedFiles");
    assert!(
        watcher["registerOptions"]["watchers"][0]["globPattern"]
            .as_str()
            .unwrap()
            .contains(".env"),
        "{registration}"
    );
    // The .env is fixed on disk; the editor says so; the diagnostic goes away.
    std::fs::write(dir.join(".env"), "WEB_PORT=8080\n").unwrap();
    let env_uri = format!("file://{}", dir.join(".env").display());
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": env_uri, "type": 2}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    let codes: Vec<&str> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"invalid-port-spec"), "{d}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_client_that_refuses_the_watcher_registration_is_still_served() {
    let mut c = start();
    c.refuse.push("client/registerCapability");
    c.initialize_with(
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
        Value::Null,
    )
    .await;
    c.open(URI, "yaml", 1, BROKEN).await;
    let d = c.diagnostics(URI).await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-port-spec");
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability")
    );
}

/// Protocol abuse: nothing here may take the server down; each gets an error or an empty
/// answer, and a normal request still works afterwards.
#[tokio::test]
async fn protocol_abuse_gets_errors_and_the_server_keeps_serving() {
    let mut c = start();
    // A request before `initialize`.
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(r["error"].is_object(), "{r}");
    // A notification before `initialize` is dropped.
    c.open(URI, "yaml", 1, BROKEN).await;
    c.initialize(&["utf-16"]).await;
    // A second `initialize`.
    let r = c
        .request("initialize", json!({"processId": null, "capabilities": {}}))
        .await;
    assert!(r["error"].is_object(), "{r}");
    // Malformed frames: broken JSON, a body that is not JSON-RPC, an unknown method.
    c.send_raw(b"{\"jsonrpc\": \"2.0\", \"method\": ").await;
    c.send_raw(b"[1, 2, 3]").await;
    let r = c.request("portside/nonsense", json!({})).await;
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Edits out of range, positions past the end, a document never opened.
    c.open(URI, "yaml", 2, BROKEN).await;
    c.diagnostics_for_version(URI, 2).await;
    c.change(
        URI,
        3,
        json!([{"range": {"start": {"line": 900, "character": 5}, "end": {"line": 2, "character": 0}}, "text": "x"}]),
    )
    .await;
    c.diagnostics_for_version(URI, 3).await;
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/references",
        "textDocument/completion",
        "textDocument/prepareRename",
    ] {
        let r = c
            .request(
                method,
                json!({"textDocument": {"uri": URI}, "position": {"line": 10000, "character": 10000}, "context": {"includeDeclaration": true, "triggerKind": 1}}),
            )
            .await;
        assert!(r.get("result").is_some(), "{method}: {r}");
        let r = c
            .request(
                method,
                json!({"textDocument": {"uri": "file:///never.yaml"}, "position": {"line": 0, "character": 0}, "context": {"includeDeclaration": true, "triggerKind": 1}}),
            )
            .await;
        assert!(
            r.get("result").is_some() || r["error"].is_object(),
            "{method}: {r}"
        );
    }
    // Cancelling a request that already finished is harmless.
    c.notify("$/cancelRequest", json!({"id": 1})).await;
    // Shutdown, then a request: an error, not a crash.
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null);
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(r["error"].is_object(), "{r}");
}

#[tokio::test]
async fn navigation_from_an_included_or_extended_file_back_to_its_users() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-include-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("common")).unwrap();
    // compose.yaml includes common/db.yaml and extends `web` of common/base.yaml, with a
    // `web` of its own: the two `web`s are different services.
    let main = "include:\n  - common/db.yaml\nservices:\n  web:\n    extends:\n      file: common/base.yaml\n      service: web\n    depends_on: [db]\n";
    let db = "services:\n  db:\n    image: postgres\n  web:\n    image: unrelated\n";
    let base = "services:\n  web:\n    image: nginx\n";
    std::fs::write(dir.join("compose.yaml"), main).unwrap();
    std::fs::write(dir.join("common/db.yaml"), db).unwrap();
    std::fs::write(dir.join("common/base.yaml"), base).unwrap();
    let uri = |p: &str| format!("file://{}", dir.join(p).display());
    let (main_uri, db_uri, base_uri) = (
        uri("compose.yaml"),
        uri("common/db.yaml"),
        uri("common/base.yaml"),
    );
    let mut c = start_with("utf-16").await;
    c.open(&main_uri, "yaml", 1, main).await;
    c.diagnostics(&main_uri).await;
    let at = |u: &str, line: u32, character: u32| json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}});
    let locations = |r: &Value| -> Vec<(String, [u64; 4])> {
        let list = match &r["result"] {
            Value::Array(a) => a.clone(),
            Value::Null => Vec::new(),
            one => vec![one.clone()],
        };
        list.iter()
            .map(|l| (l["uri"].as_str().unwrap().to_string(), range(l)))
            .collect()
    };

    // `service: web` of the extends → base.yaml's `web`, not this file's nor db.yaml's.
    let r = c
        .request("textDocument/definition", at(&main_uri, 6, 16))
        .await;
    assert_eq!(locations(&r), [(base_uri.clone(), [1, 2, 1, 5])]);

    // From the included file (opened on its own, never analysed with the includer):
    // references of `db` reach compose.yaml's depends_on.
    c.open(&db_uri, "yaml", 1, db).await;
    c.diagnostics(&db_uri).await;
    let mut params = at(&db_uri, 1, 3);
    params["context"] = json!({"includeDeclaration": false});
    let r = c.request("textDocument/references", params).await;
    assert_eq!(locations(&r), [(main_uri.clone(), [7, 17, 7, 19])]);
    // db.yaml's own `web` is not compose.yaml's `web` (that one extends base.yaml's).
    let mut params = at(&db_uri, 3, 3);
    params["context"] = json!({"includeDeclaration": false});
    let r = c.request("textDocument/references", params).await;
    assert_eq!(locations(&r), []);

    // From the extended file: its `web` is referenced by the extends in compose.yaml, and
    // renaming it renames that reference only.
    c.open(&base_uri, "yaml", 1, base).await;
    c.diagnostics(&base_uri).await;
    let mut params = at(&base_uri, 1, 3);
    params["context"] = json!({"includeDeclaration": true});
    let r = c.request("textDocument/references", params).await;
    let found = locations(&r);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.contains(&(main_uri.clone(), [6, 15, 6, 18])));
    let mut params = at(&base_uri, 1, 3);
    params["newName"] = json!("frontend");
    let r = c.request("textDocument/rename", params).await;
    let changes = &r["result"]["changes"];
    assert_eq!(changes[&base_uri].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(changes[&main_uri].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(range(&changes[&main_uri][0]), [6, 15, 6, 18]);
    assert!(changes.get(&db_uri).is_none(), "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn every_request_kind_can_be_cancelled() {
    // Each request is followed at once by `$/cancelRequest` for it: the answer is its
    // result or the "request cancelled" error, never silence, and the server goes on.
    let mut c = start_with("utf-16").await;
    let big = generate::compose(2000);
    c.open(URI, "dockercompose", 1, &big).await;
    let at = json!({"textDocument": {"uri": URI}, "position": {"line": 12, "character": 10}});
    let kinds = [
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        ("textDocument/references", {
            let mut p = at.clone();
            p["context"] = json!({"includeDeclaration": true});
            p
        }),
        (
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        ),
        ("textDocument/prepareRename", at.clone()),
        ("textDocument/rename", {
            let mut p = at.clone();
            p["newName"] = json!("renamed");
            p
        }),
        ("textDocument/completion", at.clone()),
        (
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 12, "character": 0}, "end": {"line": 12, "character": 5}}, "context": {"diagnostics": []}}),
        ),
        (
            "workspace/executeCommand",
            json!({"command": "portside.unknown", "arguments": []}),
        ),
    ];
    // What each request may answer when it was not cancelled in time: the shape of its
    // result (a wrong shape, or any error but "cancelled", fails the test).
    let shape_ok = |method: &str, answer: &Value| -> bool {
        if answer["error"]["code"] == json!(-32800) {
            return true;
        }
        let r = &answer["result"];
        match method {
            "textDocument/hover" => r.is_null() || r["contents"].is_object(),
            "textDocument/definition" => r.is_null() || r.is_object() || r.is_array(),
            "textDocument/references"
            | "textDocument/documentSymbol"
            | "textDocument/codeAction" => r.is_null() || r.is_array(),
            "textDocument/prepareRename" => r.is_null() || r.is_object(),
            "textDocument/rename" => {
                r.is_null() || r["changes"].is_object() || r["documentChanges"].is_array()
            }
            "textDocument/completion" => r.is_null() || r.is_array() || r["items"].is_array(),
            // An unknown command is refused as invalid parameters when not cancelled.
            "workspace/executeCommand" => answer["error"]["code"] == json!(-32602),
            _ => false,
        }
    };
    for (n, (method, params)) in kinds.into_iter().enumerate() {
        let id = 1000 + n as i64;
        c.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        c.notify("$/cancelRequest", json!({"id": id})).await;
        let answer = loop {
            let msg = c.read().await.expect("the server is still there");
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                break msg;
            }
        };
        assert!(shape_ok(method, &answer), "{method}: {answer}");
    }
    // Still serving.
    let r = c.request("textDocument/hover", at).await;
    assert!(r.get("result").is_some(), "{r}");
}

#[tokio::test]
async fn pull_diagnostics_for_clients_that_pull_and_refresh() {
    let pull_caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    });
    // A client that pulls but cannot be told to pull again gets pushed diagnostics.
    let mut c = start();
    let r = c
        .initialize_with(json!({"textDocument": {"diagnostic": {}}}), Value::Null)
        .await;
    assert!(
        r["result"]["capabilities"]["diagnosticProvider"].is_null(),
        "{r}"
    );
    c.open(URI, "yaml", 1, BROKEN).await;
    assert_eq!(
        c.diagnostics(URI).await["diagnostics"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let dir = std::env::temp_dir().join(format!("portside-lsp-pull-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "services:\n  web:\n    networks: [edge]\n    ports: [\"127.0.0.1:8080:80\"]\n";
    let over = "networks:\n  edge: {}\n";
    std::fs::write(dir.join("compose.yaml"), base).unwrap();
    std::fs::write(dir.join("compose.override.yaml"), over).unwrap();
    let base_uri = format!("file://{}", dir.join("compose.yaml").display());
    let over_uri = format!("file://{}", dir.join("compose.override.yaml").display());

    let mut c = start();
    let r = c.initialize_with(pull_caps, Value::Null).await;
    assert_eq!(
        r["result"]["capabilities"]["diagnosticProvider"]["identifier"], "portside",
        "{r}"
    );
    c.open(URI, "yaml", 1, BROKEN).await;
    let pull = |uri: &str, previous: Option<&str>| json!({"textDocument": {"uri": uri}, "previousResultId": previous});
    // The pull waits for the analysis of the version just opened.
    let r = c.request("textDocument/diagnostic", pull(URI, None)).await;
    assert_eq!(r["result"]["kind"], "full", "{r}");
    assert_eq!(r["result"]["items"][0]["code"], "invalid-port-spec", "{r}");
    let id = r["result"]["resultId"].as_str().unwrap().to_string();
    let r = c
        .request("textDocument/diagnostic", pull(URI, Some(&id)))
        .await;
    assert_eq!(r["result"]["kind"], "unchanged", "{r}");
    // An edit: the next pull has the new version's (none).
    c.change(
        URI,
        2,
        json!([{"range": {"start": {"line": 3, "character": 9}, "end": {"line": 3, "character": 18}}, "text": "127.0.0.1"}]),
    )
    .await;
    let r = c
        .request("textDocument/diagnostic", pull(URI, Some(&id)))
        .await;
    assert_eq!(r["result"]["kind"], "full", "{r}");
    assert_eq!(r["result"]["items"], json!([]), "{r}");
    // Nothing was pushed.
    assert!(
        !c.notifications
            .iter()
            .any(|n| n["method"] == "textDocument/publishDiagnostics"),
        "{:?}",
        c.notifications
    );
    // A related file changes: the server asks the client to pull again, and the pull
    // has the new finding.
    c.open(&base_uri, "yaml", 1, base).await;
    let r = c
        .request("textDocument/diagnostic", pull(&base_uri, None))
        .await;
    assert_eq!(r["result"]["items"], json!([]), "{r}");
    c.open(&over_uri, "yaml", 1, over).await;
    c.change(&over_uri, 2, json!([{"text": "networks:\n  other: {}\n"}]))
        .await;
    // Pulled again until the new finding is there, within a deadline (each pull is
    // answered at once, so without one a missing refresh would spin forever).
    let deadline = tokio::time::Instant::now() + common::TIMEOUT;
    let refreshed = loop {
        let r = c
            .request("textDocument/diagnostic", pull(&base_uri, None))
            .await;
        if r["result"]["items"] != json!([]) {
            break r;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the pull never showed the related file's change: {r}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(refreshed["result"]["items"][0]["code"], "undefined-network");
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "workspace/diagnostic/refresh"),
        "{:?}",
        c.server_requests
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_document_with_thousands_of_findings_gets_the_first_2000_and_a_count() {
    let mut text = String::from("services:\n");
    for i in 0..2500 {
        text.push_str(&format!(
            "  s{i}:\n    image: redis\n    ports: [\"{}:6379\"]\n",
            10_000 + i
        ));
    }
    let mut c = start_with("utf-16").await;
    c.open(URI, "dockercompose", 1, &text).await;
    let d = c.diagnostics_for_version(URI, 1).await;
    let list = d["diagnostics"].as_array().unwrap();
    assert_eq!(list.len(), 2001);
    let last = list.last().unwrap();
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("first 2000 findings of this file; 500 more are not shown"),
        "{last}"
    );
}

/// While a line above the cursor is broken mid-typing, the last tree that parsed no longer
/// places anything below it: hover and definition say nothing rather than answer about
/// whatever token the old tree had at that line. Above the broken line they still answer.
#[tokio::test]
async fn broken_yaml_above_the_cursor_gets_no_answer_about_the_wrong_token() {
    let text = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    networks: [front]\n  api:\n    image: x\n    networks: [front]\nnetworks:\n  front: {}\n";
    let mut c = start_with("utf-16").await;
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let hover = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
    // Before the edit: line 3 is the port, line 4 web's network.
    let r = c.request("textDocument/hover", hover(3, 13)).await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("publishes `8080:80`")),
        "{r}"
    );
    // An unclosed flow sequence typed at line 1: everything moves down a line and the file
    // no longer parses.
    c.change(
        URI,
        2,
        json!([{"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "text": "  broken: [\n"}]),
    )
    .await;
    let d = c.diagnostics_for_version(URI, 2).await;
    assert_eq!(d["diagnostics"][0]["code"], "syntax-error", "{d}");
    // The port is at line 4 now; the old tree has web's `networks: [front]` there, and
    // api's at line 7, where the editor now shows `image: x`.
    let r = c.request("textDocument/hover", hover(4, 16)).await;
    assert_eq!(r["result"], Value::Null, "{r}");
    let r = c.request("textDocument/definition", hover(7, 16)).await;
    assert_eq!(r["result"], Value::Null, "{r}");
    let r = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert!(
        r["result"].as_array().is_some_and(|s| s.is_empty()),
        "every symbol is below the broken line: {r}"
    );
    // Broken below instead: above it, the answers are right.
    c.change(URI, 3, json!([{"text": format!("{text}  bad: [\n")}]))
        .await;
    c.diagnostics_for_version(URI, 3).await;
    let r = c.request("textDocument/hover", hover(3, 13)).await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("publishes `8080:80`")),
        "{r}"
    );
    let r = c.request("textDocument/definition", hover(4, 17)).await;
    assert_eq!(r["result"]["range"]["start"]["line"], 9, "{r}");
}

/// Waits until the server has no analysis scheduled or running, and returns its counters
/// (`analyses` run, diagnostics `sent`) through the debug-only command. Every publication
/// sent before is then in the stash: the command also logs a mark, which travels the
/// notifications' own channel behind them (the answer does not).
async fn stats(c: &mut TestClient) -> Value {
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.debug.stats", "arguments": []}),
        )
        .await;
    assert_eq!(r["result"]["idle"], true, "{r}");
    let mark = r["result"]["mark"].as_str().unwrap().to_string();
    loop {
        let log = c.notification("window/logMessage").await;
        if log["message"] == mark {
            break;
        }
    }
    r["result"].clone()
}

/// The `publishDiagnostics` of `uri` received so far (and taken from the stash), in order.
fn take_publishes(c: &mut TestClient, uri: &str) -> Vec<Value> {
    let (mine, rest): (Vec<Value>, Vec<Value>) = std::mem::take(&mut c.notifications)
        .into_iter()
        .partition(|n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
        });
    c.notifications = rest;
    mine.into_iter().map(|n| n["params"].clone()).collect()
}

/// Thirty edits sent without waiting: the analyses of outdated versions are debounced or
/// cancelled (far fewer analyses than edits), what is published never goes back in time,
/// and the last publication is the newest version's.
#[tokio::test]
async fn rapid_edits_publish_only_the_newest_version_with_far_fewer_analyses() {
    let mut c = start_with("utf-16").await;
    let uri = "file:///rapid/compose.yaml";
    c.open(uri, "dockercompose", 1, "services:\n  web:\n    ports: [\"")
        .await;
    c.diagnostics_for_version(uri, 1).await;
    let before = stats(&mut c).await;
    take_publishes(&mut c, uri);
    // Type `8080:99999"]` and a comment, one character per change, 30 changes.
    let typed = "8080:99999\"] # the api port!!!";
    assert_eq!(typed.chars().count(), 30);
    for (i, ch) in typed.chars().enumerate() {
        let col = 13 + i as u64;
        c.change(
            uri,
            2 + i as i64,
            json!([{"range": {"start": {"line": 2, "character": col}, "end": {"line": 2, "character": col}}, "text": ch.to_string()}]),
        )
        .await;
    }
    let last = 31;
    let after = stats(&mut c).await;
    let published = take_publishes(&mut c, uri);
    let versions: Vec<i64> = published
        .iter()
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions.last(), Some(&last), "{versions:?}");
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    let diags = published.last().unwrap()["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(range(&diags[0]), [2, 18, 2, 23]);
    let analyses = after["analyses"].as_u64().unwrap() - before["analyses"].as_u64().unwrap();
    eprintln!(
        "{analyses} analyses, {} publications for 30 edits",
        versions.len()
    );
    assert!(
        (1..=10).contains(&analyses),
        "{analyses} analyses for 30 edits"
    );
    assert!(versions.len() as u64 <= analyses, "{versions:?}");
}

/// Changes to a file another open document reads (its override partner) republish that
/// document once, however many arrive in a row: through the editor, or on disk.
#[tokio::test]
async fn a_related_files_changes_republish_the_dependent_once() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-once-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "services:\n  web:\n    networks: [edge]\n";
    let over = "networks:\n  edge: {}\n";
    std::fs::write(dir.join("compose.yaml"), base).unwrap();
    std::fs::write(dir.join("compose.override.yaml"), over).unwrap();
    let base_uri = format!("file://{}", dir.join("compose.yaml").display());
    let over_uri = format!("file://{}", dir.join("compose.override.yaml").display());

    let mut c = start_with("utf-16").await;
    c.open(&base_uri, "yaml", 1, base).await;
    c.diagnostics(&base_uri).await;
    c.open(&over_uri, "yaml", 1, over).await;
    c.diagnostics(&over_uri).await;
    stats(&mut c).await;
    take_publishes(&mut c, &base_uri);
    take_publishes(&mut c, &over_uri);

    // Five unsaved edits of the override file in a row; the last drops `edge`.
    for v in 2..=6 {
        let text = if v == 6 {
            "networks:\n  other: {}\n".to_string()
        } else {
            format!("networks:\n  edge: {{}}\n# {v}\n")
        };
        c.change(&over_uri, v, json!([{ "text": text }])).await;
    }
    stats(&mut c).await;
    let republished = take_publishes(&mut c, &base_uri);
    assert_eq!(republished.len(), 1, "{republished:?}");
    assert_eq!(
        republished[0]["diagnostics"][0]["code"], "undefined-network",
        "{republished:?}"
    );
    assert_eq!(
        take_publishes(&mut c, &over_uri).last().unwrap()["version"],
        6
    );

    // Two disk changes of files it read, in one notification: one republish.
    let changed = json!({"changes": [
        {"uri": over_uri, "type": 2},
        {"uri": format!("file://{}", dir.join(".env").display()), "type": 1},
        {"uri": over_uri, "type": 2},
    ]});
    c.notify("workspace/didChangeWatchedFiles", changed).await;
    stats(&mut c).await;
    assert_eq!(take_publishes(&mut c, &base_uri).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A FIFO that answers every reader with an empty file: a thread opens it for writing
/// (blocking until a reader opens it) and closes it, again and again, until it is removed.
/// Until `release`, readers block, like a read from a dead network mount.
#[cfg(target_os = "linux")]
struct Fifo(std::path::PathBuf);

#[cfg(target_os = "linux")]
impl Fifo {
    fn new(path: std::path::PathBuf) -> Self {
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        Fifo(path)
    }

    fn release(&self) {
        let path = self.0.clone();
        std::thread::spawn(move || {
            while std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        });
    }
}

#[cfg(target_os = "linux")]
impl Drop for Fifo {
    fn drop(&mut self) {
        // Whatever happened, no reader stays blocked (the runtime waits for them).
        self.release();
    }
}

/// A FIFO named like a Compose file (read by the includer scan of a YAML file with another
/// name, and as the override partner of an analysed file) stalls nothing: the workspace
/// cache reads regular files only, and every read runs on the worker pool anyway. Another
/// document is opened, analysed and hovered, and the file beside the FIFO is analysed
/// without it, before anyone writes to the FIFO.
// Two worker threads: were a read to block the serving task, the client's timeout would
// still fire (and fail the test) instead of the whole test hanging.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_read_does_not_delay_a_hover_on_another_document() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-fifo-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("scan")).unwrap();
    std::fs::create_dir_all(dir.join("override")).unwrap();
    std::fs::create_dir_all(dir.join("other")).unwrap();
    // `scan/extra.yaml` is not named like a Compose file: didOpen asks whether a Compose
    // file in its folder names it, and `scan/compose.yaml` is a FIFO.
    let scan_fifo = Fifo::new(dir.join("scan/compose.yaml"));
    let extra = "services:\n  db:\n    image: postgres\n";
    std::fs::write(dir.join("scan/extra.yaml"), extra).unwrap();
    // `override/compose.yaml` is analysed with its override partner, a FIFO.
    let over_fifo = Fifo::new(dir.join("override/compose.override.yaml"));
    let stuck = "services:\n  web:\n    ports: [\"localhost:8080:80\"]\n";
    std::fs::write(dir.join("override/compose.yaml"), stuck).unwrap();
    let other = "services:\n  api:\n    ports: [\"8080:80\"]\n";
    std::fs::write(dir.join("other/compose.yaml"), other).unwrap();
    let uri = |p: &str| format!("file://{}", dir.join(p).display());

    let mut c = start_with("utf-16").await;
    c.open(&uri("scan/extra.yaml"), "yaml", 1, extra).await;
    c.open(&uri("override/compose.yaml"), "yaml", 1, stuck)
        .await;
    c.open(&uri("other/compose.yaml"), "yaml", 1, other).await;
    c.diagnostics(&uri("other/compose.yaml")).await;
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri("other/compose.yaml")}, "position": {"line": 2, "character": 14}}),
        )
        .await;
    assert!(
        r["result"]["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("publishes `8080:80`")),
        "{r}"
    );
    // The file beside the FIFO is analysed without waiting for it.
    let d = c.diagnostics(&uri("override/compose.yaml")).await;
    assert_eq!(d["diagnostics"][0]["code"], "invalid-port-spec", "{d}");
    stats(&mut c).await;
    drop((scan_fifo, over_fifo));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A pull sent right after a change waits for that version's analysis (woken when it ends)
/// and returns its report, not the previous version's.
#[tokio::test]
async fn a_pull_right_after_a_change_returns_that_versions_report() {
    let pull_caps = json!({
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"diagnostics": {"refreshSupport": true}}
    });
    let mut c = start();
    c.initialize_with(pull_caps, Value::Null).await;
    let uri = "file:///pull-now/compose.yaml";
    let pull = json!({"textDocument": {"uri": uri}});
    c.open(uri, "yaml", 1, BROKEN).await;
    let r = c.request("textDocument/diagnostic", pull.clone()).await;
    assert_eq!(r["result"]["items"][0]["code"], "invalid-port-spec", "{r}");
    for v in 2..=6 {
        // Even versions fix the host IP, odd ones break it again.
        let text = if v % 2 == 0 {
            BROKEN.replace("localhost", "127.0.0.1")
        } else {
            BROKEN.to_string()
        };
        c.change(uri, v, json!([{ "text": text }])).await;
        let r = c.request("textDocument/diagnostic", pull.clone()).await;
        let items = r["result"]["items"].as_array().unwrap();
        assert_eq!(items.is_empty(), v % 2 == 0, "version {v}: {r}");
    }
    // Nothing was pushed to a pulling client.
    assert!(take_publishes(&mut c, uri).is_empty());
}

#[tokio::test]
async fn an_unsaved_portside_toml_turns_a_rule_off_for_the_compose_file() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-toml-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = "services:\n  web:\n    image: nginx\n    ports: [\"8080\"]\n";
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let toml_uri = format!("file://{}", dir.join("portside.toml").display());
    let codes = |d: &Value| -> Vec<String> {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut c = start_with("utf-16").await;
    c.open(&uri, "yaml", 1, text).await;
    let d = c.diagnostics(&uri).await;
    assert!(
        codes(&d).contains(&"container-port-only".to_string()),
        "{d}"
    );
    // A portside.toml that exists only in the editor (never saved) turns the rule off.
    c.open(
        &toml_uri,
        "toml",
        1,
        "[rules]\ncontainer-port-only = \"off\"\n",
    )
    .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&uri))
            .await
            .expect("the Compose file's diagnostics follow portside.toml");
        if !codes(&d).contains(&"container-port-only".to_string()) {
            break;
        }
    }
    // An unsaved edit of it turns the rule back on.
    c.change(
        &toml_uri,
        2,
        json!([{"text": "[rules]\ncontainer-port-only = \"on\"\n"}]),
    )
    .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&uri))
            .await
            .expect("the Compose file's diagnostics follow portside.toml");
        if codes(&d).contains(&"container-port-only".to_string()) {
            break;
        }
    }
    // Closed without saving: the disk has none, the rule stays on.
    assert!(!dir.join("portside.toml").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An open `.env` counts with its unsaved text: the Compose file beside it interpolates with
/// it, and each edit of it re-analyses the Compose file.
#[tokio::test]
async fn an_unsaved_env_file_sets_the_compose_files_variables() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-env-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text =
        "services:\n  web:\n    image: nginx\n    ports: [\"${PORTSIDE_LSP_ENV_PORT}:80\"]\n";
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let env_uri = format!("file://{}", dir.join(".env").display());
    let unset = |d: &Value| {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "port-var-unset")
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut c = start_with("utf-16").await;
    c.open(&uri, "yaml", 1, text).await;
    let d = c.diagnostics(&uri).await;
    assert!(unset(&d), "{d}");
    // A .env that exists only in the editor sets the variable.
    c.open(&env_uri, "dotenv", 1, "PORTSIDE_LSP_ENV_PORT=8080\n")
        .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&uri))
            .await
            .expect("the Compose file's diagnostics follow .env");
        if !unset(&d) {
            break;
        }
    }
    // An unsaved edit that removes it: unset again.
    c.change(&env_uri, 2, json!([{"text": "OTHER=1\n"}])).await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&uri))
            .await
            .expect("the Compose file's diagnostics follow .env");
        if unset(&d) {
            break;
        }
    }
    assert!(!dir.join(".env").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The live line ("not checked yet", or the cached verdicts) belongs to port mappings: the
/// hover says it is one (`Hovered::port_mapping`), the server does not read the Markdown.
#[tokio::test]
async fn only_port_hovers_carry_the_live_line() {
    let text = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    networks: [front]\nnetworks:\n  front: {}\n";
    let mut c = start_with("utf-16").await;
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let hover = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
    let r = c.request("textDocument/hover", hover(3, 13)).await;
    let port = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(port.contains("publishes `8080:80`"), "{r}");
    assert!(port.contains("Live: not checked yet"), "{port}");
    let r = c.request("textDocument/hover", hover(4, 17)).await;
    let network = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(network.contains("front"), "{r}");
    assert!(!network.contains("Live:"), "{network}");
}

#[tokio::test]
async fn compose_keys_complete_explain_and_typos_get_a_rename() {
    let mut c = start_with("utf-16").await;
    let text = "services:\n  web:\n    image: nginx\n    port:\n      - \"8080:80\"\n    depends_on:\n      db:\n        condition: service_started\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      \n  db:\n    image: postgres\n";
    c.open(URI, "yaml", 1, text).await;
    let d = c.diagnostics(URI).await;
    let typo = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "compose-unknown-key")
        .unwrap_or_else(|| panic!("{d}"))
        .clone();
    assert_eq!(range(&typo), [3, 4, 3, 8]);
    assert_eq!(typo["severity"], 1);
    // The quick fix renames the key.
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": typo["range"], "context": {"diagnostics": [typo], "only": ["quickfix"]}}),
        )
        .await;
    let fix = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Rename to \"ports\"")
        .unwrap_or_else(|| panic!("{r}"))
        .clone();
    assert_eq!(fix["edit"]["changes"][URI][0]["newText"], "ports");
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
    // Completion on the blank line under `healthcheck:`: its keys, not the service's, and not
    // `test`, which is written.
    let r = c.request("textDocument/completion", at(10, 6)).await;
    let items = r["result"].as_array().unwrap_or_else(|| panic!("{r}"));
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(
        labels.contains(&"interval") && labels.contains(&"retries"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"test") && !labels.contains(&"image"),
        "{labels:?}"
    );
    let interval = items.iter().find(|i| i["label"] == "interval").unwrap();
    assert_eq!(interval["detail"], "takes a duration such as `30s`");
    assert!(
        interval["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("https://docs.docker.com/reference/compose-file/services/#healthcheck")
    );
    // The allowed values of `condition`.
    let r = c.request("textDocument/completion", at(7, 19)).await;
    let labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "service_started",
            "service_healthy",
            "service_completed_successfully"
        ]
    );
    // Hover on a key: what it is and its reference.
    let r = c.request("textDocument/hover", at(8, 6)).await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**`healthcheck`** (service key)"),
        "{value}"
    );
    assert!(value.contains("services/#healthcheck"), "{value}");
}

/// How many lines a Markdown hover takes in a window 100 columns wide, as rendered (no
/// `**` or backticks, a link as its text; long lines wrap; a blank line counts as one).
fn screen_lines(markdown: &str) -> usize {
    markdown
        .lines()
        .map(|l| {
            let mut shown = l.replace("**", "").replace('`', "");
            while let (Some(open), Some(mid)) = (shown.find('['), shown.find("](")) {
                let Some(close) = shown[mid..].find(')').map(|c| mid + c) else {
                    break;
                };
                if open > mid {
                    break;
                }
                shown = format!(
                    "{}{}{}",
                    &shown[..open],
                    &shown[open + 1..mid],
                    &shown[close + 1..]
                );
            }
            shown.trim_end().chars().count().div_ceil(100).max(1)
        })
        .sum()
}

/// The hover of every port entry of a Compose file (from disk, so `.env`, Dockerfiles and
/// the other files count), each with its position.
async fn port_hovers(c: &mut TestClient, path: &std::path::Path) -> Vec<(u32, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let uri = format!("file://{}", path.display());
    c.open(&uri, "dockercompose", 1, &text).await;
    c.diagnostics_for_version(&uri, 1).await;
    let mut out = Vec::new();
    let mut in_ports = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("ports:") {
            in_ports = true;
            continue;
        }
        if in_ports && t.starts_with("- ") {
            let col = line.len() - t.len() + 3;
            let r = c
                .request(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": {"line": n, "character": col}}),
                )
                .await;
            if let Some(v) = r["result"]["contents"]["value"].as_str() {
                out.push((n as u32, v.to_string()));
            }
        } else if !t.starts_with('#')
            && !t.starts_with("target")
            && !t.starts_with("published")
            && !t.starts_with("host_ip")
            && !t.starts_with("protocol")
        {
            in_ports = false;
        }
    }
    out
}

/// A port hover fits one screen: 15 lines at 100 columns, on the bundled examples and on a
/// busy port (variables from `.env`, several findings, a rule's documentation), and a finding
/// is named once.
#[tokio::test]
async fn port_hovers_fit_fifteen_lines_at_a_hundred_columns() {
    let mut c = start_with("utf-16").await;
    let mut hovers = Vec::new();
    for example in ["broken", "clean"] {
        let path = common::examples_dir().join(example).join("compose.yaml");
        hovers.extend(port_hovers(&mut c, &path).await);
    }
    let dir = std::env::temp_dir().join(format!("portside-busy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), "REDIS_PORT=6379\nBIND=0.0.0.0\n").unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  cache:\n    image: redis:7\n    command: redis-server --bind 127.0.0.1 --port ${REDIS_PORT}\n    ports:\n      - \"${BIND}:${REDIS_PORT}:${REDIS_PORT}\"\n      - \"localhost:6380:6379\"\n      - target: 6379\n        published: 6381\n        host_ip: ${BIND}\n        app_protocol: redis\n        mode: host\n",
    )
    .unwrap();
    let busy = port_hovers(&mut c, &dir.join("compose.yaml")).await;
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(busy.len(), 3, "{busy:#?}");
    hovers.extend(busy);
    assert!(hovers.len() >= 10, "{hovers:#?}");
    for (line, h) in &hovers {
        eprintln!("--- line {line}: {} screen lines\n{h}", screen_lines(h));
        assert!(
            screen_lines(h) <= 15,
            "line {line}: {} lines\n{h}",
            screen_lines(h)
        );
        assert!(!h.contains("\n# "), "no H1 in a hover: {h}");
        // Each finding once.
        let mut seen = std::collections::HashSet::new();
        for l in h.lines().filter(|l| l.starts_with('⚠')) {
            assert!(seen.insert(l), "a finding twice at line {line}:\n{h}");
        }
    }
}

/// Applies LSP text edits (ASCII text: characters are bytes) to `text`, last first.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + character
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, t) in edits {
        out.replace_range(a..b, t);
    }
    out
}

async fn actions_at(c: &mut TestClient, uri: &str, line: u32, character: u32) -> Vec<Value> {
    let at = json!({"line": line, "character": character});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
        )
        .await;
    r["result"].as_array().cloned().unwrap_or_default()
}

fn codes_of(d: &Value) -> Vec<String> {
    d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Ctrl+. on a port entry (short or long syntax) lists its live check with a kind that VS
/// Code's quick-fix menu shows, next to the source actions of the service and project.
#[tokio::test]
async fn a_port_entry_offers_its_live_check_under_quick_fix() {
    let mut c = start_with("utf-16").await;
    let text = "services:\n  web:\n    image: nginx\n    ports:\n      - \"127.0.0.1:8080:80\"\n      - target: 5432\n        published: 5433\n        host_ip: 127.0.0.1\n      - \"9000\"\n";
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let actions = actions_at(&mut c, URI, 4, 12).await;
    let port: Vec<&Value> = actions
        .iter()
        .filter(|a| a["kind"] == "quickfix.portside.live")
        .collect();
    assert_eq!(port.len(), 1, "{actions:#?}");
    assert_eq!(port[0]["title"], "Check reachability of \"web\" port 8080");
    assert_eq!(port[0]["command"]["command"], "portside.probe");
    let args = &port[0]["command"]["arguments"][0];
    assert_eq!(args["service"], "web");
    assert_eq!(args["offset"], text.find("\"127.0.0.1").unwrap());
    assert!(
        actions.iter().any(|a| a["kind"] == "source.portside.live"),
        "the source actions stay: {actions:#?}"
    );
    // The long syntax, anywhere in the entry; an ephemeral host port.
    let long = actions_at(&mut c, URI, 6, 12).await;
    assert!(
        long.iter()
            .any(|a| a["title"] == "Check reachability of \"web\" port 5433"),
        "{long:#?}"
    );
    let ephemeral = actions_at(&mut c, URI, 8, 10).await;
    assert!(
        ephemeral
            .iter()
            .any(|a| a["title"] == "Check reachability of \"web\" container port 9000"),
        "{ephemeral:#?}"
    );
    // A client asking for quick fixes only still gets it; not on the image line.
    let at = json!({"line": 4, "character": 12});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": at, "end": at}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
        )
        .await;
    let kinds: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quickfix.portside.live"], "{r:#}");
    let image = actions_at(&mut c, URI, 2, 8).await;
    assert!(
        !image.iter().any(|a| a["kind"] == "quickfix.portside.live"),
        "{image:#?}"
    );
}

/// A CodeLens above each service that publishes ports and above its own `ports:` key (not
/// one a merge key brings), running the service's live check.
#[tokio::test]
async fn code_lenses_above_services_that_publish_ports() {
    let mut c = start();
    let r = c
        .initialize_with(
            json!({"workspace": {"codeLens": {"refreshSupport": true}}}),
            Value::Null,
        )
        .await;
    assert_eq!(
        r["result"]["capabilities"]["codeLensProvider"]["resolveProvider"],
        false
    );
    let text = "x-base: &base\n  ports: [\"9000:9000\"]\nservices:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n  db:\n    image: postgres\n    expose: [\"5432\"]\n  merged:\n    <<: *base\n    image: busybox\n  bad:\n    ports: [\"localhost:1:2\"]\n";
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let r = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    let lenses = r["result"].as_array().unwrap();
    let at: Vec<(u64, &str)> = lenses
        .iter()
        .map(|l| {
            (
                l["range"]["start"]["line"].as_u64().unwrap(),
                l["command"]["arguments"][0]["service"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(at, [(3, "web"), (5, "web"), (10, "merged")], "{r:#}");
    for l in lenses {
        assert_eq!(l["command"]["title"], "Check reachability", "{l:#}");
        assert_eq!(l["command"]["command"], "portside.probe");
        assert_eq!(l["command"]["arguments"][0]["uri"], URI);
    }
    // A Dockerfile has none; live checks turned off take them away.
    c.open(
        "file:///project/Dockerfile",
        "dockerfile",
        1,
        "FROM nginx\nEXPOSE 80\n",
    )
    .await;
    let r = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": "file:///project/Dockerfile"}}),
        )
        .await;
    assert!(r["result"].is_null() || r["result"] == json!([]), "{r:#}");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"portside": {"live": {"enabled": false}}}}),
    )
    .await;
    let r = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert!(r["result"].is_null() || r["result"] == json!([]), "{r:#}");
    // The client was asked to fetch them again when they went (seen by the next answer).
    stats(&mut c).await;
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "workspace/codeLens/refresh"),
        "{:?}",
        c.server_requests
    );
}

/// A Markdown command link in the port hover only for a client that says it runs them.
#[tokio::test]
async fn the_port_hover_links_the_live_check_where_the_client_runs_links() {
    let text = "services:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n";
    let hover = json!({"textDocument": {"uri": URI}, "position": {"line": 3, "character": 14}});
    let mut c = start();
    c.initialize_with(
        json!({"experimental": {"portside": {"commandLinks": true}}}),
        Value::Null,
    )
    .await;
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let r = c.request("textDocument/hover", hover.clone()).await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    let link = "[Check reachability](command:portside.probe?";
    let at = value.find(link).unwrap_or_else(|| panic!("{value}"));
    let encoded = &value[at + link.len()..value[at..].find(')').unwrap() + at];
    let mut json = String::new();
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            json.push(u8::from_str_radix(&encoded[i + 1..i + 3], 16).unwrap() as char);
            i += 3;
        } else {
            json.push(bytes[i] as char);
            i += 1;
        }
    }
    let args: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        args,
        json!([{"uri": URI, "service": "web", "offset": text.find("\"8080").unwrap()}])
    );
    // Without the capability: words, no link.
    let mut c = start_with("utf-16").await;
    c.open(URI, "dockercompose", 1, text).await;
    c.diagnostics_for_version(URI, 1).await;
    let r = c.request("textDocument/hover", hover).await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(!value.contains("command:"), "{value}");
    assert!(
        value.contains("code action \"Check reachability\""),
        "{value}"
    );
}

/// "Ignore RULE on this line", "… in this file" and "Turn RULE off in portside.toml" (a new
/// file in the workspace folder, then an edit of it): applying each makes the finding go.
#[tokio::test]
async fn suppression_actions_make_the_finding_go() {
    let dir = std::env::temp_dir().join(format!("portside-ignore-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("compose.yaml");
    let text = "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080\"\n      - \"localhost:7000:70\"\n    command: |\n      nginx -g 'daemon off;'\n";
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    let folder = format!("file://{}", dir.display());
    let mut c = start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": folder, "workspaceFolders": [{"uri": folder, "name": "p"}],
               "capabilities": {"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}}}),
    )
    .await;
    c.notify("initialized", json!({})).await;
    c.open(&uri, "dockercompose", 1, text).await;
    let d = c.diagnostics_for_version(&uri, 1).await;
    assert!(
        codes_of(&d).contains(&"container-port-only".to_string()),
        "{d:#}"
    );
    let actions = actions_at(&mut c, &uri, 4, 10).await;
    let find = |title: &str| {
        actions
            .iter()
            .find(|a| a["title"] == title)
            .unwrap_or_else(|| panic!("no {title:?} in {actions:#?}"))
            .clone()
    };
    for a in &actions {
        if a["kind"] == "quickfix.portside.ignore" {
            assert_eq!(a["diagnostics"][0]["code"], "container-port-only", "{a:#}");
        }
    }
    // On this line.
    let line = find("Ignore container-port-only on this line");
    let edited = apply_edits(text, line["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        edited.contains("- \"8080\"  # portside-ignore: container-port-only\n"),
        "{edited}"
    );
    c.change(&uri, 2, json!([{"text": edited}])).await;
    let d = c.diagnostics_for_version(&uri, 2).await;
    assert!(
        !codes_of(&d).contains(&"container-port-only".to_string()),
        "{d:#}"
    );
    // In this file.
    c.change(&uri, 3, json!([{"text": text}])).await;
    c.diagnostics_for_version(&uri, 3).await;
    let actions = actions_at(&mut c, &uri, 4, 10).await;
    let file = actions
        .iter()
        .find(|a| a["title"] == "Ignore container-port-only in this file")
        .unwrap();
    let edited = apply_edits(text, file["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        edited.starts_with("# portside-ignore-file: container-port-only\n"),
        "{edited}"
    );
    c.change(&uri, 4, json!([{"text": edited}])).await;
    let d = c.diagnostics_for_version(&uri, 4).await;
    assert!(
        !codes_of(&d).contains(&"container-port-only".to_string()),
        "{d:#}"
    );
    // In portside.toml: none exists, so a new one in the workspace folder.
    c.change(&uri, 5, json!([{"text": text}])).await;
    c.diagnostics_for_version(&uri, 5).await;
    let actions = actions_at(&mut c, &uri, 4, 10).await;
    let toml = actions
        .iter()
        .find(|a| a["title"] == "Turn container-port-only off in portside.toml")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let ops = toml["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create", "{toml:#}");
    let config_uri = format!("file://{}", dir.join("portside.toml").display());
    assert_eq!(ops[0]["uri"], config_uri);
    let config = apply_edits("", ops[1]["edits"].as_array().unwrap());
    assert_eq!(config, "[rules]\ncontainer-port-only = \"off\"\n");
    std::fs::write(dir.join("portside.toml"), &config).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": config_uri, "type": 1}]}),
    )
    .await;
    let d = c.diagnostics(&uri).await;
    assert!(
        !codes_of(&d).contains(&"container-port-only".to_string()),
        "{d:#}"
    );
    // With portside.toml there, the action edits it: another rule off beside the first.
    let actions = actions_at(&mut c, &uri, 5, 10).await;
    let off = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Turn ") && t.ends_with(" off in portside.toml"))
        })
        .map(|a| a["edit"]["changes"][&config_uri].clone());
    let edits = off.unwrap_or_else(|| panic!("{actions:#?}"));
    let after = apply_edits(&config, edits.as_array().unwrap());
    assert!(
        after.starts_with("[rules]\ncontainer-port-only = \"off\"\n"),
        "{after}"
    );
    assert_eq!(after.matches("\"off\"").count(), 2, "{after}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fake Docker daemon on a unix socket (no Docker needed): the version handshake, then
/// `answer(method and path)` for the rest (`None`: 404). Returns the socket's path.
fn fake_daemon(
    name: &str,
    answer: impl Fn(&str) -> Option<String> + Send + 'static,
) -> std::path::PathBuf {
    use std::io::{Read, Write};
    let path = std::env::temp_dir().join(format!(
        "portside-lsp-fake-{name}-{}.sock",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let first = String::from_utf8_lossy(&request)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let (status, headers, body) = if first.contains("/_ping") {
                ("200 OK", "Api-Version: 1.41\r\n", "OK".to_string())
            } else if first.contains("/version") {
                ("200 OK", "", r#"{"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"}"#.to_string())
            } else {
                match answer(&first) {
                    Some(body) => ("200 OK", "", body),
                    None => (
                        "404 Not Found",
                        "",
                        r#"{"message":"page not found"}"#.to_string(),
                    ),
                }
            };
            let _ = s.write_all(
                format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    path
}

/// A live-check session against `socket`, with CodeLens refresh, on `text` saved in a
/// temporary folder; returns the client and the document's URI.
async fn live_session(socket: &std::path::Path, name: &str, text: &str) -> (TestClient, String) {
    let dir = std::env::temp_dir().join(format!("portside-lsp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("compose.yaml");
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    let mut c = start();
    c.initialize_with(
        json!({"workspace": {"codeLens": {"refreshSupport": true}}}),
        json!({"live": {"endpoint": format!("unix://{}", socket.display())}}),
    )
    .await;
    c.open(&uri, "dockercompose", 1, text).await;
    c.diagnostics_for_version(&uri, 1).await;
    (c, uri)
}

async fn lens_titles(c: &mut TestClient, uri: &str) -> Vec<String> {
    let r = c
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": uri}}),
        )
        .await;
    r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap().to_string())
        .collect()
}

/// A project with no container: said once, as information; no error per port; the CodeLens
/// says it was not running.
#[tokio::test]
async fn a_project_that_is_not_running_is_said_once_not_an_error_per_port() {
    let socket = fake_daemon("stopped", |request| {
        request
            .contains("/containers/json")
            .then(|| "[]".to_string())
    });
    let text = "name: shop\nservices:\n  web:\n    image: nginx\n    ports: [\"127.0.0.1:18080:80\", \"127.0.0.1:18443:443\"]\n  api:\n    image: nginx\n    ports: [\"127.0.0.1:13000:3000\"]\n";
    let (mut c, uri) = live_session(&socket, "stopped", text).await;
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": uri}]}),
        )
        .await;
    assert_eq!(r["result"]["running"], false, "{r:#}");
    assert_eq!(r["result"]["results"].as_array().unwrap().len(), 3, "{r:#}");
    let message = c.notification("window/showMessage").await;
    assert_eq!(message["type"], 3, "information: {message}");
    let words = message["message"].as_str().unwrap();
    assert!(words.contains("project \"shop\" is not running"), "{words}");
    assert!(words.contains("\"docker compose up -d\""), "{words}");
    assert!(!words.contains('`'), "plain text: {words}");
    let d = c.diagnostics_for_version(&uri, 1).await;
    assert!(
        !d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["source"] == "portside-live"),
        "no diagnostic per port: {d:#}"
    );
    let titles = lens_titles(&mut c, &uri).await;
    assert_eq!(titles.len(), 4, "{titles:?}");
    assert!(titles[0].starts_with("○ 2 not running · "), "{titles:?}");
    assert!(titles[2].starts_with("○ 1 not running · "), "{titles:?}");
    assert!(
        c.server_requests
            .iter()
            .any(|r| r["method"] == "workspace/codeLens/refresh"),
        "{:?}",
        c.server_requests
    );
    let _ = std::fs::remove_file(&socket);
}

/// A running project with one port that answers and one refused: an error only where the
/// probe saw the connection fail, a hint where it answers, and the CodeLens sums it up.
#[tokio::test]
async fn verdicts_show_in_the_code_lens_and_only_a_failure_is_an_error() {
    // One port answers (a listener that keeps its connections), one is refused.
    let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = open.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in open.incoming().flatten() {
            held.push(s);
        }
    });
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let idle_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let socket = fake_daemon("running", move |request| {
        if request.contains("/containers/json") {
            return Some(format!(
                r#"[{{"Id":"c1","Names":["/shop-web-1"],"State":"running","Status":"Up 2 minutes","Labels":{{"com.docker.compose.project":"shop","com.docker.compose.service":"web"}},"Ports":[{{"PrivatePort":80,"PublicPort":{open_port},"Type":"tcp","IP":"127.0.0.1"}},{{"PrivatePort":81,"PublicPort":{closed_port},"Type":"tcp","IP":"127.0.0.1"}}]}}]"#
            ));
        }
        if request.contains("/containers/c1/json") {
            return Some(format!(
                r#"{{"Id":"c1","Name":"/shop-web-1","State":{{"Status":"running","Running":true}},"NetworkSettings":{{"Ports":{{"80/tcp":[{{"HostIp":"127.0.0.1","HostPort":"{open_port}"}}],"81/tcp":[{{"HostIp":"127.0.0.1","HostPort":"{closed_port}"}}]}}}}}}"#
            ));
        }
        None
    });
    let text = format!(
        "name: shop\nservices:\n  web:\n    image: nginx\n    ports:\n      - \"127.0.0.1:{open_port}:80\"\n      - \"127.0.0.1:{closed_port}:81\"\n  worker:\n    image: nginx\n    ports: [\"127.0.0.1:{idle_port}:82\"]\n"
    );
    let (mut c, uri) = live_session(&socket, "running", &text).await;
    assert_eq!(lens_titles(&mut c, &uri).await, ["Check reachability"; 4]);
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": uri, "service": "web"}]}),
        )
        .await;
    let steps: Vec<&str> = r["result"]["results"]
        .as_array()
        .unwrap_or_else(|| panic!("{r:#}"))
        .iter()
        .map(|v| v["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["answer", "connect"], "{r:#}");
    assert_eq!(r["result"]["running"], true);
    let d = c.diagnostics_for_version(&uri, 1).await;
    let live: Vec<(u64, u64)> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["source"] == "portside-live")
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["severity"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(live, [(5, 4), (6, 1)], "a hint, then an error: {d:#}");
    let titles = lens_titles(&mut c, &uri).await;
    assert_eq!(titles.len(), 4);
    for t in &titles[..2] {
        assert!(t.starts_with("✓ 1 answer · ✗ 1 refused · "), "{t}");
        assert!(t.ends_with(" s ago"), "{t}");
    }
    assert_eq!(titles[2..], ["Check reachability"; 2]);
    let r = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 6, "character": 12}}),
        )
        .await;
    let value = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains(&format!("host port {closed_port}): ✗ refused at `connect`")),
        "{value}"
    );
    assert!(screen_lines(value) <= 15, "{value}");
    // A service with no container while the project runs: information on its port, and
    // the project is not called "not running".
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.probe", "arguments": [{"uri": uri, "service": "worker"}]}),
        )
        .await;
    assert_eq!(r["result"]["running"], true, "{r:#}");
    assert_eq!(r["result"]["results"][0]["step"], "container", "{r:#}");
    let message = loop {
        let m = c.notification("window/showMessage").await;
        if m["message"].as_str().unwrap().contains("0 of 1") {
            break m;
        }
    };
    assert!(
        !message["message"].as_str().unwrap().contains("not running"),
        "{message}"
    );
    let d = c.diagnostics_for_version(&uri, 1).await;
    let worker = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["source"] == "portside-live" && d["range"]["start"]["line"] == 9)
        .unwrap_or_else(|| panic!("{d:#}"))
        .clone();
    assert_eq!(worker["severity"], 3, "{worker:#}");
    let _ = std::fs::remove_file(&socket);
}

/// CodeLenses and code actions (the live check of the entry, the suppressions) on every
/// damaged prefix of a real file: always an answer, never an error.
#[tokio::test]
async fn code_lenses_and_actions_answer_on_damaged_text() {
    let text = std::fs::read_to_string(common::examples_dir().join("broken/compose.yaml")).unwrap();
    let mut c = start_with("utf-16").await;
    c.open(URI, "dockercompose", 1, &text).await;
    let mut version = 1;
    let cuts: Vec<usize> = (0..text.len())
        .step_by(23)
        .filter(|&i| text.is_char_boundary(i))
        .collect();
    for (cut, broken) in cuts.iter().flat_map(|&c| [(c, true), (c, false)]) {
        version += 1;
        // A broken insertion, or the file cut short (which often still parses).
        let damaged = if broken {
            format!("{}\n  \"[{{:\n{}", &text[..cut], &text[cut..])
        } else {
            text[..cut].to_string()
        };
        c.change(URI, version, json!([{"text": damaged}])).await;
        c.diagnostics_for_version(URI, version).await;
        let r = c
            .request(
                "textDocument/codeLens",
                json!({"textDocument": {"uri": URI}}),
            )
            .await;
        assert!(r.get("error").is_none(), "cut {cut}: {r}");
        for line in [0u32, 8, 9, 10, 27, 45, 46, 200] {
            let at = json!({"line": line, "character": 9});
            let r = c
                .request(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": URI}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
                )
                .await;
            assert!(r.get("error").is_none(), "cut {cut}, line {line}: {r}");
        }
    }
}

/// `portside.showMap` answers the network map of an open Compose document (its unsaved
/// text) as SVG and Mermaid, with the refused connection red, and the SVG's clickable
/// elements with their ranges; it is advertised, and a document that does not parse or is
/// not Compose gets an error, not a map.
#[tokio::test]
async fn show_map_answers_svg_and_mermaid_of_the_open_text() {
    let mut c = start();
    let r = c.initialize(&[]).await;
    let commands = &r["result"]["capabilities"]["executeCommandProvider"]["commands"];
    assert!(
        commands
            .as_array()
            .is_some_and(|l| l.contains(&json!("portside.showMap"))),
        "{r}"
    );
    let text = "services:\n  api:\n    image: node:22\n    command: [\"node\", \"server.js\"]\n    environment:\n      DB: postgres://u:p@localhost:5432/app\n  db:\n    image: postgres:16\n    ports:\n      - \"127.0.0.1:5432:5432\"\n";
    c.open(URI, "yaml", 1, text).await;
    let ask = json!({"command": "portside.showMap", "arguments": [{"uri": URI}]});
    let r = c.request("workspace/executeCommand", ask.clone()).await;
    let svg = r["result"]["svg"].as_str().unwrap_or_default();
    let mermaid = r["result"]["mermaid"].as_str().unwrap_or_default();
    assert!(svg.starts_with("<?xml") && svg.contains("</svg>"), "{r}");
    assert!(svg.contains("<title>localhost-between-containers"), "{svg}");
    assert!(mermaid.starts_with("flowchart LR\n"), "{r}");
    assert!(mermaid.contains("127.0.0.1:5432 → 5432/tcp"), "{mermaid}");
    assert!(mermaid.contains("linkStyle"), "{mermaid}");
    // Each clickable element of the SVG with its place in the text, for jump-to-YAML.
    let elements = r["result"]["elements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let element = |id: &str| {
        elements
            .iter()
            .find(|e| e["id"] == json!(id))
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {r}"))
    };
    for e in &elements {
        let id = e["id"].as_str().unwrap_or_default();
        assert!(
            svg.contains(&format!("data-portside=\"{id}\"")),
            "{id}: {svg}"
        );
    }
    let db = element("s1");
    assert_eq!(db["label"], json!("service db"), "{db}");
    assert_eq!(
        db["range"]["start"],
        json!({"line": 6, "character": 2}),
        "{db}"
    );
    assert_eq!(db["range"]["end"]["line"], json!(9), "{db}");
    let port = element("p0");
    assert_eq!(
        port["range"],
        json!({"start": {"line": 9, "character": 8}, "end": {"line": 9, "character": 29}}),
        "{port}"
    );
    assert!(
        elements
            .iter()
            .any(|e| e["label"] == json!("api → localhost:5432")
                && e["range"]["start"]["line"] == json!(5)),
        "{r}"
    );

    c.change(URI, 2, json!([{"text": "services:\n  api: [\n"}]))
        .await;
    let r = c.request("workspace/executeCommand", ask).await;
    assert_eq!(r["error"]["code"], json!(-32602), "{r}");
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.showMap", "arguments": [{}]}),
        )
        .await;
    assert_eq!(r["error"]["code"], json!(-32602), "{r}");
}

/// `portside.showMap` with `"live": true` asks the daemon of the session's `live.endpoint`:
/// when none answers there, the map comes unpainted with `live_error` saying why; with live
/// checks off (an untrusted workspace) it is refused.
#[tokio::test]
async fn show_map_live_follows_the_live_settings() {
    let mut c = start();
    c.initialize_with(
        json!({}),
        json!({"live": {"endpoint": "unix:///nonexistent/portside-map.sock"}}),
    )
    .await;
    let text = "services:\n  web:\n    image: nginx\n    ports:\n      - \"127.0.0.1:8080:80\"\n";
    c.open(URI, "yaml", 1, text).await;
    let ask = json!({"command": "portside.showMap", "arguments": [{"uri": URI, "live": true}]});
    let r = c.request("workspace/executeCommand", ask.clone()).await;
    assert!(
        r["result"]["live_error"]
            .as_str()
            .is_some_and(|e| e.contains("/nonexistent/portside-map.sock")),
        "{r}"
    );
    let svg = r["result"]["svg"].as_str().unwrap_or_default();
    assert!(
        svg.contains("</svg>") && !svg.contains("data-live"),
        "{svg}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"portside": {"live": {"enabled": false}}}}),
    )
    .await;
    let r = c.request("workspace/executeCommand", ask).await;
    assert_eq!(r["error"]["code"], json!(-32602), "{r}");
    assert!(
        r["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("live checks are turned off")),
        "{r}"
    );
}

/// A client that expands snippets gets each key with a snippet for its value's shape: a
/// block list, a block mapping, a choice of allowed values, or the value after the colon.
#[tokio::test]
async fn key_completion_writes_a_snippet_for_the_value_shape() {
    let mut c = start();
    c.initialize_with(
        json!({"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}),
        Value::Null,
    )
    .await;
    let text = "services:\n  web:\n    image: nginx\n    \n    depends_on:\n      db:\n        \n  db:\n    image: postgres\n";
    c.open(URI, "yaml", 1, text).await;
    c.diagnostics(URI).await;
    let items = |r: &Value| -> Vec<(String, String, u64)> {
        r["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["label"].as_str().unwrap().to_string(),
                    i["insertText"].as_str().unwrap_or_default().to_string(),
                    i["insertTextFormat"].as_u64().unwrap_or(1),
                )
            })
            .collect()
    };
    let at = |line: u32, character: u32| json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
    let service = items(&c.request("textDocument/completion", at(3, 4)).await);
    let get = |label: &str| {
        service
            .iter()
            .find(|(l, _, _)| l == label)
            .unwrap_or_else(|| panic!("{label} in {service:?}"))
            .clone()
    };
    assert_eq!(get("ports"), ("ports".into(), "ports:\n  - $0".into(), 2));
    assert_eq!(
        get("healthcheck"),
        ("healthcheck".into(), "healthcheck:\n  $0".into(), 2)
    );
    assert_eq!(
        get("container_name"),
        ("container_name".into(), "container_name: $0".into(), 2)
    );
    assert!(
        !service
            .iter()
            .any(|(l, _, _)| l == "image" || l == "depends_on")
    );
    let entry = items(&c.request("textDocument/completion", at(6, 8)).await);
    let condition = entry.iter().find(|(l, _, _)| l == "condition").unwrap();
    assert_eq!(
        condition.1,
        "condition: ${1|service_started,service_healthy,service_completed_successfully|}"
    );
}

/// `portside.showMap` draws the whole project: the services of an included file are on the
/// map, and their elements name that file's URI and their range in it.
#[tokio::test]
async fn show_map_draws_included_files_with_their_uri() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-map-include-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("db")).unwrap();
    let main = "include:\n  - db/compose.yaml\nservices:\n  api:\n    image: node:22\n    environment:\n      DATABASE_URL: postgres://db:5432/app\n";
    let db = "services:\n  db:\n    image: postgres:16\n";
    std::fs::write(dir.join("compose.yaml"), main).unwrap();
    std::fs::write(dir.join("db/compose.yaml"), db).unwrap();
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let db_uri = format!("file://{}", dir.join("db/compose.yaml").display());
    let mut c = start_with("utf-16").await;
    c.open(&uri, "yaml", 1, main).await;
    let r = c
        .request(
            "workspace/executeCommand",
            json!({"command": "portside.showMap", "arguments": [{"uri": uri}]}),
        )
        .await;
    let mermaid = r["result"]["mermaid"].as_str().unwrap_or_default();
    assert!(mermaid.contains("db<br/>postgres:16"), "{mermaid}");
    let elements = r["result"]["elements"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let db_element = elements
        .iter()
        .find(|e| e["label"] == json!("service db"))
        .unwrap_or_else(|| panic!("no db in {r}"));
    assert_eq!(db_element["uri"], json!(db_uri), "{db_element}");
    assert_eq!(
        db_element["range"]["start"],
        json!({"line": 1, "character": 2}),
        "{db_element}"
    );
    let api = elements
        .iter()
        .find(|e| e["label"] == json!("service api"))
        .unwrap_or_else(|| panic!("no api in {r}"));
    assert!(api.get("uri").is_none(), "{api}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A config file that a service mounts is a document too: the findings that point into it
/// are published on its URI (with the mount as related information), and an unsaved edit
/// of it re-analyses the Compose file that mounts it.
#[tokio::test]
async fn findings_in_a_mounted_config_file_follow_its_edits() {
    let dir = std::env::temp_dir().join(format!("portside-lsp-mounted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = "services:\n  cache:\n    image: redis:7\n    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n    volumes:\n      - ./redis.conf:/usr/local/etc/redis/redis.conf:ro\n  worker:\n    image: python:3.12\n    environment:\n      REDIS_URL: redis://cache:6379/0\n";
    let conf = "# cache settings\nbind 127.0.0.1\nmaxmemory 256mb\n";
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    std::fs::write(dir.join("redis.conf"), conf).unwrap();
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let conf_uri = format!("file://{}", dir.join("redis.conf").display());
    let loopback = |d: &Value| -> Vec<Value> {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "app-listens-on-loopback")
            .cloned()
            .collect()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut c = start_with("utf-16").await;
    c.open(&uri, "yaml", 1, text).await;
    let d = c.diagnostics(&uri).await;
    assert_eq!(loopback(&d).len(), 1, "{d}");
    // The same finding on redis.conf's URI, at the bind address, pointing back at the mount.
    let d = tokio::time::timeout(
        deadline.saturating_duration_since(std::time::Instant::now()),
        c.diagnostics(&conf_uri),
    )
    .await
    .expect("the config file gets its diagnostics");
    let found = loopback(&d);
    assert_eq!(found.len(), 1, "{d}");
    assert_eq!(range(&found[0]), [1, 5, 1, 14], "{d}");
    let related = &found[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str(), "{d}");
    assert_eq!(related["location"]["range"]["start"]["line"], 5, "{d}");
    // Fixed on disk, and the editor says so: gone; broken again on disk: back.
    std::fs::write(dir.join("redis.conf"), "bind 0.0.0.0\n").unwrap();
    let changed = json!({"changes": [{"uri": conf_uri, "type": 2}]});
    c.notify("workspace/didChangeWatchedFiles", changed.clone())
        .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&conf_uri))
            .await
            .expect("the config file's diagnostics follow the disk");
        if loopback(&d).is_empty() {
            break;
        }
    }
    std::fs::write(dir.join("redis.conf"), conf).unwrap();
    c.notify("workspace/didChangeWatchedFiles", changed).await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&conf_uri))
            .await
            .expect("the config file's diagnostics follow the disk");
        if loopback(&d).len() == 1 {
            break;
        }
    }
    // Opened in the editor and edited without saving: gone from both files.
    c.open(&conf_uri, "plaintext", 1, conf).await;
    c.change(
        &conf_uri,
        2,
        json!([{"text": "# cache settings\nbind 0.0.0.0\nmaxmemory 256mb\n"}]),
    )
    .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&conf_uri))
            .await
            .expect("the config file's diagnostics follow its edits");
        if loopback(&d).is_empty() {
            break;
        }
    }
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&uri))
            .await
            .expect("the Compose file's diagnostics follow the config file");
        if loopback(&d).is_empty() {
            break;
        }
    }
    // Back to loopback: the finding returns on the config file, at its new place.
    c.change(
        &conf_uri,
        3,
        json!([{"text": "# cache\n\nbind 127.0.0.1 -::1\n"}]),
    )
    .await;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let d = tokio::time::timeout(left, c.diagnostics(&conf_uri))
            .await
            .expect("the config file's diagnostics follow its edits");
        if let [f] = &loopback(&d)[..] {
            assert_eq!(range(f), [2, 5, 2, 14], "{d}");
            break;
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A client that pulls diagnostics gets those of an open mounted config file from its pull
/// too (what the Compose files that mount it found there), at once.
#[tokio::test]
async fn a_pulled_mounted_config_answers_what_the_compose_file_found() {
    let dir =
        std::env::temp_dir().join(format!("portside-lsp-pull-mounted-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = "services:\n  cache:\n    image: redis:7\n    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n    volumes:\n      - ./redis.conf:/usr/local/etc/redis/redis.conf:ro\n    ports: [\"6379:6379\"]\n";
    let conf = "bind 127.0.0.1\n";
    std::fs::write(dir.join("compose.yaml"), text).unwrap();
    std::fs::write(dir.join("redis.conf"), conf).unwrap();
    let uri = format!("file://{}", dir.join("compose.yaml").display());
    let conf_uri = format!("file://{}", dir.join("redis.conf").display());
    let mut c = start();
    c.initialize_with(
        json!({
            "textDocument": {"diagnostic": {"dynamicRegistration": false}},
            "workspace": {"diagnostics": {"refreshSupport": true}}
        }),
        Value::Null,
    )
    .await;
    let pull = |uri: &str| json!({"textDocument": {"uri": uri}});
    c.open(&uri, "yaml", 1, text).await;
    let r = c.request("textDocument/diagnostic", pull(&uri)).await;
    assert_eq!(r["result"]["items"].as_array().unwrap().len(), 1, "{r}");
    c.open(&conf_uri, "plaintext", 1, conf).await;
    let r = c.request("textDocument/diagnostic", pull(&conf_uri)).await;
    let items = r["result"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{r}");
    assert_eq!(items[0]["code"], "app-listens-on-loopback", "{r}");
    assert_eq!(range(&items[0]), [0, 5, 0, 14], "{r}");
    std::fs::remove_dir_all(&dir).unwrap();
}
