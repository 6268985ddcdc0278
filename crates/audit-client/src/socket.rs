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
