use super::declare_rule;
use crate::finding::{Edit, Finding};
use crate::knowledge::servers::ADDRESS_FLAGS;
use crate::model::compose::Project;
use crate::model::compose::{Attachment, Val};
use crate::model::dockerfile::listen::{flag_value, host_of};
use crate::model::dockerfile::{Word, split_words};

declare_rule! {
    /// ## What it does
    /// Reports a server told to listen on `0.0.0.0` (`--host 0.0.0.0`, `--bind
    /// 0.0.0.0:8000`, `-b 0.0.0.0`, ...) in a service attached to a network with
    /// `enable_ipv6: true`: in the service's `command`/`entrypoint`, or in the Dockerfile
    /// it is built from.
    ///
    /// ## Why it matters
    /// `0.0.0.0` is every IPv4 address and no IPv6 one. On an IPv6 network, Docker's DNS
    /// answers the service's name with its IPv6 address too, and clients that try it first
    /// get `Connection refused` (or a delay before they fall back to IPv4).
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   api:
    ///     command: uvicorn app:app --host 0.0.0.0
    ///     networks: [v6]
    /// networks:
    ///   v6:
    ///     enable_ipv6: true
    /// ```
    ///
    /// ## Fix
    /// Listen on `::` (on Linux a `::` socket accepts IPv4 too; the quick fix writes `::`,
    /// or `[::]:8000` with a port), or bind both families.
    pub static BIND_FAMILY_MISMATCH = {
        code: "bind-family-mismatch",
        severity: Info,
        applies_to: "Compose files",
        summary: "A server bound to 0.0.0.0 on an IPv6-enabled network",
        compose: [check],
    };
}

/// The `0.0.0.0` addresses among `words`: (the word, where the address starts in it).
fn ipv4_wildcards(words: &[Word]) -> Vec<(&Word, usize)> {
    let mut out = Vec::new();
    for i in 0..words.len() {
        if let Some((value, skip)) = flag_value(words, i, ADDRESS_FLAGS)
            && host_of(&value.text[skip..]) == "0.0.0.0"
        {
            out.push((value, skip));
        }
    }
    out
}

pub fn check(p: &Project, out: &mut Vec<Finding>) {
    let v6: Vec<&str> = p
        .networks
        .iter()
        .filter(|n| n.enable_ipv6)
        .map(|n| n.name)
        .collect();
    if v6.is_empty() {
        return;
    }
    for s in &p.services {
        let Attachment::Networks(nets) = p.attachment(s) else {
            continue;
        };
        let Some(net) = nets.iter().find(|n| v6.contains(n)) else {
            continue;
        };
        let message = |what: &str| {
            format!(
                "{what} listens on 0.0.0.0, IPv4 only, but network `{net}` has IPv6. Clients that reach `{}` at its IPv6 address are refused. Listen on `::`",
                s.name
            )
        };
        // Compose's command or entrypoint: scalar or list items, each split into words
        // that remember their value.
        let mut vals: Vec<Val> = Vec::new();
        // Whether each value is a whole shell command (scalar form), not a list item.
        let mut shell: Vec<bool> = Vec::new();
        for key in ["entrypoint", "command"] {
            let Some(e) = p.yaml.get(s.node, key) else {
                continue;
            };
            let node = p.yaml.resolve(e.value);
            let list = p.yaml.items(node);
            let nodes = list.map_or_else(|| vec![node], <[_]>::to_vec);
            for n in nodes {
                let n = p.yaml.resolve(n);
                if let Some(text) = p.yaml.scalar(n) {
                    vals.push(Val::plain(n, text));
                    shell.push(list.is_none());
                }
            }
        }
        if !vals.is_empty() {
            // Word spans are offsets into their own value; `which` says which value.
            let mut words = Vec::new();
            let mut which = Vec::new();
            for (i, v) in vals.iter().enumerate() {
                for w in split_words(&v.value, 0) {
                    words.push(w);
                    which.push(i);
                }
            }
            for (word, skip) in ipv4_wildcards(&words) {
                let index = words
                    .iter()
                    .position(|w| std::ptr::eq(w, word))
                    .unwrap_or(0);
                let val = &vals[which[index]];
                let start = word.span.start + skip;
                let range = start..start + "0.0.0.0".len();
                let mut f = Finding::new(
                    &BIND_FAMILY_MISMATCH,
                    p.value_span(val, range.clone()),
                    message("The server"),
                );
                // In a plain YAML scalar `::` could end the scalar with `:` or be followed
                // by a space (a mapping indicator): a shell command gets `"::"`, which
                // Compose's shell-style split unquotes; a plain list item gets no fix.
                let plain = matches!(
                    p.yaml.node(val.node).kind,
                    crate::syntax::yaml::NodeKind::Scalar {
                        style: crate::syntax::yaml::Style::Plain,
                        ..
                    }
                );
                let with_port = val.value[range.end..].starts_with(':');
                let new_text = match (plain, shell[which[index]], with_port) {
                    (false, _, true) => Some("[::]"),
                    (false, _, false) => Some("::"),
                    (true, true, true) => Some("\"[::]\""),
                    (true, true, false) => Some("\"::\""),
                    (true, false, _) => None,
                };
                if !val.value.contains('$')
                    && let Some(new_text) = new_text
                    && let Some(edit_range) = p.raw_span(val, range.clone())
                {
                    f = f.with_fix(
                        "Listen on `::`",
                        vec![Edit {
                            range: edit_range,
                            new_text: new_text.into(),
                        }],
                    );
                }
                out.push(f);
            }
            continue;
        }
        // The image's command, when the service is built here.
        for b in super::built(p) {
            if b.service.name != s.name || b.overridden {
                continue;
            }
            let words = b.stage.command();
            let Some((word, _)) = ipv4_wildcards(&words).into_iter().next() else {
                continue;
            };
            let at = s
                .networks
                .iter()
                .find(|n| n.name == *net)
                .map_or_else(|| p.span(s.key), |n| p.span(n.node));
            out.push(
                Finding::new(
                    &BIND_FAMILY_MISMATCH,
                    at,
                    message(&format!("`{}`'s image", s.name)),
                )
                .with_related_in(b.file.clone(), word.span.clone(), "the address"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{fix_all, flagged};

    #[test]
    fn ipv4_wildcard_on_ipv6_networks() {
        let text = "services:\n  api:\n    command: uvicorn app:app --host 0.0.0.0\n    networks: [v6]\n  gun:\n    command: [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app\"]\n    networks: [v4, v6]\n  v4only:\n    command: uvicorn app:app --host 0.0.0.0\n    networks: [v4]\n  dual:\n    command: [\"uvicorn\", \"app:app\", \"--host\", \"::\"]\n    networks: [v6]\nnetworks:\n  v4: {}\n  v6:\n    enable_ipv6: true\n";
        assert_eq!(
            flagged(text, "bind-family-mismatch"),
            ["0.0.0.0", "0.0.0.0"]
        );
        let fixed = fix_all(text, "bind-family-mismatch");
        assert!(
            fixed.contains("--host \"::\"\n    networks: [v6]\n  gun"),
            "{fixed}"
        );
        assert!(fixed.contains("\"[::]:8000\""), "{fixed}");
        // No IPv6 network: nothing.
        let text = text.replace("enable_ipv6: true", "enable_ipv6: false");
        assert!(flagged(&text, "bind-family-mismatch").is_empty());
    }

    #[test]
    fn built_image_on_an_ipv6_network() {
        let text = "services:\n  api:\n    build: ./api\n    networks: [v6]\nnetworks:\n  v6:\n    enable_ipv6: true\n";
        let df = "FROM python:3.12\nCMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\"]\n";
        let ctx = crate::rules::test_support::built_context(df);
        let found: Vec<_> =
            crate::analysis::analyze_with(crate::classify::FileKind::Compose, text, &ctx)
                .findings
                .into_iter()
                .filter(|f| f.code() == "bind-family-mismatch")
                .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].range.clone()], "v6");
        let r = &found[0].related[0];
        assert_eq!(&df[r.range.clone()], "0.0.0.0");
    }
}
