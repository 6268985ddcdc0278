//! The crate's error type.

use std::fmt;

/// The part of a record's prefix or `audit(SEC.MSEC:SERIAL):` header that
/// could not be parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderPart {
    /// `node=NAME ` prefix (log lines) without the terminating space.
    Node,
    /// `type=NAME` missing at the start of a log line (after `node=`).
    Type,
    /// `type=UNKNOWN[N]` or `type=N` with a number that is not a `u16`.
    TypeNumber,
    /// `msg=audit(` missing (log line) or `audit(` missing (kernel payload).
    Prefix,
    /// The seconds before the `.`.
    Seconds,
    /// The milliseconds between `.` and `:` (0-999).
    Milliseconds,
    /// The serial between `:` and `)` (a `u32`).
    Serial,
    /// The `):` closing the header.
    Close,
}

impl fmt::Display for HeaderPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderPart::Node => "node= prefix",
            HeaderPart::Type => "type= field",
            HeaderPart::TypeNumber => "record type number",
            HeaderPart::Prefix => "audit( prefix",
            HeaderPart::Seconds => "timestamp seconds",
            HeaderPart::Milliseconds => "timestamp milliseconds",
            HeaderPart::Serial => "serial",
            HeaderPart::Close => "closing ):",
        })
    }
}

/// Why a record could not be parsed. Cheap (no allocation); the caller adds
/// the context it has (file and line, netlink message type).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but line terminators / NUL bytes.
    #[error("empty record")]
    Empty,
    /// A malformed part of the prefix or header; `offset` is the byte
    /// position in the input where that part starts.
    #[error("malformed record header: bad {part} at byte {offset}")]
    Header {
        /// Which part.
        part: HeaderPart,
        /// Byte offset of that part in the input.
        offset: usize,
    },
    /// The record is longer than [`MAX_RECORD_LEN`](crate::MAX_RECORD_LEN).
    #[error("record too long: {len} bytes (maximum {max})")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl ParseError {
    pub(crate) fn header(part: HeaderPart, offset: usize) -> Self {
        ParseError::Header { part, offset }
    }
}
