use std::ops::Range;

use super::declare_rule;
use crate::finding::{Finding, Severity};
use crate::model::compose::{Port, PortSpec};
use crate::model::compose::{Project, Service};
use crate::model::ports;

declare_rule! {
    /// ## What it does
    /// Finds two port mappings, in one service or in two, that publish the same host port
    /// for the same protocol on overlapping host addresses. An empty host IP, `0.0.0.0` and
    /// `::` overlap with every address; `127.0.0.1` and `127.0.0.2` do not; TCP and UDP
    /// never clash; `- "8080"` publishes no fixed host port. Services whose profiles never
    /// run together, and services with `network_mode: host`, are left out.
    ///
    /// Across files it works on Compose's merged project: this file's ports against those
    /// of its override (or base) file and of included files, with related information in
    /// the other file. An entry repeated in both files is de-duplicated by Compose and not
    /// reported; ports that the later file removes (`ports: !reset []`, `ports: !override
    /// [...]`, or `network_mode` set there) are left out.
    ///
    /// ## Why it matters
    /// One host address and port can be bound once. The second container fails to start:
    /// `Bind for 0.0.0.0:8080 failed: port is already allocated`.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   web:
    ///     ports: ["8080:80"]
    ///   admin:
    ///     ports: ["127.0.0.1:8080:8080"]
    /// ```
    ///
    /// ## Fix
    /// Choose another host port for one of them, bind them to different addresses, or drop
    /// the host port (`- "8080"`) to get a free one.
    pub static DUPLICATE_HOST_PORT = {
        code: "duplicate-host-port",
        severity: Error,
        applies_to: "Compose files",
        summary: "Two mappings publish the same host port",
        compose: [check, check_merged],
    };
}

#[derive(Debug, Clone)]
struct Bound<'p> {
    service: usize,
    port: &'p Port<'p>,
    host_ip: &'p str,
    lo: u16,
    hi: u16,
    protocol: &'p str,
    /// `8000-8010:80`: Docker takes the first free port of the range.
    dynamic: bool,
}

fn unspecified(ip: &str) -> bool {
    ip.is_empty() || ip == "0.0.0.0" || ip == "::"
}

fn ips_overlap(a: &str, b: &str) -> bool {
    unspecified(a) || unspecified(b) || a == b
}

fn profiles_exclusive(a: &Service, b: &Service) -> bool {
    !a.profiles.is_empty()
        && !b.profiles.is_empty()
        && !a.profiles.iter().any(|p| b.profiles.contains(p))
}

/// The range of the published part of an entry, for pointing at it.
pub(super) fn published_span(p: &Project, port: &Port) -> Range<usize> {
    match &port.spec {
        PortSpec::Short(v) => {
            let parts = ports::spec_parts(&v.value);
            if parts.host.is_empty() {
                p.span(port.item)
            } else {
                p.value_span(v, parts.host)
            }
        }
        PortSpec::Long(_) => p.span(port.published_node()),
        PortSpec::Other => p.span(port.item),
    }
}

fn bound<'p>(p: &'p Project) -> Vec<Bound<'p>> {
    let mut out = Vec::new();
    for (i, s) in p.services.iter().enumerate() {
        if s.network_mode.is_some() {
            continue;
        }
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            for b in bindings {
                if b.published.is_empty() {
                    continue;
                }
                let Ok((lo, hi)) = ports::parse_port_range(&b.published) else {
                    continue;
                };
                if lo == 0 {
                    continue;
                }
                out.push(Bound {
                    service: i,
                    port,
                    host_ip: &b.host_ip,
                    lo,
                    hi,
                    protocol: b.protocol,
                    dynamic: lo != hi,
                });
            }
        }
    }
    out
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let all = bound(p);
    // Index the fixed ports; dynamic ranges are few and checked against everything.
    let mut by_port: rustc_hash::FxHashMap<(u16, &str), Vec<usize>> = Default::default();
    for (i, b) in all.iter().enumerate() {
        if !b.dynamic {
            by_port.entry((b.lo, b.protocol)).or_default().push(i);
        }
    }
    let mut reported = rustc_hash::FxHashSet::default();
    let mut report = |first: &Bound, second: &Bound, port: u16, out: &mut Vec<Finding>| {
        if std::ptr::eq(first.port, second.port)
            || !reported.insert((second.port.item, first.port.item))
        {
            return;
        }
        let (s1, s2) = (&p.services[first.service], &p.services[second.service]);
        if profiles_exclusive(s1, s2) {
            return;
        }
        // The same spec twice in one service is de-duplicated by Compose.
        if first.service == second.service
            && p.yaml.scalar(first.port.item).is_some()
            && p.yaml.scalar(first.port.item) == p.yaml.scalar(second.port.item)
        {
            return;
        }
        let addr = if unspecified(second.host_ip) {
            "0.0.0.0".to_string()
        } else {
            second.host_ip.to_string()
        };
        let (severity, message) = if first.dynamic || second.dynamic {
            (
                Severity::Warning,
                format!(
                    "Host port {port}/{} may already be taken by `{}`. This range and that mapping overlap, so the container that starts second gets another port of the range, or none",
                    second.protocol, s1.name
                ),
            )
        } else {
            (
                Severity::Error,
                format!(
                    "Host port {port}/{} is already published by `{}`. The container that starts second fails with \"Bind for {addr}:{port} failed: port is already allocated\". Choose another host port",
                    second.protocol, s1.name
                ),
            )
        };
        out.push(
            Finding::new(
                &DUPLICATE_HOST_PORT,
                published_span(p, second.port),
                message,
            )
            .with_severity(severity)
            .with_related(
                published_span(p, first.port),
                format!("`{}` publishes {port}/{} here", s1.name, first.protocol),
            ),
        );
    };
    for group in by_port.values() {
        for (x, &i) in group.iter().enumerate() {
            for &j in &group[..x] {
                if ips_overlap(all[i].host_ip, all[j].host_ip) {
                    report(&all[j], &all[i], all[i].lo, out);
                }
            }
        }
    }
    for (i, d) in all.iter().enumerate().filter(|(_, b)| b.dynamic) {
        for (j, o) in all.iter().enumerate() {
            if i == j
                || o.protocol != d.protocol
                || o.hi < d.lo
                || d.hi < o.lo
                || !ips_overlap(d.host_ip, o.host_ip)
            {
                continue;
            }
            let (first, second) = if j < i { (o, d) } else { (d, o) };
            report(first, second, o.lo.max(d.lo), out);
        }
    }
}

/// The file name of another file, for messages.
fn file_name(file: &crate::finding::OtherFile) -> String {
    file.path.file_name().map_or_else(
        || file.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Across the project's files, as Compose merges them: this file's published ports against
/// those of the override or base file and of included files. Entries that Compose
/// de-duplicates (the same entry of the same service in both files) and ports that a later
/// file removes (`ports: !reset`, `!override`, or `network_mode` set there) are left out.
pub fn check_merged(p: &Project, out: &mut Vec<Finding>) {
    let others = &p.external.other_services;
    if others.is_empty() {
        return;
    }
    for s in &p.services {
        if s.network_mode.is_some() {
            continue;
        }
        let gone = others.iter().any(|o| {
            o.name == s.name
                && o.after == Some(true)
                && (o.ports_replace || o.network_mode.is_some())
        });
        if gone {
            continue;
        }
        let own_replace = crate::model::compose::replaces(p, s, "ports");
        for port in &s.ports {
            let Some(bindings) = port.bindings() else {
                continue;
            };
            let own_key = crate::model::compose::port_key(port);
            'others: for o in others {
                let same = o.name == s.name;
                if o.network_mode.is_some() || (same && o.after.is_none()) {
                    continue;
                }
                // This file, applied after `o`'s, may replace or discard its ports.
                if o.after == Some(false)
                    && let Some(mine) = p.service(&o.name)
                    && ((same && own_replace)
                        || (!same
                            && (crate::model::compose::replaces(p, mine, "ports")
                                || mine.network_mode.is_some())))
                {
                    continue;
                }
                if !s.profiles.is_empty()
                    && !o.profiles.is_empty()
                    && !s.profiles.iter().any(|x| o.profiles.iter().any(|y| y == x))
                {
                    continue;
                }
                for op in &o.ports {
                    if same && own_key.as_deref() == Some(op.key.as_str()) {
                        continue;
                    }
                    for b in bindings {
                        let Ok(mine) = b.published.parse::<u16>() else {
                            continue;
                        };
                        let clash = op.bindings.iter().any(|ob| {
                            ob.published.parse::<u16>() == Ok(mine)
                                && mine != 0
                                && ob.protocol == b.protocol
                                && ips_overlap(&ob.host_ip, &b.host_ip)
                        });
                        if !clash {
                            continue;
                        }
                        let name = file_name(&o.file);
                        let addr = if unspecified(&b.host_ip) {
                            "0.0.0.0"
                        } else {
                            b.host_ip.as_str()
                        };
                        let who = if same {
                            format!("`{}` also publishes it in {name}", o.name)
                        } else {
                            format!("`{}` publishes it in {name}", o.name)
                        };
                        out.push(
                            Finding::new(
                                &DUPLICATE_HOST_PORT,
                                published_span(p, port),
                                format!(
                                    "Host port {mine}/{} is published twice in the merged project. {who}. The container that starts second fails with \"Bind for {addr}:{mine} failed: port is already allocated\". Choose another host port",
                                    b.protocol
                                ),
                            )
                            .with_related_in(
                                o.file.clone(),
                                op.span.clone(),
                                format!("`{}` publishes {mine}/{} here", o.name, b.protocol),
                            ),
                        );
                        continue 'others;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::rules::test_support::{findings, flagged};

    fn pair(a: &str, b: &str) -> Vec<Severity> {
        let text = format!("services:\n  a:\n    ports: [\"{a}\"]\n  b:\n    ports: [\"{b}\"]\n");
        findings(&text, &[], "duplicate-host-port")
            .iter()
            .map(|f| f.severity)
            .collect()
    }

    // networking-pitfalls.md Appendix C, port-conflict detector.
    #[test]
    fn catalog_vectors() {
        assert_eq!(pair("8080:80", "8080:8080"), [Severity::Error]);
        assert_eq!(pair("127.0.0.1:8080:80", "8080:80"), [Severity::Error]);
        assert!(pair("127.0.0.1:8080:80", "127.0.0.2:8080:80").is_empty());
        assert!(pair("8080:80", "8080:80/udp").is_empty());
        assert_eq!(pair("[::1]:8080:80", "8080:80"), [Severity::Error]);
        assert_eq!(pair("8000-8005:80", "8003:80"), [Severity::Warning]);
        assert_eq!(pair("8000-8002:8000-8002", "8002:9000"), [Severity::Error]);
        assert!(pair("8080", "8080:80").is_empty());
    }

    #[test]
    fn points_at_the_second_host_port_and_back_at_the_first() {
        let text = "services:\n  web:\n    ports:\n      - \"8080:80\"\n  admin:\n    ports:\n      - target: 8080\n        published: 8080\n";
        assert_eq!(flagged(text, "duplicate-host-port"), ["8080"]);
        let f = &findings(text, &[], "duplicate-host-port")[0];
        assert_eq!(&text[f.related[0].range.clone()], "8080");
        assert_eq!(f.related[0].range.start, text.find("8080:80").unwrap());
        assert!(f.message.contains("port is already allocated"));
    }

    #[test]
    fn profiles_host_mode_and_repeats() {
        let text = "services:\n  a:\n    profiles: [dev]\n    ports: [\"80:80\"]\n  b:\n    profiles: [prod]\n    ports: [\"80:80\"]\n  c:\n    network_mode: host\n    ports: [\"80:80\"]\n  d:\n    ports: [\"9000:9000\", \"9000:9000\"]\n";
        assert!(flagged(text, "duplicate-host-port").is_empty());
        let text = "services:\n  a:\n    ports: [\"9000:9000\", \"9000:9001\"]\n";
        assert_eq!(flagged(text, "duplicate-host-port"), ["9000"]);
    }
}
