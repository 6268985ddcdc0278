//! Audit record parsing and event reassembly. Pure: no I/O; time is a
//! parameter.
//!
//! - [`Record`]: one record, parsed from an audit.log line
//!   ([`Record::parse_log_line`], RAW or ENRICHED) or from a kernel netlink
//!   payload ([`Record::parse_kernel`]). It owns its bytes in one
//!   allocation; [`Field`]s borrow from it. Values are raw bytes: the
//!   interpreter decides where the kernel hex-encoded ([`hex_decode`]).
//!
//! ```
//! use audit_reassembler::{Record, Quoting};
//! let line = b"type=USER_ACCT msg=audit(1795396403.994:68748): pid=26790 uid=0 \
//!     msg='op=PAM:accounting acct=\"root\" exe=\"/usr/sbin/sshd\" addr=127.0.0.1 res=success'";
//! let rec = Record::parse_log_line(line).unwrap();
//! assert_eq!(rec.msg_type(), 1101);
//! assert_eq!(rec.serial(), 68748);
//! assert_eq!(rec.timestamp().msec, 994);
//! let acct = rec.get(b"acct").unwrap();
//! assert_eq!((acct.value, acct.quoting, acct.nested), (&b"root"[..], Quoting::Double, true));
//! ```

mod error;
mod field;
mod record;

pub use error::{HeaderPart, ParseError};
pub use field::{hex_decode, hex_decode_into, is_hex, Field, FieldIter, Quoting};
pub use record::{Fields, Record, Timestamp, ENRICHMENT_SEPARATOR, MAX_RECORD_LEN};
