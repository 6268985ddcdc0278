//! Shared helpers for the integration tests: conformance data location and
//! simple grouping by serial (the reassembler's own tests cover grouping).

#![allow(dead_code)]

use std::path::PathBuf;

use audit_ecs::{Config, FixedNames, Serializer};
use audit_reassembler::{Completion, Record};

/// `../shared` beside the checkout.
pub fn shared() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        p.join("conformance").is_dir(),
        "conformance data missing: expected {} (see ../shared/README.md)",
        p.display()
    );
    p
}

pub fn read_shared(rel: &str) -> Vec<u8> {
    let p = shared().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Records of a log, parsed (every line must parse).
pub fn records(text: &[u8]) -> Vec<Record> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            Record::parse_log_line(l)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(l)))
        })
        .collect()
}

/// The records with serial `serial`, in file order.
pub fn event(records: &[Record], serial: u32) -> Vec<Record> {
    let v: Vec<Record> = records
        .iter()
        .filter(|r| r.serial() == serial)
        .cloned()
        .collect();
    assert!(!v.is_empty(), "no records for serial {serial}");
    v
}

/// Names used by the tests (the capture machine's).
pub fn names() -> FixedNames {
    FixedNames::new()
        .with_user(0, "root")
        .with_group(0, "root")
        .with_user(65534, "nobody")
        .with_group(65534, "nogroup")
        .with_group(42, "shadow")
}

pub fn serializer() -> Serializer<FixedNames> {
    Serializer::new(
        Config {
            host_name: Some("testhost".into()),
            include_original: false,
        },
        names(),
    )
}

/// One event to a JSON value.
pub fn to_json(
    s: &mut Serializer<FixedNames>,
    recs: &[Record],
    c: Completion,
) -> serde_json::Value {
    let mut out = Vec::new();
    s.write_event(recs, c, None, &mut out);
    assert_eq!(out.last(), Some(&b'\n'));
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "one line");
    serde_json::from_slice(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
}

/// Replays a log through the real pipeline; returns the JSON lines parsed.
pub fn replay(text: &[u8]) -> (Vec<serde_json::Value>, audit_ecs::ReplaySummary, Vec<u8>) {
    let (v, s, o, warnings) = replay_with_warnings(text);
    assert!(warnings.is_empty(), "warnings: {warnings:?}");
    (v, s, o)
}

/// Like [`replay`], returning the warnings instead of failing on them.
pub fn replay_with_warnings(
    text: &[u8],
) -> (
    Vec<serde_json::Value>,
    audit_ecs::ReplaySummary,
    Vec<u8>,
    Vec<String>,
) {
    replay_opts(text, audit_reassembler::Config::default())
}

/// Replay with the given reassembly settings.
pub fn replay_opts(
    text: &[u8],
    reassembler: audit_reassembler::Config,
) -> (
    Vec<serde_json::Value>,
    audit_ecs::ReplaySummary,
    Vec<u8>,
    Vec<String>,
) {
    let opts = audit_ecs::ReplayOptions {
        serializer: Config {
            host_name: Some("testhost".into()),
            include_original: false,
        },
        reassembler,
    };
    let mut r = audit_ecs::Replay::new(opts, names(), Vec::new());
    let mut warnings = Vec::new();
    r.feed("input", text, &mut |w| warnings.push(w))
        .expect("replay");
    let (sum, out) = r.finish().expect("finish");
    let values = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(l)))
        })
        .collect();
    (values, sum, out, warnings)
}
