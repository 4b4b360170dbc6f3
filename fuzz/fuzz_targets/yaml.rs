//! The spanned YAML tree: any bytes parse or fail with an error inside the text (also after
//! the relaxation that bridges go-yaml's leniencies), and every node's span, and every
//! part of a scalar mapped back by `part_span`, lies inside the text on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let yaml = portside::syntax::yaml::Yaml::parse(text);
    if let Some(e) = &yaml.error {
        assert!(e.range.end <= text.len());
    }
    for doc in &yaml.documents {
        let Some(root) = doc.root else { continue };
        let mut stack = vec![root];
        let mut seen = 0;
        while let Some(id) = stack.pop() {
            seen += 1;
            if seen > 100_000 {
                break;
            }
            let span = yaml.span(id);
            assert!(span.start <= span.end && span.end <= text.len(), "{span:?}");
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            // A part of a scalar's value maps into the text, on char boundaries.
            if let Some(value) = yaml.scalar(id) {
                let half = (0..=value.len() / 2)
                    .rev()
                    .find(|&i| value.is_char_boundary(i))
                    .unwrap_or(0);
                for part in [0..value.len(), half..value.len(), 0..half] {
                    if let Some(r) = yaml.part_span(text, id, part) {
                        assert!(r.start <= r.end && r.end <= text.len(), "{r:?}");
                        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                    }
                }
            }
            if let Some(items) = yaml.items(id) {
                stack.extend(items.iter().copied());
            }
            for e in yaml.entries(id) {
                stack.push(e.key);
                stack.push(e.value);
            }
        }
    }
    let _ = portside::ide::nav::symbols(&yaml);
    let _ = portside::ide::nav::occurrences(&yaml, text);
});
