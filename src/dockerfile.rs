//! The Dockerfile view the rules read: stages, the variables in scope (ARG defaults and
//! ENV), EXPOSE words, and the command the image runs, as words with their source spans.

use std::ops::Range;

use parse_dockerfile::{Command, Instruction};

use crate::compose::interpolate::interpolate;

/// A word of the source: its text (unquoted) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Range<usize>,
}

/// `CMD` or `ENTRYPOINT`.
#[derive(Debug, Clone)]
pub struct Cmd {
    pub exec: bool,
    /// The whole argument list (`["a", "b"]` or the shell text).
    pub span: Range<usize>,
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, Default)]
pub struct Stage {
    pub name: Option<String>,
    /// The `FROM` instruction's span.
    pub from: Range<usize>,
    /// ARG defaults and ENV values, in order (later ones win).
    pub vars: Vec<(String, String)>,
    /// ENV keys with the span of their instruction.
    pub env: Vec<(String, Range<usize>)>,
    pub exposes: Vec<Word>,
    pub cmd: Option<Cmd>,
    pub entrypoint: Option<Cmd>,
}

impl Stage {
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_env(&self, name: &str) -> bool {
        self.env.iter().any(|(k, _)| k == name)
    }

    /// Expands `$VAR` / `${VAR:-default}` with the stage's variables; `None` when a variable
    /// has no value here (the build may pass it: not a finding).
    pub fn expand(&self, word: &str) -> Option<String> {
        if !word.contains('$') {
            return Some(word.to_string());
        }
        let r = interpolate(word, &|name| self.var(name).map(str::to_string));
        (r.error.is_none() && r.unset.is_empty()).then_some(r.value)
    }

    /// The words the container runs: ENTRYPOINT then CMD (in exec form; a shell-form
    /// ENTRYPOINT ignores CMD). `sh -c "..."` is looked into.
    pub fn command(&self) -> Vec<Word> {
        let mut words = Vec::new();
        match (&self.entrypoint, &self.cmd) {
            (Some(e), _) if !e.exec => words.extend(e.words.iter().cloned()),
            (Some(e), Some(c)) => {
                words.extend(e.words.iter().cloned());
                words.extend(c.words.iter().cloned());
            }
            (Some(e), None) => words.extend(e.words.iter().cloned()),
            (None, Some(c)) => words.extend(c.words.iter().cloned()),
            (None, None) => {}
        }
        // `sh -c "flask run"` in exec form: split the script into words.
        if words.len() >= 3
            && matches!(
                words[0].text.as_str(),
                "sh" | "bash" | "/bin/sh" | "/bin/bash"
            )
            && words[1].text == "-c"
        {
            let script = words[2].clone();
            let inner_start = script.span.start;
            let mut inner = split_words(&script.text, inner_start);
            inner.extend(words.drain(3..));
            return inner;
        }
        words
    }
}

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
    /// The `package.json` of the build context, when the workspace layer read one: `npm
    /// run dev` in a command runs its `scripts.dev`.
    pub package: Option<crate::finding::OtherFile>,
}

/// A package script that a command runs (`npm run dev`, `npm start`, `yarn dev`, `pnpm run
/// dev`, `bun run dev`).
#[derive(Debug, Clone)]
pub struct Script {
    /// The words of the command that run it (`npm run dev`), in the command's file.
    pub span: Range<usize>,
    /// `npm run dev`.
    pub invocation: String,
    /// The script's words with their places in package.json, then the arguments the
    /// command passes on (placed at the invocation).
    pub words: Vec<Word>,
    /// `NAME=value` words at the start of the script (`cross-env HOST=0.0.0.0 vite`).
    pub vars: Vec<(String, String)>,
}

/// The package script that `words` run, read from `package` (package.json's text).
/// Follows a script that runs another script, four levels at most.
pub fn npm_script(words: &[Word], package: &str) -> Option<Script> {
    let json = crate::syntax::json::Json::parse(package);
    let root = json.root.as_ref()?;
    let scripts = object_get(root, "scripts")?;
    let mut current = words.to_vec();
    let mut result: Option<Script> = None;
    for _ in 0..4 {
        let Some((at, end, name)) = invocation(&current) else {
            break;
        };
        let crate::syntax::json::JsonKind::String(script) = &object_get(scripts, &name)?.kind
        else {
            break;
        };
        let value_span = object_get(scripts, &name)?.span.clone();
        let inner = value_span.start + 1..value_span.end.saturating_sub(1);
        let mut script_words = if package.get(inner.clone()) == Some(script.as_str()) {
            split_words(script, inner.start)
        } else {
            // Escapes inside the string: every word points at the whole value.
            split_words(script, 0)
                .into_iter()
                .map(|w| Word {
                    text: w.text,
                    span: value_span.clone(),
                })
                .collect()
        };
        // `npm run dev -- --host`: arguments after `--` go to the script (yarn and pnpm
        // pass them without it).
        let mut passed: Vec<Word> = current[end + 1..]
            .iter()
            .skip_while(|w| current[0].text == "npm" && w.text != "--")
            .filter(|w| w.text != "--")
            .cloned()
            .collect();
        if current.get(at).is_some_and(|w| base_name(&w.text) == "npm")
            && !current[end + 1..].iter().any(|w| w.text == "--")
        {
            passed.clear();
        }
        // Skip `cross-env` and leading assignments; `&&` chains keep their last command.
        if let Some(last) = script_words.iter().rposition(|w| w.text == "&&") {
            script_words.drain(..=last);
        }
        let mut vars = result.as_ref().map(|r| r.vars.clone()).unwrap_or_default();
        while let Some(first) = script_words.first() {
            if first.text == "cross-env" {
                script_words.remove(0);
            } else if let Some((k, v)) = first.text.split_once('=')
                && !k.is_empty()
                && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                vars.push((k.to_string(), v.to_string()));
                script_words.remove(0);
            } else {
                break;
            }
        }
        let span_in_command = result
            .as_ref()
            .map_or(current[at].span.start..current[end].span.end, |r| {
                r.span.clone()
            });
        let invocation_text = result.as_ref().map_or_else(
            || {
                current[at..=end]
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            |r| r.invocation.clone(),
        );
        script_words.extend(passed.into_iter().map(|w| Word {
            text: w.text,
            span: w.span,
        }));
        current = script_words.clone();
        result = Some(Script {
            span: span_in_command,
            invocation: invocation_text,
            words: script_words,
            vars,
        });
    }
    result
}

/// `npm run X`, `npm run-script X`, `npm start`, `yarn [run] X`, `pnpm [run] X`, `bun run
/// X`: the first and last words and the script's name.
fn invocation(words: &[Word]) -> Option<(usize, usize, String)> {
    for (i, w) in words.iter().enumerate() {
        let tool = base_name(&w.text);
        if !matches!(tool, "npm" | "yarn" | "pnpm" | "bun") {
            continue;
        }
        let next = words.get(i + 1)?;
        match (tool, next.text.as_str()) {
            ("npm" | "yarn" | "pnpm", "start") => return Some((i, i + 1, "start".into())),
            (_, "run" | "run-script") => {
                let name = words.get(i + 2)?;
                return Some((i, i + 2, name.text.clone()));
            }
            ("yarn" | "pnpm", name)
                if !name.starts_with('-')
                    && !matches!(
                        name,
                        "install" | "add" | "build" | "exec" | "dlx" | "test" | "i" | "ci"
                    ) =>
            {
                return Some((i, i + 1, name.to_string()));
            }
            _ => {}
        }
    }
    None
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

fn object_get<'j>(
    value: &'j crate::syntax::json::JsonValue,
    key: &str,
) -> Option<&'j crate::syntax::json::JsonValue> {
    let crate::syntax::json::JsonKind::Object(props) = &value.kind else {
        return None;
    };
    props.iter().rev().find(|p| p.key == key).map(|p| &p.value)
}

impl Dockerfile {
    /// Reads a Dockerfile that parses (see [`crate::syntax::dockerfile`] for recovery).
    pub fn read(text: &str) -> Option<Dockerfile> {
        let parsed = parse_dockerfile::parse(text).ok()?;
        let mut df = Dockerfile::default();
        let mut global_args: Vec<(String, String)> = Vec::new();
        for inst in &parsed.instructions {
            match inst {
                Instruction::From(from) => df.stages.push(Stage {
                    name: from.as_.as_ref().map(|(_, n)| n.value.to_string()),
                    from: from.from.span.start..from.image.span.end,
                    ..Stage::default()
                }),
                Instruction::Arg(arg) => {
                    for (k, v) in assignments(&arg.arguments.value) {
                        match df.stages.last_mut() {
                            // `ARG NAME` in a stage brings back the global default.
                            Some(stage) => {
                                let value = v.or_else(|| {
                                    global_args
                                        .iter()
                                        .rev()
                                        .find(|(g, _)| *g == k)
                                        .map(|(_, v)| v.clone())
                                });
                                if let Some(value) = value {
                                    stage.vars.push((k, value));
                                }
                            }
                            None => global_args.push((k, v.unwrap_or_default())),
                        }
                    }
                }
                Instruction::Env(env) => {
                    let Some(stage) = df.stages.last_mut() else {
                        continue;
                    };
                    let span = env.env.span.start..env.arguments.span.end;
                    for (k, v) in env_pairs(&env.arguments.value) {
                        stage.env.push((k.clone(), span.clone()));
                        stage.vars.push((k, v));
                    }
                }
                Instruction::Expose(expose) => {
                    let Some(stage) = df.stages.last_mut() else {
                        continue;
                    };
                    for w in &expose.arguments {
                        stage.exposes.push(Word {
                            text: w.value.to_string(),
                            span: w.span.clone(),
                        });
                    }
                }
                Instruction::Cmd(cmd) => {
                    if let Some(stage) = df.stages.last_mut() {
                        stage.cmd = Some(command(&cmd.arguments));
                    }
                }
                Instruction::Entrypoint(e) => {
                    if let Some(stage) = df.stages.last_mut() {
                        stage.entrypoint = Some(command(&e.arguments));
                    }
                }
                _ => {}
            }
        }
        Some(df)
    }

    /// The stage that runs: `target` when given and found, else the last one.
    pub fn runs(&self, target: Option<&str>) -> Option<&Stage> {
        target
            .and_then(|t| self.stages.iter().find(|s| s.name.as_deref() == Some(t)))
            .or(self.stages.last())
    }
}

fn command(c: &Command<'_>) -> Cmd {
    match c {
        Command::Exec(list) => Cmd {
            exec: true,
            span: list.span.clone(),
            words: list
                .value
                .iter()
                .map(|w| Word {
                    text: w.value.to_string(),
                    span: w.span.clone(),
                })
                .collect(),
        },
        Command::Shell(shell) => Cmd {
            exec: false,
            span: shell.span.clone(),
            words: split_words(shell.value, shell.span.start),
        },
        // A form parse-dockerfile may add later: nothing to read.
        _ => Cmd {
            exec: true,
            span: 0..0,
            words: Vec::new(),
        },
    }
}

/// Splits shell text into words at whitespace, dropping one level of quotes; spans are
/// the words' places in the source (`base` is where `text` starts). Good enough to find
/// commands and flags; it does not expand anything.
pub fn split_words(text: &str, base: usize) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = None;
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    out.push(Word {
                        text: std::mem::take(&mut current),
                        span: base + s..base + i,
                    });
                }
            }
            (None, c) => {
                current.push(c);
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(Word {
            text: current,
            span: base + s..base + text.len(),
        });
    }
    out
}

/// `A=1 B` (ARG): names with optional defaults.
fn assignments(text: &str) -> Vec<(String, Option<String>)> {
    split_words(text, 0)
        .into_iter()
        .map(|w| match w.text.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w.text, None),
        })
        .collect()
}

/// `A=1 B="two words"`, or the legacy `KEY value with spaces`.
fn env_pairs(text: &str) -> Vec<(String, String)> {
    let words = split_words(text, 0);
    match words.first() {
        Some(first) if !first.text.contains('=') => {
            let value = text[first.span.end..].trim().to_string();
            vec![(first.text.clone(), value)]
        }
        _ => words
            .into_iter()
            .filter_map(|w| {
                w.text
                    .split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_vars_exposes_and_commands() {
        let text = "ARG PORT=8080\nFROM python:3.12 AS build\nRUN true\nFROM python:3.12-slim\nARG PORT\nENV HOST=0.0.0.0 MODE=\"two words\"\nENV LEGACY some value\nEXPOSE $PORT 9000/udp\nENTRYPOINT [\"python\", \"-m\"]\nCMD [\"flask\", \"run\"]\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        let s = df.runs(None).unwrap();
        assert_eq!(s.var("PORT"), Some("8080"));
        assert_eq!(s.var("MODE"), Some("two words"));
        assert_eq!(s.var("LEGACY"), Some("some value"));
        assert_eq!(s.expand(&s.exposes[0].text).as_deref(), Some("8080"));
        assert_eq!(&text[s.exposes[1].span.clone()], "9000/udp");
        let words: Vec<_> = s.command().into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["python", "-m", "flask", "run"]);
        assert_eq!(
            df.runs(Some("build")).unwrap().name.as_deref(),
            Some("build")
        );
    }

    #[test]
    fn shell_forms_keep_spans() {
        let text = "FROM a\nCMD flask run --port \"5000\"\n";
        let df = Dockerfile::read(text).unwrap();
        let words = df.runs(None).unwrap().command();
        assert_eq!(words[3].text, "5000");
        assert_eq!(&text[words[3].span.clone()], "\"5000\"");
        let text = "FROM a\nCMD [\"sh\", \"-c\", \"uvicorn app:app --port 80\"]\n";
        let words = Dockerfile::read(text)
            .unwrap()
            .runs(None)
            .unwrap()
            .command();
        assert_eq!(words[0].text, "uvicorn");
        assert_eq!(&text[words[0].span.clone()], "uvicorn");
    }

    #[test]
    fn unresolvable_variables_are_not_guessed() {
        let df = Dockerfile::read("FROM a\nEXPOSE $PORT\n").unwrap();
        let s = df.runs(None).unwrap();
        assert_eq!(s.expand(&s.exposes[0].text), None);
    }

    #[test]
    fn package_scripts_behind_npm_yarn_pnpm() {
        let package = r#"{"name": "web", "scripts": {"dev": "vite", "start": "cross-env HOST=0.0.0.0 next start -p 3001", "serve": "npm run build && npm run dev", "esc": "vite --host \"127.0.0.1\""}}"#;
        let words = |cmd: &str| split_words(cmd, 1000);
        let s = npm_script(&words("npm run dev"), package).unwrap();
        assert_eq!(s.invocation, "npm run dev");
        assert_eq!(s.span, 1000..1011);
        assert_eq!(s.words[0].text, "vite");
        assert_eq!(&package[s.words[0].span.clone()], "vite");
        let s = npm_script(&words("npm start"), package).unwrap();
        assert_eq!(s.vars, [("HOST".to_string(), "0.0.0.0".to_string())]);
        assert_eq!(s.words[0].text, "next");
        // Arguments: after `--` for npm, directly for yarn and pnpm.
        let texts = |s: Script| s.words.into_iter().map(|w| w.text).collect::<Vec<_>>();
        assert_eq!(
            texts(npm_script(&words("npm run dev -- --host"), package).unwrap()),
            ["vite", "--host"]
        );
        assert_eq!(
            texts(npm_script(&words("npm run dev --silent"), package).unwrap()),
            ["vite"]
        );
        assert_eq!(
            texts(npm_script(&words("yarn dev --host"), package).unwrap()),
            ["vite", "--host"]
        );
        assert_eq!(
            texts(npm_script(&words("pnpm run dev"), package).unwrap()),
            ["vite"]
        );
        // A script that runs another, after `&&`.
        let s = npm_script(&words("npm run serve"), package).unwrap();
        assert_eq!(s.invocation, "npm run serve");
        assert_eq!(texts(s), ["vite"]);
        // Escapes: the words point at the whole string.
        let s = npm_script(&words("npm run esc"), package).unwrap();
        assert_eq!(s.words[2].text, "127.0.0.1");
        assert!(package[s.words[2].span.clone()].starts_with('"'));
        // Not a script, or no such script, or not JSON.
        assert!(npm_script(&words("yarn install"), package).is_none());
        assert!(npm_script(&words("npm run nope"), package).is_none());
        assert!(npm_script(&words("node server.js"), package).is_none());
        assert!(npm_script(&words("npm run dev"), "{not json").is_none());
    }
}
