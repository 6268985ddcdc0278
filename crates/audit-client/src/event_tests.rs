use super::*;
use crate::testkit::{build_ack, build_event};

#[test]
fn strip_trailing_nuls_and_newlines() {
    assert_eq!(strip_trailing(b"abc\n\0\0"), b"abc");
    assert_eq!(strip_trailing(b"abc"), b"abc");
    assert_eq!(strip_trailing(b"\n\0"), b"");
    assert_eq!(strip_trailing(b"a\nb\n"), b"a\nb");
}

#[test]
fn unicast_quirk_and_multicast_lengths_both_give_full_payload() {
    let text = b"audit(1.000:1): arch=c000003e syscall=59 key=\"k\"";
    let unicast = build_event(1300, text);
    let mut multicast = unicast.clone();
    multicast[0..4].copy_from_slice(&((text.len() + 16) as u32).to_ne_bytes());
    for d in [&unicast, &multicast] {
        match parse_event_datagram(d).unwrap() {
            EventDatagram::Record(r) => {
                assert_eq!(r.msg_type, 1300);
                assert_eq!(r.payload, text);
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(parse_event_datagram(&unicast[..10]).is_err());
}

#[test]
fn non_utf8_payload_is_kept() {
    let d = build_event(1309, b"a0=\xff\xfe\n\0");
    let mut batch = EventBatch::new();
    let counters = EventCounters::default();
    absorb(&d, &mut batch, &counters);
    let r = batch.records().next().unwrap();
    assert_eq!(r.payload, b"a0=\xff\xfe");
    assert_eq!(counters.snapshot().bytes, 5);
}

/// One datagram of a scripted `recvmmsg` call.
enum Step {
    Data(Vec<u8>),
    /// From a process other than the kernel.
    Foreign(Vec<u8>),
}

/// One scripted `recvmmsg` call: datagrams, or an error (`EAGAIN` once the
/// script is exhausted).
enum Call {
    Got(Vec<Step>),
    Err(i32),
}

/// Slot size of the scripted socket: longer datagrams are truncated.
const SLOT: usize = 256;

struct Outcome {
    batch: EventBatch,
    counters: CounterSnapshot,
    stop: Result<DrainStop, Error>,
    /// The `max` argument of every call, in order.
    wants: Vec<usize>,
}

fn run_calls(calls: Vec<Call>, slots: usize, limits: Limits) -> Outcome {
    let mut calls = std::collections::VecDeque::from(calls);
    let mut batch = EventBatch::new();
    let counters = EventCounters::default();
    let mut slots = RecvSlots::new(slots, SLOT);
    let mut wants = Vec::new();
    let stop = drain(
        |s, max| {
            wants.push(max);
            match calls.pop_front() {
                None => Err(io::Error::from_raw_os_error(libc::EAGAIN)),
                Some(Call::Err(e)) => Err(io::Error::from_raw_os_error(e)),
                Some(Call::Got(steps)) => {
                    assert!(steps.len() <= max, "script returns more than asked");
                    for step in steps {
                        match step {
                            Step::Data(d) => s.fill(&d, 0),
                            Step::Foreign(d) => s.fill(&d, 4242),
                        }
                    }
                    Ok(s.received().len())
                }
            }
        },
        &mut slots,
        &mut batch,
        &counters,
        limits,
    );
    Outcome {
        batch,
        counters: counters.snapshot(),
        stop,
        wants,
    }
}

/// The single-datagram script of the pre-`recvmmsg` tests: one datagram
/// (or error) per call.
fn run(steps: Vec<Call>, limits: Limits) -> (EventBatch, CounterSnapshot, DrainStop, usize) {
    let o = run_calls(steps, 64, limits);
    (o.batch, o.counters, o.stop.unwrap(), o.wants.len())
}

fn one(step: Step) -> Call {
    Call::Got(vec![step])
}

fn rec(t: u16, text: &str) -> Step {
    Step::Data(build_event(t, text.as_bytes()))
}

fn texts(batch: &EventBatch) -> Vec<String> {
    batch
        .items()
        .map(|i| match i {
            EventItem::Record(r) => String::from_utf8_lossy(r.payload).into_owned(),
            EventItem::Overrun => "OVERRUN".into(),
        })
        .collect()
}

const BIG: Limits = Limits {
    records: 1000,
    bytes: 1 << 20,
};

#[test]
fn drain_reads_until_eagain_and_marks_enobufs_in_place() {
    let (batch, c, stop, _) = run(
        vec![
            one(Step::Data(build_event(1300, b"one\0"))),
            Call::Err(libc::ENOBUFS),
            one(Step::Data(build_event(1320, b"two\n"))),
            one(Step::Foreign(build_event(1300, b"spoof"))),
            one(Step::Data(vec![7u8; SLOT + 1])),
        ],
        BIG,
    );
    assert_eq!(stop, DrainStop::Empty);
    let items: Vec<_> = batch.items().collect();
    assert_eq!(
        items,
        vec![
            EventItem::Record(EventRecord {
                msg_type: 1300,
                payload: b"one"
            }),
            EventItem::Overrun,
            EventItem::Record(EventRecord {
                msg_type: 1320,
                payload: b"two"
            }),
        ]
    );
    assert_eq!(batch.overruns(), 1);
    assert_eq!(batch.record_count(), 2);
    assert_eq!(c.enobufs, 1);
    assert_eq!(c.records, 2);
    assert_eq!(c.bytes, 6);
    assert_eq!(c.foreign, 1);
    assert_eq!(c.truncated, 1);
    assert_eq!(c.datagrams, 2);
}

#[test]
fn batched_read_drops_only_the_truncated_and_foreign_datagrams() {
    let o = run_calls(
        vec![Call::Got(vec![
            rec(1300, "a"),
            Step::Data([build_event(1302, b"x"), vec![b'y'; SLOT]].concat()),
            rec(1302, "b"),
            Step::Foreign(build_event(1300, b"spoof")),
            rec(1320, "c"),
        ])],
        8,
        BIG,
    );
    assert_eq!(o.stop.unwrap(), DrainStop::Empty);
    assert_eq!(texts(&o.batch), ["a", "b", "c"]);
    assert_eq!(o.counters.truncated, 1);
    assert_eq!(o.counters.foreign, 1);
    assert_eq!(o.counters.records, 3);
    assert_eq!(o.wants, [8, 8], "one batched call, then EAGAIN");
    assert_eq!(o.counters.reads, 1);
    assert_eq!(o.counters.datagrams, 3);
}

#[test]
fn enobufs_after_a_partial_batch_is_marked_between_the_batches() {
    // The kernel keeps an error met inside recvmmsg for the next call.
    let o = run_calls(
        vec![
            Call::Got(vec![rec(1300, "a"), rec(1302, "b")]),
            Call::Err(libc::ENOBUFS),
            Call::Got(vec![rec(1300, "c")]),
            Call::Err(libc::ENOBUFS),
            Call::Err(libc::ENOBUFS),
            Call::Got(vec![rec(1320, "d"), rec(1300, "e"), rec(1302, "f")]),
        ],
        4,
        BIG,
    );
    assert_eq!(o.stop.unwrap(), DrainStop::Empty);
    assert_eq!(
        texts(&o.batch),
        ["a", "b", "OVERRUN", "c", "OVERRUN", "OVERRUN", "d", "e", "f"]
    );
    assert_eq!(o.counters.enobufs, 3);
    assert_eq!(o.counters.records, 6);
    assert_eq!(o.counters.reads, 3);
}

#[test]
fn other_error_after_a_partial_batch_keeps_what_was_received() {
    let o = run_calls(
        vec![
            Call::Got(vec![rec(1300, "a"), rec(1302, "b")]),
            Call::Err(libc::EBADF),
            Call::Got(vec![rec(1300, "never read")]),
        ],
        4,
        BIG,
    );
    assert!(matches!(o.stop, Err(Error::Io { .. })), "{:?}", o.stop);
    assert_eq!(texts(&o.batch), ["a", "b"]);
    assert_eq!(o.wants.len(), 2);
}

#[test]
fn batched_reads_never_ask_past_the_record_limit() {
    let calls = vec![
        Call::Got((0..3).map(|i| rec(1300, &format!("r{i}"))).collect()),
        Call::Got((3..6).map(|i| rec(1300, &format!("r{i}"))).collect()),
        Call::Got(vec![rec(1300, "r6")]),
        Call::Got(vec![rec(1300, "never read")]),
    ];
    let o = run_calls(
        calls,
        3,
        Limits {
            records: 7,
            bytes: 1 << 20,
        },
    );
    assert_eq!(o.stop.unwrap(), DrainStop::Full);
    assert_eq!(o.batch.record_count(), 7);
    assert_eq!(o.wants, [3, 3, 1]);
}

#[test]
fn recv_datagrams_over_a_socketpair_flags_truncation_per_datagram() {
    use std::os::unix::net::UnixDatagram;
    let (ours, theirs) = UnixDatagram::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let mut slots = RecvSlots::new(4, 64);
    assert!(
        recv_datagrams(&ours, &mut slots, 4).is_err_and(|e| e.kind() == io::ErrorKind::WouldBlock),
        "empty socket: EAGAIN"
    );
    let sizes = [10usize, 64, 65, 200, 0, 30];
    for (i, n) in sizes.iter().enumerate() {
        theirs.send(&vec![i as u8 + 1; *n]).unwrap();
    }
    assert_eq!(recv_datagrams(&ours, &mut slots, 4).unwrap(), 4);
    let got: Vec<_> = slots
        .received()
        .iter()
        .map(|r| (r.len, r.truncated, r.sender))
        .collect();
    assert_eq!(
        got,
        [(10, false, 0), (64, false, 0), (64, true, 0), (64, true, 0)]
    );
    assert_eq!(slots.datagram(0), &[1u8; 10][..]);
    assert_eq!(slots.datagram(1), &[2u8; 64][..]);
    assert_eq!(slots.datagram(3), &[4u8; 64][..]);
    // `max` caps the call below the slot count.
    assert_eq!(recv_datagrams(&ours, &mut slots, 1).unwrap(), 1);
    assert_eq!(slots.datagram(0), b"", "an empty datagram is one too");
    assert_eq!(recv_datagrams(&ours, &mut slots, 4).unwrap(), 1);
    assert_eq!(slots.datagram(0), &[6u8; 30][..]);
    assert!(recv_datagrams(&ours, &mut slots, 4).is_err());
    assert!(slots.received().is_empty());
}

#[test]
fn drain_skips_control_messages() {
    let h = NetlinkHeader {
        len: 16,
        msg_type: 1001,
        flags: 5,
        seq: 3,
        pid: 0,
    };
    let (batch, c, _, _) = run(
        vec![
            one(Step::Data(build_ack(&h, 0))),
            one(Step::Data(build_event(1305, b"x"))),
        ],
        BIG,
    );
    assert_eq!(batch.record_count(), 1);
    assert_eq!(c.skipped, 1);
}

#[test]
fn drain_stops_at_limits() {
    let steps = (0..10).map(|i| one(rec(1300, &format!("r{i}")))).collect();
    let (batch, _, stop, calls) = run(
        steps,
        Limits {
            records: 4,
            bytes: 1 << 20,
        },
    );
    assert_eq!(stop, DrainStop::Full);
    assert_eq!(batch.record_count(), 4);
    assert_eq!(calls, 4);
}

#[test]
fn drain_returns_other_errors() {
    let mut batch = EventBatch::new();
    let counters = EventCounters::default();
    let mut slots = RecvSlots::new(4, 16);
    let r = drain(
        |_, _| Err(io::Error::from_raw_os_error(libc::EBADF)),
        &mut slots,
        &mut batch,
        &counters,
        BIG,
    );
    assert!(matches!(r, Err(Error::Io { .. })));
}

#[test]
fn batch_reuse_clears() {
    let mut b = EventBatch::with_capacity(64, 4);
    b.push_record(1300, b"abc");
    b.push_overrun();
    assert_eq!(b.len(), 2);
    b.clear();
    assert!(b.is_empty());
    assert_eq!(b.payload_bytes(), 0);
}

#[tokio::test]
async fn async_batches_over_a_socketpair() {
    use std::os::unix::net::UnixDatagram;
    let (ours, theirs) = UnixDatagram::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let cfg = EventConfig {
        mode: EventMode::Multicast,
        receive_buffer: 1 << 20,
        ..Default::default()
    };
    let mut sock = EventSocket::from_fd_for_tests(OwnedFd::from(ours), &cfg).unwrap();
    for i in 0..50 {
        theirs
            .send(&build_event(
                1300,
                format!("audit(1.0:{i}): x\n\0").as_bytes(),
            ))
            .unwrap();
    }
    let mut batch = EventBatch::new();
    sock.recv_batch(&mut batch).await.unwrap();
    assert_eq!(
        batch.record_count(),
        50,
        "one wakeup drains everything readable"
    );
    assert_eq!(batch.records().nth(7).unwrap().payload, b"audit(1.0:7): x");

    // Nothing readable: the next call waits until a datagram arrives.
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        theirs.send(&build_event(1320, b"audit(1.0:99): ")).unwrap();
        theirs
    });
    tokio::time::timeout(Duration::from_secs(5), sock.recv_batch(&mut batch))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(batch.record_count(), 1);
    assert_eq!(batch.records().next().unwrap().msg_type, 1320);
    let _theirs = writer.join().unwrap();
    let c = sock.counters().snapshot();
    assert_eq!(c.records, 51);
    assert_eq!(c.batches, 2);
    assert_eq!(sock.try_recv_batch(&mut batch).unwrap(), 0);
}

#[test]
fn replace_probe_is_not_a_record() {
    let mut d = build_event(1329, &4321u32.to_ne_bytes());
    assert_eq!(
        parse_event_datagram(&d).unwrap(),
        EventDatagram::Control(1329)
    );
    d.truncate(18);
    assert_eq!(
        parse_event_datagram(&d).unwrap(),
        EventDatagram::Control(1329)
    );
}

#[tokio::test]
async fn async_batched_reads_over_a_socketpair_skip_a_truncated_datagram() {
    use std::os::unix::net::UnixDatagram;
    let (ours, theirs) = UnixDatagram::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    // Room for the oversized datagram in the peer's send buffer.
    crate::socket::set_receive_buffer(&ours, 4 << 20).unwrap();
    let sndbuf: libc::c_int = 1 << 20;
    // SAFETY: a valid fd and a plain int option of the size given.
    let rc = unsafe {
        libc::setsockopt(
            theirs.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_SNDBUF,
            (&sndbuf as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0);
    let cfg = EventConfig {
        mode: EventMode::Multicast,
        receive_buffer: 4 << 20,
        datagrams_per_read: 4,
        ..Default::default()
    };
    let mut sock = EventSocket::from_fd_for_tests(OwnedFd::from(ours), &cfg).unwrap();
    for i in 0..21 {
        if i == 10 {
            let mut big = build_event(1302, b"audit(1.0:10): name=");
            big.resize(EVENT_DATAGRAM_BUFFER + 100, b'x');
            theirs.send(&big).unwrap();
        } else {
            let text = format!("audit(1.0:{i}): x\0");
            theirs.send(&build_event(1300, text.as_bytes())).unwrap();
        }
    }
    let mut batch = EventBatch::new();
    sock.recv_batch(&mut batch).await.unwrap();
    let serials: Vec<String> = texts(&batch);
    let expected: Vec<String> = (0..21)
        .filter(|i| *i != 10)
        .map(|i| format!("audit(1.0:{i}): x"))
        .collect();
    assert_eq!(serials, expected, "one wakeup, several recvmmsg calls");
    let c = sock.counters().snapshot();
    assert_eq!(c.truncated, 1);
    assert_eq!(c.records, 20);
    assert_eq!(c.batches, 1);
    assert!(
        (6..=21).contains(&c.reads),
        "4 datagrams per read at most: {} reads",
        c.reads
    );
}
