//! Audit trees: the payloads of `AUDIT_TRIM` (`auditctl -t`) and
//! `AUDIT_MAKE_EQUIV` (`auditctl -q MOUNT,SUBTREE`).
//!
//! The kernel keeps an audit tree for every directory watched recursively
//! (`-w DIR`, which becomes a `dir=` rule field). `AUDIT_TRIM` drops the
//! parts of those trees whose directories are no longer reachable
//! (`audit_trim_trees`); `AUDIT_MAKE_EQUIV` makes the mounts under SUBTREE
//! part of every tree watching MOUNT (`audit_tag_tree`, for bind mounts).
//! Neither changes the rule list, and neither can be undone by userspace.
//!
//! `AUDIT_MAKE_EQUIV` carries `struct { u32 sizes[2]; char buf[]; }`: the
//! two lengths, then the two paths back to back without NULs (libaudit's
//! `audit_make_equivalent`). The kernel (`audit_receive_msg`,
//! `audit_unpack_string`) answers `EINVAL` when the payload is shorter
//! than the sizes, a length is 0 or runs past the payload, and
//! `ENAMETOOLONG` when a length exceeds `PATH_MAX`; then `audit_tag_tree`
//! resolves SUBTREE and MOUNT (`ENOENT` and other lookup errors). When no
//! tree watches MOUNT the request succeeds and changes nothing.

use crate::error::Error;
use crate::message::{read_u32, MessageType, NLMSG_HDRLEN};

/// `PATH_MAX`: the kernel refuses longer paths with `ENAMETOOLONG`.
pub const PATH_MAX: usize = 4096;

/// Largest request payload: libaudit's `MAX_AUDIT_MESSAGE_LENGTH` (8970)
/// minus the netlink header (libaudit refuses bigger requests with
/// `EINVAL` before sending).
pub const MAX_REQUEST_PAYLOAD: usize = 8970 - NLMSG_HDRLEN;

/// Length of the `sizes[2]` header of the `AUDIT_MAKE_EQUIV` payload.
pub const MAKE_EQUIV_HEADER_LEN: usize = 8;

/// Encodes the `AUDIT_MAKE_EQUIV` payload for `mount` and `subtree`.
///
/// Paths are sent as given (an empty or overlong path reaches the kernel,
/// which answers `EINVAL` or `ENAMETOOLONG`, as it does for auditctl).
/// Refused before sending, as [`Error::InvalidRequest`]: a path containing
/// a NUL byte (it cannot be a path; auditctl cannot send one either) and a
/// payload over [`MAX_REQUEST_PAYLOAD`].
pub fn encode_make_equiv(mount: &[u8], subtree: &[u8]) -> Result<Vec<u8>, Error> {
    let op = MessageType::MakeEquiv;
    for (what, path) in [("mount point", mount), ("subtree", subtree)] {
        if path.contains(&0) {
            return Err(Error::InvalidRequest {
                op,
                detail: format!("{what} contains a NUL byte"),
            });
        }
    }
    let len = MAKE_EQUIV_HEADER_LEN + mount.len() + subtree.len();
    if len > MAX_REQUEST_PAYLOAD {
        return Err(Error::InvalidRequest {
            op,
            detail: format!("payload of {len} bytes exceeds {MAX_REQUEST_PAYLOAD}"),
        });
    }
    // Both lengths fit in u32: their sum is at most MAX_REQUEST_PAYLOAD.
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(&(mount.len() as u32).to_ne_bytes());
    out.extend_from_slice(&(subtree.len() as u32).to_ne_bytes());
    out.extend_from_slice(mount);
    out.extend_from_slice(subtree);
    Ok(out)
}

/// Decodes an `AUDIT_MAKE_EQUIV` payload as the kernel does
/// (`audit_receive_msg` + `audit_unpack_string`): `(mount, subtree)`, or
/// the positive errno the kernel answers (`EINVAL`, `ENAMETOOLONG`).
/// Bytes after the two paths (netlink padding) are ignored, as there.
pub fn decode_make_equiv(payload: &[u8]) -> Result<(&[u8], &[u8]), i32> {
    if payload.len() < MAKE_EQUIV_HEADER_LEN {
        return Err(libc::EINVAL);
    }
    let sizes = [read_u32(payload, 0) as usize, read_u32(payload, 4) as usize];
    let mut rest = &payload[MAKE_EQUIV_HEADER_LEN..];
    let mut unpack = |len: usize| -> Result<&[u8], i32> {
        if len == 0 || len > rest.len() {
            return Err(libc::EINVAL);
        }
        if len > PATH_MAX {
            return Err(libc::ENAMETOOLONG);
        }
        let (s, r) = rest.split_at(len);
        rest = r;
        Ok(s)
    };
    let mount = unpack(sizes[0])?;
    let subtree = unpack(sizes[1])?;
    Ok((mount, subtree))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::AuditControl;
    use crate::testkit::SimKernel;

    fn sim() -> AuditControl<SimKernel> {
        let mut k = SimKernel::new();
        k.paths = vec![b"/mnt".to_vec(), b"/srv/data".to_vec()];
        AuditControl::with_transport(k)
    }

    #[test]
    fn payload_layout_is_libaudit_s() {
        let p = encode_make_equiv(b"/mnt", b"/srv/data").unwrap();
        let mut want = 4u32.to_ne_bytes().to_vec();
        want.extend_from_slice(&9u32.to_ne_bytes());
        want.extend_from_slice(b"/mnt/srv/data");
        assert_eq!(p, want);
        assert_eq!(decode_make_equiv(&p), Ok((&b"/mnt"[..], &b"/srv/data"[..])));
        // Netlink padding after the paths is ignored.
        let mut padded = p.clone();
        padded.extend_from_slice(&[0, 0, 0]);
        assert_eq!(
            decode_make_equiv(&padded),
            Ok((&b"/mnt"[..], &b"/srv/data"[..]))
        );
    }

    #[test]
    fn kernel_checks_of_the_payload() {
        assert_eq!(decode_make_equiv(&[0; 7]), Err(libc::EINVAL));
        let empty_mount = encode_make_equiv(b"", b"/x").unwrap();
        assert_eq!(decode_make_equiv(&empty_mount), Err(libc::EINVAL));
        let mut past_end = encode_make_equiv(b"/a", b"/b").unwrap();
        past_end[4..8].copy_from_slice(&3u32.to_ne_bytes());
        assert_eq!(decode_make_equiv(&past_end), Err(libc::EINVAL));
        let long = vec![b'a'; PATH_MAX + 1];
        let p = encode_make_equiv(&long, b"/b").unwrap();
        assert_eq!(decode_make_equiv(&p), Err(libc::ENAMETOOLONG));
        let at_max = vec![b'a'; PATH_MAX];
        let p = encode_make_equiv(b"/b", &at_max).unwrap();
        assert_eq!(decode_make_equiv(&p).map(|(_, s)| s.len()), Ok(PATH_MAX));
    }

    #[test]
    fn refused_before_sending() {
        assert!(matches!(
            encode_make_equiv(b"/a\0b", b"/c"),
            Err(Error::InvalidRequest { .. })
        ));
        assert!(matches!(
            encode_make_equiv(b"/a", &vec![b'x'; MAX_REQUEST_PAYLOAD]),
            Err(Error::InvalidRequest { .. })
        ));
        let mut c = sim();
        let e = c.make_equivalent(b"/mnt", b"/srv\0").unwrap_err();
        assert!(e.to_string().contains("NUL"), "{e}");
        assert!(c.transport().requests.is_empty());
    }

    #[test]
    fn make_equivalent_against_the_simulated_kernel() {
        let mut c = sim();
        c.make_equivalent(b"/mnt", b"/srv/data").unwrap();
        assert_eq!(
            c.transport().equivalences,
            vec![(b"/mnt".to_vec(), b"/srv/data".to_vec())]
        );
        let (t, flags, payload) = c.transport().requests[0].clone();
        assert_eq!(t, 1015);
        assert_eq!(flags & crate::message::NLM_F_ACK, crate::message::NLM_F_ACK);
        assert_eq!(payload, encode_make_equiv(b"/mnt", b"/srv/data").unwrap());
        // audit_tag_tree: kern_path fails on a missing path.
        let e = c.make_equivalent(b"/mnt", b"/nowhere").unwrap_err();
        assert!(matches!(
            e,
            Error::Kernel {
                op: MessageType::MakeEquiv,
                errno: libc::ENOENT
            }
        ));
        assert_eq!(e.errno(), Some(libc::ENOENT));
        let e = c.make_equivalent(b"", b"/mnt").unwrap_err();
        assert_eq!(e.errno(), Some(libc::EINVAL));
        let e = c
            .make_equivalent(&vec![b'a'; PATH_MAX + 1], b"/mnt")
            .unwrap_err();
        assert_eq!(e.errno(), Some(libc::ENAMETOOLONG));
        assert_eq!(c.transport().equivalences.len(), 1);
    }

    #[test]
    fn trim_against_the_simulated_kernel() {
        let mut c = sim();
        c.trim_subtrees().unwrap();
        c.trim_subtrees().unwrap();
        assert_eq!(c.transport().trims, 2);
        assert_eq!(c.transport().requests[0], (1014, 5, Vec::new()));
        // Neither request is refused by the enabled=2 lock
        // (audit_receive_msg checks it for rules and settings only).
        c.transport_mut().status.enabled = 2;
        c.trim_subtrees().unwrap();
        c.make_equivalent(b"/mnt", b"/srv/data").unwrap();
        // Without CAP_AUDIT_CONTROL: EPERM.
        c.transport_mut().capable = false;
        let e = c.trim_subtrees().unwrap_err();
        assert!(matches!(e, Error::PermissionDenied { .. }), "{e}");
        let e = c.make_equivalent(b"/mnt", b"/srv/data").unwrap_err();
        assert!(matches!(e, Error::PermissionDenied { .. }), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn round_trip(
            mount in proptest::collection::vec(1u8..=255, 1..64),
            subtree in proptest::collection::vec(1u8..=255, 1..64),
        ) {
            let p = encode_make_equiv(&mount, &subtree).unwrap();
            proptest::prop_assert_eq!(
                decode_make_equiv(&p),
                Ok((mount.as_slice(), subtree.as_slice()))
            );
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = decode_make_equiv(&bytes);
        }
    }
}
