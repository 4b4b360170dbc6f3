//! The daemon calls portside makes, behind [`Engine`], so that the probe's step logic runs
//! against a fake in tests. The one implementation that talks to Docker is the one for
//! bollard's [`Docker`]. Every call reads, except [`Engine::exec_read`], the documented
//! exception: an exec of `cat /proc/net/tcp /proc/net/tcp6` in a running container.

use std::future::Future;
use std::time::Duration;

use bollard::Docker;
use bollard::errors::Error;
use bollard::models::{ContainerInspectResponse, ContainerSummary, SystemInfo};

use super::{CALL_TIMEOUT, LiveError, describe};

/// The daemon, as the probe asks it. Callers put [`Engine::call_timeout`] around each call.
pub trait Engine: Sync {
    /// How long one call may take before the probe gives up on it.
    fn call_timeout(&self) -> Duration {
        CALL_TIMEOUT
    }
    /// The containers (all states) of Compose project `project` (by its label), or, for
    /// `None`, every running container of the daemon.
    fn containers(
        &self,
        project: Option<&str>,
    ) -> impl Future<Output = Result<Vec<ContainerSummary>, Error>> + Send;
    /// One container, in full.
    fn inspect(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<ContainerInspectResponse, Error>> + Send;
    /// Whether the network called `name` can be inspected (a 404 when it does not exist).
    fn network(&self, name: &str) -> impl Future<Output = Result<(), Error>> + Send;
    /// What the daemon says about itself (swarm, security options).
    fn info(&self) -> impl Future<Output = Result<SystemInfo, Error>> + Send;
    /// The standard output of `cat /proc/net/tcp /proc/net/tcp6` run in the running
    /// container `id`: the only exec portside makes.
    fn exec_read(&self, id: &str) -> impl Future<Output = Result<String, Error>> + Send;
}

/// The command [`Engine::exec_read`] runs: it reads two files and changes nothing.
pub const PROC_NET_CAT: [&str; 3] = ["cat", "/proc/net/tcp", "/proc/net/tcp6"];

impl Engine for Docker {
    async fn containers(&self, project: Option<&str>) -> Result<Vec<ContainerSummary>, Error> {
        let Some(project) = project else {
            return self.list_containers(None).await;
        };
        let mut filters = std::collections::HashMap::new();
        filters.insert(
            "label".to_string(),
            vec![format!("com.docker.compose.project={project}")],
        );
        let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        self.list_containers(Some(options)).await
    }

    async fn inspect(&self, id: &str) -> Result<ContainerInspectResponse, Error> {
        self.inspect_container(id, None).await
    }

    async fn network(&self, name: &str) -> Result<(), Error> {
        self.inspect_network(name, None).await.map(|_| ())
    }

    async fn info(&self) -> Result<SystemInfo, Error> {
        Docker::info(self).await
    }

    async fn exec_read(&self, id: &str) -> Result<String, Error> {
        use futures_util::StreamExt;
        let config = bollard::models::ExecConfig {
            cmd: Some(PROC_NET_CAT.iter().map(|s| s.to_string()).collect()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = self.create_exec(id, config).await?;
        let mut text = String::new();
        if let bollard::exec::StartExecResults::Attached { mut output, .. } =
            self.start_exec(&exec.id, None).await?
        {
            while let Some(chunk) = output.next().await {
                if let Ok(bollard::container::LogOutput::StdOut { message }) = chunk {
                    text.push_str(&String::from_utf8_lossy(&message));
                }
            }
        }
        Ok(text)
    }
}

/// Whether the daemon runs rootless (`SecurityOptions` has `name=rootless`): published ports
/// below 1024 then fail, and traffic arrives from the rootless network stack.
pub async fn rootless(engine: &impl Engine) -> Option<bool> {
    let info = tokio::time::timeout(engine.call_timeout(), engine.info())
        .await
        .ok()?
        .ok()?;
    Some(
        info.security_options
            .unwrap_or_default()
            .iter()
            .any(|o| o.contains("name=rootless")),
    )
}

/// The platform `docker info` shows, when it shows one:
///
/// - Docker Desktop when `OperatingSystem` is "Docker Desktop", a label names
///   `com.docker.desktop.address` (Desktop's CLI socket), the daemon's `Name` is
///   "docker-desktop" (Desktop's VM) or the kernel is a LinuxKit one (`6.10.0-linuxkit`);
///   these are the values `docker info` and `uname -a` print on Docker Desktop for Mac and
///   Windows in the docker/for-mac and docker/for-win issue reports (for example
///   docker/for-mac#7108, #7402) and in Testcontainers' connection logs. A WSL 2 kernel
///   (`-microsoft-standard-WSL2`) alone is not Desktop's: Docker Engine installed in a WSL
///   distribution runs on it too, and behaves as on Linux.
/// - Docker Engine when the daemon runs Linux containers and none of that holds, unless the
///   daemon is Podman (`podman` in the endpoint's socket path or its `ServerVersion`) or
///   another VM product that runs Docker its own way (OrbStack, Rancher Desktop: their
///   `OperatingSystem` names them), which stay unknown.
/// - Unknown otherwise (Windows containers, an answer without these fields).
pub fn platform_of(info: &SystemInfo, endpoint_host: &str) -> Option<crate::config::Platform> {
    use crate::config::Platform;
    let os = info.operating_system.as_deref().unwrap_or_default();
    let desktop = os == "Docker Desktop"
        || info.name.as_deref() == Some("docker-desktop")
        || info
            .labels
            .iter()
            .flatten()
            .any(|l| l.starts_with("com.docker.desktop.address="))
        || info
            .kernel_version
            .as_deref()
            .is_some_and(|k| k.ends_with("-linuxkit"));
    if desktop {
        return Some(Platform::DockerDesktop);
    }
    let lower = os.to_ascii_lowercase();
    let other_vm = ["orbstack", "rancher desktop"]
        .iter()
        .any(|v| lower.contains(v));
    let podman = endpoint_host.contains("podman")
        || info
            .server_version
            .as_deref()
            .is_some_and(|v| v.to_ascii_lowercase().contains("podman"));
    (info.os_type.as_deref() == Some("linux") && !os.is_empty() && !other_vm && !podman)
        .then_some(Platform::Engine)
}

/// The platform of the daemon at `endpoint_host`, from `docker info` ([`platform_of`]);
/// `None` when it does not answer in time or does not say.
pub async fn platform(
    engine: &impl Engine,
    endpoint_host: &str,
) -> Option<crate::config::Platform> {
    let info = tokio::time::timeout(engine.call_timeout(), engine.info())
        .await
        .ok()?
        .ok()?;
    platform_of(&info, endpoint_host)
}

/// What the daemon says about itself.
#[derive(Debug, Clone)]
pub struct DaemonVersion {
    pub engine: String,
    pub api: String,
    pub min_api: String,
    pub os: String,
    /// The API version portside negotiated.
    pub negotiated: String,
}

pub async fn version(docker: &Docker) -> Result<DaemonVersion, LiveError> {
    let v = tokio::time::timeout(CALL_TIMEOUT, docker.version())
        .await
        .map_err(|_| LiveError("the Docker daemon did not answer `version` in time".into()))?
        .map_err(|e| LiveError(describe("report its version", &e)))?;
    let unknown = || "unknown".to_string();
    let negotiated = docker.client_version();
    Ok(DaemonVersion {
        engine: v.version.unwrap_or_else(unknown),
        api: v.api_version.unwrap_or_else(unknown),
        min_api: v.min_api_version.unwrap_or_else(unknown),
        os: v.os.unwrap_or_else(unknown),
        negotiated: format!("{}.{}", negotiated.major_version, negotiated.minor_version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Platform;

    fn info(os: &str, name: &str, kernel: &str) -> SystemInfo {
        SystemInfo {
            operating_system: Some(os.into()),
            name: Some(name.into()),
            kernel_version: Some(kernel.into()),
            os_type: Some("linux".into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_platform_from_docker_info() {
        let sock = "unix:///var/run/docker.sock";
        // Docker Desktop for Mac, as `docker info` prints it.
        assert_eq!(
            platform_of(
                &info("Docker Desktop", "docker-desktop", "6.10.0-linuxkit"),
                sock
            ),
            Some(Platform::DockerDesktop)
        );
        // Any one of the signs is enough.
        assert_eq!(
            platform_of(&info("", "", "6.5.11-linuxkit"), sock),
            Some(Platform::DockerDesktop)
        );
        let mut labelled = info("Ubuntu", "x", "6.1.0");
        labelled.labels = Some(vec![
            "com.docker.desktop.address=unix:///Users/u/Library/Containers/com.docker.docker/Data/docker-cli.sock".into(),
        ]);
        assert_eq!(platform_of(&labelled, sock), Some(Platform::DockerDesktop));
        // Docker Engine on Debian, and in a WSL distribution.
        assert_eq!(
            platform_of(
                &info("Debian GNU/Linux 13 (trixie)", "build-1", "6.12.48-amd64"),
                sock
            ),
            Some(Platform::Engine)
        );
        assert_eq!(
            platform_of(
                &info(
                    "Ubuntu 24.04.1 LTS",
                    "laptop",
                    "5.15.167.4-microsoft-standard-WSL2"
                ),
                sock
            ),
            Some(Platform::Engine)
        );
        // Podman, OrbStack, Windows containers, an empty answer: unknown.
        assert_eq!(
            platform_of(
                &info("fedora", "host", "6.11.4-301.fc41.x86_64"),
                "unix:///run/user/1000/podman/podman.sock"
            ),
            None
        );
        assert_eq!(
            platform_of(&info("OrbStack", "orbstack", "6.11.0-orbstack"), sock),
            None
        );
        let mut windows = info("Windows Server 2022", "w", "10.0 20348");
        windows.os_type = Some("windows".into());
        assert_eq!(platform_of(&windows, sock), None);
        assert_eq!(platform_of(&SystemInfo::default(), sock), None);
    }
}
