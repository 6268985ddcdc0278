//! `auditctl -l`: key filtering of kernel rules and the listing text.

use audit_rules::Rule;

/// auditctl's `-l -k KEY` / `-D -k KEY` filter on kernel rule bytes: a
/// rule matches when one of its key fields contains KEY (strstr, see
/// `audit_rules::Rule::key_matches`). An empty KEY matches every rule; an
/// undecodable rule matches none.
pub fn key_matches(rule: &[u8], key: &[u8]) -> bool {
    key.is_empty() || Rule::from_bytes(rule).is_ok_and(|r| r.key_matches(key))
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

    /// Rule bytes on list `list` with the given (field, value) pairs and
    /// string buffer (values of string fields are their lengths).
    pub(crate) fn rule_with(list: u32, fields: &[(u32, u32)], buf: &[u8]) -> Vec<u8> {
        const FIELDS_OFF: usize = 12 + 64 * 4;
        const VALUES_OFF: usize = FIELDS_OFF + 64 * 4;
        const OPS_OFF: usize = VALUES_OFF + 64 * 4;
        const BUF_OFF: usize = OPS_OFF + 64 * 4 + 4;
        let mut r = vec![0u8; BUF_OFF];
        r[0..4].copy_from_slice(&list.to_ne_bytes());
        r[4..8].copy_from_slice(&1u32.to_ne_bytes());
        r[8..12].copy_from_slice(&(fields.len() as u32).to_ne_bytes());
        for (i, (f, v)) in fields.iter().enumerate() {
            r[FIELDS_OFF + 4 * i..FIELDS_OFF + 4 * i + 4].copy_from_slice(&f.to_ne_bytes());
            r[VALUES_OFF + 4 * i..VALUES_OFF + 4 * i + 4].copy_from_slice(&v.to_ne_bytes());
            // AUDIT_EQUAL
            r[OPS_OFF + 4 * i..OPS_OFF + 4 * i + 4].copy_from_slice(&0x4000_0000u32.to_ne_bytes());
        }
        r[BUF_OFF - 4..BUF_OFF].copy_from_slice(&(buf.len() as u32).to_ne_bytes());
        r.extend_from_slice(buf);
        r
    }

    #[test]
    fn key_after_path_is_found() {
        // -w /etc/passwd -p wa -k pw -k x: path (105) then perm (106) then
        // key (210) "pw\x01x".
        let r = rule_with(4, &[(105, 11), (106, 2), (210, 4)], b"/etc/passwdpw\x01x");
        assert!(key_matches(&r, b"pw"));
        assert!(key_matches(&r, b"w\x01x"));
        assert!(key_matches(&r, b"x"));
        assert!(!key_matches(&r, b"passwd"));
        assert!(key_matches(&r, b""));
    }

    #[test]
    fn truncated_rule_does_not_match_or_panic() {
        let r = rule_with(4, &[(210, 400)], b"ab");
        assert!(!key_matches(&r, b"a"));
        assert!(!key_matches(&[1, 2, 3], b"a"));
    }
}
