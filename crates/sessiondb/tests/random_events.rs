//! Property: any sequence of events, however inconsistent, never panics,
//! keeps the table within its cap and its bookkeeping consistent, and every
//! view serializes.

use proptest::prelude::*;
use sessiondb::{
    Config, Creds, FakeProc, FakeProcess, Observation, ProcessChange, ProcessEvent, SessionDb,
    Time, TtyDev,
};

#[derive(Debug, Clone)]
enum Op {
    Event {
        pid: u32,
        ppid: Option<u32>,
        exe: u8,
        tty: u8,
        change: Option<ProcessChange>,
    },
    Wait(u64),
}

fn change() -> impl Strategy<Value = ProcessChange> {
    prop_oneof![
        (0u32..40, prop::option::of(any::<bool>()))
            .prop_map(|(child_pid, thread)| ProcessChange::Fork { child_pid, thread }),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..6), 0..4).prop_map(|argv| {
            ProcessChange::Exec {
                argv,
                cwd: Some(b"/".to_vec()),
            }
        }),
        Just(ProcessChange::Setsid),
        (0u32..40, 0u32..40).prop_map(|(target, pgid)| ProcessChange::Setpgid { target, pgid }),
        any::<i32>().prop_map(|code| ProcessChange::Exit { code }),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(|addr| ProcessChange::Login { addr }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0u32..40, prop::option::of(0u32..40), 0u8..6, 0u8..4, prop::option::of(change()))
            .prop_map(|(pid, ppid, exe, tty, change)| Op::Event { pid, ppid, exe, tty, change }),
        1 => (0u64..3_000_000_000).prop_map(Op::Wait),
    ]
}

const EXES: [&[u8]; 6] = [
    b"/usr/sbin/sshd",
    b"/usr/bin/bash",
    b"/usr/bin/containerd-shim",
    b"/usr/bin/ssm-session-worker",
    b"/bin/login",
    b"",
];

fn tty(n: u8) -> Option<Option<TtyDev>> {
    match n {
        0 => None,
        1 => Some(None),
        2 => Some(Some(TtyDev {
            major: 136,
            minor: 1,
        })),
        _ => Some(Some(TtyDev {
            major: 4,
            minor: 70,
        })),
    }
}

fn fake_proc(seeded: &[(u32, u32, u32, u32)]) -> FakeProc {
    let mut p = FakeProc::new();
    for &(pid, ppid, pgrp, sid) in seeded {
        p.insert(
            pid,
            FakeProcess::new(ppid, pgrp, sid)
                .exe(EXES[(pid % 5) as usize])
                .start_ticks(pid.into()),
        );
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_event_sequences(
        cap in 3usize..30,
        max_bytes in prop_oneof![Just(usize::MAX), 0usize..20_000],
        lookups in any::<bool>(),
        seeded in prop::collection::vec((1u32..40, 0u32..40, 0u32..40, 0u32..40), 0..12),
        ops in prop::collection::vec(op(), 0..120),
    ) {
        let config = Config {
            max_entries: cap,
            max_bytes,
            grace_nanos: 1_000_000_000,
            proc_lookups: lookups,
            max_previous: 2,
            max_logins: 3,
            ..Config::default()
        };
        let mut db = SessionDb::new(fake_proc(&seeded), config).unwrap();
        let mut now = Time::from_secs(1_700_000_050);
        db.seed_from_proc(now).unwrap();
        prop_assert!(db.len() <= cap);
        for op in ops {
            match op {
                Op::Wait(n) => {
                    now = now.plus_nanos(n);
                    db.maintain(now);
                }
                Op::Event { pid, ppid, exe, tty: t, change } => {
                    now = now.plus_nanos(1_000_000);
                    let observed = Observation {
                        pid,
                        ppid,
                        creds: Some(Creds::default()),
                        auid: Some(pid),
                        ses: Some(pid % 3),
                        tty: tty(t),
                        comm: None,
                        exe: Some(EXES[exe as usize].to_vec()),
                    };
                    let view = db.apply(&ProcessEvent { time: now, observed: Some(observed), change });
                    if let Some(v) = view {
                        prop_assert_eq!(v.fields.pid, pid);
                        serde_json::to_string(&v).unwrap();
                    }
                }
            }
            prop_assert!(db.len() <= cap, "{} > {}", db.len(), cap);
            prop_assert!(db.stats().approx_bytes <= max_bytes);
            if let Err(e) = db.check_invariants() {
                return Err(TestCaseError::fail(e));
            }
        }
        for pid in db.live_pids() {
            serde_json::to_string(&db.view(pid).unwrap()).unwrap();
        }
        // Long after everything, only live entries and what they need remain.
        db.maintain(now.plus_nanos(10_000_000_000));
        let st = db.stats();
        prop_assert_eq!(st.entries, db.len());
        prop_assert!(db.check_invariants().is_ok());
    }
}
