//! Hover texts, as Markdown: pure functions of the parsed tree, the project's variables and
//! the findings of the same text. Short lines and plain lists, so that they read well in
//! VS Code and in Neovim's floating window alike.
//!
//! A hover builds only the service under the cursor ([`Project::build_only`]), so it stays
//! far below a millisecond on a file of thousands of services.

use std::fmt::Write as _;
use std::ops::Range;

use crate::finding::Finding;
use crate::model::compose::{Attachment, External, Project, Service, Vars};
use crate::model::compose::{Port, PortSpec, Val};
use crate::model::ports::{self, Binding};
use crate::syntax::yaml::Yaml;

/// A hover's Markdown and the byte range it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hovered {
    pub markdown: String,
    pub range: Range<usize>,
    /// It explains a `ports` entry (the server adds the live verdicts there).
    pub port_mapping: bool,
}

/// What the analysis knew about the project besides the text.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub vars: &'a Vars,
    /// Variables whose value came from `.env`.
    pub dotenv: &'a rustc_hash::FxHashSet<String>,
    pub external: &'a External,
}

fn contains(r: &Range<usize>, offset: usize) -> bool {
    r.start <= offset && offset <= r.end
}

/// The hover at `offset` of a Compose file; `findings` are those of the same text.
pub fn compose(
    text: &str,
    yaml: &Yaml,
    env: Env<'_>,
    offset: usize,
    findings: &[Finding],
) -> Option<Hovered> {
    let mut found = None;
    if let Some(services) = crate::model::compose::schema::services_node(yaml)
        && contains(&yaml.span(services), offset)
    {
        let keep = |r: Range<usize>| contains(&r, offset);
        let project = Project::build_only(text, yaml, env.vars, env.external, &keep);
        if let Some(service) = project.services.first() {
            found = in_service(&project, service, env, offset);
        }
    }
    if found.is_none()
        && let Some(networks) = yaml.top("networks")
    {
        for n in yaml.entries(networks.value) {
            if contains(&yaml.span(n.key), offset) {
                let name = yaml.scalar(n.key).unwrap_or("");
                // Who is attached is the rules' query over every service (their naming
                // keys are enough for it).
                let inputs = crate::model::compose::Inputs::with_external(env.vars, env.external);
                let project = Project::build_names_from(text, yaml, inputs, &|_| true);
                let attached: Vec<String> = project
                    .attached_to(name)
                    .map(|s| s.name.to_string())
                    .collect();
                found = Some(Hovered {
                    markdown: network(&project, name, Some(&attached)),
                    range: yaml.span(n.key),
                    port_mapping: false,
                });
                break;
            }
        }
    }
    match found {
        Some(mut h) => {
            // A port entry Docker rejects: the hover says why already.
            let skip: &[&str] = if h.port_mapping && h.markdown.contains("\nDocker ") {
                &["invalid-port-spec"]
            } else if h.port_mapping && h.markdown.contains("(see the diagnostic)") {
                &["interpolation-error"]
            } else {
                &[]
            };
            push_findings(&mut h.markdown, findings, &h.range, skip);
            Some(h)
        }
        None => match crate::ide::keys::key_at(yaml, offset) {
            // A Compose key: what it is and takes (and any finding on it).
            Some(k) => {
                let mut h = Hovered {
                    markdown: crate::ide::keys::hover(&k),
                    range: k.span,
                    port_mapping: false,
                };
                push_findings(&mut h.markdown, findings, &h.range, &[]);
                Some(h)
            }
            None => rule_doc(findings, offset),
        },
    }
}

/// The port entry at `offset` of a Compose file in a few words, for a command's title:
/// `port 8080`, `ports 8000-8010`, or `container port 80` when the host port is random.
/// `None` when Docker cannot use the entry.
pub fn port_words(
    text: &str,
    yaml: &Yaml,
    vars: &Vars,
    external: &External,
    offset: usize,
) -> Option<String> {
    let keep = |r: Range<usize>| contains(&r, offset);
    let project = Project::build_only(text, yaml, vars, external, &keep);
    let service = project.services.first()?;
    let port = service
        .ports
        .iter()
        .find(|p| contains(&project.span(p.item), offset))?;
    let bindings = port.bindings()?;
    let (first, last) = (bindings.first()?, bindings.last()?);
    Some(if first.published.is_empty() {
        format!("container port {}", first.target)
    } else if bindings.len() > 1 {
        format!("ports {}-{}", first.published, last.published)
    } else {
        format!("port {}", first.published)
    })
}

/// A hover for clients that only show plain text: the Markdown without emphasis markers
/// and rules; code spans keep their backticks, which read fine as text.
pub fn plain_text(markdown: &str) -> String {
    markdown
        .replace("**", "")
        .lines()
        .filter(|l| l.trim() != "---")
        .collect::<Vec<_>>()
        .join("\n")
}

/// A diagnostic's rule when nothing more specific is under the cursor: its summary and
/// where the whole text is (`portside explain`, the rules page), not the page itself.
pub fn rule_doc(findings: &[Finding], offset: usize) -> Option<Hovered> {
    let f = findings.iter().find(|f| contains(&f.range, offset))?;
    let md = format!(
        "**{}**: {}\n\nMore: `portside explain {}` or [the rule's documentation]({})",
        f.rule.code,
        f.rule.summary,
        f.rule.code,
        f.rule.url()
    );
    Some(Hovered {
        markdown: md,
        range: f.range.clone(),
        port_mapping: false,
    })
}

/// The rules of the findings on `range`, each once, under a rule; the server adds the live
/// line to the same block. A port entry Docker rejects says why in its own words already,
/// so `skip` leaves out the findings that repeat it.
fn push_findings(md: &mut String, findings: &[Finding], range: &Range<usize>, skip: &[&str]) {
    let mut seen: Vec<&str> = Vec::new();
    for f in findings.iter().filter(|f| {
        f.range.start < range.end.max(range.start + 1)
            && range.start < f.range.end.max(f.range.start + 1)
    }) {
        if !skip.contains(&f.rule.code) && !seen.contains(&f.rule.code) {
            seen.push(f.rule.code);
        }
    }
    // Two rules by name; more would push the hover past a screen (the problems list has
    // them all).
    for code in seen.iter().take(if seen.len() > 3 { 2 } else { 3 }) {
        let summary = crate::rules::find(code).map_or("", |r| r.summary);
        footer_line(md, &format!("⚠ `{code}`: {summary}"));
    }
    if seen.len() > 3 {
        footer_line(
            md,
            &format!("⚠ and {} more (see the problems)", seen.len() - 2),
        );
    }
}

/// Adds a line to the hover's footer (after a rule, one line each: a hard break joins
/// them, so Markdown does not run them together).
pub fn footer_line(md: &mut String, line: &str) {
    if md.contains("\n\n---\n") {
        md.truncate(md.trim_end().len());
        md.push_str("  \n");
    } else {
        md.truncate(md.trim_end().len());
        md.push_str("\n\n---\n");
    }
    md.push_str(line);
}

fn in_service(p: &Project<'_>, s: &Service<'_>, env: Env<'_>, offset: usize) -> Option<Hovered> {
    for port in &s.ports {
        let range = p.span(port.item);
        if contains(&range, offset) {
            return Some(Hovered {
                markdown: port_mapping(p, s, port, env),
                range,
                port_mapping: true,
            });
        }
    }
    for (i, &item) in s.expose_items.iter().enumerate() {
        let range = p.span(item);
        if contains(&range, offset) {
            let raw = p.yaml.source(p.text, item);
            return Some(Hovered {
                markdown: expose(s.name, s.expose.get(i).map_or(raw, |v| &v.value)),
                range,
                port_mapping: false,
            });
        }
    }
    for n in &s.networks {
        let range = p.span(n.node);
        if contains(&range, offset) {
            let mut md = format!("**`{}`** is attached to network `{}`\n\n", s.name, n.name);
            if !n.aliases.is_empty() {
                let aliases: Vec<_> = n.aliases.iter().map(|a| format!("`{}`", a.value)).collect();
                let _ = writeln!(
                    md,
                    "Other containers on it reach this one as `{}` and {}.\n",
                    s.name,
                    aliases.join(", ")
                );
            }
            md.push_str(&network(p, &n.name, None));
            return Some(Hovered {
                markdown: md,
                range,
                port_mapping: false,
            });
        }
    }
    for r in p.refs.iter().filter(|r| r.service == 0) {
        let val = p.ref_val(r);
        let range = p.span(val.node);
        if contains(&range, offset) {
            return Some(Hovered {
                markdown: service_ref(p, s, r, env),
                range,
                port_mapping: false,
            });
        }
    }
    if let Some(mode) = &s.network_mode {
        let range = p.span(mode.node);
        if contains(&range, offset) {
            return Some(Hovered {
                markdown: network_mode(&mode.value),
                range,
                port_mapping: false,
            });
        }
    }
    for h in &s.extra_hosts {
        let range = p.span(h.node);
        if let Some(address) = &h.address
            && contains(&range, offset)
        {
            return Some(Hovered {
                markdown: extra_host(&h.name.value, address),
                range,
                port_mapping: false,
            });
        }
    }
    None
}

/// An environment value or command word that names a host: which service that is, whether
/// it listens on the port, and whether the two share a network.
fn service_ref(
    p: &Project<'_>,
    from: &Service<'_>,
    r: &crate::model::compose::ServiceRef<'_>,
    env: Env<'_>,
) -> String {
    let host = p.ref_host(r);
    let port = r.port();
    let target = port.map_or(String::new(), |p| format!(":{p}"));
    let mut md = format!("**`{}`** names `{host}{target}`\n\n", r.key);
    // Who uses the address: refs.rs decides it once, for rules and hovers alike.
    match r.audience {
        crate::model::compose::refs::Audience::Client => {
            let _ = write!(
                md,
                "- `{}` is handed to a browser or another machine: `{host}` is resolved there, not inside `{}`",
                r.key, from.name
            );
            return md;
        }
        crate::model::compose::refs::Audience::Listen => {
            let _ = write!(
                md,
                "- `{}` is where `{}` listens, not an address it connects to",
                r.key, from.name
            );
            return md;
        }
        _ => {}
    }
    if crate::model::compose::refs::is_loopback(host) {
        let _ = write!(
            md,
            "- `{host}` inside `{}` is `{}` itself, not another container or the host",
            from.name, from.name
        );
        if r.audience == crate::model::compose::refs::Audience::Unknown {
            md.push_str(" (if a browser opens this URL, it is the user's machine)");
        }
        return md;
    }
    // The two services, built together (hovers never build the whole project), so that the
    // rules' queries answer: what the named one listens on, which networks they share.
    let entry_of = |name: &str| {
        let services = crate::model::compose::schema::services_node(p.yaml)?;
        let e = p.yaml.get(services, name)?;
        Some(p.span(e.key).start..p.span(e.value).end)
    };
    let Some(entry) = entry_of(host) else {
        let _ = write!(
            md,
            "- No service of this file is called `{host}`; an alias, `hostname` or another file may provide it"
        );
        return md;
    };
    let own = entry_of(from.name);
    let both = Project::build_only(p.text, p.yaml, env.vars, env.external, &|r: Range<
        usize,
    >| {
        r == entry || own.as_ref() == Some(&r)
    });
    let (Some(other_index), Some(from)) = (both.service_index(host), both.service(from.name))
    else {
        return md;
    };
    let other = &both.services[other_index];
    let _ = writeln!(md, "- Service `{}` of this project", other.name);
    if let Some(port) = port {
        let known = both.listens(other_index);
        let published: Vec<String> = other
            .ports
            .iter()
            .filter_map(Port::bindings)
            .flatten()
            .filter(|b| b.published == port.to_string())
            .map(|b| format!("{}→{}", b.published, b.target))
            .collect();
        if known.contains(&port) {
            let _ = writeln!(md, "- Port {port}: `{}` listens on it", other.name);
        } else if !published.is_empty() {
            let _ = writeln!(
                md,
                "- Port {port} is `{}`'s published host port ({}): containers must use the container port",
                other.name,
                published.join(", ")
            );
        } else if known.is_empty() {
            let _ = writeln!(
                md,
                "- Port {port}: not visible from Compose (check the image)"
            );
        } else {
            let mut ports: Vec<String> = known.iter().map(u16::to_string).collect();
            ports.dedup();
            let _ = writeln!(
                md,
                "- Port {port}: `{}` is known to listen on {} instead",
                other.name,
                ports.join(", ")
            );
        }
    }
    let shared = match both.shared_networks(from, other) {
        Some(common) if common.is_empty() => {
            "**no shared network**: the name does not resolve".to_string()
        }
        Some(common) => {
            let common: Vec<String> = common.iter().map(|n| format!("`{n}`")).collect();
            format!("shared: {}", common.join(", "))
        }
        None => "depends on `network_mode`".to_string(),
    };
    let _ = write!(md, "- Networks: {shared}");
    md
}

/// A `ports` entry: the binding in words, who can reach it, and how.
fn port_mapping(p: &Project<'_>, s: &Service<'_>, port: &Port<'_>, env: Env<'_>) -> String {
    let mut md = String::new();
    let written = p.yaml.source(p.text, port.item).trim();
    match &port.spec {
        PortSpec::Short(v) => {
            let _ = writeln!(md, "**`{}`** publishes `{}`", s.name, v.raw());
            push_interpolation(&mut md, v, env);
        }
        _ => {
            let _ = writeln!(md, "**`{}`** publishes (long syntax)", s.name);
            if let PortSpec::Long(long) = &port.spec {
                for v in [&long.target, &long.published, &long.host_ip, &long.protocol]
                    .into_iter()
                    .flatten()
                {
                    push_interpolation(&mut md, v, env);
                }
            }
        }
    }
    md.push('\n');
    let Some(bindings) = port.bindings() else {
        match &port.spec {
            PortSpec::Short(v) if v.error().is_some() => {
                md.push_str("Its variables cannot be substituted (see the diagnostic).")
            }
            PortSpec::Short(v) => match ports::parse_port_spec(&v.value) {
                Err(e) => {
                    let _ = write!(md, "Docker rejects it: `{}`", e.message);
                }
                Ok(_) => md.push_str("Docker cannot use it."),
            },
            _ => {
                let _ = write!(
                    md,
                    "Docker cannot use `{}`: it needs a valid `target` (container port), an IP address in `host_ip` and a port or range in `published`.",
                    written.lines().next().unwrap_or("")
                );
            }
        }
        return md;
    };
    let first = &bindings[0];
    let last = &bindings[bindings.len() - 1];
    let targets = if bindings.len() == 1 {
        first.target.to_string()
    } else {
        format!("{}-{}", first.target, last.target)
    };
    // Host side.
    let host_port = if bindings.len() > 1 && !first.published.is_empty() {
        format!(
            "ports {}-{}, pairwise (`{}→{}` … `{}→{}`)",
            first.published,
            last.published,
            first.published,
            first.target,
            last.published,
            last.target
        )
    } else if first.published.is_empty() {
        format!(
            "a random free port (ephemeral); `docker compose port {} {}` shows it",
            s.name, first.target
        )
    } else if first.published.contains('-') {
        format!("the first free port in {}", first.published)
    } else {
        format!("port {}", first.published)
    };
    let _ = writeln!(
        md,
        "- **Host**: {}, {host_port}",
        host_words(&first.host_ip)
    );
    let inside = if bindings.len() == 1 {
        listener(p, s, first.target, first.protocol)
    } else {
        String::new()
    };
    let _ = writeln!(
        md,
        "- **Container**: port {targets}/{} of `{}`{inside}",
        first.protocol, s.name
    );
    if let PortSpec::Long(long) = &port.spec {
        if let Some(mode) = &long.mode {
            let words = match mode.value.as_ref() {
                "host" => {
                    "`host`: published on the node that runs the container (the default without Swarm)"
                }
                "ingress" => {
                    "`ingress`: through Swarm's routing mesh; with plain Compose, published on this host"
                }
                _ => "an unknown `mode`; Compose expects `host` or `ingress`",
            };
            let _ = writeln!(md, "- **Mode**: {words}");
        }
        if let Some(app) = p
            .yaml
            .get(port.item, "app_protocol")
            .and_then(|e| p.yaml.scalar(e.value))
        {
            let _ = writeln!(
                md,
                "- **Application protocol**: `{app}` (a hint for tools; Docker does not check it)"
            );
        }
    }
    // Who can reach it: the same list, so the hover stays short.
    let app = match &port.spec {
        PortSpec::Long(_) => p
            .yaml
            .get(port.item, "app_protocol")
            .and_then(|e| p.yaml.scalar(e.value)),
        _ => None,
    };
    let _ = writeln!(md, "- **This machine**: {}", this_machine(first, app));
    let _ = writeln!(
        md,
        "- **Other machines**: {}",
        other_machines(&first.host_ip)
    );
    let _ = writeln!(
        md,
        "- **Other containers**: {}",
        containers(p, s, &targets, first.protocol)
    );
    md
}

/// What listens on `target` inside the service's container, when portside knows: the port
/// its Compose command shows, else what the image table says of its image. Empty when
/// unknown.
fn listener(p: &Project<'_>, s: &Service<'_>, target: u16, protocol: &str) -> String {
    // A port written in a config file the service mounts decides over the image's default.
    if protocol == "tcp"
        && let Some((ports, server, c, span)) = crate::rules::config_ports(p, s)
    {
        let line = c.file.text[..span.start.min(c.file.text.len())]
            .matches('\n')
            .count()
            + 1;
        let place = format!("`{}` line {line}, mounted at `{}`", c.file_name(), c.target);
        if ports.contains(&target) {
            return format!(": {server} listens there ({place})");
        }
        let list: Vec<String> = ports.iter().take(3).map(u16::to_string).collect();
        return format!(
            ": nothing listens there; {server} listens on {} ({place})",
            list.join(", ")
        );
    }
    if let Some(stage) = crate::model::compose::command::service_stage(p, s, None) {
        return match crate::model::dockerfile::listen::listen_port(&stage) {
            Some(l) if l.port == target => {
                format!(": the command's server listens there (`{}`)", l.what)
            }
            Some(l) => format!(
                ": nothing shows a server there; the command's listens on {} (`{}`)",
                l.port, l.what
            ),
            None => String::new(),
        };
    }
    if let Some(local) = p.local_image(s) {
        return local_listener(local, s, target, protocol);
    }
    let Some(known) = s
        .image
        .as_ref()
        .and_then(|i| crate::knowledge::images::lookup(&i.value))
    else {
        return String::new();
    };
    let ports: Vec<&crate::knowledge::images::PortFact> = known
        .ports
        .iter()
        .filter(|f| f.protocol == protocol)
        .collect();
    if let Some(f) = ports.iter().find(|f| f.port == target) {
        return format!(": `{}` listens there ({}; image table)", known.name, f.what);
    }
    if ports.is_empty() {
        return String::new();
    }
    let list: Vec<String> = ports.iter().take(3).map(|f| f.port.to_string()).collect();
    format!(
        ": `{}` listens on {} by default (image table)",
        known.name,
        list.join(", ")
    )
}

/// What listens on `target` in a service run from an image on the Docker host that the
/// live layer read: the port its command shows, else what it `EXPOSE`s.
fn local_listener(
    local: &crate::model::compose::LocalImage,
    s: &Service<'_>,
    target: u16,
    protocol: &str,
) -> String {
    let source = local.source();
    let mut stage = local.stage.clone();
    for e in &s.environment {
        stage.vars.push((
            e.key.to_string(),
            e.value.as_ref().map(|v| v.value.to_string()),
        ));
    }
    if protocol == "tcp"
        && let Some(l) = crate::model::dockerfile::listen::listen_port(&stage)
    {
        return if l.port == target {
            format!(
                ": the image's server listens there (`{}`, from {source})",
                l.what
            )
        } else {
            format!(
                ": nothing shows a server there; the image's listens on {} (`{}`, from {source})",
                l.port, l.what
            )
        };
    }
    let exposed: Vec<crate::model::ports::ExposedPort> = stage
        .exposes
        .iter()
        .filter_map(|e| crate::model::ports::parse_expose(&e.text).ok())
        .flatten()
        .filter(|e| e.protocol == protocol)
        .take(16)
        .collect();
    if exposed.iter().any(|e| e.port == target) {
        format!(": the image `EXPOSE`s it (from {source})")
    } else if exposed.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = exposed.iter().take(3).map(|e| e.port.to_string()).collect();
        format!(": the image `EXPOSE`s {} (from {source})", list.join(", "))
    }
}

/// The variables of a value: what each resolved to, and from where (as the model read
/// them).
fn push_interpolation(md: &mut String, v: &Val<'_>, env: Env<'_>) {
    if !v.interpolated() {
        return;
    }
    let _ = write!(md, "\n`{}` → `{}`", v.raw(), v.value);
    for (name, value) in v.used() {
        let origin = match value {
            Some(value) if env.dotenv.contains(name) => format!("`{name}={value}` from `.env`"),
            Some(value) => format!("`{name}={value}` from the environment"),
            None if v.unset().contains(name) => format!("`{name}` is unset (empty)"),
            None => format!("`{name}` is unset: the default applies"),
        };
        let _ = write!(md, "; {origin}");
    }
    md.push('\n');
}

fn host_words(ip: &str) -> String {
    match ip {
        "" => "every address, IPv4 and IPv6 (the daemon's default)".into(),
        "0.0.0.0" => "every IPv4 address (`0.0.0.0`)".into(),
        "::" => "every IPv6 address only (`::`)".into(),
        "127.0.0.1" | "::1" => format!("loopback only (`{ip}`)"),
        ip => format!("`{ip}` only"),
    }
}

/// The URL (or address) to try from the host itself.
fn this_machine(b: &Binding, app: Option<&str>) -> String {
    let host = match b.host_ip.as_str() {
        "" | "0.0.0.0" | "127.0.0.1" => "127.0.0.1".to_string(),
        "::" | "::1" => "[::1]".to_string(),
        ip if ip.contains(':') => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    if b.published.is_empty() || b.published.contains('-') {
        return format!("yes, at {host} on the host port Docker picks (`docker compose port`)");
    }
    let scheme = match (b.protocol, app) {
        ("tcp", Some(a)) => Some(a),
        ("tcp", None) => match b.target {
            80 | 8080 | 8000 | 3000 | 5000 | 8888 | 9000 => Some("http"),
            443 | 8443 => Some("https"),
            5432 => Some("postgres"),
            6379 => Some("redis"),
            3306 => Some("mysql"),
            27017 => Some("mongodb"),
            5672 => Some("amqp"),
            _ => None,
        },
        _ => None,
    };
    match scheme {
        Some(s) => format!("`{s}://{host}:{}`", b.published),
        None if b.protocol == "tcp" => format!("`{host}:{}`", b.published),
        None => format!("`{host}:{}` ({})", b.published, b.protocol),
    }
}

fn other_machines(ip: &str) -> &'static str {
    match ip {
        "" | "0.0.0.0" => {
            "**yes**, any address of this host; Docker's iptables rules bypass ufw/firewalld"
        }
        "::" => "yes, over IPv6 only; IPv4 clients are refused",
        "127.0.0.1" | "::1" => {
            "no, loopback only (before Engine 28, hosts on the same LAN could still reach it)"
        }
        _ => "those that reach this host at that address (Docker's rules bypass ufw/firewalld)",
    }
}

fn containers(p: &Project<'_>, s: &Service<'_>, targets: &str, protocol: &str) -> String {
    let proto = if protocol == "tcp" {
        String::new()
    } else {
        format!("/{protocol}")
    };
    match p.attachment(s) {
        Attachment::Networks(nets) => {
            let nets: Vec<_> = nets.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "`{}:{targets}{proto}` on {} {} (the container port, not the published one)",
                s.name,
                if nets.len() == 1 {
                    "network"
                } else {
                    "networks"
                },
                nets.join(", ")
            )
        }
        Attachment::Host => {
            "it shares the host's network: Docker ignores `ports`; the app listens on the host"
                .into()
        }
        Attachment::Bridge => format!(
            "by IP address only on the default bridge (no service names there), port {targets}"
        ),
        Attachment::Isolated => {
            "none: the container has no network of its own (`network_mode`)".into()
        }
        Attachment::Unknown => format!(
            "`{}:{targets}{proto}` on the networks it ends up in (another file defines part of this service)",
            s.name
        ),
    }
}

/// `80/tcp`, or `8000-8010/tcp` for a range.
fn exposed_range(exposed: &[ports::ExposedPort]) -> String {
    let first = &exposed[0];
    match exposed.last() {
        Some(last) if exposed.len() > 1 => {
            format!("{}-{}/{}", first.port, last.port, first.protocol)
        }
        _ => format!("{}/{}", first.port, first.protocol),
    }
}

/// An `expose` entry.
fn expose(service: &str, value: &str) -> String {
    let mut md = format!("**`{service}`** exposes `{value}`\n\n");
    match ports::parse_expose(value) {
        Ok(exposed) => {
            let range = exposed_range(&exposed);
            let _ = write!(
                md,
                "- Container port {range}: documentation only\n- **Not published**: the host cannot reach it; use `ports` for that\n- Other containers on its networks reach every listening port, exposed or not"
            );
        }
        Err(e) => {
            let _ = write!(md, "Docker rejects it: `{e}`");
        }
    }
    md
}

/// A Dockerfile `EXPOSE` word.
pub fn dockerfile_expose(value: &str) -> String {
    let mut md = format!("**`EXPOSE {value}`**\n\n");
    match ports::parse_expose(value) {
        Ok(exposed) => {
            let range = exposed_range(&exposed);
            let _ = write!(
                md,
                "- Records that the app listens on {range}: metadata, not a firewall rule\n- **Not published**: use `docker run -p 8080:{p}` or Compose `ports: [\"8080:{p}\"]`\n- `docker run -P` publishes every exposed port on a random host port",
                p = exposed[0].port
            );
        }
        Err(e) => {
            let _ = write!(md, "Docker rejects it: `{e}`");
        }
    }
    md
}

/// The hover at `offset` of a Dockerfile: an `EXPOSE` word, else a diagnostic's rule.
pub fn dockerfile(text: &str, offset: usize, findings: &[Finding]) -> Option<Hovered> {
    let found = crate::model::dockerfile::Dockerfile::read(text).and_then(|df| {
        df.stages
            .iter()
            .flat_map(|s| &s.exposes)
            .find(|w| contains(&w.span, offset))
            .map(|w| Hovered {
                markdown: match (w.value(), &w.values) {
                    (Some(v), _) if w.literal() => dockerfile_expose(v),
                    (Some(v), _) => format!(
                        "`{}` resolves to `{v}` here\n\n{}",
                        w.text,
                        dockerfile_expose(v)
                    ),
                    (None, Some(vs)) => format!(
                        "`{}` resolves to `{}` here: each is exposed",
                        w.text,
                        vs.join("`, `")
                    ),
                    (None, None) => format!(
                        "**`EXPOSE {}`**\n\nIts value is not known here: a build argument or the base image may set it",
                        w.text
                    ),
                },
                range: w.span.clone(),
                port_mapping: false,
            })
    });
    match found {
        Some(mut h) => {
            push_findings(&mut h.markdown, findings, &h.range, &[]);
            Some(h)
        }
        None => rule_doc(findings, offset),
    }
}

/// The hover at `offset` of a daemon.json: a key's meaning, type and default from the key
/// table, else a diagnostic's rule.
pub fn daemon_json(text: &str, offset: usize, findings: &[Finding]) -> Option<Hovered> {
    let json = crate::syntax::json::Json::parse(text);
    let found = json
        .root
        .as_ref()
        .and_then(crate::model::daemon::Daemon::read)
        .and_then(|d| {
            let e = d.entries.iter().find(|e| contains(&e.key_span, offset))?;
            let mut md = format!("**`{}`**\n\n", e.key);
            match crate::knowledge::daemon_keys::find(e.key) {
                Some(k) => {
                    let _ = write!(md, "{}\n\n- Type: {}\n", k.doc, k.ty.describe());
                    if !k.default.is_empty() {
                        let _ = writeln!(md, "- Default: {}", k.default);
                    }
                    if k.networking {
                        md.push_str("- Networking: portside checks this key\n");
                    }
                    md.push_str(
                        "- Takes effect when dockerd restarts (`systemctl restart docker`)\n",
                    );
                }
                None => md.push_str(
                    "dockerd does not know this key and refuses to start (`unknown directive`).",
                ),
            }
            // The entry's findings sit on its key or its value.
            push_findings(
                &mut md,
                findings,
                &(e.key_span.start..e.value.span.end),
                &[],
            );
            Some(Hovered {
                markdown: md,
                range: e.key_span.clone(),
                port_mapping: false,
            })
        });
    found.or_else(|| rule_doc(findings, offset))
}

/// A network, from the project's definition; `services` lists who is attached.
fn network(p: &Project<'_>, name: &str, services: Option<&[String]>) -> String {
    let mut md = String::new();
    match p.network(name) {
        Some(n) => {
            let _ = writeln!(md, "**Network `{name}`**\n");
            if n.external {
                let real = n.explicit_name.as_ref().map_or(name, |v| &v.value);
                let _ = writeln!(
                    md,
                    "- External: Compose does not create it; it must exist as `{real}`"
                );
            } else {
                let real = n
                    .explicit_name
                    .as_ref()
                    .map_or_else(|| format!("<project>_{name}"), |v| v.value.to_string());
                let _ = writeln!(md, "- Created by Compose as `{real}`");
            }
            let driver = n.driver.as_ref().map_or("bridge", |d| &d.value);
            let _ = writeln!(md, "- Driver: `{driver}`");
            for c in &n.ipam {
                if let Some(subnet) = &c.subnet {
                    let _ = writeln!(md, "- Subnet: `{}`", subnet.value);
                }
                if let Some(gw) = &c.gateway {
                    let _ = writeln!(md, "- Gateway: `{}`", gw.value);
                }
            }
            if n.internal {
                md.push_str("- Internal: no route out, and `ports` of its services are not reachable from the host\n");
            }
        }
        None if name == "default" => {
            md.push_str("**Network `default`**\n\n- Created by Compose as `<project>_default`, a bridge network for every service without `networks`\n");
        }
        None => {
            let _ = writeln!(
                md,
                "**Network `{name}`**\n\n- Not defined in this file (another file of the project, or a mistake)"
            );
        }
    }
    if let Some(services) = services {
        if services.is_empty() {
            md.push_str("- No service of this file is attached\n");
        } else {
            let list: Vec<_> = services.iter().map(|s| format!("`{s}`")).collect();
            let _ = writeln!(
                md,
                "- Attached: {} (they reach each other by service name)",
                list.join(", ")
            );
        }
    }
    md
}

fn network_mode(mode: &str) -> String {
    let words = match mode {
        "host" => "The container uses the host's network stack: no isolation, no port mapping (`ports` is ignored), and `localhost` is the host. That is Docker Engine on Linux; on Docker Desktop it is the VM's network, reached from this machine only with Settings > Resources > Network > Enable host networking (Docker Desktop 4.34 and later).".to_string(),
        "bridge" => "The default bridge `docker0`: no DNS for service names; other containers reach it by IP address only.".to_string(),
        "none" => "No network but loopback: nothing can reach it and it reaches nothing.".to_string(),
        m if m.starts_with("service:") => format!("Shares the network stack of service `{}`: same IP address and ports, and `localhost` is that container. Its own `ports`, `networks` and `hostname` are refused.", &m[8..]),
        m if m.starts_with("container:") => format!("Shares the network stack of the existing container `{}`.", &m[10..]),
        _ => "Compose treats any other value as the name of a network to join.".to_string(),
    };
    format!("**`network_mode: {mode}`**\n\n{words}")
}

fn extra_host(host: &str, addr: &str) -> String {
    let mut md = format!(
        "**`extra_hosts`**: `{host}` resolves to `{addr}` inside the container (a line in its /etc/hosts)\n"
    );
    if addr == "host-gateway" {
        md.push_str("\n`host-gateway` is the host's address as seen from containers (docker0's gateway, or the daemon's `host-gateway-ip`). The app on the host must listen on that interface, not only on 127.0.0.1, and the host firewall must let the bridge in.");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_at(text: &str, needle: &str, vars: &[(&str, &str)], dotenv: &[&str]) -> String {
        let yaml = Yaml::parse(text);
        let vars: Vars = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let dotenv = dotenv.iter().map(|s| s.to_string()).collect();
        let external = External::default();
        let env = Env {
            vars: &vars,
            dotenv: &dotenv,
            external: &external,
        };
        let offset = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + 1;
        let ctx = crate::analysis::Context {
            vars: vars.clone(),
            ..Default::default()
        };
        let findings =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        compose(text, &yaml, env, offset, &findings)
            .map(|h| h.markdown)
            .unwrap_or_default()
    }

    /// A port hover on a service whose mounted config file moves its server's port names
    /// the file, its line and where it is mounted, not the image's default.
    #[test]
    fn the_container_line_names_the_mounted_config() {
        let dir = std::env::temp_dir().join(format!("portside-hover-conf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "services:\n  cache:\n    image: redis:7\n    command: [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n    volumes:\n      - ./redis.conf:/usr/local/etc/redis/redis.conf\n    ports: [\"16379:6379\", \"16380:6380\"]\n";
        std::fs::write(dir.join("redis.conf"), "bind 0.0.0.0\nport 6380\n").unwrap();
        let path = dir.join("compose.yaml");
        let ctx = crate::workspace::context_for(&path, text, &Default::default());
        let env = Env {
            vars: &ctx.vars,
            dotenv: &ctx.dotenv,
            external: &ctx.external,
        };
        let yaml = Yaml::parse(text);
        let hover = |needle: &str| {
            let offset = text.find(needle).unwrap() + 1;
            compose(text, &yaml, env, offset, &[])
                .map(|h| h.markdown)
                .unwrap_or_default()
        };
        let moved = hover("16380:6380");
        assert!(
            moved.contains(
                "Redis listens there (`redis.conf` line 2, mounted at `/usr/local/etc/redis/redis.conf`)"
            ),
            "{moved}"
        );
        let default = hover("16379:6379");
        assert!(
            default.contains("nothing listens there; Redis listens on 6380 (`redis.conf` line 2"),
            "{default}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A port hover on a service run from an image the live layer read says what listens
    /// and where that fact comes from.
    #[test]
    fn the_container_line_names_the_local_image() {
        let hover = |spec: &str, cmd: &[&str]| {
            let text = format!(
                "services:\n  web:\n    image: example/busy:1\n    ports:\n      - \"{spec}\"\n"
            );
            let yaml = Yaml::parse(&text);
            let vars = Vars::default();
            let dotenv = Default::default();
            let cmd: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
            let external = External {
                local_images: vec![std::sync::Arc::new(crate::model::compose::LocalImage::new(
                    "example/busy:1",
                    "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
                    &["9000/tcp".to_string()],
                    None,
                    Some(&cmd),
                    &[],
                    None,
                ))],
                ..Default::default()
            };
            let env = Env {
                vars: &vars,
                dotenv: &dotenv,
                external: &external,
            };
            let offset = text.find(spec).unwrap() + 1;
            compose(&text, &yaml, env, offset, &[])
                .map(|h| h.markdown)
                .unwrap_or_default()
        };
        let h = hover("8080:9000", &["httpd", "-f", "-p", "9000"]);
        assert!(
            h.contains("the image's server listens there (`-p 9000`, from the local image sha256:abcdef012345)"),
            "{h}"
        );
        let h = hover("8080:8080", &["httpd", "-f", "-p", "9000"]);
        assert!(
            h.contains(
                "the image's listens on 9000 (`-p 9000`, from the local image sha256:abcdef012345)"
            ),
            "{h}"
        );
        let h = hover("8080:9000", &["/app/server"]);
        assert!(
            h.contains("the image `EXPOSE`s it (from the local image sha256:abcdef012345)"),
            "{h}"
        );
    }

    fn port(spec: &str) -> String {
        let text = format!("services:\n  web:\n    ports:\n      - \"{spec}\"\n");
        hover_at(&text, spec, &[], &[])
    }

    #[test]
    fn short_syntax_vectors() {
        let h = port("8080:80");
        assert!(h.contains("**`web`** publishes `8080:80`"), "{h}");
        assert!(h.contains("every address, IPv4 and IPv6"), "{h}");
        assert!(h.contains("port 8080"), "{h}");
        assert!(h.contains("port 80/tcp of `web`"), "{h}");
        assert!(h.contains("`http://127.0.0.1:8080`"), "{h}");
        assert!(h.contains("Other machines**: **yes**"), "{h}");
        assert!(h.contains("bypass ufw"), "{h}");
        assert!(h.contains("`web:80` on network `default`"), "{h}");
        // An opt-in rule says nothing until it is turned on.
        assert!(!h.contains("`publish-all-interfaces`"), "{h}");

        let h = port("127.0.0.1:5432:5432");
        assert!(h.contains("loopback only (`127.0.0.1`), port 5432"), "{h}");
        assert!(h.contains("`postgres://127.0.0.1:5432`"), "{h}");
        assert!(h.contains("Other machines**: no"), "{h}");

        let h = port("[::1]:8080:80");
        assert!(h.contains("loopback only (`::1`)"), "{h}");
        assert!(h.contains("`http://[::1]:8080`"), "{h}");

        let h = port("[::]:8080:80");
        assert!(h.contains("every IPv6 address only"), "{h}");
        assert!(h.contains("IPv4 clients are refused"), "{h}");

        let h = port("0.0.0.0:53:53/udp");
        assert!(h.contains("every IPv4 address"), "{h}");
        assert!(h.contains("port 53/udp"), "{h}");
        assert!(h.contains("`127.0.0.1:53` (udp)"), "{h}");
        assert!(h.contains("`web:53/udp`"), "{h}");

        let h = port("8000-8002:80-82");
        assert!(
            h.contains("ports 8000-8002, pairwise (`8000→80` … `8002→82`)"),
            "{h}"
        );
        assert!(h.contains("port 80-82/tcp"), "{h}");

        let h = port("8000-8010:80");
        assert!(h.contains("the first free port in 8000-8010"), "{h}");

        let h = port("80");
        assert!(
            h.contains("a random free port (ephemeral); `docker compose port web 80`"),
            "{h}"
        );

        let h = port("192.168.1.5:8080:80");
        assert!(h.contains("`192.168.1.5` only"), "{h}");
        assert!(h.contains("`http://192.168.1.5:8080`"), "{h}");

        let h = port("8080:80/tpc");
        assert!(h.contains("Docker rejects it: `invalid proto: tpc`"), "{h}");
    }

    /// ports-spec.md §7.1 and §7.3 vectors: (entry, host port words, container words).
    /// The container side says what listens there and where the fact comes from.
    #[test]
    fn the_container_side_names_what_listens() {
        let text = "services:\n  db:\n    image: postgres:16\n    ports: [\"5433:5432\", \"5434:5433\"]\n  api:\n    image: python:3.12\n    command: uvicorn app:app --host 0.0.0.0 --port 8000\n    ports: [\"8000:8000\"]\n  app:\n    image: registry.example/app:1\n    ports: [\"9000:9000\"]\n";
        let h = hover_at(text, "5433:5432", &[], &[]);
        assert!(
            h.contains("`postgres` listens there (PostgreSQL; image table)"),
            "{h}"
        );
        let h = hover_at(text, "5434:5433", &[], &[]);
        assert!(
            h.contains("`postgres` listens on 5432 by default (image table)"),
            "{h}"
        );
        let h = hover_at(text, "8000:8000", &[], &[]);
        assert!(
            h.contains("the command's server listens there (`--port 8000`)"),
            "{h}"
        );
        let h = hover_at(text, "9000:9000", &[], &[]);
        assert!(h.contains("port 9000/tcp of `app`\n"), "{h}");
    }

    #[test]
    fn ports_spec_vectors() {
        let vectors = [
            ("80", "a random free port (ephemeral)", "port 80/tcp"),
            ("80:8080", "port 80\n", "port 8080/tcp"),
            (
                "80-90:8080",
                "the first free port in 80-90",
                "port 8080/tcp",
            ),
            ("8080:80/tcp", "port 8080\n", "port 80/tcp"),
            ("80:8080/udp", "port 80\n", "port 8080/udp"),
            (
                "80-81:8080-8081/tcp",
                "ports 80-81, pairwise (`80→8080` … `81→8081`)",
                "port 8080-8081/tcp",
            ),
            (
                "80-82:8080-8082/udp",
                "ports 80-82, pairwise",
                "port 8080-8082/udp",
            ),
            (
                "80-82:8080/udp",
                "the first free port in 80-82",
                "port 8080/udp",
            ),
            ("80-80:8080/tcp", "port 80\n", "port 8080/tcp"),
            ("1.1.1.1:80:80", "`1.1.1.1` only, port 80\n", "port 80/tcp"),
            (
                "127.0.0.1:8081:81",
                "loopback only (`127.0.0.1`), port 8081",
                "port 81/tcp",
            ),
            ("90:8090/udp", "port 90\n", "port 8090/udp"),
        ];
        for (spec, host, container) in vectors {
            let h = port(spec);
            assert!(h.contains(host), "{spec}: {h}");
            assert!(
                h.contains(&format!("- **Container**: {container}")),
                "{spec}: {h}"
            );
        }
        for (spec, error) in [
            ("9999999", "invalid containerPort: 9999999"),
            ("80/xyz", "invalid proto: xyz"),
            ("127.0.1:8080:80", "invalid IP address: 127.0.1"),
        ] {
            let h = port(spec);
            assert!(
                h.contains(&format!("Docker rejects it: `{error}`")),
                "{spec}: {h}"
            );
        }
        // §7.3 #22, #23, #27, #28, #32: integers, long syntax and interpolation.
        let text = "services:\n  s:\n    ports:\n      - 8600\n      - {mode: host, target: 22, published: 10022}\n      - {target: $theint, published: \"$theint\"}\n      - ${PUBLIC_PORT}:80\n";
        let vars = [("theint", "555"), ("PUBLIC_PORT", "8000")];
        let h = hover_at(text, "8600", &vars, &[]);
        assert!(
            h.contains("a random free port (ephemeral); `docker compose port s 8600`"),
            "{h}"
        );
        let h = hover_at(text, "mode: host", &vars, &[]);
        assert!(h.contains("port 10022\n"), "{h}");
        assert!(h.contains("port 22/tcp of `s`"), "{h}");
        assert!(h.contains("**Mode**: `host`"), "{h}");
        let h = hover_at(text, "target: $theint", &vars, &[]);
        assert!(h.contains("`$theint` → `555`"), "{h}");
        assert!(h.contains("port 555\n"), "{h}");
        assert!(h.contains("port 555/tcp"), "{h}");
        let h = hover_at(text, "${PUBLIC_PORT}", &vars, &["PUBLIC_PORT"]);
        assert!(h.contains("`PUBLIC_PORT=8000` from `.env`"), "{h}");
        assert!(h.contains("`http://127.0.0.1:8000`"), "{h}");
    }

    #[test]
    fn long_syntax_and_interpolation() {
        let text = "services:\n  dns:\n    networks: [front, back]\n    ports:\n      - target: 53\n        published: \"${DNS_PORT:-5353}\"\n        protocol: udp\n        mode: host\n      - target: 8443\n        published: 443\n        app_protocol: https\nnetworks:\n  front: {}\n  back: {internal: true}\n";
        let h = hover_at(text, "target: 53", &[], &[]);
        assert!(h.contains("publishes (long syntax)"), "{h}");
        assert!(h.contains("`${DNS_PORT:-5353}` → `5353`"), "{h}");
        assert!(
            h.contains("`DNS_PORT` is unset: the default applies"),
            "{h}"
        );
        assert!(h.contains("port 5353"), "{h}");
        assert!(h.contains("port 53/udp of `dns`"), "{h}");
        assert!(h.contains("**Mode**: `host`"), "{h}");
        assert!(
            h.contains("`dns:53/udp` on networks `front`, `back`"),
            "{h}"
        );
        let h = hover_at(text, "target: 53", &[("DNS_PORT", "53")], &["DNS_PORT"]);
        assert!(h.contains("`DNS_PORT=53` from `.env`"), "{h}");
        let h = hover_at(text, "target: 53", &[("DNS_PORT", "53")], &[]);
        assert!(h.contains("`DNS_PORT=53` from the environment"), "{h}");
        let h = hover_at(text, "target: 8443", &[], &[]);
        assert!(h.contains("`https://127.0.0.1:443`"), "{h}");
        assert!(h.contains("Application protocol**: `https`"), "{h}");
    }

    #[test]
    fn elsewhere() {
        let text = "services:\n  web:\n    networks:\n      front:\n        aliases: [www]\n    expose: [\"9000-9001\"]\n    extra_hosts: [\"host.docker.internal:host-gateway\"]\n  db:\n    network_mode: host\n  app:\n    image: x\nnetworks:\n  front:\n    ipam: {config: [{subnet: 10.5.0.0/24}]}\n";
        let h = hover_at(text, "front:\n        aliases", &[], &[]);
        assert!(h.contains("attached to network `front`"), "{h}");
        assert!(h.contains("as `web` and `www`"), "{h}");
        assert!(h.contains("Subnet: `10.5.0.0/24`"), "{h}");
        let h = hover_at(text, "9000-9001", &[], &[]);
        assert!(h.contains("Container port 9000-9001/tcp"), "{h}");
        assert!(h.contains("**Not published**"), "{h}");
        let h = hover_at(text, "host.docker", &[], &[]);
        assert!(h.contains("`host-gateway` is the host's address"), "{h}");
        let h = hover_at(text, "host\n  app", &[], &[]);
        assert!(h.contains("host's network stack"), "{h}");
        let h = hover_at(text, "front:\n    ipam", &[], &[]);
        assert!(h.contains("**Network `front`**"), "{h}");
        assert!(h.contains("Attached: `web`"), "{h}");
        assert!(!h.contains("`app`"), "{h}");
    }

    /// The hover reads the model's structured values and the rules' queries: `extra_hosts`
    /// entries in both forms, who is attached to a network (`network_mode: service:X`
    /// follows X), and a finding's rule summary (not a sentence cut out of its message).
    #[test]
    fn reads_the_model_and_the_rules_queries() {
        let text = "services:\n  web:\n    networks: [front]\n    extra_hosts:\n      dev.local: 10.0.0.9\n    ports: [\"8080:80/tpc\"]\n  side:\n    network_mode: \"service:web\"\n  lone:\n    network_mode: none\nnetworks:\n  front: {}\n";
        let h = hover_at(text, "dev.local", &[], &[]);
        assert!(
            h.contains("`dev.local` resolves to `10.0.0.9` inside the container"),
            "{h}"
        );
        let h = hover_at(text, "front: {}", &[], &[]);
        assert!(h.contains("Attached: `web`, `side`"), "{h}");
        assert!(!h.contains("`lone`"), "{h}");
        // A port Docker rejects says why once: in Docker's words, not again as a finding.
        let ctx = crate::analysis::Context::default();
        let findings =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        let f = findings
            .iter()
            .find(|f| text[f.range.clone()].contains("tpc"))
            .expect("a finding on the port");
        let h = hover_at(text, "8080:80/tpc", &[], &[]);
        assert!(h.contains("Docker rejects it: `invalid proto: tpc`"), "{h}");
        assert!(!h.contains(&format!("⚠ `{}`", f.rule.code)), "{h}");
        // Other findings on the hovered token are named with their rule's summary, once.
        let text = "services:\n  cache:\n    image: redis:7\n    ports: [\"6379:6379\"]\n";
        let findings =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx).findings;
        let f = findings.first().expect("a finding on the port");
        let yaml = Yaml::parse(text);
        let env = Env {
            vars: &Vars::default(),
            dotenv: &Default::default(),
            external: &Default::default(),
        };
        let doubled: Vec<Finding> = findings.iter().chain(findings.iter()).cloned().collect();
        let h = compose(text, &yaml, env, text.find("6379:").unwrap(), &doubled)
            .unwrap()
            .markdown;
        let line = format!("⚠ `{}`: {}", f.rule.code, f.rule.summary);
        assert_eq!(h.matches(&line).count(), 1, "{h}");
    }

    #[test]
    fn dockerfile_and_daemon_json() {
        let df = "FROM scratch\nEXPOSE 8000/udp 9000-9001\n";
        let h = dockerfile(df, df.find("8000").unwrap(), &[]).unwrap();
        assert_eq!(&df[h.range.clone()], "8000/udp");
        assert!(h.markdown.contains("listens on 8000/udp"), "{}", h.markdown);
        assert!(h.markdown.contains("**Not published**"), "{}", h.markdown);
        let h = dockerfile(df, df.find("9001").unwrap(), &[]).unwrap();
        assert!(h.markdown.contains("9000-9001/tcp"), "{}", h.markdown);
        assert!(dockerfile(df, 2, &[]).is_none());
        // Variables: the value BuildKit sees, or that it is not known here.
        let df = "FROM node\nARG PORT=3000\nENV PORT $PORT\nEXPOSE $PORT ${NOPE}\n";
        let h = dockerfile(df, df.find("EXPOSE $PORT").unwrap() + 8, &[]).unwrap();
        assert_eq!(&df[h.range.clone()], "$PORT");
        assert!(h.markdown.contains("resolves to `3000`"), "{}", h.markdown);
        assert!(h.markdown.contains("listens on 3000/tcp"), "{}", h.markdown);
        assert!(!h.markdown.contains("rejects"), "{}", h.markdown);
        let h = dockerfile(df, df.find("${NOPE}").unwrap(), &[]).unwrap();
        assert!(h.markdown.contains("not known here"), "{}", h.markdown);

        let json = "{\n  \"bip\": \"10.1.0.1/24\",\n  \"nope\": 1\n}\n";
        let findings =
            crate::analysis::analyze(crate::classify::FileKind::DaemonJson, json).findings;
        let h = daemon_json(json, json.find("bip").unwrap(), &findings).unwrap();
        assert_eq!(&json[h.range.clone()], "\"bip\"");
        assert!(h.markdown.starts_with("**`bip`**"), "{}", h.markdown);
        assert!(h.markdown.contains("- Type: a string"), "{}", h.markdown);
        let h = daemon_json(json, json.find("nope").unwrap(), &findings).unwrap();
        assert!(
            h.markdown.contains("dockerd does not know this key"),
            "{}",
            h.markdown
        );
        assert!(h.markdown.contains("⚠ `"), "{}", h.markdown);
    }

    #[test]
    fn an_environment_value_that_names_a_service() {
        let text = "services:\n  api:\n    networks: [back]\n    environment:\n      DB_URL: postgres://db:5432/app\n      CACHE: redis://cache:6380\n      SELF: http://localhost:80\n      OTHER: http://nope:1\n  db:\n    image: postgres:16\n    networks: [back]\n  cache:\n    image: redis:7\n    ports: [\"6380:6379\"]\nnetworks:\n  back: {}\n";
        let h = hover_at(text, "postgres://db", &[], &[]);
        assert!(h.contains("**`DB_URL`** names `db:5432`"), "{h}");
        assert!(h.contains("Service `db` of this project"), "{h}");
        assert!(h.contains("Port 5432: `db` listens on it"), "{h}");
        assert!(h.contains("shared: `back`"), "{h}");
        let h = hover_at(text, "redis://cache", &[], &[]);
        assert!(h.contains("published host port (6380→6379)"), "{h}");
        assert!(h.contains("**no shared network**"), "{h}");
        let h = hover_at(text, "http://localhost", &[], &[]);
        assert!(h.contains("is `api` itself"), "{h}");
        let h = hover_at(text, "http://nope", &[], &[]);
        assert!(
            h.contains("No service of this file is called `nope`"),
            "{h}"
        );
    }

    #[test]
    fn a_browser_url_and_a_listen_address() {
        let text = "services:\n  web:\n    environment:\n      NEXT_PUBLIC_API_URL: http://localhost:8000\n      METRICS_LISTEN_ADDR: 127.0.0.1:9100\n";
        let h = hover_at(text, "http://localhost", &[], &[]);
        assert!(h.contains("handed to a browser or another machine"), "{h}");
        assert!(!h.contains("itself"), "{h}");
        let h = hover_at(text, "127.0.0.1", &[], &[]);
        assert!(h.contains("is where `web` listens"), "{h}");
        let text = "services:\n  web:\n    environment:\n      API_URL: http://localhost:8000\n";
        let h = hover_at(text, "http://localhost", &[], &[]);
        assert!(h.contains("is `web` itself"), "{h}");
        assert!(h.contains("if a browser opens this URL"), "{h}");
    }

    #[test]
    fn plain_text_for_clients_without_markdown() {
        let md = "**`web`** publishes `80`\n\n- **Host**: x\n\n---\n\n⚠ `code`: y";
        assert_eq!(
            plain_text(md),
            "`web` publishes `80`\n\n- Host: x\n\n\n⚠ `code`: y"
        );
    }

    #[test]
    fn a_diagnostic_without_a_specific_hover_shows_its_rule() {
        let text = "services:\n  web:\n    links: [db]\n  db: {}\n";
        let h = hover_at(text, "links", &[], &[]);
        // A Compose key: its description, then the finding on it.
        assert!(h.starts_with("**`links`**"), "{h}");
        assert!(h.contains("links-legacy"), "{h}");
        // Where the table knows no key, the rule's documentation: a summary and links.
        let text = "services:\n  web:\n    image: x\n    port: [\"80\"]\n";
        let h = hover_at(text, "port:", &[], &[]);
        assert!(h.starts_with("**compose-unknown-key**: "), "{h}");
        assert!(h.contains("`portside explain compose-unknown-key`"), "{h}");
        assert!(h.contains("](https://"), "a link to the rule's page: {h}");
        assert!(h.lines().count() <= 3, "a summary, not the page: {h}");
    }
}
