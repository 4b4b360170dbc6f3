//! A guard in front of tower-lsp-server's reader: its framed stream ends for good at the
//! first frame it cannot decode, and the server with it (one malformed message from any
//! client or proxy would take every open document's diagnostics down). This reads the
//! frames itself and passes on only those whose body is a JSON object; a body that is not
//! is logged and dropped. A broken header cannot be skipped safely, so the reader looks for
//! the next `Content-Length:` line.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Frames larger than this are refused (and skipped) rather than buffered.
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// Copies well-formed frames from `input` to `output` until `input` ends.
pub async fn filter<I, O>(input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        // Headers: lines up to an empty one; only Content-Length matters.
        let mut length: Option<usize> = None;
        let mut header_bad = false;
        loop {
            line.clear();
            match reader.read_line(&mut line).await {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) => {
                    // Not UTF-8 or an I/O error: skip to the next line.
                    tracing::warn!("unreadable header line dropped: {e}");
                    header_bad = true;
                    continue;
                }
            }
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                if length.is_some() || header_bad {
                    break;
                }
                continue;
            }
            match l.split_once(':') {
                Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                    length = value.trim().parse().ok();
                    header_bad |= length.is_none();
                }
                Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
                _ => {
                    tracing::warn!("malformed header line dropped: {l:?}");
                    header_bad = true;
                }
            }
        }
        let Some(length) = length.filter(|&n| n <= MAX_FRAME) else {
            tracing::warn!("a frame without a usable Content-Length was dropped");
            continue;
        };
        body.clear();
        body.resize(length, 0);
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let object = body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{');
        if !object || serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() {
            tracing::warn!(
                "a frame whose body is not a JSON object was dropped ({} bytes)",
                body.len()
            );
            continue;
        }
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(header.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
        // A whole-file didOpen can be megabytes: do not keep that much around.
        if body.capacity() > 1 << 20 {
            body = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_json_object_frames_pass_and_garbage_headers_resync() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{\"a\":Content-Length: 9\r\n\r\n[1, 2, 3]garbage line\r\n\r\nContent-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{good}",
            good.len()
        );
        let mut out = Vec::new();
        filter(input.as_bytes(), &mut out).await;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("Content-Length: {}\r\n\r\n{good}", good.len())
        );
    }
}
