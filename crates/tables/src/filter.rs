//! Filter lists (`-a LIST,ACTION`), rule actions and operators.
//!
//! Names follow libaudit 3.0.9 (`audit_flag_to_name`,
//! `audit_action_to_name`, `audit_operator_to_symbol`). libaudit 3.0.9's
//! list-name table lacks `io_uring` (`AUDIT_FILTER_URING_EXIT`): auditctl
//! handles that list name itself, so [`list_name`] returns `None` for it.

use crate::generated::libaudit::{
    ACTION_BY_NAME, ACTION_BY_NUMBER, FLAG_BY_NAME, FLAG_BY_NUMBER, OPERATOR_BY_NUMBER,
};
use crate::lookup::{name_of, value_of};

pub use crate::uapi::{
    AUDIT_ALWAYS, AUDIT_BIT_MASK, AUDIT_BIT_TEST, AUDIT_EQUAL, AUDIT_FILTER_ENTRY,
    AUDIT_FILTER_EXCLUDE, AUDIT_FILTER_EXIT, AUDIT_FILTER_FS, AUDIT_FILTER_PREPEND,
    AUDIT_FILTER_TASK, AUDIT_FILTER_TYPE, AUDIT_FILTER_URING_EXIT, AUDIT_FILTER_USER,
    AUDIT_FILTER_WATCH, AUDIT_GREATER_THAN, AUDIT_GREATER_THAN_OR_EQUAL, AUDIT_LESS_THAN,
    AUDIT_LESS_THAN_OR_EQUAL, AUDIT_NEGATE, AUDIT_NEVER, AUDIT_NOT_EQUAL, AUDIT_NR_FILTERS,
    AUDIT_OPERATORS, AUDIT_POSSIBLE,
};

/// The filter list number of a list name libaudit knows (`task`, `exit`,
/// `user`, `exclude`, `filesystem`; ASCII case-insensitive).
pub fn list_number(name: &str) -> Option<u32> {
    value_of(FLAG_BY_NAME, name)
}

/// libaudit's name of filter list `n` (4 -> `"exit"`).
pub fn list_name(n: u32) -> Option<&'static str> {
    name_of(FLAG_BY_NUMBER, n)
}

/// Every list libaudit names, sorted by number.
pub fn lists() -> &'static [(u32, &'static str)] {
    FLAG_BY_NUMBER
}

/// The action number of `never`, `possible` or `always` (ASCII
/// case-insensitive).
pub fn action_number(name: &str) -> Option<u32> {
    value_of(ACTION_BY_NAME, name)
}

/// libaudit's name of action `n` (2 -> `"always"`).
pub fn action_name(n: u32) -> Option<&'static str> {
    name_of(ACTION_BY_NUMBER, n)
}

/// Every action, sorted by number.
pub fn actions() -> &'static [(u32, &'static str)] {
    ACTION_BY_NUMBER
}

/// The symbol auditctl prints for operator `op` (`AUDIT_EQUAL` -> `"="`,
/// `AUDIT_BIT_TEST` -> `"&="`).
pub fn operator_symbol(op: u32) -> Option<&'static str> {
    name_of(OPERATOR_BY_NUMBER, op)
}

/// The operator value of a symbol (`=`, `!=`, `<`, `>`, `<=`, `>=`, `&`,
/// `&=`).
pub fn operator_from_symbol(symbol: &str) -> Option<u32> {
    OPERATOR_BY_NUMBER
        .iter()
        .find(|(_, s)| *s == symbol)
        .map(|(v, _)| *v)
}

/// Every operator with its symbol, sorted by value.
pub fn operators() -> &'static [(u32, &'static str)] {
    OPERATOR_BY_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_actions() {
        assert_eq!(list_number("exit"), Some(AUDIT_FILTER_EXIT));
        assert_eq!(list_number("filesystem"), Some(AUDIT_FILTER_FS));
        assert_eq!(list_number("user"), Some(AUDIT_FILTER_USER));
        assert_eq!(list_number("io_uring"), None);
        assert_eq!(list_number("entry"), None);
        assert_eq!(list_name(AUDIT_FILTER_TASK), Some("task"));
        assert_eq!(list_name(AUDIT_FILTER_URING_EXIT), None);
        assert_eq!(action_number("always"), Some(AUDIT_ALWAYS));
        assert_eq!(action_number("NEVER"), Some(AUDIT_NEVER));
        assert_eq!(action_name(AUDIT_POSSIBLE), Some("possible"));
        assert_eq!(action_name(3), None);
        for &(n, s) in lists() {
            assert_eq!(list_number(s), Some(n));
        }
        for &(n, s) in actions() {
            assert_eq!(action_number(s), Some(n));
        }
    }

    #[test]
    fn operator_values() {
        assert_eq!(AUDIT_BIT_MASK, 0x0800_0000);
        assert_eq!(AUDIT_LESS_THAN, 0x1000_0000);
        assert_eq!(AUDIT_GREATER_THAN, 0x2000_0000);
        assert_eq!(AUDIT_NOT_EQUAL, 0x3000_0000);
        assert_eq!(AUDIT_EQUAL, 0x4000_0000);
        assert_eq!(AUDIT_BIT_TEST, 0x4800_0000);
        assert_eq!(AUDIT_LESS_THAN_OR_EQUAL, 0x5000_0000);
        assert_eq!(AUDIT_GREATER_THAN_OR_EQUAL, 0x6000_0000);
        assert_eq!(operator_symbol(AUDIT_BIT_TEST), Some("&="));
        assert_eq!(operator_symbol(0), None);
        assert_eq!(operator_from_symbol("!="), Some(AUDIT_NOT_EQUAL));
        assert_eq!(operator_from_symbol("=="), None);
        assert_eq!(operators().len(), 8);
        for &(v, s) in operators() {
            assert_eq!(operator_from_symbol(s), Some(v));
        }
    }

    #[test]
    fn list_constants() {
        assert_eq!(
            [
                AUDIT_FILTER_USER,
                AUDIT_FILTER_TASK,
                AUDIT_FILTER_ENTRY,
                AUDIT_FILTER_WATCH,
                AUDIT_FILTER_EXIT,
                AUDIT_FILTER_EXCLUDE,
                AUDIT_FILTER_FS,
                AUDIT_FILTER_URING_EXIT
            ],
            [0, 1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(AUDIT_FILTER_TYPE, AUDIT_FILTER_EXCLUDE);
    }
}
