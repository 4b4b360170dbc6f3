//! The map drawn: Mermaid (`flowchart LR`, a subgraph per network), Graphviz DOT (a cluster
//! per network) and SVG laid out by `layout-rs` (no Graphviz needed). Output is a function
//! of the [`Topology`] alone: ids are indexes in its sorted lists, so goldens are stable.

use std::fmt::Write as _;

use super::{
    Connection, ConnectionKind, Live, MapNetwork, MapService, Mark, Published, Sharing, Topology,
};

const RED: &str = "#d32f2f";
const GREEN: &str = "#2e7d32";
const GREY: &str = "#9e9e9e";

/// The colour of a live verdict.
fn live_colour(l: &Live) -> &'static str {
    match l {
        Live::Reached(_) => GREEN,
        Live::Refused(_) => RED,
        Live::Unknown(_) => GREY,
    }
}

/// `reached`, `refused` or `unknown`: the SVG's `data-live`.
fn live_word(l: &Live) -> &'static str {
    match l {
        Live::Reached(_) => "reached",
        Live::Refused(_) => "refused",
        Live::Unknown(_) => "unknown",
    }
}

/// What a label says of a live verdict: a mark and the probe's first sentence.
fn live_label(l: &Live) -> String {
    let mark = match l {
        Live::Reached(_) => "✓",
        Live::Refused(_) => "✗",
        Live::Unknown(_) => "?",
    };
    format!("live {mark} {}", crate::rules::first_sentence(l.message()))
}

/// The tooltip line of a live verdict.
fn live_tip(l: &Live) -> String {
    format!("live ({}): {}", live_word(l), l.message())
}

/// The findings' tooltip, with the live verdict's line after them; `None` when there is
/// neither.
fn tip_with_live(marks: &[Mark], live: Option<&Live>) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    if !marks.is_empty() {
        lines.push(all_messages(marks));
    }
    if let Some(l) = live {
        lines.push(live_tip(l));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The first sentence of each failing finding, joined: what an edge or node says.
fn failing(marks: &[Mark]) -> Option<String> {
    let msgs: Vec<&str> = marks
        .iter()
        .filter(|m| m.fails())
        .map(|m| crate::rules::first_sentence(&m.message))
        .collect();
    (!msgs.is_empty()).then(|| msgs.join(" "))
}

fn all_messages(marks: &[Mark]) -> String {
    marks
        .iter()
        .map(|m| format!("{}: {}", m.code, crate::rules::first_sentence(&m.message)))
        .collect::<Vec<_>>()
        .join("\n")
}

fn service_detail(s: &MapService) -> String {
    let mut parts: Vec<String> = Vec::new();
    match (&s.image, s.build) {
        (Some(image), _) => parts.push(image.clone()),
        (None, true) => parts.push("build".to_string()),
        (None, false) => {}
    }
    if !s.listens.is_empty() {
        let ports: Vec<String> = s.listens.iter().map(u16::to_string).collect();
        parts.push(format!("listens {}", ports.join(", ")));
    }
    match &s.sharing {
        Sharing::Bridge => parts.push("network_mode: bridge".to_string()),
        Sharing::Other(m) => parts.push(format!("network_mode: {m}")),
        _ => {}
    }
    parts.join(" · ")
}

fn network_label(n: &MapNetwork) -> String {
    let mut words: Vec<String> = vec![format!("network {}", n.name)];
    if let Some(d) = &n.driver {
        words.push(d.clone());
    }
    if n.internal {
        words.push("internal".to_string());
    }
    if n.external {
        words.push("external".to_string());
    }
    words.extend(n.subnets.iter().cloned());
    words.join(" · ")
}

fn published_label(p: &Published) -> String {
    let host = match p.host_ip.as_str() {
        "" => "*".to_string(),
        ip if ip.contains(':') => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let port = if p.host_port.is_empty() {
        "random".to_string()
    } else {
        p.host_port.clone()
    };
    let mut label = format!("{host}:{port} → {}/{}", p.container_port, p.protocol);
    if p.every_interface {
        label.push_str(" (every interface)");
    }
    label
}

fn connection_label(c: &Connection) -> String {
    match (&c.kind, c.port) {
        (ConnectionKind::DependsOn, _) => "depends_on".to_string(),
        (ConnectionKind::Reference { .. }, Some(port)) if c.to.is_some() => format!(":{port}"),
        (ConnectionKind::Reference { .. }, Some(port)) => format!("{}:{port}", c.host),
        (ConnectionKind::Reference { .. }, None) => c.host.clone(),
        (ConnectionKind::Proxy { via, rule }, port) => {
            let mut label = via.to_string();
            if let Some(rule) = rule {
                label.push(' ');
                label.push_str(&shortened(rule, 48));
            }
            if let Some(port) = port {
                label.push_str(&format!(" :{port}"));
            }
            label
        }
    }
}

/// `s` cut to at most `max` characters, with `…` where it was cut.
fn shortened(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Where each service sits: the network whose subgraph holds it (its first), if any.
fn home(t: &Topology, s: &MapService) -> Option<usize> {
    match &s.sharing {
        Sharing::Networks(nets) => nets
            .first()
            .and_then(|n| t.networks.iter().position(|m| &m.name == n)),
        _ => None,
    }
}

/// The hosts connections name that are no project service, in order of first use.
fn outside_hosts(t: &Topology) -> Vec<&str> {
    let mut hosts: Vec<&str> = Vec::new();
    for c in &t.connections {
        if c.to.is_none() && !hosts.contains(&c.host.as_str()) {
            hosts.push(&c.host);
        }
    }
    hosts.sort_unstable();
    hosts
}

fn service_id(t: &Topology, name: &str) -> Option<String> {
    t.services
        .iter()
        .position(|s| s.name == name)
        .map(|i| format!("s{i}"))
}

fn target_id(t: &Topology, c: &Connection, outside: &[&str]) -> Option<String> {
    match &c.to {
        Some(name) => service_id(t, name),
        None => outside
            .iter()
            .position(|h| *h == c.host)
            .map(|i| format!("x{i}")),
    }
}

fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push('\''),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Mermaid `flowchart LR`: a subgraph per network with the services that sit on it first,
/// the host with its published ports, connections (red with the finding when a rule says
/// they fail).
pub fn mermaid(t: &Topology) -> String {
    let mut out = String::from("flowchart LR\n");
    // Links drawn in a colour: red where a rule says they fail, the live verdict's colour
    // once painted.
    let mut coloured_links: Vec<(usize, &str)> = Vec::new();
    let mut red_nodes: Vec<String> = Vec::new();
    let mut links = 0usize;
    let node = |s: &MapService| {
        let detail = service_detail(s);
        if detail.is_empty() {
            format!("[\"{}\"]", mermaid_text(&s.name))
        } else {
            format!(
                "[\"{}<br/>{}\"]",
                mermaid_text(&s.name),
                mermaid_text(&detail)
            )
        }
    };
    let _ = writeln!(out, "  host([\"host\"])");
    for (i, n) in t.networks.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph n{i}[\"{}\"]",
            mermaid_text(&network_label(n))
        );
        for (j, s) in t.services.iter().enumerate() {
            if home(t, s) == Some(i) {
                let _ = writeln!(out, "    s{j}{}", node(s));
            }
        }
        let _ = writeln!(out, "  end");
        if failing(&n.findings).is_some() {
            red_nodes.push(format!("n{i}"));
        }
    }
    for (j, s) in t.services.iter().enumerate() {
        if home(t, s).is_none() {
            let _ = writeln!(out, "  s{j}{}", node(s));
        }
        if failing(&s.findings).is_some() {
            red_nodes.push(format!("s{j}"));
        }
    }
    let outside = outside_hosts(t);
    for (i, h) in outside.iter().enumerate() {
        let _ = writeln!(out, "  x{i}([\"{}\"])", mermaid_text(h));
    }
    // Membership of the other networks, and network_mode sharing.
    for (j, s) in t.services.iter().enumerate() {
        match &s.sharing {
            Sharing::Networks(nets) => {
                for n in nets.iter().skip(1) {
                    if let Some(i) = t.networks.iter().position(|m| &m.name == n) {
                        let _ = writeln!(out, "  s{j} -.- n{i}");
                        links += 1;
                    }
                }
            }
            Sharing::Host => {
                let _ = writeln!(out, "  s{j} -. \"network_mode: host\" .- host");
                links += 1;
            }
            Sharing::Service(other) => {
                if let Some(id) = service_id(t, other) {
                    let _ = writeln!(
                        out,
                        "  s{j} -. \"{}\" .- {id}",
                        mermaid_text(&format!("network_mode: service:{other}"))
                    );
                    links += 1;
                }
            }
            _ => {}
        }
    }
    for p in &t.published {
        let Some(id) = service_id(t, &p.service) else {
            continue;
        };
        let mut label = published_label(p);
        let mut colour = None;
        if let Some(msg) = failing(&p.findings) {
            label = format!("{label} ✗ {msg}");
            colour = Some(RED);
        }
        if let Some(l) = &p.live {
            label = format!("{label} · {}", live_label(l));
            colour = Some(live_colour(l));
        }
        if let Some(colour) = colour {
            coloured_links.push((links, colour));
        }
        let _ = writeln!(out, "  host -->|\"{}\"| {id}", mermaid_text(&label));
        links += 1;
    }
    for c in &t.connections {
        let (Some(from), Some(to)) = (service_id(t, &c.from), target_id(t, c, &outside)) else {
            continue;
        };
        let mut label = connection_label(c);
        let mut colour = None;
        if let Some(msg) = failing(&c.findings) {
            label = format!("{label} ✗ {msg}");
            colour = Some(RED);
        }
        if let Some(l) = &c.live {
            label = format!("{label} · {}", live_label(l));
            colour = Some(live_colour(l));
        }
        if let Some(colour) = colour {
            coloured_links.push((links, colour));
        }
        let arrow = match c.kind {
            ConnectionKind::DependsOn => "-.->",
            ConnectionKind::Reference { .. } | ConnectionKind::Proxy { .. } => "-->",
        };
        let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_text(&label));
        links += 1;
    }
    for (i, colour) in coloured_links {
        let _ = writeln!(out, "  linkStyle {i} stroke:{colour},color:{colour}");
    }
    for id in red_nodes {
        let _ = writeln!(out, "  style {id} stroke:{RED},stroke-width:2px");
    }
    out
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Graphviz DOT: a cluster per network, tooltips with the findings.
pub fn dot(t: &Topology) -> String {
    let mut out = String::from(
        "digraph portside {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"sans-serif\"];\n  host [label=\"host\", shape=ellipse];\n",
    );
    let service = |j: usize, s: &MapService| {
        let detail = service_detail(s);
        let label = if detail.is_empty() {
            s.name.clone()
        } else {
            format!("{}\n{detail}", s.name)
        };
        let mut attrs = format!("label=\"{}\"", dot_text(&label));
        if !s.findings.is_empty() {
            let _ = write!(
                attrs,
                ", tooltip=\"{}\"",
                dot_text(&all_messages(&s.findings))
            );
        }
        if failing(&s.findings).is_some() {
            let _ = write!(attrs, ", color=\"{RED}\"");
        }
        format!("s{j} [{attrs}];")
    };
    for (i, n) in t.networks.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_n{i} {{");
        let _ = writeln!(out, "    label=\"{}\";", dot_text(&network_label(n)));
        let _ = writeln!(out, "    n{i} [shape=point, label=\"\"];");
        if n.internal {
            let _ = writeln!(out, "    style=dashed;");
        }
        if !n.findings.is_empty() {
            let _ = writeln!(
                out,
                "    tooltip=\"{}\";",
                dot_text(&all_messages(&n.findings))
            );
        }
        for (j, s) in t.services.iter().enumerate() {
            if home(t, s) == Some(i) {
                let _ = writeln!(out, "    {}", service(j, s));
            }
        }
        let _ = writeln!(out, "  }}");
    }
    for (j, s) in t.services.iter().enumerate() {
        if home(t, s).is_none() {
            let _ = writeln!(out, "  {}", service(j, s));
        }
    }
    let outside = outside_hosts(t);
    for (i, h) in outside.iter().enumerate() {
        let _ = writeln!(
            out,
            "  x{i} [label=\"{}\", shape=ellipse, style=dashed];",
            dot_text(h)
        );
    }
    for (j, s) in t.services.iter().enumerate() {
        match &s.sharing {
            Sharing::Networks(nets) => {
                for n in nets.iter().skip(1) {
                    if let Some(i) = t.networks.iter().position(|m| &m.name == n) {
                        let _ = writeln!(
                            out,
                            "  s{j} -> n{i} [style=dashed, arrowhead=none, lhead=cluster_n{i}];"
                        );
                    }
                }
            }
            Sharing::Host => {
                let _ = writeln!(
                    out,
                    "  s{j} -> host [style=dashed, arrowhead=none, label=\"network_mode: host\"];"
                );
            }
            Sharing::Service(other) => {
                if let Some(id) = service_id(t, other) {
                    let _ = writeln!(
                        out,
                        "  s{j} -> {id} [style=dashed, arrowhead=none, label=\"{}\"];",
                        dot_text(&format!("network_mode: service:{other}"))
                    );
                }
            }
            _ => {}
        }
    }
    for p in &t.published {
        let Some(id) = service_id(t, &p.service) else {
            continue;
        };
        let mut label = published_label(p);
        if let Some(l) = &p.live {
            label = format!("{label}\n{}", live_label(l));
        }
        let mut attrs = format!("label=\"{}\"", dot_text(&label));
        if let Some(tip) = tip_with_live(&p.findings, p.live.as_ref()) {
            let _ = write!(attrs, ", tooltip=\"{}\"", dot_text(&tip));
        }
        let colour = match &p.live {
            Some(l) => Some(live_colour(l)),
            None => failing(&p.findings).map(|_| RED),
        };
        if let Some(colour) = colour {
            let _ = write!(attrs, ", color=\"{colour}\", fontcolor=\"{colour}\"");
        }
        let _ = writeln!(out, "  host -> {id} [{attrs}];");
    }
    for c in &t.connections {
        let (Some(from), Some(to)) = (service_id(t, &c.from), target_id(t, c, &outside)) else {
            continue;
        };
        let mut label = connection_label(c);
        if let Some(l) = &c.live {
            label = format!("{label}\n{}", live_label(l));
        }
        let mut attrs = format!("label=\"{}\"", dot_text(&label));
        if matches!(c.kind, ConnectionKind::DependsOn) {
            attrs.push_str(", style=dotted");
        }
        if let Some(tip) = tip_with_live(&c.findings, c.live.as_ref()) {
            let _ = write!(attrs, ", tooltip=\"{}\"", dot_text(&tip));
        }
        let colour = match &c.live {
            Some(l) => Some(live_colour(l)),
            None => c.refused().then_some(RED),
        };
        if let Some(colour) = colour {
            let _ = write!(attrs, ", color=\"{colour}\", fontcolor=\"{colour}\"");
        }
        let _ = writeln!(out, "  {from} -> {to} [{attrs}];");
    }
    out.push_str("}\n");
    out
}

mod elements;
mod svg;
pub use elements::{MapElement, elements};
pub use svg::svg;
