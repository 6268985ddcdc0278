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
