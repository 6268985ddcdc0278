//! The kernel 6.18 captures in ../shared/conformance/captures (RAW and
//! ENRICHED logs of the same events, see ../shared/conformance/README.md).

mod support;

use std::collections::{BTreeMap, BTreeSet};

use audit_reassembler::{Completion, Event, Quoting, Reassembler, Record};
use support::{lines, read, replay, Replay};

/// An owned copy of a field: key, value, quoting.
type FieldCopy = (Vec<u8>, Vec<u8>, Quoting);

const RAW: &str = "captures/debian12-kernel6.18-raw.log";
const ENRICHED: &str = "captures/debian12-kernel6.18-enriched.log";

fn run(rel: &str) -> Replay {
    replay(&read(rel), Reassembler::default())
}

fn distinct_serials(rel: &str) -> BTreeSet<u32> {
    lines(&read(rel))
        .into_iter()
        .map(|l| Record::parse_log_line(l).unwrap().serial())
        .collect()
}

#[test]
fn every_line_parses() {
    for rel in [RAW, ENRICHED] {
        let data = read(rel);
        let ls = lines(&data);
        assert_eq!(ls.len(), 2715, "{rel}");
        let mut enriched = 0;
        for (i, l) in ls.iter().enumerate() {
            let r = Record::parse_log_line(l).unwrap_or_else(|e| panic!("{rel}:{}: {e}", i + 1));
            assert_ne!(r.msg_type(), 0, "{rel}:{}: unknown type", i + 1);
            assert!(r.field_count() > 0, "{rel}:{}: no fields", i + 1);
            enriched += usize::from(r.enrichment().is_some());
        }
        if rel == RAW {
            assert_eq!(enriched, 0);
        } else {
            // Lines with a 0x1D suffix (records with nothing to interpret,
            // such as PROCTITLE or CWD, have none).
            let with_gs = ls.iter().filter(|l| l.contains(&0x1d)).count();
            assert_eq!(enriched, with_gs);
            assert_eq!(enriched, 1231);
        }
    }
}

#[test]
fn exactly_one_event_per_distinct_serial() {
    for rel in [RAW, ENRICHED] {
        let r = run(rel);
        let serials = distinct_serials(rel);
        assert_eq!(serials.len(), 665);
        let got: Vec<u32> = r.events.iter().map(Event::serial).collect();
        let set: BTreeSet<u32> = got.iter().copied().collect();
        assert_eq!(got.len(), set.len(), "{rel}: a serial was emitted twice");
        assert_eq!(set, serials, "{rel}");
        assert!(r.late.is_empty(), "{rel}: late records {:?}", r.late);
        assert_eq!(r.stats.records, 2715);
        let total: usize = r.events.iter().map(|e| e.records().len()).sum();
        assert_eq!(total, 2715);
        for e in &r.events {
            assert!(e
                .records()
                .iter()
                .all(|x| x.serial() == e.serial() && x.timestamp() == e.timestamp()));
        }
    }
}

#[test]
fn syscall_events_end_with_proctitle_and_user_records_stand_alone() {
    let r = run(RAW);
    let mut by_completion = BTreeMap::new();
    for e in &r.events {
        *by_completion
            .entry(format!("{:?}", e.completion()))
            .or_insert(0) += 1;
        if e.record(1300).is_some() {
            assert_eq!(
                e.completion(),
                Completion::Proctitle,
                "serial {}",
                e.serial()
            );
            assert_eq!(e.records().last().map(Record::msg_type), Some(1327));
        }
        let t = e.records()[0].msg_type();
        if (1100..1300).contains(&t) {
            assert_eq!((e.records().len(), e.completion()), (1, Completion::Single));
        }
    }
    // 650 syscall events (including the CONFIG_CHANGE and the two LOGIN
    // records, logged during a syscall that the kernel then records, which
    // is why those types wait), 13 user records and 2 DAEMON records.
    assert_eq!(by_completion.get("Proctitle"), Some(&650));
    assert_eq!(by_completion.get("Single"), Some(&15));
    assert_eq!(r.events.len(), 665);
    for t in [1006, 1305] {
        let e = r
            .events
            .iter()
            .find(|e| e.records()[0].msg_type() == t)
            .unwrap();
        assert_eq!(e.records()[1].msg_type(), 1300, "type {t}");
    }
}

#[test]
fn raw_and_enriched_give_the_same_events() {
    let a = run(RAW);
    let b = run(ENRICHED);
    assert_eq!(a.events.len(), b.events.len());
    let index = |r: &Replay| -> BTreeMap<u32, Vec<Vec<FieldCopy>>> {
        r.events
            .iter()
            .map(|e| {
                let recs = e
                    .records()
                    .iter()
                    .map(|x| {
                        x.fields()
                            .map(|f| (f.key.to_vec(), f.value.to_vec(), f.quoting))
                            .collect()
                    })
                    .collect();
                (e.serial(), recs)
            })
            .collect()
    };
    let (ia, ib) = (index(&a), index(&b));
    assert_eq!(ia.len(), 665);
    for (serial, recs) in &ia {
        assert_eq!(Some(recs), ib.get(serial), "serial {serial}");
    }
    assert_eq!(a.lost, b.lost);
    assert_eq!(a.stats.lost, b.stats.lost);
}

#[test]
fn split_long_argument_stays_in_one_event() {
    let r = run(RAW);
    let mut found = 0;
    for e in &r.events {
        let execves: Vec<&Record> = e.records_of(1309).collect();
        let Some(len) = execves.iter().find_map(|x| x.get(b"a1_len")) else {
            continue;
        };
        let want = len.as_u64().unwrap();
        // a1[0], a1[1]...: pieces spread over EXECVE records; a1_len counts
        // the encoded (here hex) length.
        let mut got = 0u64;
        let mut decoded = 0;
        for x in &execves {
            for f in x.fields().filter(|f| f.key.starts_with(b"a1[")) {
                got += f.value.len() as u64;
                decoded += match f.quoting {
                    Quoting::Double => f.value.len(),
                    _ => f.hex_decode().unwrap().len(),
                };
            }
        }
        assert_eq!(got, want, "serial {}", e.serial());
        assert_eq!(decoded, 12_000);
        assert!(
            execves.len() > 1,
            "the 12,000-byte argument spans several EXECVE records"
        );
        found += 1;
    }
    assert!(found >= 1);
}

#[test]
fn ssh_login_user_records_carry_addr_acct_terminal() {
    let r = run(RAW);
    let mut n = 0;
    for e in &r.events {
        let x = &e.records()[0];
        if matches!(x.msg_type(), 1101 | 1103 | 1104 | 1105 | 1106 | 1108 | 1110) {
            assert_eq!(x.value(b"addr"), Some(&b"127.0.0.1"[..]), "{x:?}");
            assert_eq!(x.value(b"acct"), Some(&b"root"[..]), "{x:?}");
            assert_eq!(x.value(b"terminal"), Some(&b"ssh"[..]), "{x:?}");
            assert!(x.get(b"acct").unwrap().nested);
            n += 1;
        }
        if x.msg_type() == 1112 {
            assert_eq!(x.value(b"addr"), Some(&b"127.0.0.1"[..]));
            assert_eq!(x.value(b"terminal"), Some(&b"/dev/pts/0"[..]));
            n += 100;
        }
    }
    // 12 PAM records (USER_ACCT, CRED_ACQ, USER_START, CRED_REFR, USER_END,
    // CRED_DISP for each of the two logins) and one USER_LOGIN.
    assert_eq!(n, 112);
}

#[test]
fn gaps_in_the_capture_are_counted_not_fatal() {
    // Events touching unrelated host processes were removed from the
    // captures, so serials are missing on purpose: they are reported lost
    // and the events around them are intact.
    let r = run(RAW);
    let serials: Vec<u32> = distinct_serials(RAW)
        .into_iter()
        .filter(|&s| s > 10_000)
        .collect();
    let missing: u64 = serials.windows(2).map(|w| u64::from(w[1] - w[0] - 1)).sum();
    assert_eq!(r.stats.lost, missing);
    assert!(r.stats.lost > 0);
}
