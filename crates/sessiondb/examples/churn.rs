//! Memory under churn: N short-lived processes (fork, exec, exit) through
//! the table at a given rate, from a fake /proc, printing the table's
//! counters and this process's peak RSS.
//!
//! `cargo run --release -p sessiondb --example churn -- 1000000 10000`
//! (processes, processes per second of simulated time).

use sessiondb::{
    Config, Creds, FakeProc, FakeProcess, Observation, ProcessChange, ProcessEvent, SessionDb, Time,
};

fn rss_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rate: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let mut proc = FakeProc::new();
    proc.insert(
        1,
        FakeProcess::new(0, 1, 1).exe(b"/sbin/init").start_ticks(1),
    );
    proc.insert(
        500,
        FakeProcess::new(1, 500, 500)
            .exe(b"/usr/bin/bash")
            .start_ticks(2),
    );
    let mut db = SessionDb::new(proc, Config::default()).expect("host");
    let t0 = Time::from_secs(1_700_000_100);
    db.seed_from_proc(t0).expect("seed");
    let step = 1_000_000_000 / rate.max(1);
    let obs = |pid, ppid, exe: &[u8]| Observation {
        pid,
        ppid: Some(ppid),
        creds: Some(Creds::default()),
        auid: Some(1000),
        ses: Some(3),
        tty: Some(None),
        comm: Some(b"true".to_vec()),
        exe: Some(exe.to_vec()),
    };
    let started = std::time::Instant::now();
    let mut t = t0;
    for i in 0..n {
        let pid = 1000 + (i % 4_000_000) as u32;
        t = t.plus_nanos(step);
        let fork = ProcessChange::Fork {
            child_pid: pid,
            thread: Some(false),
        };
        db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(500, 1, b"/usr/bin/bash")),
            change: Some(fork),
        });
        let exec = ProcessChange::Exec {
            argv: vec![b"/bin/true".to_vec(), format!("run-{i}").into_bytes()],
            cwd: Some(b"/home/user".to_vec()),
        };
        db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(pid, 500, b"/bin/true")),
            change: Some(exec),
        });
        let exit = ProcessChange::Exit { code: 0 };
        db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(pid, 500, b"/bin/true")),
            change: Some(exit),
        });
    }
    let elapsed = started.elapsed();
    let during = db.stats();
    db.maintain(t.plus_nanos(60_000_000_000));
    let after = db.stats();
    println!(
        "processes: {n} at {rate}/s simulated; {:.0} events/s",
        (3 * n) as f64 / elapsed.as_secs_f64()
    );
    println!("during: {during:?}");
    println!("after grace: {after:?}");
    println!(
        "peak RSS: {} kB, now: {} kB",
        rss_kb("VmHWM:"),
        rss_kb("VmRSS:")
    );
}
