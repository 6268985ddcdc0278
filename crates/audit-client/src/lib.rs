//! Linux audit netlink client.
//!
//! - [`AuditControl`]: synchronous control client (status, features, rules,
//!   registration, user messages) over a [`Transport`] — the kernel's
//!   `NETLINK_AUDIT` socket ([`NetlinkTransport`]) or a fake peer.
//! - [`EventSocket`]: tokio event stream for the daemon (registered unicast
//!   or read-only multicast), batched receive, ENOBUFS counted.
//! - Audit trees (directory watches): [`AuditControl::trim_subtrees`]
//!   (`AUDIT_TRIM`) and [`AuditControl::make_equivalent`]
//!   (`AUDIT_MAKE_EQUIV`), payload in [`tree`].
//! - Wire structures mirroring `include/uapi/linux/audit.h`:
//!   [`AuditStatus`], [`AuditFeatures`], [`MessageType`].
//! - `testkit` (cargo feature): a live-kernel test guard and fake kernels.
//!
//! Payloads stay bytes: rule bytes are opaque `struct audit_rule_data`
//! produced by the `audit-rules` crate; event payloads are raw bytes.
//!
//! # Kernel errors
//!
//! | request | errno | error |
//! |---|---|---|
//! | `AUDIT_ADD_RULE` | `EEXIST` | [`Error::RuleExists`] |
//! | `AUDIT_DEL_RULE` | `ENOENT` | [`Error::RuleNotFound`] |
//! | `AUDIT_SET`, `AUDIT_ADD_RULE`, `AUDIT_DEL_RULE` | `EPERM`, status `enabled == 2` | [`Error::ConfigLocked`] |
//! | `AUDIT_SET_FEATURE` | `EPERM`, feature lock bit set | [`Error::FeatureLocked`] |
//! | any | `EPERM` otherwise, `ECONNREFUSED` | [`Error::PermissionDenied`] |
//! | `AUDIT_SET` with a pid | `EEXIST` (register while another daemon is healthy), `EACCES` (unregister someone else) | [`Error::AnotherDaemon`] with the holder's pid and comm |
//! | `AUDIT_MAKE_EQUIV` | `ENOENT` (path not found), `EINVAL` (empty path), `ENAMETOOLONG` | [`Error::Kernel`] |
//! | `AUDIT_SET` with a pid | `EINVAL` (pid is not the caller's tgid) | [`Error::Kernel`] |
//! | anything else | | [`Error::Kernel`] `{ op, errno }` |
//!
//! (`kernel/audit.c`, `audit_receive_msg`, Linux 6.x.) An `EPERM` is
//! disambiguated by asking the kernel for the status (or features) right
//! after the failure.
//!
//! # Kernel behaviours this crate relies on
//!
//! - Replies to `AUDIT_GET`, `AUDIT_GET_FEATURE` and `AUDIT_LIST_RULES` are
//!   sent from a kernel thread (`audit_send_reply_thread`,
//!   `audit_send_list_thread`), normally *after* the ACK: the client waits
//!   for the data whatever the order and skips late ACKs by sequence number.
//! - `AUDIT_SET` with mask exactly `AUDIT_STATUS_LOST` (or
//!   `AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL`) resets the counter and returns
//!   its old value as a *positive* ACK error code.
//! - Event datagrams carry one record each, and `nlmsg_len` of unicast
//!   records is the payload length (16 bytes short): see
//!   [`event::parse_event_datagram`].
//! - The kernel unicasts records to the socket that sent the registering
//!   `AUDIT_SET`, so [`EventSocket`] registers itself and the control socket
//!   stays separate.

pub mod control;
pub mod error;
pub mod event;
pub mod feature;
pub mod message;
pub mod rule;
pub mod socket;
pub mod status;
pub mod transport;
pub mod tree;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use control::AuditControl;
pub use error::Error;
pub use event::{
    CounterSnapshot, EventBatch, EventConfig, EventCounters, EventItem, EventMode, EventRecord,
    EventSocket,
};
pub use feature::{AuditFeatures, Feature};
pub use message::MessageType;
pub use socket::ReceiveBuffer;
pub use status::{AuditStatus, StatusChange, StatusChangeReply};
pub use transport::{NetlinkTransport, Transport};
