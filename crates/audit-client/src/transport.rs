//! The byte transport under [`crate::AuditControl`]: the kernel's netlink
//! socket, or a fake peer in tests.

use std::time::Duration;

use netlink_sys::Socket;

use crate::error::Error;
use crate::socket::{open_audit_socket, recv_datagram, send_to_kernel, wait_readable};

/// Largest datagram the control path accepts. Control replies carry one
/// structure each (a status, a feature set, or one rule of at most
/// 1040 + 64 * PATH_MAX bytes... in practice a few KiB); anything longer is
/// reported as truncated.
pub const CONTROL_RECV_BUFFER: usize = 1 << 18;

/// A datagram transport to a netlink audit peer.
///
/// The protocol logic ([`crate::AuditControl`]) only sends and receives whole
/// datagrams through this trait, so tests can replace the kernel with a
/// scripted or simulated peer (see the `testkit` feature).
pub trait Transport {
    /// Sends one datagram (one or more netlink messages).
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error>;
    /// Receives one datagram, waiting at most `timeout`; `Ok(None)` on
    /// timeout.
    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Error>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error> {
        (**self).send(datagram)
    }
    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Error> {
        (**self).recv(timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error> {
        (**self).send(datagram)
    }
    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Error> {
        (**self).recv(timeout)
    }
}

/// The kernel's `NETLINK_AUDIT` socket (blocking use with timeouts).
#[derive(Debug)]
pub struct NetlinkTransport {
    socket: Socket,
    buf: Vec<u8>,
    /// Datagrams dropped because a process other than the kernel sent them.
    foreign: u64,
    /// ENOBUFS seen on this socket (only possible if it was registered as
    /// the audit pid and events overran it).
    overruns: u64,
}

impl NetlinkTransport {
    /// Opens and binds a new audit socket.
    pub fn open() -> Result<Self, Error> {
        Ok(NetlinkTransport {
            socket: open_audit_socket()?,
            buf: vec![0; CONTROL_RECV_BUFFER],
            foreign: 0,
            overruns: 0,
        })
    }

    /// The underlying netlink-sys socket.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Datagrams dropped because they did not come from the kernel.
    pub fn foreign_datagrams(&self) -> u64 {
        self.foreign
    }

    /// `ENOBUFS` errors seen (and survived) on this socket.
    pub fn overruns(&self) -> u64 {
        self.overruns
    }
}

impl Transport for NetlinkTransport {
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error> {
        send_to_kernel(&self.socket, datagram)
            .map_err(|e| Error::io("sending to the audit socket", e))
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>, Error> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if !wait_readable(&self.socket, left)
                .map_err(|e| Error::io("polling the audit socket", e))?
            {
                return Ok(None);
            }
            match recv_datagram(&self.socket, &mut self.buf) {
                Ok(r) if r.sender != 0 => {
                    self.foreign += 1;
                    tracing::warn!(
                        sender = r.sender,
                        "dropping datagram not sent by the kernel"
                    );
                }
                Ok(r) if r.truncated => {
                    return Err(Error::Protocol {
                        msg_type: crate::message::MessageType::Unknown(0),
                        detail: format!(
                            "datagram longer than the {} byte receive buffer",
                            self.buf.len()
                        ),
                    })
                }
                Ok(r) => return Ok(Some(self.buf[..r.len].to_vec())),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    self.overruns += 1;
                    tracing::warn!("ENOBUFS on the audit control socket (events overran it)");
                }
                Err(e) => return Err(Error::io("receiving from the audit socket", e)),
            }
            if std::time::Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }
}
