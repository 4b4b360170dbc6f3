//! Kakoune with kakoune-lsp, in a real terminal (tmux), configured with the `kakrc` block of
//! the README and nothing else: the diagnostic at the token, the port hover on screen, and
//! the quick fix chosen from kakoune-lsp's menu editing the buffer. Debian's kakoune and tmux,
//! kak-lsp built by cargo into a cache (.ci/run does all three and sets PORTSIDE_KAK_LSP to
//! the folder of `kak-lsp`). It is ignored by default; `cargo test -- --include-ignored` runs
//! it, and then a missing tool is a failure. What the terminal showed at each step is saved in
//! `target/kakoune-screens`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SESSION: &str = "portside-test";

struct Kakoune {
    home: PathBuf,
    project: PathBuf,
    screens: PathBuf,
    path: String,
}

impl Kakoune {
    fn env(&self, c: &mut Command) {
        c.env_clear()
            .env("HOME", &self.home)
            .env("PATH", &self.path)
            .env("TERM", "xterm-256color")
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", &self.home)
            .env("XDG_RUNTIME_DIR", self.home.join("run"));
    }

    fn tmux(&self, args: &[&str]) -> String {
        let mut c = Command::new("tmux");
        c.arg("-S")
            .arg(self.home.join("tmux.sock"))
            .args(["-f", "/dev/null"]);
        c.args(args).current_dir(&self.project);
        self.env(&mut c);
        let o = c.output().expect("tmux runs");
        assert!(
            o.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p"])
    }

    fn save(&self, name: &str) -> String {
        let s = self.screen();
        std::fs::write(self.screens.join(format!("{name}.txt")), &s).unwrap();
        s
    }

    /// Sends commands to the session, as `kak -p` does for scripts and plugins.
    fn send(&self, commands: &str) {
        assert!(self.try_send(commands), "kak -p {commands}");
    }

    /// False while there is no session to send to.
    fn try_send(&self, commands: &str) -> bool {
        let mut c = Command::new("kak");
        c.args(["-p", SESSION]).current_dir(&self.project);
        self.env(&mut c);
        let mut child = c
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kak -p runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(commands.as_bytes())
            .unwrap();
        child.wait().unwrap().success()
    }

    /// The value of a Kakoune expression in the client's context (`%opt{..}`, `%val{..}`),
    /// or None when no answer comes within `within` (no client yet, say).
    fn try_query(&self, expr: &str, within: Duration) -> Option<String> {
        let out = self.home.join("query.out");
        let _ = std::fs::remove_file(&out);
        if !self.try_send(&format!(
            "eval -client client0 %{{ echo -to-file {} -- {expr} }}",
            out.display()
        )) {
            std::thread::sleep(within);
            return None;
        }
        let start = Instant::now();
        while start.elapsed() < within {
            if let Ok(s) = std::fs::read_to_string(&out) {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    fn query(&self, expr: &str) -> String {
        self.try_query(expr, Duration::from_secs(20))
            .unwrap_or_else(|| panic!("Kakoune did not answer {expr}"))
    }

    fn wait(&self, what: &str, step: &str, ok: impl Fn(&Self) -> bool) {
        let start = Instant::now();
        while !ok(self) {
            if start.elapsed() > Duration::from_secs(60) {
                let s = self.save(&format!("{step}-timeout"));
                let debug = self.debug();
                panic!(
                    "Kakoune: timed out waiting for {what}; the screen:\n{s}\n*debug*:\n{debug}"
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn debug(&self) -> String {
        let out = self.home.join("debug.out");
        self.send(&format!(
            "eval -buffer *debug* %{{ exec '%'; echo -to-file {} -- %val{{selection}} }}",
            out.display()
        ));
        std::thread::sleep(Duration::from_millis(300));
        std::fs::read_to_string(out).unwrap_or_default()
    }
}

impl Drop for Kakoune {
    fn drop(&mut self) {
        let mut c = Command::new("kak");
        c.args(["-p", SESSION]);
        self.env(&mut c);
        if let Ok(mut child) = c.stdin(Stdio::piped()).spawn() {
            use std::io::Write;
            let _ = child.stdin.take().unwrap().write_all(b"kill!");
            let _ = child.wait();
        }
        let mut c = Command::new("tmux");
        c.arg("-S")
            .arg(self.home.join("tmux.sock"))
            .arg("kill-server");
        let _ = c.output();
        // kak-lsp daemonizes and outlives a session that ended early (a failed step); end
        // the ones this test started, known by their HOME.
        let home = format!("HOME={}", self.home.display());
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|v| v == home.as_bytes()) {
                let _ = Command::new("kill")
                    .arg(entry.file_name())
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// The ```kak block of the README's "Other editors", which a user copies into `kakrc`.
fn readme_kakrc(root: &Path) -> String {
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("```kak\n")
        .expect("a ```kak block in the README")
        + 7;
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
#[ignore = "needs Kakoune, kak-lsp and tmux: bash .ci/run installs them; cargo test -- --include-ignored runs it"]
fn kakoune_diagnostics_hover_and_quick_fix() {
    let kak_lsp_dir = std::env::var("PORTSIDE_KAK_LSP").unwrap_or_default();
    for (tool, dir) in [("kak", ""), ("tmux", ""), ("kak-lsp", kak_lsp_dir.as_str())] {
        let program = if dir.is_empty() {
            PathBuf::from(tool)
        } else {
            Path::new(dir).join(tool)
        };
        let runs = Command::new(&program)
            .arg(if tool == "tmux" { "-V" } else { "-version" })
            .output()
            .is_ok();
        if !runs {
            common::missing(
                &format!("{tool} (`{}` does not run)", program.display()),
                "apt-get install kakoune tmux; cargo install kak-lsp --version 22.0.0 --locked, \
                 then PORTSIDE_KAK_LSP=<the folder of kak-lsp> unless it is on PATH",
            );
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = std::env::temp_dir().join(format!("portside-kak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let project = home.join("shop");
    std::fs::create_dir_all(home.join(".config/kak")).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(home.join("run")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(home.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
    for f in ["compose.yaml", "Dockerfile", "daemon.json"] {
        std::fs::copy(root.join("examples/broken").join(f), project.join(f)).unwrap();
    }
    std::fs::write(home.join(".config/kak/kakrc"), readme_kakrc(root)).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_portside")).parent().unwrap();
    let mut path = format!("{}:", bin_dir.display());
    if !kak_lsp_dir.is_empty() {
        path.push_str(&format!("{kak_lsp_dir}:"));
    }
    path.push_str(&std::env::var("PATH").unwrap_or_default());
    let screens = root.join("target/kakoune-screens");
    let _ = std::fs::remove_dir_all(&screens);
    std::fs::create_dir_all(&screens).unwrap();
    eprintln!("Kakoune screens will be in {}", screens.display());
    let k = Kakoune {
        home,
        project,
        screens,
        path,
    };

    k.tmux(&[
        "new-session",
        "-d",
        "-x",
        "160",
        "-y",
        "50",
        &format!("kak -s {SESSION} compose.yaml"),
    ]);
    let text = std::fs::read_to_string(k.project.join("compose.yaml")).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let col_of = |needle: &str| {
        let l = text.lines().find(|l| l.contains(needle)).unwrap();
        l.find(needle).unwrap() + 1
    };

    // 1. Diagnostics: errors counted, and one at the `localhost` token of its line.
    k.wait("a client and the yaml filetype", "1", |k| {
        k.try_query("%opt{filetype}", Duration::from_millis(500))
            .is_some_and(|f| f.trim() == "yaml")
    });
    k.wait("portside's diagnostics", "1", |k| {
        k.query("%opt{lsp_diagnostic_error_count}")
            .trim()
            .parse::<u32>()
            .is_ok_and(|n| n > 0)
    });
    let errors: u32 = k
        .query("%opt{lsp_diagnostic_error_count}")
        .trim()
        .parse()
        .unwrap();
    let (line, col) = (line_of("localhost:8080"), col_of("localhost:8080"));
    k.send("eval -client client0 %{ lsp-diagnostics }");
    k.wait("the *diagnostics* buffer", "1", |k| {
        k.query("%val{bufname}").trim() == "*diagnostics*"
            && k.screen().contains("invalid IP address: localhost")
    });
    let screen = k.save("1-diagnostics");
    let at = format!("compose.yaml:{line}:{col}:");
    assert!(
        screen
            .lines()
            .any(|l| l.contains(&at) && l.contains("invalid IP address: localhost")),
        "no diagnostic at {at}:\n{screen}"
    );
    k.send("eval -client client0 %{ buffer compose.yaml }");

    // 2. Hover on the cache's published port.
    let (line, col) = (line_of("6380:6379"), col_of("6380:6379"));
    k.send(&format!(
        "eval -client client0 %{{ select {line}.{col},{line}.{col}; lsp-hover }}"
    ));
    k.wait("the hover", "2", |k| k.screen().contains("127.0.0.1:6380"));
    k.save("2-hover");

    // 3. The quick fix, chosen from the code action menu as a user does.
    let (line, col) = (line_of("localhost:8080"), col_of("localhost:8080"));
    k.send(&format!(
        "eval -client client0 %{{ select {line}.{col},{line}.{} }}",
        col + "localhost".len() - 1
    ));
    k.tmux(&["send-keys", "Escape"]);
    k.tmux(&["send-keys", ":lsp-code-actions", "Enter"]);
    k.wait("the code action menu", "3", |k| {
        k.screen()
            .contains("Replace \"localhost\" with \"127.0.0.1\"")
    });
    k.save("3-code-actions");
    k.tmux(&["send-keys", "Replace"]);
    std::thread::sleep(Duration::from_millis(300));
    k.tmux(&["send-keys", "Enter"]);
    k.wait("the edit", "3", |k| {
        k.screen().contains("\"127.0.0.1:8080:80\"")
    });
    k.wait("fewer errors after the fix", "3", |k| {
        k.query("%opt{lsp_diagnostic_error_count}")
            .trim()
            .parse::<u32>()
            .is_ok_and(|n| n < errors)
    });
    k.save("3-fixed");
}
