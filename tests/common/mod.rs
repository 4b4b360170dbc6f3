//! A minimal LSP client for tests: JSON-RPC frames over any async byte streams, so the
//! same code drives the in-process server and the real binary over stdio.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client<R, W> {
    reader: BufReader<R>,
    writer: W,
    next_id: i64,
    /// Notifications that arrived while waiting for something else.
    pub notifications: Vec<Value>,
    /// What to answer to `workspace/configuration` (each item gets this value).
    pub configuration: Option<Value>,
    /// Requests the server sent to the client, in order.
    pub server_requests: Vec<Value>,
    /// Server request methods to answer with an error instead of null.
    pub refuse: Vec<&'static str>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Client<R, W> {
    pub fn new(reader: R, writer: W) -> Self {
        Self {
            reader: BufReader::new(reader),
            writer,
            next_id: 1,
            notifications: Vec::new(),
            configuration: None,
            server_requests: Vec::new(),
            refuse: Vec::new(),
        }
    }

    pub async fn send(&mut self, msg: &Value) {
        self.send_raw(&serde_json::to_vec(msg).unwrap()).await;
    }

    pub async fn send_raw(&mut self, body: &[u8]) {
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.writer.write_all(header.as_bytes()).await.unwrap();
        self.writer.write_all(body).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    /// Sends a request and returns the whole response (with `result` or `error`).
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        loop {
            let msg = self.read().await.expect("server closed the stream");
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.stash(msg).await;
        }
    }

    /// Reads one message; `None` at end of stream.
    pub async fn read(&mut self) -> Option<Value> {
        tokio::time::timeout(TIMEOUT, self.read_inner())
            .await
            .expect("timed out waiting for the server")
    }

    async fn read_inner(&mut self) -> Option<Value> {
        let mut length = None;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).await.ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = Some(v.parse::<usize>().unwrap());
            }
        }
        let mut body = vec![0; length.expect("Content-Length")];
        self.reader.read_exact(&mut body).await.ok()?;
        Some(serde_json::from_slice(&body).unwrap())
    }

    /// Keeps a notification; answers server-to-client requests with `null`.
    async fn stash(&mut self, msg: Value) {
        if msg.get("id").is_some() && msg.get("method").is_some() {
            self.server_requests.push(msg.clone());
            let id = msg["id"].clone();
            if let Some(m) = msg["method"].as_str()
                && self.refuse.contains(&m)
            {
                self.send(&json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "refused by the test client"}}))
                    .await;
                return;
            }
            let result = match (&self.configuration, msg["method"].as_str()) {
                (Some(config), Some("workspace/configuration")) => {
                    let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                    Value::Array(vec![config.clone(); n])
                }
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
                .await;
        } else {
            self.notifications.push(msg);
        }
    }

    /// Waits for `publishDiagnostics` of `uri` (stashed or new) and returns its params.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            if let Some(i) = self.notifications.iter().position(|n| {
                n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
            }) {
                return self.notifications.remove(i)["params"].clone();
            }
            let msg = self.read().await.expect("server closed the stream");
            self.stash(msg).await;
        }
    }

    /// Waits for the diagnostics of `uri` at `version`, skipping older publications.
    pub async fn diagnostics_for_version(&mut self, uri: &str, version: i64) -> Value {
        loop {
            let d = self.diagnostics(uri).await;
            if d["version"].as_i64() == Some(version) {
                return d;
            }
            assert!(
                d["version"].as_i64().unwrap_or(i64::MIN) < version,
                "got a newer version than expected: {d}"
            );
        }
    }

    pub async fn initialize(&mut self, encodings: &[&str]) -> Value {
        let caps = if encodings.is_empty() {
            json!({})
        } else {
            json!({"general": {"positionEncodings": encodings}})
        };
        self.initialize_with(caps, Value::Null).await
    }

    /// `initialize` with explicit capabilities and initialization options.
    pub async fn initialize_with(&mut self, capabilities: Value, options: Value) -> Value {
        let resp = self
            .request(
                "initialize",
                json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": options}),
            )
            .await;
        self.notify("initialized", json!({})).await;
        resp
    }

    /// Waits for a notification with this method (stashed or new) and returns its params.
    pub async fn notification(&mut self, method: &str) -> Value {
        loop {
            if let Some(i) = self
                .notifications
                .iter()
                .position(|n| n["method"] == method)
            {
                return self.notifications.remove(i)["params"].clone();
            }
            let msg = self.read().await.expect("server closed the stream");
            self.stash(msg).await;
        }
    }

    pub async fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        )
        .await;
    }
}

/// A range as `[start line, start char, end line, end char]`.
pub fn range(d: &Value) -> [u64; 4] {
    let r = &d["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

pub fn examples_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Runs the pytest suite in `dir` (under the repository) with the server as PORTSIDE_BIN and
/// `env`, prints its report, and asserts it passed with `expect` ("15 passed") in it.
pub fn pytest(pytest: &std::ffi::OsStr, dir: &str, env: &[(&str, &std::ffi::OsStr)], expect: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = std::process::Command::new(pytest)
        .args(["-q", "-p", "no:cacheprovider"])
        .arg(root.join(dir))
        .env("PORTSIDE_BIN", env!("CARGO_BIN_EXE_portside"))
        .envs(env.iter().copied())
        .current_dir(root)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    eprintln!("{out}");
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains(expect), "{out}");
}

/// Fails a test whose prerequisite (a daemon, an editor, a tool) is missing, loudly: such a
/// test is `#[ignore = "needs ..."]`, so it runs only when asked for (`cargo test --
/// --include-ignored`, as `.ci/run` does), and then a missing prerequisite is a failure,
/// never a quiet pass. `what` says what is missing, `how` how to get it.
#[track_caller]
pub fn missing(what: &str, how: &str) -> ! {
    panic!(
        "\n!!! MISSING PREREQUISITE: {what}.\n!!! {how}\n!!! (`bash .ci/run` installs every prerequisite and runs every test.)\n"
    )
}
