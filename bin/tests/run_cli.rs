//! `auditrs run` through the built binary without the kernel: `--help`,
//! `--version`, `--check-config` on good and bad configurations.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditrs"))
        .args(args)
        .output()
        .expect("running auditrs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn tmp(name: &str, contents: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("auditrs-run-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

fn example() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../packaging/auditrs.toml");
    assert!(p.is_file(), "missing {}", p.display());
    p
}

#[test]
fn help_names_signals_and_examples() {
    let o = run(&["run", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    for needle in [
        "--config",
        "--check-config",
        "--rules",
        "--multicast",
        "--output",
        "--raw-output",
        "SIGHUP",
        "SIGUSR1",
        "RUST_LOG",
        "[config: log_file]",
    ] {
        assert!(out.contains(needle), "help lacks {needle}:\n{out}");
    }
    let o = run(&["--version"]);
    assert!(
        text(&o.stdout).starts_with("auditrs "),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn check_config_accepts_the_packaged_example_with_rules() {
    let rules = tmp(
        "ok.rules",
        "-b 8192\n-a always,exit -F arch=b64 -S execve -k exec\n",
    );
    let o = run(&[
        "run",
        "--config",
        example().to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--check-config",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("OK")
            && out.contains("/var/log/auditrs/events.json")
            && out.contains("2 lines OK"),
        "{out}"
    );
}

#[test]
fn check_config_rejects_bad_values_and_rules_with_their_location() {
    let conf = tmp("bad.toml", "num_logs = 3\nmax_log_fiel = 2\n");
    let o = run(&["run", "--config", conf.to_str().unwrap(), "--check-config"]);
    assert_ne!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    assert!(
        err.contains("bad.toml") && err.contains("max_log_fiel"),
        "{err}"
    );

    let o = run(&["run", "--failure-mode", "7", "--check-config"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        text(&o.stderr).contains("failure_mode"),
        "{}",
        text(&o.stderr)
    );

    let rules = tmp(
        "bad.rules",
        "-a always,exit -F arch=b64 -S execve\n-a always,exit -S nosuchsyscall\n",
    );
    let o = run(&["run", "--rules", rules.to_str().unwrap(), "--check-config"]);
    assert_ne!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    assert!(
        err.contains("line 2") && err.contains("nosuchsyscall"),
        "{err}"
    );
}

#[test]
fn without_privilege_a_clear_message_and_nothing_touched() {
    // As root, drop to nobody with no capabilities (setpriv, util-linux).
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("SKIP: needs root and setpriv to run the binary unprivileged");
        return;
    }
    let o = Command::new("/usr/bin/setpriv")
        .args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
        ])
        .arg(env!("CARGO_BIN_EXE_auditrs"))
        .args(["run", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("needs root or CAP_AUDIT_CONTROL"), "{err}");
}
