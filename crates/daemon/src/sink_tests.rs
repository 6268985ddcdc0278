use std::os::unix::fs::PermissionsExt;

use super::*;
use crate::config::{Config, Format};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("auditrs-sink-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spec(path: &Path, max_bytes: u64, num_logs: u32) -> OutputSpec {
    let mut s = Config::default().outputs().remove(0);
    s.path = Some(path.to_path_buf());
    s.format = Format::Json;
    s.max_bytes = max_bytes;
    s.num_logs = num_logs;
    s
}

fn line(sink: &mut Sink, n: u32) {
    sink.buffer()
        .extend_from_slice(format!("{{\"n\":{n:05}}}\n").as_bytes());
    sink.commit(1);
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn creates_file_0600_and_buffers_until_flush() {
    let d = TempDir::new("mode");
    let p = d.0.join("out.json");
    let mut s = Sink::open(spec(&p, 0, 5)).unwrap();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    s.flush(0);
    line(&mut s, 1);
    line(&mut s, 2);
    s.maybe_flush(50);
    assert_eq!(read(&p), "", "nothing written before 100 ms");
    s.maybe_flush(100);
    assert_eq!(read(&p), "{\"n\":00001}\n{\"n\":00002}\n");
    assert_eq!(s.counters().events_written, 2);
}

#[test]
fn big_buffer_flushes_at_once() {
    let d = TempDir::new("big");
    let p = d.0.join("out.json");
    let mut s = Sink::open(spec(&p, 0, 5)).unwrap();
    s.flush(1000);
    while s.buffered() < FLUSH_BYTES {
        line(&mut s, 7);
    }
    s.maybe_flush(1000);
    assert_eq!(s.buffered(), 0);
    assert!(std::fs::metadata(&p).unwrap().len() >= FLUSH_BYTES as u64);
}

#[test]
fn rotation_keeps_num_logs_files() {
    let d = TempDir::new("rotate");
    let p = d.0.join("out.json");
    // Each line is 12 bytes; 3 lines per file at most.
    let mut s = Sink::open(spec(&p, 36, 3)).unwrap();
    for n in 0..10 {
        line(&mut s, n);
        s.flush(u64::from(n));
    }
    assert_eq!(read(&p), "{\"n\":00009}\n");
    assert_eq!(
        read(&numbered(&p, 1)),
        "{\"n\":00006}\n{\"n\":00007}\n{\"n\":00008}\n"
    );
    assert_eq!(
        read(&numbered(&p, 2)),
        "{\"n\":00003}\n{\"n\":00004}\n{\"n\":00005}\n"
    );
    assert!(
        !numbered(&p, 3).exists(),
        "num_logs = 3 keeps FILE, FILE.1, FILE.2"
    );
    assert_eq!(s.counters().rotations, 3);
}

#[test]
fn keep_logs_never_deletes() {
    let d = TempDir::new("keep");
    let p = d.0.join("out.json");
    let mut sp = spec(&p, 12, 2);
    sp.max_action = MaxLogFileAction::KeepLogs;
    let mut s = Sink::open(sp).unwrap();
    for n in 0..4 {
        line(&mut s, n);
        s.flush(0);
    }
    assert_eq!(read(&numbered(&p, 3)), "{\"n\":00000}\n");
    assert_eq!(read(&p), "{\"n\":00003}\n");
}

#[test]
fn reopen_after_move_loses_nothing() {
    let d = TempDir::new("reopen");
    let p = d.0.join("out.json");
    let moved = d.0.join("moved.json");
    let mut s = Sink::open(spec(&p, 0, 5)).unwrap();
    line(&mut s, 1);
    s.flush(0);
    std::fs::rename(&p, &moved).unwrap();
    line(&mut s, 2); // buffered before the signal: goes to the moved file
    s.reopen(10).unwrap();
    line(&mut s, 3);
    s.flush(20);
    assert_eq!(read(&moved), "{\"n\":00001}\n{\"n\":00002}\n");
    assert_eq!(read(&p), "{\"n\":00003}\n");
    assert_eq!(s.counters().reopens, 1);
}

#[test]
fn rotate_now() {
    let d = TempDir::new("usr1");
    let p = d.0.join("out.json");
    let mut s = Sink::open(spec(&p, 0, 5)).unwrap();
    line(&mut s, 1);
    s.rotate(0).unwrap();
    line(&mut s, 2);
    s.flush(1);
    assert_eq!(read(&numbered(&p, 1)), "{\"n\":00001}\n");
    assert_eq!(read(&p), "{\"n\":00002}\n");
}

#[test]
fn write_failure_counts_drops_and_resumes() {
    let d = TempDir::new("enospc");
    let p = d.0.join("out.json");
    let mut s = Sink::open(spec(&p, 0, 5)).unwrap();
    line(&mut s, 1);
    s.flush(0);
    line(&mut s, 2);
    line(&mut s, 3);
    s.inject_error(libc::ENOSPC);
    s.flush(1);
    assert!(s.is_degraded());
    assert_eq!(s.take_resumed(), None);
    line(&mut s, 4);
    s.inject_error(libc::ENOSPC);
    s.flush(2);
    line(&mut s, 5);
    s.flush(3);
    assert!(!s.is_degraded());
    let r = s.take_resumed().expect("resumed report");
    assert_eq!((r.dropped_events, r.write_errors), (3, 2));
    assert!(r.last_error.contains("No space"), "{}", r.last_error);
    assert_eq!(s.take_resumed(), None, "reported once");
    assert_eq!(read(&p), "{\"n\":00001}\n{\"n\":00005}\n");
    let c = s.counters();
    assert_eq!(
        (c.dropped_events, c.write_errors, c.events_written),
        (3, 2, 2)
    );
}

/// Regression (issue 4): `--output /dev/null` reported a write error for every
/// fsync, which a character device refuses with EINVAL.
#[test]
fn dev_null_sync_is_not_a_write_error() {
    let mut sp = spec(Path::new("/dev/null"), 0, 5);
    sp.flush = Flush::Data;
    let mut s = Sink::open(sp).unwrap();
    for n in 0..3 {
        line(&mut s, n);
        s.flush(u64::from(n) * 200);
    }
    let c = s.counters();
    assert_eq!(
        (c.write_errors, c.dropped_events, c.events_written),
        (0, 0, 3)
    );
}

#[test]
fn dev_full_is_survived() {
    let p = Path::new("/dev/full");
    if !p.exists() {
        eprintln!("SKIP: no /dev/full");
        return;
    }
    let mut sp = spec(p, 0, 5);
    sp.flush = Flush::None;
    let mut s = Sink::open(sp).unwrap();
    for n in 0..3 {
        line(&mut s, n);
        s.flush(u64::from(n));
    }
    let c = s.counters();
    assert_eq!(
        (c.write_errors, c.dropped_events, c.events_written),
        (3, 3, 0)
    );
}

#[test]
fn suspend_action_until_reopen() {
    let d = TempDir::new("suspend");
    let p = d.0.join("out.json");
    let mut sp = spec(&p, 0, 5);
    sp.disk_error_action = DiskAction::Suspend;
    let mut s = Sink::open(sp).unwrap();
    line(&mut s, 1);
    s.inject_error(libc::EIO);
    s.flush(0);
    line(&mut s, 2);
    s.flush(1); // suspended: dropped without trying
    assert_eq!(read(&p), "");
    s.reopen(2).unwrap();
    line(&mut s, 3);
    s.flush(3);
    assert_eq!(read(&p), "{\"n\":00003}\n");
    assert_eq!(s.take_resumed().map(|r| r.dropped_events), Some(2));
}

#[test]
fn max_size_suspend() {
    let d = TempDir::new("maxsuspend");
    let p = d.0.join("out.json");
    let mut sp = spec(&p, 12, 5);
    sp.max_action = MaxLogFileAction::Suspend;
    let mut s = Sink::open(sp).unwrap();
    line(&mut s, 1);
    s.flush(0);
    line(&mut s, 2);
    s.flush(1);
    assert_eq!(read(&p), "{\"n\":00001}\n");
    assert_eq!(s.counters().dropped_events, 1);
}
