//! Name -> number lookups agree with libaudit 3.0.9 itself (python3-audit)
//! on every table name, case variants, and inputs libaudit must reject.
//!
//! Skipped, with the reason printed, when `/usr/bin/python3` cannot
//! `import audit`.

use std::io::Write;
use std::process::{Command, Stdio};

use audit_tables::{arch, errno, field, filter, fstype, ftype, msgtype, syscall};

const PYTHON: &str = "/usr/bin/python3";

/// A lookup domain: oracle name, the names to try, our lookup.
type Domain = (
    &'static str,
    Vec<&'static str>,
    &'static dyn Fn(&str) -> Option<i64>,
);

/// Reads `DOMAIN\tARG\tNAME` lines on stdin, prints libaudit's answer per
/// line (-1 / 0 conventions kept as libaudit returns them).
const ORACLE: &str = r#"
import sys, audit
out = []
for line in sys.stdin.read().split("\n"):
    if not line:
        continue
    dom, arg, name = line.split("\t", 2)
    if dom == "syscall":
        m = audit.audit_elf_to_machine(int(arg))
        v = audit.audit_name_to_syscall(name, m) if m >= 0 else -1
    elif dom == "field": v = audit.audit_name_to_field(name)
    elif dom == "errno": v = audit.audit_name_to_errno(name)
    elif dom == "msgtype": v = audit.audit_name_to_msg_type(name)
    elif dom == "ftype": v = audit.audit_name_to_ftype(name)
    elif dom == "fstype": v = audit.audit_name_to_fstype(name)
    elif dom == "flag": v = audit.audit_name_to_flag(name)
    elif dom == "action": v = audit.audit_name_to_action(name)
    elif dom == "machine":
        m = audit.audit_name_to_machine(name)
        v = audit.audit_machine_to_elf(m) if m >= 0 else -1
    else: raise SystemExit("bad domain " + dom)
    out.append(str(v))
print("\n".join(out))
"#;

fn oracle_available() -> Result<(), String> {
    match Command::new(PYTHON).args(["-c", "import audit"]).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{PYTHON} cannot import audit (install python3-audit): {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("{PYTHON} not runnable: {e}")),
    }
}

fn ask(queries: &[(String, String, String)]) -> Vec<i64> {
    let mut child = Command::new(PYTHON)
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn python oracle");
    let mut input = String::new();
    for (d, a, n) in queries {
        input.push_str(&format!("{d}\t{a}\t{n}\n"));
    }
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write queries");
    let out = child.wait_with_output().expect("oracle output");
    assert!(out.status.success(), "oracle failed");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| l.parse().expect("integer answer"))
        .collect()
}

fn variants(name: &str) -> Vec<String> {
    vec![
        name.to_string(),
        name.to_ascii_uppercase(),
        name.to_ascii_lowercase(),
        format!("{name}x"),
        format!(" {name}"),
        format!("-{name}"),
        {
            let mut shorter = name.to_string();
            shorter.pop();
            shorter
        },
    ]
}

/// Inputs no table should accept (or that only libaudit's number parsing
/// would accept, which the Rust name lookups deliberately leave out).
const ODD: &[&str] = &[
    "x",
    "all",
    "b64",
    "b32",
    "pread64",
    "loginuid_set",
    "io_uring",
    "entry",
    "ia64",
    "alpha",
    "ſ",
    "İ",
    "REAd\u{0}",
    "-",
    "_",
    "[",
    "EWOULDBLOCKS",
    "armv7b",
    "ext4",
];

#[test]
fn name_lookups_agree_with_libaudit() {
    if let Err(reason) = oracle_available() {
        eprintln!("SKIPPED libaudit_conformance: {reason}");
        return;
    }
    let mut queries: Vec<(String, String, String)> = Vec::new();
    let mut ours: Vec<i64> = Vec::new();
    let mut push = |d: &str, a: &str, n: &str, v: Option<i64>| {
        queries.push((d.to_string(), a.to_string(), n.to_string()));
        ours.push(v.unwrap_or(-1));
    };
    // No NUL may cross into the C side (it would truncate the name).
    let usable = |n: &str| !n.contains('\0') && !n.contains('\n') && !n.contains('\t');

    for a in syscall::arches() {
        let mut names: Vec<&str> = syscall::names(a)
            .unwrap_or_default()
            .iter()
            .map(|p| p.0)
            .collect();
        names.extend(ODD);
        for base in names {
            for n in variants(base).into_iter().filter(|n| usable(n)) {
                push(
                    "syscall",
                    &a.to_string(),
                    &n,
                    syscall::number(a, &n).map(i64::from),
                );
            }
        }
    }
    let simple: [Domain; 8] = [
        (
            "field",
            field::names().iter().map(|p| p.0).collect(),
            &|n| field::number(n).map(i64::from),
        ),
        (
            "errno",
            errno::names().iter().map(|p| p.0).collect(),
            &|n| errno::number_signed(n).map(i64::from),
        ),
        (
            "msgtype",
            msgtype::all().iter().map(|p| p.1).collect(),
            &|n| msgtype::number(n).map(i64::from),
        ),
        ("ftype", ftype::all().iter().map(|p| p.1).collect(), &|n| {
            ftype::value(n).map(i64::from)
        }),
        (
            "fstype",
            fstype::all().iter().map(|p| p.1).collect(),
            &|n| fstype::value(n).map(i64::from),
        ),
        (
            "flag",
            filter::lists().iter().map(|p| p.1).collect(),
            &|n| filter::list_number(n).map(i64::from),
        ),
        (
            "action",
            filter::actions().iter().map(|p| p.1).collect(),
            &|n| filter::action_number(n).map(i64::from),
        ),
        (
            "machine",
            arch::names().iter().map(|p| p.0).collect(),
            &|n| audit_tables::arch_from_name(n).map(i64::from),
        ),
    ];
    for (dom, mut names, f) in simple {
        names.extend(ODD);
        for base in names {
            for n in variants(base).into_iter().filter(|n| usable(n)) {
                push(dom, "0", &n, f(&n));
            }
        }
    }

    let theirs = ask(&queries);
    assert_eq!(theirs.len(), queries.len(), "one answer per query");
    let mut mismatches = Vec::new();
    for ((q, ours), theirs) in queries.iter().zip(&ours).zip(&theirs) {
        // libaudit's "unknown" is -1, except audit_name_to_errno (0).
        let theirs = if q.0 == "errno" && *theirs == 0 {
            -1
        } else {
            *theirs
        };
        if *ours != theirs {
            mismatches.push(format!("{q:?}: ours {ours}, libaudit {theirs}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} lookups differ from libaudit:\n{}",
        mismatches.len(),
        queries.len(),
        mismatches.join("\n")
    );
    assert!(queries.len() > 10_000, "{}", queries.len());
}
