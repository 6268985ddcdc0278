//! The event stream for the daemon: a `NETLINK_AUDIT` socket, separate from
//! the control socket, that either registers as the audit daemon (the
//! kernel unicasts every record to it) or joins the read-only multicast
//! group `AUDIT_NLGRP_READLOG`. Records are received in batches: each
//! wakeup drains everything readable into a caller-provided [`EventBatch`],
//! up to [`EventConfig::datagrams_per_read`] datagrams per `recvmmsg`
//! call (the kernel sends one record per datagram; one system call per
//! record was most of the daemon's own CPU time).
//!
//! Receive-side loss is never silent: `ENOBUFS` (the socket's receive
//! buffer overflowed and the kernel dropped records for this socket) is
//! returned in the batch as [`EventItem::Overrun`], at its position in the
//! stream, and counted in [`EventCounters`].

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::unix::AsyncFd;

use crate::control::AuditControl;
use crate::error::Error;
use crate::message::{
    encode_request, split_datagram, MessageType, NetlinkAck, NetlinkHeader, AUDIT_NLGRP_READLOG,
    NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK,
};
use crate::socket::{
    open_audit_socket, recv_datagram, recv_datagrams, send_to_kernel, set_receive_buffer,
    wait_readable, ReceiveBuffer, RecvSlots,
};
use crate::status::{AuditStatus, AUDIT_STATUS_PID};

/// Size of each datagram buffer (one per `recvmmsg` slot). Kernel audit
/// records are at most a few KiB (`MAX_AUDIT_MESSAGE_LENGTH` is 8970);
/// anything longer is counted as truncated. Only the bytes a record
/// occupies are ever touched, so the rest of a slot costs no memory.
pub const EVENT_DATAGRAM_BUFFER: usize = 64 * 1024;

/// Default [`EventConfig::datagrams_per_read`].
pub const DEFAULT_DATAGRAMS_PER_READ: usize = 64;

/// How the event socket gets the kernel's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventMode {
    /// Register as the audit daemon (`AUDIT_SET` pid = our pid, sent from
    /// the event socket itself, so the kernel unicasts to it). Fails with
    /// [`Error::AnotherDaemon`] when another process is registered.
    Unicast,
    /// Join `AUDIT_NLGRP_READLOG` (read-only copy of every record, beside a
    /// registered daemon). Needs `CAP_AUDIT_READ`.
    Multicast,
}

/// Options of [`EventSocket::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventConfig {
    /// Unicast registration or multicast listening.
    pub mode: EventMode,
    /// Receive buffer size asked with `SO_RCVBUFFORCE` (fallback
    /// `SO_RCVBUF`). Default 8 MiB.
    pub receive_buffer: usize,
    /// A batch stops growing after this many records (the rest stays in
    /// the socket for the next call). Default 4096.
    pub max_batch_records: usize,
    /// A batch stops growing after this many payload bytes (checked
    /// before each read, so one read can go past it). Default 4 MiB.
    pub max_batch_bytes: usize,
    /// Datagrams (records) one `recvmmsg` call may return, 1..=128 (values
    /// outside are clamped). Default 64. Each has its own
    /// [`EVENT_DATAGRAM_BUFFER`]-byte buffer.
    pub datagrams_per_read: usize,
    /// How long registration waits for the kernel's ACK. Default 5 s.
    pub register_timeout: Duration,
}

impl Default for EventConfig {
    fn default() -> Self {
        EventConfig {
            mode: EventMode::Unicast,
            receive_buffer: 8 << 20,
            max_batch_records: 4096,
            max_batch_bytes: 4 << 20,
            datagrams_per_read: DEFAULT_DATAGRAMS_PER_READ,
            register_timeout: Duration::from_secs(5),
        }
    }
}

/// Counters of an event socket, shared (read them from any thread).
#[derive(Debug, Default)]
pub struct EventCounters {
    datagrams: AtomicU64,
    records: AtomicU64,
    bytes: AtomicU64,
    enobufs: AtomicU64,
    truncated: AtomicU64,
    skipped: AtomicU64,
    foreign: AtomicU64,
    batches: AtomicU64,
    reads: AtomicU64,
}

/// A copy of [`EventCounters`] at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CounterSnapshot {
    /// Datagrams received.
    pub datagrams: u64,
    /// Audit records delivered.
    pub records: u64,
    /// Payload bytes delivered (after trailing NUL/newline stripping).
    pub bytes: u64,
    /// `ENOBUFS` errors: the receive buffer overflowed, records for this
    /// socket were dropped by the kernel (multicast), or delayed
    /// (unicast: the kernel retries; its `lost` counter is the truth).
    pub enobufs: u64,
    /// Datagrams longer than [`EVENT_DATAGRAM_BUFFER`], dropped.
    pub truncated: u64,
    /// Netlink control messages (ACKs, `NLMSG_DONE`...) skipped.
    pub skipped: u64,
    /// Datagrams from a sender other than the kernel, dropped.
    pub foreign: u64,
    /// Non-empty batches returned.
    pub batches: u64,
    /// Receive calls (`recvmmsg`) that returned datagrams: `datagrams /
    /// reads` is the number of datagrams per system call.
    pub reads: u64,
}

impl EventCounters {
    /// Reads all counters.
    pub fn snapshot(&self) -> CounterSnapshot {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        CounterSnapshot {
            datagrams: r(&self.datagrams),
            records: r(&self.records),
            bytes: r(&self.bytes),
            enobufs: r(&self.enobufs),
            truncated: r(&self.truncated),
            skipped: r(&self.skipped),
            foreign: r(&self.foreign),
            batches: r(&self.batches),
            reads: r(&self.reads),
        }
    }

    fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }
}

/// One audit record: its message type and raw payload (the record text,
/// e.g. `audit(1700000000.123:42): arch=c000003e syscall=59 ...`, without
/// trailing NULs or newlines; not necessarily UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord<'a> {
    /// `nlmsg_type`, e.g. 1300 for `SYSCALL`.
    pub msg_type: u16,
    /// Raw payload bytes.
    pub payload: &'a [u8],
}

/// One item of a batch, in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventItem<'a> {
    /// A record.
    Record(EventRecord<'a>),
    /// `ENOBUFS` at this point of the stream: records were dropped here.
    Overrun,
}

#[derive(Debug, Clone, Copy)]
enum Entry {
    Record {
        msg_type: u16,
        start: usize,
        end: usize,
    },
    Overrun,
}

/// A reusable buffer of received records (one allocation reused across
/// batches).
#[derive(Debug, Default)]
pub struct EventBatch {
    data: Vec<u8>,
    entries: Vec<Entry>,
    records: usize,
}

impl EventBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch with room for `bytes` payload bytes and `records`
    /// records.
    pub fn with_capacity(bytes: usize, records: usize) -> Self {
        EventBatch {
            data: Vec::with_capacity(bytes),
            entries: Vec::with_capacity(records),
            records: 0,
        }
    }

    /// Empties the batch, keeping its allocations.
    pub fn clear(&mut self) {
        self.data.clear();
        self.entries.clear();
        self.records = 0;
    }

    /// Number of items (records and overruns).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there is no item.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of records.
    pub fn record_count(&self) -> usize {
        self.records
    }

    /// Number of overrun markers.
    pub fn overruns(&self) -> usize {
        self.entries.len() - self.records
    }

    /// Total payload bytes.
    pub fn payload_bytes(&self) -> usize {
        self.data.len()
    }

    /// Items in arrival order.
    pub fn items(&self) -> impl Iterator<Item = EventItem<'_>> + '_ {
        self.entries.iter().map(|e| match *e {
            Entry::Record {
                msg_type,
                start,
                end,
            } => EventItem::Record(EventRecord {
                msg_type,
                payload: &self.data[start..end],
            }),
            Entry::Overrun => EventItem::Overrun,
        })
    }

    /// Records only, in arrival order.
    pub fn records(&self) -> impl Iterator<Item = EventRecord<'_>> + '_ {
        self.items().filter_map(|i| match i {
            EventItem::Record(r) => Some(r),
            EventItem::Overrun => None,
        })
    }

    /// Appends a record (payload copied, trailing NULs and newlines
    /// stripped as auditd does).
    pub fn push_record(&mut self, msg_type: u16, payload: &[u8]) {
        let payload = strip_trailing(payload);
        let start = self.data.len();
        self.data.extend_from_slice(payload);
        self.entries.push(Entry::Record {
            msg_type,
            start,
            end: self.data.len(),
        });
        self.records += 1;
    }

    /// Appends an overrun marker.
    pub fn push_overrun(&mut self) {
        self.entries.push(Entry::Overrun);
    }
}

/// Strips trailing NUL bytes and newlines.
pub fn strip_trailing(payload: &[u8]) -> &[u8] {
    let mut end = payload.len();
    while end > 0 && matches!(payload[end - 1], 0 | b'\n') {
        end -= 1;
    }
    &payload[..end]
}

/// `AUDIT_REPLACE`: the kernel's probe of the registered daemon.
const AUDIT_REPLACE: u16 = 1329;

/// What one received datagram holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventDatagram<'a> {
    /// An audit record.
    Record(EventRecord<'a>),
    /// A netlink control message (ACK, `NLMSG_DONE`, ...) or the kernel's
    /// `AUDIT_REPLACE` probe: not a log record (skipped and counted).
    Control(u16),
}

/// Parses one datagram received on an event socket.
///
/// The kernel sends exactly one record per datagram, and `nlmsg_len` is not
/// reliable for records: `audit_log_end` / `kauditd_thread` set it to the
/// payload length (16 bytes short) for unicast, while
/// `kauditd_send_multicast_skb` fixes it in the multicast copy. So the
/// payload is everything after the header, whatever `nlmsg_len` says.
pub fn parse_event_datagram(datagram: &[u8]) -> Result<EventDatagram<'_>, Error> {
    let header = NetlinkHeader::decode(datagram)?;
    if matches!(
        header.msg_type,
        NLMSG_NOOP | NLMSG_ERROR | NLMSG_DONE | NLMSG_OVERRUN
    ) {
        return Ok(EventDatagram::Control(header.msg_type));
    }
    if header.msg_type == AUDIT_REPLACE {
        // audit_replace: the kernel probes the registered daemon (binary
        // payload: the pid trying to register). Not a log record.
        let pid = datagram
            .get(NLMSG_HDRLEN..NLMSG_HDRLEN + 4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
        tracing::info!(pid = ?pid, "another process tried to register as the audit daemon (AUDIT_REPLACE)");
        return Ok(EventDatagram::Control(header.msg_type));
    }
    Ok(EventDatagram::Record(EventRecord {
        msg_type: header.msg_type,
        payload: &datagram[NLMSG_HDRLEN..],
    }))
}

/// Why a drain stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DrainStop {
    /// The socket had nothing more (`EAGAIN`).
    Empty,
    /// The batch reached its record or byte limit.
    Full,
}

/// Limits for one batch.
#[derive(Debug, Clone, Copy)]
struct Limits {
    records: usize,
    bytes: usize,
}

/// Adds one datagram to the batch, updating counters.
fn absorb(datagram: &[u8], batch: &mut EventBatch, counters: &EventCounters) {
    EventCounters::add(&counters.datagrams, 1);
    match parse_event_datagram(datagram) {
        Ok(EventDatagram::Record(r)) => {
            let before = batch.payload_bytes();
            batch.push_record(r.msg_type, r.payload);
            EventCounters::add(&counters.records, 1);
            EventCounters::add(&counters.bytes, (batch.payload_bytes() - before) as u64);
        }
        Ok(EventDatagram::Control(t)) => {
            EventCounters::add(&counters.skipped, 1);
            tracing::debug!(
                msg_type = t,
                "skipping netlink control message on the event socket"
            );
        }
        Err(e) => {
            EventCounters::add(&counters.skipped, 1);
            tracing::warn!(error = %e, "skipping malformed datagram on the event socket");
        }
    }
}

/// Receives datagrams with `recv` (a `recvmmsg`: fills `slots` with up to
/// the given number of datagrams, returns how many) until it would block
/// or the batch is full. Each datagram is judged on its own (foreign,
/// truncated, control, record); `ENOBUFS` becomes an overrun marker at
/// its place in the stream (after the datagrams of the previous call: the
/// kernel reports an error met mid-`recvmmsg` on the next call); other
/// errors are returned, the datagrams received before them staying in
/// the batch.
fn drain(
    mut recv: impl FnMut(&mut RecvSlots, usize) -> io::Result<usize>,
    slots: &mut RecvSlots,
    batch: &mut EventBatch,
    counters: &EventCounters,
    limits: Limits,
) -> Result<DrainStop, Error> {
    loop {
        if batch.record_count() >= limits.records || batch.payload_bytes() >= limits.bytes {
            return Ok(DrainStop::Full);
        }
        // Never more datagrams than records the batch still takes (control
        // messages are rare, so a batch ends at its record limit exactly).
        let want = (limits.records - batch.record_count()).min(slots.count());
        slots.reset();
        match recv(slots, want) {
            Ok(0) => return Ok(DrainStop::Empty),
            Ok(_) => {
                EventCounters::add(&counters.reads, 1);
                for i in 0..slots.received().len() {
                    let r = slots.received()[i];
                    if r.sender != 0 {
                        EventCounters::add(&counters.foreign, 1);
                        tracing::warn!(
                            sender = r.sender,
                            "dropping datagram not sent by the kernel"
                        );
                    } else if r.truncated {
                        EventCounters::add(&counters.truncated, 1);
                        tracing::warn!(
                            len = r.len,
                            "dropping truncated audit datagram (longer than the receive buffer)"
                        );
                    } else {
                        absorb(slots.datagram(i), batch, counters);
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(DrainStop::Empty),
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                EventCounters::add(&counters.enobufs, 1);
                tracing::warn!(
                    "ENOBUFS on the audit event socket: receive buffer overrun, records dropped"
                );
                batch.push_overrun();
            }
            Err(e) => return Err(Error::io("receiving audit events", e)),
        }
    }
}

/// The daemon's event socket (tokio). See the module documentation.
#[derive(Debug)]
pub struct EventSocket {
    fd: AsyncFd<OwnedFd>,
    mode: EventMode,
    registered: bool,
    receive_buffer: ReceiveBuffer,
    limits: Limits,
    counters: Arc<EventCounters>,
    slots: RecvSlots,
    pending: Vec<Vec<u8>>,
}

impl EventSocket {
    /// Opens the event socket: sizes its receive buffer, then registers as
    /// the audit daemon (unicast) or joins `AUDIT_NLGRP_READLOG`
    /// (multicast). Must be called inside a tokio runtime with IO enabled
    /// (an error without a runtime; tokio panics if its IO driver is
    /// disabled). Registration blocks the calling thread for the kernel's
    /// ACK (at most `register_timeout`).
    pub fn open(config: &EventConfig) -> Result<Self, Error> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::io(
                "opening the audit event socket",
                io::Error::other("EventSocket::open must be called inside a tokio runtime"),
            ));
        }
        let socket = open_audit_socket()?;
        let receive_buffer = set_receive_buffer(&socket, config.receive_buffer)?;
        let mut pending = Vec::new();
        let registered = match config.mode {
            EventMode::Unicast => {
                register_on(&socket, config.register_timeout, &mut pending)?;
                true
            }
            EventMode::Multicast => {
                socket.add_membership(AUDIT_NLGRP_READLOG).map_err(|e| {
                    if e.raw_os_error() == Some(libc::EPERM) {
                        Error::PermissionDenied {
                            op: MessageType::EventListener,
                            errno: libc::EPERM,
                        }
                    } else {
                        Error::io("joining AUDIT_NLGRP_READLOG", e)
                    }
                })?;
                false
            }
        };
        socket
            .set_non_blocking(true)
            .map_err(|e| Error::io("making the audit event socket non-blocking", e))?;
        let owned = socket
            .as_fd()
            .try_clone_to_owned()
            .map_err(|e| Error::io("duplicating the audit event socket", e))?;
        drop(socket);
        let mut me = Self::from_owned(owned, config, receive_buffer)?;
        me.registered = registered;
        me.pending = pending;
        Ok(me)
    }

    fn from_owned(
        fd: OwnedFd,
        config: &EventConfig,
        receive_buffer: ReceiveBuffer,
    ) -> Result<Self, Error> {
        Ok(EventSocket {
            // SAFETY: the OwnedFd moves into the AsyncFd, so the descriptor
            // stays open for the AsyncFd's whole lifetime.
            fd: unsafe { AsyncFd::register(fd) }
                .map_err(|e| Error::io("registering the event socket with tokio", e.into()))?,
            mode: config.mode,
            registered: false,
            receive_buffer,
            limits: Limits {
                records: config.max_batch_records.max(1),
                bytes: config.max_batch_bytes.max(1),
            },
            counters: Arc::new(EventCounters::default()),
            slots: RecvSlots::new(config.datagrams_per_read, EVENT_DATAGRAM_BUFFER),
            pending: Vec::new(),
        })
    }

    /// Wraps an already-connected non-blocking datagram fd (tests feed it
    /// netlink-framed datagrams through a UNIX socketpair). No
    /// registration is done.
    #[cfg(any(test, feature = "testkit"))]
    pub fn from_fd_for_tests(fd: OwnedFd, config: &EventConfig) -> Result<Self, Error> {
        let rb = set_receive_buffer(&fd, config.receive_buffer)?;
        Self::from_owned(fd, config, rb)
    }

    /// The mode this socket was opened with.
    pub fn mode(&self) -> EventMode {
        self.mode
    }

    /// True while this socket is the registered audit daemon.
    pub fn is_registered(&self) -> bool {
        self.registered
    }

    /// The receive buffer actually obtained.
    pub fn receive_buffer(&self) -> ReceiveBuffer {
        self.receive_buffer
    }

    /// The shared counters.
    pub fn counters(&self) -> Arc<EventCounters> {
        Arc::clone(&self.counters)
    }

    /// Waits until at least one item (record or overrun) is available,
    /// then drains everything readable (up to the batch limits) into
    /// `batch`, which is cleared first.
    ///
    /// Cancel-safe (usable in `tokio::select!`): the only await point is
    /// the readiness wait before anything is read, so dropping the future
    /// loses no record.
    pub async fn recv_batch(&mut self, batch: &mut EventBatch) -> Result<(), Error> {
        batch.clear();
        self.take_pending(batch);
        if !batch.is_empty() {
            // Records kept from registration: add what is readable now,
            // without waiting.
            let fd = self.fd.get_ref().as_raw_fd();
            drain(
                |s, n| recv_datagrams(&fd, s, n),
                &mut self.slots,
                batch,
                &self.counters,
                self.limits,
            )?;
        } else {
            loop {
                let mut guard = self
                    .fd
                    .readable()
                    .await
                    .map_err(|e| Error::io("waiting for audit events", e))?;
                let fd = guard.get_inner().as_raw_fd();
                let stop = drain(
                    |s, n| recv_datagrams(&fd, s, n),
                    &mut self.slots,
                    batch,
                    &self.counters,
                    self.limits,
                )?;
                if stop == DrainStop::Empty {
                    guard.clear_ready();
                }
                if !batch.is_empty() {
                    break;
                }
            }
        }
        EventCounters::add(&self.counters.batches, 1);
        Ok(())
    }

    /// Drains whatever is readable now without waiting; `batch` is
    /// cleared first. Returns the number of items.
    pub fn try_recv_batch(&mut self, batch: &mut EventBatch) -> Result<usize, Error> {
        batch.clear();
        self.take_pending(batch);
        let fd = self.fd.get_ref().as_raw_fd();
        drain(
            |s, n| recv_datagrams(&fd, s, n),
            &mut self.slots,
            batch,
            &self.counters,
            self.limits,
        )?;
        if !batch.is_empty() {
            EventCounters::add(&self.counters.batches, 1);
        }
        Ok(batch.len())
    }

    fn take_pending(&mut self, batch: &mut EventBatch) {
        for d in std::mem::take(&mut self.pending) {
            absorb(&d, batch, &self.counters);
        }
    }

    /// Unregisters (audit pid back to 0) when this socket registered.
    /// Uses a separate control socket. Also done, best effort, on drop.
    pub fn unregister(&mut self) -> Result<(), Error> {
        if !self.registered {
            return Ok(());
        }
        let mut control = AuditControl::open()?;
        let status = control.get_status()?;
        if status.pid == std::process::id() {
            control.unregister()?;
        }
        self.registered = false;
        Ok(())
    }
}

impl Drop for EventSocket {
    fn drop(&mut self) {
        if self.registered {
            if let Err(e) = self.unregister() {
                tracing::warn!(error = %e, "could not unregister the audit daemon on drop");
            }
        }
    }
}

/// Sends `AUDIT_SET` pid = our pid from `socket` and waits for the ACK;
/// datagrams that arrive meanwhile (events) are kept in `pending`.
fn register_on(
    socket: &netlink_sys::Socket,
    timeout: Duration,
    pending: &mut Vec<Vec<u8>>,
) -> Result<(), Error> {
    const SEQ: u32 = 1;
    let status = AuditStatus {
        mask: AUDIT_STATUS_PID,
        pid: std::process::id(),
        ..Default::default()
    };
    let request = encode_request(MessageType::Set, NLM_F_ACK, SEQ, &status.encode());
    send_to_kernel(socket, &request).map_err(|e| Error::io("sending the registration", e))?;
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0u8; EVENT_DATAGRAM_BUFFER];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero()
            || !wait_readable(socket, left)
                .map_err(|e| Error::io("waiting for the registration ACK", e))?
        {
            return Err(Error::Timeout {
                op: MessageType::Set,
                after: timeout,
            });
        }
        let r = match recv_datagram(socket, &mut buf) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => continue,
            Err(e) => return Err(Error::io("receiving the registration ACK", e)),
        };
        if r.sender != 0 || r.truncated {
            continue;
        }
        let datagram = &buf[..r.len];
        let header = NetlinkHeader::decode(datagram)?;
        if header.msg_type == NLMSG_ERROR && header.seq == SEQ {
            let msgs = split_datagram(datagram)?;
            let ack = match msgs.first() {
                Some(m) => NetlinkAck::decode(m.payload)?,
                None => continue,
            };
            return match -ack.error {
                e if e <= 0 => Ok(()),
                libc::EEXIST => {
                    let pid = AuditControl::open()
                        .and_then(|mut c| c.get_status())
                        .map(|s| s.pid)
                        .unwrap_or(0);
                    Err(Error::AnotherDaemon {
                        pid,
                        comm: crate::error::process_comm(pid),
                    })
                }
                errno @ (libc::EPERM | libc::ECONNREFUSED) => Err(Error::PermissionDenied {
                    op: MessageType::Set,
                    errno,
                }),
                errno => Err(Error::Kernel {
                    op: MessageType::Set,
                    errno,
                }),
            };
        }
        pending.push(datagram.to_vec());
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
