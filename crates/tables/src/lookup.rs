//! Binary search helpers over the generated tables (no allocation).

use std::cmp::Ordering;

/// Compares two strings as libaudit's `strcasecmp` does for ASCII names.
pub(crate) fn cmp_ignore_ascii_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Looks `name` up (ASCII case-insensitively) in a table sorted by
/// ASCII-lowercase name.
pub(crate) fn value_of<T: Copy>(table: &[(&'static str, T)], name: &str) -> Option<T> {
    table
        .binary_search_by(|(k, _)| cmp_ignore_ascii_case(k, name))
        .ok()
        .map(|i| table[i].1)
}

/// Looks `n` up in a table sorted by number.
pub(crate) fn name_of<T: Ord + Copy>(
    table: &'static [(T, &'static str)],
    n: T,
) -> Option<&'static str> {
    table
        .binary_search_by(|(k, _)| k.cmp(&n))
        .ok()
        .map(|i| table[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_order_matches_lowercase_order() {
        assert_eq!(cmp_ignore_ascii_case("READ", "read"), Ordering::Equal);
        assert_eq!(cmp_ignore_ascii_case("a_b", "ab"), Ordering::Less);
        assert_eq!(cmp_ignore_ascii_case("Z", "a"), Ordering::Greater);
    }

    #[test]
    fn lookups_miss_cleanly() {
        static T: &[(&str, u32)] = &[("a", 1), ("c", 3)];
        assert_eq!(value_of(T, "b"), None);
        assert_eq!(value_of(T, "C"), Some(3));
        static N: &[(u32, &str)] = &[(1, "a"), (3, "c")];
        assert_eq!(name_of(N, 2), None);
        assert_eq!(name_of(N, 3), Some("c"));
    }
}
