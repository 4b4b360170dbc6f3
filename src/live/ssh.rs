//! `ssh://` endpoints, reached the way the docker CLI reaches them: `ssh [user@]host docker
//! system dial-stdio` relays the remote daemon's socket over the ssh child's stdin and
//! stdout, and each request is one HTTP/1 connection over that relay (bollard's custom
//! transport). The system `ssh` is used, so the user's `~/.ssh/config`, agent and known
//! hosts apply; portside adds `BatchMode` (an editor cannot answer a prompt), a connect
//! timeout and connection sharing (`ControlMaster`), and the options in
//! `PORTSIDE_SSH_OPTIONS` (for example `-i key -o UserKnownHostsFile=file`).

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper_util::rt::TokioIo;

/// `ssh://[user@]host[:port]` → the ssh destination and port.
pub fn destination(host: &str) -> Option<(String, Option<u16>)> {
    let rest = host.strip_prefix("ssh://")?;
    let rest = rest.split('/').next().unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    // `user@host:port`, `host:port`, `[::1]:port`.
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let (name, port) = match hostport.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6.split_once(']')?;
            (addr.to_string(), after.strip_prefix(':'))
        }
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (hostport.to_string(), None),
        },
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    if name.is_empty() {
        return None;
    }
    let dest = match user {
        Some(u) => format!("{u}@{name}"),
        None => name,
    };
    Some((dest, port))
}

/// The `ssh` command line for one relay to the daemon behind `destination`.
pub fn command(destination: &str, port: Option<u16>, timeout: u64) -> Vec<String> {
    let control = std::env::temp_dir().join("portside-ssh-%C");
    let mut args: Vec<String> = [
        "-o",
        "BatchMode=yes",
        "-o",
        &format!("ConnectTimeout={timeout}"),
        "-o",
        "ControlMaster=auto",
        "-o",
        &format!("ControlPath={}", control.display()),
        "-o",
        "ControlPersist=60",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(p) = port {
        args.extend(["-p".to_string(), p.to_string()]);
    }
    if let Ok(extra) = std::env::var("PORTSIDE_SSH_OPTIONS") {
        args.extend(extra.split_whitespace().map(str::to_string));
    }
    args.extend(
        ["--", destination, "docker", "system", "dial-stdio"]
            .iter()
            .map(|s| s.to_string()),
    );
    args
}

/// The last line ssh printed on stderr (`ssh: connect to host … port 22: Connection
/// refused`, `Permission denied (publickey)`), waited for briefly.
async fn ssh_said(stderr: Option<tokio::process::ChildStderr>) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut stderr = stderr?;
    let mut text = String::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        stderr.read_to_string(&mut text),
    )
    .await;
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(|l| format!("ssh: {}", l.trim_start_matches("ssh: ")))
}

/// A bollard client for `ssh://…`.
pub fn connect(
    host: &str,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let Some((dest, port)) = destination(host) else {
        return Err(bollard::errors::Error::IOError {
            err: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{host}` is not an ssh://[user@]host[:port] address"),
            ),
        });
    };
    let args = command(&dest, port, timeout);
    let transport = move |mut request: BollardRequest| {
        let args = args.clone();
        async move {
            let mut child = tokio::process::Command::new("ssh")
                .args(&args)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .map_err(|err| bollard::errors::Error::IOError { err })?;
            let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
                return Err(bollard::errors::Error::IOError {
                    err: std::io::Error::other("ssh has no stdin or stdout"),
                });
            };
            let stderr = child.stderr.take();
            let io = TokioIo::new(tokio::io::join(stdout, stdin));
            let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
            // The relay ends with the connection (ssh exits when its stdin closes); exec
            // attaches upgrade it and keep it.
            tokio::spawn(async move {
                let _ = connection.with_upgrades().await;
                let _ = child.wait().await;
            });
            // Origin-form, as over the unix socket.
            let target = request
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            *request.uri_mut() = target
                .parse()
                .map_err(|_| bollard::errors::Error::IOError {
                    err: std::io::Error::other("bad request path"),
                })?;
            request.headers_mut().insert(
                hyper::header::HOST,
                hyper::header::HeaderValue::from_static("docker"),
            );
            match sender.send_request(request).await {
                Ok(response) => Ok(response),
                // When ssh itself failed, its own words say why.
                Err(err) => match ssh_said(stderr).await {
                    Some(said) => Err(bollard::errors::Error::IOError {
                        err: std::io::Error::other(said),
                    }),
                    None => Err(err.into()),
                },
            }
        }
    };
    Docker::connect_with_custom_transport(transport, Some(host), timeout, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_addresses() {
        assert_eq!(
            destination("ssh://me@build.example:2222"),
            Some(("me@build.example".into(), Some(2222)))
        );
        assert_eq!(
            destination("ssh://build.example"),
            Some(("build.example".into(), None))
        );
        assert_eq!(
            destination("ssh://root@[::1]:22"),
            Some(("root@::1".into(), Some(22)))
        );
        assert_eq!(destination("ssh://"), None);
        assert_eq!(destination("ssh://host:port"), None);
        let args = command("me@h", Some(2222), 5);
        assert!(args.contains(&"BatchMode=yes".to_string()));
        assert_eq!(
            args[args.len() - 5..],
            ["--", "me@h", "docker", "system", "dial-stdio"]
        );
    }
}
