//! The rule registry. Every rule lives in its own file and is declared with
//! [`declare_rule!`], whose `///` doc comment (What it does / Why it matters / Example /
//! Fix) is the single source of `portside explain`, `docs/rules.md` and hovers.

use crate::finding::RuleMeta;
/// For the rule files (`super::did_you_mean`).
pub(crate) use crate::text::did_you_mean;

mod address_pool_exhausted;
mod advertised_address_loopback;
mod app_listens_on_loopback;
mod bind_family_mismatch;
mod compose_deprecated_key;
mod compose_invalid_value;
mod compose_legacy_format;
mod compose_unknown_key;
mod container_port_only;
mod daemon_bip_network_address;
mod daemon_bridge_and_bip;
mod daemon_default_gateway_outside_bip;
mod daemon_default_pools_invalid;
mod daemon_fixed_cidr_outside_bip;
mod daemon_forward_drop;
mod daemon_host_gateway_ip_both;
mod daemon_hosts_systemd_conflict;
mod daemon_icc_false;
mod daemon_invalid_value;
mod daemon_ip_forward_false;
mod daemon_ip_not_for_compose;
mod daemon_iptables_false;
mod daemon_ipv6_no_fixed_cidr;
mod daemon_public_address_range;
mod daemon_tcp_without_tls;
mod daemon_unknown_key;
mod daemon_userland_proxy_false;
mod default_bridge_no_dns;
mod depends_on_not_ready;
mod dns_misconfig;
mod duplicate_host_port;
mod duplicate_key;
mod expose_invalid_format;
mod expose_is_not_publish;
mod expose_proto_casing;
mod external_network_missing;
mod extra_hosts_loopback;
mod healthcheck_port_not_listening;
mod host_docker_internal_linux;
mod host_route_overlap;
mod host_service_unreachable_from_container;
mod hostip_ipv6_unspecified_only;
mod input_too_large;
mod internal_network_ports;
mod interpolation_error;
mod invalid_ignore_comment;
pub mod invalid_port_spec;
mod invalid_setting;
mod ipam_config_invalid;
mod links_legacy;
mod localhost_between_containers;
mod mtu_mismatch;
mod network_mode_host_with_ports;
mod network_mode_shared_namespace_conflicts;
mod network_mode_with_networks;
mod nextjs_standalone_hostname;
mod no_shared_network;
mod overlay_network_needs_swarm;
mod port_var_unset;
mod publish_all_interfaces;
mod published_port_between_containers;
mod rootless_privileged_port;
mod scaled_service_fixed_port;
mod service_port_not_listening;
mod static_ip_invalid;
mod subnet_overlap;
mod syntax_error;
mod target_port_mismatch;
/// For hovers: the ports a mounted config file makes a service's server listen on.
pub(crate) use target_port_mismatch::config_ports;
mod undefined_network;
mod undefined_service;
mod underscore_hostname;
mod unknown_service_host;
mod unprotected_service_published;
mod yaml_base60_port;

pub use duplicate_key::DUPLICATE_KEY;
pub use input_too_large::INPUT_TOO_LARGE;
pub use invalid_ignore_comment::INVALID_IGNORE_COMMENT;
pub use invalid_port_spec::INVALID_PORT_SPEC;
pub use invalid_setting::INVALID_SETTING;
pub use syntax_error::SYNTAX_ERROR;

pub use crate::finding::RULES_DOC_URL;

/// A rule's checks, by the kind of file they read. A rule that a syntax layer raises
/// (`syntax-error`, `duplicate-key`, ...) has none.
#[derive(Debug)]
pub struct Checks {
    pub compose: &'static [ComposeCheck],
    pub dockerfile: &'static [DockerfileCheck],
    pub daemon: &'static [DaemonCheck],
}

/// A rule: its metadata (documentation, default level; [`RuleMeta`], what a finding
/// names) and its checks, declared once with [`declare_rule!`] in its own file. [`ALL`]
/// lists them; nothing else does. It dereferences to its metadata.
#[derive(Debug)]
pub struct Rule {
    pub meta: RuleMeta,
    pub checks: Checks,
}

impl std::ops::Deref for Rule {
    type Target = RuleMeta;

    fn deref(&self) -> &RuleMeta {
        &self.meta
    }
}

/// Rules are the same when their codes are (codes are unique: a test says so).
impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
    }
}

impl Eq for Rule {}

/// Declares a rule; the doc comment becomes its documentation.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub static $name:ident = {
            code: $code:literal,
            severity: $severity:ident,
            applies_to: $applies:literal,
            summary: $summary:literal
            $(, opt_in: $opt_in:literal)?
            $(, compose: [$($compose:path),* $(,)?])?
            $(, dockerfile: [$($dockerfile:path),* $(,)?])?
            $(, daemon: [$($daemon:path),* $(,)?])? $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            meta: $crate::finding::RuleMeta {
                code: $code,
                severity: $crate::finding::Severity::$severity,
                applies_to: $applies,
                summary: $summary,
                opt_in: false $(|| $opt_in)?,
                doc_comment: concat!($($doc, "\n"),+),
            },
            checks: $crate::rules::Checks {
                compose: &[$($($compose),*)?],
                dockerfile: &[$($($dockerfile),*)?],
                daemon: &[$($($daemon),*)?],
            },
        };
    };
}
pub(crate) use declare_rule;

pub type ComposeCheck = fn(&crate::model::compose::Project, &mut Vec<crate::finding::Finding>);

pub type DockerfileCheck =
    fn(&str, &crate::model::dockerfile::Dockerfile, &mut Vec<crate::finding::Finding>);

pub type DaemonCheck = fn(&str, &crate::model::daemon::Daemon, &mut Vec<crate::finding::Finding>);

/// A Compose service built from a Dockerfile that the workspace layer read.
pub(crate) struct Built<'p> {
    pub service: &'p crate::model::compose::Service<'p>,
    pub file: &'p crate::finding::OtherFile,
    /// The build context's package.json.
    pub package: Option<&'p crate::finding::OtherFile>,
    /// The stage that runs (the last one, or `build.target`), with Compose's `environment`
    /// added to its variables: at run time they are the container's too.
    pub stage: crate::model::dockerfile::Stage,
    /// Compose sets `command` or `entrypoint`, which replace the image's.
    pub overridden: bool,
    /// Not built here: the image on the Docker host that the service runs, as the live
    /// layer read it (`file` is then its facts written out, not a file to point into).
    pub local: Option<&'p crate::model::compose::LocalImage>,
}

impl Built<'_> {
    /// Where the stage comes from, for messages: the Dockerfile's name, or `from the local
    /// image sha256:…`.
    pub fn source(&self) -> String {
        match self.local {
            Some(l) => format!("from {}", l.source()),
            None => self
                .file
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("Dockerfile")
                .to_string(),
        }
    }

    /// `f` with related information at `range` of the Dockerfile; unchanged for a local
    /// image, which has no file to point into.
    pub fn related(
        &self,
        f: crate::finding::Finding,
        range: std::ops::Range<usize>,
        message: &str,
    ) -> crate::finding::Finding {
        match self.local {
            Some(_) => f,
            None => f.with_related_in(self.file.clone(), range, message),
        }
    }
}

/// The services of `p` built from a Dockerfile the workspace layer could read, except those
/// that share another network stack (`network_mode`), where loopback and ports are not
/// the container's own.
pub(crate) fn built<'p>(p: &'p crate::model::compose::Project<'_>) -> Vec<Built<'p>> {
    let mut out = Vec::new();
    for d in &p.external.dockerfiles {
        let Some(service) = p.service(&d.service) else {
            continue;
        };
        if service.network_mode.is_some() {
            continue;
        }
        let args = service
            .build
            .as_ref()
            .map_or(&[][..], |b| b.args.as_slice());
        // The workspace layer models each Dockerfile once; a context built by hand (tests)
        // has the analysis fill it in (`analysis::compose`).
        let parsed;
        let df = match &d.model {
            Some(model) => model.as_ref().as_ref(),
            None => {
                parsed = crate::model::dockerfile::Dockerfile::read_with(&d.file.text, args);
                parsed.as_ref()
            }
        };
        let Some(df) = df else {
            continue;
        };
        let target = service
            .build
            .as_ref()
            .and_then(|b| b.target.as_ref())
            .map(|t| t.value.as_ref());
        let Some(stage) = df.runs(target) else {
            continue;
        };
        let stage = with_environment(stage.clone(), service);
        let overridden = overridden(p, service);
        out.push(Built {
            service,
            file: &d.file,
            package: d.package.as_ref(),
            stage,
            overridden,
            local: None,
        });
    }
    out
}

/// `stage` with Compose's `environment` added to its variables: at run time they are the
/// container's too.
fn with_environment(
    mut stage: crate::model::dockerfile::Stage,
    service: &crate::model::compose::Service<'_>,
) -> crate::model::dockerfile::Stage {
    for var in &service.environment {
        if let Some(v) = &var.value {
            stage
                .vars
                .push((var.key.to_string(), Some(v.value.to_string())));
            stage.env.push((var.key.to_string(), 0..0));
        }
    }
    stage
}

/// Compose sets `command` or `entrypoint`, which replace the image's.
fn overridden(
    p: &crate::model::compose::Project<'_>,
    service: &crate::model::compose::Service<'_>,
) -> bool {
    p.key(service, "command").is_some() || p.key(service, "entrypoint").is_some()
}

/// [`built`], then the services run from an image on the Docker host that the image table
/// does not know ([`Project::local_image`](crate::model::compose::Project::local_image)),
/// with the image's `Env` and Compose's `environment` as the stage's variables.
pub(crate) fn built_or_local<'p>(p: &'p crate::model::compose::Project<'_>) -> Vec<Built<'p>> {
    let mut out = built(p);
    if p.external.local_images.is_empty() {
        return out;
    }
    for service in &p.services {
        if service.network_mode.is_some() {
            continue;
        }
        let Some(local) = p.local_image(service) else {
            continue;
        };
        let stage = with_environment(local.stage.clone(), service);
        let overridden = overridden(p, service);
        out.push(Built {
            service,
            file: &local.file,
            package: None,
            stage,
            overridden,
            local: Some(local),
        });
    }
    out
}

/// A mounted config file (bind mount, `configs:` or `secrets:`), which may set a password
/// or a port that the Compose file does not show.
/// Whether service `s` runs `kind`'s server from its official (or vendor's) image, alone:
/// not built from a Dockerfile, not an image that bundles other programs
/// (`model::appconfig::Kind::runs_in`). Only then do a mounted config file's listeners and
/// `localhost` upstreams speak for the whole container.
pub(crate) fn runs_config_server(
    s: &crate::model::compose::Service,
    kind: crate::model::appconfig::Kind,
) -> bool {
    !s.has_build && s.image.as_ref().is_some_and(|i| kind.runs_in(&i.value))
}

pub(crate) fn mounts_config(
    p: &crate::model::compose::Project,
    s: &crate::model::compose::Service,
) -> bool {
    if p.key(s, "configs").is_some() || p.key(s, "secrets").is_some() {
        return true;
    }
    let Some(volumes) = p.yaml.get(s.node, "volumes") else {
        return false;
    };
    // LinuxServer's images keep their app data, written at first start, under `/config`
    // (their documentation's appdata volume): the server listens where the image table
    // says unless someone changes it in the app, so that mount alone is not a config file.
    let linuxserver = s.image.as_ref().is_some_and(|i| {
        i.value
            .split(['@', ':'])
            .next()
            .unwrap_or("")
            .contains("linuxserver/")
    });
    let appdata = |item: crate::syntax::yaml::NodeId| {
        let target = match p.yaml.scalar(item) {
            Some(short) => short.split(':').nth(1).map(str::to_string),
            None => p
                .yaml
                .get(item, "target")
                .and_then(|e| p.yaml.scalar(p.yaml.resolve(e.value)))
                .map(str::to_string),
        };
        target.is_some_and(|t| matches!(t.trim(), "/config" | "/config/"))
    };
    let mut stack = vec![volumes.value];
    if linuxserver && let Some(items) = p.yaml.items(p.yaml.resolve(volumes.value)) {
        stack = items
            .iter()
            .copied()
            .filter(|&item| !appdata(p.yaml.resolve(item)))
            .collect();
    }
    let mut budget = 1000; // aliases may repeat a subtree many times
    while let Some(node) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            return true;
        }
        if let Some(text) = p.yaml.scalar(node) {
            let t = text.to_ascii_lowercase();
            if t.contains("conf") || t.contains(".cnf") || t.contains("etc/") || t.contains("acl") {
                return true;
            }
        }
        if let Some(items) = p.yaml.items(node) {
            stack.extend_from_slice(items);
        }
        for e in p.yaml.entries(node).iter() {
            stack.push(e.value);
        }
    }
    false
}

/// A name this file does not define, in a file that another file completes
/// ([`Project::fragment`](crate::model::compose::Project::fragment)): the other file may define
/// it, so the finding is information, said as such.
pub(crate) fn in_a_fragment(f: crate::finding::Finding, why: &str) -> crate::finding::Finding {
    let sep = if f.message.ends_with(['.', '?']) {
        " "
    } else {
        ". "
    };
    let message = format!(
        "On its own, {}{sep}This file looks like part of a project ({why}): merged with a file that defines the name, Compose accepts it",
        f.message
    );
    crate::finding::Finding { message, ..f }.with_severity(crate::finding::Severity::Info)
}

/// [`Project::value_origin`](crate::model::compose::Project::value_origin)'s parenthesis
/// (`` (`X=y` from `.env:2`)``) as a sentence of its own, ``{subject} is set by `X=y` from
/// `.env:2` `` (without its period), so that it does not lengthen a message's first
/// sentence; `None` when the value names no variable.
pub(crate) fn origin_sentence(origin: &str, subject: &str) -> Option<String> {
    let inner = origin
        .trim_start()
        .strip_prefix('(')
        .and_then(|o| o.strip_suffix(')'))?;
    Some(format!("{subject} is set by {inner}"))
}

/// The longest first sentence a finding's message may have, in characters: VS Code's
/// Problems panel and a diagnostic's one-line view cut a message after about 100, so what
/// fails and where is said before that; the why, a value's origin and the fix follow in
/// later sentences. `tests/corpus.rs` holds every message on real files to it, the rule
/// tests every message they see.
pub const FIRST_SENTENCE_MAX: usize = 100;

/// A message's first sentence: up to the first ". " outside a code span or a double-quoted
/// text (Docker's own words may hold sentences); an "e.g." or "i.e." does not end it. The
/// server shows code spans as quotes (one quote for each backtick), so the length in
/// characters is the same in an editor.
pub fn first_sentence(message: &str) -> &str {
    let (mut in_code, mut in_quote) = (false, false);
    let mut chars = message.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '`' if !in_quote => in_code = !in_code,
            '"' if !in_code => in_quote = !in_quote,
            '.' if !in_code && !in_quote => {
                let next_is_space = chars.peek().is_none_or(|&(_, n)| n == ' ' || n == '\n');
                let head = &message[..=i];
                if next_is_space && !head.ends_with("e.g.") && !head.ends_with("i.e.") {
                    return head;
                }
            }
            _ => {}
        }
    }
    message
}

/// `lead: "words"` (Docker's or Compose's own words) when that fits in a first sentence,
/// else `lead. It fails with "words"`, so that a long error text does not push what fails
/// out of the Problems row. Callers add the sentences after it.
pub(crate) fn refusal(lead: &str, words: &str) -> String {
    let inline = format!("{lead}: \"{words}\"");
    if inline.chars().count() < FIRST_SENTENCE_MAX {
        inline
    } else {
        format!("{lead}. It fails with \"{words}\"")
    }
}

/// What to add to a message about an unset variable when a template sits where `.env`
/// should be.
pub(crate) fn template_note(p: &crate::model::compose::Project) -> String {
    match &p.external.env_template {
        Some(name) => format!(
            " (`{name}` beside this file is a template: Compose reads only `.env`, so copy it to `.env`)"
        ),
        None => String::new(),
    }
}

/// What `rootless-privileged-port` says of host port `port` under the limit `start`;
/// `portside probe` says the same.
pub fn rootless_message(port: u16, start: u16) -> String {
    rootless_privileged_port::message(port, start)
}

/// The rules that run under `settings`: not the ones turned off, nor opt-in rules that no
/// setting turns on. Their checks are the only ones analysis calls.
pub fn enabled(settings: &crate::config::RuleSettings) -> impl Iterator<Item = &'static Rule> + '_ {
    ALL.iter().copied().filter(|r| settings.runs(r))
}

/// Runs the Compose checks of the enabled rules on the project model.
pub fn check_compose(
    p: &crate::model::compose::Project,
    settings: &crate::config::RuleSettings,
    out: &mut Vec<crate::finding::Finding>,
) {
    for rule in enabled(settings) {
        for check in rule.checks.compose {
            check(p, out);
        }
    }
}

/// Every rule, in the order `portside rules` lists them.
pub static ALL: &[&Rule] = &[
    &INVALID_PORT_SPEC,
    &compose_unknown_key::COMPOSE_UNKNOWN_KEY,
    &compose_invalid_value::COMPOSE_INVALID_VALUE,
    &compose_legacy_format::COMPOSE_LEGACY_FORMAT,
    &compose_deprecated_key::COMPOSE_DEPRECATED_KEY,
    &interpolation_error::INTERPOLATION_ERROR,
    &undefined_network::UNDEFINED_NETWORK,
    &undefined_service::UNDEFINED_SERVICE,
    &network_mode_with_networks::NETWORK_MODE_WITH_NETWORKS,
    &network_mode_host_with_ports::NETWORK_MODE_HOST_WITH_PORTS,
    &network_mode_shared_namespace_conflicts::NETWORK_MODE_SHARED_NAMESPACE_CONFLICTS,
    &links_legacy::LINKS_LEGACY,
    &internal_network_ports::INTERNAL_NETWORK_PORTS,
    &external_network_missing::EXTERNAL_NETWORK_MISSING,
    &overlay_network_needs_swarm::OVERLAY_NETWORK_NEEDS_SWARM,
    &yaml_base60_port::YAML_BASE60_PORT,
    &port_var_unset::PORT_VAR_UNSET,
    &duplicate_host_port::DUPLICATE_HOST_PORT,
    &scaled_service_fixed_port::SCALED_SERVICE_FIXED_PORT,
    &container_port_only::CONTAINER_PORT_ONLY,
    &unprotected_service_published::UNPROTECTED_SERVICE_PUBLISHED,
    &publish_all_interfaces::PUBLISH_ALL_INTERFACES,
    &hostip_ipv6_unspecified_only::HOSTIP_IPV6_UNSPECIFIED_ONLY,
    &target_port_mismatch::TARGET_PORT_MISMATCH,
    &expose_is_not_publish::EXPOSE_IS_NOT_PUBLISH,
    &localhost_between_containers::LOCALHOST_BETWEEN_CONTAINERS,
    &advertised_address_loopback::ADVERTISED_ADDRESS_LOOPBACK,
    &published_port_between_containers::PUBLISHED_PORT_BETWEEN_CONTAINERS,
    &service_port_not_listening::SERVICE_PORT_NOT_LISTENING,
    &healthcheck_port_not_listening::HEALTHCHECK_PORT_NOT_LISTENING,
    &no_shared_network::NO_SHARED_NETWORK,
    &default_bridge_no_dns::DEFAULT_BRIDGE_NO_DNS,
    &host_docker_internal_linux::HOST_DOCKER_INTERNAL_LINUX,
    &underscore_hostname::UNDERSCORE_HOSTNAME,
    &unknown_service_host::UNKNOWN_SERVICE_HOST,
    &depends_on_not_ready::DEPENDS_ON_NOT_READY,
    &ipam_config_invalid::IPAM_CONFIG_INVALID,
    &static_ip_invalid::STATIC_IP_INVALID,
    &subnet_overlap::SUBNET_OVERLAP,
    &rootless_privileged_port::ROOTLESS_PRIVILEGED_PORT,
    &extra_hosts_loopback::EXTRA_HOSTS_LOOPBACK,
    &host_service_unreachable_from_container::HOST_SERVICE_UNREACHABLE_FROM_CONTAINER,
    &address_pool_exhausted::ADDRESS_POOL_EXHAUSTED,
    &host_route_overlap::HOST_ROUTE_OVERLAP,
    &mtu_mismatch::MTU_MISMATCH,
    &bind_family_mismatch::BIND_FAMILY_MISMATCH,
    &SYNTAX_ERROR,
    &DUPLICATE_KEY,
    &app_listens_on_loopback::APP_LISTENS_ON_LOOPBACK,
    &nextjs_standalone_hostname::NEXTJS_STANDALONE_HOSTNAME,
    &expose_invalid_format::EXPOSE_INVALID_FORMAT,
    &expose_proto_casing::EXPOSE_PROTO_CASING,
    &daemon_unknown_key::DAEMON_UNKNOWN_KEY,
    &daemon_invalid_value::DAEMON_INVALID_VALUE,
    &daemon_tcp_without_tls::DAEMON_TCP_WITHOUT_TLS,
    &daemon_hosts_systemd_conflict::DAEMON_HOSTS_SYSTEMD_CONFLICT,
    &daemon_bip_network_address::DAEMON_BIP_NETWORK_ADDRESS,
    &daemon_fixed_cidr_outside_bip::DAEMON_FIXED_CIDR_OUTSIDE_BIP,
    &daemon_default_gateway_outside_bip::DAEMON_DEFAULT_GATEWAY_OUTSIDE_BIP,
    &daemon_bridge_and_bip::DAEMON_BRIDGE_AND_BIP,
    &daemon_icc_false::DAEMON_ICC_FALSE,
    &daemon_iptables_false::DAEMON_IPTABLES_FALSE,
    &daemon_ip_forward_false::DAEMON_IP_FORWARD_FALSE,
    &daemon_userland_proxy_false::DAEMON_USERLAND_PROXY_FALSE,
    &daemon_ipv6_no_fixed_cidr::DAEMON_IPV6_NO_FIXED_CIDR,
    &daemon_default_pools_invalid::DAEMON_DEFAULT_POOLS_INVALID,
    &daemon_public_address_range::DAEMON_PUBLIC_ADDRESS_RANGE,
    &daemon_host_gateway_ip_both::DAEMON_HOST_GATEWAY_IP_BOTH,
    &daemon_ip_not_for_compose::DAEMON_IP_NOT_FOR_COMPOSE,
    &dns_misconfig::DNS_MISCONFIG,
    &daemon_forward_drop::DAEMON_FORWARD_DROP,
    &INPUT_TOO_LARGE,
    &INVALID_IGNORE_COMMENT,
    &INVALID_SETTING,
];

pub fn find(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code == code)
}

/// Every rule's metadata, in [`ALL`]'s order: what settings may name
/// ([`RuleSettings::from_toml`](crate::config::RuleSettings::from_toml) and `from_json`
/// take it, since `config` sits below this registry).
pub fn known() -> &'static [&'static RuleMeta] {
    static KNOWN: std::sync::LazyLock<Vec<&'static RuleMeta>> =
        std::sync::LazyLock::new(|| ALL.iter().map(|r| &r.meta).collect());
    &KNOWN
}

/// `docs/rules.md`, generated from the rules' documentation.
pub fn markdown_reference() -> String {
    let mut out = String::from(
        "# portside rules\n\n\
         Generated from the rules' source by `portside rules --markdown`; do not edit by hand.\n\n\
         ## Severity policy\n\n\
         Every rule's default severity, and every finding's, follows one policy:\n\n\
         - **error**: Docker or Compose refuses the file, or the connection fails for certain. \
         A false error is a bug as serious as a crash, so an error needs certain evidence.\n\
         - **warning**: it very likely fails, or it exposes what must not be exposed (a server \
         without a password, the Docker API).\n\
         - **info**: advice, and risks that depend on what the author intends.\n\
         - **hint**: a fact that depends on the host or the daemon, which no file shows.\n\n\
         When the evidence is ambiguous, portside says less: a lower severity, or nothing. A \
         finding that depends on a variable that is not set here (it may be set where Compose \
         runs), or on a name that a file merged with this one may define, is lowered. \
         Opinionated rules are **opt-in** (off until a setting names them, as in ruff and \
         clippy): `publish-all-interfaces = \"on\"` in `portside.toml`, or a level. Quick fixes \
         are offered only where they cannot break a working project.\n\n\
         | code | severity | checks | summary |\n|---|---|---|---|\n",
    );
    for rule in ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} | {3} |\n",
            rule.code,
            rule.default_level(),
            rule.applies_to,
            rule.summary
        ));
    }
    for rule in ALL {
        out.push_str(&format!(
            "\n## {}\n\nDefault severity: **{}**. Checks: {}.\n\n{}",
            rule.code,
            rule.default_level(),
            rule.applies_to,
            demote_headings(&rule.doc())
        ));
    }
    out
}

/// Rule docs use `##` headings; inside the reference they sit one level lower.
fn demote_headings(doc: &str) -> String {
    let mut in_code = false;
    doc.lines()
        .map(|l| {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            if !in_code && l.starts_with('#') {
                format!("##{l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::analysis::{Context, analyze_with};
    use crate::classify::FileKind;
    use crate::finding::Finding;

    /// `findings`, after checking that each message's first sentence fits
    /// [`FIRST_SENTENCE_MAX`](super::FIRST_SENTENCE_MAX).
    fn fitting(findings: Vec<Finding>) -> Vec<Finding> {
        for f in &findings {
            let first = super::first_sentence(&f.message);
            assert!(
                first.chars().count() <= super::FIRST_SENTENCE_MAX,
                "{}: the first sentence is longer than {} characters, so the Problems row cuts it: {first}",
                f.code(),
                super::FIRST_SENTENCE_MAX
            );
        }
        findings
    }

    /// The findings of rule `code` on a Compose text, with variables `vars` set.
    pub fn findings(text: &str, vars: &[(&str, &str)], code: &str) -> Vec<Finding> {
        let ctx = Context {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Context::default()
        };
        let a = analyze_with(FileKind::Compose, text, &ctx);
        assert!(
            !a.findings.iter().any(|f| f.code() == "syntax-error"),
            "{:?}",
            a.findings
        );
        fitting(
            a.findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect(),
        )
    }

    /// A context in which service `api` is built from `dockerfile`.
    pub fn built_context(dockerfile: &str) -> Context {
        let mut ctx = Context::default();
        ctx.external
            .dockerfiles
            .push(crate::model::compose::ServiceDockerfile {
                service: "api".into(),
                file: crate::finding::OtherFile {
                    path: "api/Dockerfile".into(),
                    text: dockerfile.into(),
                },
                package: None,
                model: None,
            });
        ctx
    }

    /// The findings of rule `code` on a Compose text whose service `api` is built from
    /// `dockerfile`, and the text after applying their first fixes (re-analysed: the
    /// findings of `code` must be gone and nothing new may appear).
    pub fn built_findings(text: &str, dockerfile: &str, code: &str) -> (Vec<Finding>, String) {
        let ctx = built_context(dockerfile);
        let before = analyze_with(FileKind::Compose, text, &ctx).findings;
        let of_code: Vec<Finding> = before
            .iter()
            .filter(|f| f.code() == code)
            .cloned()
            .collect();
        let (fixed, _) = crate::finding::apply_fixes(text, &of_code);
        let after = analyze_with(FileKind::Compose, &fixed, &ctx).findings;
        let fixable = of_code.iter().filter(|f| !f.fixes.is_empty()).count();
        assert_eq!(
            after.iter().filter(|f| f.code() == code).count(),
            of_code.len() - fixable,
            "{fixed}\n{after:?}"
        );
        assert!(after.len() <= before.len() - fixable, "{fixed}\n{after:?}");
        (fitting(of_code), fixed)
    }

    /// The findings of rule `code` on a Dockerfile.
    pub fn dockerfile_findings(text: &str, code: &str) -> Vec<Finding> {
        let a = crate::analysis::analyze(FileKind::Dockerfile, text);
        assert!(
            !a.findings.iter().any(|f| f.code() == "syntax-error"),
            "{:?}",
            a.findings
        );
        fitting(
            a.findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect(),
        )
    }

    /// The findings of rule `code` on a text of `kind`, with portside.toml `settings`.
    pub fn findings_with_settings(
        kind: FileKind,
        text: &str,
        settings: &str,
        code: &str,
    ) -> Vec<Finding> {
        let (rules, problems) =
            crate::config::RuleSettings::from_toml(settings, crate::rules::known());
        assert!(problems.is_empty(), "{problems:?}");
        let ctx = Context {
            rules,
            ..Context::default()
        };
        fitting(
            analyze_with(kind, text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect(),
        )
    }

    /// The findings of rule `code` on Compose file `text` on `platform` from `source`
    /// (`None`: unknown), as `portside.toml`'s `[host]` with `settings` and the platform
    /// fact would give them.
    pub fn findings_on(
        text: &str,
        platform: Option<(crate::config::Platform, crate::config::PlatformSource)>,
        settings: &str,
        code: &str,
    ) -> Vec<Finding> {
        let (mut rules, problems) =
            crate::config::RuleSettings::from_toml(settings, crate::rules::known());
        assert!(problems.is_empty(), "{problems:?}");
        rules.host.platform =
            platform.map(|(platform, source)| crate::config::PlatformFact { platform, source });
        let ctx = Context {
            rules,
            ..Context::default()
        };
        fitting(
            analyze_with(FileKind::Compose, text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect(),
        )
    }

    /// Every platform fact a rule's verdict may depend on: unknown, Docker Engine (set),
    /// Docker Desktop (set, from the daemon, guessed from macOS).
    pub fn platforms() -> [Option<(crate::config::Platform, crate::config::PlatformSource)>; 5] {
        use crate::config::{Platform, PlatformSource};
        [
            None,
            Some((Platform::Engine, PlatformSource::Setting)),
            Some((Platform::DockerDesktop, PlatformSource::Setting)),
            Some((Platform::DockerDesktop, PlatformSource::Daemon)),
            Some((
                Platform::DockerDesktop,
                PlatformSource::OsGuess { os: "macos" },
            )),
        ]
    }

    /// The findings of rule `code` on a daemon.json.
    pub fn daemon_findings(text: &str, code: &str) -> Vec<Finding> {
        let a = crate::analysis::analyze(FileKind::DaemonJson, text);
        fitting(
            a.findings
                .into_iter()
                .filter(|f| f.code() == code)
                .collect(),
        )
    }

    /// [`fix_all`] for Dockerfiles.
    pub fn dockerfile_fix_all(text: &str, code: &str) -> String {
        let before = crate::analysis::analyze(FileKind::Dockerfile, text);
        let of_code: Vec<Finding> = before
            .findings
            .iter()
            .filter(|f| f.code() == code)
            .cloned()
            .collect();
        let (fixed, applied) = crate::finding::apply_fixes(text, &of_code);
        assert!(applied > 0, "no fix for {code}");
        let after = crate::analysis::analyze(FileKind::Dockerfile, &fixed);
        assert!(
            !after.findings.iter().any(|f| f.code() == code),
            "{code} still fires after the fix:\n{fixed}\n{:?}",
            after.findings
        );
        assert!(
            after.findings.len() <= before.findings.len() - of_code.len(),
            "the fix made something new appear:\n{fixed}\n{:?}",
            after.findings
        );
        fixed
    }

    /// The source text each finding of `code` points at.
    pub fn flagged(text: &str, code: &str) -> Vec<String> {
        findings(text, &[], code)
            .iter()
            .map(|f| text[f.range.clone()].to_string())
            .collect()
    }

    /// Applies the first fix of every finding of `code`, then re-analyses: the findings of
    /// `code` must be gone, and no other rule may fire that did not before.
    pub fn fix_all(text: &str, code: &str) -> String {
        let before = crate::analysis::analyze(FileKind::Compose, text);
        let of_code: Vec<Finding> = before
            .findings
            .iter()
            .filter(|f| f.code() == code)
            .cloned()
            .collect();
        let (fixed, applied) = crate::finding::apply_fixes(text, &of_code);
        assert!(applied > 0, "no fix for {code}");
        let after = crate::analysis::analyze(FileKind::Compose, &fixed);
        assert!(
            !after.findings.iter().any(|f| f.code() == code),
            "{code} still fires after the fix:\n{fixed}\n{:?}",
            after.findings
        );
        let codes = |fs: &[Finding]| {
            let mut c: Vec<_> = fs.iter().map(|f| f.code()).collect();
            c.sort();
            c.dedup();
            c
        };
        for c in codes(&after.findings) {
            assert!(
                codes(&before.findings).contains(&c),
                "the {code} fix made {c} appear:\n{fixed}"
            );
        }
        fixed
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn first_sentence_reader() {
        use super::first_sentence;
        assert_eq!(
            first_sentence("Port `a. b` of `web` is \"x. y\": reach it. More."),
            "Port `a. b` of `web` is \"x. y\": reach it."
        );
        assert_eq!(
            first_sentence("Use a name, e.g. `db`. Then"),
            "Use a name, e.g. `db`."
        );
        assert_eq!(first_sentence("no end"), "no end");
        assert_eq!(first_sentence("v1.2 is old."), "v1.2 is old.");
    }

    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.code), "duplicate {}", rule.code);
            assert!(
                rule.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                rule.code
            );
            let doc = rule.doc();
            for section in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(doc.contains(section), "{} lacks {section}", rule.code);
            }
        }
    }

    /// Every check function a rule file defines is bound in its declaration: a check that
    /// no declaration names would never run.
    #[test]
    fn every_check_is_declared() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "mod.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let decl_start = text
                .find("declare_rule! {")
                .expect("a rule file declares a rule");
            let decl = &text[decl_start..text[decl_start..].find("\n}").unwrap() + decl_start];
            for line in text.lines() {
                let Some(rest) = line.strip_prefix("pub fn check") else {
                    continue;
                };
                let name = format!("check{}", rest.split('(').next().unwrap());
                let bound = decl.lines().any(|l| {
                    let l = l.trim();
                    (l.starts_with("compose:")
                        || l.starts_with("dockerfile:")
                        || l.starts_with("daemon:"))
                        && l.split(['[', ']', ',', ' ']).any(|w| w == name)
                });
                assert!(
                    bound,
                    "{}: `{name}` is not in its rule's declaration",
                    path.display()
                );
            }
        }
    }

    /// Turning a rule off (or leaving an opt-in rule off) keeps its checks from running.
    #[test]
    fn disabled_rules_do_not_run() {
        let code = |r: &Rule| r.code;
        let default = crate::config::RuleSettings::default();
        let on: Vec<&str> = enabled(&default).map(code).collect();
        assert!(!on.contains(&"publish-all-interfaces"));
        assert!(on.contains(&"container-port-only"));
        let (settings, _) = crate::config::RuleSettings::from_toml(
            "[rules]\ncontainer-port-only = \"off\"\npublish-all-interfaces = \"on\"\n",
            known(),
        );
        let on: Vec<&str> = enabled(&settings).map(code).collect();
        assert!(on.contains(&"publish-all-interfaces"));
        assert!(!on.contains(&"container-port-only"));
    }

    #[test]
    fn docs_rules_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown_reference(),
            "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`"
        );
    }
}

/// Services run from an image on the Docker host that the image table does not know: the
/// facts the live layer read (`External::local_images`, built by hand here) feed the same
/// checks as a Dockerfile.
#[cfg(test)]
mod local_image_tests {
    use crate::analysis::{Context, analyze_with};
    use crate::classify::FileKind;
    use crate::finding::Finding;
    use crate::model::compose::LocalImage;

    const ID: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn image(reference: &str, cmd: &[&str], exposed: &[&str]) -> LocalImage {
        let cmd: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        let exposed: Vec<String> = exposed.iter().map(|s| s.to_string()).collect();
        LocalImage::new(
            reference,
            ID,
            &exposed,
            None,
            Some(&cmd),
            &["PATH=/bin".to_string()],
            Some("/srv"),
        )
    }

    fn findings(text: &str, images: Vec<LocalImage>, code: &str) -> Vec<Finding> {
        let mut ctx = Context::default();
        ctx.external.local_images = images.into_iter().map(std::sync::Arc::new).collect();
        analyze_with(FileKind::Compose, text, &ctx)
            .findings
            .into_iter()
            .filter(|f| f.code() == code)
            .collect()
    }

    fn httpd() -> LocalImage {
        image(
            "example/busy:1",
            &["httpd", "-f", "-p", "9000"],
            &["9000/tcp"],
        )
    }

    #[test]
    fn the_local_image_is_read_like_a_dockerfile() {
        let i = httpd();
        assert_eq!(i.short_id(), "sha256:0123456789ab");
        assert_eq!(i.source(), "the local image sha256:0123456789ab");
        let words: Vec<&str> = i
            .stage
            .command()
            .iter()
            .map(|w| &i.file.text[w.span.clone()])
            .collect::<Vec<_>>();
        assert_eq!(words, ["httpd", "-f", "-p", "9000"]);
        assert_eq!(i.stage.var("PATH"), Some("/bin"));
        assert_eq!(
            i.stage.exposes[0].values,
            Some(vec!["9000/tcp".to_string()])
        );
        let l = crate::model::dockerfile::listen::listen_port(&i.stage).unwrap();
        assert_eq!(l.port, 9000);
    }

    /// Whatever a daemon says (odd words, variables, ports), analysis and hovers go on:
    /// nothing panics, and spans stay inside the facts' text.
    #[test]
    fn hostile_facts_break_nothing() {
        let odd: Vec<String> = [
            "sh",
            "-c",
            "httpd -p \"$P\" && x",
            "",
            "é\u{2028}\n\"]",
            "-p",
            "99999",
            "--port",
            "${P:?}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let exposed: Vec<String> = ["9000/tcp", "x/y", "", "1-65535/udp", "70000"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let env: Vec<String> = ["P=127.0.0.1:1", "NOEQUALS", "=x", "HOST=::1", "PORT="]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (entrypoint, cmd) in [
            (None, Some(&odd[..])),
            (Some(&odd[..]), None),
            (Some(&odd[..2]), Some(&odd[2..])),
            (Some(&[][..]), Some(&[][..])),
        ] {
            let i = LocalImage::new(
                "example/odd",
                "sha256:1",
                &exposed,
                entrypoint,
                cmd,
                &env,
                None,
            );
            for w in i.stage.command() {
                assert!(i.file.text.get(w.span.clone()).is_some(), "{w:?}");
            }
            assert_eq!(i.short_id(), "sha256:1");
            let text = "services:\n  web:\n    image: example/odd\n    ports: [\"8080:8080\", \"9000:9000/udp\"]\n    expose: [\"1\"]\n  app:\n    image: example/app\n    environment:\n      U: http://web:7/x\n";
            let mut ctx = Context::default();
            ctx.external.local_images = vec![std::sync::Arc::new(i)];
            let a = analyze_with(FileKind::Compose, text, &ctx);
            for f in &a.findings {
                assert!(
                    f.range.end <= text.len()
                        && f.related
                            .iter()
                            .all(|r| r.file.is_none() && r.range.end <= text.len()),
                    "{f:?}"
                );
            }
            let yaml = crate::syntax::yaml::Yaml::parse(text);
            for offset in (0..text.len()).step_by(3) {
                let env = crate::ide::hover::Env {
                    vars: &ctx.vars,
                    dotenv: &ctx.dotenv,
                    external: &ctx.external,
                };
                let _ = crate::ide::hover::compose(text, &yaml, env, offset, &a.findings);
            }
        }
    }

    #[test]
    fn a_mapping_to_a_port_the_local_image_does_not_listen_on() {
        let text = "services:\n  web:\n    image: example/busy:1\n    ports: [\"8080:8080\"]\n";
        let f = findings(text, vec![httpd()], "target-port-mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("listens on port 9000")
                && f[0]
                    .message
                    .contains("from the local image sha256:0123456789ab"),
            "{}",
            f[0].message
        );
        // Nothing points into a file that does not exist.
        assert!(f[0].related.is_empty(), "{:?}", f[0].related);
        let (fixed, _) = crate::finding::apply_fixes(text, &f);
        assert!(fixed.contains("\"8080:9000\""), "{fixed}");
        assert!(findings(&fixed, vec![httpd()], "target-port-mismatch").is_empty());

        // Controls: no facts (no daemon, live off), another image, a built service, a
        // Compose command, an image the table knows (the table wins).
        assert!(findings(text, vec![], "target-port-mismatch").is_empty());
        let other = text.replace("example/busy:1", "example/busy:2");
        assert!(findings(&other, vec![httpd()], "target-port-mismatch").is_empty());
        let built = text.replace("    image:", "    build: .\n    image:");
        assert!(findings(&built, vec![httpd()], "target-port-mismatch").is_empty());
        let command = text.replace(
            "    ports:",
            "    command: [\"httpd\", \"-f\", \"-p\", \"8080\"]\n    ports:",
        );
        assert!(findings(&command, vec![httpd()], "target-port-mismatch").is_empty());
        let mut nginx = httpd();
        nginx.reference = "nginx:1.27".into();
        let on_nginx = findings(
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"8080:9000\"]\n",
            vec![nginx],
            "target-port-mismatch",
        );
        assert_eq!(on_nginx.len(), 1, "{on_nginx:?}");
        assert!(
            on_nginx[0].message.contains("`nginx`"),
            "{}",
            on_nginx[0].message
        );
        assert!(
            !on_nginx[0].message.contains("local image"),
            "{}",
            on_nginx[0].message
        );
    }

    /// With no command that shows a port, what the image `EXPOSE`s is information, as for
    /// a Dockerfile.
    #[test]
    fn exposed_ports_of_the_local_image() {
        let text = "services:\n  web:\n    image: example/app\n    ports: [\"8080:8080\"]\n";
        let app = image("example/app", &["/app/server"], &["9000/tcp"]);
        let f = findings(text, vec![app.clone()], "target-port-mismatch");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, crate::finding::Severity::Info);
        assert!(
            f[0].message
                .contains("EXPOSEs 9000 (from the local image sha256:0123456789ab)"),
            "{}",
            f[0].message
        );
        let ok = text.replace("8080:8080", "8080:9000");
        assert!(findings(&ok, vec![app], "target-port-mismatch").is_empty());
    }

    #[test]
    fn a_local_image_that_listens_on_loopback() {
        let text = "services:\n  web:\n    image: example/busy:1\n    ports: [\"9000:9000\"]\n";
        let lo = image(
            "example/busy:1",
            &["httpd", "-f", "-p", "127.0.0.1:9000"],
            &["9000/tcp"],
        );
        let f = findings(text, vec![lo.clone()], "app-listens-on-loopback");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .contains("from the local image sha256:0123456789ab"),
            "{}",
            f[0].message
        );
        assert!(f[0].related.is_empty(), "{:?}", f[0].related);
        assert!(findings(text, vec![httpd()], "app-listens-on-loopback").is_empty());
        assert!(findings(text, vec![], "app-listens-on-loopback").is_empty());
    }

    #[test]
    fn another_service_names_a_port_the_local_image_does_not_listen_on() {
        let text = "services:\n  web:\n    image: example/busy:1\n  app:\n    image: example/client\n    environment:\n      API_URL: http://web:8080/v1\n      OK_URL: http://web:9000/v1\n";
        let f = findings(text, vec![httpd()], "service-port-not-listening");
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message.contains("listens on 9000")
                && f[0].message.contains("from the local image"),
            "{}",
            f[0].message
        );
        let (fixed, _) = crate::finding::apply_fixes(text, &f);
        assert!(
            fixed.contains("http://web:9000/v1\n      OK_URL"),
            "{fixed}"
        );
        // A mounted config file may move the port; no facts, nothing.
        let mounted = text.replace(
            "  app:",
            "    volumes: [\"./httpd.conf:/etc/httpd.conf\"]\n  app:",
        );
        assert!(findings(&mounted, vec![httpd()], "service-port-not-listening").is_empty());
        assert!(findings(text, vec![], "service-port-not-listening").is_empty());
    }
}
