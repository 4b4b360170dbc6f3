use std::ops::Range;

use super::declare_rule;
use crate::finding::{Edit, Finding, OtherFile};
use crate::knowledge::servers::ADDRESS_FLAGS;
use crate::model::compose::refs::is_loopback;
use crate::model::dockerfile::listen::{base, find, flag_value, host_of, listen_address};
use crate::model::dockerfile::{Cmd, Dockerfile, Stage, Word};

declare_rule! {
    /// ## What it does
    /// Finds a server started in the image that listens on 127.0.0.1 (or `localhost`, `::1`):
    /// a development server that binds loopback by default (`flask run`, `uvicorn`,
    /// `gunicorn`, `manage.py runserver`, `vite`, `ng serve`, `rails server`, `hugo
    /// server`, `php artisan serve`, `jupyter lab`, `jekyll serve`, `fastapi dev`,
    /// `hypercorn`, `daphne`, `rackup`, `mkdocs serve`, `astro dev`, ...: the servers whose
    /// `container_default` is loopback in `src/knowledge/servers.toml`, each fact with its
    /// source) without the flag or environment variable that changes it, or an
    /// explicit `--host 127.0.0.1`, `-b localhost:8000`, `php -S localhost:8000`. Only the
    /// stage that runs counts, and only when it `EXPOSE`s a port. A package script started
    /// with `npm run dev`, `npm start`, `yarn dev`, `pnpm run dev` or `bun run dev` is read
    /// from the build context's `package.json` (flags after `--` count). In a Compose file, the
    /// `ports` mapping of a service built (`build:`) from such a Dockerfile is reported too,
    /// with the Dockerfile line as related information; and a server started by a service's
    /// own `command` or `entrypoint` (string or list form, `sh -c` bodies, with the service's
    /// `environment` and, for a built service, its image's variables) is reported on the
    /// command, with the published port as related information; and a published service run
    /// from an image whose server binds loopback as shipped (Mosquitto 2 without a config
    /// file: a warning, from the image table); and a config file the service mounts that
    /// binds its server to loopback (`bind 127.0.0.1` in a `redis.conf` the command names,
    /// `bind-address = 127.0.0.1` in a MySQL option file, nginx `listen 127.0.0.1:80`,
    /// `net.bindIp: 127.0.0.1` in a `mongod.conf` named by `--config`, `listen_addresses =
    /// 'localhost'` in a `postgresql.conf` named by `-c config_file=`, HAProxy `bind`,
    /// Caddy `bind`, a Traefik entry point's `address`, httpd `Listen`), or a `pg_hba.conf`
    /// named by `-c hba_file=` that admits only local clients, while the service publishes
    /// a port or another service names it (a warning at the mount, with the config line as
    /// related information; only for the server's own image, where nothing else runs beside
    /// it, and not when the command sets the address itself); and a host variable in a service's
    /// `environment` set to a loopback address, where the service's server reads it
    /// (`HOST=127.0.0.1` for Nitro's `node .output/server/index.mjs` or `remix-serve`,
    /// `FLASK_RUN_HOST` for `flask run`: the `host_env` of the server table), reported at
    /// the value; `HOST` given to a Node or Go app is information, since only a convention
    /// says it reads it. Listen addresses written as URLs are read under listen flags
    /// (`--listen=http://127.0.0.1:8080`, and Go's `-addr`), not under `--host`, where a URL
    /// names another server.
    ///
    /// ## Why it matters
    /// Inside a container, 127.0.0.1 is the container's own loopback. Published traffic and
    /// other containers arrive on its network interface, so `docker ps` shows the port
    /// published and yet `curl localhost:8080` gets `Empty reply from server` or
    /// `Connection reset by peer`, and other containers get `Connection refused`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// EXPOSE 5000
    /// CMD ["flask", "run"]
    /// ```
    ///
    /// ## Fix
    /// Listen on every interface of the container: `flask run --host 0.0.0.0` (the quick
    /// fix adds the flag each server takes), or set its variable (`FLASK_RUN_HOST`,
    /// `UVICORN_HOST`, ...). Publishing to 127.0.0.1 on the host is what limits who reaches
    /// it, not the bind address inside the container.
    ///
    /// ## Severity
    /// An error where nothing but the command decides the address (`uvicorn`, `fastapi
    /// dev`, `hypercorn`, `manage.py runserver`, `php artisan serve`, `hugo server`, an
    /// explicit loopback address). A warning where a config file the server reads by default
    /// may set it (`vite.config`, `angular.json`, `gunicorn.conf.py`, `config/puma.rb`,
    /// `.flaskenv`, Jupyter's and Jekyll's config); nothing when the command names a config
    /// file (`gunicorn -c`), or for `rails server` with a `RAILS_ENV` other than
    /// development, where Rails binds every interface.
    pub static APP_LISTENS_ON_LOOPBACK = {
        code: "app-listens-on-loopback",
        severity: Error,
        applies_to: "Dockerfiles; Compose commands, and ports of services built from them",
        summary: "The server in the image listens on 127.0.0.1",
        compose: [check],
        dockerfile: [check_dockerfile],
    };
}

/// A server found listening on loopback: the claim (`` `flask run` listens on 127.0.0.1 by
/// default``), what listens where with its condition for the Compose wording (the claim and
/// `unless …`), the sentences after the first, and the finding in the file that starts it.
/// The Compose and package-script findings are worded from the parts, never by cutting the
/// message apart.
struct Loopback {
    claim: String,
    what: String,
    rest: String,
    finding: Finding,
}

impl Loopback {
    /// `config`: what may set another address (empty when nothing does); `consequence`:
    /// what fails, in lower case (empty when only the fix follows); `fix`: the last sentence.
    fn new(range: Range<usize>, claim: String, config: &str, consequence: &str, fix: &str) -> Self {
        let (what, rest) = if config.is_empty() {
            let rest = match consequence.split_at_checked(1) {
                Some((first, tail)) => format!("{}{tail}. {fix}", first.to_uppercase()),
                None => fix.to_string(),
            };
            (claim.clone(), rest)
        } else {
            let what = format!("{claim} unless {config} sets another address");
            let rest = if consequence.is_empty() {
                format!("Unless {config} sets another address, that is where it listens. {fix}")
            } else {
                format!("Unless {config} sets another address, {consequence}. {fix}")
            };
            (what, rest)
        };
        Self::from_parts(range, claim, what, rest)
    }

    fn from_parts(range: Range<usize>, claim: String, what: String, rest: String) -> Self {
        let finding = Finding::new(
            &APP_LISTENS_ON_LOOPBACK,
            range,
            format!("{claim}: the container's own loopback. {rest}"),
        );
        Self {
            claim,
            what,
            rest,
            finding,
        }
    }
}

pub fn check_dockerfile(text: &str, df: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(stage) = df.runs(None) else { return };
    if stage.exposes.is_empty() {
        return;
    }
    let mut found = Vec::new();
    detect(text, stage, df.package.as_ref(), &mut found);
    out.extend(found.into_iter().map(|l| l.finding));
}

/// Compose: a service with `ports` whose Dockerfile (through `build:`) starts a server on
/// loopback gets the finding on its port mapping, pointing at the Dockerfile's command.
pub fn check(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    check_compose_commands(p, out);
    check_host_env(p, out);
    check_images(p, out);
    check_mounted_configs(p, out);
    for b in super::built_or_local(p) {
        let Some(port) = b.service.first_published() else {
            continue;
        };
        // Compose's `command`/`entrypoint` replace the image's: this rule reads the
        // Dockerfile only when neither is set.
        if b.overridden {
            continue;
        }
        let mut found = Vec::new();
        detect(&b.file.text, &b.stage, b.package, &mut found);
        let Some(Loopback {
            what,
            finding: first,
            ..
        }) = found.into_iter().next()
        else {
            continue;
        };
        let name = b.source();
        let f = Finding::new(
            &APP_LISTENS_ON_LOOPBACK,
            p.port_span(port),
            format!(
                "Published, but the app in `{}`'s image listens on loopback ({name}). Connections to this port will be reset. {what}",
                b.service.name,
            ),
        )
        .with_severity(first.severity);
        // A local image has no file to point into: its facts are named in the message.
        out.push(match b.local {
            Some(_) => f,
            None => f
                .with_related_in(b.file.clone(), first.range, "the server starts here")
                .with_related_all(first.related),
        });
    }
}

/// Compose: a config file the service mounts (nginx, Redis, MySQL, mongod, PostgreSQL,
/// HAProxy, Caddy, Traefik, httpd) makes its server listen on loopback only, while the
/// service publishes a port or another service names it. A command that sets the address
/// itself wins over the file.
fn check_mounted_configs(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    for c in &p.external.mounted_configs {
        let Some(i) = p.service_index(&c.service) else {
            continue;
        };
        let s = &p.services[i];
        if let Some(rule) = &c.config.local_clients_only {
            check_local_clients_only(p, i, c, rule.clone(), out);
            continue;
        }
        let l = &c.config.listens;
        // The nginx image's own `conf.d/default.conf` listens on every interface unless
        // this mount replaces it.
        let replaces_default = c.kind != crate::model::appconfig::Kind::Nginx
            || c.target == "/etc/nginx/conf.d/default.conf"
            || (c.from_folder && c.target.starts_with("/etc/nginx/conf.d/"));
        if s.network_mode.is_some()
            || !super::runs_config_server(s, c.kind)
            || l.is_empty()
            || !replaces_default
            || c.config.open
            || c.kind.address_in_command(&c.command)
        {
            continue;
        }
        let loopback = |h: &Option<String>| {
            h.as_deref()
                .is_some_and(|h| h != "0.0.0.0" && h != "::" && is_loopback(h))
        };
        if !l.iter().all(|x| loopback(&x.host)) {
            continue;
        }
        let published = s.first_published().is_some();
        if !published && !p.is_named_by_others(i) {
            continue;
        }
        let name = c.file_name();
        let host = l[0].host.as_deref().unwrap_or_default();
        let who = if published {
            "published ports answer with a reset"
        } else {
            "other containers are refused"
        };
        out.push(
            Finding::new(
                &APP_LISTENS_ON_LOOPBACK,
                c.entry.clone(),
                format!(
                    "`{name}` makes {} in `{}` listen on {host} only. Inside the container that is its own loopback: {who}. Listen on 0.0.0.0 (or remove the address)",
                    c.kind.name(),
                    s.name
                ),
            )
            .with_severity(crate::finding::Severity::Warning)
            .with_related_in(c.file.clone(), l[0].span.clone(), "the listen address"),
        );
    }
}

/// Compose: a `pg_hba.conf` the command names (`-c hba_file=`) admits TCP clients from the
/// container's own addresses only, while other containers connect to it or it publishes a
/// port: every one of them gets "no pg_hba.conf entry for host".
fn check_local_clients_only(
    p: &crate::model::compose::Project,
    i: usize,
    c: &crate::model::compose::MountedConfig,
    rule: std::ops::Range<usize>,
    out: &mut Vec<Finding>,
) {
    let s = &p.services[i];
    let shared = p.services.iter().any(|o| {
        o.mode()
            .and_then(|m| m.strip_prefix("service:"))
            .is_some_and(|m| m == s.name)
    });
    if s.network_mode.is_some() || shared || !super::runs_config_server(s, c.kind) {
        return;
    }
    let published = s.first_published().is_some();
    if !published && !p.is_named_by_others(i) {
        return;
    }
    out.push(
        Finding::new(
            &APP_LISTENS_ON_LOOPBACK,
            c.entry.clone(),
            format!(
                "`{}` admits only local clients to PostgreSQL in `{}`. Connections from other containers and through published ports come from other addresses and are refused (\"no pg_hba.conf entry for host\"). Add a `host` line for them, such as `host all all all scram-sha-256`",
                c.file_name(),
                s.name
            ),
        )
        .with_severity(crate::finding::Severity::Warning)
        .with_related_in(c.file.clone(), rule, "the first rule"),
    );
}

/// Compose: a published service whose image's server binds loopback as shipped (the image
/// table's `bind`, such as Mosquitto 2's "local only mode"), with no command, entrypoint or
/// mounted config file that could change it.
fn check_images(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    for s in &p.services {
        if s.network_mode.is_some() {
            continue;
        }
        let Some(port) = s.first_published() else {
            continue;
        };
        let Some(known) = super::target_port_mismatch::image_listeners(p, s) else {
            continue;
        };
        if known.bind != "loopback" {
            continue;
        }
        out.push(
            Finding::new(
                &APP_LISTENS_ON_LOOPBACK,
                p.port_span(port),
                format!(
                    "Published, but `{}` listens only on the container's loopback as the image ships it. Connections to this port are refused. {} (image table)",
                    known.name, known.image.note
                ),
            )
            .with_severity(crate::finding::Severity::Warning),
        );
    }
}

/// Compose: a service with `ports` whose own `command`/`entrypoint` starts a server on
/// loopback, built from a Dockerfile (whose variables count) or run from an image. The
/// finding is on the command in the Compose file, with the published port as related
/// information.
fn check_compose_commands(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    let built = super::built_or_local(p);
    for s in &p.services {
        if s.network_mode.is_some() {
            continue;
        }
        let Some(port) = s.first_published() else {
            continue;
        };
        let b = built.iter().find(|b| b.service.name == s.name);
        let Some(stage) = crate::model::compose::command::service_stage(p, s, b.map(|b| &b.stage))
        else {
            continue;
        };
        let mut found = Vec::new();
        detect(p.text, &stage, b.and_then(|b| b.package), &mut found);
        for l in found {
            out.push(l.finding.with_related(
                p.port_span(port),
                format!("`{}` publishes this port", s.name),
            ));
        }
    }
}

/// The server of the table that `words` start (the longest pattern that matches), through
/// a package script when `package` is known.
fn server_in(
    words: &[Word],
    package: Option<&str>,
) -> Option<&'static crate::knowledge::servers::Server> {
    if let Some(package) = package
        && let Some(script) = crate::model::dockerfile::npm_script(words, package)
        && let Some(found) = server_in(&script.words, None)
    {
        return Some(found);
    }
    crate::knowledge::servers::all()
        .iter()
        .flat_map(|s| s.words.iter().map(move |w| (s, w)))
        .filter(|(_, w)| {
            let pattern: Vec<&str> = w.iter().map(String::as_str).collect();
            find(words, &pattern).is_some()
        })
        .max_by_key(|(_, w)| w.len())
        .map(|(s, _)| s)
}

/// Compose: a service that publishes a port (or that another service names) and sets a
/// host variable that its server reads to a loopback address: a server of the table whose
/// `host_env` names it (`HOST=127.0.0.1` for `nuxt start`, `remix-serve`) is a warning; a
/// Node or Go app given `HOST=127.0.0.1` is information, since only a convention says it
/// reads it.
fn check_host_env(p: &crate::model::compose::Project, out: &mut Vec<Finding>) {
    let loopback_value = |e: &crate::model::compose::EnvVar| {
        e.value.as_ref().is_some_and(|v| {
            let v = v.value.trim();
            is_loopback(v) && v != "0.0.0.0"
        })
    };
    // Most files set no variable to loopback: nothing to model.
    if !p
        .services
        .iter()
        .any(|s| s.environment.iter().any(loopback_value))
    {
        return;
    }
    let built = super::built_or_local(p);
    for (index, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        let published = s.first_published();
        if published.is_none() && !p.is_named_by_others(index) {
            continue;
        }
        let loopback_vars: Vec<&crate::model::compose::EnvVar> =
            s.environment.iter().filter(|e| loopback_value(e)).collect();
        if loopback_vars.is_empty() {
            continue;
        }
        let b = built.iter().find(|b| b.service.name == s.name);
        let Some(stage) = crate::model::compose::command::service_stage(p, s, b.map(|b| &b.stage))
            .or_else(|| b.filter(|b| !b.overridden).map(|b| b.stage.clone()))
        else {
            continue;
        };
        let words = stage.command();
        let package = b.and_then(|b| b.package).map(|f| &*f.text);
        let server = server_in(&words, package);
        // A flag that gives the address wins over the variable (`flask run --host 0.0.0.0`).
        let flags: Vec<&str> = ADDRESS_FLAGS
            .iter()
            .copied()
            .chain(server.into_iter().flat_map(|sv| {
                sv.host_flags
                    .iter()
                    .chain(&sv.address_flags)
                    .map(String::as_str)
            }))
            .collect();
        if (0..words.len()).any(|i| flag_value(&words, i, &flags).is_some()) {
            continue;
        }
        let convention = || {
            crate::model::dockerfile::listen::port_env_reader(&words, package, false)
                .is_some_and(|(_, documented)| !documented)
        };
        let found = loopback_vars.iter().find_map(|e| {
            let documented = server.filter(|sv| {
                sv.id != "node-app-port-env" && sv.host_env.iter().any(|h| h == e.key)
            });
            match documented {
                // The variable decides, unless a config file the server reads may.
                Some(sv) => Some((
                    *e,
                    format!("{} reads `{}`", sv.what, e.key),
                    if sv.config.is_empty() {
                        crate::finding::Severity::Error
                    } else {
                        crate::finding::Severity::Warning
                    },
                )),
                None if e.key == "HOST" && convention() => Some((
                    *e,
                    "Node and Go apps often read `HOST` as their listen address".to_string(),
                    crate::finding::Severity::Info,
                )),
                None => None,
            }
        });
        let Some((e, claim, severity)) = found else {
            continue;
        };
        let Some(val) = &e.value else { continue };
        let host = val.value.trim();
        let who = match published {
            Some(_) => "published ports answer with a reset",
            None => "other containers are refused",
        };
        let message = if severity == crate::finding::Severity::Info {
            format!(
                "If `{}`'s app reads `{}`, it listens on {host} only. {claim}; if it does, {who}. Set `{}=0.0.0.0`, or leave it if the app uses it otherwise",
                s.name, e.key, e.key
            )
        } else {
            format!(
                "`{}` sets `{}={host}`, so its server listens on loopback only. {claim}, and then {who}. Set `{}=0.0.0.0`",
                s.name, e.key, e.key
            )
        };
        let mut f = Finding::new(
            &APP_LISTENS_ON_LOOPBACK,
            p.value_span(val, 0..val.value.len()),
            message,
        )
        .with_severity(severity);
        if let Some(port) = published {
            f = f.with_related(
                p.port_span(port),
                format!("`{}` publishes this port", s.name),
            );
        }
        if !val.interpolated()
            && let Some(range) = p.raw_span(val, 0..val.value.len())
            && p.text.get(range.clone()) == Some(host)
        {
            f = f.with_fix(
                format!("Set `{}` to 0.0.0.0", e.key),
                vec![Edit {
                    range,
                    new_text: "0.0.0.0".to_string(),
                }],
            );
        }
        out.push(f);
    }
}

/// The loopback servers a stage starts, as findings in its Dockerfile; through a package
/// script (`npm run dev`) when `package` (package.json) is known.
fn detect(text: &str, stage: &Stage, package: Option<&OtherFile>, out: &mut Vec<Loopback>) {
    let words = stage.command();
    let before = out.len();
    detect_words(text, stage, &words, out);
    if out.len() > before {
        return;
    }
    let Some(package) = package else { return };
    let Some(script) = crate::model::dockerfile::npm_script(&words, &package.text) else {
        return;
    };
    let mut stage = stage.clone();
    stage.vars.extend(
        script
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone()))),
    );
    let mut inner = Vec::new();
    detect_words(&package.text, &stage, &script.words, &mut inner);
    for l in inner {
        // The finding stays in this file, at the words that run the script; package.json
        // is related information (its fixes would edit another file: none is offered).
        let what = format!("{} (through `{}`, package.json)", l.what, script.invocation);
        let rest = format!(
            "It starts through `{}` (package.json). {}",
            script.invocation, l.rest
        );
        let mut found = Loopback::from_parts(script.span.clone(), l.claim, what, rest);
        found.finding = found
            .finding
            .with_severity(l.finding.severity)
            .with_related_in(
                package.clone(),
                l.finding.range,
                "the script starts the server here",
            );
        out.push(found);
    }
}

fn detect_words(text: &str, stage: &Stage, words: &[Word], out: &mut Vec<Loopback>) {
    // `HOST` set to a non-loopback address is read by many servers.
    // (0.0.0.0 is a client's loopback but a server's "every interface".)
    // A value not known here (a build argument) may be any address: say nothing.
    let host_env = stage.declares("HOST")
        && stage
            .var("HOST")
            .is_none_or(|h| h == "0.0.0.0" || !is_loopback(h));
    let mut flagged_explicit = false;
    for (i, _) in words.iter().enumerate() {
        if let Some((value, skip)) = flag_value(words, i, ADDRESS_FLAGS)
            && let Some(addr) = listen_address(&words[i].text, &value.text[skip..])
        {
            let host = host_of(addr);
            if !host.is_empty() && is_loopback(host) && host != "0.0.0.0" {
                flagged_explicit = true;
                out.push(explicit(text, value, skip, addr, host));
            }
        }
    }
    // A server's own address flags (`busybox httpd -p 127.0.0.1:80`), read only after its
    // command words: `-p` means other things elsewhere.
    if !flagged_explicit {
        'servers: for server in crate::knowledge::servers::all() {
            let own: Vec<&str> = server
                .address_flags
                .iter()
                .chain(&server.host_flags)
                .map(String::as_str)
                .filter(|f| !ADDRESS_FLAGS.contains(f))
                .collect();
            if own.is_empty() {
                continue;
            }
            for pattern in &server.words {
                let pattern: Vec<&str> = pattern.iter().map(String::as_str).collect();
                let Some((_, end)) = find(words, &pattern) else {
                    continue;
                };
                for i in end + 1..words.len() {
                    if let Some((value, skip)) = flag_value(words, i, &own) {
                        let addr = &value.text[skip..];
                        let host = host_of(addr);
                        if !host.is_empty() && is_loopback(host) && host != "0.0.0.0" {
                            flagged_explicit = true;
                            out.push(explicit(text, value, skip, addr, host));
                            break 'servers;
                        }
                    }
                }
            }
        }
    }
    if flagged_explicit || host_env {
        return;
    }
    // Servers that take the address as an argument (`runserver`) are read below. The
    // longest pattern first, one server per command word: `vite preview`, not also `vite`.
    let mut loopback: Vec<(&crate::knowledge::servers::Server, Vec<&str>)> =
        crate::knowledge::servers::all()
            .iter()
            .filter(|s| s.loopback() && s.positional.is_empty())
            .flat_map(|s| {
                s.words
                    .iter()
                    .map(move |w| (s, w.iter().map(String::as_str).collect()))
            })
            .collect();
    loopback.sort_by_key(|(_, pattern)| std::cmp::Reverse(pattern.len()));
    let mut taken: Vec<usize> = Vec::new();
    for (server, pattern) in loopback {
        let Some((at, end)) = find(words, &pattern) else {
            continue;
        };
        if taken.contains(&at) {
            continue;
        }
        taken.push(at);
        let after = &words[end + 1..];
        let flag = |flags: &[String], w: &Word| {
            flags.iter().any(|f| {
                w.text == *f
                    || w.text
                        .strip_prefix(f.as_str())
                        .is_some_and(|r| r.starts_with('='))
            })
        };
        // A bare flag counts too: `vite --host` means every interface.
        let has_flag = after
            .iter()
            .any(|w| flag(&server.host_flags, w) || flag(&server.address_flags, w));
        // Set at all counts, even to a value not known here (a build argument).
        let has_env = server.host_env.iter().any(|e| stage.declares(e));
        let has_config = after.iter().any(|w| flag(&server.config_flags, w));
        // `rails server` binds every interface outside development.
        // (A value not known here may be production too.)
        let rails_production = pattern[0] == "rails"
            && ["RAILS_ENV", "RACK_ENV"].iter().any(|k| {
                stage.declares(k)
                    && stage
                        .var(k)
                        .is_none_or(|e| !e.is_empty() && e != "development")
            });
        if has_flag || has_env || has_config || rails_production || server.fix.is_empty() {
            continue;
        }
        let name = pattern.join(" ");
        let span = words[at].span.start..words[end].span.end;
        let fix: Vec<&str> = server.fix.iter().map(String::as_str).collect();
        let mut l = Loopback::new(
            span,
            format!("`{name}` listens on {} by default", server.default_host),
            &server.config,
            "published ports answer with an empty reply or a reset, and other containers are refused",
            &format!("Add `{}`", fix.join(" ")),
        );
        if !server.config.is_empty() {
            // A config file portside does not read may set the address: very likely, not
            // certain.
            l.finding = l.finding.with_severity(crate::finding::Severity::Warning);
        }
        if let Some(edit) = insert_flags(text, stage, &words[end], &fix) {
            l.finding = l
                .finding
                .with_fix(format!("Add `{}`", fix.join(" ")), vec![edit]);
        }
        out.push(l);
    }
    // Django's runserver takes the address as an argument; a bare port keeps 127.0.0.1.
    if let Some(at) = words.iter().position(|w| base(&w.text) == "manage.py")
        && words.get(at + 1).is_some_and(|w| w.text == "runserver")
    {
        let arg = words[at + 2..].iter().find(|w| !w.text.starts_with('-'));
        let loopback = match arg {
            None => true,
            Some(a) => a.text.bytes().all(|b| b.is_ascii_digit()),
        };
        if loopback {
            let span = words[at].span.start..words[at + 1].span.end;
            let mut l = Loopback::new(
                span,
                "`manage.py runserver` listens on 127.0.0.1 unless given an address".into(),
                "",
                "",
                "Use `runserver 0.0.0.0:8000`",
            );
            let edit = match arg {
                Some(port) if text.get(port.span.clone()) == Some(port.text.as_str()) => {
                    Some(Edit {
                        range: port.span.clone(),
                        new_text: format!("0.0.0.0:{}", port.text),
                    })
                }
                Some(_) => None,
                None => insert_flags(text, stage, &words[at + 1], &["0.0.0.0:8000"]),
            };
            if let Some(edit) = edit {
                l.finding = l.finding.with_fix("Listen on 0.0.0.0", vec![edit]);
            }
            out.push(l);
        }
    }
}

fn explicit(text: &str, value: &Word, skip: usize, addr: &str, host: &str) -> Loopback {
    let mut l = Loopback::new(
        value.span.clone(),
        format!("The server listens on {addr}"),
        "",
        "published ports answer with an empty reply or a reset, and other containers are refused",
        "Listen on 0.0.0.0",
    );
    // Replace just the host, when the word is written as it reads.
    if text.get(value.span.clone()) == Some(value.text.as_str())
        && let Some(at) = value.text[skip..].find(host)
    {
        let start = value.span.start + skip + at;
        let end = start + host.len();
        // `[::1]` becomes `0.0.0.0` with its brackets.
        let (start, end) = if text[..start].ends_with('[') && text[end..].starts_with(']') {
            (start - 1, end + 1)
        } else {
            (start, end)
        };
        l.finding = l.finding.with_fix(
            "Listen on 0.0.0.0",
            vec![Edit {
                range: start..end,
                new_text: "0.0.0.0".to_string(),
            }],
        );
    }
    l
}

/// Inserts flags after `word`, in the style of its command (exec form: JSON strings).
fn insert_flags(text: &str, stage: &Stage, word: &Word, flags: &[&str]) -> Option<Edit> {
    let in_cmd = |c: &Option<Cmd>| {
        c.as_ref()
            .filter(|c| c.span.start <= word.span.start && word.span.end <= c.span.end)
            .cloned()
    };
    let cmd = in_cmd(&stage.cmd).or_else(|| in_cmd(&stage.entrypoint))?;
    let end = word.span.end;
    let new_text =
        if cmd.exec && text[..word.span.start].ends_with('"') && text[end..].starts_with('"') {
            // After the closing quote: `, "--host", "0.0.0.0"`.
            let quoted: Vec<String> = flags.iter().map(|f| format!("\"{f}\"")).collect();
            return Some(Edit {
                range: end + 1..end + 1,
                new_text: format!(", {}", quoted.join(", ")),
            });
        } else {
            format!(" {}", flags.join(" "))
        };
    Some(Edit {
        range: end..end,
        new_text,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{
        dockerfile_findings as findings, dockerfile_fix_all as fix_all,
    };

    /// Certain where only the command decides; a warning where a config file the server
    /// reads may set the address; nothing where the command names one, or for Rails
    /// outside development.
    /// A server started by Compose's own `command`/`entrypoint` is read as a Dockerfile's
    /// is: string and list forms, `sh -c` bodies, the service's `environment`; the finding is
    /// on the command, with a fix where the text takes one (a block list does not).
    #[test]
    fn a_servers_own_address_flag_after_its_command_words() {
        use crate::rules::test_support::flagged;
        let text = "services:\n  a:\n    image: busybox\n    command: busybox httpd -f -p 127.0.0.1:80\n    ports: [\"8080:80\"]\n  b:\n    image: busybox\n    command: nc -l -s 127.0.0.1 -p 81\n    ports: [\"8081:81\"]\n  ok:\n    image: busybox\n    command: httpd -f -p 0.0.0.0:82\n    ports: [\"8082:82\"]\n  other:\n    image: example/tool\n    command: tool -p 127.0.0.1:83\n    ports: [\"8083:83\"]\n";
        assert_eq!(
            flagged(text, "app-listens-on-loopback"),
            ["127.0.0.1:80", "127.0.0.1"]
        );
        let fixed = crate::rules::test_support::fix_all(text, "app-listens-on-loopback");
        assert!(
            fixed.contains("busybox httpd -f -p 0.0.0.0:80\n"),
            "{fixed}"
        );
        assert!(fixed.contains("nc -l -s 0.0.0.0 -p 81\n"), "{fixed}");
    }

    #[test]
    fn compose_commands_are_read_like_dockerfile_commands() {
        use crate::rules::test_support::{fix_all as compose_fix_all, flagged};
        let text = "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app:app --reload\n    ports: [\"8000:8000\"]\n  list:\n    image: python:3.12-slim\n    command: [\"uvicorn\", \"app:app\"]\n    ports: [\"8001:8000\"]\n  shell:\n    image: node:22\n    entrypoint: sh -c \"npm ci && npx vite --port 5173\"\n    ports: [\"5173:5173\"]\n  explicit:\n    image: python:3.12\n    command: python -m http.server --bind 127.0.0.1 8080\n    ports: [\"8080:8080\"]\n  ok:\n    image: python:3.12-slim\n    command: uvicorn app:app --host 0.0.0.0\n    ports: [\"8002:8000\"]\n  env:\n    image: python:3.12-slim\n    environment: [UVICORN_HOST=0.0.0.0]\n    command: uvicorn app:app\n    ports: [\"8003:8000\"]\n  unpublished:\n    image: python:3.12-slim\n    command: uvicorn app:app\n";
        assert_eq!(
            flagged(text, "app-listens-on-loopback"),
            ["uvicorn", "uvicorn", "vite", "127.0.0.1"]
        );
        let fixed = compose_fix_all(text, "app-listens-on-loopback");
        assert!(
            fixed.contains("command: uvicorn --host 0.0.0.0 app:app --reload"),
            "{fixed}"
        );
        assert!(
            fixed.contains("command: [\"uvicorn\", \"--host\", \"0.0.0.0\", \"app:app\"]"),
            "{fixed}"
        );
        assert!(
            fixed.contains("npx vite --host 0.0.0.0 --port 5173"),
            "{fixed}"
        );
        assert!(fixed.contains("--bind 0.0.0.0 8080"), "{fixed}");
        // A flow list of plain or single-quoted items: found, with no fix.
        for list in ["[uvicorn, \"app:app\"]", "['uvicorn', 'app:app']"] {
            let text = format!(
                "services:\n  api:\n    image: python:3.12-slim\n    command: {list}\n    ports: [\"8000:8000\"]\n"
            );
            let f = crate::analysis::analyze(crate::classify::FileKind::Compose, &text).findings;
            let f: Vec<_> = f
                .iter()
                .filter(|f| f.code() == "app-listens-on-loopback")
                .collect();
            assert!(f.len() == 1 && f[0].fixes.is_empty(), "{text}");
        }
        // A block list: found, with no fix (a flag cannot be inserted into an item).
        let block = "services:\n  api:\n    image: python:3.12-slim\n    command:\n      - uvicorn\n      - app:app\n    ports: [\"8000:8000\"]\n";
        let f = crate::analysis::analyze(crate::classify::FileKind::Compose, block).findings;
        let f: Vec<_> = f
            .iter()
            .filter(|f| f.code() == "app-listens-on-loopback")
            .collect();
        assert_eq!(f.len(), 1);
        assert!(f[0].fixes.is_empty());
        assert!(
            f[0].related
                .iter()
                .any(|r| r.message.contains("publishes this port"))
        );
    }

    /// A service built from a Dockerfile whose command Compose replaces: the image's
    /// variables still count (`ENV HOST=0.0.0.0` is read by many servers).
    #[test]
    fn compose_commands_of_built_services_see_the_image_variables() {
        let text = "services:\n  api:\n    build: ./api\n    command: uvicorn app:app\n    ports: [\"8000:8000\"]\n";
        let found = |dockerfile: &str| {
            let ctx = crate::rules::test_support::built_context(dockerfile);
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "app-listens-on-loopback")
                .count()
        };
        assert_eq!(
            found("FROM python:3.12\nCMD [\"python\", \"main.py\"]\n"),
            1
        );
        assert_eq!(
            found("FROM python:3.12\nENV UVICORN_HOST=0.0.0.0\nCMD [\"python\", \"main.py\"]\n"),
            0
        );
    }

    #[test]
    fn severity_follows_what_else_may_set_the_address() {
        let severity = |cmd: &str| {
            let text = format!("FROM python:3.12\nEXPOSE 8000\n{cmd}\n");
            findings(&text, "app-listens-on-loopback")
                .first()
                .map(|f| f.severity)
        };
        use crate::finding::Severity::{Error, Warning};
        assert_eq!(severity("CMD uvicorn app:app"), Some(Error));
        assert_eq!(severity("CMD python manage.py runserver"), Some(Error));
        assert_eq!(severity("CMD [\"npx\", \"vite\"]"), Some(Warning));
        assert_eq!(severity("CMD gunicorn app:app"), Some(Warning));
        assert_eq!(severity("CMD gunicorn -c gunicorn.conf.py app:app"), None);
        assert_eq!(
            severity("CMD gunicorn --config=python:app.conf app:app"),
            None
        );
        assert_eq!(severity("CMD bin/rails server"), Some(Warning));
        assert_eq!(
            severity("ENV RAILS_ENV=production\nCMD bin/rails server"),
            None
        );
        // An explicit loopback address is certain whatever the config says.
        assert_eq!(
            severity("CMD gunicorn -b 127.0.0.1:8000 app:app"),
            Some(Error)
        );
    }

    fn flagged(cmd: &str) -> Vec<String> {
        let text = format!("FROM python:3.12\nEXPOSE 8000\n{cmd}\n");
        findings(&text, "app-listens-on-loopback")
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect()
    }

    /// Facts from the server table (`knowledge/servers.toml`): servers it adds, servers whose
    /// image or launcher decides the address (never reported), and the corrections its
    /// sources made (`rails s -C` is dev caching, not a config file).
    #[test]
    fn the_server_table_decides() {
        assert_eq!(
            flagged("CMD [\"daphne\", \"app.asgi:application\"]"),
            ["daphne"]
        );
        assert_eq!(flagged("CMD mkdocs serve"), ["mkdocs serve"]);
        assert_eq!(flagged("CMD bin/rails s -C"), ["bin/rails s"]);
        for quiet in [
            "CMD [\"mongod\", \"--replSet\", \"rs0\"]",
            "CMD [\"postgres\", \"-c\", \"max_connections=200\"]",
            "CMD [\"dotnet\", \"Api.dll\"]",
            "CMD [\"nuxt\", \"dev\"]",
            "CMD [\"streamlit\", \"run\", \"app.py\"]",
            "CMD [\"http-server\", \"dist\"]",
            "ENV PORT=8000\nCMD [\"gunicorn\", \"app:app\"]",
        ] {
            assert!(flagged(quiet).is_empty(), "{quiet}");
        }
        let port = |cmd: &str| {
            let text = format!("FROM python:3.12\n{cmd}\n");
            let df = crate::model::dockerfile::Dockerfile::read_with(&text, &[]).unwrap();
            crate::model::dockerfile::listen::listen_port(df.runs(None).unwrap()).map(|l| l.port)
        };
        assert_eq!(port("CMD npx vite preview"), Some(4173));
        assert_eq!(port("CMD npx vite"), Some(5173));
        assert_eq!(port("CMD [\"ng\", \"serve\"]"), Some(4200));
        assert_eq!(port("CMD npx serve -s build"), Some(3000));
        // A config file may set the port of a server that binds every interface.
        assert_eq!(port("CMD [\"streamlit\", \"run\", \"app.py\"]"), None);
        assert_eq!(port("CMD [\"dotnet\", \"Api.dll\"]"), None);
    }

    /// Mosquitto 2 ships in "local only mode"; a mounted config, a command, or a 1.x tag
    /// change that.
    #[test]
    fn images_that_bind_loopback_as_shipped() {
        use crate::rules::test_support::flagged as compose_flagged;
        let text = "services:\n  mqtt:\n    image: eclipse-mosquitto:2\n    ports: [\"1883:1883\"]\n  conf:\n    image: eclipse-mosquitto:2\n    volumes: [\"./mosquitto/config:/mosquitto/config\"]\n    ports: [\"1884:1883\"]\n  noauth:\n    image: eclipse-mosquitto\n    command: mosquitto -c /mosquitto-no-auth.conf\n    ports: [\"1885:1883\"]\n  old:\n    image: eclipse-mosquitto:1.6\n    ports: [\"1886:1883\"]\n  internal:\n    image: eclipse-mosquitto:2\n";
        assert_eq!(
            compose_flagged(text, "app-listens-on-loopback"),
            ["\"1883:1883\""]
        );
    }

    /// A mounted config that binds loopback: reported at the mount, except an nginx file
    /// beside the image's own `default.conf` (which listens on every interface).
    #[test]
    fn mounted_configs_that_bind_loopback() {
        use crate::model::appconfig::{self, Kind};
        let text = "services:\n  web:\n    image: nginx\n    volumes: [\"./site.conf:TARGET\"]\n    ports: [\"8080:80\"]\n";
        let found = |target: &str| {
            let conf = "server {\n    listen 127.0.0.1:80;\n}\n";
            let text = text.replace("TARGET", target);
            let mut ctx = crate::analysis::Context::default();
            ctx.external
                .mounted_configs
                .push(crate::model::compose::MountedConfig {
                    service: "web".into(),
                    kind: Kind::Nginx,
                    target: target.into(),
                    file: crate::finding::OtherFile {
                        path: "site.conf".into(),
                        text: conf.into(),
                    },
                    config: std::sync::Arc::new(appconfig::read(Kind::Nginx, conf)),
                    entry: text.find("\"./site").unwrap()..text.find(":80\"]").unwrap(),
                    from_folder: false,
                    command: String::new(),
                });
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, &text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "app-listens-on-loopback")
                .count()
        };
        assert_eq!(found("/etc/nginx/conf.d/default.conf"), 1);
        assert_eq!(found("/etc/nginx/conf.d/site.conf"), 0);
    }

    #[test]
    fn default_loopback_servers() {
        assert_eq!(flagged("CMD [\"flask\", \"run\"]"), ["flask\", \"run"]);
        assert_eq!(
            flagged(
                "CMD [\"python\", \"-m\", \"flask\", \"--app\", \"api\", \"run\", \"--port\", \"8000\"]"
            ),
            ["flask\", \"--app\", \"api\", \"run"]
        );
        assert_eq!(flagged("CMD python -m flask run"), ["flask run"]);
        assert_eq!(flagged("CMD uvicorn app:app --port 8000"), ["uvicorn"]);
        assert_eq!(
            flagged("CMD [\"/usr/local/bin/gunicorn\", \"app:app\"]"),
            ["/usr/local/bin/gunicorn"]
        );
        assert_eq!(flagged("CMD npx vite preview"), ["vite preview"]);
        assert_eq!(flagged("CMD [\"ng\", \"serve\"]"), ["ng\", \"serve"]);
        assert_eq!(flagged("CMD bin/rails server"), ["bin/rails server"]);
        assert_eq!(
            flagged("CMD [\"sh\", \"-c\", \"jupyter lab --no-browser\"]"),
            ["jupyter lab"]
        );
        assert_eq!(
            flagged("CMD python manage.py runserver"),
            ["manage.py runserver"]
        );
        assert_eq!(
            flagged("CMD python manage.py runserver 8000"),
            ["manage.py runserver"]
        );
    }

    #[test]
    fn overrides_and_other_servers_are_quiet() {
        for cmd in [
            "CMD [\"flask\", \"run\", \"--host=0.0.0.0\"]",
            "CMD uvicorn app:app --host 0.0.0.0",
            "CMD gunicorn -b 0.0.0.0:8000 app:app",
            "CMD gunicorn app:app\nENV PORT=8000",
            "CMD vite --host",
            "CMD python manage.py runserver 0.0.0.0:8000",
            "CMD fastapi run app.py",
            "CMD python -m http.server 8000",
            "CMD [\"node\", \"index.js\"]",
            "ENV FLASK_RUN_HOST=0.0.0.0\nCMD flask run",
            "ENV HOST=0.0.0.0\nCMD npx vite",
        ] {
            assert!(flagged(cmd).is_empty(), "{cmd}");
        }
        // Without EXPOSE nothing says the port is meant to be reached.
        assert!(findings("FROM a\nCMD flask run\n", "app-listens-on-loopback").is_empty());
        // Only the stage that runs counts.
        let text = "FROM a AS dev\nEXPOSE 5000\nCMD flask run\nFROM a\nEXPOSE 5000\nCMD flask run --host 0.0.0.0\n";
        assert!(findings(text, "app-listens-on-loopback").is_empty());
    }

    #[test]
    fn explicit_loopback_addresses() {
        assert_eq!(
            flagged("CMD uvicorn app:app --host 127.0.0.1"),
            ["127.0.0.1"]
        );
        assert_eq!(
            flagged("CMD [\"gunicorn\", \"-b\", \"localhost:8000\", \"app:app\"]"),
            ["localhost:8000"]
        );
        assert_eq!(flagged("CMD php -S localhost:8000"), ["localhost:8000"]);
        assert_eq!(
            flagged("CMD hypercorn --bind=[::1]:8000 app:app"),
            ["--bind=[::1]:8000"]
        );
        // A listen URL, and Go's `-addr`; a URL under `--host` is another server's.
        assert_eq!(
            flagged("CMD [\"/app\", \"--listen\", \"http://127.0.0.1:8000\"]"),
            ["http://127.0.0.1:8000"]
        );
        assert_eq!(
            flagged("CMD /app -addr=localhost:8000"),
            ["-addr=localhost:8000"]
        );
        assert!(flagged("CMD locust --host http://localhost:8000").is_empty());
    }

    #[test]
    fn fixes_add_the_flag_or_replace_the_address() {
        let fixed = fix_all(
            "FROM a\nEXPOSE 5000\nCMD [\"flask\", \"run\"]\n",
            "app-listens-on-loopback",
        );
        assert!(
            fixed.contains("CMD [\"flask\", \"run\", \"--host\", \"0.0.0.0\"]"),
            "{fixed}"
        );
        let fixed = fix_all(
            "FROM a\nEXPOSE 8000\nCMD uvicorn app:app\n",
            "app-listens-on-loopback",
        );
        assert!(
            fixed.contains("CMD uvicorn --host 0.0.0.0 app:app"),
            "{fixed}"
        );
        let fixed = fix_all(
            "FROM a\nEXPOSE 8000\nCMD gunicorn -b localhost:8000 app:app\n",
            "app-listens-on-loopback",
        );
        assert!(fixed.contains("-b 0.0.0.0:8000"), "{fixed}");
        let fixed = fix_all(
            "FROM a\nEXPOSE 8000\nCMD python manage.py runserver 8000\n",
            "app-listens-on-loopback",
        );
        assert!(fixed.contains("runserver 0.0.0.0:8000"), "{fixed}");
        let fixed = fix_all(
            "FROM a\nEXPOSE 8000\nCMD hypercorn --bind=[::1]:8000 app\n",
            "app-listens-on-loopback",
        );
        assert!(fixed.contains("--bind=0.0.0.0:8000"), "{fixed}");
    }

    #[test]
    fn servers_started_through_package_scripts() {
        let package = r#"{"scripts": {"dev": "vite", "prod": "vite --host", "api": "HOST=0.0.0.0 uvicorn app:app", "rails": "bin/rails s -b 127.0.0.1"}}"#;
        let run = |cmd: &str| {
            let text = format!("FROM node:22\nEXPOSE 5173\n{cmd}\n");
            let ctx = crate::analysis::Context {
                package: Some(crate::finding::OtherFile {
                    path: "package.json".into(),
                    text: package.into(),
                }),
                ..Default::default()
            };
            crate::analysis::analyze_with(crate::classify::FileKind::Dockerfile, &text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "app-listens-on-loopback")
                .map(|f| {
                    let related = &f.related[0];
                    let in_package = &related.file.as_ref().unwrap().text[related.range.clone()];
                    (
                        text[f.range.clone()].to_string(),
                        in_package.to_string(),
                        f.message,
                    )
                })
                .collect::<Vec<_>>()
        };
        let found = run("CMD [\"npm\", \"run\", \"dev\"]");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "npm\", \"run\", \"dev");
        assert_eq!(found[0].1, "vite");
        assert!(
            found[0].2.starts_with(
                "`vite` listens on localhost by default: the container's own loopback. It starts through `npm run dev` (package.json). Unless `server.host` in vite.config sets another address, "
            ),
            "{}",
            found[0].2
        );
        let found = run("CMD yarn rails");
        assert_eq!(
            (found[0].0.as_str(), found[0].1.as_str()),
            ("yarn rails", "127.0.0.1")
        );
        // The flag in the script, after `--`, or a variable in the script: silent.
        assert!(run("CMD npm run prod").is_empty());
        assert!(run("CMD npm run dev -- --host 0.0.0.0").is_empty());
        assert!(run("CMD npm run api").is_empty());
        assert!(run("CMD npm run missing").is_empty());
        // Without package.json nothing is guessed.
        assert!(
            findings(
                "FROM node:22\nEXPOSE 5173\nCMD npm run dev\n",
                "app-listens-on-loopback"
            )
            .is_empty()
        );
    }

    /// A host variable the server reads, set to loopback in Compose.
    #[test]
    fn host_variables_set_to_loopback() {
        use crate::finding::Severity;
        use crate::rules::test_support::{findings as compose_findings, fix_all};
        let text = r#"services:
  shop:
    image: node:22-alpine
    command: node .output/server/index.mjs
    environment:
      HOST: 127.0.0.1
      DB_HOST: localhost
    ports: ["3000:3000"]
  api:
    image: node:22-alpine
    command: node server.js
    environment:
      HOST: localhost
    ports: ["4000:4000"]
  docs:
    image: python:3.12-slim
    command: flask run --port 5000
    environment:
      FLASK_RUN_HOST: 127.0.0.1
    ports: ["5000:5000"]
"#;
        let found = compose_findings(text, &[], "app-listens-on-loopback");
        let got: Vec<(&str, Severity)> = found
            .iter()
            .map(|f| (&text[f.range.clone()], f.severity))
            .collect();
        assert_eq!(
            got,
            [
                // Nitro reads `HOST` and nothing else decides; Flask's `.flaskenv` may.
                ("127.0.0.1", Severity::Error),
                ("localhost", Severity::Info),
                ("127.0.0.1", Severity::Warning),
            ],
            "{found:#?}"
        );
        let fixed = fix_all(text, "app-listens-on-loopback");
        assert!(
            fixed.contains("HOST: 0.0.0.0\n      DB_HOST: localhost"),
            "{fixed}"
        );
        // Clean controls: every interface, an app that nobody reaches, an unknown program.
        let clean = r#"services:
  shop:
    image: node:22-alpine
    command: node .output/server/index.mjs
    environment: {HOST: 0.0.0.0}
    ports: ["3000:3000"]
  worker:
    image: node:22-alpine
    command: node worker.js
    environment: {HOST: 127.0.0.1}
  tool:
    image: example/tool
    environment: {HOST: localhost}
    ports: ["8080:8080"]
"#;
        assert!(compose_findings(clean, &[], "app-listens-on-loopback").is_empty());
        // A flag that gives the address wins over the variable.
        let flag = text.replace(
            "flask run --port 5000",
            "flask run --host 0.0.0.0 --port 5000",
        );
        assert_eq!(
            compose_findings(&flag, &[], "app-listens-on-loopback").len(),
            2
        );
    }
}
