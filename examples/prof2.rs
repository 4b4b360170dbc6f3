#[path = "../tests/support/generate.rs"]
#[allow(dead_code)]
mod generate;
fn main() {
    let n: usize = std::env::var("SVC").unwrap().parse().unwrap();
    let text = generate::compose(n);
    let _ = portside::knowledge::compose_keys::schema();
    std::hint::black_box(portside::analysis::analyze(
        portside::classify::FileKind::Compose,
        &text,
    ));
}
