//! The shipped auditd 3.0.9 rule files against the real kernel: loaded by
//! auditctl and by `auditrs ctl -R`, whole and line by line. Every test
//! holds `audit_client::testkit::LiveKernel`; see `common/mod.rs`.
//! `11-loginuid.rules` is never sent (it locks a kernel feature until
//! reboot): `cli_fake.rs` loads it into the fake kernel.

mod common;

use common::*;

#[test]
fn conformance_files_load_like_auditctl() {
    let Some(mut k) = acquire("conformance_files_load_like_auditctl") else {
        return;
    };
    let dir = rules_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rules"))
        .collect();
    names.sort();
    let (mut identical, mut rejected_both, mut failures) = (Vec::new(), Vec::new(), Vec::new());
    for name in &names {
        if NOT_LIVE.iter().any(|(n, _)| n == name) {
            continue;
        }
        let path = dir.join(name);
        let path = path.to_str().unwrap();
        clear();
        restore_status(&mut k);
        let (ref_code, ref_out, ref_err) = reference(&["-R", path]);
        let ref_list = listing();
        clear();
        restore_status(&mut k);
        let (code, out, err) = ours(&["-R", path]);
        let after = listing();
        // What the load prints ("No rules" after -D, status blocks after
        // settings), less the counters that move on their own.
        let stable = |t: &str| {
            t.lines()
                .filter(|l| {
                    !l.starts_with("lost ")
                        && !l.starts_with("backlog ")
                        && !l.starts_with("backlog_wait_time_actual ")
                })
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        };
        if ref_code == 0 && stable(&out) != stable(&ref_out) {
            failures.push(format!("{name}: -R prints {out:?}, auditctl {ref_out:?}"));
        }
        let (lcode, our_list, lerr) = ours(&["-l"]);
        assert_eq!(lcode, 0, "auditrs ctl -l: {lerr}");
        if ref_code == 0 {
            if code != 0 || after != ref_list || our_list != ref_list {
                failures.push(format!(
                    "{name}: auditctl loads it; ours exit {code} stderr {err:?}\n\
                     auditctl -l after auditctl:\n{ref_list}auditctl -l after ours:\n{after}\
                     auditrs ctl -l:\n{our_list}"
                ));
            } else {
                identical.push(name.clone());
            }
        } else {
            // auditctl rejects (part of) the file: we must reject it too,
            // naming a line, and leave the kernel as it was (empty).
            let names_line = err.contains(&format!("{path}:"));
            if code == 0 || !names_line || after != "No rules\n" {
                failures.push(format!(
                    "{name}: auditctl exit {ref_code} ({ref_err:?}); ours exit {code}, stderr {err:?}, \
                     rules after ours:\n{after}"
                ));
            } else {
                rejected_both.push(name.clone());
            }
        }
    }
    clear();
    eprintln!(
        "identical: {} files; rejected by both: {:?}; not sent to the kernel: {:?}",
        identical.len(),
        rejected_both,
        NOT_LIVE
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        identical.len() >= 25,
        "only {} files compared identical",
        identical.len()
    );
}

/// Every rule line of every file, alone: accepted by both or rejected by
/// both, and when accepted, the same kernel rule (`auditctl -l`).
#[test]
fn conformance_lines_one_by_one() {
    let Some(mut k) = acquire("conformance_lines_one_by_one") else {
        return;
    };
    let dir = rules_dir();
    let mut failures = Vec::new();
    let mut count = 0;
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rules"))
    {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_LIVE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for (lineno, args) in rule_lines(&text) {
            let is_rule = matches!(args[0].as_str(), "-a" | "-A" | "-w");
            if !is_rule {
                continue;
            }
            count += 1;
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            clear();
            let (rc, _, rerr) = reference(&args);
            let rl = listing();
            let rbytes = k.control().list_rules().expect("listing rules");
            clear();
            let (oc, _, oerr) = ours(&args);
            let ol = listing();
            let obytes = k.control().list_rules().expect("listing rules");
            if rbytes != obytes {
                failures.push(format!("{name}:{lineno}: kernel rule bytes differ"));
            }
            // --dump-bytes prints what we send; the kernel gives it back.
            if rc == 0 && rbytes.len() == 1 {
                let mut dump = vec!["--dump-bytes"];
                dump.extend(&args);
                let (dc, dout, derr) = ours(&dump);
                // The kernel clears the syscall-class bits (the top 16 bits
                // of mask[63]) of what it was sent (audit_to_entry_common):
                // set them as the sent rule had them (all syscalls when
                // mask[62] is full) before comparing.
                let mut kernel_rule = rbytes[0].clone();
                let full = kernel_rule[12 + 62 * 4..12 + 63 * 4]
                    .iter()
                    .all(|&b| b == 0xff);
                if full {
                    let w = 12 + 63 * 4;
                    let mut word = u32::from_ne_bytes(kernel_rule[w..w + 4].try_into().unwrap());
                    word |= 0xffff_0000;
                    kernel_rule[w..w + 4].copy_from_slice(&word.to_ne_bytes());
                }
                let hex: String = kernel_rule.iter().map(|b| format!("{b:02x}")).collect();
                let dout = dout.trim();
                if dc != 0 || dout != hex {
                    let at = dout.bytes().zip(hex.bytes()).position(|(a, b)| a != b);
                    failures.push(format!(
                        "{name}:{lineno}: --dump-bytes (exit {dc} {derr:?}) differs from the kernel's \
                         bytes: {} vs {} hex digits, first difference at digit {at:?}",
                        dout.len(),
                        hex.len()
                    ));
                }
            }
            if (rc == 0) != (oc == 0) || rl != ol {
                failures.push(format!(
                    "{name}:{lineno}: auditctl exit {rc} {rerr:?} list {rl:?}; ours exit {oc} {oerr:?} list {ol:?}"
                ));
            } else if rc != 0 && oerr.trim().is_empty() {
                failures.push(format!("{name}:{lineno}: rejected without a message"));
            }
        }
    }
    clear();
    eprintln!("{count} rule lines compared, {} mismatches", failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count > 100, "only {count} rule lines found");
}
