//! End-to-end tests against the real kernel and the reference auditctl
//! 3.0.9 (`/usr/sbin/auditctl`, Debian's `auditd` package).
//!
//! Every test holds `audit_client::testkit::LiveKernel` (global lock,
//! snapshot and restore of rules and status). They skip when not root
//! (and fail under `CI=true`). Nothing here sends `-e 2`, `-f 2` or
//! `--loginuid-immutable` to the kernel: those are irreversible until
//! reboot and are covered by the fake-kernel unit tests.

mod common;

use common::*;

fn status_map(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn status_matches_auditctl() {
    let Some(_k) = acquire("status_matches_auditctl") else {
        return;
    };
    for interpret in [false, true] {
        let args: &[&str] = if interpret { &["-s", "-i"] } else { &["-s"] };
        let (rc, rout, _) = reference(args);
        let (oc, oout, oerr) = ours(args);
        assert_eq!((rc, oc), (0, 0), "{oerr}");
        let (r, o) = (status_map(&rout), status_map(&oout));
        let keys = |m: &[(String, String)]| m.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&r), keys(&o), "fields differ:\n{rout}\n{oout}");
        for ((k, rv), (_, ov)) in r.iter().zip(&o) {
            // lost and backlog may move between the two calls.
            if k != "lost" && k != "backlog" && k != "backlog_wait_time_actual" {
                assert_eq!(rv, ov, "field {k}:\nauditctl:\n{rout}\nours:\n{oout}");
            }
        }
    }
}

/// `-b`, `-r`, `-f`, `-e`, `--backlog_wait_time` set to their current
/// values: the same status block as auditctl prints.
#[test]
fn settings_print_the_status_block() {
    let Some(_k) = acquire("settings_print_the_status_block") else {
        return;
    };
    let (_, s, _) = reference(&["-s"]);
    let cur: std::collections::HashMap<String, String> = status_map(&s).into_iter().collect();
    for (opt, field) in [
        ("-b", "backlog_limit"),
        ("-r", "rate_limit"),
        ("-f", "failure"),
        ("-e", "enabled"),
        ("--backlog_wait_time", "backlog_wait_time"),
    ] {
        let v = cur[field].clone();
        assert!(
            !(opt == "-e" || opt == "-f") || v != "2",
            "refusing to send {opt} 2"
        );
        let (rc, rout, _) = reference(&[opt, &v]);
        let (oc, oout, oerr) = ours(&[opt, &v]);
        assert_eq!((rc, oc), (0, 0), "{opt} {v}: {oerr}");
        let strip = |t: &str| {
            t.lines()
                .filter(|l| !l.starts_with("lost ") && !l.starts_with("backlog "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&rout), strip(&oout), "{opt} {v}");
    }
    // Bad values: auditctl's message and exit code.
    for args in [&["-e", "3"][..], &["-f", "x"], &["-b", "x"], &["-r", "-1"]] {
        let (rc, _, rerr) = reference(args);
        let (oc, _, oerr) = ours(args);
        assert_eq!((oc, oerr.trim()), (rc, rerr.trim()), "{args:?}");
    }
}

#[test]
fn rule_add_delete_list_like_auditctl() {
    let Some(_k) = acquire("rule_add_delete_list_like_auditctl") else {
        return;
    };
    clear();
    let rule = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-k",
        "t1",
        "-k",
        "t2",
    ];
    let (c, _, e) = ours(&rule);
    assert_eq!(c, 0, "{e}");
    // Duplicate: same message and exit code as auditctl.
    let (rc, _, rerr) = reference(&rule);
    let (oc, _, oerr) = ours(&rule);
    assert_eq!((oc, oerr.as_str()), (rc, rerr.as_str()));
    assert_eq!(oerr, "Error sending add rule data request (Rule exists)\n");
    assert_eq!(oc, 255);
    ours(&["-w", "/etc/passwd", "-p", "wa", "-k", "pw"]);
    for args in [
        &["-l"][..],
        &["-l", "-k", "t2"],
        &["-l", "-k", "nope"],
        &["-l", "-i"],
    ] {
        let (rc, rout, _) = reference(args);
        let (oc, oout, oerr) = ours(args);
        assert_eq!((oc, oout.as_str()), (rc, rout.as_str()), "{args:?}: {oerr}");
    }
    // -D -k: only the matching rules go; auditctl prints nothing then.
    let (oc, oout, _) = ours(&["-D", "-k", "pw"]);
    assert_eq!((oc, oout.as_str()), (0, ""));
    assert_eq!(
        listing(),
        "-a always,exit -F arch=b64 -S execve -F key=t1 -F key=t2\n"
    );
    let del = [
        "-d",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "execve",
        "-k",
        "t1",
        "-k",
        "t2",
    ];
    assert_eq!(ours(&del).0, 0);
    let (rc, _, rerr) = reference(&del);
    let (oc, _, oerr) = ours(&del);
    assert_eq!((oc, oerr.as_str()), (rc, rerr.as_str()));
    let (oc, oout, _) = ours(&["-D"]);
    assert_eq!((oc, oout.as_str()), (0, "No rules\n"));
    // A user message (AUDIT_USER), accepted like auditctl's.
    let (rc, _, _) = reference(&["-m", "auditrs ctl test"]);
    let (oc, _, oerr) = ours(&["-m", "auditrs ctl test"]);
    assert_eq!((oc, rc), (0, 0), "{oerr}");
}

/// Bad rules: a precise error, exit 255 on the command line, exit 1 with
/// `FILE:LINE:` from a file, and the kernel's rule list unchanged.
#[test]
fn bad_rules_leave_the_kernel_unchanged() {
    let Some(_k) = acquire("bad_rules_leave_the_kernel_unchanged") else {
        return;
    };
    clear();
    // Something already loaded, that must survive every failure below.
    let base = [
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "openat",
        "-k",
        "base",
    ];
    assert_eq!(reference(&base).0, 0);
    let before = listing();
    let long_key = "k".repeat(257);
    let long_path = format!("/{}", "p/".repeat(2100));
    let mut many_fields = vec!["-a", "always,exit", "-F", "arch=b64", "-S", "open"];
    let f = "-F";
    for _ in 0..64 {
        many_fields.extend([f, "uid=0"]);
    }
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["-a", "always,exit", "-F", "foo=1"],
            "unknown field: foo",
        ),
        // Operator not allowed for the field: the kernel refuses it (EINVAL).
        (
            vec![
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-F",
                "uid&1",
            ],
            "Invalid argument",
        ),
        (
            vec!["-a", "always,exit", "-S", "open", "-F", "arch=b64"],
            "arch must be before -S",
        ),
        (
            vec!["-a", "always,user", "-F", "exit=1"],
            "exit can only be used with exit filter list",
        ),
        (
            vec!["-a", "always,exit", "-F", "arch=b64", "-S", "9999"],
            "Syscall name unknown: 9999",
        ),
        (
            vec!["-b", "99999999999999999999"],
            "Error converting backlog",
        ),
        (
            vec![
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-F",
                "exit=-EFOO",
            ],
            "unknown errno",
        ),
        (
            vec![
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-F",
                "msgtype=1",
            ],
            "msgtype",
        ),
        (
            vec![
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-F",
                "uid=no_such_user_x",
            ],
            "Unknown user: no_such_user_x",
        ),
        (many_fields.clone(), "Too many fields in rule"),
        (
            vec![
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-k",
                &long_key,
            ],
            "key option exceeds size limit",
        ),
        (
            vec!["-w", &long_path, "-p", "wa"],
            "The path passed for the watch is too big",
        ),
        (
            vec!["-a", "always,exit", "-F", "arch=b64", "-S", "nosuchsyscall"],
            "Syscall name unknown: nosuchsyscall",
        ),
        (
            vec!["-a", "sometimes,exit"],
            "Append rule - bad keyword sometimes,exit",
        ),
        (
            base.to_vec(),
            "Error sending add rule data request (Rule exists)",
        ),
    ];
    let tmp = std::env::temp_dir().join(format!("auditrs-ctl-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (i, (args, needle)) in cases.iter().enumerate() {
        let (rc, _, rerr) = reference(args);
        assert_ne!(rc, 0, "auditctl accepted bad case {i}: {args:?} {rerr}");
        assert_eq!(listing(), before, "auditctl changed the rules on case {i}");
        let (oc, _, oerr) = ours(args);
        assert_eq!(oc, 255, "case {i} {args:?}: {oerr}");
        assert!(!oerr.trim().is_empty(), "case {i}: no message");
        assert!(oerr.contains(needle), "case {i}: {oerr:?} lacks {needle:?}");
        assert_eq!(listing(), before, "case {i} changed the kernel rules");
        // The same line in a file after a good line: nothing is loaded.
        let file = tmp.join(format!("case{i}.rules"));
        let line = args
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(" ");
        std::fs::write(
            &file,
            format!("# case {i}\n-a always,exit -F arch=b64 -S chmod -k good\n{line}\n"),
        )
        .unwrap();
        let fname = file.to_str().unwrap();
        let (fc, _, ferr) = ours(&["-R", fname]);
        assert_eq!(fc, 1, "file case {i}: {ferr}");
        assert!(
            ferr.contains(&format!("{fname}:3: ")),
            "file case {i}: {ferr:?}"
        );
        assert_eq!(listing(), before, "file case {i} changed the kernel rules");
    }
    // A kernel rejection mid-file (a watched directory that does not exist:
    // ENOENT from the kernel) after two good rules: both are rolled back.
    let file = tmp.join("midfile.rules");
    std::fs::write(
        &file,
        "-a always,exit -F arch=b64 -S chmod -k good1\n\
         -w /etc/hosts -p wa -k good2\n\
         -a always,exit -F dir=/nonexistent-auditrs-dir/ -F perm=wa -k bad\n\
         -a always,exit -F arch=b64 -S chown -k never-sent\n",
    )
    .unwrap();
    let fname = file.to_str().unwrap();
    let (fc, _, ferr) = ours(&["-R", fname]);
    assert_eq!(fc, 1, "{ferr}");
    assert!(
        ferr.contains(&format!(
            "{fname}:3: Error sending add rule data request (No such file or directory)"
        )),
        "{ferr:?}"
    );
    assert_eq!(listing(), before);
    // Duplicates within a file: refused before anything is sent.
    std::fs::write(
        &file,
        "-w /etc/hosts -p wa -k dup\n-w /etc/hosts -p wa -k dup\n",
    )
    .unwrap();
    let (fc, _, ferr) = ours(&["-R", fname]);
    assert_eq!(fc, 1);
    assert!(
        ferr.contains(&format!("{fname}:2: Rule exists")),
        "{ferr:?}"
    );
    assert_eq!(listing(), before);
    let _ = std::fs::remove_dir_all(&tmp);
    clear();
}

/// Odd and wrong command lines: the same exit code, stdout and stderr as
/// auditctl, and the same rules afterwards.
#[test]
fn command_lines_match_auditctl() {
    let Some(_k) = acquire("command_lines_match_auditctl") else {
        return;
    };
    let file = std::env::temp_dir().join(format!("auditrs-ctl-cl-{}.rules", std::process::id()));
    std::fs::write(&file, "-a always,exit -F arch=b64 -S chmod -k cl\n").unwrap();
    let f = file.to_str().unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["-c", "-R", f],
        vec!["-s", "-l"],
        vec!["-l", "-s"],
        vec!["-l", "foo"],
        vec!["-F", "arch=b64", "-a", "always,exit"],
        vec!["-k", "foo"],
        vec!["-e", "3"],
        vec!["-D", "-k"],
        vec!["-D", "x"],
        vec!["-w", "relative/path"],
        vec!["-w", "/etc/passwd", "-p", "z"],
        vec!["-a", "task,always", "-S", "open"],
        vec![
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "open",
            "-F",
            "path<x",
        ],
        vec!["-a", "always,exit,extra"],
        vec!["-a", "never,task"],
        vec![
            "-A",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "open,openat",
            "-k",
            "pre",
        ],
        vec!["-a", "exclude,always", "-F", "msgtype=CWD"],
        vec![
            "-a",
            "always,exit",
            "-F",
            "arch=b32",
            "-S",
            "all",
            "-C",
            "auid!=uid",
        ],
        vec![
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "open",
            "-F",
            "exe=/usr/bin/true",
        ],
        vec!["-m"],
        vec!["--signal", "FOO"],
        vec!["-x"],
        vec!["- s"],
    ];
    let mut failures = Vec::new();
    for args in &cases {
        clear();
        let (rc, rout, rerr) = reference(args);
        let rl = listing();
        clear();
        let (oc, oout, oerr) = ours(args);
        let ol = listing();
        // Our messages may add detail after auditctl's text (the extra
        // argument in parentheses...), never change it.
        let same_err = oerr.lines().count() == rerr.lines().count()
            && oerr
                .lines()
                .zip(rerr.lines())
                .all(|(o, r)| o.starts_with(r));
        if (oc, oout.as_str(), ol.as_str()) != (rc, rout.as_str(), rl.as_str()) || !same_err {
            failures.push(format!(
                "{args:?}: auditctl ({rc}, {rout:?}, {rerr:?}, {rl:?}) ours ({oc}, {oout:?}, {oerr:?}, {ol:?})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    clear();
    let _ = std::fs::remove_file(&file);
}

/// A load that starts with `-D` and fails in the middle puts every rule
/// back, in the kernel's order and byte for byte, and the settings too.
#[test]
fn failed_load_after_delete_all_restores_everything() {
    let Some(mut k) = acquire("failed_load_after_delete_all_restores_everything") else {
        return;
    };
    clear();
    for args in [
        &[
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "openat",
            "-k",
            "one",
        ][..],
        &["-w", "/etc/hosts", "-p", "wa", "-k", "two"],
        &[
            "-A",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "chmod",
            "-k",
            "three",
        ],
        &["-a", "never,exclude", "-F", "msgtype=CWD"],
        &[
            "-A",
            "always,exit",
            "-F",
            "arch=b32",
            "-S",
            "chown",
            "-k",
            "four",
        ],
    ] {
        let (c, _, e) = reference(args);
        assert_eq!(c, 0, "{args:?}: {e}");
    }
    let before_text = listing();
    let before = k.control().list_rules().unwrap();
    let status_before = k.control().get_status().unwrap();
    let file = std::env::temp_dir().join(format!("auditrs-ctl-rb-{}.rules", std::process::id()));
    let rate = status_before.rate_limit + 7;
    std::fs::write(
        &file,
        format!(
            "-D\n-r {rate}\n-a always,exit -F arch=b64 -S execve -k new\n\
             -A always,exit -F arch=b64 -S fchmod -k prepended\n\
             -a always,exit -F dir=/nonexistent-auditrs-dir/ -F perm=wa -k bad\n"
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (c, out, err) = ours(&["-R", f]);
    let _ = std::fs::remove_file(&file);
    assert_eq!(c, 1, "{err}");
    assert!(out.starts_with("No rules\n"), "{out}");
    assert!(out.contains(&format!("rate_limit {rate}\n")), "{out}");
    assert!(
        err.contains(&format!("{f}:5: Error sending add rule data request")),
        "{err}"
    );
    assert!(err.contains("rolled back"), "{err}");
    assert_eq!(listing(), before_text);
    assert_eq!(k.control().list_rules().unwrap(), before);
    assert_eq!(
        k.control().get_status().unwrap().rate_limit,
        status_before.rate_limit
    );
    clear();
}
