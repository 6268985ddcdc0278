//! Linux audit netlink client.
//!
//! - [`AuditControl`]: synchronous control client (status, features, rules,
//!   registration, user messages) over a [`Transport`] — the kernel's
//!   `NETLINK_AUDIT` socket ([`NetlinkTransport`]) or a fake peer.
//! - [`EventSocket`]: tokio event stream for the daemon (registered unicast
//!   or read-only multicast), batched receive, ENOBUFS counted.
//! - Wire structures mirroring `include/uapi/linux/audit.h`:
//!   [`AuditStatus`], [`AuditFeatures`], [`MessageType`].
//! - `testkit` (cargo feature): a live-kernel test guard and fake kernels.
//!
//! Payloads stay bytes: rule bytes are opaque `struct audit_rule_data`
//! produced by the `audit-rules` crate; event payloads are raw bytes.

pub mod control;
pub mod error;
pub mod event;
pub mod feature;
pub mod message;
pub mod rule;
pub mod socket;
pub mod status;
pub mod transport;

#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use control::AuditControl;
pub use error::Error;
pub use event::{
    EventBatch, EventConfig, EventCounters, EventItem, EventMode, EventRecord, EventSocket,
};
pub use feature::{AuditFeatures, Feature};
pub use message::MessageType;
pub use socket::ReceiveBuffer;
pub use status::{AuditStatus, StatusChange, StatusChangeReply};
pub use transport::{NetlinkTransport, Transport};
