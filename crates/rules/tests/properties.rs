//! Acceptance 4 and 6: property tests.
//!
//! - parse -> encode -> decode -> print -> parse is a fixed point for
//!   generated rules (those whose `auditctl -l` text auditctl itself can
//!   load again: no `filetype` (printed as a number auditctl refuses), no
//!   negative gids (printed as `-1`, read back as a group name), no
//!   `exe!=` (auditctl prints every exe field with `=`));
//! - arbitrary bytes through the rule-file parser and the rule-bytes
//!   decoder (the fuzz targets' checks) never panic.

use audit_rules::{is_watch, parse_args, Command, FakeHost, Printer, Rule};
use proptest::prelude::*;

const X86_64: u32 = 0xc000_003e;

fn op() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["=", "!=", "<", ">", "<=", ">=", "&", "&="])
}

fn eq_ne() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["=", "!="])
}

fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.-]{0,15}"
}

/// `-F`/`-C` arguments valid on the exit list.
fn exit_field() -> impl Strategy<Value = Vec<String>> {
    let f = |s: String| vec!["-F".to_string(), s];
    prop_oneof![
        (
            prop::sample::select(vec![
                "uid", "euid", "suid", "fsuid", "auid", "loginuid", "obj_uid"
            ]),
            op(),
            any::<u32>()
        )
            .prop_map(move |(n, o, v)| f(format!("{n}{o}{v}"))),
        (prop::sample::select(vec!["auid", "uid"]), eq_ne())
            .prop_map(move |(n, o)| f(format!("{n}{o}unset"))),
        (
            prop::sample::select(vec!["gid", "egid", "sgid", "fsgid", "obj_gid"]),
            op(),
            0..i32::MAX
        )
            .prop_map(move |(n, o, v)| f(format!("{n}{o}{v}"))),
        (
            prop::sample::select(vec![
                "pid", "ppid", "pers", "devmajor", "devminor", "success"
            ]),
            op(),
            0..i32::MAX
        )
            .prop_map(move |(n, o, v)| f(format!("{n}{o}{v}"))),
        (
            prop::sample::select(vec!["a0", "a1", "a2", "a3"]),
            op(),
            any::<u32>()
        )
            .prop_map(move |(n, o, v)| f(format!("{n}{o}0x{v:x}"))),
        (
            op(),
            prop::sample::select(vec![
                "-EACCES", "-EPERM", "-ENOENT", "EIO", "0", "-22", "13"
            ])
        )
            .prop_map(move |(o, v)| f(format!("exit{o}{v}"))),
        (eq_ne(), any::<u32>()).prop_map(move |(o, v)| f(format!("inode{o}{v}"))),
        (op(), 0u32..46).prop_map(move |(o, v)| f(format!("saddr_fam{o}{v}"))),
        (op(), any::<u32>()).prop_map(move |(o, v)| f(format!("sessionid{o}{v}"))),
        (
            prop::sample::select(vec![
                "subj_user",
                "subj_role",
                "subj_type",
                "obj_user",
                "obj_type",
                "obj_lev_low"
            ]),
            eq_ne(),
            word()
        )
            .prop_map(move |(n, o, v)| f(format!("{n}{o}{v}"))),
        word().prop_map(move |v| f(format!("exe=/usr/bin/{v}"))),
        word().prop_map(move |v| f(format!("path=/p/{v}"))),
        word().prop_map(move |v| f(format!("dir=/d/{v}"))),
        "[rwxa]{1,4}".prop_map(move |v| f(format!("perm={v}"))),
        (
            prop::sample::select(vec![
                ("uid", "euid"),
                ("auid", "obj_uid"),
                ("gid", "sgid"),
                ("fsgid", "obj_gid")
            ]),
            eq_ne()
        )
            .prop_map(|((a, b), o)| vec!["-C".to_string(), format!("{a}{o}{b}")]),
    ]
}

fn syscalls() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(
        vec![
            "open", "openat", "execve", "read", "write", "close", "ptrace", "mount", "unlink",
            "rename", "chmod",
        ],
        0..5,
    )
}

/// Whole command lines for rules auditctl accepts.
fn rule_args() -> impl Strategy<Value = Vec<String>> {
    let exit = (
        prop::sample::select(vec!["always,exit", "never,exit", "exit,always"]),
        prop::sample::select(vec![None, Some("b32"), Some("b64")]),
        syscalls(),
        any::<bool>(),
        prop::collection::vec(exit_field(), 0..6),
        prop::collection::vec(word(), 0..3),
    )
        .prop_map(|(la, arch, sc, all, fields, keys)| {
            let mut a = vec!["-a".to_string(), la.to_string()];
            if let Some(arch) = arch {
                a.extend(["-F".to_string(), format!("arch={arch}")]);
            }
            if all {
                a.extend(["-S".to_string(), "all".to_string()]);
            } else if !sc.is_empty() {
                a.extend(["-S".to_string(), sc.join(",")]);
            }
            a.extend(fields.into_iter().flatten());
            for k in keys {
                a.extend(["-k".to_string(), k]);
            }
            a
        });
    let watch = (
        word(),
        prop::option::of("[rwxa]{1,4}"),
        prop::collection::vec(word(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(p, perm, keys, dir)| {
            let mut a = vec![
                "-w".to_string(),
                format!("/{}/{p}", if dir { "d" } else { "p" }),
            ];
            if let Some(perm) = perm {
                a.extend(["-p".to_string(), perm]);
            }
            for k in keys {
                a.extend(["-k".to_string(), k]);
            }
            a
        });
    let other = (
        prop::sample::select(vec!["always,user", "never,exclude", "always,task"]),
        prop::collection::vec(
            (
                prop::sample::select(vec!["uid", "gid", "pid", "auid"]),
                op(),
                0..i32::MAX,
            ),
            0..4,
        ),
        prop::option::of(prop::sample::select(vec![
            "SYSCALL",
            "USER_LOGIN",
            "1300",
            "CWD",
        ])),
    )
        .prop_map(|(la, fields, msgtype)| {
            let mut a = vec!["-a".to_string(), la.to_string()];
            for (n, o, v) in fields {
                a.extend(["-F".to_string(), format!("{n}{o}{v}")]);
            }
            if let Some(m) = msgtype.filter(|_| la != "always,task") {
                a.extend(["-F".to_string(), format!("msgtype={m}")]);
            }
            a
        });
    let fs = (
        prop::sample::select(vec!["tracefs", "debugfs", "61267"]),
        prop::option::of(word()),
    )
        .prop_map(|(t, k)| {
            let mut a = vec![
                "-a".into(),
                "never,filesystem".into(),
                "-F".into(),
                format!("fstype={t}"),
            ];
            if let Some(k) = k {
                a.extend(["-k".to_string(), k]);
            }
            a
        });
    prop_oneof![4 => exit, 2 => watch, 1 => other, 1 => fs]
}

/// A host where every `/d/...` path of the generator is a directory.
fn host_for(args: &[String]) -> FakeHost {
    let mut h = FakeHost::x86_64();
    for a in args {
        for part in a.split('=') {
            if part.starts_with("/d/") {
                h.dirs.insert(part.as_bytes().to_vec());
            }
        }
    }
    h
}

fn only_rule(args: &[String], host: &FakeHost) -> Option<Rule> {
    match parse_args(args, host).ok()?.commands.as_slice() {
        [Command::AddRule(r)] => Some(r.clone()),
        _ => None,
    }
}

/// auditctl's text for a watch is loadable only when it starts with the
/// path and has one perm field.
fn reloadable(r: &Rule) -> bool {
    use audit_rules::kernel::field::*;
    if !is_watch(r) {
        return true;
    }
    let paths = r
        .fields
        .iter()
        .filter(|f| f.id == WATCH || f.id == DIR)
        .count();
    let perms = r.fields.iter().filter(|f| f.id == PERM).count();
    matches!(r.fields.first().map(|f| f.id), Some(WATCH | DIR)) && paths == 1 && perms == 1
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_encode_decode_print_parse_is_a_fixed_point(args in rule_args()) {
        let host = host_for(&args);
        let rule = only_rule(&args, &host);
        prop_assume!(rule.is_some(), "auditctl refuses {:?}", args);
        let listed = rule.unwrap().as_listed_by_kernel();
        prop_assume!(reloadable(&listed));
        let bytes = listed.to_bytes().unwrap();
        let decoded = Rule::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&decoded, &listed);
        let text = String::from_utf8(Printer::new(Some(X86_64), false).rule(&decoded)).unwrap();
        let words: Vec<String> = text.split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
        let again = only_rule(&words, &host);
        prop_assert!(again.is_some(), "printed text {:?} does not parse", text);
        let again = again.unwrap().as_listed_by_kernel();
        prop_assert_eq!(again.to_bytes().unwrap(), bytes, "{:?} -> {}", args, text);
    }

    #[test]
    fn rule_text_never_panics(data in prop::collection::vec(any::<u8>(), 0..400)) {
        audit_rules::check::rule_text(&data);
    }

    #[test]
    fn rule_like_text_never_panics(words in prop::collection::vec(
        prop_oneof![
            Just("-a".to_string()), Just("-A".to_string()), Just("-d".to_string()),
            Just("-w".to_string()), Just("-W".to_string()), Just("-F".to_string()),
            Just("-S".to_string()), Just("-k".to_string()), Just("-p".to_string()),
            Just("-C".to_string()), Just("-D".to_string()), Just("-l".to_string()),
            Just("always,exit".to_string()), Just("exit,never".to_string()),
            Just("arch=b32".to_string()), Just("\\ ".to_string()), Just("#".to_string()),
            "[a-z_]{1,8}[=<>!&]{1,2}[a-z0-9/-]{0,8}",
            "[ -~]{0,12}",
        ], 0..12)) {
        audit_rules::check::rule_text(words.join(" ").as_bytes());
    }

    #[test]
    fn rule_bytes_never_panics(data in prop::collection::vec(any::<u8>(), 0..1200)) {
        audit_rules::check::rule_bytes(&data);
    }

    #[test]
    fn mutated_rule_bytes_never_panic(args in rule_args(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6), cut in any::<prop::sample::Index>()) {
        let host = host_for(&args);
        if let Some(r) = only_rule(&args, &host) {
            let mut b = r.to_bytes().unwrap();
            audit_rules::check::rule_bytes(&b);
            for (i, v) in flips {
                let i = i.index(b.len());
                b[i] = v;
            }
            audit_rules::check::rule_bytes(&b);
            let n = cut.index(b.len() + 1);
            audit_rules::check::rule_bytes(&b[..n]);
        }
    }
}
