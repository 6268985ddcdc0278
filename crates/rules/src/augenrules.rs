//! `augenrules` (auditd 3.0.9): assemble a directory of `*.rules` files
//! into one rule file. Pure: the caller lists and reads the files.
//!
//! Files named `*.rules` are taken in `ls -v` (natural) order and
//! concatenated as `cat` does (a file without a final newline runs into the
//! next one). Empty lines and comment lines are dropped; the last `-e`
//! line, the last bare `-D` line, the last `-b` line and the last `-f` line
//! are taken out; the output is a header line, then `-D`, `-b`, `-f` (each
//! possibly an empty line), the other lines in order, then `-e` (possibly
//! empty).
//!
//! The script's awk patterns are `^\s*#`, `^\s*-e`, `^\s*-D\s*$`, `^\s*-f`
//! and `^\s*-b`. Debian's awk is mawk, which reads `\s` as a plain `s`: a
//! line with leading blanks is neither a comment nor a directive there
//! (it is kept in place), and `-D` must stand alone on its line. This
//! module follows mawk, as `augenrules` behaves on Debian 12.

use std::cmp::Ordering;

/// `ls -v` order: GNU `filevercmp` (file suffixes like `.rules` set
/// aside, then Debian-style version comparison), ties broken by `strcmp`.
pub fn natural_cmp(a: &[u8], b: &[u8]) -> Ordering {
    filevercmp(a, b).cmp(&0).then_with(|| a.cmp(b))
}

fn filevercmp(a: &[u8], b: &[u8]) -> i32 {
    if a.is_empty() {
        return -i32::from(!b.is_empty());
    }
    if b.is_empty() {
        return 1;
    }
    if a[0] == b'.' || b[0] == b'.' {
        if a[0] != b'.' {
            return 1;
        }
        if b[0] != b'.' {
            return -1;
        }
        for special in [&b"."[..], b".."] {
            if a == special {
                return -1;
            }
            if b == special {
                return 1;
            }
        }
    }
    let (pa, pb) = (prefix_len(a), prefix_len(b));
    let one_pass = pa == a.len() && pb == b.len();
    let r = verrevcmp(&a[..pa], &b[..pb]);
    if r != 0 || one_pass {
        r
    } else {
        verrevcmp(a, b)
    }
}

/// Length of `s` without its suffix `(\.[A-Za-z~][A-Za-z0-9~]*)*$`.
fn prefix_len(s: &[u8]) -> usize {
    let n = s.len();
    let mut prefix = 0;
    let mut i = 0;
    while i < n {
        i += 1;
        prefix = i;
        while i + 1 < n && s[i] == b'.' && (s[i + 1].is_ascii_alphabetic() || s[i + 1] == b'~') {
            i += 2;
            while i < n && (s[i].is_ascii_alphanumeric() || s[i] == b'~') {
                i += 1;
            }
        }
    }
    prefix
}

fn order(c: u8) -> i32 {
    if c.is_ascii_digit() {
        0
    } else if c.is_ascii_alphabetic() {
        i32::from(c)
    } else if c == b'~' {
        -1
    } else {
        i32::from(c) + 256
    }
}

fn verrevcmp(s1: &[u8], s2: &[u8]) -> i32 {
    let (mut i, mut j) = (0, 0);
    while i < s1.len() || j < s2.len() {
        let mut first_diff = 0;
        while (i < s1.len() && !s1[i].is_ascii_digit()) || (j < s2.len() && !s2[j].is_ascii_digit())
        {
            let c1 = if i == s1.len() { 0 } else { order(s1[i]) };
            let c2 = if j == s2.len() { 0 } else { order(s2[j]) };
            if c1 != c2 {
                return c1 - c2;
            }
            i += 1;
            j += 1;
        }
        while i < s1.len() && s1[i] == b'0' {
            i += 1;
        }
        while j < s2.len() && s2[j] == b'0' {
            j += 1;
        }
        while i < s1.len() && j < s2.len() && s1[i].is_ascii_digit() && s2[j].is_ascii_digit() {
            if first_diff == 0 {
                first_diff = i32::from(s1[i]) - i32::from(s2[j]);
            }
            i += 1;
            j += 1;
        }
        if i < s1.len() && s1[i].is_ascii_digit() {
            return 1;
        }
        if j < s2.len() && s2[j].is_ascii_digit() {
            return -1;
        }
        if first_diff != 0 {
            return first_diff;
        }
    }
    0
}

/// mawk's `^\s*`: any number of `s` characters.
fn strip_s(l: &[u8]) -> &[u8] {
    let k = l.iter().position(|&c| c != b's').unwrap_or(l.len());
    &l[k..]
}

/// The assembled rule file for `files` (name, contents) found in
/// `source_dir` (only used in the header line, as augenrules writes it).
/// Files whose name does not end in `.rules` are ignored.
pub fn assemble(source_dir: &str, files: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut chosen: Vec<&(Vec<u8>, Vec<u8>)> = files
        .iter()
        .filter(|(n, _)| n.ends_with(b".rules"))
        .collect();
    chosen.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let mut all = Vec::new();
    for (_, c) in chosen {
        all.extend_from_slice(c);
    }
    let (mut e, mut d, mut f, mut b) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rest: Vec<&[u8]> = Vec::new();
    let mut text: &[u8] = &all;
    if text.last() == Some(&b'\n') {
        text = &text[..text.len() - 1];
    }
    if !all.is_empty() {
        for line in text.split(|&c| c == b'\n') {
            if line.is_empty() {
                continue;
            }
            let s = strip_s(line);
            if s.first() == Some(&b'#') {
                continue;
            }
            if s.starts_with(b"-e") {
                e = line.to_vec();
            } else if s.starts_with(b"-D") && s[2..].iter().all(|&c| c == b's') {
                d = line.to_vec();
            } else if s.starts_with(b"-f") {
                f = line.to_vec();
            } else if s.starts_with(b"-b") {
                b = line.to_vec();
            } else {
                rest.push(line);
            }
        }
    }
    let mut out =
        format!("## This file is automatically generated from {source_dir}\n").into_bytes();
    for l in [&d, &b, &f] {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    for l in rest {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out.extend_from_slice(&e);
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        // Expected order from `ls -1v` (GNU coreutils 9.1, Debian 12).
        let want: Vec<&[u8]> = vec![
            b"01.rules",
            b"1.rules",
            b"1a.rules",
            b"9-b.rules",
            b"10-a.rules~",
            b"10-a.rules",
            b"010-c.rules",
            b"99-z.rules",
            b"A.rules",
            b"a.rules",
            b"_x.rules",
        ];
        let mut v = want.clone();
        v.reverse();
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, want);
    }

    #[test]
    fn directives_move() {
        let files = vec![
            (b"20-b.rules".to_vec(), b"-e 1\n-w /b\n-b 100\n".to_vec()),
            (
                b"10-a.rules".to_vec(),
                b"# c\n-D\n\n-b 8192\n-f 1\n-w /a\n-e 2\n".to_vec(),
            ),
            (b"README".to_vec(), b"-w /no\n".to_vec()),
            (b"30-c.rules".to_vec(), b"-D -k x\n".to_vec()),
        ];
        let out = assemble("/etc/audit/rules.d", &files);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "## This file is automatically generated from /etc/audit/rules.d\n\
             -D\n-b 100\n-f 1\n-w /a\n-w /b\n-D -k x\n-e 1\n"
        );
    }

    #[test]
    fn missing_newline_joins_files() {
        let files = vec![
            (b"1.rules".to_vec(), b"-w /a".to_vec()),
            (b"2.rules".to_vec(), b" -k x\n".to_vec()),
        ];
        let out = assemble("d", &files);
        assert!(String::from_utf8(out).unwrap().contains("\n-w /a -k x\n"));
    }
}
