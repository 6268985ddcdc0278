//! Bounded memory: grace period, what dead entries are kept for, the hard
//! cap and its eviction order, counters.

mod common;

use common::{Sim, Spawn};
use sessiondb::{Config, FakeProc, FakeProcess, Observation, ProcessChange};

const GRACE: u64 = 1_000_000_000;

fn config(max_entries: usize) -> Config {
    Config {
        max_entries,
        grace_nanos: GRACE,
        ..Config::default()
    }
}

fn base() -> FakeProc {
    let mut p = FakeProc::new();
    p.insert(
        1,
        FakeProcess::new(0, 1, 1).exe(b"/sbin/init").start_ticks(1),
    );
    p.insert(
        10,
        FakeProcess::new(1, 10, 10)
            .exe(b"/usr/bin/bash")
            .start_ticks(5),
    );
    p
}

fn later(s: &Sim, nanos: u64) -> sessiondb::Time {
    s.now().plus_nanos(nanos)
}

#[test]
fn many_short_lived_processes_shrink_back() {
    let mut s = Sim::with_config(base(), config(4096));
    for i in 0..20_000u32 {
        let pid = 1000 + (i % 30_000);
        s.fork(10, pid);
        s.exec(pid, 10, b"/bin/true", None);
        s.exit(pid, 0);
        if i % 2000 == 0 {
            s.db.check_invariants().unwrap();
        }
        assert!(s.db.len() <= 4096);
    }
    s.db.maintain(later(&s, GRACE + 1));
    let st = s.db.stats();
    assert_eq!(st.entries, 2, "{st:?}");
    assert_eq!(s.db.live_pids(), vec![1, 10]);
    assert_eq!(st.inserted, 20_002);
    // The 1 ms spacing means about 1000 processes are in their grace period
    // at any time, well under the cap: nothing was evicted early.
    assert_eq!(
        st.evicted_dead + st.evicted_live + st.evicted_gone,
        0,
        "{st:?}"
    );
    assert_eq!(st.freed, 20_000);
    s.db.check_invariants().unwrap();
}

#[test]
fn cap_evicts_the_oldest_dead_first() {
    let mut s = Sim::with_config(base(), config(20));
    // Five long-lived children.
    for pid in 100..105 {
        s.spawn(Spawn::new(pid, 10, b"/usr/bin/sleep"));
    }
    // Many exits within one grace period: over the cap.
    for pid in 200..260 {
        s.spawn(Spawn::new(pid, 10, b"/bin/true"));
        s.exit(pid, 0);
        assert!(s.db.len() <= 20);
    }
    let st = s.db.stats();
    assert!(st.evicted_dead >= 40, "{st:?}");
    assert_eq!(st.evicted_live + st.evicted_gone, 0, "{st:?}");
    for pid in [1, 10, 100, 101, 102, 103, 104] {
        assert!(s.db.view(pid).is_some(), "live {pid} kept");
    }
    // The most recent exits are the ones still there.
    assert!(s.db.view(259).is_some());
    assert!(s.db.view(200).is_none());
    s.db.check_invariants().unwrap();
}

#[test]
fn cap_with_live_entries_asks_proc_first() {
    let mut s = Sim::with_config(base(), config(10));
    // Processes known from events only; /proc does not have them (gone,
    // their exit missed: killed by a signal).
    for pid in 300..320 {
        s.spawn(Spawn::new(pid, 10, b"/usr/bin/sleep"));
        assert!(s.db.len() <= 10);
    }
    let st = s.db.stats();
    assert!(st.evicted_gone > 0, "{st:?}");
    assert_eq!(st.evicted_live, 0, "{st:?}");
    // init and the shell are in /proc: they survive.
    assert!(s.db.view(1).is_some());
    assert!(s.db.view(10).is_some());
    s.db.check_invariants().unwrap();

    // Now everything is really alive: the least recently seen go.
    let mut p = base();
    for pid in 400..440 {
        p.insert(
            pid,
            FakeProcess::new(1, pid, pid)
                .exe(b"/usr/bin/sleep")
                .start_ticks(pid.into()),
        );
    }
    let s = Sim::with_config(p, config(10));
    let st = s.db.stats();
    // Evicted a little below the cap (hysteresis of 1/64, at least one).
    assert_eq!(st.entries, 9, "{st:?}");
    assert!(st.evicted_live > 0, "{st:?}");
    s.db.check_invariants().unwrap();
}

#[test]
fn dead_parent_kept_while_a_child_lives_then_freed_in_cascade() {
    let mut s = Sim::with_config(base(), config(100));
    s.spawn(Spawn::new(500, 10, b"/usr/bin/make"));
    s.spawn(Spawn::new(501, 500, b"/usr/bin/cc"));
    s.exit(500, 0);
    s.db.maintain(later(&s, 10 * GRACE));
    let v = s.db.view(501).unwrap();
    let parent = v.parent.unwrap();
    assert_eq!(parent.fields.pid, 500);
    assert!(
        parent.fields.executable.is_some(),
        "dead parent still described"
    );
    // The child exits: both go once its grace period is over.
    s.exit(501, 1);
    s.db.maintain(later(&s, GRACE + 1));
    assert!(s.db.view(500).is_none());
    assert!(s.db.view(501).is_none());
    s.db.check_invariants().unwrap();
}

#[test]
fn dead_session_and_group_leaders_kept_while_members_live() {
    let mut s = Sim::with_config(base(), config(100));
    s.spawn(Spawn::new(600, 10, b"/usr/bin/bash").sid(600));
    s.spawn(Spawn::new(601, 600, b"/usr/bin/sleep").pgid(601));
    s.spawn(Spawn::new(602, 600, b"/usr/bin/sleep").pgid(601));
    // The session leader and the group leader exit; 602 is reparented to init.
    s.exit(600, 0);
    s.exit(601, 0);
    s.event(s.obs(602, 1, b"/usr/bin/sleep", None), None);
    s.db.maintain(later(&s, 10 * GRACE));
    let v = s.db.view(602).unwrap();
    assert_eq!(v.parent.as_ref().unwrap().fields.pid, 1);
    let sl = v.session_leader.unwrap();
    assert_eq!(sl.fields.pid, 600);
    assert!(sl.fields.entity_id.is_some(), "dead session leader kept");
    let gl = v.group_leader.unwrap();
    assert_eq!(gl.fields.pid, 601);
    assert!(gl.fields.entity_id.is_some(), "dead group leader kept");
    // bash 600 inherited its parent's entry leader (bash 10, a service of init).
    assert_eq!(v.entry_leader.unwrap().fields.pid, 10);
    s.exit(602, 0);
    s.db.maintain(later(&s, GRACE + 1));
    assert_eq!(s.db.live_pids(), vec![1, 10]);
    assert_eq!(s.db.len(), 2, "{:?}", s.db.stats());
    s.db.check_invariants().unwrap();
}

#[test]
fn lookups_are_counted_and_not_repeated() {
    let mut s = Sim::with_config(FakeProc::new(), config(100));
    let before = s.db.stats();
    assert_eq!(before.proc_lookups, 0);
    // An unknown pid with an unknown parent: one lookup each, both fail.
    for _ in 0..5 {
        s.event(s.obs(700, 699, b"/bin/x", None), None);
    }
    let st = s.db.stats();
    assert_eq!(st.proc_lookups, 2, "{st:?}");
    assert_eq!(st.proc_lookup_failures, 2, "{st:?}");
    // A pid that is in /proc: read once, then known.
    s.db.source_mut().insert(
        800,
        FakeProcess::new(0, 800, 800).exe(b"/bin/y").start_ticks(1),
    );
    for _ in 0..5 {
        s.event(Observation::pid(800), None);
    }
    let st = s.db.stats();
    assert_eq!(st.proc_lookups, 3, "{st:?}");
    assert_eq!(st.proc_lookup_failures, 2, "{st:?}");
    assert_eq!(s.db.source().stat_reads(), 3);
    // A clone record of a child never seen does not read /proc at all.
    s.event(
        s.obs(800, 0, b"", None),
        Some(ProcessChange::Fork {
            child_pid: 801,
            thread: Some(false),
        }),
    );
    assert_eq!(s.db.stats().proc_lookups, 3);
}

#[test]
fn a_process_from_proc_that_started_after_the_event_is_a_reused_pid() {
    let mut s = Sim::with_config(FakeProc::new(), config(100));
    // /proc has pid 900, started long after the event's time (btime + 10^6 s).
    s.db.source_mut().insert(
        900,
        FakeProcess::new(1, 900, 900)
            .exe(b"/usr/bin/new")
            .start_ticks(100_000_000),
    );
    let v = s.event(s.obs(900, 5, b"/usr/bin/old", None), None).unwrap();
    assert_eq!(v.fields.executable.unwrap().as_bytes(), b"/usr/bin/old");
    assert_eq!(v.parent.unwrap().fields.pid, 5);
    assert_eq!(s.db.stats().proc_lookup_failures, 2);
}

#[test]
fn byte_budget_bounds_long_arguments() {
    let config = Config {
        max_bytes: 256 << 10,
        ..config(10_000)
    };
    let mut s = Sim::with_config(base(), config);
    let long = vec![b'a'; 12_000];
    for pid in 2000..2100u32 {
        s.fork(10, pid);
        let o = s.obs(pid, 10, b"/usr/bin/echo", None);
        s.event(
            o,
            Some(ProcessChange::Exec {
                argv: vec![b"echo".to_vec(), long.clone()],
                cwd: None,
            }),
        );
        s.exit(pid, 0);
        let st = s.db.stats();
        assert!(st.approx_bytes <= 256 << 10, "{st:?}");
    }
    let st = s.db.stats();
    assert!(st.evicted_dead > 50, "{st:?}");
    // The exec event itself still reported the whole argument.
    let v = s.db.view(2099).unwrap();
    assert_eq!(v.fields.args.unwrap()[1].as_bytes().len(), 12_000);
    s.db.check_invariants().unwrap();
}

#[test]
fn a_new_parent_outside_the_ancestry_means_a_reused_pid() {
    let mut s = Sim::with_config(base(), config(100));
    s.spawn(Spawn::new(3000, 10, b"/usr/bin/sleep"));
    let old = s.db.view(3000).unwrap().fields.entity_id;
    // Reparented to init: the same process.
    s.event(s.obs(3000, 1, b"/usr/bin/sleep", None), None);
    assert_eq!(s.db.view(3000).unwrap().fields.entity_id, old);
    assert_eq!(s.db.stats().missed_exits, 0);
    // Its exit was missed (SIGKILL); pid 3000 now belongs to a child of 10.
    let v = s.exec(3000, 10, b"/usr/bin/id", None).unwrap();
    assert_ne!(v.fields.entity_id, old);
    assert!(v.previous.is_empty(), "no image of the old process");
    assert_eq!(s.db.stats().missed_exits, 1);
    s.db.check_invariants().unwrap();
}

#[test]
fn processes_ended_without_an_exit_record_are_found_by_the_liveness_check() {
    // `yes | head -1`: head exits, yes dies of SIGPIPE (no exit_group
    // record). Without a periodic scan, the table learns it by checking
    // its silent live entries' pids, one stat read each.
    let mut s = Sim::with_config(base(), config(1000));
    s.spawn(Spawn::new(500, 10, b"/usr/bin/yes").pgid(500));
    s.spawn(Spawn::new(501, 10, b"/usr/bin/head").pgid(500));
    s.exit(501, 0);
    let t = s.now();
    let live = Config::default().liveness_nanos;
    s.db.maintain(t.plus_nanos(live / 2));
    assert!(s.db.live_pids().contains(&500), "checked only once silent");
    let lookups = s.db.stats().proc_lookups;
    s.db.maintain(t.plus_nanos(live + 1));
    assert!(!s.db.live_pids().contains(&500));
    let st = s.db.stats();
    assert_eq!(st.ended_unseen, 1, "{st:?}");
    // init and bash are in /proc: checked, still live.
    assert!(st.proc_lookups >= lookups + 3, "{st:?}");
    assert_eq!(s.db.live_pids(), vec![1, 10]);
    s.db.maintain(t.plus_nanos(live + GRACE + 1));
    assert!(s.db.view(500).is_none(), "freed after the grace period");
    assert_eq!(s.db.len(), 2);
    s.db.check_invariants().unwrap();
}
