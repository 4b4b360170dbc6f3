//! The release binaries of `scripts/build-release` and the VS Code packages made from them.
//!
//! The aarch64 Linux binary runs under qemu-user and the Windows binary under Wine: each
//! checks `examples/` and serves LSP over stdio, and must answer exactly what this host's
//! binary answers (paths and URIs compared after normalising the Windows forms). Wine 8.0
//! lacks `bcryptprimitives.dll`, which Rust's standard library loads on Windows 10 and
//! later; the Wine prefix gets a stand-in built from `tests/support/wine-bcryptprimitives.c`.
//! Nothing here runs a macOS binary: their Mach-O headers are read (64-bit executable, cpu
//! type, the system libraries and frameworks they load, the signature on arm64). Every
//! platform `.vsix` must hold its target's binary, byte for byte, and say its platform in
//! its manifest; the universal one holds no binary.
//!
//! The binaries are read from `dist/` (or PORTSIDE_DIST), the packages from
//! `editors/vscode` (or PORTSIDE_VSIX_DIR). All tests are ignored by default; `bash .ci/run`
//! builds and installs what they need and runs them with `cargo test -- --include-ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

use common::{Client, missing};
use serde_json::{Value, json};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The platforms of the VS Code packages: VS Code's name, the Rust target, the format.
const PLATFORMS: &[(&str, &str, Format)] = &[
    (
        "linux-x64",
        "x86_64-unknown-linux-gnu",
        Format::Elf(EM_X86_64),
    ),
    (
        "linux-arm64",
        "aarch64-unknown-linux-gnu",
        Format::Elf(EM_AARCH64),
    ),
    (
        "alpine-x64",
        "x86_64-unknown-linux-musl",
        Format::Elf(EM_X86_64),
    ),
    (
        "win32-x64",
        "x86_64-pc-windows-gnu",
        Format::Pe(IMAGE_FILE_MACHINE_AMD64),
    ),
    (
        "darwin-arm64",
        "aarch64-apple-darwin",
        Format::MachO(CPU_TYPE_ARM64),
    ),
    (
        "darwin-x64",
        "x86_64-apple-darwin",
        Format::MachO(CPU_TYPE_X86_64),
    ),
];

const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const IMAGE_FILE_MACHINE_AMD64: u16 = 0x8664;
const CPU_TYPE_X86_64: u32 = 0x0100_0007;
const CPU_TYPE_ARM64: u32 = 0x0100_000c;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Elf(u16),
    Pe(u16),
    MachO(u32),
}

fn dist() -> PathBuf {
    std::env::var_os("PORTSIDE_DIST").map_or_else(|| Path::new(ROOT).join("dist"), PathBuf::from)
}

/// The release binary for `target`, or a loud failure.
fn binary(target: &str) -> PathBuf {
    let exe = if target.contains("windows") {
        ".exe"
    } else {
        ""
    };
    let path = dist().join(format!("portside-{target}{exe}"));
    if !path.is_file() {
        missing(
            &format!("the release binary {}", path.display()),
            &format!(
                "`scripts/build-release {target}` builds it (set PORTSIDE_DIST if it is elsewhere)"
            ),
        );
    }
    path
}

/// `name` on PATH, or a loud failure.
fn tool(name: &str, how: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| missing(name, how))
}

fn u16_at(b: &[u8], at: usize, le: bool) -> u16 {
    let x = [b[at], b[at + 1]];
    if le {
        u16::from_le_bytes(x)
    } else {
        u16::from_be_bytes(x)
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

/// What a binary's header says it is: an ELF (machine), a PE (machine) or a 64-bit Mach-O
/// executable (cpu type). Panics on anything else.
fn format_of(bytes: &[u8]) -> Format {
    assert!(bytes.len() > 4096, "too short for an executable");
    if bytes.starts_with(b"\x7fELF") {
        assert_eq!(bytes[4], 2, "not a 64-bit ELF");
        let le = bytes[5] == 1;
        // ET_EXEC, or ET_DYN for a position-independent executable.
        let kind = u16_at(bytes, 16, le);
        assert!(
            kind == 2 || kind == 3,
            "ELF type {kind} is not an executable"
        );
        Format::Elf(u16_at(bytes, 18, le))
    } else if bytes.starts_with(b"MZ") {
        let pe = u32_at(bytes, 0x3c) as usize;
        assert_eq!(&bytes[pe..pe + 4], b"PE\0\0", "MZ without a PE header");
        let characteristics = u16_at(bytes, pe + 22, true);
        assert!(characteristics & 0x0002 != 0, "PE image is not executable");
        assert!(characteristics & 0x2000 == 0, "PE image is a DLL");
        Format::Pe(u16_at(bytes, pe + 4, true))
    } else if bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) {
        assert_eq!(u32_at(bytes, 12), 2, "Mach-O file type is not MH_EXECUTE");
        Format::MachO(u32_at(bytes, 4))
    } else {
        panic!("neither ELF, PE nor 64-bit Mach-O: {:02x?}", &bytes[..8]);
    }
}

/// The ELF's program header types (a static binary has no PT_INTERP).
fn elf_program_headers(b: &[u8]) -> Vec<u32> {
    let phoff = u64::from_le_bytes(b[32..40].try_into().unwrap()) as usize;
    let phentsize = u16_at(b, 54, true) as usize;
    let phnum = u16_at(b, 56, true) as usize;
    (0..phnum)
        .map(|i| u32_at(b, phoff + i * phentsize))
        .collect()
}

/// A Mach-O binary's load commands: (command, offset of the command, its size).
fn macho_commands(b: &[u8]) -> Vec<(u32, usize, usize)> {
    let ncmds = u32_at(b, 16) as usize;
    let mut at = 32; // after the mach_header_64
    let mut found = Vec::with_capacity(ncmds);
    for _ in 0..ncmds {
        let size = u32_at(b, at + 4) as usize;
        found.push((u32_at(b, at), at, size));
        at += size;
    }
    found
}

const LC_CODE_SIGNATURE: u32 = 0x1d;
const LC_BUILD_VERSION: u32 = 0x32;
const PLATFORM_MACOS: u32 = 1;

/// The dylibs a Mach-O binary loads (LC_LOAD_DYLIB and LC_LOAD_WEAK_DYLIB).
fn macho_dylibs(b: &[u8]) -> Vec<String> {
    const LC_LOAD_DYLIB: u32 = 0xc;
    const LC_LOAD_WEAK_DYLIB: u32 = 0x8000_0018;
    macho_commands(b)
        .into_iter()
        .filter(|&(cmd, ..)| cmd == LC_LOAD_DYLIB || cmd == LC_LOAD_WEAK_DYLIB)
        .map(|(_, at, size)| {
            let name = &b[at + u32_at(b, at + 8) as usize..at + size];
            let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
            String::from_utf8_lossy(&name[..end]).into_owned()
        })
        .collect()
}

#[test]
#[ignore = "needs the release binaries of scripts/build-release: bash .ci/run builds them; cargo test -- --include-ignored runs it"]
fn each_release_binary_is_built_for_its_platform() {
    for &(_, target, format) in PLATFORMS {
        let bytes = std::fs::read(binary(target)).unwrap();
        assert_eq!(format_of(&bytes), format, "{target}");
        match target {
            "x86_64-unknown-linux-musl" => {
                // Static (a static PIE): no interpreter, so no shared library is loaded and
                // it runs on Alpine or any Linux.
                let headers = elf_program_headers(&bytes);
                assert!(!headers.contains(&3), "{target} has PT_INTERP: not static");
            }
            "aarch64-apple-darwin" | "x86_64-apple-darwin" => {
                let dylibs = macho_dylibs(&bytes);
                assert!(
                    dylibs.iter().any(|d| d == "/usr/lib/libSystem.B.dylib"),
                    "{target}: {dylibs:?}"
                );
                // The frameworks are linked from stubs (scripts/build-release): the binary
                // must name the real ones.
                for framework in ["Security", "CoreFoundation"] {
                    let path = format!(
                        "/System/Library/Frameworks/{framework}.framework/Versions/A/{framework}"
                    );
                    assert!(dylibs.contains(&path), "{target}: {dylibs:?}");
                }
                // Built for macOS (not iOS), 13 or later: LC_BUILD_VERSION's platform and
                // minimum version (xxxx.yy.zz in nibbles).
                let build = macho_commands(&bytes)
                    .into_iter()
                    .find(|&(cmd, ..)| cmd == LC_BUILD_VERSION)
                    .map(|(_, at, _)| (u32_at(&bytes, at + 8), u32_at(&bytes, at + 12)));
                let Some((platform, minos)) = build else {
                    panic!("{target} has no LC_BUILD_VERSION")
                };
                assert_eq!(platform, PLATFORM_MACOS, "{target}");
                assert!(minos <= 13 << 16, "{target} needs macOS {}", minos >> 16);
                // Apple silicon runs signed code only (an ad-hoc signature will do).
                if target.starts_with("aarch64") {
                    assert!(
                        macho_commands(&bytes)
                            .iter()
                            .any(|&(cmd, ..)| cmd == LC_CODE_SIGNATURE),
                        "{target} is not signed"
                    );
                }
                // Only system libraries: nothing a Mac would have to install.
                for d in &dylibs {
                    assert!(
                        d.starts_with("/usr/lib/") || d.starts_with("/System/Library/Frameworks/"),
                        "{target} loads {d}, which macOS does not ship"
                    );
                }
            }
            _ => {}
        }
    }
}

/// How a foreign binary runs here.
#[derive(Clone, Copy)]
enum Runner {
    Qemu,
    Wine,
    /// The static musl binary needs nothing from the system: it runs as it would on Alpine.
    Static,
}

impl Runner {
    fn target(self) -> &'static str {
        match self {
            Runner::Qemu => "aarch64-unknown-linux-gnu",
            Runner::Wine => "x86_64-pc-windows-gnu",
            Runner::Static => "x86_64-unknown-linux-musl",
        }
    }

    /// A command that runs the binary with `args` in the repository.
    fn command(self, args: &[&str]) -> std::process::Command {
        let bin = binary(self.target());
        let mut c = match self {
            Runner::Qemu => {
                let qemu = tool("qemu-aarch64", "apt-get install qemu-user");
                let sysroot = Path::new("/usr/aarch64-linux-gnu");
                if !sysroot.join("lib/ld-linux-aarch64.so.1").exists() {
                    missing(
                        "the aarch64 C library in /usr/aarch64-linux-gnu",
                        "apt-get install libc6-arm64-cross (gcc-aarch64-linux-gnu brings it)",
                    );
                }
                let mut c = std::process::Command::new(qemu);
                c.arg("-L").arg(sysroot).arg(bin);
                c
            }
            Runner::Wine => {
                let wine = tool("wine", "apt-get install wine wine64");
                let mut c = std::process::Command::new(wine);
                c.arg(bin).envs(wine_env());
                c
            }
            Runner::Static => std::process::Command::new(bin),
        };
        c.args(args).current_dir(ROOT);
        c
    }

    /// The URIs of the repository's folder as this platform writes them, the editor's
    /// first: Wine's Z: drive is the Unix root, and VS Code writes `z%3A` for `Z:` where
    /// the server writes `Z%3A` for the files it names itself.
    fn roots(self) -> Vec<String> {
        match self {
            Runner::Qemu | Runner::Static => vec![format!("file://{ROOT}")],
            Runner::Wine => vec![format!("file:///z%3A{ROOT}"), format!("file:///Z%3A{ROOT}")],
        }
    }
}

/// Wine's environment: a prefix in the CI cache (made once, by `wineboot`), no debug
/// output, no Mono or Gecko installers.
fn wine_env() -> Vec<(&'static str, std::ffi::OsString)> {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let prefix = std::env::var_os("WINEPREFIX").map_or_else(
            || {
                let cache = std::env::var_os("XDG_CACHE_HOME").map_or_else(
                    || Path::new(&std::env::var_os("HOME").unwrap()).join(".cache"),
                    PathBuf::from,
                );
                cache.join("portside-ci/wine-prefix")
            },
            PathBuf::from,
        );
        if !prefix.join("system.reg").exists() {
            let wine = tool("wine", "apt-get install wine wine64");
            let o = std::process::Command::new(wine)
                .args(["wineboot", "--init"])
                .env("WINEPREFIX", &prefix)
                .env("WINEDEBUG", "-all")
                .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
                .output()
                .unwrap();
            assert!(
                prefix.join("system.reg").exists(),
                "wineboot made no prefix in {}: {}",
                prefix.display(),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        // Wine 8.0 has no bcryptprimitives.dll, which Rust's standard library needs on
        // Windows (ProcessPrng, Windows 10 and later): a stand-in of ours goes in the prefix.
        let dll = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
        if !dll.exists() {
            let gcc = tool(
                "x86_64-w64-mingw32-gcc",
                "apt-get install gcc-mingw-w64-x86-64",
            );
            let o = std::process::Command::new(gcc)
                .args(["-O2", "-shared", "-o"])
                .arg(&dll)
                .arg(Path::new(ROOT).join("tests/support/wine-bcryptprimitives.c"))
                .arg("-ladvapi32")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        prefix
    });
    vec![
        ("WINEPREFIX", prefix.clone().into_os_string()),
        ("WINEDEBUG", "-all".into()),
        ("WINEDLLOVERRIDES", "mscoree,mshtml=".into()),
    ]
}

/// The output and exit code of `portside check examples` by the host's binary.
fn host_check() -> (String, Option<i32>) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_portside"))
        .args(["check", "examples"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    (String::from_utf8(o.stdout).unwrap(), o.status.code())
}

fn check_examples(runner: Runner) {
    let o = runner.command(&["check", "examples"]).output().unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let (host_out, host_code) = host_check();
    assert!(
        host_out.contains("examples/broken/compose.yaml:10:10"),
        "{host_out}"
    );
    let (out, host_out) = match runner {
        Runner::Qemu | Runner::Static => (out, host_out),
        Runner::Wine => {
            assert!(
                out.contains(r"examples\broken\compose.yaml:10:10"),
                "the Windows binary prints Windows paths:\n{out}\n{err}"
            );
            // With no setting and no daemon, portside on Windows assumes Docker Desktop
            // (the platform guess), and the rules whose verdict depends on the platform
            // say so: the findings are the same, their wording is not.
            assert!(
                out.contains("(assumed: portside runs on Windows)"),
                "the Windows binary guesses Docker Desktop:\n{out}"
            );
            let out = out
                .replace(r"examples\broken\", "examples/broken/")
                .replace(r"examples\clean\", "examples/clean/");
            (findings_only(&out), findings_only(&host_out))
        }
    };
    assert_eq!(out, host_out, "stderr: {err}");
    assert_eq!(o.status.code(), host_code, "stderr: {err}");
}

/// `portside check`'s output with each finding's message left out: its level, code and
/// place, the source lines and the summary stay.
fn findings_only(out: &str) -> String {
    out.lines()
        .map(|line| {
            let finding = ["error[", "warning[", "info[", "hint["]
                .iter()
                .any(|level| line.starts_with(level));
            match line.find("]: ") {
                Some(end) if finding => &line[..=end],
                _ => line,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One LSP session over stdio: initialize, open the broken Compose file, wait for its
/// diagnostics, hover on the cache's port, shut down. Returns the diagnostics and the
/// hover with the repository's URIs (`roots`) replaced by `{root}`.
async fn lsp_session(
    command: std::process::Command,
    roots: &[String],
    options: Value,
) -> (Value, Value) {
    let uri = &format!("{}/examples/broken/compose.yaml", roots[0]);
    let mut child = tokio::process::Command::from(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn portside lsp");
    let mut c = Client::new(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let init = c
        .initialize_with(
            json!({"general": {"positionEncodings": ["utf-16"]}}),
            options,
        )
        .await;
    assert_eq!(init["result"]["serverInfo"]["name"], "portside", "{init}");
    assert_eq!(
        init["result"]["capabilities"]["hoverProvider"], true,
        "{init}"
    );

    let text =
        std::fs::read_to_string(Path::new(ROOT).join("examples/broken/compose.yaml")).unwrap();
    c.open(uri, "dockercompose", 1, &text).await;
    let diagnostics = c.diagnostics(uri).await;
    let line = text
        .lines()
        .position(|l| l.contains("\"6380:6379\""))
        .unwrap();
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 10}}),
        )
        .await;
    let r = c.request("shutdown", Value::Null).await;
    assert_eq!(r["result"], Value::Null);
    c.notify("exit", json!(null)).await;
    let status = tokio::time::timeout(common::TIMEOUT, child.wait())
        .await
        .expect("portside exits after `exit`")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let general = |v: &Value| -> Value {
        let text = roots
            .iter()
            .fold(v.to_string(), |t, root| t.replace(root.as_str(), "{root}"));
        serde_json::from_str(&text).unwrap()
    };
    (general(&diagnostics), general(&hover["result"]))
}

/// Fails with the first line where `foreign` and `host` differ (pretty-printed).
fn same(what: &str, foreign: &Value, host: &Value) {
    let (a, b) = (
        serde_json::to_string_pretty(foreign).unwrap(),
        serde_json::to_string_pretty(host).unwrap(),
    );
    if let Some((i, (x, y))) = a
        .lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
    {
        panic!("{what} differ at line {i}:\n  this platform: {x}\n  host:          {y}\n{a}");
    }
    assert_eq!(a, b, "{what}");
}

async fn serve_lsp(runner: Runner) {
    // The platform is a setting here, so that every binary gives the same verdicts (left to
    // its guess, the Windows one assumes Docker Desktop: `check_examples` shows it).
    let options = json!({"host": {"platform": "docker-desktop"}});
    let (diagnostics, hover) =
        lsp_session(runner.command(&["lsp"]), &runner.roots(), options.clone()).await;
    let mut host = std::process::Command::new(env!("CARGO_BIN_EXE_portside"));
    host.arg("lsp").current_dir(ROOT);
    let (host_diagnostics, host_hover) =
        lsp_session(host, &[format!("file://{ROOT}")], options).await;

    let list = diagnostics["diagnostics"].as_array().unwrap();
    assert_eq!(list[0]["code"], "invalid-port-spec", "{diagnostics}");
    same("diagnostics", &diagnostics, &host_diagnostics);
    let value = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        value.contains("**`cache`** publishes `6380:6379`"),
        "{hover}"
    );
    same("hover", &hover, &host_hover);
}

#[test]
#[ignore = "needs qemu-user and the aarch64 release binary: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
fn the_aarch64_binary_checks_the_examples_under_qemu() {
    check_examples(Runner::Qemu);
}

#[test]
#[ignore = "needs Wine and the Windows release binary: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
fn the_windows_binary_checks_the_examples_under_wine() {
    check_examples(Runner::Wine);
}

#[test]
#[ignore = "needs the static musl release binary: bash .ci/run builds it; cargo test -- --include-ignored runs it"]
fn the_static_binary_checks_the_examples() {
    check_examples(Runner::Static);
}

#[tokio::test]
#[ignore = "needs the static musl release binary: bash .ci/run builds it; cargo test -- --include-ignored runs it"]
async fn the_static_binary_serves_lsp() {
    serve_lsp(Runner::Static).await;
}

#[tokio::test]
#[ignore = "needs qemu-user and the aarch64 release binary: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
async fn the_aarch64_binary_serves_lsp_under_qemu() {
    serve_lsp(Runner::Qemu).await;
}

#[tokio::test]
#[ignore = "needs Wine and the Windows release binary: bash .ci/run sets them up; cargo test -- --include-ignored runs it"]
async fn the_windows_binary_serves_lsp_under_wine() {
    serve_lsp(Runner::Wine).await;
}

/// A zip's entries from its central directory: name, CRC-32, uncompressed size.
fn zip_entries(zip: &[u8]) -> Vec<(String, u32, u64)> {
    let eocd = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| zip[i..].starts_with(b"PK\x05\x06"))
        .expect("no end of central directory: not a zip");
    let count = u16_at(zip, eocd + 10, true) as usize;
    let mut at = u32_at(zip, eocd + 16) as usize;
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        assert!(
            zip[at..].starts_with(b"PK\x01\x02"),
            "bad central directory"
        );
        let crc = u32_at(zip, at + 16);
        let size = u64::from(u32_at(zip, at + 24));
        let name_len = u16_at(zip, at + 28, true) as usize;
        let extra_len = u16_at(zip, at + 30, true) as usize;
        let comment_len = u16_at(zip, at + 32, true) as usize;
        let name = String::from_utf8_lossy(&zip[at + 46..at + 46 + name_len]).into_owned();
        entries.push((name, crc, size));
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// CRC-32 (IEEE, as zip has it).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// The manifest of a .vsix (read with `unzip -p`: it is deflated).
fn vsix_manifest(vsix: &Path) -> String {
    let unzip = tool("unzip", "apt-get install unzip");
    let o = std::process::Command::new(unzip)
        .arg("-p")
        .arg(vsix)
        .arg("extension.vsixmanifest")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
#[ignore = "needs the platform .vsix files of npm run package:all: bash .ci/run makes them; cargo test -- --include-ignored runs it"]
fn each_platform_package_holds_the_binary_of_its_platform() {
    let dir = std::env::var_os("PORTSIDE_VSIX_DIR")
        .map_or_else(|| Path::new(ROOT).join("editors/vscode"), PathBuf::from);
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("editors/vscode/package.json")).unwrap(),
    )
    .unwrap();
    let version = package["version"].as_str().unwrap();
    let vsix = |platform: Option<&str>| {
        let name = match platform {
            Some(p) => format!("portside-{p}-{version}.vsix"),
            None => format!("portside-{version}.vsix"),
        };
        let path = dir.join(&name);
        if !path.is_file() {
            missing(
                &format!("the VS Code package {}", path.display()),
                "`npm run package:all` in editors/vscode makes every package from the binaries of scripts/build-release",
            );
        }
        path
    };
    for &(platform, target, format) in PLATFORMS {
        let path = vsix(Some(platform));
        let zip = std::fs::read(&path).unwrap();
        let bins: Vec<_> = zip_entries(&zip)
            .into_iter()
            .filter(|(name, ..)| name.starts_with("extension/bin/"))
            .collect();
        let exe = if platform.starts_with("win32") {
            "portside.exe"
        } else {
            "portside"
        };
        assert_eq!(bins.len(), 1, "{platform}: {bins:?}");
        let (name, crc, size) = &bins[0];
        assert_eq!(name, &format!("extension/bin/{exe}"), "{platform}");
        let binary = std::fs::read(binary(target)).unwrap();
        assert_eq!(format_of(&binary), format, "{target}");
        assert_eq!(
            *size,
            binary.len() as u64,
            "{platform}: not the {target} binary"
        );
        assert_eq!(*crc, crc32(&binary), "{platform}: not the {target} binary");
        let manifest = vsix_manifest(&path);
        assert!(
            manifest.contains(&format!("TargetPlatform=\"{platform}\"")),
            "{platform}: {manifest}"
        );
    }
    let universal = vsix(None);
    let entries = zip_entries(&std::fs::read(&universal).unwrap());
    assert!(
        entries
            .iter()
            .any(|(n, ..)| n == "extension/out/extension.js"),
        "{entries:?}"
    );
    let bins: Vec<_> = entries
        .iter()
        .filter(|(n, ..)| n.starts_with("extension/bin/"))
        .collect();
    assert!(bins.is_empty(), "the universal package holds {bins:?}");
    assert!(!vsix_manifest(&universal).contains("TargetPlatform="));
}

#[test]
fn the_readers_know_their_formats() {
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    let host = std::fs::read(env!("CARGO_BIN_EXE_portside")).unwrap();
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        assert_eq!(format_of(&host), Format::Elf(EM_X86_64));
        // The host binary is dynamically linked: the reader sees its interpreter.
        assert!(elf_program_headers(&host).contains(&3));
    }
}
