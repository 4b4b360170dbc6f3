//! The `portside` command line. `check` runs the same analysis as the server.

mod check;
mod map;
mod ports;
mod probe;
mod render;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::rules;

#[derive(Parser, Debug)]
#[command(
    name = "portside",
    version,
    about = "Finds Docker networking misconfigurations in Compose files, Dockerfiles and daemon.json",
    after_help = "Run `portside check .` in a project, or `portside lsp` from an editor."
)]
pub struct Cli {
    /// Serve LSP over stdio (what editors that pass `--stdio` expect); same as `portside lsp`.
    #[arg(long, global = false)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the Language Server Protocol over stdio.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Check Compose files, Dockerfiles and daemon.json files, as the editor would.
    Check(check::CheckArgs),
    /// List every rule with its default severity.
    Rules {
        /// Print the full reference (docs/rules.md) instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule code, e.g. invalid-port-spec.
        rule: String,
    },
    /// Print Docker's interpretation of port specs such as 127.0.0.1:8080:80/tcp.
    Ports(ports::PortsArgs),
    /// Say which Docker daemon portside would talk to and whether it answers.
    Doctor,
    /// Ask the running Docker daemon whether each published port of a Compose project
    /// answers, and which step fails when it does not (read-only).
    Probe(probe::ProbeArgs),
    /// Draw the project's networking: services, networks, published ports and the
    /// connections the project states, red where a rule says they fail (SVG, Mermaid, DOT).
    Map(map::MapArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    if !cli.stdio && !matches!(cli.command, Some(Command::Lsp { .. })) {
        quiet_on_closed_pipe();
    }
    match cli.command {
        None if cli.stdio => serve(),
        Some(Command::Lsp { .. }) => serve(),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            ExitCode::from(2)
        }
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Rules { markdown }) => {
            if markdown {
                print!("{}", rules::markdown_reference());
            } else {
                for rule in rules::ALL {
                    println!(
                        "{:<20} {:<8} {}",
                        rule.code,
                        if rule.opt_in {
                            "off"
                        } else {
                            rule.severity.as_str()
                        },
                        rule.summary
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Some(Command::Explain { rule }) => match rules::find(&rule) {
            Some(r) => {
                println!(
                    "# {}\n\nDefault severity: {}. Checks: {}.\n",
                    r.code,
                    r.default_level(),
                    r.applies_to
                );
                print!("{}", r.doc());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("portside: no rule named `{rule}`; `portside rules` lists them");
                ExitCode::from(2)
            }
        },
        Some(Command::Ports(args)) => ports::run(&args),
        Some(Command::Doctor) => doctor(),
        Some(Command::Probe(args)) => probe::run(&args),
        Some(Command::Map(args)) => map::run(&args),
    }
}

/// A command whose output goes to a pipe that closes early (`portside check | head`) ends
/// quietly, as command-line tools do, instead of panicking in `println!`: the default
/// action of SIGPIPE, which Rust's runtime sets to "ignore", is put back. Not for `lsp`,
/// which handles a closed stdout as an I/O error and shuts down.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    {
        use std::ffi::c_int;
        unsafe extern "C" {
            fn signal(signum: c_int, handler: usize) -> usize;
        }
        const SIGPIPE: c_int = 13;
        const SIG_DFL: usize = 0;
        // SAFETY: restoring a signal's default disposition before any thread starts.
        unsafe {
            signal(SIGPIPE, SIG_DFL);
        }
    }
}

/// Logs go to stderr: stdout is the LSP transport. `PORTSIDE_LOG=debug` for more.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTSIDE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The Compose file a command reads (`file`, else the first of the usual names here) and its
/// text; `Err` after saying why on stderr (exit code 2). `command` names the subcommand in
/// the hint.
fn compose_file(
    file: Option<&std::path::Path>,
    command: &str,
) -> Result<(std::path::PathBuf, String), ExitCode> {
    let path = match file {
        Some(p) => p.to_path_buf(),
        None => match probe::DEFAULT_FILES
            .iter()
            .map(std::path::PathBuf::from)
            .find(|p| p.is_file())
        {
            Some(p) => p,
            None => {
                eprintln!(
                    "portside: no Compose file here (compose.yaml, docker-compose.yml, ...); name one: `portside {command} path/to/compose.yaml`"
                );
                return Err(ExitCode::from(2));
            }
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((path, text)),
        Err(e) => {
            eprintln!("portside: cannot read {}: {e}", path.display());
            Err(ExitCode::from(2))
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Requests and analyses run on the blocking pool: a burst of hovers must not start
        // hundreds of threads (each costs memory), and stdin's reads share the pool, so
        // it keeps room to spare.
        .max_blocking_threads(8)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn serve() -> ExitCode {
    let rt = runtime();
    rt.block_on(crate::server::run_stdio());
    // After `exit`, a read of stdin may still be blocked on the blocking pool (the frame
    // guard reads ahead); do not wait for it.
    rt.shutdown_background();
    ExitCode::SUCCESS
}

/// The platform line of `portside doctor`: a `[host] platform` setting in the
/// `portside.toml` that governs the current directory, else the daemon's (`docker info`),
/// else the guess from this operating system, else unknown; each with where it came from.
fn doctor_platform(daemon: Option<crate::config::Platform>) -> String {
    use crate::config::{PlatformFact, PlatformSource, RuleSettings};
    // A file in this directory: portside.toml is looked for from here up.
    let here = std::env::current_dir()
        .unwrap_or_default()
        .join("compose.yaml");
    let setting = crate::workspace::find_config(&here).and_then(|path| {
        let text = std::fs::read_to_string(&path).ok()?;
        let fact = RuleSettings::from_toml(&text, crate::rules::known())
            .0
            .host
            .platform?;
        Some((fact, path))
    });
    let fact = match (setting, daemon) {
        (Some((fact, path)), _) => {
            return format!(
                "{} (from the `[host] platform` setting in {})",
                fact.platform.words(),
                path.display()
            );
        }
        (None, Some(platform)) => Some(PlatformFact {
            platform,
            source: PlatformSource::Daemon,
        }),
        (None, None) => PlatformFact::guess(std::env::consts::OS),
    };
    match fact {
        Some(f) => format!("{} ({})", f.platform.words(), f.source_words()),
        None => "unknown (no setting, no daemon that says, and on Linux both Docker Engine and Docker Desktop for Linux run): set `[host] platform = \"engine\"` or `\"docker-desktop\"` in portside.toml".to_string(),
    }
}

fn doctor() -> ExitCode {
    let endpoint = crate::live::endpoint();
    println!("endpoint: {}", crate::live::endpoint_description());
    // Where portside looked, when nothing named the endpoint.
    if crate::live::discovered(&endpoint) {
        let home = std::env::var_os("HOME");
        let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR");
        for (i, c) in crate::live::candidates(
            home.as_deref().map(std::path::Path::new),
            runtime_dir.as_deref().map(std::path::Path::new),
        )
        .iter()
        .enumerate()
        {
            println!(
                "{} {} ({}): {}",
                if i == 0 { "tried:   " } else { "         " },
                c.host,
                c.whose,
                crate::live::try_candidate(c, false).words()
            );
        }
    }
    runtime().block_on(async {
        let docker = match crate::live::connect().await {
            Ok(d) => d,
            Err(e) => {
                println!("platform: {}", doctor_platform(None));
                println!("daemon:   not reachable: {e}");
                return ExitCode::from(1);
            }
        };
        println!(
            "platform: {}",
            doctor_platform(crate::live::platform(&docker, &endpoint.host).await)
        );
        match crate::live::version(&docker).await {
            Ok(v) => {
                println!("daemon:   Docker Engine {} on {}", v.engine, v.os);
                println!(
                    "api:      daemon speaks {} (min {}); portside uses {}",
                    v.api, v.min_api, v.negotiated
                );
                match crate::live::rootless(&docker).await {
                    Some(true) => println!(
                        "rootless: yes (host ports below 1024 cannot be published unless net.ipv4.ip_unprivileged_port_start allows them)"
                    ),
                    Some(false) => println!("rootless: no"),
                    None => println!("rootless: unknown (`docker info` did not answer)"),
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                println!("daemon:   {e}");
                ExitCode::from(1)
            }
        }
    })
}
