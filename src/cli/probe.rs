//! `portside probe [COMPOSE_FILE]`: asks the running daemon whether each published port of
//! the project answers, and which step fails when it does not. Exit status: 0 when every
//! mapping answers, 1 when one does not, 2 when the file or the daemon cannot be used.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Format;
use crate::live::{self, probe};

#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The Compose file (default: compose.yaml, compose.yml, docker-compose.yaml or
    /// docker-compose.yml in the current folder).
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(super) const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

pub fn run(args: &ProbeArgs) -> ExitCode {
    let (path, text) = match super::compose_file(args.file.as_deref(), "probe") {
        Ok(found) => found,
        Err(code) => return code,
    };
    let ctx = crate::workspace::context_for(&path, &text, &Default::default());
    let (project, mappings) = live::plan::mappings(&path, &text, &ctx);
    let links = live::plan::links(&text, &ctx);
    super::runtime().block_on(async {
        let docker = match live::connect().await {
            Ok(d) => d,
            Err(e) => {
                eprintln!("portside: {e}");
                return ExitCode::from(2);
            }
        };
        let verdicts = match probe::probe(&docker, &project, &mappings, live::is_local()).await {
            Ok(v) => v,
            Err(e) => {
                eprintln!("portside: {e}");
                return ExitCode::from(2);
            }
        };
        let link_verdicts = match probe::probe_links(&docker, &project, &links).await {
            Ok(v) => v,
            Err(e) => {
                eprintln!("portside: {e}");
                return ExitCode::from(2);
            }
        };
        let failed = verdicts
            .iter()
            .filter(|v| v.outcome == probe::Outcome::Fail)
            .count()
            + link_verdicts
                .iter()
                .filter(|v| v.outcome == probe::Outcome::Fail)
                .count();
        match args.format {
            Format::Json => {
                let out = serde_json::json!({
                    "project": project,
                    "file": path.display().to_string(),
                    "results": verdicts,
                    "links": link_verdicts,
                });
                println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            }
            Format::Text => {
                println!(
                    "project `{project}` ({}), {} published port mapping(s)",
                    path.display(),
                    verdicts.len()
                );
                for v in &verdicts {
                    let m = &v.mapping;
                    let mark = match v.outcome {
                        probe::Outcome::Ok => "ok  ",
                        probe::Outcome::Fail => "FAIL",
                    };
                    let host = v.host_port.map_or_else(
                        || {
                            if m.published.is_empty() {
                                "?".to_string()
                            } else {
                                m.published.clone()
                            }
                        },
                        |p| p.to_string(),
                    );
                    println!(
                        "{mark} {}: {host} -> {}/{} [{}] {}",
                        m.service, m.target, m.protocol, v.step, v.message
                    );
                }
                for v in &link_verdicts {
                    let mark = match v.outcome {
                        probe::Outcome::Ok => "ok  ",
                        probe::Outcome::Fail => "FAIL",
                    };
                    let what = match v.link.kind {
                        "network" | "swarm" => format!("network {}", v.link.from),
                        _ => format!(
                            "{} -> {}{}",
                            v.link.from,
                            v.link.to,
                            v.link.port.map_or(String::new(), |p| format!(":{p}"))
                        ),
                    };
                    println!("{mark} {what} [{}] {}", v.step, v.message);
                }
                if verdicts.is_empty() && link_verdicts.is_empty() {
                    println!(
                        "nothing to probe: no published port, external network or service reference"
                    );
                }
                let total = verdicts.len() + link_verdicts.len();
                println!("portside: {} of {total} check(s) pass", total - failed);
            }
        }
        if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    })
}
