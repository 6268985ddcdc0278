//! Targeted interpretation cases on hand-written records (each line is in
//! the kernel's format; values chosen to hit one rule each).

mod common;

use audit_reassembler::{Completion, Record};
use common::*;

fn recs(lines: &[&str]) -> Vec<Record> {
    lines
        .iter()
        .map(|l| Record::parse_log_line(l.as_bytes()).unwrap())
        .collect()
}

const SC: &str = "type=SYSCALL msg=audit(1700000000.001:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"x\" exe=\"/bin/x\" key=6578656301726F6F74";

#[test]
fn non_utf8_argument_is_lossy_with_exact_bytes_reported() {
    let r = recs(&[
        SC,
        "type=EXECVE msg=audit(1700000000.001:7): argc=2 a0=\"x\" a1=FF41",
    ]);
    let v = to_json(&mut serializer(), &r, Completion::Timeout);
    assert_eq!(v["process"]["args"][1], "\u{FFFD}A");
    assert_eq!(v["auditd"]["non_utf8"]["process.args.1"], "ff41");
    assert_eq!(v["auditd"]["non_utf8"]["process.command_line"], "7820ff41");
    assert_eq!(v["auditd"]["completion"], "timeout");
}

#[test]
fn keys_split_and_ids_with_differences() {
    let r = recs(&[SC]);
    let v = to_json(&mut serializer(), &r, Completion::Proctitle);
    assert_eq!(v["tags"], serde_json::json!(["exec", "root"]));
    assert_eq!(v["user"]["id"], "1000");
    assert_eq!(v["user"]["audit"]["id"], "1000");
    assert_eq!(v["user"]["effective"]["id"], "0");
    assert_eq!(v["user"]["effective"]["name"], "root");
    assert!(
        v["user"]["effective"].get("group").is_none(),
        "egid equals gid"
    );
    assert_eq!(v["user"]["saved"]["id"], "0");
    assert_eq!(v["auditd"]["session"], "3");
    assert!(v["auditd"].get("completion").is_none());
    assert_eq!(v["event"]["category"][0], "process");
}

#[test]
fn unset_ids_and_session() {
    let r = recs(&["type=LOGIN msg=audit(1700000000.001:8): pid=5 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses=9 res=1"]);
    let v = to_json(&mut serializer(), &r, Completion::Single);
    assert_eq!(v["auditd"]["data"]["old-auid"], "unset");
    assert_eq!(v["auditd"]["data"]["old-ses"], "unset");
    assert_eq!(v["user"]["audit"]["id"], "0");
    assert_eq!(v["auditd"]["result"], "success");
    let r = recs(&["type=USER_END msg=audit(1700000000.001:9): pid=5 uid=0 auid=4294967295 ses=4294967295 msg='op=x acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=ssh res=failed'"]);
    let v = to_json(&mut serializer(), &r, Completion::Single);
    assert!(v["user"].get("audit").is_none());
    assert_eq!(v["auditd"]["session"], "unset");
    assert_eq!(v["auditd"]["summary"]["actor"]["primary"], "unset");
    assert_eq!(v["event"]["outcome"], "failure");
    assert!(v.get("source").is_none(), "addr=? is not an address");
}

#[test]
fn args_spread_over_records_and_split_pieces() {
    let r = recs(&[
        SC,
        "type=EXECVE msg=audit(1700000000.001:7): argc=3 a0=\"x\" a1_len=6 a1[0]=616263",
        "type=EXECVE msg=audit(1700000000.001:7): a1[1]=\"def\" a2=\"last\"",
    ]);
    let v = to_json(&mut serializer(), &r, Completion::Timeout);
    assert_eq!(
        v["process"]["args"],
        serde_json::json!(["x", "abcdef", "last"])
    );
    assert_eq!(v["process"]["args_count"], 3);
    // SC says items=1 but no PATH record came.
    assert_eq!(v["auditd"]["incomplete"], true);
}

#[test]
fn missing_records_marked_incomplete() {
    let r = recs(&[
        SC,
        "type=EXECVE msg=audit(1700000000.001:7): argc=3 a0=\"x\"",
    ]);
    let v = to_json(&mut serializer(), &r, Completion::Evicted);
    assert_eq!(v["auditd"]["incomplete"], true);
    assert_eq!(v["auditd"]["completion"], "evicted");
    assert_eq!(v["process"]["args"].as_array().unwrap().len(), 3);
}

#[test]
fn unix_abstract_socket_and_modes() {
    let r = recs(&[
        "type=SYSCALL msg=audit(1700000000.001:10): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=2 a2=3 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"c\" exe=\"/c\" key=(null)",
        "type=SOCKADDR msg=audit(1700000000.001:10): saddr=01000061626300",
    ]);
    let v = to_json(&mut serializer(), &r, Completion::Timeout);
    assert_eq!(v["destination"]["path"], "@abc\u{0}");
    assert_eq!(v["auditd"]["data"]["socket"]["family"], "unix");
    assert!(v.get("tags").is_none(), "key=(null) gives no tags");
    let r = recs(&[
        "type=SYSCALL msg=audit(1700000000.001:11): arch=c000003e syscall=90 success=no exit=-1 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"c\" exe=\"/c\" key=(null)",
        "type=PATH msg=audit(1700000000.001:11): item=0 name=2F746D702F6120622063 inode=5 dev=fe:00 mode=0104755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
    ]);
    let v = to_json(&mut serializer(), &r, Completion::Timeout);
    assert_eq!(v["event"]["action"], "changed-file-permissions-of");
    assert_eq!(v["file"]["path"], "/tmp/a b c");
    assert_eq!(v["file"]["mode"], "4755");
    assert_eq!(v["file"]["type"], "file");
    assert_eq!(v["auditd"]["data"]["exit"], "EPERM");
    assert_eq!(v["auditd"]["paths"][0]["name"], "/tmp/a b c");
}

#[test]
fn lost_and_late_reports_are_metric_events() {
    let text = b"type=USER_END msg=audit(1700000000.001:10): pid=1 uid=0 msg='op=x res=success'\n\
type=USER_END msg=audit(1700000000.002:15): pid=1 uid=0 msg='op=x res=success'\n\
type=PATH msg=audit(1700000000.001:10): item=0 name=\"/x\"\n";
    let (out, sum, _) = replay(text);
    assert_eq!(sum.lost, 4);
    assert_eq!(sum.late, 1);
    let lost = out
        .iter()
        .find(|v| v["event"]["action"] == "events-lost")
        .unwrap();
    assert_eq!(lost["event"]["kind"], "metric");
    assert_eq!(lost["auditd"]["lost"]["count"], 4);
    assert_eq!(lost["auditd"]["lost"]["first_sequence"], 11);
    assert_eq!(lost["auditd"]["lost"]["last_sequence"], 14);
    let late = out
        .iter()
        .find(|v| v["event"]["action"] == "late-record")
        .unwrap();
    assert_eq!(late["auditd"]["late"]["sequence"], 10);
    assert_eq!(late["auditd"]["late"]["message_type"], "path");
    assert!(late["event"]["original"]
        .as_str()
        .unwrap()
        .starts_with("type=PATH "));
}

#[test]
fn original_records_on_request() {
    let mut s = audit_ecs::Serializer::new(
        audit_ecs::Config {
            host_name: None,
            include_original: true,
        },
        names(),
    );
    let r = recs(&[SC]);
    let v = to_json(&mut s, &r, Completion::Timeout);
    assert_eq!(v["event"]["original"][0], SC);
    assert!(v["host"].get("name").is_none());
}

struct Leaders;
impl audit_ecs::ProcessContext for Leaders {
    fn write_process(
        &mut self,
        facts: &audit_ecs::ProcessFacts<'_>,
        w: &mut audit_ecs::JsonWriter<'_>,
    ) {
        w.begin_object("parent");
        w.u64_field("pid", u64::from(facts.ppid.unwrap_or(0)));
        w.str_field("executable", b"/sbin/init");
        w.end();
        w.begin_object("session_leader");
        w.u64_field("pid", 77);
        w.end();
    }
    fn writes_parent(&self, _: &audit_ecs::ProcessFacts<'_>) -> bool {
        true
    }
}

#[test]
fn process_context_hook_adds_members() {
    let r = recs(&[SC]);
    let mut out = Vec::new();
    let mut ctx = Leaders;
    serializer().write_event(&r, Completion::Proctitle, Some(&mut ctx), &mut out);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["process"]["parent"]["pid"], 1);
    assert_eq!(v["process"]["parent"]["executable"], "/sbin/init");
    assert_eq!(v["process"]["session_leader"]["pid"], 77);
    assert_eq!(v["process"]["pid"], 2);
}
