//! `-C` field comparisons: the `AUDIT_COMPARE_*` value for a pair of
//! fields (libaudit's `audit_rule_interfield_comp_data`) and back (for
//! auditctl's `print_field_cmp`).

use crate::kernel::field::*;

/// (value, left field name, right field name) as auditctl prints them.
const PRINTED: [(u32, &str, &str); 25] = [
    (1, "uid", "obj_uid"),
    (2, "gid", "obj_gid"),
    (3, "euid", "obj_uid"),
    (4, "egid", "obj_gid"),
    (5, "auid", "obj_uid"),
    (6, "suid", "obj_uid"),
    (7, "sgid", "obj_gid"),
    (8, "fsuid", "obj_uid"),
    (9, "fsgid", "obj_gid"),
    (10, "uid", "auid"),
    (11, "uid", "euid"),
    (12, "uid", "fsuid"),
    (13, "uid", "suid"),
    (14, "auid", "fsuid"),
    (15, "auid", "suid"),
    (16, "auid", "euid"),
    (17, "euid", "suid"),
    (18, "euid", "fsuid"),
    (19, "suid", "fsuid"),
    (20, "gid", "egid"),
    (21, "gid", "fsgid"),
    (22, "gid", "sgid"),
    (23, "egid", "fsgid"),
    (24, "egid", "sgid"),
    (25, "sgid", "fsgid"),
];

fn id(name: &str) -> u32 {
    match name {
        "uid" => UID,
        "euid" => EUID,
        "suid" => SUID,
        "fsuid" => FSUID,
        "auid" => LOGINUID,
        "obj_uid" => OBJ_UID,
        "gid" => GID,
        "egid" => EGID,
        "sgid" => SGID,
        "fsgid" => FSGID,
        _ => OBJ_GID,
    }
}

/// The `AUDIT_COMPARE_*` value comparing fields `a` and `b` (in either
/// order), or `None` when libaudit refuses the pair.
pub fn compare_value(a: u32, b: u32) -> Option<u32> {
    if a == b {
        return None;
    }
    PRINTED
        .iter()
        .find(|(_, l, r)| (id(l), id(r)) == (a, b) || (id(l), id(r)) == (b, a))
        .map(|p| p.0)
}

/// The two field names auditctl prints for `AUDIT_COMPARE_*` value `v`.
pub fn compare_names(v: u32) -> Option<(&'static str, &'static str)> {
    PRINTED.iter().find(|p| p.0 == v).map(|p| (p.1, p.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libaudit_pairs() {
        assert_eq!(compare_value(UID, EUID), Some(11));
        assert_eq!(compare_value(EUID, UID), Some(11));
        assert_eq!(compare_value(LOGINUID, OBJ_UID), Some(5));
        assert_eq!(compare_value(OBJ_GID, SGID), Some(7));
        assert_eq!(compare_value(UID, GID), None);
        assert_eq!(compare_value(OBJ_UID, OBJ_GID), None);
        assert_eq!(compare_value(UID, UID), None);
        assert_eq!(compare_names(25), Some(("sgid", "fsgid")));
        assert_eq!(compare_names(26), None);
    }
}
