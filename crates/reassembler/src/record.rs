//! One audit record: its header (type, node, timestamp, serial) and fields.
//!
//! A [`Record`] owns its bytes in a single allocation: the original input
//! followed by a table of field positions computed once at parse time, so
//! [`Record::fields`] and [`Record::get`] never re-scan or allocate.

use std::fmt;
use std::mem::MaybeUninit;

use crate::error::{HeaderPart, ParseError};
use crate::field::{Field, FieldIter, Quoting, Span, Tokenizer};
use crate::header::{
    fast_header, fast_prefix, find_space, parse_header, skip_spaces, type_from_name,
};
use crate::separator::count_equals;

/// The longest record accepted, in bytes (the kernel's limit is 8,970; log
/// lines with an ENRICHED suffix are longer, but not by this much).
pub const MAX_RECORD_LEN: usize = 4 << 20;

/// The separator auditd writes before the interpreted part of an ENRICHED
/// log line (ASCII group separator).
pub const ENRICHMENT_SEPARATOR: u8 = 0x1D;

/// Bytes per entry in the field table (4 little-endian `u32`s).
const SPAN_BYTES: usize = 16;

/// The time in a record header: `audit(SEC.MSEC:SERIAL)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    pub sec: u64,
    /// Milliseconds, 0-999.
    pub msec: u32,
}

impl Timestamp {
    /// Milliseconds since the Unix epoch (saturating); what to pass as `now`
    /// to the [`Reassembler`](crate::Reassembler) when replaying a log.
    pub fn as_millis(&self) -> u64 {
        self.sec
            .saturating_mul(1000)
            .saturating_add(u64::from(self.msec))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:03}", self.sec, self.msec)
    }
}

/// A byte range inside the record's buffer (`u32` offsets; records are at
/// most [`MAX_RECORD_LEN`] long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Range32 {
    start: u32,
    end: u32,
}

impl Range32 {
    fn new(start: usize, end: usize) -> Self {
        // Both are <= MAX_RECORD_LEN, checked before any range is built.
        Range32 {
            start: start as u32,
            end: end as u32,
        }
    }
    fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        &buf[self.start as usize..self.end as usize]
    }
}

/// One parsed audit record.
///
/// Built by [`Record::parse_log_line`] (a line of audit.log, RAW or ENRICHED)
/// or [`Record::parse_kernel`] (a netlink message from the kernel). Values
/// stay raw bytes: nothing is hex-decoded or converted to UTF-8.
///
/// Fields are listed in input order; for user-space records, the inner
/// fields of the single-quoted `msg='...'` follow all the outer ones, marked
/// [`Field::nested`] (the `msg` field itself is listed too, with the whole
/// inner text as its value). Only the first `msg='...'` is expanded.
#[derive(Clone)]
pub struct Record {
    /// The input (trimmed of trailing `\n`, `\r`, NUL), then the field table.
    buf: Vec<u8>,
    raw_len: u32,
    nfields: u32,
    msg_type: u16,
    serial: u32,
    timestamp: Timestamp,
    node: Option<Range32>,
    type_name: Option<Range32>,
    /// From `audit(` to the end of the body.
    header_start: u32,
    body: Range32,
    enrichment: Option<Range32>,
}

impl Record {
    /// Parses one audit.log line: `[node=NAME ]type=NAME msg=audit(SEC.MSEC:SERIAL): fields...`,
    /// optionally followed by 0x1D and the ENRICHED interpretation.
    ///
    /// The type may be a name (`SYSCALL`), `UNKNOWN[1334]` or a number. A
    /// name unknown to `audit-tables` is kept (see [`Record::type_name`]) and
    /// [`Record::msg_type`] is then 0. A trailing `\n` / `\r\n` is ignored.
    /// The last 0x1D byte of the line starts the enrichment.
    pub fn parse_log_line(line: &[u8]) -> Result<Record, ParseError> {
        Self::parse_log_line_in(line, Vec::new())
    }

    /// [`Record::parse_log_line`] storing the record in `buf` (its contents
    /// are discarded, its allocation reused): with buffers given back by
    /// [`Record::into_buffer`], a reader parses without allocating.
    pub fn parse_log_line_in(line: &[u8], buf: Vec<u8>) -> Result<Record, ParseError> {
        let line = trim_end(line);
        check_len(line)?;
        if let Some((msg_type, name_end)) = fast_prefix(line) {
            // `type=NAME msg=audit(`: the general path below would find the
            // same.
            let header_start = name_end + 5;
            let (timestamp, serial, body_start) = match fast_header(line, header_start + 6) {
                Some(parsed) => parsed,
                None => parse_header(line, header_start)?,
            };
            return Ok(Self::build_in(
                line,
                Parts {
                    msg_type,
                    serial,
                    timestamp,
                    node: None,
                    type_name: Some(Range32::new(5, name_end)),
                    header_start,
                    body_start,
                    enriched: true,
                },
                buf,
            ));
        }
        let mut pos = 0;
        let mut node = None;
        if line.starts_with(b"node=") {
            let sp = memchr::memchr(b' ', line).ok_or(ParseError::header(HeaderPart::Node, 0))?;
            node = Some(Range32::new(5, sp));
            pos = skip_spaces(line, sp);
        }
        if !line[pos..].starts_with(b"type=") {
            return Err(ParseError::header(HeaderPart::Type, pos));
        }
        let name_start = pos + 5;
        let name_end = find_space(line, name_start);
        let name = &line[name_start..name_end];
        let msg_type =
            type_from_name(name).ok_or(ParseError::header(HeaderPart::TypeNumber, name_start))?;
        pos = skip_spaces(line, name_end);
        if !line[pos..].starts_with(b"msg=") {
            return Err(ParseError::header(HeaderPart::Prefix, pos));
        }
        let header_start = pos + 4;
        let (timestamp, serial, body_start) = parse_header(line, header_start)?;
        Ok(Self::build_in(
            line,
            Parts {
                msg_type,
                serial,
                timestamp,
                node,
                type_name: Some(Range32::new(name_start, name_end)),
                header_start,
                body_start,
                enriched: true,
            },
            buf,
        ))
    }

    /// Parses the payload of a netlink message from the kernel:
    /// `audit(SEC.MSEC:SERIAL): fields...`. Trailing NUL bytes and newlines
    /// are ignored. There is no node and no enrichment.
    pub fn parse_kernel(msg_type: u16, payload: &[u8]) -> Result<Record, ParseError> {
        let payload = trim_end(payload);
        check_len(payload)?;
        let (timestamp, serial, body_start) = parse_header(payload, 0)?;
        Ok(Self::build_in(
            payload,
            Parts {
                msg_type,
                serial,
                timestamp,
                node: None,
                type_name: None,
                header_start: 0,
                body_start,
                enriched: false,
            },
            Vec::new(),
        ))
    }

    fn build_in(input: &[u8], p: Parts, mut buf: Vec<u8>) -> Record {
        let len = input.len();
        // One pass over the body finds the separators, counts the '=' and
        // notices any 0x1D. (The tokenizer is built here, in place: moving
        // its bitmaps around cost a copy per record.)
        let mut tokens = Tokenizer::new(input, p.body_start, len);
        let seen = tokens.scan();
        let mut max_fields = seen.equals;
        let mut body_end = len;
        let mut enrichment = None;
        if !seen.complete || (p.enriched && seen.group_separator) {
            // A body longer than the tokenizer's window, or an ENRICHED
            // line: the enrichment starts after the last 0x1D.
            let split = if p.enriched {
                memchr::memrchr(ENRICHMENT_SEPARATOR, &input[p.body_start..])
                    .map(|i| p.body_start + i)
            } else {
                None
            };
            if let Some(end) = split {
                body_end = end;
                enrichment = Some(Range32::new(end + 1, len));
                tokens = Tokenizer::new(input, p.body_start, end);
            }
            max_fields = count_equals(&input[p.body_start..body_end]);
        }
        // Every field has its own '=' in the body: an upper bound, so the
        // record's single allocation is never grown.
        buf.clear();
        buf.reserve(len + max_fields * SPAN_BYTES);
        buf.extend_from_slice(input);
        // The table is written straight into the reserved room (no length
        // and capacity update per field), then its length set once.
        let table = &mut buf.spare_capacity_mut()[..max_fields * SPAN_BYTES];
        let mut written = 0usize;
        let mut nested: Option<(usize, usize)> = None;
        while let Some(span) = tokens.next_span() {
            if nested.is_none()
                && span.quoting == Quoting::Single
                && &input[span.key_start..span.key_end] == b"msg"
            {
                nested = Some((span.val_start, span.val_end));
            }
            written += write_span(table, written, &span, false);
        }
        if let Some((start, end)) = nested {
            let mut tokens = Tokenizer::new(input, start, end);
            while let Some(span) = tokens.next_span() {
                written += write_span(table, written, &span, true);
            }
        }
        // SAFETY: `write_span` initialized `table[..written]` (it advances
        // `written` only by the bytes it wrote), and `table` is the spare
        // capacity right after the `len` initialized bytes of the input, so
        // the first `len + written` bytes of `buf` are initialized and
        // within its capacity.
        unsafe { buf.set_len(len + written) };
        let nfields = (written / SPAN_BYTES) as u32;
        Record {
            buf,
            raw_len: input.len() as u32,
            nfields,
            msg_type: p.msg_type,
            serial: p.serial,
            timestamp: p.timestamp,
            node: p.node,
            type_name: p.type_name,
            header_start: p.header_start as u32,
            body: Range32::new(p.body_start, body_end),
            enrichment,
        }
    }

    /// The record's storage, for [`Record::parse_log_line_in`] to reuse.
    pub fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The record type number (`1300` for SYSCALL). 0 if the log line named
    /// a type that `audit-tables` does not know (see [`Record::type_name`]).
    pub fn msg_type(&self) -> u16 {
        self.msg_type
    }

    /// The type as written in the log line (`SYSCALL`, `UNKNOWN[1334]`);
    /// `None` for records from the kernel.
    pub fn type_name(&self) -> Option<&[u8]> {
        self.type_name.map(|r| r.get(&self.buf))
    }

    /// The `node=` name of a log line, if any.
    pub fn node(&self) -> Option<&[u8]> {
        self.node.map(|r| r.get(&self.buf))
    }

    /// The header's time.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// The header's serial (event sequence number).
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// All fields: outer ones in order, then the nested `msg='...'` ones.
    pub fn fields(&self) -> Fields<'_> {
        let raw_len = self.raw_len as usize;
        Fields {
            raw: &self.buf[..raw_len],
            table: self.buf[raw_len..raw_len + self.nfields as usize * SPAN_BYTES]
                .chunks_exact(SPAN_BYTES),
        }
    }

    /// Number of fields ([`Record::fields`]`().len()`).
    pub fn field_count(&self) -> usize {
        self.nfields as usize
    }

    /// The first field named `key` (outer fields come before nested ones).
    pub fn get(&self, key: &[u8]) -> Option<Field<'_>> {
        let raw = &self.buf[..self.raw_len as usize];
        let table = &self.buf[self.raw_len as usize..];
        (0..self.nfields as usize)
            .find(|&i| {
                let e = &table[i * SPAN_BYTES..];
                let start = (read_u32(e, 0) & !NESTED_BIT) as usize;
                let len = (read_u32(e, 4) & 0x3fff_ffff) as usize;
                len == key.len() && raw.get(start..start + len) == Some(key)
            })
            .map(|i| self.field_at(i))
    }

    /// The raw value of the first field named `key`.
    pub fn value(&self, key: &[u8]) -> Option<&[u8]> {
        self.get(key).map(|f| f.value)
    }

    /// The text after `audit(...): `, up to the enrichment separator.
    pub fn body(&self) -> &[u8] {
        self.body.get(&self.buf)
    }

    /// The ENRICHED interpretation after 0x1D (without the separator), if any.
    pub fn enrichment(&self) -> Option<&[u8]> {
        self.enrichment.map(|r| r.get(&self.buf))
    }

    /// The fields of the ENRICHED part (`UID="root" SYSCALL=execve ...`),
    /// parsed lazily; empty when there is none.
    pub fn enrichment_fields(&self) -> FieldIter<'_> {
        FieldIter::new(self.enrichment().unwrap_or_default())
    }

    /// The input as given (log line or kernel payload), without the trailing
    /// line terminator; includes the enrichment of an ENRICHED line.
    pub fn raw(&self) -> &[u8] {
        &self.buf[..self.raw_len as usize]
    }

    /// `audit(SEC.MSEC:SERIAL): body`, without node, type or enrichment
    /// (the form go-libaudit calls `raw_msg`).
    pub fn message(&self) -> &[u8] {
        &self.buf[self.header_start as usize..self.body.end as usize]
    }

    /// Appends the record as auditd writes it with `log_format = RAW`
    /// (no newline): `[node=N ]type=NAME msg=audit(...): body`. The name is
    /// the one in the log line, else the `audit-tables` name, else
    /// `UNKNOWN[N]` as auditd writes it.
    pub fn write_log_line(&self, out: &mut Vec<u8>) {
        if let Some(node) = self.node() {
            out.extend_from_slice(b"node=");
            out.extend_from_slice(node);
            out.push(b' ');
        }
        out.extend_from_slice(b"type=");
        match self.type_name() {
            Some(name) => out.extend_from_slice(name),
            None => match audit_tables::msgtype::name(self.msg_type) {
                Some(name) => out.extend_from_slice(name.as_bytes()),
                None => {
                    out.extend_from_slice(b"UNKNOWN[");
                    out.extend_from_slice(self.msg_type.to_string().as_bytes());
                    out.push(b']');
                }
            },
        }
        out.extend_from_slice(b" msg=");
        out.extend_from_slice(self.message());
    }

    fn field_at(&self, i: usize) -> Field<'_> {
        let raw_len = self.raw_len as usize;
        let base = raw_len + i * SPAN_BYTES;
        entry_field(&self.buf[..raw_len], &self.buf[base..base + SPAN_BYTES])
    }
}

/// The field described by one table entry (`entry` is [`SPAN_BYTES`] long)
/// over the record's input `raw`.
#[inline(always)]
fn entry_field<'a>(raw: &'a [u8], entry: &[u8]) -> Field<'a> {
    let key_start = read_u32(entry, 0) as usize;
    let key_len_q = read_u32(entry, 4);
    let val_start = read_u32(entry, 8) as usize;
    let val_len = read_u32(entry, 12) as usize;
    let key_len = (key_len_q & 0x3fff_ffff) as usize;
    let quoting = match key_len_q >> 30 {
        0 => Quoting::Unquoted,
        1 => Quoting::Double,
        2 => Quoting::Single,
        _ => Quoting::Braced,
    };
    let nested = (key_start as u32 & NESTED_BIT) != 0;
    let key_start = key_start & !(NESTED_BIT as usize);
    Field {
        key: &raw[key_start..key_start + key_len],
        value: &raw[val_start..val_start + val_len],
        quoting,
        nested,
    }
}

/// The high bit of a span's key offset marks a nested field (offsets are
/// below [`MAX_RECORD_LEN`], far from it).
const NESTED_BIT: u32 = 1 << 31;

struct Parts {
    msg_type: u16,
    serial: u32,
    timestamp: Timestamp,
    node: Option<Range32>,
    type_name: Option<Range32>,
    header_start: usize,
    body_start: usize,
    /// Whether the body ends at the last 0x1D (log lines).
    enriched: bool,
}

/// Writes the table entry of `s` at `table[at..at + SPAN_BYTES]` and
/// returns [`SPAN_BYTES`]; returns 0 and writes nothing if it does not fit
/// (cannot happen: the table has room for one entry per `'='` of the body
/// and every field, outer or nested, has its own).
#[inline(always)]
fn write_span(table: &mut [MaybeUninit<u8>], at: usize, s: &Span, nested: bool) -> usize {
    let Some(slot) = table
        .get_mut(at..)
        .and_then(|rest| rest.first_chunk_mut::<SPAN_BYTES>())
    else {
        return 0;
    };
    *slot = span_entry(s, nested).map(MaybeUninit::new);
    SPAN_BYTES
}

/// The table entry of a span (see [`entry_field`] for the layout).
#[inline(always)]
fn span_entry(s: &Span, nested: bool) -> [u8; SPAN_BYTES] {
    let q: u32 = match s.quoting {
        Quoting::Unquoted => 0,
        Quoting::Double => 1,
        Quoting::Single => 2,
        Quoting::Braced => 3,
    };
    let key_start = s.key_start as u32 | if nested { NESTED_BIT } else { 0 };
    let mut entry = [0u8; SPAN_BYTES];
    entry[0..4].copy_from_slice(&key_start.to_le_bytes());
    entry[4..8].copy_from_slice(&(((s.key_end - s.key_start) as u32) | (q << 30)).to_le_bytes());
    entry[8..12].copy_from_slice(&(s.val_start as u32).to_le_bytes());
    entry[12..16].copy_from_slice(&((s.val_end - s.val_start) as u32).to_le_bytes());
    entry
}

#[inline]
fn read_u32(buf: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&buf[at..at + 4]);
    u32::from_le_bytes(b)
}

/// Iterator over a record's fields (see [`Record::fields`]).
#[derive(Clone)]
pub struct Fields<'a> {
    /// The record's input.
    raw: &'a [u8],
    /// The remaining entries of the field table.
    table: std::slice::ChunksExact<'a, u8>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = Field<'a>;

    #[inline]
    fn next(&mut self) -> Option<Field<'a>> {
        let entry = self.table.next()?;
        Some(entry_field(self.raw, entry))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.table.size_hint()
    }
}

impl ExactSizeIterator for Fields<'_> {}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("msg_type", &self.msg_type)
            .field("timestamp", &self.timestamp)
            .field("serial", &self.serial)
            .field("raw", &String::from_utf8_lossy(self.raw()))
            .finish()
    }
}

impl PartialEq for Record {
    /// Two records are equal when their inputs and types are.
    fn eq(&self, other: &Self) -> bool {
        self.msg_type == other.msg_type && self.raw() == other.raw()
    }
}

impl Eq for Record {}

fn trim_end(mut s: &[u8]) -> &[u8] {
    while let Some((&last, rest)) = s.split_last() {
        if matches!(last, b'\n' | b'\r' | 0) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

fn check_len(s: &[u8]) -> Result<(), ParseError> {
    if s.is_empty() {
        return Err(ParseError::Empty);
    }
    if s.len() > MAX_RECORD_LEN {
        return Err(ParseError::TooLong {
            len: s.len(),
            max: MAX_RECORD_LEN,
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
