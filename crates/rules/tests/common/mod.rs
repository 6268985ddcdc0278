//! Helpers shared by the conformance tests: locating `../shared`, a tiny
//! reader for go-libaudit's golden YAML files, base64, shell-like splitting.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/conformance` beside the checkout; panics with a clear message
/// when it is missing.
pub fn conformance_dir() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        p.is_dir(),
        "conformance data missing: expected {} (the shared/ folder beside the checkout)",
        p.display()
    );
    p
}

/// One golden rule: the auditctl arguments and the kernel's bytes.
#[derive(Debug, Clone)]
pub struct Golden {
    pub file: String,
    pub flags: String,
    pub bytes: Vec<u8>,
}

/// Standard base64 (with padding) to bytes.
pub fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("bad base64 byte {c}"),
        }
    };
    let clean: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let pad = chunk.iter().filter(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in chunk {
            n = n << 6 | if c == b'=' { 0 } else { val(c) };
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

/// Read the `- flags:` / `bytes: !!binary |` entries of one golden file.
pub fn read_golden(path: &std::path::Path) -> Vec<Golden> {
    let text = std::fs::read_to_string(path).expect("read golden file");
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        let Some(flags) = l.strip_prefix("- flags: ") else {
            continue;
        };
        let mut flags = flags.to_string();
        // YAML folds long plain scalars onto indented continuation lines.
        while let Some(n) = lines.peek() {
            if n.starts_with("    ") {
                flags.push(' ');
                flags.push_str(n.trim());
                lines.next();
            } else {
                break;
            }
        }
        let b = lines.next().expect("bytes line");
        assert!(
            b.trim_start().starts_with("bytes: !!binary"),
            "{file}: unexpected {b}"
        );
        let mut b64 = String::new();
        while let Some(n) = lines.peek() {
            if n.starts_with("    ") {
                b64.push_str(n.trim());
                lines.next();
            } else {
                break;
            }
        }
        out.push(Golden {
            file: file.clone(),
            flags,
            bytes: base64(&b64),
        });
    }
    out
}

/// Every golden rule of go-libaudit's `rule/*.rules.golden.yml`.
pub fn all_golden() -> Vec<Golden> {
    let dir = conformance_dir().join("go-libaudit/rule");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read go-libaudit/rule")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".rules.golden.yml"))
        .collect();
    files.sort();
    files.iter().flat_map(|p| read_golden(p)).collect()
}

/// Split like a POSIX shell (single and double quotes, backslash), enough
/// for the golden `flags` strings.
pub fn shell_split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                have = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                have = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => cur.extend(chars.next()),
                        d => cur.push(d),
                    }
                }
            }
            '\\' => {
                have = true;
                cur.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            c => {
                have = true;
                cur.push(c);
            }
        }
    }
    if have {
        out.push(cur);
    }
    out
}

/// The fake host the golden rules were recorded on: x86_64, with the two
/// watched directories of the recordings (`/tmp/audit-test/var/log/audit`
/// and `/tmp/audit-test/etc/sudoers.d` became `dir` fields; every other
/// watched path was a file).
pub fn golden_host() -> audit_rules::FakeHost {
    audit_rules::FakeHost::x86_64()
        .with_dir("/tmp/audit-test/var/log/audit")
        .with_dir("/tmp/audit-test/etc/sudoers.d")
}

/// What `auditctl -R` leaves in the kernel, and its exit code, for parsed
/// lines loaded in order: a failing line (our parse error, a line number in
/// `kernel_refused`, or a rule the kernel already has) stops the load
/// unless an earlier `-i`/`-c` line asked to go on; `-c` makes the exit
/// code 1 if anything failed. The kernel lists rules grouped by list
/// number, `-A` rules first in their list.
pub fn simulate_load(
    parsed: &[audit_rules::ParsedLine],
    kernel_refused: &[usize],
) -> (i32, Vec<audit_rules::Rule>) {
    use audit_rules::Command;
    let mut lists: Vec<Vec<audit_rules::Rule>> = vec![Vec::new(); 8];
    let (mut ignore, mut cont, mut failed) = (false, false, false);
    for pl in parsed {
        let ok = match &pl.result {
            Err(_) => false,
            Ok(_) if kernel_refused.contains(&pl.line) => false,
            Ok(p) => {
                let mut ok = true;
                for c in &p.commands {
                    match c {
                        Command::IgnoreErrors => ignore = true,
                        Command::ContinueOnError => {
                            ignore = true;
                            cont = true;
                        }
                        Command::DeleteAll { key } => {
                            for l in &mut lists {
                                l.retain(|r| !r.key_matches(key));
                            }
                        }
                        Command::AddRule(added) => {
                            let r = added.as_listed_by_kernel();
                            let l = &mut lists[(r.flags() & 7) as usize];
                            if l.contains(&r) {
                                ok = false; // EEXIST
                            } else if added.prepend {
                                l.insert(0, r);
                            } else {
                                l.push(r);
                            }
                        }
                        _ => {}
                    }
                }
                ok
            }
        };
        if !ok {
            failed = true;
            if !ignore {
                return (1, lists.into_iter().flatten().collect());
            }
        }
    }
    let rc = if cont && failed { 1 } else { 0 };
    (rc, lists.into_iter().flatten().collect())
}
