use super::declare_rule;
use crate::finding::Finding;
use crate::model::compose::Project;
use crate::model::compose::refs::{Audience, is_loopback};

declare_rule! {
    /// ## What it does
    /// Reports a Kafka broker that advertises `localhost` (or `127.0.0.1`, `::1`) on a
    /// listener that another service of the project connects to: a listener of
    /// `KAFKA_ADVERTISED_LISTENERS` (`KAFKA_CFG_ADVERTISED_LISTENERS` in Bitnami's image)
    /// such as `PLAINTEXT://localhost:9092`, while another service names the broker on that
    /// port (`KAFKA_BOOTSTRAP_SERVERS: kafka:9092`). A listener that only clients on the
    /// host use is left alone: there `localhost` is right.
    ///
    /// ## Why it matters
    /// A Kafka client uses the bootstrap address only to fetch the cluster's metadata; then
    /// it connects to the address the broker advertises. In the other service's container
    /// `localhost` is that container itself, so the client connects there and is refused
    /// (`Connection to node 1 (localhost/127.0.0.1:9092) could not be established`), although
    /// the bootstrap address was right.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   kafka:
    ///     image: apache/kafka:3.8.0
    ///     environment:
    ///       KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092
    ///   app:
    ///     environment:
    ///       KAFKA_BOOTSTRAP_SERVERS: kafka:9092
    /// ```
    ///
    /// ## Fix
    /// Give containers a listener of their own that advertises the service name
    /// (`INTERNAL://kafka:29092`, with `KAFKA_LISTENERS` and
    /// `KAFKA_LISTENER_SECURITY_PROTOCOL_MAP` to match) and point the other services at it;
    /// keep `localhost` only on the listener that the host's clients use. No quick fix:
    /// changing the advertised name would break the clients on the host.
    pub static ADVERTISED_ADDRESS_LOOPBACK = {
        code: "advertised-address-loopback",
        severity: Warning,
        applies_to: "Compose files",
        summary: "A broker advertises localhost to other containers",
        compose: [check],
    };
}

/// Variables that hold a broker's advertised listeners (`NAME://host:port,...`).
const ADVERTISED: &[&str] = &[
    "KAFKA_ADVERTISED_LISTENERS",
    "KAFKA_CFG_ADVERTISED_LISTENERS",
];

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    for (index, s) in p.services.iter().enumerate() {
        for e in &s.environment {
            if !ADVERTISED.contains(&e.key) {
                continue;
            }
            let Some(val) = &e.value else { continue };
            let mut at = 0;
            for listener in val.value.split(',') {
                let start = at;
                at += listener.len() + 1;
                let Some((scheme_end, rest)) =
                    listener.find("://").map(|i| (i + 3, &listener[i + 3..]))
                else {
                    continue;
                };
                let Some((host, port)) = rest.rsplit_once(':') else {
                    continue;
                };
                let Ok(port) = port.trim().parse::<u16>() else {
                    continue;
                };
                let bare = host.trim_start_matches('[').trim_end_matches(']');
                if !is_loopback(bare) || bare == "0.0.0.0" {
                    continue;
                }
                // Another service that connects to this broker on this port.
                let client = p.refs.iter().find(|r| {
                    r.service != index
                        && r.audience == Audience::Container
                        && r.host.effective_port() == Some(port)
                        && p.host_index(&p.ref_val(r).value[r.host.host_range.clone()])
                            == Some(index)
                });
                let Some(client) = client else { continue };
                let host_at = start + (listener.len() - listener.trim_start().len()) + scheme_end;
                let range = host_at..host_at + host.len();
                let client_val = p.ref_val(client);
                let client_name = &p.services[client.service].name;
                let written = &client_val.value[client.host.host_range.start
                    ..client
                        .host
                        .port_range
                        .as_ref()
                        .map_or(client.host.host_range.end, |r| r.end)];
                out.push(
                    Finding::new(
                        &ADVERTISED_ADDRESS_LOOPBACK,
                        p.value_span(val, range),
                        format!(
                            "`{}` advertises {host}:{port} to its clients, so `{client_name}` is refused after the bootstrap. `{client_name}` connects to it on port {port} (`{written}`), then reconnects to {host}:{port}, which in its container is `{client_name}` itself. Advertise a listener with the service name for containers",
                            s.name
                        ),
                    )
                    .with_related(
                        p.value_span(client_val, client.host.host_range.clone()),
                        format!("`{client_name}` connects to the broker here"),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::flagged;

    #[test]
    fn localhost_advertised_to_a_container_client() {
        let text = "services:\n  kafka:\n    image: apache/kafka:3.8.0\n    environment:\n      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092\n  app:\n    image: example/app\n    environment:\n      KAFKA_BOOTSTRAP_SERVERS: kafka:9092\n";
        assert_eq!(flagged(text, "advertised-address-loopback"), ["localhost"]);
        // Bitnami's variable, with two listeners: only the one a container uses counts.
        let two = "services:\n  kafka:\n    image: bitnami/kafka:3.7\n    environment:\n      KAFKA_CFG_ADVERTISED_LISTENERS: INTERNAL://kafka:29092,EXTERNAL://localhost:9092\n  app:\n    image: example/app\n    environment:\n      SPRING_KAFKA_BOOTSTRAP_SERVERS: kafka:29092\n";
        assert!(flagged(two, "advertised-address-loopback").is_empty());
        let wrong = two.replace("kafka:29092\n", "kafka:9092\n");
        assert_eq!(
            flagged(&wrong, "advertised-address-loopback"),
            ["localhost"]
        );
    }

    /// Only the host's clients use it, or a browser-facing value names it: nothing.
    #[test]
    fn clients_on_the_host_are_what_localhost_is_for() {
        let text = "services:\n  kafka:\n    image: apache/kafka:3.8.0\n    ports: [\"9092:9092\"]\n    environment:\n      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://localhost:9092\n  ui:\n    image: example/ui\n    environment:\n      PUBLIC_URL: http://localhost:8080\n";
        assert!(flagged(text, "advertised-address-loopback").is_empty());
    }
}
