//! Rule files as `auditctl -R` 3.0.9 reads them (`fileopt`): lines of at
//! most 6143 bytes (longer ones are cut into several lines, as `fgets`
//! does), blank lines (spaces only) and `#` comments skipped, words split
//! at spaces only, `\ ` for a space inside a word and `\\` for a backslash.

use crate::command::Parsed;
use crate::error::RuleError;
use crate::host::Host;

/// auditctl's `LINE_SIZE` minus the terminating NUL.
const LINE_MAX: usize = 6143;

/// One line of a rule file that holds a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// 1-based line number, counted as auditctl counts.
    pub line: usize,
    /// The words (after escape processing), without the program name.
    pub words: Vec<Vec<u8>>,
    /// The commands, or the error wrapped as [`RuleError::AtLine`].
    pub result: Result<Parsed, RuleError>,
}

/// Split `contents` into auditctl's lines: each is at most 6143 bytes,
/// ends before its `\n`, and stops at a NUL byte.
fn lines(contents: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = contents;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let take = match memchr::memchr(b'\n', &rest[..rest.len().min(LINE_MAX)]) {
            Some(i) => i + 1,
            None => rest.len().min(LINE_MAX),
        };
        let (chunk, tail) = rest.split_at(take);
        rest = tail;
        let end = chunk
            .iter()
            .position(|&c| c == b'\n' || c == 0)
            .unwrap_or(chunk.len());
        Some(&chunk[..end])
    })
}

/// auditctl's `preprocess`: `\ ` becomes 0x07 0x07, `\\` becomes 0x04 0x04.
fn preprocess(buf: &mut [u8]) {
    let mut esc = false;
    for i in 0..buf.len() {
        if buf[i] == b'\\' && !esc {
            esc = true;
        } else {
            if esc {
                if buf[i] == b' ' {
                    buf[i] = 0x07;
                    buf[i - 1] = 0x07;
                } else if buf[i] == b'\\' {
                    buf[i] = 0x04;
                    buf[i - 1] = 0x04;
                }
                esc = false;
            }
        }
    }
}

/// auditctl's `postprocess`: each 0x07 or 0x04 byte and the byte after it
/// become one space or backslash.
fn postprocess(w: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(w.len());
    let mut i = 0;
    while i < w.len() {
        match w[i] {
            0x07 => {
                out.push(b' ');
                i += 2;
            }
            0x04 => {
                out.push(b'\\');
                i += 2;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The words of one rule-file line as auditctl passes them to its option
/// parser, or `None` for a blank line or a comment. At most
/// `len / 3 + 1` words are kept (auditctl's array size); extra words are
/// dropped silently, as auditctl does.
pub fn split_line(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    if line.iter().all(|&c| c == b' ') {
        return None;
    }
    let mut buf = line.to_vec();
    preprocess(&mut buf);
    let nf = buf.len() / 3 + 3;
    let mut it = buf.split(|&c| c == b' ').filter(|w| !w.is_empty());
    let first = it.next()?;
    if first.first() == Some(&b'#') {
        return None;
    }
    let mut words = vec![first.to_vec()];
    // fields[0] is "auditctl": words fill fields[1..nf-1].
    for w in it {
        if words.len() + 1 >= nf - 1 {
            break;
        }
        words.push(postprocess(w));
    }
    Some(words)
}

/// Parse every command line of a rule file. `name` is used in error
/// messages (`NAME:LINE: message`). Lines are independent, as in
/// auditctl; the caller decides how `-i`/`-c` lines and errors affect the
/// load (auditctl stops at the first failing line unless an earlier line
/// was `-i` or `-c`).
pub fn parse_rule_file(name: &str, contents: &[u8], host: &dyn Host) -> Vec<ParsedLine> {
    let mut out = Vec::new();
    for (i, line) in lines(contents).enumerate() {
        let Some(words) = split_line(line) else {
            continue;
        };
        let result =
            crate::parse::parse_words(words.clone(), i + 1, host).map_err(|e| RuleError::AtLine {
                file: name.to_string(),
                line: i + 1,
                source: Box::new(e),
            });
        out.push(ParsedLine {
            line: i + 1,
            words,
            result,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Option<Vec<String>> {
        split_line(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|x| String::from_utf8(x).unwrap())
                .collect()
        })
    }

    #[test]
    fn splitting_as_auditctl() {
        assert_eq!(w("   "), None);
        assert_eq!(w(""), None);
        assert_eq!(w("# -w /etc"), None);
        assert_eq!(w("  #x"), None);
        assert_eq!(
            w("-w /a\\ b -k x"),
            Some(vec!["-w".into(), "/a b".into(), "-k".into(), "x".into()])
        );
        assert_eq!(w("-w /a\\\\b"), Some(vec!["-w".into(), "/a\\b".into()]));
        assert_eq!(w("\t-w /etc"), Some(vec!["\t-w".into(), "/etc".into()]));
        // 13 bytes: at most 13/3 + 1 = 5 words.
        assert_eq!(w("a b c d e f g").map(|v| v.len()), Some(5));
    }

    #[test]
    fn long_lines_are_cut() {
        let mut s = vec![b'x'; 7000];
        s.push(b'\n');
        s.extend_from_slice(b"-D\n");
        let l: Vec<&[u8]> = lines(&s).collect();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].len(), 6143);
        assert_eq!(l[2], b"-D");
        let l: Vec<&[u8]> = lines(b"-w /a\0junk\n-D").collect();
        assert_eq!(l, vec![&b"-w /a"[..], &b"-D"[..]]);
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::command::Command;
    use crate::host::FakeHost;

    #[test]
    fn errors_name_file_and_line() {
        let text =
            b"# header\n\n-D\n-w /etc/passwd -p wa -k pw\n-a always,exit -F foo=1\n-i\n-a bad\n";
        let lines = parse_rule_file("audit.rules", text, &FakeHost::x86_64());
        assert_eq!(
            lines.iter().map(|l| l.line).collect::<Vec<_>>(),
            vec![3, 4, 5, 6, 7]
        );
        assert!(matches!(
            lines[0].result.as_ref().unwrap().commands[0],
            Command::DeleteAll { .. }
        ));
        let e = lines[2].result.as_ref().unwrap_err();
        assert_eq!(e.to_string(), "audit.rules:5: -F unknown field: foo");
        assert!(matches!(e.root(), RuleError::Field { .. }));
        assert_eq!(
            lines[3].result.as_ref().unwrap().commands,
            vec![Command::IgnoreErrors]
        );
        assert_eq!(
            lines[4].result.as_ref().unwrap_err().to_string(),
            "audit.rules:7: Append rule - bad keyword bad"
        );
    }

    #[test]
    fn escaped_spaces_reach_the_rule() {
        let lines = parse_rule_file("f", b"-w /tmp/a\\ b -k k\n", &FakeHost::x86_64());
        let Command::AddRule(r) = &lines[0].result.as_ref().unwrap().commands[0] else {
            panic!()
        };
        assert_eq!(
            r.fields[0].value,
            crate::rule::Value::Str(b"/tmp/a b".to_vec())
        );
    }
}
