//! `auditctl -l`: key filtering of kernel rules and the listing text.

/// Offsets in `struct audit_rule_data` (include/uapi/linux/audit.h).
const FIELD_COUNT_OFF: usize = 8;
const FIELDS_OFF: usize = 12 + 64 * 4;
const VALUES_OFF: usize = FIELDS_OFF + 64 * 4;
const BUF_OFF: usize = VALUES_OFF + 64 * 4 * 2 + 4;

/// AUDIT_FILTERKEY.
const FIELD_FILTERKEY: u32 = 210;
/// Fields whose value is a length into the string buffer: AUDIT_SUBJ_USER
/// ..= AUDIT_OBJ_LEV_HIGH except AUDIT_PPID, AUDIT_WATCH, AUDIT_DIR,
/// AUDIT_FILTERKEY, AUDIT_EXE (auditctl-listing.c key_match).
fn is_string_field(field: u32) -> bool {
    ((13..=23).contains(&field) && field != 18) || matches!(field, 105 | 107 | 112 | 210)
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    let s = b.get(off..off + 4)?;
    Some(u32::from_ne_bytes([s[0], s[1], s[2], s[3]]))
}

/// The key buffers of a rule (each `-k` joined by 0x01 inside one buffer),
/// or `None` if the rule bytes are too short to read.
pub fn rule_keys(rule: &[u8]) -> Option<Vec<&[u8]>> {
    let count = u32_at(rule, FIELD_COUNT_OFF)? as usize;
    let mut keys = Vec::new();
    let mut boff = BUF_OFF;
    for i in 0..count.min(64) {
        let field = u32_at(rule, FIELDS_OFF + 4 * i)?;
        let value = u32_at(rule, VALUES_OFF + 4 * i)? as usize;
        if field == FIELD_FILTERKEY {
            keys.push(rule.get(boff..boff.checked_add(value)?)?);
        }
        if is_string_field(field) {
            boff = boff.checked_add(value)?;
        }
    }
    Some(keys)
}

/// auditctl's `-l -k KEY` / `-D -k KEY` filter: a rule matches when one of
/// its key buffers contains KEY as a substring (strstr). No key matches all.
pub fn key_matches(rule: &[u8], key: &[u8]) -> bool {
    if key.is_empty() {
        return true;
    }
    let needle = key;
    rule_keys(rule).unwrap_or_default().iter().any(|k| {
        // A key buffer is printed with %.*s: it stops at the first NUL.
        let k = match k.iter().position(|&b| b == 0) {
            Some(n) => &k[..n],
            None => k,
        };
        k.windows(needle.len()).any(|w| w == needle)
    })
}

/// Turns kernel rule bytes into the text `auditctl -l` prints for them.
pub trait RuleText {
    /// The lines (without newline) for `rules`, already filtered by key,
    /// in kernel order; printing state (the last arch) carries from one
    /// rule to the next as in auditctl. `interpret` is `-l -i`.
    fn listing(&self, rules: &[&[u8]], interpret: bool) -> Vec<Result<Vec<u8>, String>>;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Rule bytes with the given (field, value) pairs and string buffer.
    pub(crate) fn rule_with(list: u32, fields: &[(u32, u32)], buf: &[u8]) -> Vec<u8> {
        let mut r = vec![0u8; BUF_OFF];
        r[0..4].copy_from_slice(&list.to_ne_bytes());
        r[4..8].copy_from_slice(&1u32.to_ne_bytes());
        r[8..12].copy_from_slice(&(fields.len() as u32).to_ne_bytes());
        for (i, (f, v)) in fields.iter().enumerate() {
            r[FIELDS_OFF + 4 * i..FIELDS_OFF + 4 * i + 4].copy_from_slice(&f.to_ne_bytes());
            r[VALUES_OFF + 4 * i..VALUES_OFF + 4 * i + 4].copy_from_slice(&v.to_ne_bytes());
        }
        r[BUF_OFF - 4..BUF_OFF].copy_from_slice(&(buf.len() as u32).to_ne_bytes());
        r.extend_from_slice(buf);
        r
    }

    #[test]
    fn key_after_path_is_found() {
        // -w /etc/passwd -k pw -k x: path (105) then key (210) "pw\x01x".
        let r = rule_with(4, &[(105, 11), (106, 2), (210, 4)], b"/etc/passwdpw\x01x");
        assert_eq!(rule_keys(&r).unwrap(), vec![&b"pw\x01x"[..]]);
        assert!(key_matches(&r, b"pw"));
        assert!(key_matches(&r, b"w\x01x"));
        assert!(key_matches(&r, b"x"));
        assert!(!key_matches(&r, b"passwd"));
        assert!(key_matches(&r, b""));
    }

    #[test]
    fn truncated_rule_does_not_match_or_panic() {
        let r = rule_with(4, &[(210, 400)], b"ab");
        assert!(rule_keys(&r).is_none());
        assert!(!key_matches(&r, b"a"));
        assert!(rule_keys(&[1, 2, 3]).is_none());
    }
}
