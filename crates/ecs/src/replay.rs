//! Offline replay: audit.log text (RAW or ENRICHED) -> reassembly -> ECS JSON
//! lines. Time is event time: each record's timestamp drives the timeouts.

use std::io::{BufRead, Write};

use audit_reassembler::{Completion, Output, Record};

use crate::error::EcsError;
use crate::ids::NameResolver;
use crate::serialize::{Config, ProcessContext, Serializer};

/// Longest line kept (longer ones are skipped with a warning): well above
/// the record parser's own limit, which reports the error itself.
const MAX_LINE: usize = 8 << 20;

/// Output is written in chunks of about this size.
const FLUSH_AT: usize = 1 << 20;

/// Record buffers kept for reuse (at most this many, each at most
/// [`POOL_BUF_MAX`] bytes): parsing a line then allocates nothing.
const POOL_LEN: usize = 1024;
const POOL_BUF_MAX: usize = 16 << 10;

/// Replay settings.
#[derive(Debug, Clone, Default)]
pub struct ReplayOptions {
    /// Serializer settings.
    pub serializer: Config,
    /// Reassembly settings (timeouts in event-time milliseconds).
    pub reassembler: audit_reassembler::Config,
}

/// Counts for the end-of-run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Lines read (incl. empty and corrupt ones).
    pub lines: u64,
    /// Records parsed.
    pub records: u64,
    /// Events written.
    pub events: u64,
    /// Events closed without an end marker (timeout, eviction, flush).
    pub unterminated: u64,
    /// Corrupt lines skipped.
    pub warnings: u64,
    /// Serials reported lost.
    pub lost: u64,
    /// Late records reported.
    pub late: u64,
}

/// A replay run: feed inputs in order, then [`Replay::finish`].
pub struct Replay<W: Write, N: NameResolver> {
    reasm: audit_reassembler::Reassembler,
    ser: Serializer<N>,
    out: W,
    buf: Vec<u8>,
    pending: Vec<Output>,
    now: u64,
    summary: ReplaySummary,
    ctx: Option<Box<dyn ProcessContext>>,
    /// Buffers of written events' records, for the next lines.
    pool: Vec<Vec<u8>>,
}

impl<W: Write, N: NameResolver> Replay<W, N> {
    /// A run writing JSON lines to `out`.
    pub fn new(opts: ReplayOptions, names: N, out: W) -> Self {
        Replay {
            reasm: audit_reassembler::Reassembler::new(opts.reassembler),
            ser: Serializer::new(opts.serializer, names),
            out,
            buf: Vec::with_capacity(FLUSH_AT + (64 << 10)),
            pending: Vec::with_capacity(64),
            now: 0,
            summary: ReplaySummary::default(),
            ctx: None,
            pool: Vec::with_capacity(POOL_LEN),
        }
    }

    /// Installs a process-context hook (the session database), called for
    /// every event in stream order.
    pub fn set_process_context(&mut self, ctx: Box<dyn ProcessContext>) {
        self.ctx = Some(ctx);
    }

    fn drain(&mut self) -> Result<(), EcsError> {
        for o in self.pending.drain(..) {
            match &o {
                Output::Event(e) => {
                    self.summary.events += 1;
                    if matches!(
                        e.completion(),
                        Completion::Timeout | Completion::Evicted | Completion::Flushed
                    ) {
                        self.summary.unterminated += 1;
                    }
                }
                Output::Lost { count, .. } => self.summary.lost += u64::from(*count),
                Output::Late { .. } => self.summary.late += 1,
            }
            let ctx = self
                .ctx
                .as_deref_mut()
                .map(|c| c as &mut dyn ProcessContext);
            self.ser.write_output(&o, ctx, &mut self.buf);
            if let Output::Event(e) = o {
                for r in e.into_records() {
                    if self.pool.len() >= POOL_LEN {
                        break;
                    }
                    let b = r.into_buffer();
                    if b.capacity() <= POOL_BUF_MAX {
                        self.pool.push(b);
                    }
                }
            }
        }
        if self.buf.len() >= FLUSH_AT {
            self.out.write_all(&self.buf).map_err(EcsError::Write)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Feeds one line (with or without its `\n`). Returns the parse error
    /// message of a corrupt line (counted as a warning; the run goes on).
    pub fn push_line(&mut self, line: &[u8]) -> Result<Option<String>, EcsError> {
        self.summary.lines += 1;
        let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
        if trimmed.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let buf = self.pool.pop().unwrap_or_default();
        match Record::parse_log_line_in(trimmed, buf) {
            Ok(rec) => {
                self.summary.records += 1;
                self.now = self.now.max(rec.timestamp().as_millis());
                self.reasm.push(rec, self.now, &mut self.pending);
                self.drain()?;
                Ok(None)
            }
            Err(e) => {
                self.summary.warnings += 1;
                Ok(Some(e.to_string()))
            }
        }
    }

    /// Reads every line of `input`; corrupt lines are reported through
    /// `warn` as `name:line: message` and skipped.
    pub fn feed<R: BufRead>(
        &mut self,
        name: &str,
        mut input: R,
        warn: &mut dyn FnMut(String),
    ) -> Result<(), EcsError> {
        let read_err = |source| EcsError::Read {
            name: name.to_string(),
            source,
        };
        // Lines are parsed straight from the reader's buffer; only a line
        // that straddles two buffer fills is copied.
        let mut carry: Vec<u8> = Vec::new();
        // Set while skipping the rest of an over-long line.
        let mut overlong = false;
        let mut lineno = 0u64;
        loop {
            let buf = match input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(read_err(e)),
            };
            if buf.is_empty() {
                if overlong {
                    self.summary.lines += 1;
                    self.summary.warnings += 1;
                    warn(format!(
                        "{name}:{}: line longer than {MAX_LINE} bytes, skipped",
                        lineno + 1
                    ));
                } else if !carry.is_empty() {
                    lineno += 1;
                    let line = std::mem::take(&mut carry);
                    if let Some(msg) = self.push_line(&line)? {
                        warn(format!("{name}:{lineno}: {msg}"));
                    }
                }
                return Ok(());
            }
            let mut used = 0;
            while let Some(nl) = memchr::memchr(b'\n', &buf[used..]) {
                lineno += 1;
                let end = used + nl + 1;
                let res = if overlong {
                    overlong = false;
                    self.summary.lines += 1;
                    self.summary.warnings += 1;
                    Some(format!("line longer than {MAX_LINE} bytes, skipped"))
                } else if carry.is_empty() {
                    self.push_line(&buf[used..end])?
                } else {
                    carry.extend_from_slice(&buf[used..end]);
                    let line = std::mem::take(&mut carry);
                    let r = self.push_line(&line)?;
                    carry = line;
                    carry.clear();
                    r
                };
                if let Some(msg) = res {
                    warn(format!("{name}:{lineno}: {msg}"));
                }
                used = end;
            }
            if !overlong {
                carry.extend_from_slice(&buf[used..]);
                if carry.len() > MAX_LINE {
                    overlong = true;
                    carry = Vec::new();
                }
            }
            let n = buf.len();
            input.consume(n);
        }
    }

    /// Flushes the reassembler and the output; returns the counts.
    pub fn finish(mut self) -> Result<(ReplaySummary, W), EcsError> {
        self.reasm.flush(&mut self.pending);
        self.drain()?;
        self.out.write_all(&self.buf).map_err(EcsError::Write)?;
        self.out.flush().map_err(EcsError::Write)?;
        Ok((self.summary, self.out))
    }
}

impl std::fmt::Display for ReplaySummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} records, {} events ({} without end marker), {} warnings, {} lost, {} late",
            self.records, self.events, self.unterminated, self.warnings, self.lost, self.late
        )
    }
}

/// Expands replay inputs: a directory becomes its `audit.log*` files in
/// rotation order, oldest first (`audit.log.3`, `audit.log.2`, `audit.log.1`,
/// `audit.log`); files and `-` are kept as given.
pub fn expand_inputs(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>, EcsError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() != "-" && p.is_dir() {
            let rd = std::fs::read_dir(p).map_err(|source| EcsError::Open {
                path: p.clone(),
                source,
            })?;
            let mut logs: Vec<(u64, std::path::PathBuf)> = Vec::new();
            for e in rd.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                let rank = if name == "audit.log" {
                    0
                } else if let Some(n) = name
                    .strip_prefix("audit.log.")
                    .and_then(|n| n.parse::<u64>().ok())
                {
                    n
                } else {
                    continue;
                };
                logs.push((rank, e.path()));
            }
            logs.sort_by_key(|l| std::cmp::Reverse(l.0));
            out.extend(logs.into_iter().map(|(_, p)| p));
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_in_rotation_order() {
        let dir = std::env::temp_dir().join(format!("ecs-replay-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for n in [
            "audit.log",
            "audit.log.1",
            "audit.log.10",
            "audit.log.2",
            "other",
        ] {
            std::fs::write(dir.join(n), b"").unwrap();
        }
        let got = expand_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            ["audit.log.10", "audit.log.2", "audit.log.1", "audit.log"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_straddling_buffer_fills_and_no_final_newline() {
        let text = b"type=USER_END msg=audit(1.000:1): pid=1 uid=0 msg='op=x res=success'\ntype=USER_END msg=audit(1.000:2): pid=1 uid=0 msg='op=y res=success'";
        for cap in [1, 7, 64, 1 << 16] {
            let mut r = Replay::new(
                ReplayOptions::default(),
                crate::FixedNames::new(),
                Vec::new(),
            );
            let input = std::io::BufReader::with_capacity(cap, &text[..]);
            let mut warnings = Vec::new();
            r.feed("in", input, &mut |w| warnings.push(w)).unwrap();
            let (sum, out) = r.finish().unwrap();
            assert!(warnings.is_empty(), "{cap}: {warnings:?}");
            assert_eq!(
                (sum.lines, sum.records, sum.events),
                (2, 2, 2),
                "buffer {cap}"
            );
            let s = String::from_utf8(out).unwrap();
            assert!(s.contains("\"op\":\"y\""), "{cap}");
        }
    }

    #[test]
    fn overlong_line_is_skipped_with_a_warning() {
        let mut text = vec![b'x'; 2 * MAX_LINE];
        text.extend_from_slice(
            b"\ntype=USER_END msg=audit(1.000:2): pid=1 uid=0 msg='op=y res=success'\n",
        );
        let mut r = Replay::new(
            ReplayOptions::default(),
            crate::FixedNames::new(),
            Vec::new(),
        );
        let mut warnings = Vec::new();
        r.feed("big", std::io::BufReader::new(&text[..]), &mut |w| {
            warnings.push(w)
        })
        .unwrap();
        let (sum, _) = r.finish().unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("big:1: line longer than"),
            "{warnings:?}"
        );
        assert_eq!((sum.records, sum.events, sum.warnings), (1, 1, 1));
    }

    #[test]
    fn corrupt_line_warns_with_location_and_goes_on() {
        let mut r = Replay::new(
            ReplayOptions::default(),
            crate::FixedNames::new(),
            Vec::new(),
        );
        let input = b"type=USER_END msg=audit(1.000:1): pid=1 uid=0 msg='op=x res=success'\ngarbage here\ntype=USER_END msg=audit(1.000:2): pid=1 uid=0 msg='op=x res=success'\n";
        let mut warnings = Vec::new();
        r.feed("in.log", &input[..], &mut |w| warnings.push(w))
            .unwrap();
        let (sum, out) = r.finish().unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("in.log:2: "), "{}", warnings[0]);
        assert_eq!((sum.records, sum.events, sum.warnings), (2, 2, 1));
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
    }
}
