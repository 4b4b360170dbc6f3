//! The Dockerfile view the rules read: stages, the variables in scope (ARG defaults and
//! ENV), EXPOSE words, and the command the image runs, as words with their source spans.

use std::ops::Range;

use parse_dockerfile::{Command, Instruction};

use crate::syntax::dockerfile::{DockerfileSyntax, shell};

pub mod listen;

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

/// An `EXPOSE` word and what BuildKit makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposed {
    /// The word as written.
    pub text: String,
    pub span: Range<usize>,
    /// The ports after BuildKit expanded the word's variables with the values in scope at
    /// that line (one word may give several, `EXPOSE $PORTS`); `None` when a variable's
    /// value is not known here (the build may pass it: not a finding).
    pub values: Option<Vec<String>>,
}

impl Exposed {
    /// The one port the word gives, when it gives exactly one.
    pub fn value(&self) -> Option<&str> {
        match self.values.as_deref() {
            Some([one]) => Some(one),
            _ => None,
        }
    }

    /// Whether the word is written as the port itself (no variable, quote or escape), so
    /// that a finding can point inside it and a fix can edit it.
    pub fn literal(&self) -> bool {
        self.value() == Some(self.text.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Stage {
    pub name: Option<String>,
    /// The `FROM` instruction's span.
    pub from: Range<usize>,
    /// Variables in scope at the end of the stage, in order (later ones win): ARG values and
    /// ENV values as BuildKit expanded them (with Compose's `build.args` when the Dockerfile
    /// is a service's), and those of the stage it is built `FROM`. `None` when the value is
    /// not known (an `ARG` without a default, a value built from an unknown variable).
    pub vars: Vec<(String, Option<String>)>,
    /// ENV keys with the span of their instruction.
    pub env: Vec<(String, Range<usize>)>,
    pub exposes: Vec<Exposed>,
    pub cmd: Option<Cmd>,
    pub entrypoint: Option<Cmd>,
    /// The sources of `COPY` and `ADD` (paths as written), for evidence of what the image
    /// holds (`.next/standalone`).
    pub copies: Vec<Word>,
}

impl Stage {
    /// The value of a variable in scope, when known.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether the stage sets the variable at all (its value may be unknown).
    pub fn declares(&self, name: &str) -> bool {
        self.vars.iter().any(|(k, _)| k == name)
    }

    pub fn has_env(&self, name: &str) -> bool {
        self.env.iter().any(|(k, _)| k == name)
    }

    /// Expands `$VAR` / `${VAR:-default}` in `word` with the stage's variables as the
    /// shell does (BuildKit's rules); `None` when a variable has no known value here.
    pub fn expand(&self, word: &str) -> Option<String> {
        shell::process(word, '\\', &|name| self.var(name).map(str::to_string)).map(|p| p.word)
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

#[derive(Debug, Clone)]
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
    /// Reads a Dockerfile on its own: an `ARG` without a default has no known value (any
    /// `--build-arg` may set it). Syntax errors are recovered from as
    /// [`DockerfileSyntax`] does.
    pub fn read(text: &str) -> Option<Dockerfile> {
        Self::read_with(text, &[])
    }

    /// Reads a Dockerfile built with `args` (Compose's `build.args`, already resolved).
    pub fn read_with(text: &str, args: &[(String, String)]) -> Option<Dockerfile> {
        Self::from_syntax(&DockerfileSyntax::parse(text), args, None)
    }

    /// The model of a parsed (and recovered) Dockerfile built with `args`, whose build
    /// context has `package` as its `package.json` when the workspace layer read one.
    pub fn from_syntax(
        syntax: &DockerfileSyntax<'_>,
        args: &[(String, String)],
        package: Option<crate::finding::OtherFile>,
    ) -> Option<Dockerfile> {
        if !syntax.parsed {
            return None;
        }
        let parsed = parse_dockerfile::parse(&syntax.text).ok()?;
        let escape = parsed
            .parser_directives
            .escape
            .as_ref()
            .map_or('\\', |d| d.value.value);
        let build_arg = |k: &str| {
            args.iter()
                .rev()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
        };
        let mut df = Dockerfile {
            stages: Vec::new(),
            package,
        };
        // ARGs before the first FROM: their values (a build argument wins over the default,
        // which may use the ones before it).
        let mut global: Vec<(String, Option<String>)> = Vec::new();
        let mut resets = syntax.entrypoint_resets.iter().peekable();
        for inst in &parsed.instructions {
            let at = instruction_start(inst).unwrap_or(0);
            // `ENTRYPOINT []` (blanked for the parser) resets the entrypoint where it stood.
            while let Some(&&reset) = resets.peek() {
                if reset > at {
                    break;
                }
                resets.next();
                if let Some(stage) = df.stages.last_mut() {
                    stage.entrypoint = Some(Cmd {
                        exec: true,
                        span: reset..reset,
                        words: Vec::new(),
                    });
                }
            }
            match inst {
                Instruction::From(from) => {
                    let lookup = |n: &str| lookup(&global, n);
                    let image = shell::process(&from.image.value, escape, &lookup).map(|p| p.word);
                    let mut stage = Stage {
                        name: from.as_.as_ref().map(|(_, n)| n.value.to_string()),
                        from: from.from.span.start..from.image.span.end,
                        ..Stage::default()
                    };
                    // `FROM earlier-stage`: its variables are this stage's too.
                    if let Some(base) = image.and_then(|i| {
                        df.stages.iter().rev().find(|s| {
                            s.name
                                .as_deref()
                                .is_some_and(|n| n.eq_ignore_ascii_case(&i))
                        })
                    }) {
                        stage.vars = base.vars.clone();
                        stage.env = base.env.clone();
                    }
                    df.stages.push(stage);
                }
                Instruction::Arg(arg) => {
                    let Some(stage) = df.stages.last_mut() else {
                        for (k, default) in assignments(&arg.arguments.value, escape) {
                            let value = match build_arg(&k) {
                                Some(v) => Some(v),
                                None => match default {
                                    Some(d) => shell::process(&d, escape, &|n| lookup(&global, n))
                                        .map(|p| p.word),
                                    None => None,
                                },
                            };
                            global.push((k, value));
                        }
                        continue;
                    };
                    let mut values = Vec::new();
                    for (k, default) in assignments(&arg.arguments.value, escape) {
                        let value = if let Some(v) = build_arg(&k) {
                            Some(v)
                        } else if let Some(d) = default {
                            shell::process(&d, escape, &|n| stage.var(n).map(str::to_string))
                                .map(|p| p.word)
                        } else {
                            // `ARG NAME` in a stage brings back the global value.
                            lookup(&global, &k)
                        };
                        values.push((k, value));
                    }
                    stage.vars.extend(values);
                }
                Instruction::Env(env) => {
                    let Some(stage) = df.stages.last_mut() else {
                        continue;
                    };
                    let span = env.env.span.start..env.arguments.span.end;
                    // Every value is expanded with the variables before this instruction.
                    let pairs: Vec<(String, Option<String>)> =
                        env_pairs(&env.arguments.value, escape)
                            .into_iter()
                            .filter_map(|(k, v)| {
                                let env = |n: &str| stage.var(n).map(str::to_string);
                                let key = shell::process(&k, escape, &env)?.word;
                                let value = shell::process(&v, escape, &env).map(|p| p.word);
                                Some((key, value))
                            })
                            .collect();
                    for (k, v) in pairs {
                        stage.env.push((k.clone(), span.clone()));
                        stage.vars.push((k, v));
                    }
                }
                Instruction::Expose(expose) => {
                    let Some(stage) = df.stages.last_mut() else {
                        continue;
                    };
                    for w in &expose.arguments {
                        let values =
                            shell::process(&w.value, escape, &|n| stage.var(n).map(str::to_string))
                                .map(|p| p.words);
                        stage.exposes.push(Exposed {
                            text: w.value.to_string(),
                            span: w.span.clone(),
                            values,
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
                Instruction::Copy(c) => {
                    if let Some(stage) = df.stages.last_mut() {
                        stage.copies.extend(sources(&c.src));
                    }
                }
                Instruction::Add(a) => {
                    if let Some(stage) = df.stages.last_mut() {
                        stage.copies.extend(sources(&a.src));
                    }
                }
                _ => {}
            }
        }
        for &reset in resets {
            if let Some(stage) = df.stages.last_mut() {
                stage.entrypoint = Some(Cmd {
                    exec: true,
                    span: reset..reset,
                    words: Vec::new(),
                });
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

/// A variable's known value in `vars` (the last definition wins, even when unknown).
fn lookup(vars: &[(String, Option<String>)], name: &str) -> Option<String> {
    vars.iter()
        .rev()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.clone())
}

fn instruction_start(inst: &Instruction<'_>) -> Option<usize> {
    let keyword = match inst {
        Instruction::Add(i) => &i.add,
        Instruction::Arg(i) => &i.arg,
        Instruction::Cmd(i) => &i.cmd,
        Instruction::Copy(i) => &i.copy,
        Instruction::Entrypoint(i) => &i.entrypoint,
        Instruction::Env(i) => &i.env,
        Instruction::Expose(i) => &i.expose,
        Instruction::From(i) => &i.from,
        Instruction::Healthcheck(i) => &i.healthcheck,
        Instruction::Label(i) => &i.label,
        Instruction::Maintainer(i) => &i.maintainer,
        Instruction::Onbuild(i) => &i.onbuild,
        Instruction::Run(i) => &i.run,
        Instruction::Shell(i) => &i.shell,
        Instruction::Stopsignal(i) => &i.stopsignal,
        Instruction::User(i) => &i.user,
        Instruction::Volume(i) => &i.volume,
        Instruction::Workdir(i) => &i.workdir,
        _ => return None,
    };
    Some(keyword.span.start)
}

/// The paths of `COPY`/`ADD` sources (here-documents have none).
fn sources(src: &[parse_dockerfile::Source<'_>]) -> Vec<Word> {
    src.iter()
        .filter_map(|s| match s {
            parse_dockerfile::Source::Path(p) => Some(Word {
                text: p.value.to_string(),
                span: p.span.clone(),
            }),
            _ => None,
        })
        .collect()
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

/// `A=1 B` (ARG): names with optional defaults, the defaults as written (BuildKit's
/// `parseWords`, then a split at the first `=`).
fn assignments(text: &str, escape: char) -> Vec<(String, Option<String>)> {
    shell::raw_words(text, escape)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// `A=1 B="two words"`, or the legacy `KEY value with spaces`: names and values as written
/// (quotes and variables are processed per value afterwards, as BuildKit does).
fn env_pairs(text: &str, escape: char) -> Vec<(String, String)> {
    let words = shell::raw_words(text, escape);
    match words.first() {
        Some(first) if !first.contains('=') => {
            let text = text.trim_start();
            match text.split_once(char::is_whitespace) {
                Some((k, v)) => vec![(k.to_string(), v.trim_start().to_string())],
                None => Vec::new(),
            }
        }
        _ => words
            .into_iter()
            .filter_map(|w| {
                w.split_once('=')
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

    fn ports(df: &Dockerfile, stage: usize) -> Vec<Option<Vec<String>>> {
        df.stages[stage]
            .exposes
            .iter()
            .map(|e| e.values.clone())
            .collect()
    }

    fn known(values: &[&str]) -> Option<Vec<String>> {
        Some(values.iter().map(|v| v.to_string()).collect())
    }

    #[test]
    fn expose_expands_arg_and_env_as_buildkit_does() {
        // ENV PORT $PORT: the ENV value is expanded when it is set, so EXPOSE sees 80.
        let text = "ARG PORT=80\nFROM node:22\nARG PORT\nENV PORT $PORT\nEXPOSE $PORT 9229\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(ports(&df, 0), [known(&["80"]), known(&["9229"])]);
        assert!(df.stages[0].exposes[0].value() == Some("80"));
        assert!(!df.stages[0].exposes[0].literal());
        assert!(df.stages[0].exposes[1].literal());
        // Defaults, alternatives, quotes, several ports from one word.
        let text = "FROM a\nARG P=3000\nENV PORTS=\"80 443\" EMPTY=\nEXPOSE ${P:-1} ${NOPE:-1} ${EMPTY:-8080} ${P:+5000} '$P' \"$P\"/udp $PORTS\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(
            ports(&df, 0),
            [
                known(&["3000"]),
                None,
                known(&["8080"]),
                known(&["5000"]),
                known(&["$P"]),
                known(&["3000/udp"]),
                known(&["80", "443"]),
            ]
        );
    }

    #[test]
    fn scope_per_stage_and_order() {
        // A global ARG is visible in a stage only when the stage declares it again.
        let text = "ARG PORT=80\nFROM a AS one\nEXPOSE $PORT\nFROM a AS two\nARG PORT\nEXPOSE $PORT\nENV PORT=90\nEXPOSE $PORT\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(ports(&df, 0), [None]);
        assert_eq!(ports(&df, 1), [known(&["80"]), known(&["90"])]);
        // ENV values see the variables before the instruction, not its own.
        let text = "FROM a\nENV P=1\nENV P=2 Q=$P\nEXPOSE $Q\n";
        assert_eq!(ports(&Dockerfile::read(text).unwrap(), 0), [known(&["1"])]);
        // ARG without a default: unknown (any --build-arg may set it), and it hides an
        // earlier value only when it has one.
        let text = "FROM a\nARG PORT\nEXPOSE $PORT\n";
        assert_eq!(ports(&Dockerfile::read(text).unwrap(), 0), [None]);
        // A stage built FROM another inherits its variables.
        let text = "FROM a AS base\nENV PORT=8080\nFROM base\nEXPOSE $PORT\n";
        assert_eq!(
            ports(&Dockerfile::read(text).unwrap(), 1),
            [known(&["8080"])]
        );
        // An unknown value shadows an earlier known one.
        let text = "FROM a\nENV PORT=80\nENV PORT=$FROM_BASE_IMAGE\nEXPOSE $PORT\n";
        assert_eq!(ports(&Dockerfile::read(text).unwrap(), 0), [None]);
    }

    #[test]
    fn build_args_win_over_defaults() {
        let text =
            "ARG BASE=80\nFROM a\nARG BASE\nARG PORT=3000\nARG OTHER\nEXPOSE $BASE $PORT $OTHER\n";
        let args = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let df = Dockerfile::read_with(text, &args(&[("PORT", "4000"), ("BASE", "81")])).unwrap();
        assert_eq!(ports(&df, 0), [known(&["81"]), known(&["4000"]), None]);
        let df = Dockerfile::read_with(text, &args(&[("OTHER", "5")])).unwrap();
        assert_eq!(
            ports(&df, 0),
            [known(&["80"]), known(&["3000"]), known(&["5"])]
        );
    }

    #[test]
    fn escapes_and_the_escape_directive() {
        let text = "FROM a\nENV P=80\nEXPOSE \\$P\n";
        assert_eq!(ports(&Dockerfile::read(text).unwrap(), 0), [known(&["$P"])]);
        let text = "# escape=`\nFROM a\nENV P=80 Q=C:\\app\nEXPOSE $P `$P\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(ports(&df, 0), [known(&["80"]), known(&["$P"])]);
        assert_eq!(df.stages[0].var("Q"), Some("C:\\app"));
    }

    #[test]
    fn entrypoint_reset_and_copies() {
        let text = "FROM a\nENTRYPOINT [\"docker-entrypoint.sh\"]\nENTRYPOINT []\nCOPY --from=build /app/.next/standalone ./\nCMD [\"node\", \"server.js\"]\n";
        let df = Dockerfile::read(text).unwrap();
        let s = df.runs(None).unwrap();
        let words: Vec<_> = s.command().into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["node", "server.js"]);
        assert_eq!(s.copies[0].text, "/app/.next/standalone");
        // A heredoc's body is not read as instructions.
        let text = "FROM a\nRUN cat <<EOF > /etc/x\nEXPOSE 1\nEOF\nEXPOSE 80\n";
        let df = Dockerfile::read(text).unwrap();
        assert_eq!(ports(&df, 0), [known(&["80"])]);
    }

    #[test]
    fn continuation_lines_inside_env_and_expose() {
        let text =
            "FROM a\nENV A=1 \\\n    B=\"x y\" \\\n# a comment\n    C=$A\nEXPOSE 80 \\\n  $C\r\n";
        let df = Dockerfile::read(text).unwrap();
        let s = &df.stages[0];
        assert_eq!(s.var("A"), Some("1"));
        assert_eq!(s.var("B"), Some("x y"));
        // C is set in the same instruction as A: it sees A's earlier value (none).
        assert_eq!(s.var("C"), None);
        assert!(s.declares("C"));
        assert_eq!(ports(&df, 0), [known(&["80"]), None]);
        assert_eq!(&text[s.exposes[1].span.clone()], "$C");
    }

    #[test]
    fn analysis_sees_the_entrypoint_reset() {
        // The reset must survive the analysis path (syntax layer, then the model).
        let text = "FROM python:3.12\nENTRYPOINT /docker-entrypoint.sh\nENTRYPOINT []\nEXPOSE 5000\nCMD [\"flask\", \"run\"]\n";
        let found =
            crate::rules::test_support::dockerfile_findings(text, "app-listens-on-loopback");
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
