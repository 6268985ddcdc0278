//! Micro-benchmarks: parsing records and grouping them into events.
//!
//! `cargo bench -p audit-reassembler` prints time per iteration and, through
//! divan's item counters, records per second. Input: the kernel 6.18 RAW
//! capture in ../shared/conformance/captures (2,715 records).

use std::hint::black_box;
use std::path::PathBuf;

use audit_reassembler::{Output, Reassembler, Record};
use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;

fn main() {
    divan::main();
}

fn capture() -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/captures/debian12-kernel6.18-raw.log");
    std::fs::read(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (../shared/ must be beside the checkout)",
            p.display()
        )
    })
}

fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

const SYSCALL: &[u8] = b"type=SYSCALL msg=audit(1795396402.774:67490): arch=c000003e syscall=59 success=yes exit=0 a0=557f3c488b40 a1=557f3c488ea0 a2=557f3c488bf0 a3=0 items=2 ppid=26484 pid=26511 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"seq\" exe=\"/usr/bin/seq\" key=\"exec\"";
const PATH: &[u8] = b"type=PATH msg=audit(1795396402.774:67490): item=0 name=\"/usr/bin/seq\" inode=247754 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0";
const USER: &[u8] = b"type=USER_ACCT msg=audit(1795396403.994:68748): pid=26790 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:accounting grantors=pam_permit acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=ssh res=success'";

/// One record from a log line.
#[divan::bench(args = ["SYSCALL", "PATH", "USER_ACCT"])]
fn parse_log_line(bencher: Bencher, kind: &str) {
    let line = match kind {
        "SYSCALL" => SYSCALL,
        "PATH" => PATH,
        _ => USER,
    };
    bencher
        .counter(ItemsCount::new(1usize))
        .bench(|| Record::parse_log_line(black_box(line)).map(|r| r.field_count()));
}

/// One record from a kernel payload (no `type=` prefix).
#[divan::bench]
fn parse_kernel_syscall(bencher: Bencher) {
    let payload = &SYSCALL[17..];
    bencher
        .counter(ItemsCount::new(1usize))
        .bench(|| Record::parse_kernel(1300, black_box(payload)).map(|r| r.field_count()));
}

/// `get` of a late SYSCALL field (the interpreter's access pattern).
#[divan::bench]
fn get_field(bencher: Bencher) {
    let rec = Record::parse_log_line(SYSCALL).unwrap();
    bencher.bench(|| rec.get(black_box(b"key")).map(|f| f.value.len()));
}

/// Every line of the RAW capture parsed.
#[divan::bench]
fn parse_capture(bencher: Bencher) {
    let data = capture();
    let ls = lines(&data);
    bencher
        .counter(ItemsCount::new(ls.len()))
        .counter(BytesCount::new(data.len()))
        .bench(|| {
            let mut n = 0;
            for l in &ls {
                n += Record::parse_log_line(l).map_or(0, |r| r.field_count());
            }
            n
        });
}

/// Parse + group the RAW capture (event time as the clock), then flush.
#[divan::bench]
fn parse_and_group_capture(bencher: Bencher) {
    let data = capture();
    let ls = lines(&data);
    bencher.counter(ItemsCount::new(ls.len())).bench(|| {
        let mut r = Reassembler::default();
        let mut out = Vec::with_capacity(64);
        let mut events = 0usize;
        for l in &ls {
            if let Ok(rec) = Record::parse_log_line(l) {
                let now = rec.timestamp().as_millis();
                r.push(rec, now, &mut out);
                events += out.iter().filter(|o| matches!(o, Output::Event(_))).count();
                out.clear();
            }
        }
        r.flush(&mut out);
        events + out.len()
    });
}

/// Grouping alone: pre-parsed records of the RAW capture.
#[divan::bench]
fn group_capture(bencher: Bencher) {
    let data = capture();
    let recs: Vec<Record> = lines(&data)
        .into_iter()
        .filter_map(|l| Record::parse_log_line(l).ok())
        .collect();
    bencher
        .counter(ItemsCount::new(recs.len()))
        .with_inputs(|| recs.clone())
        .bench_values(|recs| {
            let mut r = Reassembler::default();
            let mut out = Vec::with_capacity(64);
            let mut events = 0usize;
            for rec in recs {
                let now = rec.timestamp().as_millis();
                r.push(rec, now, &mut out);
                events += out.len();
                out.clear();
            }
            r.flush(&mut out);
            events + out.len()
        });
}
