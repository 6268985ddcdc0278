//! Arbitrary bytes as audit records: the parser must return a record or an
//! error, never panic; parsed records go through the reassembler, whose
//! counters must stay consistent.
//!
//! Input: lines. The first byte of each line picks the path: even = an
//! audit.log line, odd = a kernel payload whose type is the next two bytes.
#![no_main]

use audit_reassembler::{Config, Output, Reassembler, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = Reassembler::new(Config {
        max_in_flight: 8,
        late_memory: 16,
        timeout_ms: 50,
        ..Config::default()
    });
    let mut out = Vec::new();
    let mut now = 0u64;
    for line in data.split(|&b| b == b'\n') {
        let Some((&mode, rest)) = line.split_first() else { continue };
        let parsed = if mode % 2 == 0 {
            Record::parse_log_line(rest)
        } else if rest.len() >= 2 {
            Record::parse_kernel(u16::from_le_bytes([rest[0], rest[1]]), &rest[2..])
        } else {
            continue;
        };
        let Ok(rec) = parsed else { continue };
        assert_eq!(rec.fields().count(), rec.field_count());
        for f in rec.fields() {
            let first = rec.get(f.key).expect("a listed key is found");
            assert_eq!(first.key, f.key);
            assert!(rec.raw().len() >= f.value.len());
        }
        let _ = rec.enrichment_fields().count();
        let mut line_out = Vec::new();
        rec.write_log_line(&mut line_out);
        now += u64::from(mode / 2);
        r.push(rec, now, &mut out);
        assert!(r.in_flight() <= 8);
    }
    r.tick(now + 100, &mut out);
    r.flush(&mut out);
    let s = r.stats();
    assert_eq!(s.in_flight, 0);
    assert_eq!(s.events, s.complete + s.timeouts + s.evicted + s.flushed);
    let events = out.iter().filter(|o| matches!(o, Output::Event(_))).count();
    assert_eq!(events as u64, s.events);
});
