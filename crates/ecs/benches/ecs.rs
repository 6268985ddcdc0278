//! divan micro-benchmarks: interpretation (EventView) and serialization of
//! the events of the RAW capture (grouped by serial beforehand).
//! Run: `cargo bench -p audit-ecs --bench ecs`.

use audit_ecs::view::EventView;
use audit_ecs::{Config, FixedNames, Serializer};
use audit_reassembler::{Completion, Record};

fn main() {
    divan::main();
}

fn capture_events() -> Vec<Vec<Record>> {
    let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/captures/debian12-kernel6.18-raw.log");
    let text = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut events: Vec<Vec<Record>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let Ok(r) = Record::parse_log_line(line) else {
            continue;
        };
        let i = *index.entry(r.serial()).or_insert_with(|| {
            events.push(Vec::new());
            events.len() - 1
        });
        events[i].push(r);
    }
    events
}

fn record_count(events: &[Vec<Record>]) -> usize {
    events.iter().map(Vec::len).sum()
}

/// EventView::new over every event of the capture (throughput in records).
#[divan::bench]
fn interpret(b: divan::Bencher) {
    let events = capture_events();
    b.counter(divan::counter::ItemsCount::new(record_count(&events)))
        .bench(|| {
            let mut n = 0usize;
            for e in &events {
                if let Some(v) = EventView::new(divan::black_box(e)) {
                    n += v.data.len() + v.args.len();
                }
            }
            n
        });
}

/// Serializer::write_event over every event of the capture (interpretation
/// included), into a reused buffer (throughput in records and bytes).
#[divan::bench]
fn serialize(b: divan::Bencher) {
    let events = capture_events();
    let mut s = Serializer::new(
        Config::default(),
        FixedNames::new().with_user(0, "root").with_group(0, "root"),
    );
    let mut out = Vec::with_capacity(1 << 20);
    for e in &events {
        s.write_event(e, Completion::Proctitle, None, &mut out);
    }
    let bytes = out.len();
    b.counter(divan::counter::ItemsCount::new(record_count(&events)))
        .counter(divan::counter::BytesCount::new(bytes))
        .bench_local(|| {
            out.clear();
            for e in &events {
                s.write_event(divan::black_box(e), Completion::Proctitle, None, &mut out);
            }
            out.len()
        });
}

/// Escaping one typical long value (a 200-byte path-like ASCII string).
#[divan::bench]
fn escape_string(b: divan::Bencher) {
    let v = b"/usr/lib/x86_64-linux-gnu/some/rather/long/path/with/segments/and-a-file-name.so.1.2.3 and \"quotes\" and a tab\there plus more text to reach about two hundred bytes in total, ok".to_vec();
    let mut out = Vec::with_capacity(1024);
    b.counter(divan::counter::BytesCount::new(v.len()))
        .bench_local(|| {
            out.clear();
            audit_ecs::json::write_string(&mut out, divan::black_box(&v));
            out.len()
        });
}
