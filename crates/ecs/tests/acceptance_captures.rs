//! Acceptance over the real captures (issue 3): one event per serial, long
//! and unusual arguments decoded exactly, ssh login records, SOCKADDR, and
//! RAW == ENRICHED.
//! Provenance: ../shared/conformance/captures/ (Debian 12, kernel 6.18,
//! recorded by ../shared/tools/capture.sh).

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

const RAW: &str = "conformance/captures/debian12-kernel6.18-raw.log";
const ENRICHED: &str = "conformance/captures/debian12-kernel6.18-enriched.log";

fn events(v: &[Value]) -> Vec<&Value> {
    v.iter().filter(|e| e["event"]["kind"] == "event").collect()
}

fn distinct_serials(text: &[u8]) -> BTreeSet<u64> {
    records(text)
        .iter()
        .map(|r| u64::from(r.serial()))
        .collect()
}

#[test]
fn one_event_per_distinct_serial_both_captures() {
    for cap in [RAW, ENRICHED] {
        let text = read_shared(cap);
        let (out, sum, _) = replay(&text);
        let ev = events(&out);
        let seqs: Vec<u64> = ev
            .iter()
            .map(|e| e["auditd"]["sequence"].as_u64().unwrap())
            .collect();
        let set: BTreeSet<u64> = seqs.iter().copied().collect();
        assert_eq!(seqs.len(), set.len(), "{cap}: a serial was emitted twice");
        assert_eq!(set, distinct_serials(&text), "{cap}");
        assert_eq!(sum.records, 2715, "{cap}");
        assert_eq!(sum.events as usize, ev.len());
        assert_eq!(sum.late, 0);
    }
}

#[test]
fn raw_and_enriched_give_the_same_json() {
    let (_, _, raw) = replay(&read_shared(RAW));
    let (_, _, enr) = replay(&read_shared(ENRICHED));
    assert!(raw == enr, "RAW and ENRICHED outputs differ");
}

fn exec_args(out: &[Value]) -> Vec<Vec<String>> {
    events(out)
        .iter()
        .filter(|e| e["event"]["action"] == "executed")
        .filter_map(|e| e["process"]["args"].as_array())
        .map(|a| a.iter().map(|a| a.as_str().unwrap().to_string()).collect())
        .collect()
}

#[test]
fn long_argument_decoded_whole() {
    let (out, _, _) = replay(&read_shared(RAW));
    let all = exec_args(&out);
    let x: String = "x".repeat(12_000);
    assert!(
        all.contains(&vec!["/bin/echo".to_string(), x]),
        "12,000-byte argument not found whole"
    );
    assert!(
        all.contains(&vec![
            "/bin/echo".to_string(),
            "y".repeat(3000),
            "z".repeat(3000)
        ]),
        "3,000-byte y/z arguments not found"
    );
}

#[test]
fn unusual_arguments_come_back_exactly() {
    // capture.sh: /bin/echo "spaces and \"quotes\"" 'tab	here' "ünïcödé ✓" $'new\nline'
    let (out, _, _) = replay(&read_shared(RAW));
    let want: Vec<String> = [
        "/bin/echo",
        "spaces and \"quotes\"",
        "tab\there",
        "ünïcödé ✓",
        "new\nline",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(exec_args(&out).contains(&want));
    let e = events(&out)
        .into_iter()
        .find(|e| {
            e["process"]["args"]
                .as_array()
                .is_some_and(|a| a.len() == 5 && a[2] == "tab\there")
        })
        .unwrap();
    assert_eq!(e["process"]["args_count"], 5);
    assert_eq!(e["process"]["command_line"], want.join(" "));
}

#[test]
fn ssh_login_user_records_carry_addr_acct_terminal() {
    let (out, _, _) = replay(&read_shared(RAW));
    let user: Vec<&Value> = events(&out)
        .into_iter()
        .filter(|e| {
            let t = e["auditd"]["message_type"].as_str().unwrap();
            t.starts_with("user_") || t.starts_with("cred_")
        })
        .collect();
    // USER_ACCT, CRED_ACQ, USER_START, CRED_REFR, USER_END, CRED_DISP x2, USER_LOGIN.
    assert_eq!(user.len(), 13);
    for e in &user {
        let d = &e["auditd"]["data"];
        assert_eq!(d["addr"], "127.0.0.1", "{e}");
        assert!(d["terminal"].is_string(), "{e}");
        assert_eq!(e["source"]["ip"], "127.0.0.1");
        if e["auditd"]["message_type"] == "user_login" {
            // USER_LOGIN names the account by id=, not acct=.
            assert_eq!(d["id"], "0");
            assert_eq!(d["terminal"], "/dev/pts/0");
            assert_eq!(e["event"]["action"], "logged-in");
        } else {
            assert_eq!(d["acct"], "root", "{e}");
        }
        assert!(e["auditd"]["session"].is_string());
    }
}

#[test]
fn every_sockaddr_decoded() {
    let text = read_shared(RAW);
    let with_sockaddr: BTreeSet<u64> = records(&text)
        .iter()
        .filter(|r| r.msg_type() == 1306)
        .map(|r| u64::from(r.serial()))
        .collect();
    assert_eq!(with_sockaddr.len(), 28);
    let (out, _, _) = replay(&text);
    let mut seen = 0;
    for e in events(&out) {
        if !with_sockaddr.contains(&e["auditd"]["sequence"].as_u64().unwrap()) {
            continue;
        }
        seen += 1;
        let s = &e["auditd"]["data"]["socket"];
        let fam = s["family"]
            .as_str()
            .unwrap_or_else(|| panic!("undecoded: {e}"));
        match fam {
            "ipv4" | "ipv6" => {
                assert!(s["addr"].is_string() && s["port"].is_string(), "{e}");
                let dir = if e["event"]["action"] == "connected-to" {
                    "destination"
                } else {
                    "source"
                };
                assert!(e[dir]["ip"].is_string(), "{dir} missing: {e}");
            }
            "netlink" => assert!(s["pid"].is_string(), "{e}"),
            "unspec" => {}
            other => panic!("unexpected family {other}: {e}"),
        }
    }
    assert_eq!(seen, 28);
}

#[test]
fn failed_open_has_errno_name_and_failure_outcome() {
    let (out, _, _) = replay(&read_shared(RAW));
    let e = events(&out)
        .into_iter()
        .find(|e| e["tags"][0] == "access")
        .expect("an access event");
    assert_eq!(e["event"]["outcome"], "failure");
    assert_eq!(e["auditd"]["data"]["exit"], "EACCES");
    assert_eq!(e["file"]["path"], "/etc/shadow");
}
