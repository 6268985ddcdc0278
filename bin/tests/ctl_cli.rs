//! `auditrs ctl` through the built binary: argument passing (clap hands
//! auditctl's options through untouched), exit codes, and the modes that
//! need neither root nor a kernel. Kernel behaviour is tested in
//! `crates/ctl/tests/` (fake kernel, and live against auditctl 3.0.9).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ctl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditrs"))
        .arg("ctl")
        .args(args)
        .output()
        .expect("running auditrs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn rules_dir() -> PathBuf {
    let d =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance/auditd-3.0.9-rules");
    assert!(
        d.is_dir(),
        "conformance data missing: {} (../shared beside the checkout)",
        d.display()
    );
    d
}

#[test]
fn usage_and_help() {
    let o = ctl(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).starts_with("usage: auditctl [options]\n"));
    let o = ctl(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(
        out.contains("--check FILE|DIR...") && out.contains("--dump-bytes ARGS..."),
        "{out}"
    );
    let o = ctl(&["-h"]);
    assert_eq!(o.status.code(), Some(255));
    let o = ctl(&["-v"]);
    assert_eq!(
        (o.status.code(), text(&o.stdout).as_str()),
        (Some(0), "auditctl version 3.0.9\n")
    );
}

#[test]
fn dump_bytes_passes_hyphen_arguments_through() {
    let o = ctl(&[
        "--dump-bytes",
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-k",
        "exec",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let hex = text(&o.stdout);
    let hex = hex.trim();
    // struct audit_rule_data: 1040-byte header + "exec".
    assert_eq!(hex.len(), 2 * (1040 + 4));
    assert!(
        hex.starts_with("04000000"),
        "flags = AUDIT_FILTER_EXIT: {hex}"
    );
    assert!(hex.ends_with("65786563"), "key bytes at the end: {hex}");
    let o = ctl(&["--dump-bytes", "-a", "always,exit", "-F", "nosuchfield=1"]);
    assert_eq!(o.status.code(), Some(255));
    assert_eq!(text(&o.stderr), "-F unknown field: nosuchfield\n");
}

#[test]
fn check_reports_file_and_line() {
    let dir = rules_dir();
    let good = dir.join("30-stig.rules");
    let o = ctl(&["--check", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("30-stig.rules: "),
        "{}",
        text(&o.stdout)
    );
    let tmp = std::env::temp_dir().join(format!("auditrs-ctl-check-{}.rules", std::process::id()));
    std::fs::write(&tmp, "# provenance: hand-written bad line\n-w /etc/hosts -p wa\n-a always,exit -S open -F arch=b64\n")
        .unwrap();
    let o = ctl(&["--check", tmp.to_str().unwrap()]);
    let _ = std::fs::remove_file(&tmp);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains(&format!("{}:3: ", tmp.display())), "{err}");
}

/// Read-only: `-s` prints the same fields as auditctl (values are compared
/// under the live-test lock in crates/ctl/tests/live.rs).
#[test]
fn status_fields_when_root() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        let o = ctl(&["-s"]);
        assert_eq!(
            o.status.code(),
            Some(4),
            "non-root must get auditctl's exit 4"
        );
        return;
    }
    let o = ctl(&["-s"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let keys: Vec<String> = text(&o.stdout)
        .lines()
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        &keys[..7],
        [
            "enabled",
            "failure",
            "pid",
            "rate_limit",
            "backlog_limit",
            "lost",
            "backlog"
        ]
    );
}
