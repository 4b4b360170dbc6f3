//! `portside map [COMPOSE_FILE] [--format svg|mermaid|dot]`: the project's networking as a
//! picture (services, networks, published ports, the connections the project states, red
//! where a rule says they fail), on stdout. With `--live`, the running project's published
//! ports and references between services are probed (read-only, as `portside probe` does)
//! and painted: green reached, red refused with the probe's words, grey unknown. Exit
//! status: 0 with a map, 2 when the file is missing, unreadable or does not parse, or (with
//! `--live`) when the daemon cannot be asked.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::ide::map;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MapFormat {
    /// A picture laid out by portside (no Graphviz needed).
    #[default]
    Svg,
    /// Mermaid `flowchart LR` text (GitHub renders it in Markdown, e.g. a PR comment).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Args, Debug)]
pub struct MapArgs {
    /// The Compose file (default: compose.yaml, compose.yml, docker-compose.yaml or
    /// docker-compose.yml in the current folder). Its override, included and extended
    /// files count, as for `check`.
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: MapFormat,
    /// Ask the Docker daemon (read-only, as `portside probe` does) and paint what it saw:
    /// each published port and each reference between services green when it answers, red
    /// when a step fails (the probe's words as tooltip), grey when unknown.
    #[arg(long)]
    live: bool,
}

pub fn run(args: &MapArgs) -> ExitCode {
    let (path, text) = match super::compose_file(args.file.as_deref(), "map") {
        Ok(found) => found,
        Err(code) => return code,
    };
    let (vfs, editor) = (crate::workspace::Vfs::new(), Default::default());
    let ctx = crate::workspace::context_cached(&path, &text, &editor, &vfs);
    let context_of =
        |p: &std::path::Path, t: &str| crate::workspace::context_cached(p, t, &editor, &vfs);
    let topology = match map::of_project(&text, &ctx, &context_of) {
        Ok(t) => t,
        Err(e) => {
            let place = e.offset.map_or_else(String::new, |o| {
                let rope = ropey::Rope::from_str(&text);
                let (line, col) = crate::text::human_line_col(&rope, o);
                format!(":{line}:{col}")
            });
            eprintln!("portside: {}{place}: no map: {}", path.display(), e.message);
            return ExitCode::from(2);
        }
    };
    let topology = if args.live {
        match live_verdicts(&path, &text, &ctx, &topology) {
            Ok(v) => {
                let unknown = |l: &map::Live| matches!(l, map::Live::Unknown(_));
                let checked = v.ports.len() + v.connections.len();
                if checked > 0
                    && v.ports.iter().all(|p| unknown(&p.live))
                    && v.connections.iter().all(|c| unknown(&c.live))
                {
                    eprintln!(
                        "portside: {}: no verdict is known (is the project running? `docker compose up -d` first)",
                        path.display()
                    );
                }
                map::paint(topology, &v)
            }
            Err(e) => {
                eprintln!("portside: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        topology
    };
    let out = match args.format {
        MapFormat::Svg => map::render::svg(&topology),
        MapFormat::Mermaid => map::render::mermaid(&topology),
        MapFormat::Dot => map::render::dot(&topology),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// The live probe's verdicts on the project of `path`.
fn live_verdicts(
    path: &std::path::Path,
    text: &str,
    ctx: &crate::analysis::Context,
    topology: &map::Topology,
) -> Result<map::Verdicts, crate::live::LiveError> {
    let (project, mappings) = crate::live::plan::mappings(path, text, ctx);
    let links = crate::live::plan::links(text, ctx);
    super::runtime().block_on(async {
        let docker = crate::live::connect().await?;
        crate::live::paint::probe(&docker, &project, &mappings, &links, topology).await
    })
}
