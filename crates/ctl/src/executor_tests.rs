//! Executor tests against the fake kernel.

use super::*;
use crate::fake::FakeKernel;
use crate::listing::tests::rule_with;
use crate::status::StatusChange;

/// Prints a rule as its list number and key (enough to tell rules apart).
struct TagText;
impl RuleText for TagText {
    fn listing(&self, rules: &[&[u8]], _interpret: bool) -> Vec<Result<Vec<u8>, String>> {
        rules
            .iter()
            .map(|rule| {
                let r = audit_rules::Rule::from_bytes(rule).map_err(|e| e.to_string())?;
                let mut out = format!("list{} key=", rule[0]).into_bytes();
                out.extend_from_slice(&r.keys().join(&b","[..]));
                Ok(out)
            })
            .collect()
    }
}

fn keyed(key: &str) -> Vec<u8> {
    rule_with(4, &[(210, key.len() as u32)], key.as_bytes())
}

fn add(key: &str) -> Request {
    Request::AddRule(keyed(key))
}

fn line(lineno: usize, reqs: Vec<Request>) -> FileLine {
    FileLine {
        lineno,
        parsed: Ok(reqs),
    }
}

fn bad(lineno: usize, msg: &str) -> FileLine {
    FileLine {
        lineno,
        parsed: Err(msg.to_string()),
    }
}

/// Runs `f` with a console, returns (result, stdout, stderr).
fn with_console<T>(f: impl FnOnce(&mut Console) -> T) -> (T, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let r = {
        let mut con = Console {
            out: &mut out,
            err: &mut err,
        };
        f(&mut con)
    };
    (
        r,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn load(k: &mut FakeKernel, lines: &[FileLine]) -> (i32, String, String) {
    with_console(|con| Executor::new(k, &TagText).load("f.rules", lines, con))
}

fn run(k: &mut FakeKernel, reqs: &[Request]) -> (Result<(), CtlError>, String, String) {
    with_console(|con| Executor::new(k, &TagText).run_line(reqs, con))
}

#[test]
fn clean_load_adds_in_order() {
    let mut k = FakeKernel::new();
    let (code, out, err) = load(&mut k, &[line(1, vec![add("a")]), line(3, vec![add("b")])]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(k.rules(), vec![keyed("a"), keyed("b")]);
}

#[test]
fn bad_line_sends_nothing() {
    let mut k = FakeKernel::new();
    k.add_rule(&keyed("old")).unwrap();
    k.calls.clear();
    let lines = [
        line(1, vec![add("a")]),
        bad(4, "-F unknown field: foo"),
        line(5, vec![add("b")]),
    ];
    let (code, _, err) = load(&mut k, &lines);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("f.rules:4: -F unknown field: foo\n"),
        "{err}"
    );
    assert!(k.calls.is_empty(), "{:?}", k.calls);
    assert_eq!(k.rules(), vec![keyed("old")]);
}

#[test]
fn duplicate_in_file_sends_nothing() {
    let mut k = FakeKernel::new();
    let lines = [line(1, vec![add("a")]), line(2, vec![add("a")])];
    let (code, _, err) = load(&mut k, &lines);
    assert_eq!(code, 1);
    assert!(
        err.contains("f.rules:2: Rule exists (the same rule as line 1)"),
        "{err}"
    );
    assert_eq!(k.rule_changes(), 0);
    // Deleting in between makes the second add legitimate.
    let lines = [
        line(1, vec![add("a")]),
        line(2, vec![Request::DeleteRule(keyed("a"))]),
        line(3, vec![add("a")]),
    ];
    assert_eq!(load(&mut k, &lines).0, 0);
    assert_eq!(k.rules(), vec![keyed("a")]);
}

#[test]
fn kernel_rejection_mid_load_rolls_back() {
    let mut k = FakeKernel::new();
    k.add_rule(&keyed("old1")).unwrap();
    k.add_rule(&keyed("old2")).unwrap();
    let before = k.rules();
    // Adds #0 and #1 were the setup; the load's third add (#4) fails.
    k.fail_adds.push((4, errno::EINVAL));
    let lines = [
        line(
            1,
            vec![
                Request::Set(StatusChange::BacklogLimit(320)),
                Request::Status {
                    interpret: false,
                    features: false,
                },
            ],
        ),
        line(2, vec![add("a")]),
        line(3, vec![add("b")]),
        line(4, vec![add("c")]),
        line(5, vec![add("d")]),
    ];
    let (code, out, err) = load(&mut k, &lines);
    assert_eq!(code, 1);
    assert!(out.contains("backlog_limit 320\n"), "{out}");
    assert!(
        err.contains("f.rules:4: Error sending add rule data request (Invalid argument)\n"),
        "{err}"
    );
    assert!(err.contains("2 rule(s) removed"), "{err}");
    assert_eq!(k.rules(), before);
    assert_eq!(k.status.backlog_limit, 8192);
    assert!(!k.calls.contains(&crate::fake::Call::AddRule(keyed("d"))));
}

#[test]
fn rollback_after_delete_all_restores_rules_and_order() {
    let mut k = FakeKernel::new();
    for key in ["x", "y", "z"] {
        k.add_rule(&keyed(key)).unwrap();
    }
    let before = k.rules();
    let lines = [
        line(
            1,
            vec![
                Request::DeleteAll { key: Vec::new() },
                Request::List {
                    key: Vec::new(),
                    interpret: false,
                },
            ],
        ),
        line(2, vec![add("a")]),
        line(3, vec![add("b")]),
    ];
    // Setup made adds #0..#2; the load's second add (#4) gets EEXIST.
    k.fail_adds.push((4, errno::EEXIST));
    let (code, out, err) = load(&mut k, &lines);
    assert_eq!(code, 1);
    assert_eq!(out, "No rules\n");
    assert!(
        err.contains("f.rules:3: Error sending add rule data request (Rule exists)"),
        "{err}"
    );
    assert_eq!(k.rules(), before);
}

#[test]
fn continue_on_error_goes_on_and_fails_at_exit() {
    let mut k = FakeKernel::new();
    let lines = [
        line(1, vec![Request::ContinueOnError]),
        line(2, vec![add("a")]),
        bad(3, "-F unknown field: foo"),
        line(4, vec![add("a")]),
        line(5, vec![add("b")]),
    ];
    let (code, _, err) = load(&mut k, &lines);
    assert_eq!(code, 1);
    assert!(err.contains("f.rules:3: -F unknown field: foo"), "{err}");
    assert!(
        err.contains("f.rules:4: Error sending add rule data request (Rule exists)"),
        "{err}"
    );
    assert_eq!(k.rules(), vec![keyed("a"), keyed("b")]);
}

#[test]
fn ignore_errors_goes_on_and_succeeds() {
    let mut k = FakeKernel::new();
    let lines = [
        line(1, vec![Request::IgnoreErrors]),
        bad(2, "bad"),
        line(3, vec![add("b")]),
    ];
    let (code, _, err) = load(&mut k, &lines);
    assert_eq!(code, 0);
    assert!(err.contains("f.rules:2: bad"), "{err}");
    assert_eq!(k.rules(), vec![keyed("b")]);
}

#[test]
fn continue_flag_after_the_bad_line_does_not_help() {
    let mut k = FakeKernel::new();
    let lines = [
        bad(1, "bad"),
        line(2, vec![Request::ContinueOnError]),
        line(3, vec![add("b")]),
    ];
    assert_eq!(load(&mut k, &lines).0, 1);
    assert_eq!(k.rule_changes(), 0);
}

#[test]
fn locked_config() {
    let mut k = FakeKernel::new();
    k.add_rule(&keyed("old")).unwrap();
    k.status.enabled = 2;
    let calls = k.calls.len();
    let (code, _, err) = load(&mut k, &[line(1, vec![add("a")])]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "f.rules: The audit system is in immutable mode, no rule changes allowed\n"
    );
    assert_eq!(k.rule_changes(), calls);
    let (r, _, _) = run(&mut k, &[add("a")]);
    assert_eq!(r, Err(CtlError::Immutable));
    let (r, out, _) = run(&mut k, &[Request::Set(StatusChange::Enabled(1))]);
    assert_eq!(
        r.unwrap_err().to_string(),
        "Error sending enable request (Operation not permitted)"
    );
    assert_eq!(out, "");
    assert_eq!(k.rules(), vec![keyed("old")]);
}

#[test]
fn status_block_after_settings_and_failure_panic_mode() {
    let mut k = FakeKernel::new();
    let reqs = [
        Request::Set(StatusChange::Failure(2)),
        Request::Set(StatusChange::BacklogLimit(320)),
        Request::Status {
            interpret: false,
            features: false,
        },
    ];
    let (r, out, _) = run(&mut k, &reqs);
    r.unwrap();
    // One block per command line, without the features line.
    assert_eq!(
        out,
        "enabled 1\nfailure 2\npid 0\nrate_limit 0\nbacklog_limit 320\nlost 0\nbacklog 0\n\
         backlog_wait_time 60000\nbacklog_wait_time_actual 0\n"
    );
    assert_eq!(k.status.failure, 2);
    let (r, _, _) = run(&mut k, &[Request::Set(StatusChange::Failure(3))]);
    assert_eq!(
        r.unwrap_err().to_string(),
        "Error sending failure mode request (Invalid argument)"
    );
}

#[test]
fn status_report() {
    let mut k = FakeKernel::new();
    let (r, out, _) = run(
        &mut k,
        &[Request::Status {
            interpret: true,
            features: true,
        }],
    );
    r.unwrap();
    assert!(
        out.starts_with("enabled enabled\nfailure printk\n"),
        "{out}"
    );
    assert!(out.ends_with("loginuid_immutable 0 unlocked\n"), "{out}");
}

#[test]
fn listing_and_delete_all_by_key() {
    let mut k = FakeKernel::new();
    let (_, out, _) = run(
        &mut k,
        &[Request::List {
            key: Vec::new(),
            interpret: false,
        }],
    );
    assert_eq!(out, "No rules\n");
    let (_, out, _) = run(
        &mut k,
        &[Request::List {
            key: b"zz".to_vec(),
            interpret: false,
        }],
    );
    assert_eq!(out, "No rules\n");
    for key in ["t1", "t2\u{1}t3", "xyz"] {
        k.add_rule(&keyed(key)).unwrap();
    }
    let (_, out, _) = run(
        &mut k,
        &[Request::List {
            key: b"t".to_vec(),
            interpret: false,
        }],
    );
    assert_eq!(out, "list4 key=t1\nlist4 key=t2,t3\n");
    let (_, out, _) = run(
        &mut k,
        &[Request::List {
            key: b"t3".to_vec(),
            interpret: false,
        }],
    );
    assert_eq!(out, "list4 key=t2,t3\n");
    let (_, out, _) = run(
        &mut k,
        &[Request::List {
            key: b"nope".to_vec(),
            interpret: false,
        }],
    );
    assert_eq!(out, "");
    let del_t = [
        Request::DeleteAll { key: b"t".to_vec() },
        Request::List {
            key: b"t".to_vec(),
            interpret: false,
        },
    ];
    let (r, out, _) = run(&mut k, &del_t);
    r.unwrap();
    // Rules remain but none match the key: auditctl prints nothing.
    assert_eq!(out, "");
    assert_eq!(k.rules(), vec![keyed("xyz")]);
    let del_all = [
        Request::DeleteAll { key: Vec::new() },
        Request::List {
            key: Vec::new(),
            interpret: false,
        },
    ];
    let (_, out, _) = run(&mut k, &del_all);
    assert_eq!(out, "No rules\n");
}

#[test]
fn rule_errors_are_auditctls() {
    let mut k = FakeKernel::new();
    run(&mut k, &[add("a")]).0.unwrap();
    let (r, _, _) = run(&mut k, &[add("a")]);
    assert_eq!(
        r.unwrap_err().to_string(),
        "Error sending add rule data request (Rule exists)"
    );
    let (r, _, _) = run(&mut k, &[Request::DeleteRule(keyed("b"))]);
    assert_eq!(
        r.unwrap_err().to_string(),
        "Error sending delete rule data request (No such file or directory)"
    );
}

#[test]
fn misc_requests() {
    let mut k = FakeKernel::new();
    k.status.lost = 5;
    let (r, out, err) = run(&mut k, &[Request::ResetLost]);
    r.unwrap();
    assert_eq!((out.as_str(), err.as_str()), ("", "lost: 5\n"));
    let (r, _, _) = run(&mut k, &[Request::UserMessage(b"bad\ttext".to_vec())]);
    assert_eq!(r, Err(CtlError::IllegalMessage));
    run(&mut k, &[Request::UserMessage(b"hello".to_vec())])
        .0
        .unwrap();
    assert!(k
        .calls
        .contains(&crate::fake::Call::UserMessage(b"text=hello".to_vec())));
    let (_, out, _) = run(&mut k, &[Request::Version]);
    assert_eq!(out, "auditctl version 3.0.9\n");
    run(&mut k, &[Request::LoginuidImmutable]).0.unwrap();
    let (_, out, _) = run(
        &mut k,
        &[Request::Status {
            interpret: false,
            features: true,
        }],
    );
    assert!(out.ends_with("loginuid_immutable 1 locked\n"), "{out}");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn tagged(tag: u8, prepend: bool) -> Vec<u8> {
        let list = if prepend { 4 | 0x10 } else { 4 };
        rule_with(list, &[(210, 1)], &[b'a' + tag])
    }

    #[derive(Debug, Clone)]
    enum Op {
        /// A rule the kernel refuses.
        Poison,
        Add(u8, bool),
        Del(u8, bool),
        DelAll,
        Backlog(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => Just(Op::Poison),
            3 => (0u8..6, any::<bool>()).prop_map(|(t, p)| Op::Add(t, p)),
            2 => (0u8..6, any::<bool>()).prop_map(|(t, p)| Op::Del(t, p)),
            1 => Just(Op::DelAll),
            1 => (1u32..10_000).prop_map(Op::Backlog),
        ]
    }

    proptest! {
        /// Whatever a load does before the kernel refuses a request, the
        /// kernel ends exactly as it was (rules, order, settings).
        #[test]
        fn failed_load_leaves_kernel_unchanged(
            initial in proptest::collection::vec((0u8..6, any::<bool>()), 0..6),
            ops in proptest::collection::vec(op(), 1..12),
        ) {
            let mut k = FakeKernel::new();
            for (t, p) in &initial {
                let _ = k.add_rule(&tagged(*t, *p));
            }
            let before = k.rules();
            let status = k.status;
            let poison = tagged(9, false);
            k.reject_rules.push((poison.clone(), errno::ENOENT));
            let lines: Vec<FileLine> = ops
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let reqs = match o {
                        Op::Poison => vec![Request::AddRule(poison.clone())],
                        Op::Add(t, p) => vec![Request::AddRule(tagged(*t, *p))],
                        Op::Del(t, p) => vec![Request::DeleteRule(tagged(*t, *p))],
                        Op::DelAll => vec![Request::DeleteAll { key: Vec::new() }],
                        Op::Backlog(n) => vec![Request::Set(StatusChange::BacklogLimit(*n))],
                    };
                    line(i + 1, reqs)
                })
                .collect();
            let calls_before = k.calls.len();
            let (code, _, err) = load(&mut k, &lines);
            if !precheck(&lines).is_empty() {
                prop_assert_eq!(code, 1);
                prop_assert_eq!(k.calls.len(), calls_before, "precheck failure sent requests");
            } else if code == 1 {
                prop_assert!(err.contains("rolled back"), "{}", err);
                prop_assert_eq!(k.rules(), before);
                prop_assert_eq!(k.status, status);
            } else {
                prop_assert_eq!(code, 0);
            }
        }
    }
}
