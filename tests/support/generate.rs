//! A deterministic generator of large, valid Compose files for benchmarks and tests: N
//! services with short and long port syntax, several networks and environment URLs
//! between services. The same N always gives the same bytes.
//!
//! Test support, not part of the library: included with `#[path = ...] mod generate;` by
//! `benches/analysis.rs`, `tests/robustness.rs` and `tests/lsp.rs`.
#![allow(dead_code)]

use std::fmt::Write;

pub fn compose(services: usize) -> String {
    let mut s = String::with_capacity(services * 420);
    s.push_str("name: generated\n\nx-common: &common\n  restart: unless-stopped\n  labels:\n    generated: \"true\"\n\nservices:\n");
    let nets = ["front", "back", "data", "metrics"];
    for i in 0..services {
        let name = format!("svc-{i:05}");
        let next = format!("svc-{:05}", (i + 1) % services.max(1));
        let _ = writeln!(s, "  {name}:");
        let _ = writeln!(s, "    <<: *common");
        let _ = writeln!(s, "    image: registry.example/app-{}:1.{}", i % 17, i % 5);
        s.push_str("    ports:\n");
        // Host ports stay below 65536 for any N up to 15,000.
        match i % 3 {
            0 => {
                let _ = writeln!(s, "      - \"127.0.0.1:{}:8080\"", 10000 + i % 15000);
                let _ = writeln!(s, "      - \"127.0.0.1:{}:9090/tcp\"", 25000 + i % 15000);
            }
            1 => {
                let _ = writeln!(
                    s,
                    "      - target: 8080\n        published: \"{}\"\n        protocol: tcp\n        host_ip: 127.0.0.1\n        mode: host",
                    10000 + i % 15000
                );
                let _ = writeln!(s, "      - \"127.0.0.1:{}:9090\"", 25000 + i % 15000);
            }
            _ => {
                let _ = writeln!(s, "      - \"[::1]:{}:8080\"", 10000 + i % 15000);
                let _ = writeln!(
                    s,
                    "      - \"127.0.0.1:{}-{}:9000-9001/udp\"",
                    40000 + (i % 12000) * 2,
                    40001 + (i % 12000) * 2
                );
            }
        }
        s.push_str("    expose:\n      - \"7000-7002\"\n");
        s.push_str("    networks:\n");
        let _ = writeln!(s, "      - {}", nets[i % nets.len()]);
        let _ = writeln!(s, "      - {}", nets[(i + 1) % nets.len()]);
        s.push_str("    environment:\n");
        let _ = writeln!(s, "      UPSTREAM_URL: http://{next}:8080/api");
        let _ = writeln!(s, "      METRICS_ADDR: \"{next}:9090\"");
        let _ = writeln!(s, "      LOG_LEVEL: info");
        if i > 0 {
            let _ = writeln!(s, "    depends_on:\n      - svc-{:05}", i - 1);
        }
    }
    s.push_str("\nnetworks:\n  front: {}\n  back:\n    internal: true\n  data:\n    ipam:\n      config:\n        - subnet: 10.200.0.0/16\n  metrics: {}\n");
    s
}

/// A hostile input for the resource-limit tests and benchmarks.
pub struct Hostile {
    pub name: &'static str,
    pub kind: portside::classify::FileKind,
    pub text: String,
}

/// The inputs that try to make analysis slow or large: a YAML alias bomb, 10,000-deep
/// nesting (flow, block, JSON), a 50 MB file, a 1 MB line, `services` of them, a
/// Dockerfile with 100,000 continuation lines and one with 2,000 broken lines.
pub fn hostile(services: usize) -> Vec<Hostile> {
    use portside::classify::FileKind::{Compose, DaemonJson, Dockerfile};
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        let _ = writeln!(bomb, "a{i}: &a{i} [{refs}]");
    }
    bomb.push_str("services:\n  web:\n    image: x\n    ports: *a9\n    environment: *a9\n    networks: *a9\n");
    let mut block = String::from("services:\n");
    for depth in 0..10_000 {
        let _ = writeln!(block, "{}- ", " ".repeat(depth.min(200)));
    }
    let mut many = String::with_capacity(services * 60);
    many.push_str("services:\n");
    for i in 0..services {
        let _ = writeln!(
            many,
            "  s{i}:\n    image: redis\n    ports: [\"{}:6379\"]",
            10_000 + i % 50_000
        );
    }
    let mut continued = String::from("FROM alpine\nRUN echo a \\\n");
    continued.push_str(&"  && echo b \\\n".repeat(100_000));
    continued.push_str("  && echo c\nEXPOSE 80\nCMD [\"flask\", \"run\"]\n");
    vec![
        Hostile {
            name: "alias bomb (10^9 nodes if expanded)",
            kind: Compose,
            text: bomb,
        },
        Hostile {
            name: "10,000-deep flow nesting",
            kind: Compose,
            text: format!("services: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        },
        Hostile {
            name: "10,000-deep block nesting",
            kind: Compose,
            text: block,
        },
        Hostile {
            name: "10,000-deep JSON",
            kind: DaemonJson,
            text: format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        },
        Hostile {
            name: "50 MB file",
            kind: Compose,
            text: format!(
                "services:\n  web:\n    image: x\n#{}\n",
                "x".repeat(50 << 20)
            ),
        },
        Hostile {
            name: "1 MB line",
            kind: Compose,
            text: format!(
                "services:\n  web:\n    image: x\n    environment:\n      A: \"{}\"\n",
                "y".repeat(1 << 20)
            ),
        },
        Hostile {
            name: "many services",
            kind: Compose,
            text: many,
        },
        Hostile {
            name: "100,000 continuation lines",
            kind: Dockerfile,
            text: continued,
        },
        Hostile {
            name: "2,000 broken Dockerfile lines",
            kind: Dockerfile,
            text: format!("FROM alpine\n{}EXPOSE 80\n", "RU x\n".repeat(2_000)),
        },
    ]
}
