//! `portside ports SPEC...`: Docker's interpretation of each spec, or Docker's error.

use std::process::ExitCode;

use clap::Args;

use super::Format;
use crate::model::ports::{Binding, parse_port_spec};

#[derive(Args, Debug)]
pub struct PortsArgs {
    /// Port specs as in Compose's short syntax or `docker run -p`.
    #[arg(required = true, allow_hyphen_values = true)]
    specs: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Answer<'a> {
    Ok {
        spec: &'a str,
        bindings: Vec<Binding>,
    },
    Err {
        spec: &'a str,
        error: String,
    },
}

pub fn run(args: &PortsArgs) -> ExitCode {
    let answers: Vec<Answer> = args
        .specs
        .iter()
        .map(|spec| match parse_port_spec(spec) {
            Ok(bindings) => Answer::Ok { spec, bindings },
            Err(e) => Answer::Err {
                spec,
                error: e.message,
            },
        })
        .collect();
    let failed = answers.iter().any(|a| matches!(a, Answer::Err { .. }));
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&answers).expect("serialisable")
        ),
        Format::Text => {
            for answer in &answers {
                match answer {
                    Answer::Ok { spec, bindings } => {
                        println!("{spec}");
                        for b in bindings {
                            println!("  {}", b.describe());
                        }
                    }
                    Answer::Err { spec, error } => {
                        println!("{spec}\n  error: {error}");
                    }
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
