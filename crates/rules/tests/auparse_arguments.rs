//! `-l -i` argument names against libauparse 3.0.9 itself: the fixture
//! `tests/fixtures/auparse-args-3.0.9.txt` (made by
//! `tests/fixtures/gen_auparse_samples.py`, see its header) holds what
//! auparse prints for a fixed set of values of a0..a3 of every x86_64, aarch64 and
//! i386 syscall, in every a0/a1 context that changes an interpretation.
//! `audit_rules::argument::interpret` must print the same for all of them
//! (the plain `0x%x` included, where auparse names nothing).

use std::collections::{BTreeMap, HashMap};

use audit_rules::argument::{interpret, ArgNames};
use serde_json::Value as Json;

struct Recorded {
    users: BTreeMap<u32, String>,
    groups: BTreeMap<u32, String>,
    protocols: BTreeMap<u32, String>,
}

impl ArgNames for Recorded {
    fn user_name(&self, uid: u32) -> Option<String> {
        self.users.get(&uid).cloned()
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        self.groups.get(&gid).cloned()
    }
    fn protocol_name(&self, proto: u32) -> Option<String> {
        self.protocols.get(&proto).cloned()
    }
}

fn ids(o: &Json) -> BTreeMap<u32, String> {
    o.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.parse().unwrap(), v.as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn every_syscall_argument_as_libauparse_prints_it() {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/auparse-args-3.0.9.txt"
    );
    let text = std::fs::read_to_string(p).expect("fixture auparse-args-3.0.9.txt");
    let mut lines = text.lines();
    let prov: Json = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(prov["libauparse0"], "1:3.0.9-1");
    let probe: Json = serde_json::from_str(lines.next().unwrap()).unwrap();
    let names = Recorded {
        users: ids(&probe["users"]),
        groups: ids(&probe["groups"]),
        protocols: ids(&probe["protocols"]),
    };
    let mut samples: HashMap<(String, u32, u8, u32, u32, u32), String> = HashMap::new();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(f.len(), 7, "{l}");
        let n = |i: usize| f[i].parse::<u32>().unwrap();
        let key = (f[0].to_string(), n(1), n(2) as u8, n(3), n(4), n(5));
        samples.insert(key, f[6].to_string());
    }
    let values: Vec<u32> = probe["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let (mut checked, mut named, mut bad) = (0, 0, Vec::new());
    for machine in probe["machines"].as_array().unwrap() {
        let machine = machine.as_str().unwrap();
        let arch = audit_tables::arch_from_name(machine).unwrap();
        for &(sc, sys) in audit_tables::syscall::table(arch).unwrap() {
            for arg in 0u8..4 {
                let contexts = probe["contexts"][arg.to_string()].as_array().unwrap();
                for &v in &values {
                    let mut first: Option<String> = None;
                    for c in contexts {
                        let mut args = [
                            c[0].as_u64().unwrap_or(0) as u32,
                            c[1].as_u64().unwrap_or(0) as u32,
                            0,
                            0,
                        ];
                        args[arg as usize] = v;
                        let key = (machine.to_string(), sc, arg, args[0], args[1], v);
                        let fallback = first.clone().unwrap_or_else(|| format!("0x{v:x}"));
                        let want = samples.get(&key).cloned().unwrap_or(fallback);
                        if first.is_none() {
                            first = Some(want.clone());
                        }
                        let got = interpret(Some(arch), sc, arg, v, args[0], args[1], &names);
                        checked += 1;
                        if !want.starts_with("0x") {
                            named += 1;
                        }
                        if got != want && bad.len() < 40 {
                            bad.push(format!(
                                "{machine} {sys} a{arg}={v:#x} (a0={:#x} a1={:#x}): want {want:?}, got {got:?}",
                                args[0], args[1]
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!("{checked} argument texts checked, {named} of them names");
    assert!(named > 10_000, "only {named} named samples");
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
