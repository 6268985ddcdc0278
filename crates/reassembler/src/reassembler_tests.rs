use super::*;

fn rec(t: &str, serial: u32, body: &str) -> Record {
    rec_at(t, 1_700_000_000, serial, body)
}

fn rec_at(t: &str, sec: u64, serial: u32, body: &str) -> Record {
    Record::parse_log_line(format!("type={t} msg=audit({sec}.100:{serial}): {body}").as_bytes())
        .unwrap()
}

fn events(out: &[Output]) -> Vec<(u32, usize, Completion)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some((e.serial(), e.records().len(), e.completion())),
            _ => None,
        })
        .collect()
}

fn lost(out: &[Output]) -> Vec<(u32, u32)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Lost {
                count,
                after_serial,
                ..
            } => Some((*after_serial, *count)),
            _ => None,
        })
        .collect()
}

#[test]
fn eoe_completes_and_is_not_kept() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    r.push(rec("CWD", 1, "cwd=\"/\""), 0, &mut out);
    assert!(out.is_empty());
    assert_eq!(r.in_flight(), 1);
    r.push(rec("EOE", 1, ""), 0, &mut out);
    assert_eq!(events(&out), vec![(1, 2, Completion::Eoe)]);
    assert_eq!(r.in_flight(), 0);
    let s = r.stats();
    assert_eq!((s.records, s.events, s.complete, s.late), (3, 1, 1, 0));
}

#[test]
fn proctitle_completes_and_a_following_eoe_is_absorbed() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    r.push(rec("PROCTITLE", 1, "proctitle=6C73"), 0, &mut out);
    r.push(rec("EOE", 1, ""), 0, &mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(events(&out), vec![(1, 2, Completion::Proctitle)]);
    assert_eq!(r.stats().late, 0);

    let mut r = Reassembler::new(Config {
        proctitle_ends_event: false,
        ..Config::default()
    });
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    r.push(rec("PROCTITLE", 1, "proctitle=6C73"), 0, &mut out);
    assert!(out.is_empty());
    r.push(rec("EOE", 1, ""), 0, &mut out);
    assert_eq!(events(&out), vec![(1, 2, Completion::Eoe)]);
}

#[test]
fn single_record_types_complete_at_once() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(
        rec("USER_ACCT", 5, "pid=1 msg='op=x res=success'"),
        0,
        &mut out,
    );
    r.push(rec("DAEMON_START", 3301, "op=start"), 0, &mut out);
    r.push(rec("USER_AVC", 6, "pid=1"), 0, &mut out);
    assert_eq!(
        events(&out),
        vec![
            (5, 1, Completion::Single),
            (3301, 1, Completion::Single),
            (6, 1, Completion::Single)
        ]
    );
    // AVC, CONFIG_CHANGE, LOGIN may be followed by a SYSCALL: they wait.
    out.clear();
    r.push(rec("AVC", 7, "pid=1"), 0, &mut out);
    r.push(rec("CONFIG_CHANGE", 8, "op=set"), 0, &mut out);
    r.push(rec("SYSCALL", 8, "syscall=44"), 0, &mut out);
    assert!(out.is_empty());
    assert_eq!(r.in_flight(), 2);
}

#[test]
fn timeout_uses_the_time_passed_in() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("AVC", 1, "x=1"), 1_000, &mut out);
    r.tick(2_999, &mut out);
    assert!(out.is_empty());
    assert_eq!(r.next_deadline(), Some(3_000));
    // Time never goes back.
    r.tick(10, &mut out);
    r.tick(3_000, &mut out);
    assert_eq!(events(&out), vec![(1, 1, Completion::Timeout)]);
    assert_eq!(r.stats().timeouts, 1);
    assert_eq!(r.next_deadline(), None);
}

#[test]
fn a_slow_event_does_not_hold_back_complete_ones() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    for s in 2..500 {
        r.push(rec("SYSCALL", s, "a=1"), 0, &mut out);
        r.push(rec("EOE", s, ""), 0, &mut out);
    }
    assert_eq!(events(&out).len(), 498);
    assert_eq!(r.in_flight(), 1);
    // The slow event's index survived the compactions.
    r.push(rec("PATH", 1, "item=0"), 0, &mut out);
    r.push(rec("EOE", 1, ""), 0, &mut out);
    assert_eq!(events(&out).last(), Some(&(1, 2, Completion::Eoe)));
    assert_eq!(r.in_flight(), 0);
    assert_eq!(r.stats().late, 0);
}

#[test]
fn eviction_emits_the_oldest() {
    let mut r = Reassembler::new(Config {
        max_in_flight: 2,
        ..Config::default()
    });
    let mut out = Vec::new();
    for s in 1..=3 {
        r.push(rec("SYSCALL", s, "a=1"), 0, &mut out);
    }
    assert_eq!(events(&out), vec![(1, 1, Completion::Evicted)]);
    assert_eq!(r.stats().evicted, 1);
    assert_eq!(r.in_flight(), 2);
}

#[test]
fn an_event_cannot_grow_without_bound() {
    let mut r = Reassembler::new(Config {
        max_records_per_event: 3,
        ..Config::default()
    });
    let mut out = Vec::new();
    for _ in 0..5 {
        r.push(rec("PATH", 1, "item=0"), 0, &mut out);
    }
    assert_eq!(events(&out), vec![(1, 3, Completion::Evicted)]);
    assert_eq!(r.stats().late, 2);
    assert_eq!(r.in_flight(), 0);
}

#[test]
fn late_records_are_reported_not_emitted() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    r.tick(5_000, &mut out);
    r.push(rec("PATH", 1, "item=0"), 5_000, &mut out);
    assert_eq!(events(&out), vec![(1, 1, Completion::Timeout)]);
    assert!(matches!(&out[1], Output::Late { record } if record.msg_type() == 1302));
    assert_eq!(r.stats().late, 1);
    assert_eq!(r.in_flight(), 0);
}

#[test]
fn late_memory_is_bounded() {
    let mut r = Reassembler::new(Config {
        late_memory: 2,
        ..Config::default()
    });
    let mut out = Vec::new();
    for s in 1..=3 {
        r.push(rec("USER_ACCT", s, "a=1"), 0, &mut out);
    }
    // Serial 1 was forgotten: a new event; serial 3 is remembered: late.
    r.push(rec("USER_ACCT", 1, "a=1"), 0, &mut out);
    r.push(rec("USER_ACCT", 3, "a=1"), 0, &mut out);
    assert_eq!(events(&out).len(), 4);
    assert_eq!(r.stats().late, 1);
}

#[test]
fn same_serial_on_two_nodes_or_times_are_two_events() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    let a = Record::parse_log_line(b"node=a type=SYSCALL msg=audit(1.000:1): x=1").unwrap();
    let b = Record::parse_log_line(b"node=b type=SYSCALL msg=audit(1.000:1): x=2").unwrap();
    let c = Record::parse_log_line(b"node=a type=SYSCALL msg=audit(2.000:1): x=3").unwrap();
    r.push(a, 0, &mut out);
    r.push(b, 0, &mut out);
    r.push(c, 0, &mut out);
    assert_eq!(r.in_flight(), 3);
    r.flush(&mut out);
    let nodes: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e.node().map(<[u8]>::to_vec)),
            _ => None,
        })
        .collect();
    assert_eq!(
        nodes,
        vec![
            Some(b"a".to_vec()),
            Some(b"b".to_vec()),
            Some(b"a".to_vec())
        ]
    );
    assert_eq!(r.stats().flushed, 3);
}

#[test]
fn lost_serials_are_reported_after_the_timeout_unless_filled() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("USER_ACCT", 10, "a=1"), 0, &mut out);
    r.push(rec("USER_ACCT", 14, "a=1"), 0, &mut out);
    r.push(rec("USER_ACCT", 12, "a=1"), 100, &mut out);
    assert!(lost(&out).is_empty());
    r.tick(1_999, &mut out);
    assert!(lost(&out).is_empty());
    assert_eq!(r.next_deadline(), Some(2_000));
    r.tick(2_000, &mut out);
    assert_eq!(lost(&out), vec![(10, 1), (12, 1)]);
    assert_eq!(r.stats().lost, 2);
}

#[test]
fn daemon_serials_are_not_tracked() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("DAEMON_START", 3301, "op=start"), 0, &mut out);
    r.push(rec("USER_ACCT", 67486, "a=1"), 0, &mut out);
    r.push(rec("DAEMON_END", 3302, "op=terminate"), 0, &mut out);
    r.push(rec("USER_ACCT", 67487, "a=1"), 0, &mut out);
    r.flush(&mut out);
    assert!(lost(&out).is_empty());
}

#[test]
fn lost_events_are_attributed_to_their_node() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    for l in [
        &b"node=a type=USER_ACCT msg=audit(1.000:1): x=1"[..],
        b"node=b type=USER_ACCT msg=audit(1.000:7): x=1",
        b"node=a type=USER_ACCT msg=audit(1.000:2): x=1",
        b"node=b type=USER_ACCT msg=audit(1.000:9): x=1",
    ] {
        r.push(Record::parse_log_line(l).unwrap(), 0, &mut out);
    }
    r.flush(&mut out);
    let l: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Lost {
                node,
                count,
                after_serial,
            } => Some((node.clone(), *count, *after_serial)),
            _ => None,
        })
        .collect();
    assert_eq!(l, vec![(Some(b"b".to_vec()), 1, 7)]);
}

#[test]
fn orphan_eoe_creates_nothing() {
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("EOE", 1, ""), 0, &mut out);
    r.flush(&mut out);
    assert!(out.is_empty());
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// Events 1..=n with `sizes[i]` records (SYSCALL + PATHs), in serial order.
    fn build(sizes: &[usize], with_eoe: bool) -> Vec<Vec<Record>> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let s = i as u32 + 1;
                let mut v = vec![rec("SYSCALL", s, &format!("items={n}"))];
                for item in 1..n {
                    v.push(rec("PATH", s, &format!("item={item}")));
                }
                if with_eoe {
                    v.push(rec("EOE", s, ""));
                }
                v
            })
            .collect()
    }

    fn canonical(out: &[Output]) -> Vec<(u32, Vec<Vec<u8>>)> {
        let mut v: Vec<_> = out
            .iter()
            .filter_map(|o| match o {
                Output::Event(e) => {
                    let mut raws: Vec<_> = e.records().iter().map(|r| r.raw().to_vec()).collect();
                    raws.sort();
                    Some((e.serial(), raws))
                }
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    proptest! {
        /// Any permutation within windows of `w` consecutive events, no EOE:
        /// the same events come out at flush, nothing lost, nothing late.
        #[test]
        fn shuffling_within_a_window_gives_the_same_events(
            sizes in proptest::collection::vec(1usize..6, 1..40),
            w in 1usize..8,
            seed in any::<u64>(),
        ) {
            let evs = build(&sizes, false);
            let expected: Vec<(u32, Vec<Vec<u8>>)> = {
                let mut out = Vec::new();
                let mut r = Reassembler::default();
                for e in &evs { for x in e { r.push(x.clone(), 0, &mut out); } }
                r.flush(&mut out);
                canonical(&out)
            };
            prop_assert_eq!(expected.len(), sizes.len());
            let mut rng = seed;
            let mut stream = Vec::new();
            for chunk in evs.chunks(w) {
                let mut c: Vec<Record> = chunk.iter().flatten().cloned().collect();
                for i in (1..c.len()).rev() {
                    rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    c.swap(i, (rng >> 33) as usize % (i + 1));
                }
                stream.extend(c);
            }
            let mut out = Vec::new();
            let mut r = Reassembler::new(Config { max_in_flight: 8, ..Config::default() });
            for x in stream { r.push(x, 0, &mut out); }
            r.flush(&mut out);
            prop_assert_eq!(canonical(&out), expected);
            prop_assert_eq!(r.stats().lost, 0);
            prop_assert_eq!(r.stats().late, 0);
        }

        /// Interleaving events (each in kernel order, ending with EOE): every
        /// event is emitted complete, by EOE, with its records in order.
        #[test]
        fn interleaved_events_complete_on_eoe(
            sizes in proptest::collection::vec(1usize..6, 1..40),
            picks in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let evs = build(&sizes, true);
            let mut cursors: Vec<std::vec::IntoIter<Record>> = evs.clone().into_iter().map(Vec::into_iter).collect();
            let mut out = Vec::new();
            let mut r = Reassembler::default();
            let mut picks = picks.into_iter();
            loop {
                let open: Vec<usize> = (0..cursors.len()).filter(|&i| cursors[i].len() > 0).collect();
                if open.is_empty() { break; }
                // Favour the oldest few open events, like concurrent tasks.
                let i = open[picks.next().unwrap_or(0) as usize % open.len().min(4)];
                if let Some(x) = cursors[i].next() { r.push(x, 0, &mut out); }
            }
            prop_assert_eq!(r.in_flight(), 0);
            let got = events(&out);
            prop_assert_eq!(got.len(), sizes.len());
            prop_assert!(got.iter().all(|(_, _, c)| *c == Completion::Eoe));
            for o in &out {
                if let Output::Event(e) = o {
                    let want = &evs[e.serial() as usize - 1];
                    prop_assert_eq!(e.records(), &want[..want.len() - 1]);
                }
            }
        }

        /// Random record streams (any types, serials, late pushes, ticks)
        /// never panic and keep the counters consistent.
        #[test]
        fn random_streams_keep_counters_consistent(
            ops in proptest::collection::vec((0u8..8, 0u32..30, 0u64..5_000), 0..200),
        ) {
            let types = ["SYSCALL", "PATH", "EOE", "PROCTITLE", "USER_ACCT", "AVC", "DAEMON_START", "CWD"];
            let mut r = Reassembler::new(Config { max_in_flight: 5, late_memory: 8, ..Config::default() });
            let mut out = Vec::new();
            let mut now = 0;
            for (t, s, dt) in ops {
                now += dt / 10;
                if dt > 4_900 { r.tick(now + 3_000, &mut out); continue; }
                r.push(rec(types[t as usize], s, "x=1"), now, &mut out);
                prop_assert!(r.in_flight() <= 5);
            }
            r.flush(&mut out);
            let s = r.stats();
            prop_assert_eq!(s.in_flight, 0);
            prop_assert_eq!(s.events, s.complete + s.timeouts + s.evicted + s.flushed);
            prop_assert_eq!(s.events as usize, events(&out).len());
            let n_late = out.iter().filter(|o| matches!(o, Output::Late { .. })).count();
            prop_assert_eq!(s.late as usize, n_late);
        }
    }
}

#[test]
fn late_memory_window_is_exact_and_its_map_stays_bounded() {
    let mut r = Reassembler::new(Config {
        late_memory: 3,
        ..Config::default()
    });
    let mut out = Vec::new();
    for s in 1..=100 {
        r.push(rec("USER_ACCT", s, "a=1"), 0, &mut out);
        assert!(r.emitted.len() <= 6, "swept at twice the memory");
    }
    // The last three (98, 99, 100) are remembered; 97 is not.
    for s in [98, 99, 100] {
        r.push(rec("USER_ACCT", s, "a=1"), 0, &mut out);
    }
    assert_eq!(r.stats().late, 3);
    r.push(rec("USER_ACCT", 97, "a=1"), 0, &mut out);
    assert_eq!(r.stats().late, 3);
    assert_eq!(events(&out).len(), 101);
}

/// The outputs of a stream, comparable (events by serial, records and
/// completion; lost and late reports).
fn summary(out: &[Output]) -> Vec<String> {
    out.iter()
        .map(|o| match o {
            Output::Event(e) => format!(
                "event {} {:?} {:?}",
                e.serial(),
                e.completion(),
                e.records()
                    .iter()
                    .map(|r| String::from_utf8_lossy(r.raw()).into_owned())
                    .collect::<Vec<_>>()
            ),
            Output::Lost {
                count,
                after_serial,
                ..
            } => format!("lost {after_serial} {count}"),
            Output::Late { record } => format!("late {}", String::from_utf8_lossy(record.raw())),
        })
        .collect()
}

#[test]
fn the_last_slot_hint_survives_compactions() {
    // Event 1 stays open while others complete and get compacted away: the
    // hint then points at a slot holding another event (or none).
    let mut r = Reassembler::default();
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    for s in 2..300 {
        r.push(rec("SYSCALL", s, "a=1"), 0, &mut out);
        r.push(rec("PATH", s, "item=0"), 0, &mut out);
        r.push(rec("PATH", 1, "item=9"), 0, &mut out);
        r.push(rec("EOE", s, ""), 0, &mut out);
    }
    r.push(rec("EOE", 1, ""), 0, &mut out);
    let ev = events(&out);
    assert_eq!(ev.len(), 299);
    assert!(ev[..298]
        .iter()
        .all(|&(_, n, c)| n == 2 && c == Completion::Eoe));
    assert_eq!(ev[298], (1, 299, Completion::Eoe));
    assert_eq!(r.stats().late, 0);
}

#[test]
fn an_eoe_after_its_event_left_the_late_memory_is_dropped() {
    // With no late memory, an EOE whose event PROCTITLE closed is neither
    // late nor a new event.
    let mut r = Reassembler::new(Config {
        late_memory: 0,
        ..Config::default()
    });
    let mut out = Vec::new();
    r.push(rec("SYSCALL", 1, "a=1"), 0, &mut out);
    r.push(rec("PROCTITLE", 1, "proctitle=6C73"), 0, &mut out);
    r.push(rec("EOE", 1, ""), 0, &mut out);
    // The same key again opens a new event (nothing remembers the first).
    r.push(rec("PATH", 1, "item=0"), 0, &mut out);
    r.push(rec("EOE", 1, ""), 0, &mut out);
    assert_eq!(
        events(&out),
        vec![(1, 2, Completion::Proctitle), (1, 1, Completion::Eoe)]
    );
    assert_eq!(r.stats().late, 0);
}

/// Every live event is either the fresh one or in the index, at its slot;
/// the index holds nothing else.
fn check_index(r: &Reassembler) {
    let mut live = 0;
    for (i, p) in r.slots.iter().enumerate() {
        let abs = r.base + i as u64;
        if !p.live {
            assert_ne!(r.index.get(&p.key), Some(&abs));
            assert_ne!(abs, r.fresh);
            continue;
        }
        live += 1;
        if abs == r.fresh {
            assert_eq!(r.index.get(&p.key), None);
        } else {
            assert_eq!(r.index.get(&p.key), Some(&abs));
        }
    }
    let fresh_live = r.slot(r.fresh).is_some_and(|p| p.live);
    assert_eq!(r.index.len() + usize::from(fresh_live), live);
    assert_eq!(live, r.live);
}

proptest::proptest! {
    /// The last-slot hint changes nothing: the same stream with the hint
    /// cleared or pointed anywhere before every record gives the same
    /// outputs.
    #[test]
    fn the_last_slot_hint_is_only_a_hint(
        ops in proptest::collection::vec((0u8..6, 0u32..12, 0u64..400, proptest::arbitrary::any::<u64>()), 0..300),
    ) {
        let types = ["SYSCALL", "PATH", "EOE", "PROCTITLE", "USER_ACCT", "CWD"];
        let config = Config { max_in_flight: 6, late_memory: 4, timeout_ms: 300, ..Config::default() };
        let mut a = Reassembler::new(config.clone());
        let mut b = Reassembler::new(config.clone());
        let mut c = Reassembler::new(config);
        let (mut oa, mut ob, mut oc) = (Vec::new(), Vec::new(), Vec::new());
        let mut now = 0;
        for (t, s, dt, junk) in ops {
            now += dt;
            let record = rec(types[t as usize], s, "x=1");
            b.last_slot = u64::MAX;
            c.last_slot = c.base.wrapping_add(junk % 16);
            a.push(record.clone(), now, &mut oa);
            b.push(record.clone(), now, &mut ob);
            c.push(record, now, &mut oc);
            for r in [&a, &b, &c] {
                check_index(r);
            }
        }
        a.flush(&mut oa);
        b.flush(&mut ob);
        c.flush(&mut oc);
        proptest::prop_assert_eq!(summary(&oa), summary(&ob));
        proptest::prop_assert_eq!(summary(&oa), summary(&oc));
        proptest::prop_assert_eq!(a.stats(), b.stats());
    }
}
