//! Unit tests of `parse.rs` (auditctl option processing).
use super::*;
use crate::host::FakeHost;
use crate::rule::{Field, Operator, Value};

fn parse(args: &[&str]) -> Result<Parsed, RuleError> {
    parse_args(args, &FakeHost::x86_64().with_dir("/etc"))
}

fn commands(args: &[&str]) -> Vec<Command> {
    parse(args)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .commands
}

fn rule(args: &[&str]) -> crate::rule::Rule {
    match commands(args).as_slice() {
        [Command::AddRule(r)] | [Command::DeleteRule(r)] => r.clone(),
        c => panic!("{args:?}: {c:?}"),
    }
}

#[test]
fn settings_are_followed_by_one_status() {
    assert_eq!(
        commands(&["-e", "1"]),
        vec![Command::SetEnabled(1), Command::Status { interpret: false }]
    );
    assert_eq!(
        commands(&["-b", "0x100", "-r", "5"]),
        vec![
            Command::SetBacklogLimit(256),
            Command::Status { interpret: false },
            Command::SetRateLimit(5)
        ]
    );
    assert_eq!(
        commands(&["--backlog_wait_time=10"])[0],
        Command::SetBacklogWaitTime(10)
    );
    // With a rule on the same line, auditctl sends the rule instead.
    let c = commands(&["-f", "1", "-w", "/etc/passwd"]);
    assert_eq!(c.len(), 2);
    assert!(matches!(c[1], Command::AddRule(_)));
}

#[test]
fn list_status_delete_all() {
    assert_eq!(
        commands(&["-l"]),
        vec![Command::List {
            key: vec![],
            interpret: false
        }]
    );
    assert_eq!(
        commands(&["-l", "-i"]),
        vec![Command::List {
            key: vec![],
            interpret: true
        }]
    );
    assert_eq!(
        commands(&["-l", "-k", "abc"]),
        vec![Command::List {
            key: b"abc".to_vec(),
            interpret: false
        }]
    );
    assert_eq!(
        commands(&["-s", "-i"]),
        vec![Command::Status { interpret: true }]
    );
    assert_eq!(
        commands(&["-D", "-k", "x"]),
        vec![
            Command::DeleteAll { key: b"x".to_vec() },
            Command::List {
                key: b"x".to_vec(),
                interpret: false
            }
        ]
    );
    assert_eq!(
        commands(&["-R", "/etc/audit/audit.rules"]),
        vec![Command::LoadFile(b"/etc/audit/audit.rules".to_vec())]
    );
    assert_eq!(parse(&["-R", "f", "-l"]), Err(RuleError::NestedRuleFile));
}

#[test]
fn other_commands() {
    assert_eq!(commands(&["-v"]), vec![Command::Version]);
    assert_eq!(commands(&["-h"]), vec![Command::Help]);
    assert_eq!(commands(&["-i"]), vec![Command::IgnoreErrors]);
    assert_eq!(commands(&["-c"]), vec![Command::ContinueOnError]);
    assert_eq!(commands(&["--reset-lost"]), vec![Command::ResetLost]);
    assert_eq!(
        commands(&["--loginuid-immutable"]),
        vec![Command::LoginuidImmutable]
    );
    assert_eq!(
        commands(&["--signal", "hup"]),
        vec![Command::Signal(libc::SIGHUP)]
    );
    assert_eq!(
        commands(&["-m", "hello world"]),
        vec![Command::UserMessage(b"hello world".to_vec())]
    );
    assert_eq!(
        parse(&["-m", "caf\u{e9}"]),
        Err(RuleError::UserMessageCharacter)
    );
    assert_eq!(commands(&["-t"]), vec![Command::TrimSubtrees]);
    assert_eq!(
        commands(&["-q", "/m,/m/s"]),
        vec![Command::MakeEquivalent {
            mount: b"/m".to_vec(),
            subtree: b"/m/s".to_vec()
        }]
    );
}

#[test]
fn rules() {
    let r = rule(&[
        "-A",
        "exit,never",
        "-F",
        "arch=b32",
        "-S",
        "open,5",
        "-F",
        "key=a",
        "-k",
        "b",
    ]);
    assert!(r.prepend);
    assert_eq!(r.action, Action::Never);
    assert!(r.has_syscall(5) && r.mask.iter().map(|w| w.count_ones()).sum::<u32>() == 1);
    assert_eq!(
        r.fields[0],
        Field::num(field::ARCH, Operator::Equal, AUDIT_ARCH_I386)
    );
    assert_eq!(
        r.fields[1],
        Field::string(field::FILTERKEY, Operator::Equal, &b"a\x01b"[..])
    );
    let w = rule(&["-w", "/etc/", "-p", "wa"]);
    assert_eq!(
        w.fields[0],
        Field::string(field::DIR, Operator::Equal, &b"/etc"[..])
    );
    assert_eq!(
        w.fields[1].value,
        Value::Num(AUDIT_PERM_WRITE | AUDIT_PERM_ATTR)
    );
    let d = rule(&["-W", "/etc/shadow"]);
    assert_eq!(
        d.fields[0],
        Field::string(field::WATCH, Operator::Equal, &b"/etc/shadow"[..])
    );
    let t = rule(&["-a", "always,task", "-F", "uid=0"]);
    assert_eq!(t.mask, [0; AUDIT_BITMASK_SIZE]);
    assert!(parse(&["-a", "exit,possible"]).unwrap().commands.is_empty());
}

#[test]
fn warnings() {
    let p = parse(&["-a", "always,exit", "-S", "open"]).unwrap();
    assert_eq!(
        p.warnings,
        vec!["WARNING - 32/64 bit syscall mismatch, you should specify an arch"]
    );
    let p = parse(&["-w", "/tmp/../x*"]).unwrap();
    assert_eq!(p.warnings.len(), 2);
    let p = parse_words(
        vec![
            b"-a".to_vec(),
            b"always,exit".to_vec(),
            b"-S".to_vec(),
            b"open".to_vec(),
        ],
        7,
        &FakeHost::x86_64(),
    )
    .unwrap();
    assert!(p.warnings[0].contains("in line 7"));
}

#[test]
fn unknown_machine() {
    let mut h = FakeHost::x86_64();
    h.arch = None;
    assert_eq!(
        parse_args(&["-a", "always,exit", "-S", "open"], &h),
        Err(RuleError::UnknownMachine)
    );
    assert!(parse_args(&["-a", "always,exit", "-F", "arch=b64"], &h).is_err());
    assert!(parse_args(
        &["-a", "always,exit", "-F", "arch=x86_64", "-S", "open"],
        &h
    )
    .is_ok());
}

#[test]
fn kernel_features_gate_fields() {
    let mut h = FakeHost::x86_64();
    h.features = 0;
    let e = parse_args(&["-a", "always,exit", "-F", "exe=/bin/ls"], &h).unwrap_err();
    assert!(matches!(
        e,
        RuleError::Field {
            kind: crate::FieldErrorKind::NotSupported,
            ..
        }
    ));
    let e = parse_args(&["-a", "always,exclude", "-F", "uid=0"], &h).unwrap_err();
    assert!(matches!(
        e,
        RuleError::Field {
            kind: crate::FieldErrorKind::NotSupported,
            ..
        }
    ));
    assert!(parse_args(&["-a", "always,exclude", "-F", "msgtype=CWD"], &h).is_ok());
}

#[test]
fn basename_as_libgen() {
    assert_eq!(basename(b"/"), b"/");
    assert_eq!(basename(b"/a/b"), b"b");
    assert_eq!(basename(b"/a/b//"), b"b");
    assert_eq!(basename(b"a"), b"a");
}

#[test]
fn io_uring_list() {
    let r = rule(&["-a", "always,io_uring", "-F", "uid=0"]);
    assert_eq!(r.list, crate::rule::FilterList::IoUring);
    assert!(r.mask.iter().all(|&w| w == u32::MAX));
}

/// `-S` on the io_uring list names io_uring ops (auditctl 3.1's table),
/// not syscalls: openat is op 18 whatever the arch (syscall 257 on x86_64).
#[test]
fn io_uring_ops_in_syscall_option() {
    let r = rule(&["-a", "io_uring,always", "-S", "openat,Connect", "-k", "u"]);
    let ops: Vec<u32> = (0..2048).filter(|&n| r.has_syscall(n)).collect();
    assert_eq!(ops, vec![16, 18]);
    let r = rule(&["-a", "always,io_uring", "-S", "0x13", "-S", "48"]);
    assert_eq!(
        (0..2048).filter(|&n| r.has_syscall(n)).collect::<Vec<_>>(),
        vec![19, 48]
    );
    let text = String::from_utf8(crate::Printer::new(Some(0xc000_003e), false).rule(&r)).unwrap();
    assert_eq!(text, "-a always,io_uring -S close,sendmsg_zc");
    let r = rule(&["-a", "always,io_uring", "-S", "all"]);
    assert!(r.mask.iter().all(|&w| w == u32::MAX));
    for bad in ["nop", "read", "execve", "2048", "-1"] {
        assert_eq!(
            parse(&["-a", "always,io_uring", "-S", bad]),
            Err(RuleError::UnknownIoUringOp { name: bad.into() }),
            "{bad}"
        );
    }
}
