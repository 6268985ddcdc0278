//! Minimal framing checks for `struct audit_rule_data` bytes.
//!
//! The rule language and the full layout belong to the `audit-rules` crate;
//! this module only checks that a buffer is long enough to be a rule (so a
//! truncated reply or request is a typed error, not a kernel `EINVAL`).

use crate::error::Error;
use crate::message::{read_u32, MessageType};

/// `AUDIT_MAX_FIELDS`
pub const AUDIT_MAX_FIELDS: usize = 64;
/// `AUDIT_BITMASK_SIZE`
pub const AUDIT_BITMASK_SIZE: usize = 64;
/// `sizeof(struct audit_rule_data)` without the trailing `buf[]`: flags,
/// action, field_count, `mask[64]`, `fields[64]`, `values[64]`, `fieldflags[64]`,
/// buflen.
pub const RULE_DATA_FIXED_LEN: usize =
    3 * 4 + AUDIT_BITMASK_SIZE * 4 + 3 * AUDIT_MAX_FIELDS * 4 + 4;
/// Offset of `buflen` in `struct audit_rule_data`.
pub const RULE_DATA_BUFLEN_OFFSET: usize = RULE_DATA_FIXED_LEN - 4;

/// Checks that `bytes` hold a complete `struct audit_rule_data`: the fixed
/// part plus `buflen` bytes of strings. Returns the rule's total length
/// (`RULE_DATA_FIXED_LEN + buflen`), which may be shorter than `bytes`.
pub fn check_rule_data(msg_type: MessageType, bytes: &[u8]) -> Result<usize, Error> {
    if bytes.len() < RULE_DATA_FIXED_LEN {
        return Err(Error::Truncated {
            msg_type,
            what: "struct audit_rule_data",
            needed: RULE_DATA_FIXED_LEN,
            got: bytes.len(),
        });
    }
    let buflen = read_u32(bytes, RULE_DATA_BUFLEN_OFFSET) as usize;
    let total = RULE_DATA_FIXED_LEN.saturating_add(buflen);
    if bytes.len() < total {
        return Err(Error::Truncated {
            msg_type,
            what: "audit_rule_data.buf (buflen)",
            needed: total,
            got: bytes.len(),
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(RULE_DATA_FIXED_LEN, 1040);
        let mut r = vec![0u8; 1040];
        assert_eq!(check_rule_data(MessageType::AddRule, &r).unwrap(), 1040);
        r[1036..1040].copy_from_slice(&3u32.to_ne_bytes());
        assert!(matches!(
            check_rule_data(MessageType::AddRule, &r),
            Err(Error::Truncated {
                needed: 1043,
                got: 1040,
                ..
            })
        ));
        r.extend_from_slice(b"abc");
        assert_eq!(check_rule_data(MessageType::ListRules, &r).unwrap(), 1043);
        assert!(check_rule_data(MessageType::ListRules, &r[..100]).is_err());
        r[1036..1040].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert!(check_rule_data(MessageType::ListRules, &r).is_err());
    }
}
