//! Images present on the Docker host: what `docker image inspect` says a container of the
//! image runs (`Cmd`, `Entrypoint`, `Env`, `WorkingDir`) and exposes (`ExposedPorts`), for
//! Compose services run from an image the image table does not know
//! ([`crate::model::compose::LocalImage`]). Read-only: an image that is not on the host is
//! "not present", never fetched. Every call has a timeout.
//!
//! [`wanted`] (pure) says which references a Compose file's analysis could use; [`inspect`]
//! asks the daemon for them.

use bollard::Docker;

use super::{CALL_TIMEOUT, LiveError, describe};
use crate::model::compose::LocalImage;
use crate::syntax::yaml::Yaml;

/// At most this many images are asked for per Compose file.
pub const MAX_IMAGES: usize = 64;

/// The image references (after interpolation with `vars`) of the services of a Compose tree
/// that have no `build:` and whose image the image table does not know: the images whose
/// local facts the analysis would read. In file order, each once, at most [`MAX_IMAGES`].
pub fn wanted(yaml: &Yaml, vars: &crate::model::compose::Vars) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(services) = crate::model::compose::schema::services_node(yaml) else {
        return out;
    };
    for entry in yaml.entries(services).iter() {
        let service = yaml.resolve(entry.value);
        if yaml.get(service, "build").is_some() {
            continue;
        }
        let Some(raw) = yaml
            .get(service, "image")
            .and_then(|e| yaml.scalar(yaml.resolve(e.value)))
        else {
            continue;
        };
        let reference =
            crate::model::compose::interpolate::interpolate(raw, &|k| vars.get(k).cloned()).value;
        let reference = reference.trim();
        if reference.is_empty()
            || reference.contains(char::is_whitespace)
            || crate::knowledge::images::lookup(reference).is_some()
            || out.iter().any(|r| r == reference)
        {
            continue;
        }
        out.push(reference.to_string());
        if out.len() == MAX_IMAGES {
            break;
        }
    }
    out
}

/// The facts of an inspected image, for the service that names it `reference`; `None`
/// without an ID.
pub fn facts(reference: &str, image: &bollard::models::ImageInspect) -> Option<LocalImage> {
    let id = image.id.as_deref().filter(|id| !id.is_empty())?;
    let config = image.config.as_ref();
    let list = |v: Option<&Vec<String>>| v.cloned().unwrap_or_default();
    let exposed = list(config.and_then(|c| c.exposed_ports.as_ref()));
    let env = list(config.and_then(|c| c.env.as_ref()));
    let entrypoint = config.and_then(|c| c.entrypoint.clone());
    let cmd = config.and_then(|c| c.cmd.clone());
    Some(LocalImage::new(
        reference,
        id,
        &exposed,
        entrypoint.as_deref(),
        cmd.as_deref(),
        &env,
        config.and_then(|c| c.working_dir.as_deref()),
    ))
}

/// What the daemon has under `reference`: `Ok(None)` when the image is not on the host
/// (nothing is pulled), an error when the daemon fails or does not answer in time.
pub async fn inspect(docker: &Docker, reference: &str) -> Result<Option<LocalImage>, LiveError> {
    match tokio::time::timeout(CALL_TIMEOUT, docker.inspect_image(reference)).await {
        Ok(Ok(image)) => Ok(facts(reference, &image)),
        Ok(Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        })) => Ok(None),
        Ok(Err(e)) => Err(LiveError(describe(
            &format!("inspect the image `{reference}`"),
            &e,
        ))),
        Err(_) => Err(LiveError(format!(
            "the Docker daemon did not say within {} s whether it has the image `{reference}`",
            CALL_TIMEOUT.as_secs()
        ))),
    }
}

/// Connects ([`super::connect`]) and inspects each reference: for each, the facts, `None`
/// when the image is not on the host, or the error.
pub async fn inspect_all(
    references: &[String],
) -> Result<Vec<(String, Result<Option<LocalImage>, LiveError>)>, LiveError> {
    let docker = super::connect().await?;
    let mut out = Vec::with_capacity(references.len());
    for reference in references {
        out.push((reference.clone(), inspect(&docker, reference).await));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wanted_images_are_those_without_build_that_the_table_does_not_know() {
        let text = "services:\n  web:\n    image: example/busy:${TAG:-1}\n  again:\n    image: example/busy:1\n  db:\n    image: postgres:16\n  built:\n    build: .\n    image: example/built\n  none:\n    command: x\n  blank:\n    image: \"\"\n";
        let yaml = Yaml::parse(text);
        assert_eq!(wanted(&yaml, &Default::default()), ["example/busy:1"]);
        let vars = [("TAG".to_string(), "2".to_string())].into_iter().collect();
        assert_eq!(wanted(&yaml, &vars), ["example/busy:2", "example/busy:1"]);
        assert!(wanted(&Yaml::parse("{"), &Default::default()).is_empty());
    }

    #[test]
    fn facts_from_an_inspect_answer() {
        let image: bollard::models::ImageInspect = serde_json::from_value(serde_json::json!({
            "Id": "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "Config": {
                "ExposedPorts": {"9000/tcp": {}},
                "Env": ["PATH=/bin", "MODE"],
                "Cmd": ["httpd", "-f", "-p", "9000"],
                "Entrypoint": null,
                "WorkingDir": "/srv"
            }
        }))
        .unwrap();
        let f = facts("example/busy:1", &image).unwrap();
        assert_eq!(f.short_id(), "sha256:0123456789ab");
        assert_eq!(f.working_dir.as_deref(), Some("/srv"));
        assert_eq!(f.stage.var("PATH"), Some("/bin"));
        assert_eq!(f.stage.var("MODE"), Some(""));
        assert!(f.stage.entrypoint.is_none());
        let l = crate::model::dockerfile::listen::listen_port(&f.stage).unwrap();
        assert_eq!(l.port, 9000);
        // No configuration at all: the ID alone.
        let bare: bollard::models::ImageInspect =
            serde_json::from_value(serde_json::json!({"Id": "sha256:ff"})).unwrap();
        let f = facts("x", &bare).unwrap();
        assert!(f.stage.cmd.is_none() && f.stage.exposes.is_empty());
        let none: bollard::models::ImageInspect =
            serde_json::from_value(serde_json::json!({})).unwrap();
        assert!(facts("x", &none).is_none());
    }
}
