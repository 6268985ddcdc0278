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
//!
//! - [`Reassembler`]: groups records into [`Event`]s by `(node, timestamp,
//!   serial)`, tolerating interleaving, reordering, missing EOE, serial wrap
//!   and late records; reports serial gaps as lost events. Time is passed
//!   in by the caller. When an event is complete is explained in [`event`].
//!
//! ```
//! use audit_reassembler::{Completion, Output, Reassembler, Record};
//! let mut r = Reassembler::default();
//! let mut out = Vec::new();
//! for line in [
//!     &b"type=SYSCALL msg=audit(1700000000.100:10): syscall=59 success=yes"[..],
//!     b"type=EXECVE msg=audit(1700000000.100:10): argc=1 a0=\"ls\"",
//!     b"type=PROCTITLE msg=audit(1700000000.100:10): proctitle=6C73",
//! ] {
//!     let rec = Record::parse_log_line(line).unwrap();
//!     let now = rec.timestamp().as_millis(); // replay: event time
//!     r.push(rec, now, &mut out);
//! }
//! r.flush(&mut out);
//! let Output::Event(ev) = &out[0] else { panic!() };
//! assert_eq!((ev.serial(), ev.records().len(), ev.completion()), (10, 3, Completion::Proctitle));
//! ```

mod error;
pub mod event;
mod field;
mod header;
mod reassembler;
mod record;
mod separator;
mod sequence;

pub use error::{HeaderPart, ParseError};
pub use event::{is_daemon_type, is_single_record_type, Completion, Event};
pub use field::{hex_decode, hex_decode_into, is_hex, Field, FieldIter, Quoting};
pub use reassembler::{Config, Output, Reassembler, Stats};
pub use record::{Fields, Record, Timestamp, ENRICHMENT_SEPARATOR, MAX_RECORD_LEN};
