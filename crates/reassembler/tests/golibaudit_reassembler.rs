//! go-libaudit's reassembler cases (../shared/conformance/go-libaudit/reassembler,
//! expectations from ../shared/conformance/README.md).
//!
//! go-libaudit's test feeds each file at once with a wall-clock timeout, so
//! no event times out; [`run`] does the same (constant clock). The files'
//! timestamps jump by up to 9 s, so with event time as the clock some
//! events time out first: see `out_of_order_with_event_time`.

mod support;

use audit_reassembler::{Completion, Reassembler};
use support::{replay, replay_with_clock, Replay};

fn run(name: &str) -> Replay {
    replay_with_clock(
        &support::read(&format!("go-libaudit/reassembler/{name}")),
        Reassembler::default(),
        |_| 0,
    )
}

/// (serial, record count) of each event, sorted by serial as emitted order
/// may differ.
fn shape(r: &Replay) -> Vec<(u32, usize)> {
    let mut v: Vec<_> = r
        .events
        .iter()
        .map(|e| (e.serial(), e.records().len()))
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn normal() {
    let r = run("normal.log");
    assert_eq!(shape(&r), vec![(58, 2), (59, 5), (60, 5), (61, 4), (62, 1)]);
    assert!(r.lost.is_empty());
    assert!(r.late.is_empty());
}

#[test]
fn lost_messages() {
    let r = run("lost_messages.log");
    assert_eq!(shape(&r), vec![(49, 2), (59, 5), (60, 5), (61, 4), (62, 1)]);
    assert_eq!(r.lost, vec![(49, 9)]);
    assert_eq!(r.stats.lost, 9);
}

#[test]
fn out_of_order() {
    let r = run("out_of_order.log");
    assert_eq!(shape(&r), vec![(58, 2), (59, 5), (60, 5), (61, 4), (62, 1)]);
    assert!(r.lost.is_empty());
    assert!(r.late.is_empty());
    // Each event's records share its serial and keep arrival order.
    for e in &r.events {
        assert!(e.records().iter().all(|x| x.serial() == e.serial()));
    }
}

#[test]
fn rollover() {
    let r = run("rollover.log");
    assert_eq!(
        shape(&r),
        vec![(0, 1), (1, 1), (2, 1), (4294967294, 1), (4294967295, 1)]
    );
    assert!(r.lost.is_empty());
    assert_eq!(r.stats.serial_resets, 0);
}

#[test]
fn out_of_order_with_event_time() {
    // Serial 61 is stamped 7.8 s after 60: with event time as the clock, 60
    // times out when 61 arrives, and its last PATH (after 61's SYSCALL) is
    // late: reported once, not emitted as a second event.
    let r = replay(
        &support::read("go-libaudit/reassembler/out_of_order.log"),
        Reassembler::default(),
    );
    assert_eq!(shape(&r), vec![(58, 2), (59, 5), (60, 4), (61, 4), (62, 1)]);
    assert_eq!(r.late.len(), 1);
    assert_eq!((r.late[0].serial(), r.late[0].msg_type()), (60, 1302));
    assert_eq!(r.stats.late, 1);
    assert!(r
        .events
        .iter()
        .filter(|e| e.serial() < 61)
        .all(|e| e.completion() == Completion::Timeout));
}

#[test]
fn event_time_clock_gives_the_same_events_where_times_are_close() {
    for name in ["normal.log", "lost_messages.log", "rollover.log"] {
        let a = run(name);
        let b = replay(
            &support::read(&format!("go-libaudit/reassembler/{name}")),
            Reassembler::default(),
        );
        assert_eq!(shape(&a), shape(&b), "{name}");
        assert_eq!(a.lost, b.lost, "{name}");
    }
}
