//! Property tests: arbitrary input never panics, and name lookups are
//! case-insensitive round trips over every table entry.

use audit_tables::{arch, errno, field, filter, fstype, ftype, msgtype, syscall};
use proptest::prelude::*;

fn mixed_case(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>(), arch_v in any::<u32>()) {
        let _ = syscall::number(arch_v, &s);
        let _ = syscall::number(arch::AUDIT_ARCH_X86_64, &s);
        let _ = errno::number(&s);
        let _ = msgtype::number(&s);
        let _ = msgtype::parse(&s);
        let _ = field::number(&s);
        let _ = ftype::value(&s);
        let _ = fstype::value(&s);
        let _ = filter::list_number(&s);
        let _ = filter::action_number(&s);
        let _ = filter::operator_from_symbol(&s);
        let _ = audit_tables::arch_from_name(&s);
    }

    #[test]
    fn arbitrary_numbers_never_panic(a in any::<u32>(), n in any::<u32>(), e in any::<i32>(), t in any::<u16>(), b in any::<u32>()) {
        let _ = syscall::name(a, n);
        let _ = syscall::name_interpreted(a, n);
        let _ = syscall::table(a);
        let _ = errno::name(e);
        let _ = msgtype::name(t);
        let _ = field::name(n);
        let _ = ftype::name(n);
        let _ = fstype::name(n);
        let _ = filter::operator_symbol(n);
        let _ = audit_tables::arch_name(a);
        let _ = audit_tables::arch_from_bits(b, a);
    }

    #[test]
    fn unknown_message_types_parse_by_number(t in any::<u16>()) {
        prop_assert_eq!(msgtype::parse(&t.to_string()), Some(t));
        prop_assert_eq!(msgtype::parse(&format!("UNKNOWN[{t}]")), Some(t));
    }

    #[test]
    fn syscall_names_are_case_insensitive(idx in any::<prop::sample::Index>(), mask in any::<u64>()) {
        for a in syscall::arches() {
            let names = syscall::names(a).unwrap_or_default();
            let (name, nr) = names[idx.index(names.len())];
            prop_assert_eq!(syscall::number(a, &mixed_case(name, mask)), Some(nr));
        }
    }

    #[test]
    fn other_names_are_case_insensitive(mask in any::<u64>()) {
        for &(n, s) in errno::all() {
            prop_assert_eq!(errno::number(&mixed_case(s, mask)), Some(n));
        }
        for &(n, s) in msgtype::all() {
            prop_assert_eq!(msgtype::number(&mixed_case(s, mask)), Some(n));
        }
        for &(s, n) in field::names() {
            prop_assert_eq!(field::number(&mixed_case(s, mask)), Some(n));
        }
        for &(s, v) in arch::names() {
            prop_assert_eq!(audit_tables::arch_from_name(&mixed_case(s, mask)), Some(v));
        }
    }
}
