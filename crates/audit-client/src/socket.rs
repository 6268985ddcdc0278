//! Low-level helpers on the raw `NETLINK_AUDIT` socket: opening, receive
//! buffer sizing, timed waits and receives that report truncation and the
//! sender.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use netlink_sys::{protocols::NETLINK_AUDIT, Socket, SocketAddr};

use crate::error::Error;

/// Opens a `NETLINK_AUDIT` socket and binds it to a kernel-assigned port.
/// `EPROTONOSUPPORT` (no audit in the kernel) becomes [`Error::Unsupported`].
pub(crate) fn open_audit_socket() -> Result<Socket, Error> {
    let mut socket = Socket::new(NETLINK_AUDIT).map_err(|e| {
        if e.raw_os_error() == Some(libc::EPROTONOSUPPORT) {
            Error::Unsupported { source: e }
        } else {
            Error::io("opening NETLINK_AUDIT socket", e)
        }
    })?;
    socket
        .bind(&SocketAddr::new(0, 0))
        .map_err(|e| Error::io("binding NETLINK_AUDIT socket", e))?;
    Ok(socket)
}

/// The outcome of sizing a socket's receive buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveBuffer {
    /// The size asked for.
    pub requested: usize,
    /// What `getsockopt(SO_RCVBUF)` reports afterwards (the kernel doubles
    /// the value it was given, for bookkeeping overhead).
    pub effective: usize,
    /// True when `SO_RCVBUFFORCE` worked (needs `CAP_NET_ADMIN`); false when
    /// it fell back to `SO_RCVBUF`, which `net.core.rmem_max` caps.
    pub forced: bool,
}

fn setsockopt_int(fd: RawFd, opt: libc::c_int, value: libc::c_int) -> io::Result<()> {
    // SAFETY: fd is a valid socket for the duration of the call; the option
    // value is a plain int whose size we pass.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            (&value as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

fn getsockopt_int(fd: RawFd, opt: libc::c_int) -> io::Result<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value and len are valid for writes of the sizes given.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            opt,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(value)
    }
}

/// Sets the receive buffer: `SO_RCVBUFFORCE` first, `SO_RCVBUF` when that
/// is not permitted.
pub fn set_receive_buffer(fd: &impl AsRawFd, size: usize) -> Result<ReceiveBuffer, Error> {
    let fd = fd.as_raw_fd();
    let value = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
    let forced = match setsockopt_int(fd, libc::SO_RCVBUFFORCE, value) {
        Ok(()) => true,
        Err(e) => {
            tracing::debug!(error = %e, "SO_RCVBUFFORCE refused, falling back to SO_RCVBUF");
            setsockopt_int(fd, libc::SO_RCVBUF, value)
                .map_err(|e| Error::io("setting SO_RCVBUF", e))?;
            false
        }
    };
    let effective =
        getsockopt_int(fd, libc::SO_RCVBUF).map_err(|e| Error::io("reading SO_RCVBUF", e))?;
    Ok(ReceiveBuffer {
        requested: size,
        effective: usize::try_from(effective).unwrap_or(0),
        forced,
    })
}

/// Waits until `fd` is readable or `timeout` passes. Returns false on
/// timeout. `EINTR` is retried by the caller's deadline loop (returns true so
/// the caller tries a non-blocking read).
pub(crate) fn wait_readable(fd: &impl AsRawFd, timeout: Duration) -> io::Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: pfd is a valid pollfd array of length 1.
    let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(true);
        }
        return Err(e);
    }
    Ok(rc > 0)
}

/// One datagram read with [`recv_datagram`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Bytes stored in the buffer.
    pub len: usize,
    /// True when the datagram was longer than the buffer (`MSG_TRUNC`).
    pub truncated: bool,
    /// Sender's netlink port id (0 = the kernel).
    pub sender: u32,
}

/// Non-blocking `recvfrom` of one datagram into `buf`.
pub(crate) fn recv_datagram(fd: &impl AsRawFd, buf: &mut [u8]) -> io::Result<Received> {
    // SAFETY: sockaddr_nl is plain old data; zeroed is a valid value.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    let mut addr_len = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
    loop {
        // SAFETY: buf is valid for buf.len() bytes; addr/addr_len describe a
        // writable sockaddr_nl.
        let rc = unsafe {
            libc::recvfrom(
                fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_DONTWAIT | libc::MSG_TRUNC,
                (&mut addr as *mut libc::sockaddr_nl).cast(),
                &mut addr_len,
            )
        };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        let full = rc as usize;
        // A sender of another family (only possible in tests over a UNIX
        // socketpair) reports no netlink address: treat it as the kernel.
        let sender = if addr_len as usize >= std::mem::size_of::<libc::sockaddr_nl>()
            && addr.nl_family as libc::c_int == libc::AF_NETLINK
        {
            addr.nl_pid
        } else {
            0
        };
        return Ok(Received {
            len: full.min(buf.len()),
            truncated: full > buf.len(),
            sender,
        });
    }
}

/// Preallocated buffers for [`recv_datagrams`]: `count` slots of
/// `slot_size` bytes each, and what the last call stored in them.
#[derive(Debug)]
pub(crate) struct RecvSlots {
    data: Vec<u8>,
    slot_size: usize,
    count: usize,
    got: Vec<Received>,
}

/// Most slots one [`recv_datagrams`] call fills (the `mmsghdr` and `iovec`
/// arrays live on the stack).
pub(crate) const MAX_SLOTS: usize = 128;

impl RecvSlots {
    /// `count` (1..=[`MAX_SLOTS`]) slots of `slot_size` (at least 1) bytes.
    /// The memory is zero-initialised lazily by the allocator (large
    /// buffers are fresh pages), so untouched slot tails cost no RAM.
    pub fn new(count: usize, slot_size: usize) -> Self {
        let count = count.clamp(1, MAX_SLOTS);
        let slot_size = slot_size.max(1);
        RecvSlots {
            data: vec![0; count * slot_size],
            slot_size,
            count,
            got: Vec::with_capacity(count),
        }
    }

    /// Number of slots.
    pub fn count(&self) -> usize {
        self.count
    }

    /// What the last call received, slot by slot.
    pub fn received(&self) -> &[Received] {
        &self.got
    }

    /// The bytes stored in slot `i` by the last call (at most the slot
    /// size; empty for a slot the last call did not fill).
    pub fn datagram(&self, i: usize) -> &[u8] {
        let len = self.got.get(i).map_or(0, |r| r.len.min(self.slot_size));
        &self.data[i * self.slot_size..i * self.slot_size + len]
    }

    /// Stores `bytes` in slot `i` as the kernel would (cut to the slot
    /// size, `truncated` when longer) and records `sender`. For fake peers
    /// in tests.
    #[cfg(test)]
    pub fn fill(&mut self, bytes: &[u8], sender: u32) {
        let i = self.got.len();
        assert!(i < self.count, "more datagrams than slots");
        let n = bytes.len().min(self.slot_size);
        self.data[i * self.slot_size..i * self.slot_size + n].copy_from_slice(&bytes[..n]);
        self.got.push(Received {
            len: n,
            truncated: bytes.len() > self.slot_size,
            sender,
        });
    }

    /// Forgets what the last call received.
    pub fn reset(&mut self) {
        self.got.clear();
    }
}

/// Non-blocking `recvmmsg` of up to `max` (at most the slot count)
/// datagrams into `slots`, one per slot; returns how many were stored
/// (at least 1). `EAGAIN` (nothing readable) and every other error are
/// returned as `Err` only when no datagram was received: the kernel's
/// `do_recvmmsg` keeps an error met after the first datagram in `sk_err`
/// and reports it on the next call, so the caller sees it in stream
/// position by calling again. Each slot's `MSG_TRUNC` (datagram longer
/// than the slot, the rest discarded by the kernel) and sender are
/// reported separately.
pub(crate) fn recv_datagrams(
    fd: &impl AsRawFd,
    slots: &mut RecvSlots,
    max: usize,
) -> io::Result<usize> {
    slots.got.clear();
    let n = max.clamp(1, slots.count);
    // SAFETY: iovec, sockaddr_nl and mmsghdr are plain C structures for
    // which all-zero bytes (null pointers, zero lengths) are valid values.
    let mut iov: [libc::iovec; MAX_SLOTS] = unsafe { std::mem::zeroed() };
    let mut addrs: [libc::sockaddr_nl; MAX_SLOTS] = unsafe { std::mem::zeroed() };
    let mut hdrs: [libc::mmsghdr; MAX_SLOTS] = unsafe { std::mem::zeroed() };
    let size = slots.slot_size;
    let base = slots.data.as_mut_ptr();
    for i in 0..n {
        // SAFETY: i < n <= count, so [i * size, (i + 1) * size) lies inside
        // `data` (count * size bytes long).
        iov[i].iov_base = unsafe { base.add(i * size) }.cast();
        iov[i].iov_len = size;
        hdrs[i].msg_hdr.msg_name = (&mut addrs[i] as *mut libc::sockaddr_nl).cast();
        hdrs[i].msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
        hdrs[i].msg_hdr.msg_iov = &mut iov[i];
        hdrs[i].msg_hdr.msg_iovlen = 1;
    }
    let rc = loop {
        // SAFETY: hdrs[..n] are initialised msghdrs whose name points at
        // addrs[i] (namelen = its size) and whose single iovec points at a
        // disjoint, writable slot of `data` of `size` bytes; all of them
        // outlive the call, and `data` is not otherwise borrowed during it.
        // No control buffer (msg_control null, msg_controllen 0). A null
        // timeout: MSG_DONTWAIT makes the call non-blocking.
        let rc = unsafe {
            libc::recvmmsg(
                fd.as_raw_fd(),
                hdrs.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT | libc::MSG_TRUNC,
                std::ptr::null_mut(),
            )
        };
        if rc < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        break rc as usize;
    };
    for (h, addr) in hdrs.iter().zip(addrs.iter()).take(rc.min(n)) {
        // With MSG_TRUNC netlink (and AF_UNIX) report the datagram's full
        // length in msg_len; msg_flags carries MSG_TRUNC as well.
        let full = h.msg_len as usize;
        let truncated = full > size || h.msg_hdr.msg_flags & libc::MSG_TRUNC != 0;
        let sender = if h.msg_hdr.msg_namelen as usize >= std::mem::size_of::<libc::sockaddr_nl>()
            && addr.nl_family as libc::c_int == libc::AF_NETLINK
        {
            addr.nl_pid
        } else {
            0
        };
        slots.got.push(Received {
            len: full.min(size),
            truncated,
            sender,
        });
    }
    Ok(slots.got.len())
}

/// Blocking-free send of one datagram to the kernel (port 0).
pub(crate) fn send_to_kernel(socket: &Socket, datagram: &[u8]) -> io::Result<()> {
    let kernel = SocketAddr::new(0, 0);
    loop {
        match socket.send_to(datagram, &kernel, 0) {
            Ok(n) if n == datagram.len() => return Ok(()),
            Ok(n) => {
                return Err(io::Error::other(format!(
                    "short netlink send: {n} of {} bytes",
                    datagram.len()
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
