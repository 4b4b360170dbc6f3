//! Servers that run in containers: how each is started, which address and port it listens
//! on by default, and which flags and variables change them. Read by the Dockerfile model's
//! listener analysis (`model::dockerfile::listen`) and by `app-listens-on-loopback`.
//! Defaults are from each tool's own documentation of its command-line options.
/// A server that binds loopback unless told otherwise.
pub struct Server {
    /// The command words that start it (`["flask", "run"]`).
    pub words: &'static [&'static str],
    /// Flags that choose the address.
    pub host_flags: &'static [&'static str],
    /// Environment variables that choose it.
    pub env: &'static [&'static str],
    /// What the quick fix inserts after the command words.
    pub fix: &'static [&'static str],
    pub default: &'static str,
    /// Flags that choose the port.
    pub port_flags: &'static [&'static str],
    /// A config file the server reads by default that may set the address; portside does
    /// not see it, so a missing flag is a warning, not an error ("" when none exists).
    pub config: &'static str,
    /// Flags that name a config file: with one, the address is the config's business and
    /// portside says nothing.
    pub config_flags: &'static [&'static str],
}

pub const SERVERS: &[Server] = &[
    Server {
        words: &["flask", "run"],
        host_flags: &["--host", "-h"],
        env: &["FLASK_RUN_HOST"],
        fix: &["--host", "0.0.0.0"],
        default: "127.0.0.1:5000",
        port_flags: &["--port", "-p"],
        config: "a `.flaskenv` read through python-dotenv",
        config_flags: &[],
    },
    Server {
        words: &["uvicorn"],
        host_flags: &["--host"],
        env: &["UVICORN_HOST"],
        fix: &["--host", "0.0.0.0"],
        default: "127.0.0.1:8000",
        port_flags: &["--port"],
        config: "",
        config_flags: &["--env-file"],
    },
    Server {
        words: &["fastapi", "dev"],
        host_flags: &["--host"],
        env: &[],
        fix: &["--host", "0.0.0.0"],
        default: "127.0.0.1:8000",
        port_flags: &["--port"],
        config: "",
        config_flags: &[],
    },
    Server {
        words: &["gunicorn"],
        host_flags: &["-b", "--bind"],
        env: &["PORT", "GUNICORN_CMD_ARGS"],
        fix: &["--bind", "0.0.0.0:8000"],
        default: "127.0.0.1:8000",
        port_flags: &[],
        config: "a `gunicorn.conf.py` in the working directory",
        config_flags: &["-c", "--config"],
    },
    Server {
        words: &["hypercorn"],
        host_flags: &["-b", "--bind"],
        env: &[],
        fix: &["--bind", "0.0.0.0:8000"],
        default: "127.0.0.1:8000",
        port_flags: &[],
        config: "",
        config_flags: &["-c", "--config"],
    },
    Server {
        words: &["vite"],
        host_flags: &["--host"],
        env: &[],
        fix: &["--host", "0.0.0.0"],
        default: "localhost:5173",
        port_flags: &["--port"],
        config: "`server.host` in vite.config",
        config_flags: &["-c", "--config"],
    },
    Server {
        words: &["ng", "serve"],
        host_flags: &["--host"],
        env: &[],
        fix: &["--host", "0.0.0.0"],
        default: "localhost:4200",
        port_flags: &["--port"],
        config: "`host` in angular.json",
        config_flags: &[],
    },
    Server {
        words: &["rails", "server"],
        host_flags: &["-b", "--binding"],
        env: &["BINDING"],
        fix: &["-b", "0.0.0.0"],
        default: "localhost:3000",
        port_flags: &["-p", "--port"],
        config: "`bind` in config/puma.rb",
        config_flags: &["-C", "--config"],
    },
    Server {
        words: &["rails", "s"],
        host_flags: &["-b", "--binding"],
        env: &["BINDING"],
        fix: &["-b", "0.0.0.0"],
        default: "localhost:3000",
        port_flags: &["-p", "--port"],
        config: "`bind` in config/puma.rb",
        config_flags: &["-C", "--config"],
    },
    Server {
        words: &["hugo", "server"],
        host_flags: &["--bind"],
        env: &[],
        fix: &["--bind", "0.0.0.0"],
        default: "127.0.0.1:1313",
        port_flags: &["--port", "-p"],
        config: "",
        config_flags: &[],
    },
    Server {
        words: &["artisan", "serve"],
        host_flags: &["--host"],
        env: &[],
        fix: &["--host=0.0.0.0"],
        default: "127.0.0.1:8000",
        port_flags: &["--port"],
        config: "",
        config_flags: &[],
    },
    Server {
        words: &["jupyter", "lab"],
        host_flags: &["--ip", "--ServerApp.ip"],
        env: &[],
        fix: &["--ip=0.0.0.0"],
        default: "localhost:8888",
        port_flags: &["--port"],
        config: "a Jupyter config file (`ServerApp.ip`)",
        config_flags: &["--config"],
    },
    Server {
        words: &["jupyter", "notebook"],
        host_flags: &["--ip", "--NotebookApp.ip", "--ServerApp.ip"],
        env: &[],
        fix: &["--ip=0.0.0.0"],
        default: "localhost:8888",
        port_flags: &["--port"],
        config: "a Jupyter config file (`ServerApp.ip`)",
        config_flags: &["--config"],
    },
    Server {
        words: &["jupyter-lab"],
        host_flags: &["--ip", "--ServerApp.ip"],
        env: &[],
        fix: &["--ip=0.0.0.0"],
        default: "localhost:8888",
        port_flags: &["--port"],
        config: "a Jupyter config file (`ServerApp.ip`)",
        config_flags: &["--config"],
    },
    Server {
        words: &["jekyll", "serve"],
        host_flags: &["--host", "-H"],
        env: &[],
        fix: &["--host", "0.0.0.0"],
        default: "127.0.0.1:4000",
        port_flags: &["--port", "-P"],
        config: "`host` in _config.yml",
        config_flags: &["--config"],
    },
];

/// Flags whose value is a listen address wherever they appear.
pub const ADDRESS_FLAGS: &[&str] = &[
    "--host",
    "--bind",
    "--hostname",
    "--ip",
    "--listen",
    "--address",
    "-b",
    "-S",
];

/// Servers that do not bind loopback but whose default port is known.
pub const OTHER_SERVERS: &[(&[&str], &[&str], u16)] = &[
    (&["fastapi", "run"], &["--port"], 8000),
    (&["next", "start"], &["-p", "--port"], 3000),
    (&["next", "dev"], &["-p", "--port"], 3000),
];
