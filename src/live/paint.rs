//! The probe's verdicts as the network map paints them: [`crate::ide::map::Verdicts`],
//! plain data the `ide` layer matches to its elements. A port that answered is reached, a
//! step that failed refused, a service that is not up (no container, never started,
//! stopped) unknown: the probe saw nothing fail there, it is just not running. A
//! reference between services, and a reverse proxy's route to a service, is reached when
//! the two share a network and the port listens (the probe's service links).

use super::LiveError;
use super::engine::Engine;
use super::plan::{Link, Mapping};
use super::probe::{self, LinkVerdict, Outcome, Verdict};
use super::step::{LinkStep, Step};
use crate::ide::map::{ConnectionKind, ConnectionVerdict, Live, PortVerdict, Topology, Verdicts};

fn port_live(v: &Verdict) -> Live {
    let why = match &v.why {
        Step::HealthStarting(inner) => inner.as_ref(),
        why => why,
    };
    let message = v.message.clone();
    if why.not_up() || matches!(why, Step::NotTcp { .. } | Step::Remote { .. }) {
        // Not up, or bound but not connected to (UDP, a remote daemon's host).
        return Live::Unknown(message);
    }
    match v.outcome {
        Outcome::Ok => Live::Reached(message),
        Outcome::Fail => Live::Refused(message),
    }
}

fn link_live(v: &LinkVerdict) -> Live {
    let message = v.message.clone();
    match (&v.why, v.outcome) {
        (LinkStep::NotRunning { .. }, _) => Live::Unknown(message),
        (_, Outcome::Ok) => Live::Reached(message),
        (_, Outcome::Fail) => Live::Refused(message),
    }
}

/// The verdicts of [`probe::probe`] and [`probe::probe_links`] for the map.
pub fn verdicts(ports: &[Verdict], links: &[LinkVerdict]) -> Verdicts {
    Verdicts {
        ports: ports
            .iter()
            .map(|v| PortVerdict {
                service: v.mapping.service.clone(),
                entry_start: v.mapping.range.start,
                host_ip: v.mapping.host_ip.clone(),
                host_port: v.mapping.published.clone(),
                container_port: v.mapping.target,
                protocol: v.mapping.protocol.to_string(),
                live: port_live(v),
            })
            .collect(),
        connections: links
            .iter()
            .filter(|v| v.link.kind == "service")
            .map(|v| ConnectionVerdict {
                from: v.link.from.clone(),
                to: v.link.to.clone(),
                port: v.link.port,
                live: link_live(v),
            })
            .collect(),
    }
}

/// The map's reverse proxy routes as service links: the proxy's container must share a
/// network with the service's, and the port, when the route names one, must listen there.
pub fn proxy_links(t: &Topology) -> Vec<Link> {
    t.connections
        .iter()
        .filter(|c| matches!(c.kind, ConnectionKind::Proxy { .. }))
        .filter_map(|c| {
            let to = c.to.clone()?;
            Some(Link {
                kind: "service",
                from: c.from.clone(),
                name: to.clone(),
                to,
                port: c.port,
                range: c.span.clone(),
            })
        })
        .collect()
}

/// Probes the published `mappings`, the references between services among `links` and the
/// proxy routes of `t` for `project` (read-only, as `portside probe` does) and returns the
/// map's verdicts.
pub async fn probe(
    engine: &impl Engine,
    project: &str,
    mappings: &[Mapping],
    links: &[Link],
    t: &Topology,
) -> Result<Verdicts, LiveError> {
    let ports = probe::probe(engine, project, mappings, super::is_local()).await?;
    let mut services: Vec<Link> = Vec::new();
    for l in links
        .iter()
        .filter(|l| l.kind == "service")
        .cloned()
        .chain(proxy_links(t))
    {
        if !services.iter().any(|s| s.same(&l)) {
            services.push(l);
        }
    }
    let links = probe::probe_links(engine, project, &services).await?;
    Ok(verdicts(&ports, &links))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn mapping(service: &str) -> Mapping {
        Mapping {
            service: service.into(),
            spec: "127.0.0.1::80".into(),
            host_ip: "127.0.0.1".into(),
            published: String::new(),
            target: 80,
            protocol: "tcp",
            range: 10..25,
        }
    }

    fn verdict(service: &str, why: Step) -> Verdict {
        Verdict {
            mapping: mapping(service),
            outcome: why.outcome(),
            step: why.name(),
            message: why.message(),
            host_port: None,
            elapsed: Duration::ZERO,
            why,
        }
    }

    #[test]
    fn steps_become_colours() {
        let addr: std::net::SocketAddr = "127.0.0.1:32768".parse().unwrap();
        let v = verdicts(
            &[
                verdict(
                    "ok",
                    Step::Answers {
                        addr,
                        took: Duration::from_millis(1),
                    },
                ),
                verdict(
                    "bad",
                    Step::NotListening {
                        addr,
                        container: "c".into(),
                        target: 80,
                        others: vec![],
                    },
                ),
                verdict(
                    "down",
                    Step::NoContainer {
                        service: "down".into(),
                        project: "p".into(),
                    },
                ),
            ],
            &[],
        );
        let got: Vec<(&str, &str)> = v
            .ports
            .iter()
            .map(|p| {
                (
                    p.service.as_str(),
                    match p.live {
                        Live::Reached(_) => "reached",
                        Live::Refused(_) => "refused",
                        Live::Unknown(_) => "unknown",
                    },
                )
            })
            .collect();
        assert_eq!(
            got,
            [("ok", "reached"), ("bad", "refused"), ("down", "unknown")]
        );
        assert_eq!(v.ports[1].entry_start, 10);
        assert!(
            v.ports[1].live.message().contains("nothing in"),
            "{:?}",
            v.ports[1].live
        );
    }
}
