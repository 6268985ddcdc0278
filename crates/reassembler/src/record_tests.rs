use super::*;
use crate::header::common_type;

fn kv(rec: &Record) -> Vec<(String, String, bool)> {
    rec.fields()
        .map(|f| {
            (
                String::from_utf8_lossy(f.key).into_owned(),
                String::from_utf8_lossy(f.value).into_owned(),
                f.nested,
            )
        })
        .collect()
}

// From ../shared/conformance/captures/debian12-kernel6.18-raw.log.
const SYSCALL: &[u8] = b"type=SYSCALL msg=audit(1795396402.774:67490): arch=c000003e syscall=59 success=yes exit=0 a0=557f3c488b40 items=2 ppid=26484 pid=26511 auid=4294967295 tty=(none) comm=\"seq\" exe=\"/usr/bin/seq\" key=\"exec\"\n";

#[test]
fn log_line_header_and_fields() {
    let r = Record::parse_log_line(SYSCALL).unwrap();
    assert_eq!(r.msg_type(), 1300);
    assert_eq!(r.type_name(), Some(&b"SYSCALL"[..]));
    assert_eq!(r.node(), None);
    assert_eq!(
        r.timestamp(),
        Timestamp {
            sec: 1795396402,
            msec: 774
        }
    );
    assert_eq!(r.timestamp().as_millis(), 1795396402774);
    assert_eq!(r.serial(), 67490);
    assert_eq!(r.field_count(), 13);
    assert_eq!(r.fields().len(), 13);
    assert_eq!(r.value(b"arch"), Some(&b"c000003e"[..]));
    let exe = r.get(b"exe").unwrap();
    assert_eq!(exe.value, b"/usr/bin/seq");
    assert_eq!(exe.quoting, Quoting::Double);
    assert!(r.get(b"tty").unwrap().is_absent());
    assert!(r.get(b"nope").is_none());
    assert!(r.body().starts_with(b"arch=c000003e"));
    assert!(r.body().ends_with(b"key=\"exec\""));
    assert_eq!(r.raw(), &SYSCALL[..SYSCALL.len() - 1]);
    assert_eq!(r.enrichment(), None);
    assert_eq!(r.enrichment_fields().count(), 0);
    assert!(r
        .message()
        .starts_with(b"audit(1795396402.774:67490): arch="));
    let mut line = Vec::new();
    r.write_log_line(&mut line);
    assert_eq!(line, r.raw());
}

#[test]
fn user_record_nested_msg_fields_follow_outer_ones() {
    let line = b"type=USER_ACCT msg=audit(1795396403.994:68748): pid=26790 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:accounting grantors=pam_permit acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=ssh res=success'";
    let r = Record::parse_log_line(line).unwrap();
    assert_eq!(r.msg_type(), 1101);
    let f = kv(&r);
    let keys: Vec<&str> = f.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "pid", "uid", "auid", "ses", "msg", "op", "grantors", "acct", "exe", "hostname",
            "addr", "terminal", "res"
        ]
    );
    assert!(f[..5].iter().all(|x| !x.2));
    assert!(f[5..].iter().all(|x| x.2));
    assert_eq!(r.get(b"msg").unwrap().quoting, Quoting::Single);
    assert_eq!(r.value(b"addr"), Some(&b"127.0.0.1"[..]));
    assert_eq!(r.value(b"terminal"), Some(&b"ssh"[..]));
    assert_eq!(r.value(b"res"), Some(&b"success"[..]));
}

#[test]
fn enriched_line_keeps_interpretation_apart() {
    let line = b"type=SOCKADDR msg=audit(1795396401.274:67486): saddr=100000000000000000000000\x1dSADDR={ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }\n";
    let r = Record::parse_log_line(line).unwrap();
    assert_eq!(r.body(), b"saddr=100000000000000000000000");
    assert_eq!(
        r.enrichment(),
        Some(&b"SADDR={ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }"[..])
    );
    assert_eq!(r.field_count(), 1);
    let e: Vec<_> = r.enrichment_fields().collect();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].key, b"SADDR");
    assert_eq!(e[0].quoting, Quoting::Braced);
    let mut out = Vec::new();
    r.write_log_line(&mut out);
    assert_eq!(
        out,
        &b"type=SOCKADDR msg=audit(1795396401.274:67486): saddr=100000000000000000000000"[..]
    );
}

#[test]
fn node_prefix_unknown_and_numeric_types() {
    let r =
        Record::parse_log_line(b"node=host-1 type=UNKNOWN[1334] msg=audit(1.002:3): a=b").unwrap();
    assert_eq!(r.node(), Some(&b"host-1"[..]));
    assert_eq!(r.msg_type(), 1334);
    assert_eq!(r.timestamp(), Timestamp { sec: 1, msec: 2 });
    let r = Record::parse_log_line(b"type=1400 msg=audit(1.000:3): a=b").unwrap();
    assert_eq!(r.msg_type(), 1400);
    let r = Record::parse_log_line(b"type=SOME_FUTURE_TYPE msg=audit(1.000:3): a=b").unwrap();
    assert_eq!(r.msg_type(), 0);
    assert_eq!(r.type_name(), Some(&b"SOME_FUTURE_TYPE"[..]));
    let mut out = Vec::new();
    r.write_log_line(&mut out);
    assert_eq!(out, r.raw());
}

#[test]
fn kernel_payload() {
    let r = Record::parse_kernel(
        1307,
        b"audit(1492037291.036:59):  cwd=\"/home/andrew_kroh\"\0",
    )
    .unwrap();
    assert_eq!(r.msg_type(), 1307);
    assert_eq!(r.serial(), 59);
    assert_eq!(r.type_name(), None);
    assert_eq!(r.value(b"cwd"), Some(&b"/home/andrew_kroh"[..]));
    assert_eq!(
        r.raw(),
        b"audit(1492037291.036:59):  cwd=\"/home/andrew_kroh\""
    );
    let mut out = Vec::new();
    r.write_log_line(&mut out);
    assert_eq!(
        out,
        b"type=CWD msg=audit(1492037291.036:59):  cwd=\"/home/andrew_kroh\""
    );
    let r = Record::parse_kernel(65000, b"audit(1.000:1): x=1").unwrap();
    out.clear();
    r.write_log_line(&mut out);
    assert_eq!(out, b"type=UNKNOWN[65000] msg=audit(1.000:1): x=1");
    // Empty body.
    let r = Record::parse_kernel(1320, b"audit(1.000:1): ").unwrap();
    assert_eq!(r.field_count(), 0);
    assert_eq!(r.body(), b"");
}

#[test]
fn serial_wraps_at_u32() {
    let r = Record::parse_kernel(1300, b"audit(1.000:4294967295): a=1").unwrap();
    assert_eq!(r.serial(), u32::MAX);
    assert_eq!(
        Record::parse_kernel(1300, b"audit(1.000:4294967296): a=1"),
        Err(ParseError::Header {
            part: HeaderPart::Serial,
            offset: 12
        })
    );
}

#[test]
fn header_errors_name_the_part() {
    let err = |l: &[u8]| match Record::parse_log_line(l) {
        Err(ParseError::Header { part, offset }) => (part, offset),
        other => panic!("expected a header error, got {other:?}"),
    };
    assert_eq!(err(b"node=x"), (HeaderPart::Node, 0));
    assert_eq!(err(b"msg=audit(1.000:1): a=1"), (HeaderPart::Type, 0));
    assert_eq!(
        err(b"type=UNKNOWN[70000] msg=audit(1.000:1):"),
        (HeaderPart::TypeNumber, 5)
    );
    assert_eq!(err(b"type=UNKNOWN[1329] msg=?"), (HeaderPart::Prefix, 23));
    assert_eq!(err(b"type=SYSCALL"), (HeaderPart::Prefix, 12));
    assert_eq!(
        err(b"type=SYSCALL msg=audit(x.000:1):"),
        (HeaderPart::Seconds, 23)
    );
    assert_eq!(
        err(b"type=SYSCALL msg=audit(1:1):"),
        (HeaderPart::Seconds, 23)
    );
    assert_eq!(
        err(b"type=SYSCALL msg=audit(1.1000:1):"),
        (HeaderPart::Milliseconds, 25)
    );
    assert_eq!(
        err(b"type=SYSCALL msg=audit(1.000:):"),
        (HeaderPart::Serial, 29)
    );
    assert_eq!(
        err(b"type=SYSCALL msg=audit(1.000:1]"),
        (HeaderPart::Serial, 29)
    );
    assert_eq!(
        err(b"type=SYSCALL msg=audit(1.000:1)a"),
        (HeaderPart::Close, 30)
    );
    // auditd 2.x wrote some DAEMON_* records without the colon.
    let old =
        Record::parse_log_line(b"type=DAEMON_CONFIG msg=audit(1.000:34) config changed, auid=0")
            .unwrap();
    assert_eq!(old.body(), b"config changed, auid=0");
    assert_eq!(old.value(b"auid"), Some(&b"0"[..]));
    assert_eq!(Record::parse_log_line(b"\n"), Err(ParseError::Empty));
    assert_eq!(Record::parse_kernel(1300, b"\0\0"), Err(ParseError::Empty));
    let e = Record::parse_kernel(1300, b"audit(1.000:1]").unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed record header: bad serial at byte 12"
    );
}

#[test]
fn too_long() {
    let mut big = b"audit(1.000:1): a=".to_vec();
    big.resize(MAX_RECORD_LEN + 1, b'x');
    assert!(matches!(
        Record::parse_kernel(1300, &big),
        Err(ParseError::TooLong { .. })
    ));
}

#[test]
fn non_utf8_bytes_survive() {
    let r = Record::parse_kernel(1309, b"audit(1.000:1): argc=1 a0=\"\xff\xfe\"").unwrap();
    assert_eq!(r.value(b"a0"), Some(&b"\xff\xfe"[..]));
}

#[test]
fn clone_and_eq() {
    let r = Record::parse_log_line(SYSCALL).unwrap();
    let c = r.clone();
    assert_eq!(r, c);
    assert_eq!(kv(&r), kv(&c));
    assert!(format!("{r:?}").contains("67490"));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(r) = Record::parse_log_line(&bytes) {
                for f in r.fields() {
                    let _ = (f.key.len(), f.value.len());
                }
                let _ = r.enrichment_fields().count();
            }
            if let Ok(r) = Record::parse_kernel(1300, &bytes) {
                prop_assert_eq!(r.fields().count(), r.field_count());
            }
        }

        #[test]
        fn arbitrary_bodies_after_a_valid_header(body in proptest::collection::vec(
            prop_oneof![Just(b' '), Just(b'='), Just(b'"'), Just(b'\''), Just(b'{'), Just(b'}'), Just(0x1d), any::<u8>(), Just(b'a')], 0..200)) {
            let mut line = b"type=USER_ACCT msg=audit(1.000:5): ".to_vec();
            line.extend_from_slice(&body);
            let r = Record::parse_log_line(&line).unwrap();
            prop_assert_eq!(r.serial(), 5);
            for f in r.fields() {
                prop_assert!(!f.key.is_empty());
                prop_assert!(!f.key.contains(&b' '));
            }
            let mut k = b"audit(1.000:5): ".to_vec();
            k.extend_from_slice(&body);
            prop_assert!(Record::parse_kernel(1101, &k).is_ok());
        }

        #[test]
        fn generated_fields_round_trip(fields in proptest::collection::vec(
            ("[a-z][a-z0-9_]{0,8}", "[!-~&&[^\"'{]][!-~&&[^ ]]{0,12}", 0u8..2), 0..20)) {
            let mut line = b"type=PATH msg=audit(10.020:7): ".to_vec();
            for (k, v, q) in &fields {
                line.extend_from_slice(k.as_bytes());
                line.push(b'=');
                if *q == 1 {
                    line.push(b'"');
                    line.extend_from_slice(v.replace('"', "").as_bytes());
                    line.push(b'"');
                } else {
                    line.extend_from_slice(v.as_bytes());
                }
                line.push(b' ');
            }
            let r = Record::parse_log_line(&line).unwrap();
            prop_assert_eq!(r.field_count(), fields.len());
            for (f, (k, v, q)) in r.fields().zip(&fields) {
                prop_assert_eq!(f.key, k.as_bytes());
                if *q == 1 {
                    let expect = v.replace('"', "");
                    prop_assert_eq!(f.value, expect.as_bytes());
                    prop_assert_eq!(f.quoting, Quoting::Double);
                } else {
                    prop_assert_eq!(f.value, v.as_bytes());
                }
            }
        }
    }
}

#[test]
fn common_type_names_agree_with_the_tables() {
    for name in [
        "SYSCALL",
        "PATH",
        "PROCTITLE",
        "CWD",
        "EXECVE",
        "BPRM_FCAPS",
        "SOCKADDR",
        "EOE",
    ] {
        assert_eq!(
            common_type(name.as_bytes()),
            audit_tables::msgtype::number(name),
            "{name}"
        );
    }
}

#[test]
fn parse_into_a_reused_buffer_gives_the_same_record() {
    let long = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 comm=\"ls\" exe=\"/usr/bin/ls\" key=(null)";
    let short =
        b"type=USER_END msg=audit(1.000:2): pid=1 uid=0 msg='op=x acct=\"root\" res=success'";
    let first = Record::parse_log_line(long).unwrap();
    let buf = first.into_buffer();
    let cap = buf.capacity();
    let again = Record::parse_log_line_in(short, buf).unwrap();
    let fresh = Record::parse_log_line(short).unwrap();
    assert_eq!(again, fresh);
    let fields = |r: &Record| -> Vec<(Vec<u8>, Vec<u8>, bool)> {
        r.fields()
            .map(|f| (f.key.to_vec(), f.value.to_vec(), f.nested))
            .collect()
    };
    assert_eq!(fields(&again), fields(&fresh));
    assert_eq!((again.serial(), again.msg_type()), (2, fresh.msg_type()));
    // The allocation was reused (the short record fits in it).
    assert_eq!(again.into_buffer().capacity(), cap);
}

/// Issue 3 regression (separator pass): records of every length around the
/// 16/64-byte blocks and the 512-byte window, each ending exactly at the end
/// of its allocation, RAW and ENRICHED (0x1D before and after the window),
/// give exactly the fields they were built from.
#[test]
fn issue_3_every_length_ends_at_its_allocation() {
    for nfields in 0..60usize {
        for (quoted_every, enriched) in [(0usize, false), (3, false), (0, true), (3, true)] {
            let mut body = Vec::new();
            let mut expect: Vec<(Vec<u8>, Vec<u8>, Quoting)> = Vec::new();
            for i in 0..nfields {
                let key = format!("k{i}").into_bytes();
                // Values of 0..=13 bytes, some with an earlier 0x1D inside.
                let mut value: Vec<u8> = (0..(i * 7) % 14).map(|j| b'a' + (j as u8 % 26)).collect();
                if enriched && i % 11 == 10 {
                    // Only the last 0x1D of a log line starts the enrichment.
                    value.push(0x1D);
                }
                let quoted = quoted_every != 0 && i % quoted_every == 0;
                body.extend_from_slice(&key);
                body.push(b'=');
                if quoted {
                    body.push(b'"');
                    body.extend_from_slice(&value);
                    body.push(b'"');
                } else {
                    body.extend_from_slice(&value);
                }
                body.push(b' ');
                let q = if quoted {
                    Quoting::Double
                } else {
                    Quoting::Unquoted
                };
                expect.push((key, value, q));
            }
            // Also without the trailing space.
            for trim in [false, true] {
                let mut body = body.clone();
                if trim {
                    body.pop();
                }
                {
                    let mut line = b"type=SYSCALL msg=audit(1795396402.774:67490): ".to_vec();
                    let body_start = line.len();
                    line.extend_from_slice(&body);
                    let body_end = line.len();
                    if enriched {
                        line.extend_from_slice(b"\x1dARCH=x86_64 UID=\"root\"");
                    }
                    let exact: Box<[u8]> = line.clone().into_boxed_slice();
                    let r = Record::parse_log_line(&exact).unwrap();
                    let got: Vec<_> = r
                        .fields()
                        .map(|f| (f.key.to_vec(), f.value.to_vec(), f.quoting))
                        .collect();
                    assert_eq!(got, expect, "{nfields} fields, {} bytes", line.len());
                    assert_eq!(r.body(), &line[body_start..body_end]);
                    assert_eq!(r.enrichment().is_some(), enriched);
                    if enriched {
                        assert_eq!(r.enrichment_fields().count(), 2);
                    }
                    // The same payload from the kernel (no enrichment split).
                    if !enriched {
                        let k = Record::parse_kernel(1300, &exact[17..]).unwrap();
                        assert_eq!(k.fields().count(), expect.len());
                    }
                }
            }
        }
    }
}

/// The field table is written into the room reserved for one entry per
/// `'='`: records where every `'='` is a field (the table exactly full),
/// with nested `msg='...'` fields, parsed into fresh and reused buffers,
/// read back entry by entry.
#[test]
fn field_table_filled_to_its_reserved_room() {
    let mut reused = Vec::new();
    for outer in 0..20usize {
        for inner in 0..6usize {
            let mut line = b"type=USER_ACCT msg=audit(1700000000.123:9): ".to_vec();
            let mut expect: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
            for i in 0..outer {
                line.extend_from_slice(format!("o{i}=v{i} ").as_bytes());
                expect.push((format!("o{i}").into(), format!("v{i}").into(), false));
            }
            let mut msg = Vec::new();
            let mut nested = Vec::new();
            for j in 0..inner {
                msg.extend_from_slice(format!("n{j}=w{j} ").as_bytes());
                nested.push((format!("n{j}").into(), format!("w{j}").into(), true));
            }
            msg.pop();
            line.extend_from_slice(b"msg='");
            line.extend_from_slice(&msg);
            line.push(b'\'');
            expect.push((b"msg".to_vec(), msg.clone(), false));
            expect.extend(nested);
            let exact: Box<[u8]> = line.into_boxed_slice();
            for r in [
                Record::parse_log_line(&exact).unwrap(),
                Record::parse_log_line_in(&exact, std::mem::take(&mut reused)).unwrap(),
            ] {
                let got: Vec<_> = r
                    .fields()
                    .map(|f| (f.key.to_vec(), f.value.to_vec(), f.nested))
                    .collect();
                assert_eq!(got, expect, "{outer} {inner}");
                assert_eq!(r.field_count(), outer + 1 + inner);
                assert_eq!(r.raw(), &exact[..]);
                reused = r.into_buffer();
            }
        }
    }
}
