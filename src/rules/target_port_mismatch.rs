use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::knowledge::images;
use crate::model::compose::Project;
use crate::model::compose::{Port, PortSpec};
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Reports a `ports` mapping whose container port is not where the app listens:
    /// - for a service built from a Dockerfile in the workspace (`build:`), the port the
    ///   server visibly listens on (`--port 8000`, `--bind 0.0.0.0:8000`, `runserver
    ///   0.0.0.0:8000`, or a known server's default such as `flask run` → 5000), else the
    ///   ports the stage that runs `EXPOSE`s (with the service's `expose` and `*PORT`
    ///   variables counted as listening ports too);
    /// - for a service whose own `command`/`entrypoint` shows the port its server listens on
    ///   (`uvicorn app:app --port 8000`, `gunicorn -b 0.0.0.0:5000`, a listen URL such as
    ///   `--listen=http://0.0.0.0:9000` or `--bind tcp://0.0.0.0:9000`, Go's `-addr :8080`,
    ///   or a known server's default), that port;
    /// - for a service run from an image that portside's image table knows (137
    ///   images: the official databases, caches, brokers, proxies and web apps, and
    ///   variants such as `nginxinc/nginx-unprivileged` on 8080 or the `-fpm` tags on 9000;
    ///   each fact with its source in `src/knowledge/images.toml`), a container port the
    ///   image's server does not listen on: swapped sides (`"5432:5433"` on postgres), or a
    ///   port nothing answers on (`"5433:5433"`). Services whose `command`, `entrypoint`,
    ///   mounted config file or a port variable the image table names (`PGPORT`,
    ///   `RABBITMQ_NODE_PORT`, `NGINX_PORT`, ...) may move the port are left alone, as are ports the service
    ///   `expose`s and images with more than three listeners (only swaps are reported there);
    /// - for a service that mounts the config file its server reads (`redis.conf` with `port
    ///   6380`, `mongod.conf`'s `net.port`, `postgresql.conf`'s `port`, MySQL's `port`,
    ///   HAProxy's `bind`, Caddy's site addresses, Traefik's entryPoints, httpd's `Listen`,
    ///   nginx's `listen` in files that replace the image's `default.conf`), the ports the
    ///   file makes it listen on, unless the file has includes or placeholders, or the
    ///   command or a `*PORT*` variable may move the port;
    /// - for a service that sets `PORT` in its `environment` while its command shows no port
    ///   of its own, a container port other than `PORT` when no other mapping reaches
    ///   `PORT`: a warning where the server's documentation (`next start`, Nitro, Bun: the
    ///   `port_env` of `src/knowledge/servers.toml`) or the image table says it reads
    ///   `PORT`, or where the program is a Node app (`node`, `npm start`, `nodemon`, ...) or
    ///   a Go program (`go run`, a binary built `FROM golang`), which by the convention of
    ///   Heroku and Cloud Run read it; information where only the variable says so. Ports
    ///   another `*PORT*` variable names, `expose`d ports and debugger ports are left alone;
    /// - with live checks on, for a service run from an image the table does not know but the
    ///   Docker host has, the port its `Cmd`/`Entrypoint` shows or its `ExposedPorts` (read
    ///   with `docker image inspect`, never pulled; the message names the image ID).
    ///
    /// The related information points at the Dockerfile line that shows the port.
    ///
    /// ## Why it matters
    /// `ports` is `HOST:CONTAINER`. `"80:8080"` on nginx sends host port 80 to container
    /// port 8080, where nothing listens: the connection is reset (`curl: (52) Empty reply`).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports: ["80:8080"]
    ///   api:
    ///     build: ./api          # its Dockerfile runs `uvicorn app:app --port 8000`
    ///     ports: ["8080:8080"]
    /// ```
    ///
    /// ## Fix
    /// Swap the two sides (`"8080:80"`), or map to the port the app listens on
    /// (`"8080:8000"`); both are quick fixes.
    pub static TARGET_PORT_MISMATCH = {
        code: "target-port-mismatch",
        severity: Warning,
        applies_to: "Compose files",
        summary: "The container port is not where the app listens",
        compose: [check, check_built, check_commands, check_configs, check_port_env],
    };
}

/// Ports that debuggers and profilers listen on (Node's inspector, Java's JDWP, debugpy,
/// Delve, Xdebug): never the port a web mapping was meant for.
const DEBUGGER_PORTS: &[u16] = &[9229, 9230, 5005, 5678, 2345, 9003];

/// Images whose table entry lists more ports than this are left to the swap check alone:
/// servers with many listeners (clusters, collectors) often open more than their defaults.
pub(crate) const MAX_KNOWN_PORTS: usize = 3;

/// Services run from an image the knowledge table knows (`knowledge::images`): a mapping
/// whose container port nothing in the image listens on.
/// What the image table says a service's image listens on, when nothing in the service may
/// have moved it: no `build`, `command`, `entrypoint`, mounted config file, or variable that
/// moves the port (the image's own port and address variables, as the table names them).
/// Other `*PORT*` variables are the app's settings for what it connects to (`DB_PORT`,
/// `SMTP_PORT` on an app image) and move nothing.
pub(crate) fn image_listeners(
    p: &Project,
    s: &crate::model::compose::Service,
) -> Option<images::Known> {
    let known = p.image_known(s)?;
    if known.ports.is_empty() {
        return None;
    }
    let moved_by_env = |key: &str| {
        known
            .image
            .port_env
            .iter()
            .any(|v| v.eq_ignore_ascii_case(key))
            || known
                .image
                .bind_env
                .iter()
                .any(|v| v.eq_ignore_ascii_case(key))
    };
    let moved = s.has_build
        || p.key(s, "command").is_some()
        || p.key(s, "entrypoint").is_some()
        || super::mounts_config(p, s)
        || s.environment.iter().any(|e| moved_by_env(e.key));
    (!moved).then_some(known)
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        let Some(known) = image_listeners(p, s) else {
            continue;
        };
        let image = known.name;
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            let [b] = bindings else { continue };
            let Ok(published) = b.published.parse::<u16>() else {
                continue;
            };
            let listens: Vec<&images::PortFact> = known
                .ports
                .iter()
                .filter(|f| f.protocol == b.protocol)
                .collect();
            if listens.iter().any(|f| f.port == b.target) {
                continue;
            }
            if listens.iter().any(|f| f.port == published) {
                let f = Finding::new(
                    &TARGET_PORT_MISMATCH,
                    p.span(port.item),
                    format!(
                        "`{image}` listens on {published}, not {}. This sends host port {published} to container port {}, where nothing listens. `ports` is HOST:CONTAINER; swap them",
                        b.target, b.target
                    ),
                );
                out.push(with_swap(p, port, f));
                continue;
            }
            if known.ports.len() > MAX_KNOWN_PORTS
                || listens.is_empty()
                || DEBUGGER_PORTS.contains(&b.target)
                || exposes(s, b.target)
            {
                continue;
            }
            let list: Vec<String> = listens
                .iter()
                .map(|f| format!("{} ({})", f.port, f.what))
                .collect();
            let f = Finding::new(
                &TARGET_PORT_MISMATCH,
                p.span(port.item),
                format!(
                    "Nothing in `{image}` listens on container port {}. The image's server listens on {}. Map to the port the server listens on, or set the image's own port setting",
                    b.target,
                    list.join(", ")
                ),
            );
            // A tag variant serves another protocol (php-fpm's FastCGI instead of HTTP):
            // mapping to it is no fix for a browser.
            out.push(match listens[..] {
                [only] if known.variant.is_none() => with_target(p, port, only.port, f),
                _ => f,
            });
        }
    }
}

/// The service's own `expose` names `port`: it says the app listens there.
pub(crate) fn exposes(s: &crate::model::compose::Service, port: u16) -> bool {
    s.expose
        .iter()
        .any(|v| ports::parse_expose(&v.value).is_ok_and(|e| e.iter().any(|x| x.port == port)))
}

/// Adds the quick fix that swaps the host and container ports of a literal short entry.
fn with_swap(p: &Project, port: &Port, f: Finding) -> Finding {
    let PortSpec::Short(v) = &port.spec else {
        return f;
    };
    if v.interpolated() {
        return f;
    }
    let parts = ports::spec_parts(&v.value);
    let (Some(host), Some(container)) = (
        p.raw_span(v, parts.host.clone()),
        p.raw_span(v, parts.container.clone()),
    ) else {
        return f;
    };
    f.with_fix(
        "Swap host and container ports",
        vec![
            Edit {
                range: host,
                new_text: v.value[parts.container].to_string(),
            },
            Edit {
                range: container,
                new_text: v.value[parts.host].to_string(),
            },
        ],
    )
}

/// Adds the quick fix that sets the container port of a literal entry to `to`.
fn with_target(p: &Project, port: &Port, to: u16, f: Finding) -> Finding {
    let edit = match &port.spec {
        PortSpec::Short(v) if !v.interpolated() => {
            let parts = ports::spec_parts(&v.value);
            p.raw_span(v, parts.container).map(|range| Edit {
                range,
                new_text: to.to_string(),
            })
        }
        PortSpec::Long(long) => long
            .target
            .as_ref()
            .filter(|t| !t.interpolated())
            .and_then(|t| p.raw_span(t, 0..t.value.len()))
            .map(|range| Edit {
                range,
                new_text: to.to_string(),
            }),
        _ => None,
    };
    match edit {
        Some(edit) => f.with_fix(format!("Map to container port {to}"), vec![edit]),
        None => f,
    }
}

/// Ports the app may listen on besides the one its command shows: the service's `expose`
/// and the values of `PORT`-like variables.
pub(crate) fn also_listening(
    s: &crate::model::compose::Service,
    stage: &crate::model::dockerfile::Stage,
) -> Vec<u16> {
    let mut also: Vec<u16> = s
        .expose
        .iter()
        .filter_map(|v| ports::parse_expose(&v.value).ok())
        .flat_map(|list| list.into_iter().take(1024).map(|e| e.port))
        .collect();
    also.extend(
        stage
            .vars
            .iter()
            .filter(|(k, _)| k == "PORT" || k.ends_with("_PORT"))
            .filter_map(|(_, v)| v.as_deref()?.parse::<u16>().ok()),
    );
    also
}

/// Ports from [`config_ports`]: the ports, the server's name, the file that moved the
/// port and the span of that listener in it.
pub(crate) type ConfigPorts<'p> = (
    Vec<u16>,
    &'static str,
    &'p crate::model::compose::MountedConfig,
    std::ops::Range<usize>,
);

/// The ports a service's server listens on per the config files it mounts, when they
/// decide them all and move the port (a port written in the file), with the file and the
/// span of the first port written.
pub(crate) fn config_ports<'p>(
    p: &'p Project,
    s: &crate::model::compose::Service,
) -> Option<ConfigPorts<'p>> {
    use crate::model::appconfig::Kind;
    let mounted: Vec<&crate::model::compose::MountedConfig> = p
        .external
        .mounted_configs
        .iter()
        .filter(|c| c.service == s.name)
        .collect();
    let first = *mounted.iter().find(|c| !c.config.listens.is_empty())?;
    let kind = first.kind;
    // nginx's includes are known when each brings no server (`mime.types`) or files of
    // `conf.d/`, which the mounts replace (checked below).
    let nginx_conf_d = |c: &crate::model::compose::MountedConfig| {
        c.kind == Kind::Nginx
            && c.config.includes.iter().all(|i| {
                crate::model::appconfig::nginx_include_has_no_servers(i)
                    || i.starts_with("/etc/nginx/conf.d/")
                    || i.starts_with("conf.d/")
            })
    };
    if !super::runs_config_server(s, kind)
        || mounted.iter().any(|c| {
            c.kind != kind
                || (c.config.open && !nginx_conf_d(c))
                || c.kind.port_in_command(&c.command)
        })
        || s.environment
            .iter()
            .any(|e| e.key.to_ascii_uppercase().contains("PORT"))
    {
        return None;
    }
    // nginx reads the image's own `conf.d/default.conf` (port 80) and its templates
    // unless the mounts replace them.
    if kind == Kind::Nginx {
        let replaced = mounted.iter().any(|c| {
            c.target == "/etc/nginx/conf.d/default.conf"
                || (c.from_folder && c.target.starts_with("/etc/nginx/conf.d/"))
        });
        let templates = p
            .yaml
            .get(s.node, "volumes")
            .is_some_and(|v| p.yaml.source(p.text, v.value).contains("templates"));
        // A mounted nginx.conf that includes nothing of conf.d/ leaves the image's
        // default.conf unread.
        let main = mounted.iter().find(|c| c.target == "/etc/nginx/nginx.conf");
        let reads_conf_d = main.is_none_or(|m| {
            m.config
                .includes
                .iter()
                .any(|i| i.starts_with("/etc/nginx/conf.d/") || i.starts_with("conf.d/"))
        });
        if (reads_conf_d && !replaced)
            || templates
            || mounted.iter().any(|c| {
                !c.target.starts_with("/etc/nginx/conf.d/") && c.target != "/etc/nginx/nginx.conf"
            })
        {
            return None;
        }
    }
    let mut ports = Vec::new();
    let mut moved = None;
    for c in &mounted {
        for l in &c.config.listens {
            let port = l.port.or(kind.default_port())?;
            if !ports.contains(&port) {
                ports.push(port);
            }
        }
        if moved.is_none()
            && let Some(span) = c.config.listens.iter().find_map(|l| l.port_span.clone())
        {
            moved = Some((*c, span));
        }
    }
    let (c, span) = moved?;
    Some((ports, kind.name(), c, span))
}

/// Services whose mounted config file makes the server listen on other ports than the
/// one a `ports` entry maps to.
pub fn check_configs(p: &Project, out: &mut Vec<Finding>) {
    if p.external.mounted_configs.is_empty() {
        return;
    }
    for s in &p.services {
        if s.ports.is_empty() || s.network_mode.is_some() {
            continue;
        }
        let Some((listens, server, c, span)) = config_ports(p, s) else {
            continue;
        };
        let name = c.file_name();
        for port in &s.ports {
            let Some([b]) = port.bindings() else {
                continue;
            };
            if b.protocol != "tcp" || listens.contains(&b.target) || exposes(s, b.target) {
                continue;
            }
            let list: Vec<String> = listens.iter().map(u16::to_string).collect();
            let list = list.join(", ");
            let published = b.published.parse::<u16>().ok();
            let swapped = published.is_some_and(|x| listens.contains(&x));
            let f = Finding::new(
                &TARGET_PORT_MISMATCH,
                p.port_span(port),
                format!(
                    "`{name}` makes {server} listen on {list}, not {}. Connections to this mapping will be reset. {}",
                    b.target,
                    if swapped {
                        "`ports` is HOST:CONTAINER; swap them".to_string()
                    } else {
                        format!("Map to the port `{name}` sets, or change the file")
                    }
                ),
            )
            .with_related_in(c.file.clone(), span.clone(), "the port the server listens on");
            out.push(match (swapped, &listens[..]) {
                (true, _) => with_swap(p, port, f),
                (false, [only]) => with_target(p, port, *only, f),
                _ => f,
            });
        }
    }
}

/// Services whose Compose `command`/`entrypoint` starts a server with a visible port
/// (`uvicorn app:app --port 8000`, `flask run` → 5000): the container port against it.
pub fn check_commands(p: &Project, out: &mut Vec<Finding>) {
    let built = super::built_or_local(p);
    for s in &p.services {
        if s.ports.is_empty() || s.network_mode.is_some() {
            continue;
        }
        let image = built
            .iter()
            .find(|b| b.service.name == s.name)
            .map(|b| &b.stage);
        let Some(stage) = crate::model::compose::command::service_stage(p, s, image) else {
            continue;
        };
        let Some(l) = crate::model::dockerfile::listen::listen_port(&stage) else {
            continue;
        };
        // A server's default port, when a config file it reads may move it: the file
        // decides (`check_configs`).
        if l.default
            && p.external
                .mounted_configs
                .iter()
                .any(|c| c.service == s.name)
        {
            continue;
        }
        let also = also_listening(s, &stage);
        for port in &s.ports {
            let Some([binding]) = port.bindings() else {
                continue;
            };
            let target = binding.target;
            if l.port == target || (l.default && also.contains(&target)) {
                continue;
            }
            let published = binding.published.parse::<u16>().ok();
            let how = l.how();
            let swapped = published == Some(l.port);
            let f = Finding::new(
                &TARGET_PORT_MISMATCH,
                p.port_span(port),
                format!(
                    "`{}`'s command listens on port {}, not {target}. Connections to this mapping will be reset. Read from the command: {how}. {}",
                    s.name,
                    l.port,
                    if swapped {
                        "`ports` is HOST:CONTAINER; swap them".to_string()
                    } else {
                        format!("Map to container port {}", l.port)
                    }
                ),
            )
            .with_related(l.span.clone(), "the server's port");
            out.push(if swapped {
                with_swap(p, port, f)
            } else {
                with_target(p, port, l.port, f)
            });
        }
    }
}

/// What a stage `EXPOSE`s, and whether every `EXPOSE` word resolved.
fn exposed_ports(stage: &crate::model::dockerfile::Stage) -> (Vec<u16>, bool) {
    let mut exposed: Vec<u16> = Vec::new();
    let mut resolved = true;
    for w in &stage.exposes {
        for value in w.values.iter().flatten() {
            match ports::parse_expose(value) {
                Ok(list) => exposed.extend(list.iter().take(1024).map(|e| e.port)),
                Err(_) => resolved = false,
            }
        }
        resolved &= w.values.is_some();
    }
    (exposed, resolved)
}

/// Services that set `PORT` in `environment` and map another container port, when the
/// command shows no port of its own: a server or image whose documentation says it reads
/// `PORT` (`next start`, the image table's `port_env`) or a Node or Go app (the convention)
/// is a warning; anything else, where only the variable says so, is information.
pub fn check_port_env(p: &Project, out: &mut Vec<Finding>) {
    // Most files set no `PORT`: nothing to model.
    if !p
        .services
        .iter()
        .any(|s| !s.ports.is_empty() && s.environment.iter().any(|e| e.key == "PORT"))
    {
        return;
    }
    let built = super::built_or_local(p);
    for s in &p.services {
        if s.ports.is_empty() || s.network_mode.is_some() {
            continue;
        }
        let Some(val) = s
            .environment
            .iter()
            .rev()
            .find(|e| e.key == "PORT")
            .and_then(|e| e.value.as_ref())
        else {
            continue;
        };
        let Some(port) = val.value.trim().parse::<u16>().ok().filter(|p| *p != 0) else {
            continue;
        };
        let targets: Vec<u16> = s
            .ports
            .iter()
            .filter_map(Port::bindings)
            .flatten()
            .map(|b| b.target)
            .collect();
        // One mapping reaches `PORT`: the others are other listeners (a debugger, metrics).
        if targets.is_empty() || targets.contains(&port) {
            continue;
        }
        let b = built.iter().find(|b| b.service.name == s.name);
        let stage = crate::model::compose::command::service_stage(p, s, b.map(|b| &b.stage))
            .or_else(|| b.filter(|b| !b.overridden).map(|b| b.stage.clone()));
        // A command that shows its port is compared with it by `check_commands`/`check_built`.
        if stage
            .as_ref()
            .is_some_and(|st| crate::model::dockerfile::listen::listen_port(st).is_some())
        {
            continue;
        }
        let reader = match p.image_known(s).filter(|_| b.is_none()) {
            // The image table knows the image: only its own variables count.
            Some(known) => {
                if !known.image.port_env.iter().any(|v| v == "PORT") {
                    continue;
                }
                Some((format!("`{}` reads `PORT` (image table)", known.name), true))
            }
            None => stage.as_ref().and_then(|st| {
                let go_built = b.is_some_and(|b| {
                    b.local.is_none()
                        && b.file.text.lines().any(|l| {
                            let l = l.trim_start().to_ascii_lowercase();
                            l.starts_with("from golang") || l.contains("/golang:")
                        })
                });
                crate::model::dockerfile::listen::port_env_reader(
                    &st.command(),
                    b.and_then(|b| b.package).map(|f| &*f.text),
                    go_built,
                )
            }),
        };
        let exposed = b.map(|b| exposed_ports(&b.stage));
        // Other `*PORT*` variables that name a container port: that listener is known.
        let named = |target: u16| {
            s.environment.iter().any(|e| {
                e.key.to_ascii_uppercase().contains("PORT")
                    && e.value
                        .as_ref()
                        .is_some_and(|v| v.value.trim().parse::<u16>() == Ok(target))
            })
        };
        for mapping in &s.ports {
            let Some([binding]) = mapping.bindings() else {
                continue;
            };
            let target = binding.target;
            if DEBUGGER_PORTS.contains(&target) || exposes(s, target) || named(target) {
                continue;
            }
            // What the image EXPOSEs and the mapping misses is `check_built`'s.
            if let Some((list, true)) = &exposed
                && !list.is_empty()
                && !list.contains(&target)
            {
                continue;
            }
            let origin = super::origin_sentence(&p.value_origin(val), "It")
                .map(|o| format!(" {o}."))
                .unwrap_or_default();
            let (message, severity) = match &reader {
                Some((why, documented)) => (
                    format!(
                        "`{}` sets `PORT={port}`, so its app most likely listens on {port}, not {target}. {why}{} connections to this mapping are reset.{origin} Map to container port {port}, or set `PORT` to {target}",
                        s.name,
                        if *documented {
                            ", so"
                        } else {
                            " from the environment; if this one does,"
                        },
                    ),
                    crate::finding::Severity::Warning,
                ),
                None => (
                    format!(
                        "If `{}`'s app reads `PORT`, it listens on {port}, not on container port {target}. Only the variable says so: nothing shows which program runs or what it reads.{origin} If it does, map to container port {port}, or set `PORT` to {target}",
                        s.name,
                    ),
                    crate::finding::Severity::Info,
                ),
            };
            let f = Finding::new(&TARGET_PORT_MISMATCH, p.port_span(mapping), message)
                .with_related(p.value_span(val, 0..val.value.len()), "`PORT` is set here")
                .with_severity(severity);
            out.push(with_target(p, mapping, port, f));
        }
    }
}

/// Services built from a Dockerfile: the container port against the port the app
/// visibly listens on, else against what the image `EXPOSE`s.
pub fn check_built(p: &Project, out: &mut Vec<Finding>) {
    for b in super::built_or_local(p) {
        if b.overridden || b.service.ports.is_empty() {
            continue;
        }
        let file = b.source();
        let listen = crate::model::dockerfile::listen::listen_port(&b.stage);
        let (exposed, resolved) = exposed_ports(&b.stage);
        let also = also_listening(b.service, &b.stage);
        for port in &b.service.ports {
            let Some([binding]) = port.bindings() else {
                continue;
            };
            let target = binding.target;
            let published = binding.published.parse::<u16>().ok();
            if let Some(l) = &listen {
                if l.port == target || (l.default && also.contains(&target)) {
                    continue;
                }
                let how = l.how();
                let mut f = Finding::new(
                    &TARGET_PORT_MISMATCH,
                    p.port_span(port),
                    format!(
                        "The app in `{}`'s image listens on port {}, not {target}. Connections to this mapping will be reset. Read from {file}: {how}. {}",
                        b.service.name,
                        l.port,
                        if published == Some(l.port) {
                            "`ports` is HOST:CONTAINER; swap them".to_string()
                        } else {
                            format!("Map to container port {}", l.port)
                        }
                    ),
                );
                f = b.related(f, l.span.clone(), "the server's port");
                f = if published == Some(l.port) {
                    with_swap(p, port, f)
                } else {
                    with_target(p, port, l.port, f)
                };
                out.push(f);
                continue;
            }
            if !resolved
                || exposed.is_empty()
                || exposed.contains(&target)
                || also.contains(&target)
            {
                continue;
            }
            if DEBUGGER_PORTS.contains(&target) {
                continue;
            }
            let list: Vec<String> = exposed.iter().take(5).map(u16::to_string).collect();
            let swapped = published.is_some_and(|h| exposed.contains(&h));
            let mut f = Finding::new(
                &TARGET_PORT_MISMATCH,
                p.port_span(port),
                format!(
                    "`{}`'s image EXPOSEs {} ({file}), and nothing shows the app listening on {target}. Connections to this mapping will likely be reset. {}",
                    b.service.name,
                    list.join(", "),
                    if swapped {
                        "`ports` is HOST:CONTAINER; swap them".to_string()
                    } else {
                        format!("Map to the port the app listens on, or EXPOSE {target} if it does")
                    }
                ),
            );
            if let Some(w) = b.stage.exposes.first() {
                f = b.related(f, w.span.clone(), "what the image exposes");
            }
            // EXPOSE documents ports; only a mapping that looks swapped is likely wrong
            // enough for a warning. The fix never maps to a debugger's port.
            f = if swapped {
                with_swap(p, port, f)
            } else if let [only] = exposed[..]
                && !DEBUGGER_PORTS.contains(&only)
            {
                with_target(p, port, only, f).with_severity(crate::finding::Severity::Info)
            } else {
                f.with_severity(crate::finding::Severity::Info)
            };
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn swapped_ports_on_known_images() {
        let text = "services:\n  web:\n    image: nginx:1.27\n    ports: [\"80:8080\", \"8081:80\"]\n  db:\n    image: docker.io/library/postgres:16\n    ports: [\"127.0.0.1:5432:5433/tcp\"]\n  custom:\n    image: bitnami/nginx\n    ports: [\"80:8080\"]\n  built:\n    image: nginx\n    build: .\n    ports: [\"80:8080\"]\n";
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"80:8080\"", "\"127.0.0.1:5432:5433/tcp\""]
        );
        let fixed = fix_all(text, "target-port-mismatch");
        assert!(fixed.contains("[\"8080:80\", \"8081:80\"]"), "{fixed}");
        assert!(fixed.contains("\"127.0.0.1:5433:5432/tcp\""), "{fixed}");
    }

    /// The image table knows where each image's server listens: a container port it does
    /// not listen on is reported with the port it does, tag variants count, and the
    /// variables the table lists as moving the port leave the service alone. Images with
    /// more than three listeners (rabbitmq, couchbase) get only the swap check.
    #[test]
    fn container_ports_the_image_does_not_listen_on() {
        let text = "services:\n  db:\n    image: postgres:16\n    ports: [\"5433:5433\"]\n  ok:\n    image: postgres:16\n    ports: [\"5433:5432\"]\n  proxy:\n    image: nginxinc/nginx-unprivileged\n    ports: [\"8080:80\"]\n  wp:\n    image: wordpress:6-fpm\n    ports: [\"8080:80\"]\n  mq:\n    image: rabbitmq:4\n    ports: [\"15672:15672\"]\n  mq-ui:\n    image: rabbitmq:4-management\n    ports: [\"15672:15672\"]\n  moved:\n    image: rabbitmq:4\n    environment: [RABBITMQ_NODE_PORT=5673]\n    ports: [\"5673:5673\"]\n  exposed:\n    image: redis:7\n    expose: [\"6380\"]\n    ports: [\"6380:6380\"]\n  many:\n    image: couchbase\n    ports: [\"9999:9999\"]\n  mine:\n    image: registry.example.com/postgres:16\n    ports: [\"5433:5433\"]\n";
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"5433:5433\"", "\"8080:80\"", "\"8080:80\""]
        );
        let f = crate::analysis::analyze(crate::classify::FileKind::Compose, text).findings;
        let first = f
            .iter()
            .find(|f| f.code() == "target-port-mismatch")
            .unwrap();
        assert!(
            first.message.contains("listens on 5432 (PostgreSQL)"),
            "{}",
            first.message
        );
        // wordpress fpm: no fix (a browser cannot speak FastCGI), so fixes are checked
        // without it.
        let wp = "  wp:\n    image: wordpress:6-fpm\n    ports: [\"8080:80\"]\n";
        let fixed = fix_all(&text.replace(wp, ""), "target-port-mismatch");
        assert!(fixed.contains("[\"5433:5432\"]\n  ok:"), "{fixed}");
        // nginx-unprivileged: swapped, so the fix swaps.
        assert!(
            fixed.contains("nginx-unprivileged\n    ports: [\"80:8080\"]"),
            "{fixed}"
        );
        let on_wp = f
            .iter()
            .find(|f| f.message.contains("`wordpress`"))
            .unwrap();
        assert!(on_wp.fixes.is_empty() && on_wp.message.contains("9000 (php-fpm FastCGI)"));
    }

    /// The port a Compose `command` shows (`--port`, a bind address, a known default)
    /// against the container port; a command that shows none, or a port the service also
    /// `expose`s, is left alone.
    #[test]
    fn compose_commands_against_the_mapped_port() {
        let text = "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n    ports: [\"8080:8080\"]\n  web:\n    image: python:3.12-slim\n    command: [\"gunicorn\", \"-b\", \"0.0.0.0:5000\", \"app:app\"]\n    ports: [\"5000:80\"]\n  ok:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n    ports: [\"8081:8000\"]\n  unknown:\n    image: node:22\n    command: node server.js\n    ports: [\"3000:3000\"]\n";
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"8080:8080\"", "\"5000:80\""]
        );
        let fixed = fix_all(text, "target-port-mismatch");
        assert!(fixed.contains("[\"8080:8000\"]"), "{fixed}");
        assert!(fixed.contains("[\"80:5000\"]"), "{fixed}");
    }

    /// BusyBox httpd takes `-p [IP:]PORT`; a bare `httpd` (Apache's binary too) counts only
    /// through that flag.
    #[test]
    fn busybox_httpd_port_flag() {
        let text = "services:\n  api:\n    image: busybox\n    command: httpd -f -p 0.0.0.0:9000 -h /\n    ports: [\"8080:8080\"]\n  web:\n    image: busybox\n    command: busybox httpd -f -p 80\n    ports: [\"8081:80\"]\n  apache:\n    image: example/apache\n    command: httpd -DFOREGROUND\n    ports: [\"8082:8080\"]\n";
        assert_eq!(flagged(text, "target-port-mismatch"), ["\"8080:8080\""]);
        assert!(fix_all(text, "target-port-mismatch").contains("[\"8080:9000\"]"));
    }

    /// A mounted config, a `*PORT*` variable or a command may move a known image's port.
    #[test]
    fn known_images_whose_port_may_have_moved_are_left_alone() {
        let text = "services:\n  web:\n    image: nginx:1.27\n    volumes: [\"./nginx.conf:/etc/nginx/nginx.conf:ro\"]\n    ports: [\"80:8080\"]\n  grafana:\n    image: grafana\n    environment: [GF_SERVER_HTTP_PORT=3001]\n    ports: [\"3000:3001\"]\n  db:\n    image: postgres\n    command: postgres -p 5433\n    ports: [\"5432:5433\"]\n";
        assert!(flagged(text, "target-port-mismatch").is_empty());
    }

    /// Only the variables the image table names move an image's port: an app image's
    /// `DB_PORT` is where its database listens. LinuxServer's `/config` is app data, not a
    /// config file; a file mounted into it is one.
    #[test]
    fn variables_and_mounts_that_do_not_move_the_port() {
        let text = "services:\n  blog:\n    image: wordpress:6\n    environment:\n      WORDPRESS_DB_HOST: db\n      DB_PORT: \"3306\"\n    ports: [\"8080:8080\"]\n  tv:\n    image: lscr.io/linuxserver/sonarr:latest\n    volumes: [\"./sonarr/config:/config\", \"./tv:/tv\"]\n    ports: [\"8080:8080\"]\n  films:\n    image: lscr.io/linuxserver/radarr:latest\n    volumes:\n      - type: bind\n        source: ./radarr/config\n        target: /config\n    ports: [\"8081:8080\"]\n";
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"8080:8080\"", "\"8080:8080\"", "\"8081:8080\""]
        );
        // A config file mounted into /config, or another image's /config: left alone.
        let file = text.replace(
            "\"./sonarr/config:/config\"",
            "\"./config.xml:/config/config.xml\"",
        );
        assert_eq!(flagged(&file, "target-port-mismatch").len(), 2);
        let other = "services:\n  db:\n    image: postgres:16\n    volumes: [\"./pg:/config\"]\n    ports: [\"5433:5433\"]\n";
        assert!(flagged(other, "target-port-mismatch").is_empty());
    }

    /// `EXPOSE 9229` is Node's debugger: a fix must never map the web port there, and a
    /// mapping of the debugger port itself is not a mismatch.
    #[test]
    fn never_a_fix_to_a_debugger_port() {
        let node = "FROM node:20\nENV PORT=3000\nEXPOSE 9229\nCMD [\"node\", \"index.js\"]\n";
        let (at, _, fixed) = built("    ports: [\"8080:8080\", \"9229:9229\"]\n", node);
        assert_eq!(at, ["\"8080:8080\""]);
        assert!(fixed.contains("\"8080:8080\""), "{fixed}");
        let text = "services:\n  api:\n    build: ./api\n    ports: [\"8080:8080\"]\n";
        let ctx = crate::rules::test_support::built_context(node);
        let f =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        let f: Vec<_> = f
            .iter()
            .filter(|f| f.code() == "target-port-mismatch")
            .collect();
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(f[0].fixes.is_empty());
    }

    fn built(compose_tail: &str, dockerfile: &str) -> (Vec<String>, String, String) {
        let text = format!("services:\n  api:\n    build: ./api\n{compose_tail}");
        let (found, fixed) =
            crate::rules::test_support::built_findings(&text, dockerfile, "target-port-mismatch");
        let at = found
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect();
        let message = found.first().map(|f| f.message.clone()).unwrap_or_default();
        (at, message, fixed)
    }

    #[test]
    fn built_services_against_the_port_the_app_listens_on() {
        let uvicorn = "FROM python:3.12\nEXPOSE 8000\nCMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]\n";
        let (at, message, fixed) = built("    ports: [\"8080:8080\"]\n", uvicorn);
        assert_eq!(at, ["\"8080:8080\""]);
        assert!(
            message.contains("listens on port 8000, not 8080. Connections to this mapping will be reset. Read from Dockerfile: `--port 8000`."),
            "{message}"
        );
        assert!(fixed.contains("\"8080:8000\""), "{fixed}");
        // Swapped: the fix swaps.
        let (_, message, fixed) = built("    ports: [\"8000:9000\"]\n", uvicorn);
        assert!(message.contains("swap"), "{message}");
        assert!(fixed.contains("\"9000:8000\""), "{fixed}");
        // Right, ephemeral right, long syntax wrong (fix edits `target`).
        assert!(
            built("    ports: [\"8080:8000\", \"8000\"]\n", uvicorn)
                .0
                .is_empty()
        );
        let (at, _, fixed) = built(
            "    ports:\n      - target: 80\n        published: 8080\n",
            uvicorn,
        );
        assert_eq!(at, ["target"]);
        assert!(fixed.contains("target: 8000"), "{fixed}");
        // Defaults of known servers, address flags, runserver, http.server, variables.
        for (dockerfile, ok, wrong) in [
            ("CMD flask run --host 0.0.0.0", "5000", "8000"),
            ("CMD flask run --host 0.0.0.0 -p 8000", "8000", "5000"),
            (
                "CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8001\", \"app:app\"]",
                "8001",
                "8000",
            ),
            (
                "CMD python manage.py runserver 0.0.0.0:8002",
                "8002",
                "8000",
            ),
            ("CMD python -m http.server", "8000", "80"),
            (
                "CMD python -m http.server --bind 0.0.0.0 9000",
                "9000",
                "8000",
            ),
            ("CMD php -S 0.0.0.0:8080 -t public", "8080", "80"),
            (
                "ENV PORT=3001\nCMD uvicorn app:app --host 0.0.0.0 --port ${PORT}",
                "3001",
                "8000",
            ),
            ("CMD [\"npx\", \"next\", \"start\"]", "3000", "80"),
        ] {
            let dockerfile = format!("FROM python:3.12\n{dockerfile}\n");
            let ports = |target: &str| format!("    ports: [\"127.0.0.1:7000:{target}\"]\n");
            assert!(
                built(&ports(ok), &dockerfile).0.is_empty(),
                "{dockerfile} {ok}"
            );
            assert_eq!(
                built(&ports(wrong), &dockerfile).0.len(),
                1,
                "{dockerfile} {wrong}"
            );
        }
        // Compose's command replaces the image's; a PORT variable may move a default;
        // an unresolved variable is not guessed.
        let flask = "FROM python:3.12\nCMD flask run --host 0.0.0.0\n";
        assert!(
            built(
                "    command: flask run -p 80\n    ports: [\"80:80\"]\n",
                flask
            )
            .0
            .is_empty()
        );
        assert!(
            built(
                "    environment: [FLASK_RUN_PORT=80]\n    ports: [\"80:80\"]\n",
                flask
            )
            .0
            .is_empty()
        );
        let unresolved = "FROM python:3.12\nCMD uvicorn app:app --host 0.0.0.0 --port $APP_PORT\n";
        assert!(built("    ports: [\"80:80\"]\n", unresolved).0.is_empty());
        let resolved_by_compose = built(
            "    environment: {APP_PORT: \"8000\"}\n    ports: [\"80:80\"]\n",
            unresolved,
        );
        assert_eq!(resolved_by_compose.0.len(), 1);
    }

    #[test]
    fn built_services_against_expose() {
        let df = "FROM node:22\nARG PORT=3000\nEXPOSE ${PORT}\nCMD [\"node\", \"index.js\"]\n";
        let (at, message, fixed) = built("    ports: [\"8080:8080\"]\n", df);
        assert_eq!(at, ["\"8080:8080\""]);
        assert!(message.contains("EXPOSEs 3000 (Dockerfile)"), "{message}");
        assert!(fixed.contains("\"8080:3000\""), "{fixed}");
        let (_, message, fixed) = built("    ports: [\"3000:80\"]\n", df);
        assert!(message.contains("swap"), "{message}");
        assert!(fixed.contains("\"80:3000\""), "{fixed}");
        // Listed in `expose`, in a PORT variable, or EXPOSE unresolvable / absent: silent.
        assert!(built("    ports: [\"3000:3000\"]\n", df).0.is_empty());
        assert!(
            built("    expose: [\"8080\"]\n    ports: [\"8080:8080\"]\n", df)
                .0
                .is_empty()
        );
        assert!(
            built(
                "    environment: [PORT=8080]\n    ports: [\"8080:8080\"]\n",
                df
            )
            .0
            .is_empty()
        );
        let unresolved = "FROM node:22\nEXPOSE $PORT\nCMD node index.js\n";
        assert!(
            built("    ports: [\"8080:8080\"]\n", unresolved)
                .0
                .is_empty()
        );
        assert!(
            built(
                "    ports: [\"8080:8080\"]\n",
                "FROM node:22\nCMD node index.js\n"
            )
            .0
            .is_empty()
        );
        // Two exposed ports: a finding without a guess at which one.
        let two = "FROM node:22\nEXPOSE 3000 9229\nCMD node index.js\n";
        let (at, _, fixed) = built("    ports: [\"8080:8080\"]\n", two);
        assert_eq!(at.len(), 1);
        assert!(fixed.contains("\"8080:8080\""));
        // Another network stack: left to other rules.
        assert!(
            built("    network_mode: host\n    ports: [\"8080:8080\"]\n", df)
                .0
                .is_empty()
        );
    }

    /// `PORT` in `environment` against the mapped container port, by what runs.
    #[test]
    fn apps_that_read_port() {
        use crate::finding::Severity;
        use crate::rules::test_support::findings;
        let text = r#"services:
  api:
    image: node:22-alpine
    working_dir: /app
    command: node server.js
    environment:
      PORT: "4000"
      DATABASE_PORT: "5432"
    ports: ["3000:3000"]
  web:
    image: node:22-alpine
    command: npx next start
    environment: [PORT=8080]
    ports: ["3001:3000"]
  svc:
    image: ghcr.io/acme/billing:1.4
    environment:
      PORT: 9000
    ports: ["8081:8080"]
"#;
        let found = findings(text, &[], "target-port-mismatch");
        let got: Vec<(&str, Severity)> = found
            .iter()
            .map(|f| (&text[f.range.clone()], f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("\"3000:3000\"", Severity::Warning),
                ("\"3001:3000\"", Severity::Warning),
                ("\"8081:8080\"", Severity::Info)
            ]
        );
        assert!(
            found[0].message.starts_with(
                "`api` sets `PORT=4000`, so its app most likely listens on 4000, not 3000."
            ),
            "{}",
            found[0].message
        );
        assert!(
            found[0]
                .message
                .contains("Node apps commonly read `PORT` from the environment")
        );
        assert!(
            found[1]
                .message
                .contains("`next start` reads `PORT`, so connections"),
            "{}",
            found[1].message
        );
        assert!(found[2].message.starts_with("If `svc`'s app reads `PORT`"));
        let fixed = fix_all(text, "target-port-mismatch");
        assert!(
            fixed.contains("[\"3000:4000\"]") && fixed.contains("[\"8081:9000\"]"),
            "{fixed}"
        );
    }

    /// Clean controls: `PORT` matches one mapping (the others are a debugger's or another
    /// listener's), another `*PORT*` variable names the port, the command shows its own
    /// port, and images the table knows decide by their own variables.
    #[test]
    fn port_variables_that_agree_or_do_not_decide() {
        let text = r#"services:
  api:
    image: node:22-alpine
    command: node server.js
    environment: {PORT: "3000"}
    ports: ["3000:3000", "9229:9229"]
  metrics:
    image: node:22-alpine
    command: node index.js
    environment: {PORT: "8080", METRICS_PORT: "9100"}
    ports: ["8080:8080", "9100:9100"]
  flags:
    image: python:3.12-slim
    command: uvicorn app:app --host 0.0.0.0 --port 8000
    environment: {PORT: "5000"}
    ports: ["8000:8000"]
  db:
    image: postgres:16
    environment: {PORT: "5433"}
    ports: ["5432:5432"]
  exposed:
    image: node:22-alpine
    command: node server.js
    environment: {PORT: "4000"}
    expose: ["3000"]
    ports: ["3000:3000"]
"#;
        assert!(flagged(text, "target-port-mismatch").is_empty());
    }

    /// A Go program built from a `golang` image that gets `PORT`.
    #[test]
    fn go_programs_built_here() {
        use crate::rules::test_support::built_findings;
        let dockerfile = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /server ./cmd/server\n\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /server /server\nCMD [\"/server\"]\n";
        let text = "services:\n  api:\n    build: ./api\n    environment:\n      PORT: \"9000\"\n    ports: [\"8080:8080\"]\n";
        let (found, fixed) = built_findings(text, dockerfile, "target-port-mismatch");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, crate::finding::Severity::Warning);
        assert!(
            found[0].message.contains("Go apps commonly read `PORT`"),
            "{}",
            found[0].message
        );
        assert!(fixed.contains("\"8080:9000\""), "{fixed}");
        // The same image with PORT matching: nothing.
        let ok = text.replace("9000", "8080");
        assert!(
            built_findings(&ok, dockerfile, "target-port-mismatch")
                .0
                .is_empty()
        );
    }

    /// Listen addresses written as URLs under listen flags, and Go's `-addr`.
    #[test]
    fn listen_urls_and_addr_flags() {
        let text = r#"services:
  a:
    image: example/a
    command: ["/app", "--listen=http://0.0.0.0:9000"]
    ports: ["8080:8080"]
  b:
    image: example/b
    command: /app --bind tcp://0.0.0.0:9001/
    ports: ["8081:8080"]
  c:
    image: example/c
    command: /app -addr=:9090
    ports: ["8082:8080"]
  ok:
    image: example/c
    command: /app -addr :8080
    ports: ["8083:8080"]
  load:
    image: locustio/locust
    command: -f /mnt/locust/locustfile.py --host http://web:8000
    ports: ["8089:8089"]
"#;
        assert_eq!(
            flagged(text, "target-port-mismatch"),
            ["\"8080:8080\"", "\"8081:8080\"", "\"8082:8080\""]
        );
    }
}
