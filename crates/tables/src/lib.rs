//! Linux audit lookup tables, generated from libaudit 3.0.9 (Debian 12's
//! `python3-audit` / `auditd`) and the kernel headers of `linux-libc-dev`
//! 6.1. See `crates/tables/README.md` for how to regenerate them.
//!
//! All lookups are binary searches over static arrays: no allocation, no
//! panic, `None` for anything unknown. Name lookups are ASCII
//! case-insensitive, as libaudit's (`strcasecmp`).
//!
//! | module | what |
//! |---|---|
//! | [`arch`] (and [`arch_name`], [`arch_from_name`], [`arch_from_bits`], [`host_arch`]) | `AUDIT_ARCH_*` values and machine names |
//! | [`syscall`] | syscall names per arch (libaudit's, plus interpretation-only extras) |
//! | [`errno`] | errno names |
//! | [`msgtype`] | message types (names, `u16` constants, `UNKNOWN[n]`) |
//! | [`field`] | rule field names and `AUDIT_*` field constants |
//! | [`ftype`] | `-F filetype=` names |
//! | [`fstype`] | `-F fstype=` names |
//! | [`filter`] | filter lists, actions, operators |
//! | [`uapi`] | every numeric constant of `<linux/audit.h>` |
//! | [`argnames`] | libauparse's names for syscall arguments (`-l -i`), io_uring ops |

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod arch;
pub mod argnames;
pub mod errno;
pub mod field;
pub mod filter;
pub mod fstype;
pub mod ftype;
#[rustfmt::skip]
#[allow(missing_docs, clippy::all)]
mod generated;
mod lookup;
pub mod msgtype;
pub mod syscall;
pub mod uapi;

pub use arch::{arch_from_bits, arch_from_name, arch_name, host_arch};

/// Debian version of libaudit1 the tables were generated from.
pub const LIBAUDIT_VERSION: &str = generated::LIBAUDIT_VERSION;
/// Debian version of linux-libc-dev whose headers gave the constants and
/// the interpretation-only syscall names.
pub const KERNEL_HEADERS_VERSION: &str = generated::KERNEL_HEADERS_VERSION;
