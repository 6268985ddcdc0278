//! The shipped session rule sets in rules.d/: loadable together (no rule
//! twice, since the daemon loads every file and auditctl refuses
//! duplicates), both arches, threads excluded before clone is audited.
//! (Each line was also loaded with auditctl 3.0.9 on kernel 6.18; see
//! rules.d/README.md.)

use std::path::PathBuf;

fn rules_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules.d"))
}

fn rule_lines(name: &str) -> Vec<String> {
    let path = rules_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        text.contains("Gives") || text.contains("gives"),
        "{name}: says what it gives"
    );
    assert!(
        text.contains("Costs") || text.contains("costs"),
        "{name}: says what it costs"
    );
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn default_files_are_additive_and_cover_both_arches() {
    let view = rule_lines("10-session-view.rules");
    let tracking = rule_lines("20-session-tracking.rules");
    let mut all: Vec<&String> = view.iter().chain(&tracking).collect();
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), n, "a rule appears twice in rules.d");

    for lines in [&view, &tracking] {
        for l in lines.iter() {
            assert!(
                l.starts_with("-a always,exit ") || l.starts_with("-a never,exit "),
                "{l}"
            );
            assert!(
                l.contains("-F arch=b64") || l.contains("-F arch=b32"),
                "{l}"
            );
            let twin = if l.contains("arch=b64") {
                l.replace("arch=b64", "arch=b32")
            } else {
                l.replace("arch=b32", "arch=b64")
            };
            assert!(lines.contains(&twin), "no other-arch twin of {l}");
        }
    }
    let has = |lines: &[String], s: &str| lines.iter().any(|l| l.contains(s));
    for s in ["-S execve,execveat -k exec", "-S exit_group", "-S setsid"] {
        assert!(has(&view, s), "{s}");
    }
    for s in ["-S clone -k fork", "-S fork,vfork", "-S setpgid"] {
        assert!(has(&tracking, s), "{s}");
    }
    assert!(!has(&tracking, "clone3"), "clone3 is only an example");
    // The thread filter must come before the clone rule of the same arch.
    for arch in ["b64", "b32"] {
        let pos = |s: &str| {
            tracking
                .iter()
                .position(|l| l.contains(arch) && l.contains(s))
        };
        let never = pos("-a never,exit").expect("never rule");
        assert!(tracking[never].contains("-S clone -F a0&0x10000"));
        assert!(never < pos("-S clone -k fork").expect("clone rule"));
    }
}

#[test]
fn clone3_example_is_not_loaded_by_default() {
    let lines = rule_lines("examples/30-clone3.rules");
    assert!(lines.iter().all(|l| l.contains("-S clone3")));
    let top: Vec<String> = std::fs::read_dir(rules_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rules"))
        .collect();
    assert!(!top.iter().any(|n| n.contains("clone3")), "{top:?}");
}
