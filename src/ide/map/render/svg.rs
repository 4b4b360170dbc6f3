//! SVG laid out by `layout-rs` (a layered left-to-right layout, no Graphviz): the host on
//! the left with its published ports, services, and the networks they sit on as nodes
//! services attach to. Failing elements are red; every element with findings carries them
//! as an SVG `<title>` (the tooltip browsers and VS Code's webview show), and a
//! `data-portside` id (`s0`, `n1`, `p2`, `c3`) for jump-to-YAML later.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::render::get_shape_size;
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use super::{
    ConnectionKind, Live, Sharing, Topology, all_messages, connection_label, failing, live_colour,
    live_word, network_label, outside_hosts, published_label, service_detail, tip_with_live,
};

const FONT: usize = 14;
const DIR: Orientation = Orientation::LeftToRight;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

/// The `<g …>` attributes of an element: its id and, when findings sit on it, the tooltip
/// (turned into a `<title>` after rendering).
fn props(id: &str, tip: Option<String>) -> String {
    match tip {
        Some(tip) => format!("data-portside=\"{id}\" data-tip=\"{}\"", escape(&tip)),
        None => format!("data-portside=\"{id}\""),
    }
}

/// How an edge is painted: its colour (`None`: the default grey line), the mark after its
/// label, and its `<g>` attributes. Without a live verdict, red with `✗` when a finding
/// says it fails; with one, the verdict's colour and mark, and `data-live`.
fn paint(
    id: &str,
    marks: &[super::Mark],
    fails: bool,
    live: Option<&Live>,
) -> (Option<&'static str>, &'static str, String) {
    let mut attrs = props(id, tip_with_live(marks, live));
    match live {
        None if fails => (Some(super::RED), " ✗", attrs),
        None => (None, "", attrs),
        Some(l) => {
            attrs.push_str(&format!(" data-live=\"{}\"", live_word(l)));
            let mark = match l {
                Live::Reached(_) => " ✓",
                Live::Refused(_) => " ✗",
                Live::Unknown(_) => " ?",
            };
            (Some(live_colour(l)), mark, attrs)
        }
    }
}

fn look(line: &str, fill: &str, width: usize, rounded: usize) -> StyleAttr {
    StyleAttr::new(
        Color::fast(line),
        width,
        Some(Color::fast(fill)),
        rounded,
        FONT,
    )
}

fn element(shape: ShapeKind, look: StyleAttr, props: String) -> Element {
    let size = get_shape_size(DIR, &shape, FONT, false);
    Element::create_with_properties(shape, look, DIR, size, props)
}

fn edge(
    text: &str,
    style: LineStyleKind,
    end: LineEndKind,
    colour: Option<&str>,
    props: String,
) -> Arrow {
    let look = match colour {
        Some(colour) => look(colour, "white", 2, 0),
        None => look("#555555", "white", 1, 0),
    };
    Arrow::with_properties(
        LineEndKind::None,
        end,
        style,
        text,
        &look,
        props,
        &None,
        &None,
    )
}

/// The map as SVG. layout-rs asserts its own invariants; should one fail, the answer is
/// an SVG that says so rather than a crash of the server or the CLI.
pub fn svg(t: &Topology) -> String {
    std::panic::catch_unwind(|| with_halo(&laid_out(t))).unwrap_or_else(|_| {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><svg width=\"420\" height=\"40\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"25\">portside could not lay this map out; try --format mermaid</text></svg>\n".to_string()
    })
}

/// Every label gets a white outline drawn under its letters, so a line crossing it does not
/// strike it through.
fn with_halo(svg: &str) -> String {
    const HALO: &str = "text { paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }\n";
    match svg.find("</style>") {
        Some(at) => format!("{}{HALO}{}", &svg[..at], &svg[at..]),
        None => svg.to_string(),
    }
}

/// Moves the layout's labels after its shapes and lines, so that a line drawn later does not
/// cross a label (with [`with_halo`], the letters stay readable where lines pass under them).
fn texts_last(svg: &str) -> String {
    let Some(end) = svg.rfind("</svg>") else {
        return svg.to_string();
    };
    let (mut rest, mut texts) = (String::with_capacity(svg.len()), String::new());
    let mut from = 0;
    while let Some(start) = svg[from..end].find("<text").map(|i| from + i) {
        let Some(close) = svg[start..end]
            .find("</text>")
            .map(|i| start + i + "</text>".len())
        else {
            break;
        };
        rest.push_str(&svg[from..start]);
        texts.push_str(&svg[start..close]);
        texts.push('\n');
        from = close;
    }
    rest.push_str(&svg[from..end]);
    rest.push_str(&texts);
    rest.push_str(&svg[end..]);
    rest
}

fn laid_out(t: &Topology) -> String {
    let mut vg = VisualGraph::new(DIR);
    let host = vg.add_node(element(
        ShapeKind::new_circle("host"),
        look("#333333", "#eeeeee", 2, 0),
        props("host", None),
    ));
    let services: Vec<_> = t
        .services
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let detail = service_detail(s);
            let label = if detail.is_empty() {
                s.name.clone()
            } else {
                format!("{}\n{detail}", s.name)
            };
            let red = failing(&s.findings).is_some();
            let tip = (!s.findings.is_empty()).then(|| all_messages(&s.findings));
            vg.add_node(element(
                ShapeKind::new_box(&label),
                if red {
                    look(super::RED, "#fdecea", 2, 6)
                } else {
                    look("#1565c0", "#e3f2fd", 2, 6)
                },
                props(&format!("s{j}"), tip),
            ))
        })
        .collect();
    let networks: Vec<_> = t
        .networks
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let red = failing(&n.findings).is_some();
            let tip = (!n.findings.is_empty()).then(|| all_messages(&n.findings));
            let fill = if n.internal { "#f5f5f5" } else { "#e8f5e9" };
            vg.add_node(element(
                ShapeKind::new_box(&network_label(n)),
                if red {
                    look(super::RED, fill, 2, 16)
                } else {
                    look("#2e7d32", fill, 1, 16)
                },
                props(&format!("n{i}"), tip),
            ))
        })
        .collect();
    let outside = outside_hosts(t);
    let outside_nodes: Vec<_> = outside
        .iter()
        .enumerate()
        .map(|(i, h)| {
            vg.add_node(element(
                ShapeKind::new_circle(h),
                look("#777777", "white", 1, 0),
                props(&format!("x{i}"), None),
            ))
        })
        .collect();
    let index = |name: &str| t.services.iter().position(|s| s.name == name);
    // Lines between services are drawn over the layout, not laid out: layers stay host,
    // services, networks however the services call each other (a chain of 200 references
    // would otherwise make 200 layers and a connector per layer for every long edge).
    let mut overlay: Vec<Overlay> = Vec::new();
    let mut from_host = vec![false; t.services.len()];
    for (p_i, p) in t.published.iter().enumerate() {
        let Some(j) = index(&p.service) else {
            continue;
        };
        from_host[j] = true;
        let (colour, mark, attrs) = paint(
            &format!("p{p_i}"),
            &p.findings,
            failing(&p.findings).is_some(),
            p.live.as_ref(),
        );
        let label = format!("{}{mark}", published_label(p));
        vg.add_edge(
            edge(
                &label,
                LineStyleKind::Normal,
                LineEndKind::Arrow,
                colour,
                attrs,
            ),
            host,
            services[j],
        );
    }
    for (j, s) in t.services.iter().enumerate() {
        match &s.sharing {
            Sharing::Networks(nets) => {
                for n in nets {
                    if let Some(i) = t.networks.iter().position(|m| &m.name == n) {
                        vg.add_edge(
                            edge(
                                "",
                                LineStyleKind::Dashed,
                                LineEndKind::None,
                                None,
                                props(&format!("s{j}-n{i}"), None),
                            ),
                            services[j],
                            networks[i],
                        );
                    }
                }
            }
            Sharing::Host => {
                from_host[j] = true;
                vg.add_edge(
                    edge(
                        "network_mode: host",
                        LineStyleKind::Dashed,
                        LineEndKind::None,
                        None,
                        props(&format!("s{j}-host"), None),
                    ),
                    host,
                    services[j],
                )
            }
            Sharing::Service(other) => {
                if let Some(k) = index(other).filter(|k| *k != j) {
                    overlay.push(Overlay {
                        from: services[j],
                        to: services[k],
                        label: format!("service:{other}"),
                        colour: None,
                        style: LineStyleKind::Dashed,
                        props: props(&format!("s{j}-s{k}"), None),
                    });
                }
            }
            _ => {}
        }
    }
    for (c_i, c) in t.connections.iter().enumerate() {
        let Some(from) = index(&c.from) else {
            continue;
        };
        let to = match &c.to {
            Some(name) => index(name).map(|k| services[k]),
            None => outside
                .iter()
                .position(|h| *h == c.host)
                .map(|i| outside_nodes[i]),
        };
        // A service naming itself has no edge to draw (its findings are on its node's
        // neighbours in the text, and in the Mermaid/DOT output).
        let Some(to) = to.filter(|to| *to != services[from]) else {
            continue;
        };
        let (colour, mark, props) = paint(
            &format!("c{c_i}"),
            &c.findings,
            c.refused(),
            c.live.as_ref(),
        );
        let label = format!("{}{mark}", connection_label(c));
        let style = match c.kind {
            ConnectionKind::DependsOn => LineStyleKind::Dotted,
            ConnectionKind::Reference { .. } | ConnectionKind::Proxy { .. } => {
                LineStyleKind::Normal
            }
        };
        if c.to.is_some() {
            overlay.push(Overlay {
                from: services[from],
                to,
                label,
                colour,
                style,
                props,
            });
        } else {
            vg.add_edge(
                edge(&label, style, LineEndKind::Arrow, colour, props),
                services[from],
                to,
            );
        }
    }
    // Every service in the layer after the host.
    for (j, on) in from_host.iter().enumerate() {
        if !on {
            vg.add_edge(Arrow::invisible(), host, services[j]);
        }
    }
    let mut writer = SVGWriter::new();
    // layout-rs's crossing reduction is quadratic in a layer's width per pass: past a few
    // dozen services the order stays the model's (sorted by name).
    let big = t.services.len() > 40;
    vg.do_it(false, big, false, &mut writer);
    let svg = draw_overlay(&vg, &texts_last(&writer.finalize()), &overlay);
    with_titles(&svg)
}

/// A line drawn over the layout: a connection between two services.
struct Overlay {
    from: layout::adt::dag::NodeHandle,
    to: layout::adt::dag::NodeHandle,
    label: String,
    /// `None`: the default grey line.
    colour: Option<&'static str>,
    style: LineStyleKind,
    props: String,
}

/// Each overlay line as a curve from the right side of one node to the right side of the
/// other, bulging right by their distance; the SVG's size grows to hold them.
fn draw_overlay(vg: &VisualGraph, svg: &str, overlay: &[Overlay]) -> String {
    let mut extra = String::new();
    let mut max_x: f64 = 0.0;
    for (k, o) in overlay.iter().enumerate() {
        // Lines between the same two nodes bulge apart.
        let same = overlay[..k]
            .iter()
            .filter(|p| (p.from, p.to) == (o.from, o.to) || (p.from, p.to) == (o.to, o.from))
            .count() as f64;
        let (a0, a1) = vg.pos(o.from).bbox(false);
        let (b0, b1) = vg.pos(o.to).bbox(false);
        let (x1, y1) = (a1.x, (a0.y + a1.y) / 2.0);
        let (x2, y2) = (b1.x, (b0.y + b1.y) / 2.0);
        let bulge = 40.0 + ((y2 - y1).abs() * 0.2).min(240.0) + 50.0 * same;
        let cx = x1.max(x2) + bulge;
        max_x = max_x.max(cx + 10.0 * o.label.chars().count() as f64);
        let (color, width) = match o.colour {
            Some(colour) => (colour, 2),
            None => ("#555555", 1),
        };
        let dash = match o.style {
            LineStyleKind::Dashed => " stroke-dasharray=\"5,5\"",
            LineStyleKind::Dotted => " stroke-dasharray=\"2,4\"",
            _ => "",
        };
        let marker = if matches!(o.style, LineStyleKind::Dashed) {
            ""
        } else {
            " marker-end=\"url(#endarrow)\""
        };
        let _ = std::fmt::Write::write_fmt(
            &mut extra,
            format_args!(
                "<g {}>\n<path d=\"M {x1} {y1} C {cx} {y1}, {cx} {y2}, {x2} {y2}\" stroke=\"{color}\" stroke-width=\"{width}\" fill=\"none\"{dash}{marker} />\n<text x=\"{}\" y=\"{}\" font-size=\"12\" font-family=\"sans-serif\" fill=\"{color}\">{}</text>\n</g>\n",
                o.props,
                cx - bulge * 0.25 + 4.0,
                // Labels of lines between the same two nodes stack instead of overlapping.
                (y1 + y2) / 2.0 + 14.0 * same,
                escape(&o.label),
            ),
        );
    }
    if extra.is_empty() {
        return svg.to_string();
    }
    let Some(end) = svg.rfind("</svg>") else {
        return svg.to_string();
    };
    let mut out = format!("{}{extra}{}", &svg[..end], &svg[end..]);
    // Widen the picture to hold the curves.
    if let Some(start) = out.find("<svg width=\"") {
        let from = start + "<svg width=\"".len();
        if let Some(len) = out[from..].find('"') {
            if let Ok(width) = out[from..from + len].parse::<f64>() {
                if max_x > width {
                    let height = out[from + len..]
                        .split('"')
                        .nth(2)
                        .unwrap_or("0")
                        .to_string();
                    let old = format!(
                        "<svg width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\""
                    );
                    let new = format!(
                        "<svg width=\"{max_x}\" height=\"{height}\" viewBox=\"0 0 {max_x} {height}\""
                    );
                    out = out.replacen(&old, &new, 1);
                }
            }
        }
    }
    out
}

/// Turns each `data-tip` attribute into a `<title>` child of its group.
fn with_titles(svg: &str) -> String {
    const TIP: &str = "data-tip=\"";
    let mut out = String::with_capacity(svg.len() + 1024);
    let mut rest = svg;
    while let Some(at) = rest.find(TIP) {
        let value_start = at + TIP.len();
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let value = &rest[value_start..value_start + len];
        let Some(close) = rest[value_start + len..].find('>') else {
            break;
        };
        let end = value_start + len + close + 1;
        out.push_str(&rest[..end]);
        out.push_str("<title>");
        out.push_str(value);
        out.push_str("</title>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
