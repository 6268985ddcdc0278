//! Command lines: EXECVE argument reassembly and PROCTITLE splitting.
//!
//! The kernel (`audit_log_execve_info`, kernel/auditsc.c) writes `argc=N`
//! then `aN=` per argument: quoted when safe, bare hex otherwise. An argument
//! too long for one record is written as `aN_len=L` followed by pieces
//! `aN[0]=`, `aN[1]=`..., each piece quoted or hex on its own, and pieces and
//! arguments continue over several EXECVE records of the same event.

use std::borrow::Cow;

use crate::encoding::decode_untrusted;

/// What was wrong with an EXECVE argument list (reported, never fatal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgvIssue {
    /// `argc` said more arguments than the records carried.
    MissingArgs,
    /// No `argc` field was seen.
    NoArgc,
    /// A split argument's pieces do not add up to its `aN_len`.
    LengthMismatch,
}

#[derive(Debug)]
struct Piece<'a> {
    arg: u32,
    /// `u32::MAX` for a whole (unsplit) argument.
    index: u32,
    bytes: Cow<'a, [u8]>,
}

/// Collects the argument fields of one event's EXECVE records (in any order).
#[derive(Debug, Default)]
pub struct ArgvBuilder<'a> {
    argc: Option<u32>,
    pieces: Vec<Piece<'a>>,
    lens: Vec<(u32, u64)>,
}

/// Upper bound on `argc` we allocate for: Linux's MAX_ARG_STRINGS.
const MAX_ARGS: u32 = 0x7FFF_FFFF;

fn parse_u32(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.len() > 10 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    u32::try_from(n).ok()
}

impl<'a> ArgvBuilder<'a> {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one EXECVE field. Returns `false` when the key is not part of
    /// the argument list (the caller may keep it elsewhere).
    pub fn add(&mut self, key: &[u8], value: &'a [u8], quoted: bool) -> bool {
        if key == b"argc" {
            self.argc = parse_u32(value).filter(|&n| n <= MAX_ARGS);
            return true;
        }
        let Some(rest) = key.strip_prefix(b"a") else {
            return false;
        };
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let Some(arg) = parse_u32(&rest[..digits]) else {
            return false;
        };
        let tail = &rest[digits..];
        if tail.is_empty() {
            let bytes = decode_untrusted(value, quoted).unwrap_or(Cow::Borrowed(&[]));
            self.pieces.push(Piece {
                arg,
                index: u32::MAX,
                bytes,
            });
            return true;
        }
        if tail == b"_len" {
            if let Some(n) = std::str::from_utf8(value).ok().and_then(|s| s.parse().ok()) {
                self.lens.push((arg, n));
            }
            return true;
        }
        if tail.len() >= 3 && tail[0] == b'[' && tail[tail.len() - 1] == b']' {
            if let Some(index) = parse_u32(&tail[1..tail.len() - 1]) {
                let bytes = decode_untrusted(value, quoted).unwrap_or(Cow::Borrowed(&[]));
                self.pieces.push(Piece { arg, index, bytes });
                return true;
            }
        }
        false
    }

    /// The `argc` value, if seen.
    pub fn argc(&self) -> Option<u32> {
        self.argc
    }

    /// True when no argument field was fed.
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty() && self.argc.is_none()
    }

    /// Assembles the argument vector. Missing arguments (below `argc`) are
    /// empty and reported; arguments beyond `argc` are kept.
    pub fn finish(mut self) -> (Vec<Cow<'a, [u8]>>, Vec<ArgvIssue>) {
        let mut issues = Vec::new();
        self.pieces.sort_by_key(|p| (p.arg, p.index));
        let max_arg = self.pieces.last().map(|p| p.arg);
        let count = match (self.argc, max_arg) {
            (Some(c), Some(m)) => c.max(m.saturating_add(1)),
            (Some(c), None) => c,
            (None, Some(m)) => {
                issues.push(ArgvIssue::NoArgc);
                m.saturating_add(1)
            }
            (None, None) => {
                issues.push(ArgvIssue::NoArgc);
                0
            }
        };
        // Never allocate for indices the records do not justify.
        let count = count.min(self.pieces.len() as u32 + self.argc.unwrap_or(0).min(1 << 16));
        let mut out: Vec<Cow<'a, [u8]>> = Vec::with_capacity(count as usize);
        let mut pieces = self.pieces.into_iter().peekable();
        let mut missing = false;
        for arg in 0..count {
            let mut cur: Option<Cow<'a, [u8]>> = None;
            while let Some(p) = pieces.next_if(|p| p.arg == arg) {
                cur = Some(match cur {
                    None => p.bytes,
                    Some(mut c) => {
                        c.to_mut().extend_from_slice(&p.bytes);
                        c
                    }
                });
            }
            match cur {
                Some(c) => out.push(c),
                None => {
                    missing = true;
                    out.push(Cow::Borrowed(&[]))
                }
            }
        }
        if missing {
            issues.push(ArgvIssue::MissingArgs);
        }
        for (arg, len) in self.lens {
            if let Some(a) = out.get(arg as usize) {
                // aN_len counts the logged characters: twice the bytes when hex.
                let l = a.len() as u64;
                if len != l && len != 2 * l {
                    issues.push(ArgvIssue::LengthMismatch);
                }
            }
        }
        (out, issues)
    }
}

/// Splits a decoded PROCTITLE value at NUL bytes into the argument strings
/// (trailing empty pieces dropped).
pub fn split_proctitle(decoded: &[u8]) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = decoded.split(|&b| b == 0).collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

/// Joins arguments with single spaces (ECS `process.command_line`, `title`).
pub fn join_args<T: AsRef<[u8]>>(args: &[T]) -> Vec<u8> {
    let mut out = Vec::with_capacity(args.iter().map(|a| a.as_ref().len() + 1).sum());
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(a.as_ref());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_hex_args() {
        let mut b = ArgvBuilder::new();
        assert!(b.add(b"argc", b"3", false));
        b.add(b"a0", b"/bin/echo", true);
        b.add(b"a1", b"7461620968657265", false);
        b.add(b"a2", b"6E65770A6C696E65", false);
        let (args, issues) = b.finish();
        assert_eq!(args, vec![&b"/bin/echo"[..], b"tab\there", b"new\nline"]);
        assert!(issues.is_empty());
    }

    #[test]
    fn split_argument_over_records_and_out_of_order() {
        let mut b = ArgvBuilder::new();
        b.add(b"a1[1]", b"797A", false);
        b.add(b"argc", b"2", false);
        b.add(b"a0", b"x", true);
        b.add(b"a1_len", b"8", false);
        b.add(b"a1[0]", b"7879", false);
        let (args, issues) = b.finish();
        assert_eq!(args, vec![&b"x"[..], b"xyyz"]);
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn missing_args_reported_not_fatal() {
        let mut b = ArgvBuilder::new();
        b.add(b"argc", b"3", false);
        b.add(b"a0", b"x", true);
        let (args, issues) = b.finish();
        assert_eq!(args.len(), 3);
        assert_eq!(issues, vec![ArgvIssue::MissingArgs]);
    }

    #[test]
    fn huge_index_does_not_allocate() {
        let mut b = ArgvBuilder::new();
        b.add(b"a4000000000", b"x", true);
        b.add(b"a4000000", b"x", true);
        let (args, _) = b.finish();
        assert!(args.len() <= 2);
    }

    #[test]
    fn proctitle_split() {
        assert_eq!(
            split_proctitle(b"bash\0-c\0echo hi\0"),
            vec![&b"bash"[..], b"-c", b"echo hi"]
        );
        assert_eq!(join_args(&split_proctitle(b"a\0b")), b"a b");
    }
}
