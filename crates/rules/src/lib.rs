//! The auditctl 3.0.9 rule language, pure (no I/O): command lines and
//! rule-file lines to [`Command`]s, rules to and from the kernel's
//! `struct audit_rule_data` bytes, and `auditctl -l` printing.
//!
//! ```
//! use audit_rules::{parse_args, Command, FakeHost, Printer, Rule};
//!
//! let host = FakeHost::x86_64();
//! let parsed = parse_args(&["-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-k", "open"], &host)?;
//! let Command::AddRule(rule) = &parsed.commands[0] else { unreachable!() };
//! let bytes = rule.to_bytes()?;
//! let back = Rule::from_bytes(&bytes)?;
//! let text = Printer::new(Some(0xc000_003e), false).rule(&back);
//! assert_eq!(text, b"-a always,exit -F arch=b64 -S openat -F key=open");
//! # Ok::<(), audit_rules::RuleError>(())
//! ```
//!
//! Host facts (users, groups, directories, machine, kernel features) come
//! through the [`Host`] trait: [`SystemHost`] for the real machine,
//! [`FakeHost`] for tests.
//!
//! # Using it (the ctl front end)
//!
//! - [`parse_args`]: one command line (without the program name) to
//!   [`Parsed`]: [`Command`]s in the order auditctl performs them, plus
//!   warnings to print. `auditctl -R FILE` gives [`Command::LoadFile`].
//! - [`parse_rule_file`]: a whole file to one [`ParsedLine`] per command
//!   line (line numbers as auditctl counts them; errors are
//!   [`RuleError::AtLine`], displayed `FILE:LINE: message`;
//!   [`RuleError::root`] gives auditctl's own message).
//! - [`Rule::to_bytes`] / [`Rule::from_bytes`]: `struct audit_rule_data`
//!   for `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE`/`AUDIT_LIST_RULES`.
//! - [`Printer`]: `auditctl -l` text; use one printer per listing (auditctl
//!   carries the last `arch` from rule to rule). [`Rule::key_matches`] is
//!   the `-k` filter of `-l` and `-D`.
//! - [`augenrules::assemble`]: a rules directory in augenrules order.
//!
//! # Fidelity
//!
//! The parser is a port of auditctl 3.0.9's `setopt` and libaudit's
//! `audit_rule_fieldpair_data` & co., down to glibc `getopt_long`
//! permutation and C `strtoul` parsing; the tests check it against the real
//! auditctl (go-libaudit's 123 golden rules byte for byte, every line of
//! the auditd 3.0.9 sample rules, a corpus of edge cases and bad rules).
//! Known differences: the `io_uring` list is accepted with auditctl 3.1's
//! syntax (3.0.9 refuses the list): `-S` names io_uring ops
//! (`audit_tables::argnames`), and `-l` prints the list and op names where
//! 3.0.9 prints `(null)` and syscall names. `-l -i` names `a0`..`a3` as
//! auparse 3.0.9 does ([`argument`]).
//! [`Rule::as_listed_by_kernel`] does not expand syscall-class bits
//! (syscalls 2032..2047). Each parsed line is all-or-nothing: where
//! auditctl would perform `-b 10` and then fail on a later option of the
//! same line, we report the error and perform nothing.

#![warn(missing_docs)]

pub mod argument;
pub mod augenrules;
mod builder;
#[doc(hidden)]
pub mod check;
mod command;
pub mod compare;
mod error;
pub mod file;
mod getopt;
mod host;
pub mod kernel;
mod number;
mod parse;
pub mod print;
mod rule;
mod wire;

pub use command::{Command, Parsed};
pub use error::{FieldErrorKind, RuleError};
pub use file::{parse_rule_file, split_line, ParsedLine};
pub use host::{FakeHost, Host, SystemHost};
pub use parse::parse_args;
pub use print::{is_watch, rule_text, Printer};
pub use rule::{Action, Field, FilterList, Operator, Rule, Value};
