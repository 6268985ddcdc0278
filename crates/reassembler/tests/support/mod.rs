//! Helpers shared by the conformance tests: locating `../shared/` and
//! replaying a log through the reassembler.
#![allow(dead_code)]

use std::path::PathBuf;

use audit_reassembler::{Event, Output, Reassembler, Record, Stats};

/// `../shared/conformance/<rel>` beside the checkout; panics with a clear
/// message if the shared data is missing.
pub fn conformance(rel: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    let p = root.join(rel);
    assert!(
        p.exists(),
        "conformance data missing: {} (expected ../shared/ beside the checkout, see ../shared/README.md)",
        p.display()
    );
    p
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = conformance(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Non-empty lines of a log.
pub fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

/// What a replay produced.
pub struct Replay {
    pub events: Vec<Event>,
    /// (after_serial, count)
    pub lost: Vec<(u32, u32)>,
    pub late: Vec<Record>,
    pub stats: Stats,
}

/// Parses every line (panicking with the line number on error) and groups
/// them with event time as the clock, then flushes.
pub fn replay(data: &[u8], r: Reassembler) -> Replay {
    replay_with_clock(data, r, |rec| rec.timestamp().as_millis())
}

/// Like [`replay`], with `clock` giving the time passed with each record.
pub fn replay_with_clock(
    data: &[u8],
    mut r: Reassembler,
    clock: impl Fn(&Record) -> u64,
) -> Replay {
    let mut out = Vec::new();
    for (i, line) in lines(data).into_iter().enumerate() {
        let rec = Record::parse_log_line(line)
            .unwrap_or_else(|e| panic!("line {}: {e}: {}", i + 1, String::from_utf8_lossy(line)));
        let now = clock(&rec);
        r.push(rec, now, &mut out);
    }
    r.flush(&mut out);
    let mut rep = Replay {
        events: Vec::new(),
        lost: Vec::new(),
        late: Vec::new(),
        stats: r.stats(),
    };
    for o in out {
        match o {
            Output::Event(e) => rep.events.push(e),
            Output::Lost {
                count,
                after_serial,
                ..
            } => rep.lost.push((after_serial, count)),
            Output::Late { record } => rep.late.push(record),
        }
    }
    rep
}
