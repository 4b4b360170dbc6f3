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
