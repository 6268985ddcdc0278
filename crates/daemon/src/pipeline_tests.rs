use std::path::{Path, PathBuf};

use audit_ecs::FixedNames;

use super::*;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("auditrs-pipe-{name}-{}", std::process::id()));
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

fn pipeline(dir: &Path, extra: &str) -> Pipeline<FixedNames> {
    let text = format!(
        "log_file = \"{}\"\nstats_interval_s = 0\n{extra}",
        dir.join("out.json").display()
    );
    let c = Config::parse(&text, "test").unwrap();
    c.validate("test").unwrap();
    Pipeline::new(&c, FixedNames::new(), Some("testhost".into())).unwrap()
}

fn lines(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

// Kernel payloads as received on netlink (shape from the RAW capture in
// ../shared/conformance/captures/, serials renumbered).
fn exec_event(p: &mut Pipeline<FixedNames>, serial: u32, pid: u32, now: u64) {
    let h = format!("audit(1795396402.774:{serial}): ");
    let recs: [(u16, String); 4] = [
        (1300, format!("{h}arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid={pid} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"true\" exe=\"/usr/bin/true\" key=\"exec\"")),
        (1309, format!("{h}argc=1 a0=\"true\"")),
        (1327, format!("{h}proctitle=74727565")),
        (1320, h.trim_end().to_string()),
    ];
    for (t, r) in recs {
        p.push_record(t, r.as_bytes(), now);
    }
}

#[test]
fn exec_records_become_one_json_event() {
    let d = TempDir::new("exec");
    let mut p = pipeline(&d.0, "");
    exec_event(&mut p, 100, 4242, 0);
    let c = p.finish(10);
    let out = lines(&d.0.join("out.json"));
    let events: Vec<_> = out
        .iter()
        .filter(|v| v["event"]["kind"] == "event")
        .collect();
    assert_eq!(events.len(), 1, "{out:?}");
    assert_eq!(events[0]["event"]["action"], "executed");
    assert_eq!(events[0]["process"]["pid"], 4242);
    assert_eq!(events[0]["auditd"]["sequence"], 100);
    assert_eq!((c.records, c.events, c.drops()), (4, 1, 0));
    let stats = out.last().unwrap();
    assert_eq!(stats["event"]["action"], "stats");
    assert_eq!(stats["auditrs"]["stats"]["events"], 1);
}

#[test]
fn gaps_kernel_lost_and_drops_are_reported_in_stream() {
    let d = TempDir::new("loss");
    let mut p = pipeline(&d.0, "");
    p.kernel_status(7, 0, 64);
    exec_event(&mut p, 10, 1, 0);
    exec_event(&mut p, 14, 2, 1);
    p.kernel_status(10, 40, 64);
    p.overrun();
    p.queue_dropped(12);
    p.tick(5000);
    let c = p.finish(5001);
    let out = lines(&d.0.join("out.json"));
    let find = |action: &str| {
        out.iter()
            .find(|v| v["event"]["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {out:?}"))
            .clone()
    };
    assert_eq!(find("events-lost")["auditd"]["lost"]["count"], 3);
    let k = find("kernel-lost");
    assert_eq!(k["auditrs"]["kernel"]["lost_delta"], 3);
    assert_eq!(k["auditrs"]["kernel"]["lost"], 10);
    assert_eq!(find("backlog-high")["auditrs"]["kernel"]["backlog"], 40);
    assert_eq!(find("receive-overrun")["auditrs"]["receive"]["enobufs"], 1);
    assert_eq!(
        find("queue-dropped")["auditrs"]["queue"]["dropped_delta"],
        12
    );
    assert_eq!(
        (c.kernel_lost, c.serial_lost, c.enobufs, c.queue_dropped),
        (3, 3, 1, 12)
    );
    assert_eq!(c.drops(), 19);
}

#[test]
fn shutdown_marks_incomplete_events() {
    let d = TempDir::new("incomplete");
    let mut p = pipeline(&d.0, "");
    let h = "audit(1795396402.774:77): ";
    p.push_record(1300, format!("{h}arch=c000003e syscall=59 success=yes exit=0 items=0 ppid=1 pid=9 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=(null)").as_bytes(), 0);
    let c = p.finish(1);
    assert_eq!(c.incomplete, 1);
    let out = lines(&d.0.join("out.json"));
    assert_eq!(out[0]["auditd"]["completion"], "flush", "{:?}", out[0]);
    let text = std::fs::read(d.0.join("out.json")).unwrap();
    assert_eq!(text.last(), Some(&b'\n'));
}

#[test]
fn auditd_format_beside_json() {
    let d = TempDir::new("raw");
    let raw = d.0.join("audit.log");
    let mut p = pipeline(&d.0, &format!("raw_log_file = \"{}\"\n", raw.display()));
    exec_event(&mut p, 5, 1, 0);
    p.push_record(9999, b"audit(1795396402.774:6): x=1\0", 0);
    p.finish(1);
    let text = std::fs::read_to_string(&raw).unwrap();
    let l: Vec<_> = text.lines().collect();
    assert_eq!(l.len(), 5);
    assert!(
        l[0].starts_with("type=SYSCALL msg=audit(1795396402.774:5): arch=c000003e syscall=59"),
        "{}",
        l[0]
    );
    assert_eq!(l[3], "type=EOE msg=audit(1795396402.774:5):");
    assert_eq!(l[4], "type=UNKNOWN[9999] msg=audit(1795396402.774:6): x=1");
    // Each line parses back as the log form.
    for line in &l {
        audit_reassembler::Record::parse_log_line(line.as_bytes()).unwrap();
    }
    assert_eq!(
        lines(&d.0.join("out.json"))
            .iter()
            .filter(|v| v["event"]["kind"] == "event")
            .count(),
        2
    );
}

#[test]
fn auditd_only_skips_parsing() {
    let d = TempDir::new("rawonly");
    let mut p = pipeline(&d.0, "format = \"auditd\"\n");
    p.push_record(1300, b"not a record at all", 0);
    let c = p.finish(1);
    assert_eq!((c.records, c.parse_errors, c.events), (1, 0, 0));
    assert_eq!(
        std::fs::read_to_string(d.0.join("out.json")).unwrap(),
        "type=SYSCALL msg=not a record at all\n"
    );
}

#[test]
fn corrupt_record_is_counted_not_fatal() {
    let d = TempDir::new("corrupt");
    let mut p = pipeline(&d.0, "");
    p.push_record(1300, b"garbage\xff", 0);
    exec_event(&mut p, 1, 1, 0);
    let c = p.finish(1);
    assert_eq!((c.parse_errors, c.events), (1, 1));
}

#[test]
fn raw_line_strips_trailing_nul_and_newline() {
    let mut out = Vec::new();
    write_raw_line(&mut out, 1320, b"audit(1.2:3): \0\0");
    write_raw_line(&mut out, 1106, b"audit(1.2:4): a\nb\n");
    assert_eq!(
        out,
        b"type=EOE msg=audit(1.2:3): \ntype=USER_END msg=audit(1.2:4): a b\n"
    );
}
