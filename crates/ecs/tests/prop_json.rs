//! Output is valid JSON for arbitrary record bytes (issue 3).

mod common;

use audit_reassembler::{Completion, Record};
use proptest::prelude::*;

const TYPES: &[&str] = &[
    "SYSCALL",
    "EXECVE",
    "PATH",
    "CWD",
    "SOCKADDR",
    "PROCTITLE",
    "USER_LOGIN",
    "USER_CMD",
    "AVC",
    "LOGIN",
    "CONFIG_CHANGE",
    "UNKNOWN[1999]",
];
const KEYS: &[&str] = &[
    "arch",
    "syscall",
    "success",
    "exit",
    "a0",
    "a1",
    "a1_len",
    "a1[0]",
    "a1[1]",
    "argc",
    "pid",
    "ppid",
    "uid",
    "auid",
    "euid",
    "ses",
    "comm",
    "exe",
    "key",
    "name",
    "mode",
    "ouid",
    "item",
    "nametype",
    "cwd",
    "saddr",
    "proctitle",
    "msg",
    "acct",
    "addr",
    "terminal",
    "res",
    "sig",
    "data",
    "cmd",
    "x\u{1}y",
];

fn field() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(KEYS),
        prop::collection::vec(any::<u8>(), 0..24),
        0..4u8,
    )
        .prop_map(|(k, mut v, q)| {
            let mut f = k.as_bytes().to_vec();
            f.push(b'=');
            v.retain(|&b| b != b'\n');
            match q {
                0 => {
                    f.push(b'"');
                    f.extend(v.iter().filter(|&&b| b != b'"'));
                    f.push(b'"');
                }
                1 => {
                    // hex of the bytes, as the kernel would write it
                    for b in &v {
                        f.extend_from_slice(format!("{b:02X}").as_bytes());
                    }
                }
                2 => {
                    f.extend_from_slice(b"'op=x ");
                    f.extend(v.iter().filter(|&&b| b != b'\''));
                    f.push(b'\'');
                }
                _ => f.extend(v),
            }
            f
        })
}

fn record() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(TYPES),
        prop::collection::vec(field(), 0..12),
    )
        .prop_map(|(t, fields)| {
            let mut l = format!("type={t} msg=audit(1700000000.123:42):").into_bytes();
            for f in fields {
                l.push(b' ');
                l.extend(f);
            }
            l
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn arbitrary_records_give_one_valid_json_line(lines in prop::collection::vec(record(), 1..6)) {
        let recs: Vec<Record> = lines.iter().filter_map(|l| Record::parse_log_line(l).ok()).collect();
        prop_assume!(!recs.is_empty());
        let mut s = common::serializer();
        for c in [Completion::Timeout, Completion::Proctitle] {
            let mut out = Vec::new();
            s.write_event(&recs, c, None, &mut out);
            prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
            let v: serde_json::Value = serde_json::from_slice(&out)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&out))))?;
            prop_assert_eq!(v["auditd"]["sequence"].as_u64(), Some(42));
            // Every non-UTF-8 value is reported with its exact bytes.
            if let Some(bad) = v["auditd"]["non_utf8"].as_object() {
                for hex in bad.values() {
                    let hex = hex.as_str().unwrap();
                    prop_assert!(audit_ecs::encoding::hex_decode(hex.as_bytes()).is_some());
                }
            }
        }
    }

    #[test]
    fn arbitrary_lines_through_replay_never_panic(lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..20)) {
        let mut text = Vec::new();
        for l in lines { text.extend(l); text.push(b'\n'); }
        let (values, sum, _, _) = common::replay_with_warnings(&text);
        prop_assert!(values.len() as u64 >= sum.events);
    }
}

fn capture_events() -> Vec<Vec<Record>> {
    let recs = common::records(&common::read_shared(
        "conformance/captures/debian12-kernel6.18-raw.log",
    ));
    let mut events: Vec<Vec<Record>> = Vec::new();
    for r in recs {
        match events.iter_mut().find(|e| e[0].serial() == r.serial()) {
            Some(e) => e.push(r),
            None => events.push(vec![r]),
        }
    }
    events
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The records of an event in any order give the same JSON object.
    #[test]
    fn record_order_does_not_change_the_event(pick in 0usize..10_000, seed in any::<u64>()) {
        use std::sync::OnceLock;
        static EVENTS: OnceLock<Vec<Vec<Record>>> = OnceLock::new();
        let events = EVENTS.get_or_init(capture_events);
        let ev = &events[pick % events.len()];
        let mut shuffled = ev.clone();
        // Fisher-Yates with a small LCG from the seed.
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        let mut s = common::serializer();
        let a = common::to_json(&mut s, ev, Completion::Proctitle);
        let b = common::to_json(&mut s, &shuffled, Completion::Proctitle);
        prop_assert_eq!(a, b);
    }
}
