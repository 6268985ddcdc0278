use super::*;
use crate::message::{NLMSG_DONE, NLM_F_MULTI};
use crate::rule::RULE_DATA_FIXED_LEN;
use crate::status::{AUDIT_STATUS_BACKLOG_LIMIT, AUDIT_STATUS_ENABLED, STATUS_LEN};
use crate::testkit::{build_ack, build_event, build_message, Request, ScriptedPeer, SimKernel};

/// A syntactically complete rule: `tag` in `flags`, `key` in buf.
fn rule(tag: u32, key: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; RULE_DATA_FIXED_LEN];
    r[0..4].copy_from_slice(&tag.to_ne_bytes());
    r[RULE_DATA_FIXED_LEN - 4..].copy_from_slice(&(key.len() as u32).to_ne_bytes());
    r.extend_from_slice(key);
    r
}

fn sim() -> AuditControl<SimKernel> {
    AuditControl::with_transport(SimKernel::new())
}

#[test]
fn get_status_full_and_short() {
    let mut c = sim();
    c.transport_mut().status.backlog_limit = 8192;
    let s = c.get_status().unwrap();
    assert_eq!(s.backlog_limit, 8192);
    assert_eq!(s.backlog_wait_time, Some(15000));
    assert_eq!(s.backlog_wait_time_actual, Some(0));
    c.transport_mut().status_reply_len = 32;
    let s = c.get_status().unwrap();
    assert_eq!(s.backlog_limit, 8192);
    assert_eq!(s.feature_bitmap, None);
    assert_eq!(s.backlog_wait_time, None);
    c.transport_mut().status_reply_len = 40;
    let s = c.get_status().unwrap();
    assert_eq!(s.backlog_wait_time, Some(15000));
    assert_eq!(s.backlog_wait_time_actual, None);
}

#[test]
fn get_status_truncated_reply_is_typed_error() {
    let mut c = sim();
    c.transport_mut().status_reply_len = 20;
    match c.get_status() {
        Err(Error::Truncated {
            msg_type: MessageType::Get,
            needed: 32,
            got: 20,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn set_status_sends_mask_and_values() {
    let mut c = sim();
    c.set_status(&StatusChange {
        enabled: Some(1),
        backlog_limit: Some(320),
        ..Default::default()
    })
    .unwrap();
    let (t, flags, payload) = c.transport().requests.last().unwrap().clone();
    assert_eq!(t, 1001);
    assert_eq!(flags, crate::message::NLM_F_REQUEST | NLM_F_ACK);
    assert_eq!(payload.len(), STATUS_LEN);
    let sent = AuditStatus::decode(&payload).unwrap();
    assert_eq!(sent.mask, AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT);
    let s = c.get_status().unwrap();
    assert_eq!((s.enabled, s.backlog_limit), (1, 320));
    // Every field of StatusChange reaches the kernel.
    c.set_status(&StatusChange {
        failure: Some(0),
        rate_limit: Some(7),
        backlog_wait_time: Some(1000),
        ..Default::default()
    })
    .unwrap();
    let s = c.get_status().unwrap();
    assert_eq!(
        (s.failure, s.rate_limit, s.backlog_wait_time),
        (0, 7, Some(1000))
    );
}

#[test]
fn out_of_range_is_kernel_einval() {
    let mut c = sim();
    match c.set_status(&StatusChange {
        enabled: Some(3),
        ..Default::default()
    }) {
        Err(Error::Kernel {
            op: MessageType::Set,
            errno,
        }) => assert_eq!(errno, libc::EINVAL),
        other => panic!("{other:?}"),
    }
    match c.set_status(&StatusChange {
        backlog_wait_time: Some(10 * 15000 + 1),
        ..Default::default()
    }) {
        Err(e) => assert_eq!(e.errno(), Some(libc::EINVAL)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn resets_return_previous_values_and_are_sent_alone() {
    let mut c = sim();
    c.transport_mut().status.lost = 42;
    c.transport_mut().status.backlog_wait_time_actual = Some(9);
    let r = c
        .set_status(&StatusChange {
            backlog_limit: Some(100),
            reset_lost: true,
            reset_backlog_wait_time_actual: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.lost_before_reset, Some(42));
    assert_eq!(r.backlog_wait_time_actual_before_reset, Some(9));
    let masks: Vec<u32> = c
        .transport()
        .requests
        .iter()
        .map(|(_, _, p)| AuditStatus::decode(p).unwrap().mask)
        .collect();
    assert_eq!(
        masks,
        vec![
            AUDIT_STATUS_BACKLOG_LIMIT,
            AUDIT_STATUS_LOST,
            AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL
        ]
    );
    let s = c.get_status().unwrap();
    assert_eq!(
        (s.lost, s.backlog_wait_time_actual, s.backlog_limit),
        (0, Some(0), 100)
    );
    assert_eq!(c.reset_lost().unwrap(), 0);
}

#[test]
fn rules_add_duplicate_delete_missing_list() {
    let mut c = sim();
    assert!(c.list_rules().unwrap().is_empty());
    let a = rule(4, b"alpha");
    let b = rule(4, b"beta");
    c.add_rule(&a).unwrap();
    c.add_rule(&b).unwrap();
    assert!(matches!(c.add_rule(&a), Err(Error::RuleExists)));
    assert_eq!(c.list_rules().unwrap(), vec![a.clone(), b.clone()]);
    c.delete_rule(&a).unwrap();
    assert!(matches!(c.delete_rule(&a), Err(Error::RuleNotFound)));
    assert_eq!(c.list_rules().unwrap(), vec![b]);
}

#[test]
fn short_rule_is_refused_before_sending() {
    let mut c = sim();
    let mut r = rule(4, b"key");
    r.truncate(RULE_DATA_FIXED_LEN + 1);
    assert!(matches!(
        c.add_rule(&r),
        Err(Error::Truncated { msg_type: MessageType::AddRule, needed, .. }) if needed == RULE_DATA_FIXED_LEN + 3
    ));
    assert!(matches!(
        c.delete_rule(&[0u8; 10]),
        Err(Error::Truncated {
            msg_type: MessageType::DelRule,
            ..
        })
    ));
    assert!(c.transport().requests.is_empty());
}

#[test]
fn enabled_2_locks_configuration() {
    let mut c = sim();
    let r = rule(4, b"k");
    c.add_rule(&r).unwrap();
    c.set_status(&StatusChange {
        enabled: Some(2),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.get_status().unwrap().enabled, 2);
    for change in [
        StatusChange {
            backlog_limit: Some(1),
            ..Default::default()
        },
        StatusChange {
            enabled: Some(1),
            ..Default::default()
        },
        StatusChange {
            failure: Some(0),
            ..Default::default()
        },
        StatusChange {
            rate_limit: Some(1),
            ..Default::default()
        },
    ] {
        match c.set_status(&change) {
            Err(Error::ConfigLocked {
                op: MessageType::Set,
            }) => {}
            other => panic!("{change:?}: {other:?}"),
        }
    }
    assert!(matches!(
        c.add_rule(&rule(4, b"other")),
        Err(Error::ConfigLocked {
            op: MessageType::AddRule
        })
    ));
    assert!(matches!(
        c.delete_rule(&r),
        Err(Error::ConfigLocked {
            op: MessageType::DelRule
        })
    ));
    // Rules can still be listed and a daemon can still register.
    assert_eq!(c.list_rules().unwrap().len(), 1);
    c.register().unwrap();
    assert_eq!(c.get_status().unwrap().pid, std::process::id());
}

#[test]
fn failure_2_is_accepted_by_the_fake() {
    let mut c = sim();
    c.set_status(&StatusChange {
        failure: Some(2),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(c.get_status().unwrap().failure, 2);
}

#[test]
#[should_panic(expected = "refusing to send enabled=2")]
fn live_guard_refuses_lock() {
    let mut c = sim();
    c.set_live_guard(true);
    let _ = c.set_status(&StatusChange {
        enabled: Some(2),
        ..Default::default()
    });
}

#[test]
#[should_panic(expected = "refusing to send failure=2")]
fn live_guard_refuses_panic_mode() {
    let mut c = sim();
    c.set_live_guard(true);
    let _ = c.set_status(&StatusChange {
        failure: Some(2),
        ..Default::default()
    });
}

#[test]
fn without_capability_permission_denied() {
    let mut c = sim();
    c.transport_mut().capable = false;
    assert!(matches!(
        c.get_status(),
        Err(Error::PermissionDenied {
            op: MessageType::Get,
            errno: libc::EPERM
        })
    ));
    assert!(matches!(
        c.add_rule(&rule(4, b"k")),
        Err(Error::PermissionDenied {
            op: MessageType::AddRule,
            ..
        })
    ));
    assert!(matches!(
        c.set_status(&StatusChange {
            backlog_limit: Some(1),
            ..Default::default()
        }),
        Err(Error::PermissionDenied {
            op: MessageType::Set,
            ..
        })
    ));
    assert!(matches!(
        c.list_rules(),
        Err(Error::PermissionDenied { .. })
    ));
}

#[test]
fn registration_paths() {
    let mut c = sim();
    let me = std::process::id();
    // Not our pid: EINVAL (audit_receive_msg sanity check).
    assert_eq!(
        c.set_pid(me.wrapping_add(1)).unwrap_err().errno(),
        Some(libc::EINVAL)
    );
    c.register().unwrap();
    assert_eq!(c.get_status().unwrap().pid, me);
    // Registering again while registered: EEXIST, names the holder.
    match c.register() {
        Err(Error::AnotherDaemon { pid, .. }) => assert_eq!(pid, me),
        other => panic!("{other:?}"),
    }
    c.unregister().unwrap();
    assert_eq!(c.get_status().unwrap().pid, 0);
    // Unregistering when nobody is registered is fine.
    c.unregister().unwrap();

    // Another daemon holds the pid.
    c.transport_mut().status.pid = 1;
    match c.register() {
        Err(e @ Error::AnotherDaemon { pid: 1, .. }) => {
            assert!(e.to_string().contains("pid 1"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // Only the registered process may unregister: EACCES.
    assert!(matches!(
        c.unregister(),
        Err(Error::AnotherDaemon { pid: 1, .. })
    ));
    assert_eq!(c.get_status().unwrap().pid, 1);
}

#[test]
fn features_get_set_and_lock() {
    let mut c = sim();
    let f = c.get_features().unwrap();
    assert_eq!(f.vers, 1);
    assert!(!f.is_enabled(Feature::LoginuidImmutable));
    c.set_feature(Feature::LoginuidImmutable, true, false)
        .unwrap();
    assert!(c
        .get_features()
        .unwrap()
        .is_enabled(Feature::LoginuidImmutable));
    c.set_feature(Feature::LoginuidImmutable, false, false)
        .unwrap();
    c.set_feature(Feature::LoginuidImmutable, true, true)
        .unwrap();
    let f = c.get_features().unwrap();
    assert!(f.is_locked(Feature::LoginuidImmutable));
    assert!(matches!(
        c.set_feature(Feature::LoginuidImmutable, false, false),
        Err(Error::FeatureLocked {
            op: MessageType::SetFeature
        })
    ));
    // Same value on a locked feature is allowed; another feature is free.
    c.set_feature(Feature::LoginuidImmutable, true, false)
        .unwrap();
    c.set_feature(Feature::OnlyUnsetLoginuid, true, false)
        .unwrap();
}

#[test]
fn interleaved_events_are_skipped() {
    let mut c = sim();
    for i in 0..20 {
        c.transport_mut()
            .interleave
            .push_back(build_event(1300, format!("audit(1.0:{i}): x").as_bytes()));
    }
    c.transport_mut()
        .inject(build_event(1305, b"audit(1.0:0): op=set"));
    let r = rule(4, b"k");
    c.add_rule(&r).unwrap();
    assert_eq!(c.list_rules().unwrap(), vec![r]);
    c.get_status().unwrap();
    c.get_features().unwrap();
    assert!(
        c.skipped_messages() >= 5,
        "skipped {}",
        c.skipped_messages()
    );
}

#[test]
fn silent_kernel_times_out() {
    let mut c = sim();
    c.transport_mut().silent = true;
    c.set_timeout(Duration::from_millis(10));
    assert!(matches!(
        c.get_status(),
        Err(Error::Timeout {
            op: MessageType::Get,
            ..
        })
    ));
    assert!(matches!(
        c.add_rule(&rule(1, b"")),
        Err(Error::Timeout {
            op: MessageType::AddRule,
            ..
        })
    ));
}

#[test]
fn user_messages() {
    let mut c = sim();
    c.transport_mut().status.enabled = 1;
    c.send_user_message(MessageType::from(1101), b"hello \xff world")
        .unwrap();
    assert_eq!(
        c.transport().user_messages,
        vec![(1101, b"hello \xff world".to_vec())]
    );
    let (_, _, payload) = c.transport().requests.last().unwrap();
    assert_eq!(payload.last(), Some(&0));
    assert!(matches!(
        c.send_user_message(MessageType::Get, b"x"),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(matches!(
        c.send_user_message(MessageType::from(1101), b"a\0b"),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(matches!(
        c.send_user_message(MessageType::from(1101), b""),
        Err(Error::InvalidRequest { .. })
    ));
    let long = vec![b'a'; MAX_USER_MESSAGE_LEN];
    assert!(matches!(
        c.send_user_message(MessageType::from(2100), &long),
        Err(Error::InvalidRequest { .. })
    ));
}

// ---- scripted peer: shapes the simulated kernel does not produce ----

fn status_bytes(pid: u32) -> Vec<u8> {
    AuditStatus {
        enabled: 1,
        pid,
        backlog_limit: 5,
        ..Default::default()
    }
    .encode()
}

#[test]
fn data_before_ack_and_stale_ack_skipped() {
    let peer = ScriptedPeer::new(|req: &Request| {
        vec![
            build_message(1000, 0, req.header.seq, &status_bytes(7)),
            build_ack(&req.header, 0),
        ]
    });
    let mut c = AuditControl::with_transport(peer);
    assert_eq!(c.get_status().unwrap().pid, 7);
    // The late ACK of the first request is skipped by the second.
    assert_eq!(c.get_status().unwrap().pid, 7);
    assert!(c.skipped_messages() >= 1);
}

#[test]
fn wrong_seq_replies_are_not_taken() {
    let peer = ScriptedPeer::new(|req: &Request| {
        vec![
            build_message(1000, 0, req.header.seq.wrapping_add(100), &status_bytes(1)),
            build_ack(&req.header, 0),
            build_message(1000, 0, req.header.seq, &status_bytes(2)),
        ]
    });
    let mut c = AuditControl::with_transport(peer);
    assert_eq!(c.get_status().unwrap().pid, 2);
}

#[test]
fn malformed_datagrams() {
    // Garbage not answering us: skipped.
    let peer = ScriptedPeer::new(|req: &Request| vec![vec![1, 2, 3], build_ack(&req.header, 0)]);
    let mut c = AuditControl::with_transport(peer);
    c.set_status(&StatusChange {
        rate_limit: Some(1),
        ..Default::default()
    })
    .unwrap();

    // A message of ours whose nlmsg_len overruns the datagram: an error.
    let peer = ScriptedPeer::new(|req: &Request| {
        let mut m = build_message(1000, 0, req.header.seq, &status_bytes(1));
        m[0..4].copy_from_slice(&500u32.to_ne_bytes());
        vec![m]
    });
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.get_status(),
        Err(Error::Truncated {
            msg_type: MessageType::Get,
            ..
        })
    ));

    // A truncated NLMSG_ERROR payload.
    let peer =
        ScriptedPeer::new(|req: &Request| vec![build_message(2, 0, req.header.seq, &[0, 0])]);
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.add_rule(&rule(4, b"")),
        Err(Error::Truncated {
            msg_type: MessageType::NlmsgError,
            ..
        })
    ));

    // A truncated feature reply.
    let peer = ScriptedPeer::new(|req: &Request| {
        vec![
            build_ack(&req.header, 0),
            build_message(1019, 0, req.header.seq, &[1, 0, 0, 0]),
        ]
    });
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.get_features(),
        Err(Error::Truncated {
            msg_type: MessageType::GetFeature,
            ..
        })
    ));
}

#[test]
fn unexpected_reply_types_are_protocol_errors() {
    let peer =
        ScriptedPeer::new(|req: &Request| vec![build_message(1019, 0, req.header.seq, &[0; 16])]);
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.get_status(),
        Err(Error::Protocol {
            msg_type: MessageType::GetFeature,
            ..
        })
    ));
    let peer =
        ScriptedPeer::new(|req: &Request| vec![build_message(NLMSG_DONE, 0, req.header.seq, &[])]);
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.add_rule(&rule(4, b"")),
        Err(Error::Protocol { .. })
    ));
}

#[test]
fn multi_part_list_across_datagrams_with_events() {
    let rules = vec![rule(4, b"one"), rule(1, b""), rule(4, b"three-key")];
    let rs = rules.clone();
    let peer = ScriptedPeer::new(move |req: &Request| {
        let seq = req.header.seq;
        let mut out = vec![
            build_ack(&req.header, 0),
            build_event(1300, b"audit(1.0:1): noise"),
        ];
        // Two rules packed in one datagram, then one more, then DONE.
        let mut packed = build_message(1013, NLM_F_MULTI, seq, &rs[0]);
        packed.extend(build_message(1013, NLM_F_MULTI, seq, &rs[1]));
        out.push(packed);
        out.push(build_event(1320, b"audit(1.0:1): "));
        out.push(build_message(1013, NLM_F_MULTI, seq, &rs[2]));
        out.push(build_message(NLMSG_DONE, NLM_F_MULTI, seq, &[0; 4]));
        out
    });
    let mut c = AuditControl::with_transport(peer);
    assert_eq!(c.list_rules().unwrap(), rules);
    assert_eq!(c.skipped_messages(), 2);
}

#[test]
fn list_part_truncated_is_error() {
    let peer = ScriptedPeer::new(|req: &Request| {
        vec![
            build_ack(&req.header, 0),
            build_message(1013, NLM_F_MULTI, req.header.seq, &[0u8; 100]),
        ]
    });
    let mut c = AuditControl::with_transport(peer);
    assert!(matches!(
        c.list_rules(),
        Err(Error::Truncated {
            msg_type: MessageType::ListRules,
            ..
        })
    ));
}

#[test]
fn list_without_done_times_out() {
    let peer = ScriptedPeer::new(|req: &Request| {
        vec![
            build_ack(&req.header, 0),
            build_message(1013, NLM_F_MULTI, req.header.seq, &rule(4, b"")),
        ]
    });
    let mut c = AuditControl::with_transport(peer);
    c.set_timeout(Duration::from_millis(5));
    assert!(matches!(
        c.list_rules(),
        Err(Error::Timeout {
            op: MessageType::ListRules,
            ..
        })
    ));
}

#[test]
fn errno_mapping_per_operation() {
    let errno = std::sync::Arc::new(std::sync::atomic::AtomicI32::new(0));
    let e2 = errno.clone();
    let peer = ScriptedPeer::new(move |req: &Request| {
        if req.header.msg_type == 1000 {
            // Context query: a kernel that is not locked.
            return vec![
                build_ack(&req.header, 0),
                build_message(1000, 0, req.header.seq, &status_bytes(0)),
            ];
        }
        vec![build_ack(
            &req.header,
            -e2.load(std::sync::atomic::Ordering::SeqCst),
        )]
    });
    let mut c = AuditControl::with_transport(peer);
    let mut check =
        |e: i32, f: &mut dyn FnMut(&mut AuditControl<ScriptedPeer>) -> Result<(), Error>| {
            errno.store(e, std::sync::atomic::Ordering::SeqCst);
            f(&mut c).unwrap_err()
        };
    let r = rule(4, b"");
    assert!(matches!(
        check(libc::EEXIST, &mut |c| c.add_rule(&r)),
        Error::RuleExists
    ));
    assert!(matches!(
        check(libc::EEXIST, &mut |c| c.delete_rule(&r)),
        Error::Kernel {
            errno: libc::EEXIST,
            ..
        }
    ));
    assert!(matches!(
        check(libc::ENOENT, &mut |c| c.delete_rule(&r)),
        Error::RuleNotFound
    ));
    assert!(matches!(
        check(libc::EPERM, &mut |c| c.add_rule(&r)),
        Error::PermissionDenied { .. }
    ));
    assert!(matches!(
        check(libc::ECONNREFUSED, &mut |c| c
            .send_user_message(MessageType::from(1100), b"x")),
        Error::PermissionDenied {
            errno: libc::ECONNREFUSED,
            ..
        }
    ));
    assert!(matches!(
        check(libc::EEXIST, &mut |c| c.register()),
        Error::AnotherDaemon { pid: 0, .. }
    ));
    assert!(matches!(
        check(libc::EINVAL, &mut |c| c.register()),
        Error::Kernel {
            errno: libc::EINVAL,
            ..
        }
    ));
    let e = check(libc::ENOMEM, &mut |c| c.add_rule(&r));
    assert_eq!(
        e.to_string(),
        "kernel refused AUDIT_ADD_RULE(1011): ENOMEM (errno 12)"
    );
}

proptest::proptest! {
    /// Whatever the peer sends (garbage, truncated or mis-sized messages
    /// carrying our sequence number), the client returns a value or an
    /// error, never panics.
    #[test]
    fn arbitrary_replies_never_panic(
        replies in proptest::collection::vec(
            (0u16..1100, proptest::collection::vec(proptest::num::u8::ANY, 0..80), proptest::bool::ANY, 0usize..3),
            0..6,
        ),
        op in 0usize..5,
    ) {
        let script = replies.clone();
        let peer = ScriptedPeer::new(move |req: &Request| {
            script
                .iter()
                .map(|(t, payload, ours, cut)| {
                    let seq = if *ours { req.header.seq } else { 0 };
                    let mut m = build_message(*t, NLM_F_MULTI, seq, payload);
                    let keep = m.len().saturating_sub(*cut);
                    m.truncate(keep);
                    m
                })
                .collect()
        });
        let mut c = AuditControl::with_transport(peer);
        c.set_timeout(Duration::from_millis(1));
        let _ = match op {
            0 => c.get_status().map(|_| ()),
            1 => c.list_rules().map(|_| ()),
            2 => c.get_features().map(|_| ()),
            3 => c.add_rule(&rule(4, b"k")),
            _ => c.set_status(&StatusChange { pid: Some(0), reset_lost: true, ..Default::default() }).map(|_| ()),
        };
    }
}
