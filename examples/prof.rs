#[path = "../tests/support/generate.rs"]
#[allow(dead_code)]
mod generate;
use std::time::Instant;
fn main() {
    portside::malloc::tune();
    for n in [1000, 5000] {
        let text = generate::compose(n);
        let off = portside::config::RuleSettings::from_toml(
            "[rules]\ncompose-unknown-key = \"off\"\ncompose-invalid-value = \"off\"\ncompose-deprecated-key = \"off\"\ncompose-legacy-format = \"off\"\n",
            portside::rules::known(),
        ).0;
        let ctx_off = portside::analysis::Context {
            rules: off,
            ..Default::default()
        };
        let ctx_on = portside::analysis::Context::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..15 {
            let t = Instant::now();
            std::hint::black_box(portside::analysis::analyze_with(
                portside::classify::FileKind::Compose,
                &text,
                &ctx_on,
            ));
            a.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            std::hint::black_box(portside::analysis::analyze_with(
                portside::classify::FileKind::Compose,
                &text,
                &ctx_off,
            ));
            b.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        a.sort_by(|x, y| x.partial_cmp(y).unwrap());
        b.sort_by(|x, y| x.partial_cmp(y).unwrap());
        println!("{n}: with schema {:.2} ms, without {:.2} ms", a[7], b[7]);
    }
}
