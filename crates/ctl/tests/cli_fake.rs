//! The whole `auditrs ctl` front end (argument handling, files, exit codes,
//! output) over the real rule parser and the fake kernel: the paths that
//! must never reach a real kernel (`-e 2`, `-f 2`, `--loginuid-immutable`)
//! and the all-or-nothing loads.

use std::path::{Path, PathBuf};

use audit_ctl::cli::{run, Env};
use audit_ctl::executor::Console;
use audit_ctl::fake::{Call, FakeKernel};
use audit_ctl::syntax::{RulesSyntax, RulesText};
use audit_ctl::KernelError;
use audit_rules::FakeHost;

const X86_64: u32 = 0xc000_003e;

struct Outcome {
    code: i32,
    out: String,
    err: String,
}

fn ctl_as(k: &mut FakeKernel, args: &[&str], can_control: bool) -> Outcome {
    let syntax = RulesSyntax {
        host: FakeHost::x86_64().with_dir("/etc").with_dir("/tmp"),
    };
    let text = RulesText {
        host_arch: Some(X86_64),
    };
    let mut slot = Some(k);
    let mut open = || {
        slot.take()
            .ok_or_else(|| KernelError::Other("opened twice".into()))
    };
    let mut env = Env {
        syntax: &syntax,
        text: &text,
        open: &mut open,
        can_control,
        // SAFETY: geteuid has no preconditions.
        rules_file_owner: unsafe { libc::geteuid() },
    };
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut con = Console {
            out: &mut out,
            err: &mut err,
        };
        run(&args, &mut env, &mut con)
    };
    Outcome {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

fn ctl(k: &mut FakeKernel, args: &[&str]) -> Outcome {
    ctl_as(k, args, true)
}

/// A rules file in the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn to_str(&self) -> Option<&str> {
        self.0.to_str()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_file(name: &str, text: &str) -> TempFile {
    let p = std::env::temp_dir().join(format!("auditrs-ctl-fake-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    TempFile(p)
}

fn conformance(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/auditd-3.0.9-rules")
        .join(name);
    assert!(
        p.exists(),
        "conformance data missing: {} (../shared beside the checkout)",
        p.display()
    );
    p
}

#[test]
fn locked_config_like_auditctl() {
    let mut k = FakeKernel::new();
    let o = ctl(
        &mut k,
        &[
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "execve",
            "-k",
            "x",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.err);
    let o = ctl(&mut k, &["-e", "2"]);
    assert_eq!(o.code, 0, "{}", o.err);
    assert!(o.out.starts_with("enabled 2\nfailure 1\n"), "{}", o.out);
    assert!(!o.out.contains("loginuid_immutable"), "{}", o.out);
    let rules = k.rules();
    // Rule adds and deletes: auditctl 3.0.9's is_ready message, exit 0
    // (`main`: `if (is_ready(fd) == 0) return 0;`), nothing sent.
    let immutable = "The audit system is in immutable mode, no rule changes allowed\n";
    for args in [
        &["-a", "always,exit", "-F", "arch=b64", "-S", "openat"][..],
        &[
            "-d",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "execve",
            "-k",
            "x",
        ],
        &["-w", "/etc/passwd", "-p", "wa"],
        &["-W", "/etc/passwd"],
    ] {
        let calls = k.calls.len();
        let o = ctl(&mut k, args);
        assert_eq!(
            (o.code, o.err.as_str(), o.out.as_str()),
            (0, immutable, ""),
            "{args:?}"
        );
        assert!(
            !k.calls[calls..]
                .iter()
                .any(|c| matches!(c, Call::AddRule(_) | Call::DeleteRule(_))),
            "{args:?} reached the kernel: {:?}",
            &k.calls[calls..]
        );
    }
    // -D is not checked by is_ready: the kernel refuses the first delete
    // (delete_all_rules: "Error deleting rule (...)", exit 255) ...
    let o = ctl(&mut k, &["-D"]);
    assert_eq!(
        (o.code, o.err.as_str(), o.out.as_str()),
        (255, "Error deleting rule (Operation not permitted)\n", "")
    );
    // ... and with nothing to delete it succeeds (`-D -k` prints nothing,
    // as checked against auditctl in tests/live.rs).
    let o = ctl(&mut k, &["-D", "-k", "nomatch"]);
    assert_eq!((o.code, o.err.as_str(), o.out.as_str()), (0, "", ""));
    assert_eq!(k.rules(), rules);
    // Settings: the kernel's EPERM, as libaudit words it, exit 255.
    let o = ctl(&mut k, &["-b", "100"]);
    assert_eq!(
        (o.code, o.err.as_str(), o.out.as_str()),
        (
            255,
            "Error sending backlog limit request (Operation not permitted)\n",
            ""
        )
    );
    let o = ctl(&mut k, &["-e", "1"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (
            255,
            "Error sending enable request (Operation not permitted)\n"
        )
    );
    // -R: is_ready before the file is opened: the message, exit 0.
    let f = temp_file("locked.rules", "-D\n-a always,exit -F arch=b64 -S chmod\n");
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!((o.code, o.err.as_str()), (0, immutable));
    let o = ctl(&mut k, &["-R", "/nonexistent/locked.rules"]);
    assert_eq!((o.code, o.err.as_str()), (0, immutable));
    assert_eq!(k.rules(), rules);
    // Reading still works.
    let o = ctl(&mut k, &["-s", "-i"]);
    assert!(
        o.out.starts_with("enabled enabled+immutable\n"),
        "{}",
        o.out
    );
    let o = ctl(&mut k, &["-l"]);
    assert_eq!(o.out, "-a always,exit -F arch=b64 -S execve -F key=x\n");
}

#[test]
fn failure_panic_mode_is_set_and_shown() {
    let mut k = FakeKernel::new();
    let o = ctl(&mut k, &["-f", "2"]);
    assert_eq!(o.code, 0, "{}", o.err);
    assert_eq!(
        o.out,
        "enabled 1\nfailure 2\npid 0\nrate_limit 0\nbacklog_limit 8192\nlost 0\nbacklog 0\n\
         backlog_wait_time 60000\nbacklog_wait_time_actual 0\n"
    );
    assert_eq!(k.status.failure, 2);
    let o = ctl(&mut k, &["-s", "-i"]);
    assert!(o.out.contains("failure panic\n"), "{}", o.out);
    let o = ctl(&mut k, &["-f", "3"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (255, "Failure must be 0, 1, or 2 was 3\n")
    );
}

#[test]
fn loginuid_immutable_file_on_the_fake_kernel() {
    let mut k = FakeKernel::new();
    let f = conformance("11-loginuid.rules");
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.err);
    assert!(k.calls.contains(&Call::SetLoginuidImmutable));
    let o = ctl(&mut k, &["-s"]);
    assert!(
        o.out.ends_with("loginuid_immutable 1 locked\n"),
        "{}",
        o.out
    );
}

#[test]
fn base_config_file_sets_status_and_prints_blocks() {
    let mut k = FakeKernel::new();
    k.status.backlog_limit = 64;
    let f = conformance("10-base-config.rules");
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.err);
    assert_eq!(k.status.backlog_limit, 8192);
    assert_eq!(k.status.failure, 1);
    assert_eq!(k.status.backlog_wait_time, Some(60000));
    // -D lists ("No rules"), then one status block per setting line.
    assert!(o.out.starts_with("No rules\nenabled 1\n"), "{}", o.out);
    assert_eq!(
        o.out.matches("backlog_limit 8192\n").count(),
        3,
        "{}",
        o.out
    );
}

#[test]
fn kernel_rejection_mid_file_rolls_back_settings_and_rules() {
    let mut k = FakeKernel::new();
    ctl(&mut k, &["-w", "/etc/passwd", "-p", "wa", "-k", "keep"]);
    let before = k.rules();
    let f = temp_file(
        "mid.rules",
        "-D\n-b 320\n-a always,exit -F arch=b64 -S chmod -k a\n-w /etc/shadow -p wa -k b\n\
         -w /etc/passwd -p wa -k keep\n",
    );
    // The kernel refuses the load's third add (line 5), as it does for a
    // watch whose directory vanished: ENOENT.
    let adds_so_far = k
        .calls
        .iter()
        .filter(|c| matches!(c, Call::AddRule(_)))
        .count();
    k.fail_adds
        .push((adds_so_far + 2, audit_ctl::kernel::errno::ENOENT));
    let fname = f.to_str().unwrap().to_string();
    let o = ctl(&mut k, &["-R", &fname]);
    assert_eq!(o.code, 1);
    assert!(
        o.err.contains(&format!(
            "{fname}:5: Error sending add rule data request (No such file or directory)"
        )),
        "{}",
        o.err
    );
    assert!(o.err.contains("rolled back"), "{}", o.err);
    assert_eq!(k.rules(), before);
    assert_eq!(k.status.backlog_limit, 8192);
}

#[test]
fn bad_line_and_continue_semantics() {
    let mut k = FakeKernel::new();
    let bad = "-a always,exit -F arch=b64 -S chmod -k a\n-a always,exit -F foo=1\n-a always,exit -F arch=b64 -S chown -k b\n";
    let f = temp_file("bad.rules", bad);
    let fname = f.to_str().unwrap().to_string();
    let o = ctl(&mut k, &["-R", &fname]);
    assert_eq!(o.code, 1);
    assert!(
        o.err
            .starts_with(&format!("{fname}:2: -F unknown field: foo\n")),
        "{}",
        o.err
    );
    assert_eq!(k.rule_changes(), 0, "nothing may reach the kernel");

    let f = temp_file("c.rules", &format!("-c\n{bad}"));
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!(o.code, 1, "-c: exit 1 at the end");
    assert_eq!(k.rules().len(), 2);

    let mut k = FakeKernel::new();
    let f = temp_file("i.rules", &format!("-i\n{bad}"));
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!(o.code, 0, "-i: exit 0");
    assert_eq!(k.rules().len(), 2);
    assert!(o.err.contains(":3: -F unknown field: foo"), "{}", o.err);
}

#[test]
fn front_end_modes_and_exit_codes() {
    let mut k = FakeKernel::new();
    let o = ctl(&mut k, &[]);
    assert_eq!(o.code, 1);
    assert!(o.out.starts_with("usage: auditctl [options]\n"));
    let o = ctl(&mut k, &["-h"]);
    assert_eq!(o.code, 255);
    assert!(o.out.starts_with("usage: auditctl [options]\n"));
    let o = ctl(&mut k, &["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.out.contains("--dump-bytes"), "{}", o.out);
    let o = ctl(&mut k, &["-v"]);
    assert_eq!((o.code, o.out.as_str()), (0, "auditctl version 3.0.9\n"));
    let o = ctl_as(&mut k, &["-l"], false);
    assert_eq!(
        (o.code, o.err.as_str()),
        (4, "You must be root to run this program.\n")
    );
    let o = ctl(&mut k, &["-R", "/nonexistent/auditrs.rules"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (
            1,
            "audit rules file /nonexistent/auditrs.rules doesn't exist\n"
        )
    );
    let o = ctl(&mut k, &["-k", "foo"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (
            255,
            "key option needs a watch or syscall given prior to it\n"
        )
    );
    let o = ctl(&mut k, &["-m", "hello"]);
    assert_eq!(o.code, 0, "{}", o.err);
    assert!(k.calls.contains(&Call::UserMessage(b"text=hello".to_vec())));
    let o = ctl(&mut k, &["--signal", "HUP"]);
    assert_eq!((o.code, o.err.as_str()), (2, "Auditd is not running\n"));
}

#[test]
fn check_and_dump_bytes_need_no_kernel() {
    // A kernel that panics if touched would be better; the fake records.
    let mut k = FakeKernel::new();
    let good = conformance("30-ospp-v42-1-create-failed.rules");
    let chrony = conformance("22-ignore-chrony.rules");
    let o = ctl_as(
        &mut k,
        &["--check", good.to_str().unwrap(), chrony.to_str().unwrap()],
        false,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.out
            .contains("30-ospp-v42-1-create-failed.rules: 12 command line(s) OK"),
        "{}",
        o.out
    );
    assert!(
        o.err
            .contains("22-ignore-chrony.rules:2: Unknown user: chrony"),
        "{}",
        o.err
    );
    let dup = temp_file("dup.rules", "-w /etc/hosts -p wa\n-w /etc/hosts -p wa\n");
    let o = ctl_as(&mut k, &["--check", dup.to_str().unwrap()], false);
    assert_eq!(o.code, 1);
    assert!(
        o.err
            .contains("dup.rules:2: Rule exists (the same rule as line 1)"),
        "{}",
        o.err
    );
    // A directory: its *.rules files, each checked, in augenrules order.
    let dir = chrony.parent().unwrap().to_str().unwrap().to_string();
    let o = ctl_as(&mut k, &["--check", &dir], false);
    assert_eq!(o.code, 1);
    let first = o
        .out
        .find("10-base-config.rules:")
        .expect("10-base-config checked");
    let later = o
        .out
        .find("99-finalize.rules:")
        .expect("99-finalize checked");
    assert!(first < later, "{}", o.out);
    assert_eq!(o.out.lines().count(), 34, "{}", o.out);
    let o = ctl_as(
        &mut k,
        &[
            "--dump-bytes",
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "execve",
            "-k",
            "x",
        ],
        false,
    );
    assert_eq!(o.code, 0, "{}", o.err);
    let hex = o.out.trim();
    // flags=4 (exit), action=2 (always), field_count=2: little-endian words.
    assert!(hex.starts_with("040000000200000002000000"), "{hex}");
    assert_eq!(hex.len(), (1040 + 1) * 2, "header plus the 1-byte key");
    assert!(hex.ends_with("78"), "{hex}");
    let o = ctl_as(&mut k, &["--dump-bytes", "-s"], false);
    assert_eq!(o.code, 255);
    assert!(
        k.calls.is_empty(),
        "--check/--dump-bytes touched the kernel: {:?}",
        k.calls
    );
}

#[test]
fn trim_and_make_equivalent() {
    let mut k = FakeKernel::new();
    k.paths = vec![b"/srv/w".to_vec(), b"/mnt/b".to_vec()];
    let o = ctl(&mut k, &["-t"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(k.calls.last(), Some(&Call::TrimSubtrees));
    let o = ctl(&mut k, &["-q", "/srv/w,/mnt/b"]);
    assert_eq!((o.code, o.out.as_str(), o.err.as_str()), (0, "", ""));
    assert_eq!(
        k.equivalences,
        vec![(b"/srv/w".to_vec(), b"/mnt/b".to_vec())]
    );
    // libaudit's message with the kernel's errno, exit 255.
    let o = ctl(&mut k, &["-q", "/srv/w,/mnt/missing"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (
            255,
            "Error sending make_equivalent command (No such file or directory)\n"
        )
    );
    let o = ctl(&mut k, &["-q", ",/mnt/b"]);
    assert_eq!(
        (o.code, o.err.as_str()),
        (
            255,
            "Error sending make_equivalent command (Invalid argument)\n"
        )
    );
    // Parse errors (audit-rules): no request reaches the kernel.
    let calls = k.calls.len();
    for bad in ["/srv/w", "/srv/w,", "/a,/b,/c"] {
        let o = ctl(&mut k, &["-q", bad]);
        assert_eq!(
            (o.code, o.err.as_str()),
            (
                255,
                format!("Error parsing equivalent parts ({bad})\n").as_str()
            ),
        );
    }
    assert_eq!(k.calls.len(), calls);
    // Neither request is refused by the enabled=2 lock.
    k.status.enabled = 2;
    assert_eq!(ctl(&mut k, &["-t"]).code, 0);
    assert_eq!(ctl(&mut k, &["-q", "/srv/w,/mnt/b"]).code, 0);
    // In a rules file: executed in order, never rolled back.
    k.status.enabled = 1;
    let f = temp_file(
        "trees.rules",
        "-t\n-q /srv/w,/mnt/b\n-a always,exit -F arch=b64 -S chmod\n-q /srv/w,/nowhere\n",
    );
    let before = k.equivalences.len();
    let o = ctl(&mut k, &["-R", f.to_str().unwrap()]);
    assert_eq!(o.code, 1);
    assert!(
        o.err
            .contains(":4: Error sending make_equivalent command (No such file or directory)"),
        "{}",
        o.err
    );
    assert!(k.rules().is_empty(), "the chmod rule is rolled back");
    assert_eq!(k.equivalences.len(), before + 1);
}

/// A kernel that refuses the socket (ECONNREFUSED: audit disabled at boot,
/// or a caller outside the initial user namespace).
fn refusing(args: &[&str]) -> Outcome {
    let syntax = RulesSyntax {
        host: FakeHost::x86_64().with_dir("/etc").with_dir("/tmp"),
    };
    let text = RulesText {
        host_arch: Some(X86_64),
    };
    let mut k = Refusing;
    let mut slot = Some(&mut k);
    let mut open = || {
        slot.take()
            .ok_or_else(|| KernelError::Other("opened twice".into()))
    };
    let mut env = Env {
        syntax: &syntax,
        text: &text,
        open: &mut open,
        can_control: true,
        // SAFETY: geteuid has no preconditions.
        rules_file_owner: unsafe { libc::geteuid() },
    };
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(
        &args,
        &mut env,
        &mut Console {
            out: &mut out,
            err: &mut err,
        },
    );
    Outcome {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

struct Refusing;

impl audit_ctl::Kernel for Refusing {
    fn get_status(&mut self) -> Result<audit_ctl::Status, KernelError> {
        Err(refused())
    }
    fn set_status(&mut self, _: audit_ctl::StatusChange) -> Result<(), KernelError> {
        Err(refused())
    }
    fn reset_lost(&mut self) -> Result<u32, KernelError> {
        Err(refused())
    }
    fn reset_backlog_wait_time_actual(&mut self) -> Result<u32, KernelError> {
        Err(refused())
    }
    fn get_features(&mut self) -> Result<audit_ctl::Features, KernelError> {
        Err(refused())
    }
    fn set_loginuid_immutable(&mut self) -> Result<(), KernelError> {
        Err(refused())
    }
    fn list_rules(&mut self) -> Result<Vec<Vec<u8>>, KernelError> {
        Err(refused())
    }
    fn add_rule(&mut self, _: &[u8]) -> Result<(), KernelError> {
        Err(refused())
    }
    fn delete_rule(&mut self, _: &[u8]) -> Result<(), KernelError> {
        Err(refused())
    }
    fn send_user_message(&mut self, _: &[u8]) -> Result<(), KernelError> {
        Err(refused())
    }
    fn trim_subtrees(&mut self) -> Result<(), KernelError> {
        Err(refused())
    }
    fn make_equivalent(&mut self, _: &[u8], _: &[u8]) -> Result<(), KernelError> {
        Err(refused())
    }
}

fn refused() -> KernelError {
    KernelError::Errno(audit_ctl::kernel::errno::ECONNREFUSED)
}

/// Exit codes of auditctl 3.0.9 run in a user namespace
/// (`unshare -Ur auditctl ...`, where the kernel answers ECONNREFUSED),
/// recorded on the development machine (Debian 12, Linux 6.18).
#[test]
fn refused_socket_exit_codes_like_auditctl() {
    let f = temp_file("refused.rules", "-D\n-a always,exit -F arch=b64 -S chmod\n");
    let cases: &[(&[&str], i32)] = &[
        (&["-a", "always,exit", "-F", "arch=b64", "-S", "openat"], 0),
        (&["-w", "/tmp/x"], 0),
        (&["-W", "/tmp/x"], 0),
        (&["-s"], 0),
        (&["-s", "-i"], 0),
        (&["-R", f.to_str().unwrap()], 0),
        // auditctl asks is_ready before opening the file.
        (&["-R", "/nonexistent/auditrs.rules"], 0),
        (&["-l"], 255),
        (&["-D"], 255),
        (&["-t"], 255),
        (&["-q", "/tmp,/var"], 255),
        (&["-b", "100"], 255),
        (&["-e", "1"], 255),
        (&["-m", "hello"], 255),
        (&["--reset-lost"], 255),
    ];
    for (args, code) in cases {
        let o = refusing(args);
        assert_eq!(o.code, *code, "{args:?}: {}", o.err);
        assert_eq!(o.err, "The audit system is disabled\n", "{args:?}");
        assert_eq!(o.out, "", "{args:?}");
    }
}

#[test]
fn rules_file_checks_like_auditctl() {
    use std::os::unix::fs::PermissionsExt;
    let mut k = FakeKernel::new();
    let f = temp_file("perm.rules", "-a always,exit -F arch=b64 -S chmod\n");
    std::fs::set_permissions(&f.0, std::fs::Permissions::from_mode(0o666)).unwrap();
    let name = f.to_str().unwrap();
    let o = ctl(&mut k, &["-R", name]);
    assert_eq!(
        (o.code, o.err.clone()),
        (1, format!("Error - {name} is world writable\n"))
    );
    // --check reads it anyway (no kernel, no trust decision).
    assert_eq!(ctl(&mut k, &["--check", name]).code, 0);
    std::fs::set_permissions(&f.0, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(ctl(&mut k, &["-R", name]).code, 0);
    assert_eq!(k.rules().len(), 1);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&f.0, Some(65534), None).unwrap();
        let o = ctl(&mut k, &["-R", name]);
        assert_eq!(
            (o.code, o.err.clone()),
            (1, format!("Error - {name} isn't owned by root\n"))
        );
    }
    let dir = std::env::temp_dir().join(format!("auditrs-ctl-fake-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = ctl(&mut k, &["-R", dir.to_str().unwrap()]);
    let _ = std::fs::remove_dir(&dir);
    assert_eq!(
        (o.code, o.err),
        (
            1,
            format!("Error - {} is not a regular file\n", dir.display())
        )
    );
}
