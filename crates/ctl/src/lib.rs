//! `audit-ctl`: auditctl 3.0.9-compatible command execution.
//!
//! Parsed requests ([`Request`]) run against a [`Kernel`] (the live audit
//! netlink socket, or [`fake::FakeKernel`] in tests) through an
//! [`Executor`], which prints exactly what auditctl prints (`-l`, `-s`, the
//! status block after `-e/-f/-r/-b`, "No rules") and returns auditctl's
//! exit codes. Rules files load all-or-nothing ([`Executor::load`]).

pub mod cli;
pub mod error;
pub mod executor;
pub mod fake;
pub mod kernel;
pub mod listing;
pub mod live;
pub mod request;
pub mod rollback;
pub mod status;
pub mod syntax;

pub use error::CtlError;
pub use executor::{Console, Executor, FileLine};
pub use kernel::{Kernel, KernelError};
pub use listing::RuleText;
pub use request::Request;
pub use status::{Features, Status, StatusChange};
