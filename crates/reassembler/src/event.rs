//! Events (the records sharing one `(node, timestamp, serial)`) and the rules
//! that tell when an event is complete.
//!
//! ## Which records end an event
//!
//! The kernel gives every record of one syscall the same timestamp and
//! serial: records logged during the syscall (CONFIG_CHANGE, LOGIN, AVC,
//! NETFILTER_CFG...), then at syscall exit SYSCALL, the auxiliary records
//! (EXECVE, BPRM_FCAPS, SOCKADDR, ...), CWD, PATH..., PROCTITLE and finally
//! EOE (`audit_log_exit()` in kernel/auditsc.c). auditd does not write EOE to
//! audit.log, so a log has to be grouped without it.
//!
//! - [`AUDIT_EOE`] ends its event ([`Completion::Eoe`]); it is not kept.
//! - PROCTITLE ends its event ([`Completion::Proctitle`]): the kernel logs
//!   it last before EOE (`audit_log_proctitle()` is the last call in
//!   `audit_log_exit()`); auparse (`audit_is_last_record`) uses the same
//!   rule. An EOE arriving afterwards is absorbed silently. Can be turned off
//!   with [`Config::proctitle_ends_event`](crate::Config::proctitle_ends_event).
//! - Single-record types complete at once ([`Completion::Single`]), see
//!   [`is_single_record_type`]: messages user space sends through the kernel
//!   (1005 AUDIT_USER, 1100-1199, 2100-2999: the kernel logs them with no
//!   syscall context, `audit_log_user_recv_msg()` passes a NULL context), the
//!   records auditd writes itself (DAEMON_* 1200-1299), other 1007-1099
//!   control types, and AUDIT_KERNEL (2000, logged at audit init without
//!   context). This is auparse's list minus the kernel ranges 1416-1419 and
//!   1700-1999 (anomalies, integrity), which the kernel logs with the current
//!   syscall context and can be followed by SYSCALL records of the same
//!   serial: those wait like any other kernel record.
//! - Every other record waits for EOE/PROCTITLE, a timeout, eviction or
//!   flush. This covers events without SYSCALL (AVC, NETFILTER_CFG,
//!   TIME_*, LOGIN or CONFIG_CHANGE when no rule audits the syscall).

use audit_tables::msgtype::{
    AUDIT_EOE, AUDIT_FIRST_USER_MSG2, AUDIT_KERNEL, AUDIT_LAST_USER_MSG2, AUDIT_LOGIN,
    AUDIT_PROCTITLE, AUDIT_SYSCALL, AUDIT_USER,
};

use crate::record::{Record, Timestamp};

/// First record type auditd writes itself with its own serial counter
/// (AUDIT_FIRST_DAEMON in libaudit).
pub const AUDIT_FIRST_DAEMON: u16 = 1200;
/// Last daemon record type (AUDIT_LAST_DAEMON).
pub const AUDIT_LAST_DAEMON: u16 = 1299;

/// Whether a record of this type is an event on its own (see the module
/// documentation for the list and the reasons).
pub fn is_single_record_type(msg_type: u16) -> bool {
    msg_type == AUDIT_USER
        || (msg_type > AUDIT_LOGIN && msg_type < AUDIT_SYSCALL)
        || msg_type == AUDIT_KERNEL
        || (AUDIT_FIRST_USER_MSG2..=AUDIT_LAST_USER_MSG2).contains(&msg_type)
}

/// Whether records of this type carry auditd's own serial numbers (DAEMON_*)
/// rather than the kernel's; they are left out of gap (lost event) counting.
pub fn is_daemon_type(msg_type: u16) -> bool {
    (AUDIT_FIRST_DAEMON..=AUDIT_LAST_DAEMON).contains(&msg_type)
}

/// What a record does to its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A whole event by itself.
    Single,
    /// The last record the kernel sends before EOE (PROCTITLE).
    Last,
    /// End of event marker.
    End,
    /// Anything else.
    Part,
}

pub(crate) fn role(msg_type: u16, proctitle_ends_event: bool) -> Role {
    if msg_type == AUDIT_EOE {
        Role::End
    } else if msg_type == AUDIT_PROCTITLE && proctitle_ends_event {
        Role::Last
    } else if is_single_record_type(msg_type) {
        Role::Single
    } else {
        Role::Part
    }
}

/// How an event was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Completion {
    /// The kernel's EOE record arrived.
    Eoe,
    /// Its PROCTITLE record arrived (the kernel's last record before EOE).
    Proctitle,
    /// A single-record type ([`is_single_record_type`]).
    Single,
    /// No end marker within the timeout: possibly incomplete.
    Timeout,
    /// Pushed out because too many events were in flight, or because it
    /// reached [`Config::max_records_per_event`](crate::Config::max_records_per_event):
    /// possibly incomplete.
    Evicted,
    /// Emitted by [`Reassembler::flush`](crate::Reassembler::flush) at end of
    /// input or shutdown: possibly incomplete.
    Flushed,
}

impl Completion {
    /// `true` when an end marker proves the event whole (EOE, PROCTITLE,
    /// single record); `false` for timeout, eviction and flush.
    pub fn is_complete(self) -> bool {
        matches!(
            self,
            Completion::Eoe | Completion::Proctitle | Completion::Single
        )
    }
}

/// The identity of an event: node, timestamp and serial. The serial alone
/// repeats across nodes and after wrapping at 2^32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct EventKey {
    pub node: u32,
    pub serial: u32,
    pub timestamp: Timestamp,
}

/// One reassembled event: its records in arrival order (never empty; EOE is
/// not kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    timestamp: Timestamp,
    serial: u32,
    records: Vec<Record>,
    completion: Completion,
}

impl Event {
    pub(crate) fn new(records: Vec<Record>, completion: Completion) -> Option<Event> {
        let first = records.first()?;
        Some(Event {
            timestamp: first.timestamp(),
            serial: first.serial(),
            records,
            completion,
        })
    }

    /// The `node=` name shared by the records, if any.
    pub fn node(&self) -> Option<&[u8]> {
        self.records.first().and_then(Record::node)
    }

    /// The records' timestamp.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// The records' serial.
    pub fn serial(&self) -> u32 {
        self.serial
    }

    /// How the event was closed.
    pub fn completion(&self) -> Completion {
        self.completion
    }

    /// The records, in arrival order (at least one).
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Takes the records out.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// The first record of type `msg_type`.
    pub fn record(&self, msg_type: u16) -> Option<&Record> {
        self.records.iter().find(|r| r.msg_type() == msg_type)
    }

    /// All records of type `msg_type` (e.g. every PATH), in order.
    pub fn records_of(&self, msg_type: u16) -> impl Iterator<Item = &Record> {
        self.records
            .iter()
            .filter(move |r| r.msg_type() == msg_type)
    }

    /// The type that names the event: SYSCALL if there is one, else the
    /// first record's type.
    pub fn primary_type(&self) -> u16 {
        if self.records.iter().any(|r| r.msg_type() == AUDIT_SYSCALL) {
            AUDIT_SYSCALL
        } else {
            self.records.first().map_or(0, Record::msg_type)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_record_types() {
        for t in [
            1005, 1100, 1101, 1112, 1130, 1199, 1200, 1201, 1299, 2000, 2100, 2300, 2999,
        ] {
            assert!(is_single_record_type(t), "{t}");
        }
        for t in [
            1006, 1300, 1305, 1320, 1327, 1400, 1416, 1701, 1800, 1325, 3000,
        ] {
            assert!(!is_single_record_type(t), "{t}");
        }
        assert!(is_daemon_type(1200) && is_daemon_type(1201) && !is_daemon_type(1100));
    }

    #[test]
    fn roles() {
        assert_eq!(role(1320, true), Role::End);
        assert_eq!(role(1327, true), Role::Last);
        assert_eq!(role(1327, false), Role::Part);
        assert_eq!(role(1101, true), Role::Single);
        assert_eq!(role(1300, true), Role::Part);
    }

    #[test]
    fn event_accessors() {
        let a = Record::parse_log_line(b"node=n1 type=SYSCALL msg=audit(5.006:7): a=1").unwrap();
        let b = Record::parse_log_line(b"node=n1 type=PATH msg=audit(5.006:7): item=0").unwrap();
        let c = Record::parse_log_line(b"node=n1 type=PATH msg=audit(5.006:7): item=1").unwrap();
        let e = Event::new(vec![b, a, c], Completion::Timeout).unwrap();
        assert_eq!(e.node(), Some(&b"n1"[..]));
        assert_eq!(e.serial(), 7);
        assert_eq!(e.timestamp(), Timestamp { sec: 5, msec: 6 });
        assert_eq!(e.primary_type(), 1300);
        assert_eq!(e.records_of(1302).count(), 2);
        assert_eq!(e.record(1300).unwrap().value(b"a"), Some(&b"1"[..]));
        assert!(!e.completion().is_complete());
        assert!(Event::new(Vec::new(), Completion::Eoe).is_none());
    }
}
