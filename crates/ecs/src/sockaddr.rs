//! Decoding of SOCKADDR `saddr` values (hex of the raw `struct sockaddr`).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::encoding::hex_decode;

/// A decoded socket address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SockAddr {
    /// AF_UNIX with a filesystem path (bytes up to the first NUL).
    UnixPath(Vec<u8>),
    /// AF_UNIX abstract name (leading NUL), shown with a leading `@`.
    UnixAbstract(Vec<u8>),
    /// AF_UNIX without a name (autobind / unnamed).
    UnixUnnamed,
    /// AF_INET.
    Inet {
        /// Address.
        ip: Ipv4Addr,
        /// Port.
        port: u16,
    },
    /// AF_INET6.
    Inet6 {
        /// Address.
        ip: Ipv6Addr,
        /// Port.
        port: u16,
        /// Flow label.
        flowinfo: u32,
        /// Scope (interface) id.
        scope_id: u32,
    },
    /// AF_NETLINK.
    Netlink {
        /// Port id (0: the kernel).
        pid: u32,
        /// Multicast groups mask.
        groups: u32,
    },
    /// AF_UNSPEC (connect() with it disconnects a datagram socket).
    Unspec,
    /// Any other family, kept by number.
    Other {
        /// The family number.
        family: u16,
    },
}

/// Why a `saddr` could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SockAddrError {
    /// Not hex.
    NotHex,
    /// Shorter than the family's structure.
    Truncated {
        /// The family read (0 if even that was missing).
        family: u16,
    },
}

fn u16_at(b: &[u8], at: usize, be: bool) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(if be {
        u16::from_be_bytes(s)
    } else {
        u16::from_le_bytes(s)
    })
}

fn u32_at(b: &[u8], at: usize, be: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(s)
    } else {
        u32::from_le_bytes(s)
    })
}

impl SockAddr {
    /// Decodes the hex text of a `saddr` field. `big_endian` is the byte
    /// order of the recording machine (family, netlink pid are host order).
    pub fn from_hex(hex: &[u8], big_endian: bool) -> Result<Self, SockAddrError> {
        let raw = hex_decode(hex).ok_or(SockAddrError::NotHex)?;
        Self::from_bytes(&raw, big_endian)
    }

    /// Decodes raw `struct sockaddr` bytes.
    pub fn from_bytes(b: &[u8], big_endian: bool) -> Result<Self, SockAddrError> {
        let family = u16_at(b, 0, big_endian).ok_or(SockAddrError::Truncated { family: 0 })?;
        let short = SockAddrError::Truncated { family };
        Ok(match family {
            0 => SockAddr::Unspec,
            1 => {
                let name = &b[2..];
                if name.is_empty() {
                    SockAddr::UnixUnnamed
                } else if name[0] == 0 {
                    // Abstract: the name is every byte given by addrlen.
                    SockAddr::UnixAbstract(name[1..].to_vec())
                } else {
                    let end = name.iter().position(|&c| c == 0).unwrap_or(name.len());
                    SockAddr::UnixPath(name[..end].to_vec())
                }
            }
            2 => {
                let port = u16_at(b, 2, true).ok_or(short)?;
                let a: [u8; 4] = b.get(4..8).ok_or(short)?.try_into().map_err(|_| short)?;
                SockAddr::Inet {
                    ip: Ipv4Addr::from(a),
                    port,
                }
            }
            10 => {
                let port = u16_at(b, 2, true).ok_or(short)?;
                let flowinfo = u32_at(b, 4, true).ok_or(short)?;
                let a: [u8; 16] = b.get(8..24).ok_or(short)?.try_into().map_err(|_| short)?;
                let scope_id = u32_at(b, 24, big_endian).unwrap_or(0);
                SockAddr::Inet6 {
                    ip: Ipv6Addr::from(a),
                    port,
                    flowinfo,
                    scope_id,
                }
            }
            16 => SockAddr::Netlink {
                pid: u32_at(b, 4, big_endian).ok_or(short)?,
                groups: u32_at(b, 8, big_endian).unwrap_or(0),
            },
            f => SockAddr::Other { family: f },
        })
    }

    /// Family name as Auditbeat writes it (`unix`, `ipv4`, `ipv6`, `netlink`,
    /// `unspec`), or the number for other families.
    pub fn family(&self) -> Family {
        match self {
            SockAddr::UnixPath(_) | SockAddr::UnixAbstract(_) | SockAddr::UnixUnnamed => {
                Family::Name("unix")
            }
            SockAddr::Inet { .. } => Family::Name("ipv4"),
            SockAddr::Inet6 { .. } => Family::Name("ipv6"),
            SockAddr::Netlink { .. } => Family::Name("netlink"),
            SockAddr::Unspec => Family::Name("unspec"),
            SockAddr::Other { family } => Family::Number(*family),
        }
    }

    /// The unix socket path (abstract names with a leading `@`).
    pub fn path(&self) -> Option<Vec<u8>> {
        match self {
            SockAddr::UnixPath(p) => Some(p.clone()),
            SockAddr::UnixAbstract(n) => {
                let mut v = Vec::with_capacity(n.len() + 1);
                v.push(b'@');
                v.extend_from_slice(n);
                Some(v)
            }
            _ => None,
        }
    }

    /// IP address text and port, for inet families.
    pub fn ip_port(&self) -> Option<(String, u16)> {
        match self {
            SockAddr::Inet { ip, port } => Some((ip.to_string(), *port)),
            SockAddr::Inet6 { ip, port, .. } => Some((ip.to_string(), *port)),
            _ => None,
        }
    }
}

/// A socket family: a known name or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Known family name.
    Name(&'static str),
    /// Unknown family number.
    Number(u16),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_samples() {
        // Provenance: ../shared/conformance/captures/debian12-kernel6.18-raw.log
        assert_eq!(
            SockAddr::from_hex(b"020008AE7F0000010000000000000000", false),
            Ok(SockAddr::Inet {
                ip: Ipv4Addr::new(127, 0, 0, 1),
                port: 2222
            })
        );
        let v6 = SockAddr::from_hex(
            b"0A0008AE000000000000000000000000000000000000000000000000",
            false,
        )
        .unwrap();
        assert_eq!(v6.ip_port(), Some(("::".to_string(), 2222)));
        assert_eq!(
            SockAddr::from_hex(b"100000000000000000000000", false),
            Ok(SockAddr::Netlink { pid: 0, groups: 0 })
        );
        assert_eq!(
            SockAddr::from_hex(b"00000000000000000000000000000000", false),
            Ok(SockAddr::Unspec)
        );
    }

    #[test]
    fn unix_path_abstract_unnamed() {
        // Provenance: go-libaudit auparse golden (nscd socket).
        let a = SockAddr::from_hex(
            b"01002F7661722F72756E2F6E7363642F736F636B65740000603B",
            false,
        )
        .unwrap();
        assert_eq!(a.path().unwrap(), b"/var/run/nscd/socket");
        let abs = SockAddr::from_hex(b"0100006162630064", false).unwrap();
        assert_eq!(abs.path().unwrap(), b"@abc\0d");
        assert_eq!(
            SockAddr::from_hex(b"0100", false),
            Ok(SockAddr::UnixUnnamed)
        );
    }

    #[test]
    fn errors_not_panics() {
        assert_eq!(SockAddr::from_hex(b"0G", false), Err(SockAddrError::NotHex));
        assert_eq!(
            SockAddr::from_hex(b"0200", false),
            Err(SockAddrError::Truncated { family: 2 })
        );
        assert!(SockAddr::from_hex(b"", false).is_err());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let _ = SockAddr::from_bytes(&b, false);
            let _ = SockAddr::from_bytes(&b, true);
        }
    }
}
