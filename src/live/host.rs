//! The machine portside runs on, as the probe uses it, behind [`Host`]: a TCP connect to a
//! published port (which binds nothing) and reads of `/proc`. Tests give a fake that says
//! "answers", "refused", "reset" or "times out".

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long a TCP connect to a published port may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// After connecting: an app waits for the request; a connection closed within this time
/// means nothing in the container took it (docker-proxy accepts on the app's behalf).
pub const READ_WINDOW: Duration = Duration::from_millis(300);

/// What a TCP connect to a published port found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    /// It took the connection (in this time) and kept it open (waiting for a request) or
    /// answered.
    Open(Duration),
    /// Accepted, then closed at once: docker-proxy found nothing behind it.
    Closed,
    Refused,
    Timeout,
    Other(String),
}

pub trait Host: Sync {
    /// Connects to `addr` ([`CONNECT_TIMEOUT`]), then waits [`READ_WINDOW`] for it to close.
    fn connect(&self, addr: SocketAddr) -> impl Future<Output = Connect> + Send;
    /// A file of this machine (`/proc/<pid>/net/tcp`, a sysctl), when it can be read.
    fn read(&self, path: &str) -> Option<String>;
}

/// This machine.
pub struct ThisHost;

impl Host for ThisHost {
    async fn connect(&self, addr: SocketAddr) -> Connect {
        use tokio::io::AsyncReadExt;
        let started = Instant::now();
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect(addr)).await {
            Err(_) => Connect::Timeout,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Connect::Refused,
            Ok(Err(e)) => Connect::Other(e.to_string()),
            Ok(Ok(mut stream)) => {
                let took = started.elapsed();
                let mut buf = [0u8; 64];
                match tokio::time::timeout(READ_WINDOW, stream.read(&mut buf)).await {
                    Err(_) => Connect::Open(took),
                    Ok(Ok(0)) => Connect::Closed,
                    Ok(Ok(_)) => Connect::Open(took),
                    Ok(Err(_)) => Connect::Closed,
                }
            }
        }
    }

    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }
}
