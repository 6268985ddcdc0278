use super::*;
use crate::socket::Received;
use crate::testkit::{build_ack, build_event};

fn ok(len: usize) -> io::Result<Received> {
    Ok(Received {
        len,
        truncated: false,
        sender: 0,
    })
}

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

/// A scripted socket: datagrams, ENOBUFS, then EAGAIN.
enum Step {
    Data(Vec<u8>),
    Err(i32),
    Truncated(usize),
    Foreign(Vec<u8>),
}

fn run(steps: Vec<Step>, limits: Limits) -> (EventBatch, CounterSnapshot, DrainStop, usize) {
    let mut steps = std::collections::VecDeque::from(steps);
    let mut batch = EventBatch::new();
    let counters = EventCounters::default();
    let mut buf = vec![0u8; 256];
    let mut calls = 0usize;
    let stop = drain(
        |b| {
            calls += 1;
            match steps.pop_front() {
                None => Err(io::Error::from_raw_os_error(libc::EAGAIN)),
                Some(Step::Data(d)) => {
                    b[..d.len()].copy_from_slice(&d);
                    ok(d.len())
                }
                Some(Step::Foreign(d)) => {
                    b[..d.len()].copy_from_slice(&d);
                    Ok(Received {
                        len: d.len(),
                        truncated: false,
                        sender: 4242,
                    })
                }
                Some(Step::Truncated(n)) => Ok(Received {
                    len: n,
                    truncated: true,
                    sender: 0,
                }),
                Some(Step::Err(e)) => Err(io::Error::from_raw_os_error(e)),
            }
        },
        &mut buf,
        &mut batch,
        &counters,
        limits,
    )
    .unwrap();
    (batch, counters.snapshot(), stop, calls)
}

const BIG: Limits = Limits {
    records: 1000,
    bytes: 1 << 20,
};

#[test]
fn drain_reads_until_eagain_and_marks_enobufs_in_place() {
    let (batch, c, stop, _) = run(
        vec![
            Step::Data(build_event(1300, b"one\0")),
            Step::Err(libc::ENOBUFS),
            Step::Data(build_event(1320, b"two\n")),
            Step::Foreign(build_event(1300, b"spoof")),
            Step::Truncated(256),
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
            Step::Data(build_ack(&h, 0)),
            Step::Data(build_event(1305, b"x")),
        ],
        BIG,
    );
    assert_eq!(batch.record_count(), 1);
    assert_eq!(c.skipped, 1);
}

#[test]
fn drain_stops_at_limits() {
    let steps = (0..10)
        .map(|i| Step::Data(build_event(1300, format!("r{i}").as_bytes())))
        .collect();
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
    let mut buf = vec![0u8; 16];
    let r = drain(
        |_| Err(io::Error::from_raw_os_error(libc::EBADF)),
        &mut buf,
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
