//! Netlink framing for the audit protocol: message types, the `nlmsghdr`
//! header, request encoding and datagram splitting.
//!
//! Layout mirrors `include/linux/netlink.h` (`struct nlmsghdr`,
//! `struct nlmsgerr`) and the message numbers of
//! `include/uapi/linux/audit.h`.

use std::fmt;

use crate::error::Error;

/// Size of `struct nlmsghdr` (len u32, type u16, flags u16, seq u32, pid u32).
pub const NLMSG_HDRLEN: usize = 16;
/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an ACK (error 0) or an error reply.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multi-part reply.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;
/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 0x1;
/// `NLM_F_MULTI`.
pub const NLM_F_MULTI: u16 = 0x2;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 0x4;

/// Multicast group of the read-only audit log (`AUDIT_NLGRP_READLOG`).
pub const AUDIT_NLGRP_READLOG: u32 = 1;

/// Rounds `len` up to the netlink alignment (`NLMSG_ALIGN`, 4 bytes).
pub const fn nlmsg_align(len: usize) -> usize {
    (len + 3) & !3
}

macro_rules! message_types {
    ($($(#[$doc:meta])* $variant:ident = $value:expr, $name:expr;)*) => {
        /// Netlink message types used on the audit socket (the control types
        /// of `include/uapi/linux/audit.h` plus the few event types this crate
        /// looks at). Everything else is kept as [`MessageType::Unknown`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $($(#[$doc])* $variant,)*
            /// Any other message type, with its raw number.
            Unknown(u16),
        }

        impl MessageType {
            /// The raw message number.
            pub fn as_u16(self) -> u16 {
                match self {
                    $(MessageType::$variant => $value,)*
                    MessageType::Unknown(raw) => raw,
                }
            }

            /// The kernel's name of the type (`AUDIT_GET`, `NLMSG_ERROR`...),
            /// `None` for [`MessageType::Unknown`].
            pub fn name(self) -> Option<&'static str> {
                match self {
                    $(MessageType::$variant => Some($name),)*
                    MessageType::Unknown(_) => None,
                }
            }
        }

        impl From<u16> for MessageType {
            fn from(raw: u16) -> Self {
                match raw {
                    $($value => MessageType::$variant,)*
                    other => MessageType::Unknown(other),
                }
            }
        }
    };
}

message_types! {
    /// `NLMSG_NOOP`
    NlmsgNoop = 1, "NLMSG_NOOP";
    /// `NLMSG_ERROR` (ACK or error)
    NlmsgError = 2, "NLMSG_ERROR";
    /// `NLMSG_DONE`
    NlmsgDone = 3, "NLMSG_DONE";
    /// `NLMSG_OVERRUN`
    NlmsgOverrun = 4, "NLMSG_OVERRUN";
    /// `AUDIT_GET`: get status
    Get = 1000, "AUDIT_GET";
    /// `AUDIT_SET`: set status
    Set = 1001, "AUDIT_SET";
    /// `AUDIT_USER`: deprecated user message
    User = 1005, "AUDIT_USER";
    /// `AUDIT_LOGIN`
    Login = 1006, "AUDIT_LOGIN";
    /// `AUDIT_SIGNAL_INFO`
    SignalInfo = 1010, "AUDIT_SIGNAL_INFO";
    /// `AUDIT_ADD_RULE`
    AddRule = 1011, "AUDIT_ADD_RULE";
    /// `AUDIT_DEL_RULE`
    DelRule = 1012, "AUDIT_DEL_RULE";
    /// `AUDIT_LIST_RULES`
    ListRules = 1013, "AUDIT_LIST_RULES";
    /// `AUDIT_TRIM`
    Trim = 1014, "AUDIT_TRIM";
    /// `AUDIT_MAKE_EQUIV`
    MakeEquiv = 1015, "AUDIT_MAKE_EQUIV";
    /// `AUDIT_TTY_GET`
    TtyGet = 1016, "AUDIT_TTY_GET";
    /// `AUDIT_TTY_SET`
    TtySet = 1017, "AUDIT_TTY_SET";
    /// `AUDIT_SET_FEATURE`
    SetFeature = 1018, "AUDIT_SET_FEATURE";
    /// `AUDIT_GET_FEATURE`
    GetFeature = 1019, "AUDIT_GET_FEATURE";
    /// `AUDIT_SYSCALL` (event)
    Syscall = 1300, "AUDIT_SYSCALL";
    /// `AUDIT_CONFIG_CHANGE` (event)
    ConfigChange = 1305, "AUDIT_CONFIG_CHANGE";
    /// `AUDIT_EOE`: end of a multi-record event
    Eoe = 1320, "AUDIT_EOE";
    /// `AUDIT_REPLACE`: sent to the registered daemon when another process
    /// tries to register (the kernel probes whether the daemon is alive)
    Replace = 1329, "AUDIT_REPLACE";
    /// `AUDIT_EVENT_LISTENER` (event)
    EventListener = 1335, "AUDIT_EVENT_LISTENER";
}

impl MessageType {
    /// True for the user-message ranges the kernel accepts from userspace
    /// (`AUDIT_USER`, `AUDIT_FIRST_USER_MSG..=AUDIT_LAST_USER_MSG`,
    /// `AUDIT_FIRST_USER_MSG2..=AUDIT_LAST_USER_MSG2`).
    pub fn is_user_message(self) -> bool {
        matches!(self.as_u16(), 1005 | 1100..=1199 | 2100..=2999)
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}({})", self.as_u16()),
            None => write!(f, "type {}", self.as_u16()),
        }
    }
}

/// A decoded `struct nlmsghdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetlinkHeader {
    /// `nlmsg_len`: length including this header (but see the event quirk in
    /// [`crate::event`]).
    pub len: u32,
    /// `nlmsg_type`.
    pub msg_type: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`.
    pub seq: u32,
    /// `nlmsg_pid` (port id).
    pub pid: u32,
}

impl NetlinkHeader {
    /// Decodes a header from the first 16 bytes of `buf`.
    pub fn decode(buf: &[u8]) -> Result<Self, Error> {
        if buf.len() < NLMSG_HDRLEN {
            return Err(Error::Truncated {
                msg_type: MessageType::Unknown(0),
                what: "nlmsghdr",
                needed: NLMSG_HDRLEN,
                got: buf.len(),
            });
        }
        Ok(NetlinkHeader {
            len: read_u32(buf, 0),
            msg_type: u16::from_ne_bytes([buf[4], buf[5]]),
            flags: u16::from_ne_bytes([buf[6], buf[7]]),
            seq: read_u32(buf, 8),
            pid: read_u32(buf, 12),
        })
    }

    /// Appends the 16 header bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.len.to_ne_bytes());
        out.extend_from_slice(&self.msg_type.to_ne_bytes());
        out.extend_from_slice(&self.flags.to_ne_bytes());
        out.extend_from_slice(&self.seq.to_ne_bytes());
        out.extend_from_slice(&self.pid.to_ne_bytes());
    }
}

/// Reads a native-endian u32 at `off`; the caller guarantees the bounds.
pub(crate) fn read_u32(buf: &[u8], off: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&buf[off..off + 4]);
    u32::from_ne_bytes(b)
}

/// Builds one request datagram: header (with `NLM_F_REQUEST` added to
/// `flags`) followed by `payload`, padded to the netlink alignment.
pub fn encode_request(msg_type: MessageType, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + payload.len();
    let mut out = Vec::with_capacity(nlmsg_align(len));
    NetlinkHeader {
        len: len as u32,
        msg_type: msg_type.as_u16(),
        flags: flags | NLM_F_REQUEST,
        seq,
        pid: 0,
    }
    .encode_into(&mut out);
    out.extend_from_slice(payload);
    out.resize(nlmsg_align(len), 0);
    out
}

/// One netlink message borrowed from a received datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetlinkMessage<'a> {
    /// The header.
    pub header: NetlinkHeader,
    /// The bytes after the header, `nlmsg_len - 16` of them.
    pub payload: &'a [u8],
}

impl NetlinkMessage<'_> {
    /// The message type.
    pub fn msg_type(&self) -> MessageType {
        MessageType::from(self.header.msg_type)
    }
}

/// Splits a datagram into its netlink messages, using `nlmsg_len` (standard
/// framing, as the kernel uses for control replies).
///
/// Errors (never panics) when a header is cut short or `nlmsg_len` is
/// smaller than a header or runs past the end of the datagram.
pub fn split_datagram(datagram: &[u8]) -> Result<Vec<NetlinkMessage<'_>>, Error> {
    let mut out = Vec::new();
    let mut rest = datagram;
    while !rest.is_empty() {
        let header = NetlinkHeader::decode(rest)?;
        let len = header.len as usize;
        let msg_type = MessageType::from(header.msg_type);
        if len < NLMSG_HDRLEN {
            return Err(Error::Protocol {
                msg_type,
                detail: format!("nlmsg_len {len} is shorter than the netlink header"),
            });
        }
        if len > rest.len() {
            return Err(Error::Truncated {
                msg_type,
                what: "netlink message",
                needed: len,
                got: rest.len(),
            });
        }
        out.push(NetlinkMessage {
            header,
            payload: &rest[NLMSG_HDRLEN..len],
        });
        let next = nlmsg_align(len).min(rest.len());
        rest = &rest[next..];
    }
    Ok(out)
}

/// The payload of an `NLMSG_ERROR` message: the error code and the header of
/// the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetlinkAck {
    /// `nlmsgerr.error`: 0 for an ACK, `-errno` for an error. A positive
    /// value is a count some `AUDIT_SET` requests return (old `lost`).
    pub error: i32,
    /// The echoed request header, when present.
    pub request: Option<NetlinkHeader>,
}

impl NetlinkAck {
    /// Decodes an `NLMSG_ERROR` payload.
    pub fn decode(payload: &[u8]) -> Result<Self, Error> {
        if payload.len() < 4 {
            return Err(Error::Truncated {
                msg_type: MessageType::NlmsgError,
                what: "nlmsgerr.error",
                needed: 4,
                got: payload.len(),
            });
        }
        let error = read_u32(payload, 0) as i32;
        let request = NetlinkHeader::decode(&payload[4..]).ok();
        Ok(NetlinkAck { error, request })
    }

    /// Encodes an `NLMSG_ERROR` payload (used by the fake kernels).
    pub fn encode(error: i32, request: &NetlinkHeader) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + NLMSG_HDRLEN);
        out.extend_from_slice(&error.to_ne_bytes());
        request.encode_into(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_round_trip() {
        for raw in [
            0u16, 1, 2, 3, 4, 1000, 1001, 1011, 1013, 1018, 1019, 1300, 1320, 1999, 65535,
        ] {
            assert_eq!(MessageType::from(raw).as_u16(), raw);
        }
        assert_eq!(MessageType::from(1000), MessageType::Get);
        assert_eq!(MessageType::from(1999), MessageType::Unknown(1999));
        assert_eq!(MessageType::Get.to_string(), "AUDIT_GET(1000)");
        assert_eq!(MessageType::Unknown(1999).to_string(), "type 1999");
        assert!(MessageType::from(1107).is_user_message());
        assert!(!MessageType::Get.is_user_message());
    }

    #[test]
    fn request_is_aligned_and_flagged() {
        let req = encode_request(MessageType::User, NLM_F_ACK, 7, b"abcde");
        assert_eq!(req.len(), 24);
        let h = NetlinkHeader::decode(&req).unwrap();
        assert_eq!(h.len, 21);
        assert_eq!(h.msg_type, 1005);
        assert_eq!(h.flags, NLM_F_REQUEST | NLM_F_ACK);
        assert_eq!(h.seq, 7);
        let msgs = split_datagram(&req).unwrap();
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].payload, b"abcde");
    }

    #[test]
    fn split_several_messages() {
        let mut d = encode_request(MessageType::Get, 0, 1, b"x");
        d.extend(encode_request(MessageType::Set, 0, 2, &[0u8; 8]));
        let msgs = split_datagram(&d).unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].msg_type(), MessageType::Set);
        assert_eq!(msgs[1].payload.len(), 8);
    }

    #[test]
    fn split_rejects_bad_lengths() {
        assert!(matches!(
            split_datagram(&[0u8; 5]),
            Err(Error::Truncated { .. })
        ));
        let mut d = encode_request(MessageType::Get, 0, 1, b"abcd");
        d[0..4].copy_from_slice(&100u32.to_ne_bytes());
        assert!(matches!(split_datagram(&d), Err(Error::Truncated { .. })));
        d[0..4].copy_from_slice(&3u32.to_ne_bytes());
        assert!(matches!(split_datagram(&d), Err(Error::Protocol { .. })));
    }

    #[test]
    fn ack_decode() {
        let h = NetlinkHeader {
            len: 16,
            msg_type: 1001,
            flags: 5,
            seq: 9,
            pid: 0,
        };
        let p = NetlinkAck::encode(-17, &h);
        let ack = NetlinkAck::decode(&p).unwrap();
        assert_eq!(ack.error, -17);
        assert_eq!(ack.request, Some(h));
        let short = NetlinkAck::decode(&p[..4]).unwrap();
        assert_eq!(short.request, None);
        assert!(NetlinkAck::decode(&p[..3]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn split_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..128)) {
            let _ = split_datagram(&bytes);
            let _ = NetlinkAck::decode(&bytes);
        }
    }
}
