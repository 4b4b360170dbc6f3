//! Docker's port grammars, reimplemented exactly.
//!
//! * [`parse_port_spec`] is go-connections `nat.ParsePortSpec` as of v0.7/v0.8 (what the
//!   current `docker compose` and `docker run -p` run): `[[IP:]HOST:]CONTAINER[/PROTO]`.
//! * [`parse_expose`] is moby's `network.ParsePortRange`, which Compose uses for `expose`.
//!
//! Both return the expanded bindings, or the exact error string Docker prints. The grammar,
//! the order of the checks and the test vectors are in `shared/reference/ports-spec.md`.

use std::fmt;
use std::net::IpAddr;

use smol_str::SmolStr;

/// One expanded port binding, as Docker would send it to the engine.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Binding {
    /// Host address without brackets, empty when none was given (all interfaces).
    pub host_ip: SmolStr,
    /// Host port, a dynamic range such as `8000-8010`, or empty (ephemeral).
    pub published: SmolStr,
    /// Container port.
    pub target: u16,
    /// Lower-case protocol: `tcp`, `udp` or `sctp`.
    pub protocol: &'static str,
}

impl Binding {
    /// The binding in words: `host 127.0.0.1, port 8080 -> container port 80/tcp`.
    pub fn describe(&self) -> String {
        let host = match self.host_ip.as_str() {
            "" => "all interfaces".to_string(),
            ip if ip.contains(':') => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let port = if self.published.is_empty() {
            "a random free port".to_string()
        } else if self.published.contains('-') {
            format!("the first free port of {}", self.published)
        } else {
            format!("port {}", self.published)
        };
        format!(
            "host {host}, {port} -> container port {}/{}",
            self.target, self.protocol
        )
    }
}

/// A port spec that Docker rejects, with the message Docker prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortError {
    pub message: String,
    pub kind: PortErrorKind,
    /// Byte range of the failing part (IP, host port, container port, protocol) in the spec.
    pub span: std::ops::Range<usize>,
}

/// Which part of the spec is wrong; lets callers explain the error in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortErrorKind {
    NoPort,
    Protocol,
    HostIp,
    ContainerPort,
    HostPort,
    RangeMismatch,
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PortError {}

impl PortError {
    fn new(kind: PortErrorKind, message: String, span: std::ops::Range<usize>) -> Self {
        Self {
            message,
            kind,
            span,
        }
    }

    /// A sentence for a person who does not know the grammar.
    pub fn explanation(&self) -> &'static str {
        match self.kind {
            PortErrorKind::NoPort => {
                "a port mapping needs a container port, as in `8080:80` or `80`"
            }
            PortErrorKind::Protocol => "the protocol after `/` must be `tcp`, `udp` or `sctp`",
            PortErrorKind::HostIp => {
                "the part before the host port must be an IP address (hostnames such as \
                 `localhost` are not allowed; use `127.0.0.1`), and IPv6 may be written in brackets"
            }
            PortErrorKind::ContainerPort => {
                "the container port must be a number from 0 to 65535 or a range such as `8000-8010`, \
                 with no spaces"
            }
            PortErrorKind::HostPort => {
                "the host port must be a number from 0 to 65535 or a range such as `8000-8010`, \
                 with no spaces"
            }
            PortErrorKind::RangeMismatch => {
                "a container port range must be paired with a host range of the same length \
                 (a host range with a single container port means \"any free port of the range\")"
            }
        }
    }
}

/// Splits `raw` the way go-connections' `splitParts` does: the last two `:`-separated fields
/// are the host and container port, everything before them is the IP.
fn split_parts(raw: &str) -> (&str, &str, &str) {
    let mut colons = raw.rmatch_indices(':').map(|(i, _)| i);
    // Empty parts are empty slices of `raw`, so callers can locate every part in it.
    let none = &raw[..0];
    match (colons.next(), colons.next()) {
        (None, _) => (none, none, raw),
        (Some(last), None) => (none, &raw[..last], &raw[last + 1..]),
        (Some(last), Some(prev)) => (&raw[..prev], &raw[prev + 1..last], &raw[last + 1..]),
    }
}

/// Where the parts of a short port spec sit in it: `[IP:][HOST:]CONTAINER[/PROTO]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecParts {
    pub ip: std::ops::Range<usize>,
    pub host: std::ops::Range<usize>,
    pub container: std::ops::Range<usize>,
}

/// Splits a spec like go-connections does, returning byte ranges (empty when absent).
pub fn spec_parts(raw: &str) -> SpecParts {
    let (ip, host, container) = split_parts(raw);
    let span = |part: &str| {
        let start = part.as_ptr() as usize - raw.as_ptr() as usize;
        start..start + part.len()
    };
    let container_port = container.split('/').next().unwrap_or(container);
    SpecParts {
        ip: span(ip),
        host: span(host),
        container: span(container_port),
    }
}

/// go-connections `SplitProtoPort`: everything after the first `/` is the protocol.
/// Returns `(protocol, port)`; an empty port gives `("", "")`, an empty protocol `tcp`.
pub fn split_proto_port(raw: &str) -> (&str, &str) {
    let (port, proto) = raw.split_once('/').unwrap_or((raw, ""));
    if port.is_empty() {
        return ("", "");
    }
    (if proto.is_empty() { "tcp" } else { proto }, port)
}

/// Go's `strconv.ParseInt(s, 10, 0)` followed by go-connections' 0..=65535 check.
fn parse_port_number(s: &str) -> Result<u16, &'static str> {
    if s.is_empty() {
        return Err("value is empty");
    }
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    let negative = s.starts_with('-');
    // Anything longer than 19 digits overflows int64: strconv says "value out of range".
    let value: i128 = digits.parse().map_err(|_| "value out of range")?;
    let value = if negative { -value } else { value };
    if value > i128::from(i64::MAX) || value < i128::from(i64::MIN) {
        return Err("value out of range");
    }
    u16::try_from(value).map_err(|_| "value out of range (0–65535)")
}

/// go-connections `ParsePortRange`: `N` or `N-M`. The inner error text is only kept for
/// `expose`-style callers; `ParsePortSpec` replaces it with its own message.
pub fn parse_port_range(s: &str) -> Result<(u16, u16), String> {
    if s.is_empty() {
        return Err("empty string specified for ports".into());
    }
    let (start, end) = match s.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let start_port =
        parse_port_number(start).map_err(|e| format!("invalid start port '{start}': {e}"))?;
    let Some(end) = end.filter(|e| *e != start) else {
        return Ok((start_port, start_port));
    };
    let end_port = parse_port_number(end).map_err(|e| format!("invalid end port '{end}': {e}"))?;
    if end_port < start_port {
        return Err(format!("invalid port range: {s}"));
    }
    Ok((start_port, end_port))
}

/// Go's `net.SplitHostPort(ip + ":")` for an IP that starts with `[`; returns the host.
fn strip_brackets(ip: &str) -> Result<&str, String> {
    let hostport = format!("{ip}:");
    let addr_err = |why: &str| format!("address {hostport}: {why}");
    let last_colon = hostport.len() - 1;
    let Some(end) = hostport.find(']') else {
        return Err(addr_err("missing ']' in address"));
    };
    if end + 1 != last_colon {
        return Err(if hostport.as_bytes()[end + 1] == b':' {
            addr_err("too many colons in address")
        } else {
            addr_err("missing port in address")
        });
    }
    if hostport[1..].contains('[') {
        return Err(addr_err("unexpected '[' in address"));
    }
    if hostport[end + 1..].contains(']') {
        return Err(addr_err("unexpected ']' in address"));
    }
    Ok(&ip[1..end])
}

/// `tcp`, `udp` or `sctp` in any case, as the static lower-case name.
pub fn protocol(s: &str) -> Option<&'static str> {
    ["tcp", "udp", "sctp"]
        .into_iter()
        .find(|p| p.eq_ignore_ascii_case(s))
}

/// Go's `net.ParseIP`: dotted IPv4 or IPv6 (no zone). Rust's parser agrees on the cases
/// Docker users write, including the rejection of leading zeros in IPv4 octets.
pub fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// `nat.ParsePortSpec` (go-connections v0.7/v0.8), the parser behind Compose's short
/// `ports` syntax and `docker run -p`. Bindings come in container-port order.
pub fn parse_port_spec(raw: &str) -> Result<Vec<Binding>, PortError> {
    use PortErrorKind::*;
    // Where a sub-slice of `raw` sits in it.
    let span_of = |part: &str| {
        let start = part.as_ptr() as usize - raw.as_ptr() as usize;
        start..start + part.len()
    };
    let (ip, host_port, container) = split_parts(raw);
    let (proto, container_port) = split_proto_port(container);
    if container_port.is_empty() {
        return Err(PortError::new(
            NoPort,
            format!("no port specified: {raw}<empty>"),
            0..raw.len(),
        ));
    }
    let proto_span = match container.split_once('/') {
        Some((_, p)) if !p.is_empty() => span_of(p),
        _ => span_of(container),
    };
    let Some(proto) = protocol(proto) else {
        return Err(PortError::new(
            Protocol,
            format!("invalid proto: {}", proto.to_lowercase()),
            proto_span,
        ));
    };
    let ip_span = span_of(ip);
    let ip = if ip.starts_with('[') {
        strip_brackets(ip).map_err(|e| {
            PortError::new(
                HostIp,
                format!("invalid IP address {ip}: {e}"),
                ip_span.clone(),
            )
        })?
    } else {
        ip
    };
    if !ip.is_empty() && !is_ip(ip) {
        return Err(PortError::new(
            HostIp,
            format!("invalid IP address: {ip}"),
            ip_span,
        ));
    }
    let (start, end) = parse_port_range(container_port).map_err(|_| {
        PortError::new(
            ContainerPort,
            format!("invalid containerPort: {container_port}"),
            span_of(container_port),
        )
    })?;
    let (host_start, host_end) = if host_port.is_empty() {
        (0, 0)
    } else {
        parse_port_range(host_port).map_err(|_| {
            PortError::new(
                HostPort,
                format!("invalid hostPort: {host_port}"),
                span_of(host_port),
            )
        })?
    };
    if !host_port.is_empty() && end - start != host_end - host_start && end != start {
        return Err(PortError::new(
            RangeMismatch,
            format!(
                "invalid ranges specified for container and host Ports: {container_port} and {host_port}"
            ),
            span_of(host_port).start..span_of(container_port).end,
        ));
    }
    let count = u32::from(end - start) + 1;
    Ok((0..count)
        .map(|i| {
            let published = if host_port.is_empty() {
                SmolStr::default()
            } else if count == 1 && host_start != host_end {
                smol_str::format_smolstr!("{host_start}-{host_end}")
            } else {
                smol_str::format_smolstr!("{}", u32::from(host_start) + i)
            };
            Binding {
                host_ip: SmolStr::new(ip),
                published,
                // `i` < count <= 65536 and start + i <= end, so this cannot truncate.
                target: (u32::from(start) + i) as u16,
                protocol: proto,
            }
        })
        .collect())
}

/// One container port that `expose` declares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExposedPort {
    pub port: u16,
    pub protocol: String,
}

/// Go's `strconv.ParseUint(s, 10, 16)` with moby's empty-value message.
fn parse_uint16(s: &str) -> Result<u16, &'static str> {
    if s.is_empty() {
        return Err("value is empty");
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    s.parse::<u16>().map_err(|_| "value out of range")
}

/// moby `network.ParsePortRange`, which Compose uses for `expose` (`80`, `80/udp`,
/// `8000-8010/tcp`). The protocol is lower-cased but, as in Docker, not validated.
pub fn parse_expose(raw: &str) -> Result<Vec<ExposedPort>, String> {
    if raw.is_empty() {
        return Err("invalid port range: value is empty".into());
    }
    let (ports, proto) = raw.split_once('/').unwrap_or((raw, ""));
    let proto = if proto.is_empty() {
        "tcp".to_string()
    } else {
        proto.to_lowercase()
    };
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (ports, None),
    };
    let start_port =
        parse_uint16(start).map_err(|e| format!("invalid start port '{start}': {e}"))?;
    let end_port = match end {
        None => start_port,
        Some(end) => parse_uint16(end).map_err(|e| format!("invalid end port '{end}': {e}"))?,
    };
    if end_port < start_port {
        return Err(format!("invalid port range: {ports}"));
    }
    Ok((start_port..=end_port)
        .map(|port| ExposedPort {
            port,
            protocol: proto.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(host_ip: &str, published: &str, target: u16, protocol: &'static str) -> Binding {
        Binding {
            host_ip: host_ip.into(),
            published: published.into(),
            target,
            protocol,
        }
    }

    fn ok(spec: &str) -> Vec<Binding> {
        parse_port_spec(spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
    }

    fn err(spec: &str) -> String {
        match parse_port_spec(spec) {
            Ok(v) => panic!("{spec} parsed as {v:?}"),
            Err(e) => e.message,
        }
    }

    // ports-spec.md §7.1 (current lower-case messages).
    #[test]
    fn compose_go_parse_port_config_vectors() {
        assert_eq!(ok("80"), vec![b("", "", 80, "tcp")]);
        assert_eq!(ok("80:8080"), vec![b("", "80", 8080, "tcp")]);
        assert_eq!(ok("80-90:8080"), vec![b("", "80-90", 8080, "tcp")]);
        assert_eq!(ok("8080:80/tcp"), vec![b("", "8080", 80, "tcp")]);
        assert_eq!(ok("80:8080/udp"), vec![b("", "80", 8080, "udp")]);
        assert_eq!(
            ok("80-81:8080-8081/tcp"),
            vec![b("", "80", 8080, "tcp"), b("", "81", 8081, "tcp")]
        );
        assert_eq!(
            ok("80-82:8080-8082/udp"),
            vec![
                b("", "80", 8080, "udp"),
                b("", "81", 8081, "udp"),
                b("", "82", 8082, "udp")
            ]
        );
        assert_eq!(ok("80-82:8080/udp"), vec![b("", "80-82", 8080, "udp")]);
        assert_eq!(ok("80-80:8080/tcp"), vec![b("", "80", 8080, "tcp")]);
        assert_eq!(err("9999999"), "invalid containerPort: 9999999");
        assert_eq!(err("80/xyz"), "invalid proto: xyz");
        assert_eq!(err("tcp"), "invalid containerPort: tcp");
        assert_eq!(err("udp"), "invalid containerPort: udp");
        assert_eq!(err(""), "no port specified: <empty>");
        assert_eq!(ok("1.1.1.1:80:80"), vec![b("1.1.1.1", "80", 80, "tcp")]);
    }

    // §7.2 and §7.3.
    #[test]
    fn compose_go_transform_and_loader_vectors() {
        assert_eq!(
            ok("127.0.0.1:8080:80"),
            vec![b("127.0.0.1", "8080", 80, "tcp")]
        );
        assert_eq!(
            ok("127.0.0.1:8081:81"),
            vec![b("127.0.0.1", "8081", 81, "tcp")]
        );
        assert_eq!(err("127.0.1:8080:80"), "invalid IP address: 127.0.1");
        assert_eq!(ok("80:8080"), vec![b("", "80", 8080, "tcp")]);
        assert_eq!(ok("90:8090/udp"), vec![b("", "90", 8090, "udp")]);
        assert_eq!(ok("8600"), vec![b("", "", 8600, "tcp")]);
        assert_eq!(ok("80-82:8080-8082").len(), 3);
        assert_eq!(
            ok("90-92:8090-8092/udp"),
            vec![
                b("", "90", 8090, "udp"),
                b("", "91", 8091, "udp"),
                b("", "92", 8092, "udp")
            ]
        );
        assert_eq!(ok("85:8500"), vec![b("", "85", 8500, "tcp")]);
        assert_eq!(ok("5432"), vec![b("", "", 5432, "tcp")]);
        assert_eq!(ok("9080:6060/udp"), vec![b("", "9080", 6060, "udp")]);
    }

    // §1: IPv6 with and without brackets, `IP::` with an empty host port.
    #[test]
    fn ipv6_forms() {
        assert_eq!(ok("::1:80:80"), vec![b("::1", "80", 80, "tcp")]);
        assert_eq!(ok("[::1]:80:80"), vec![b("::1", "80", 80, "tcp")]);
        assert_eq!(ok("::::80"), vec![b("::", "", 80, "tcp")]);
        assert_eq!(
            ok("[2001:4860:0:2001::68]::333"),
            vec![b("2001:4860:0:2001::68", "", 333, "tcp")]
        );
        assert_eq!(
            ok("2001:4860:0:2001::68::333"),
            vec![b("2001:4860:0:2001::68", "", 333, "tcp")]
        );
        assert_eq!(ok("[::]:8080:80"), vec![b("::", "8080", 80, "tcp")]);
        assert_eq!(ok("127.0.0.1::80"), vec![b("127.0.0.1", "", 80, "tcp")]);
        assert_eq!(
            err("[::1:80:80"),
            "invalid IP address [::1: address [::1:: missing ']' in address"
        );
        assert_eq!(
            err("[::1]x:80:80"),
            "invalid IP address [::1]x: address [::1]x:: missing port in address"
        );
        assert_eq!(err("localhost:8080:80"), "invalid IP address: localhost");
        assert_eq!(
            err("fe80::1%eth0:80:80"),
            "invalid IP address: fe80::1%eth0"
        );
        assert_eq!(err("0.0.0.0.0:80:80"), "invalid IP address: 0.0.0.0.0");
        assert_eq!(err("127.0.0.01:80:80"), "invalid IP address: 127.0.0.01");
    }

    // §1 steps 3-9, in go-connections v0.8 check order.
    #[test]
    fn errors_and_their_order() {
        assert_eq!(err("80:"), "no port specified: 80:<empty>");
        assert_eq!(err("80:/tcp"), "no port specified: 80:/tcp<empty>");
        assert_eq!(err("/udp"), "no port specified: /udp<empty>");
        assert_eq!(err("80/tcp/udp"), "invalid proto: tcp/udp");
        assert_eq!(err("80/TCPX"), "invalid proto: tcpx");
        // Protocol is checked before the IP in v0.8.
        assert_eq!(err("bad:80:80/xyz"), "invalid proto: xyz");
        // IP before the ports.
        assert_eq!(err("bad:x:y"), "invalid IP address: bad");
        assert_eq!(err("65536:80"), "invalid hostPort: 65536");
        assert_eq!(err("80:65536"), "invalid containerPort: 65536");
        assert_eq!(err("80: 80"), "invalid containerPort:  80");
        assert_eq!(err(" 80"), "invalid containerPort:  80");
        assert_eq!(err("80:-1"), "invalid containerPort: -1");
        assert_eq!(err("90-80:80"), "invalid hostPort: 90-80");
        assert_eq!(
            err("8000-8010:80-81"),
            "invalid ranges specified for container and host Ports: 80-81 and 8000-8010"
        );
        assert_eq!(
            err("80:8000-8010"),
            "invalid ranges specified for container and host Ports: 8000-8010 and 80"
        );
        assert_eq!(err("a:b:c:d"), "invalid IP address: a:b");
    }

    #[test]
    fn numbers_like_go() {
        assert_eq!(ok("0"), vec![b("", "", 0, "tcp")]);
        assert_eq!(ok("0:80"), vec![b("", "0", 80, "tcp")]);
        assert_eq!(ok("0123:080"), vec![b("", "123", 80, "tcp")]);
        assert_eq!(ok("+80"), vec![b("", "", 80, "tcp")]);
        assert_eq!(ok("65535:65535/SCTP"), vec![b("", "65535", 65535, "sctp")]);
        assert_eq!(ok("80/UDP"), vec![b("", "", 80, "udp")]);
        assert_eq!(ok("80/"), vec![b("", "", 80, "tcp")]);
        assert_eq!(
            err("99999999999999999999999"),
            "invalid containerPort: 99999999999999999999999"
        );
    }

    #[test]
    fn error_spans_point_at_the_failing_part() {
        let span = |spec: &str| {
            let e = parse_port_spec(spec).unwrap_err();
            spec[e.span].to_string()
        };
        assert_eq!(span("localhost:8080:80"), "localhost");
        assert_eq!(span("[::1:80:80"), "[::1");
        assert_eq!(span("8080:80/tpc"), "tpc");
        assert_eq!(span("8080:99999"), "99999");
        assert_eq!(span("99999:80"), "99999");
        assert_eq!(span("8000-8010:80-81"), "8000-8010:80-81");
        assert_eq!(span("80:"), "80:");
    }

    // §7.4 ParsePortRange.
    #[test]
    fn parse_port_range_vectors() {
        type Case = (&'static str, Result<(u16, u16), &'static str>);
        let cases: &[Case] = &[
            ("", Err("empty string specified for ports")),
            ("1234", Ok((1234, 1234))),
            ("1234-1234", Ok((1234, 1234))),
            ("1234-1235", Ok((1234, 1235))),
            ("8000-9000", Ok((8000, 9000))),
            ("0", Ok((0, 0))),
            ("0-0", Ok((0, 0))),
            ("asdf", Err("invalid start port 'asdf': invalid syntax")),
            ("9000-8000", Err("invalid port range: 9000-8000")),
            ("8000-", Err("invalid end port '': value is empty")),
            ("-9000", Err("invalid start port '': value is empty")),
            ("8000-a", Err("invalid end port 'a': invalid syntax")),
            (
                "8000-9000a",
                Err("invalid end port '9000a': invalid syntax"),
            ),
            ("a-9000", Err("invalid start port 'a': invalid syntax")),
            (
                "8000a-9000",
                Err("invalid start port '8000a': invalid syntax"),
            ),
            ("-8000-", Err("invalid start port '': value is empty")),
            ("-", Err("invalid start port '': value is empty")),
            (
                "65536",
                Err("invalid start port '65536': value out of range (0–65535)"),
            ),
        ];
        for (input, want) in cases {
            let got = parse_port_range(input);
            assert_eq!(got, want.map_err(str::to_string), "input {input:?}");
        }
        assert_eq!(parse_port_number("   "), Err("invalid syntax"));
        assert_eq!(parse_port_number("  42  "), Err("invalid syntax"));
        assert_eq!(parse_port_number("-1"), Err("value out of range (0–65535)"));
        assert_eq!(
            parse_port_number("70000"),
            Err("value out of range (0–65535)")
        );
        assert_eq!(parse_port_number("1234abc"), Err("invalid syntax"));
    }

    // §7.4 SplitProtoPort.
    #[test]
    fn split_proto_port_vectors() {
        let cases = [
            ("", ("", "")),
            ("0", ("tcp", "0")),
            ("/udp", ("", "")),
            ("1234", ("tcp", "1234")),
            ("1234/", ("tcp", "1234")),
            ("1234/udp", ("udp", "1234")),
            ("80-8080", ("tcp", "80-8080")),
            ("80-8080/", ("tcp", "80-8080")),
            ("80-8080/udp", ("udp", "80-8080")),
            ("-1", ("tcp", "-1")),
            ("1234/UDP", ("UDP", "1234")),
            ("any port value", ("tcp", "any port value")),
            (
                "any port value/any proto value",
                ("any proto value", "any port value"),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(split_proto_port(input), want, "input {input:?}");
        }
    }

    // §3 and §7.5/§7.7: `expose`.
    #[test]
    fn expose_vectors() {
        let p = |port, protocol: &str| ExposedPort {
            port,
            protocol: protocol.into(),
        };
        assert_eq!(parse_expose("8080/tcp"), Ok(vec![p(8080, "tcp")]));
        assert_eq!(parse_expose("8080/udp"), Ok(vec![p(8080, "udp")]));
        assert_eq!(parse_expose("8080/ncp"), Ok(vec![p(8080, "ncp")]));
        assert_eq!(parse_expose("8080-8080/udp"), Ok(vec![p(8080, "udp")]));
        assert_eq!(
            parse_expose("8080-8082/tcp"),
            Ok(vec![p(8080, "tcp"), p(8081, "tcp"), p(8082, "tcp")])
        );
        assert_eq!(parse_expose("1234/TCP"), Ok(vec![p(1234, "tcp")]));
        assert_eq!(parse_expose("1234/"), Ok(vec![p(1234, "tcp")]));
        assert_eq!(parse_expose("0-1234/tcp").map(|v| v.len()), Ok(1235));
        assert_eq!(
            parse_expose("1234/tcp:ipv6only"),
            Ok(vec![p(1234, "tcp:ipv6only")])
        );
        let e = |s: &str| parse_expose(s).unwrap_err();
        assert_eq!(e(":"), "invalid start port ':': invalid syntax");
        assert_eq!(
            e("8080:9090"),
            "invalid start port '8080:9090': invalid syntax"
        );
        assert_eq!(e("/tcp"), "invalid start port '': value is empty");
        assert_eq!(e("/udp"), "invalid start port '': value is empty");
        assert_eq!(e("NaN/tcp"), "invalid start port 'NaN': invalid syntax");
        assert_eq!(e("NaN-NaN/tcp"), "invalid start port 'NaN': invalid syntax");
        assert_eq!(e("8080-NaN/tcp"), "invalid end port 'NaN': invalid syntax");
        assert_eq!(
            e("1234567890-8080/tcp"),
            "invalid start port '1234567890': value out of range"
        );
        assert_eq!(e(""), "invalid port range: value is empty");
        for bad in [
            " ",
            "/",
            "-1",
            "65536",
            "foo",
            "asd1234/tcp",
            "-1-1234",
            "1234--1",
            "65536-65537",
            "1234-65536",
            "foo-1234",
            "1234-bar",
            "1234-1000",
            "asd1234-5678/tcp",
        ] {
            assert!(parse_expose(bad).is_err(), "{bad:?} should fail");
        }
    }

    // §7.8: BuildKit accepts the full spec grammar in EXPOSE and keeps the container side.
    #[test]
    fn buildkit_expose_words_use_the_spec_grammar() {
        let targets = |s| ok(s).iter().map(|b| b.target).collect::<Vec<_>>();
        assert_eq!(targets("0.0.0.0:1234-1235:3333-3334/tcp"), vec![3333, 3334]);
        assert_eq!(targets("[2001:4860:0:2001::68]::333"), vec![333]);
        assert_eq!(targets("::::80"), vec![80]);
        assert_eq!(ok("3456-3458/sctp").len(), 3);
        assert!(parse_port_spec("localhost:1234:1234/tcp").is_err());
    }
}
