//! `audit-daemon`: the pure core of `auditrs run` (no threads, no tokio).
//!
//! - [`Config`]: the TOML configuration (auditd.conf keys where the meaning
//!   is the same, plus auditrs's own), validated.
//! - [`Sink`]: one output file (or stdout) with buffered writes, size
//!   rotation, reopen, rotate-now, sync policies, and write failures that
//!   are counted and survived.
//! - [`Pipeline`]: kernel records -> reassembly -> ECS JSON and/or auditd
//!   lines -> sinks, with loss accounting ([`Counters`]) and in-stream
//!   metric events (see `crates/daemon/README.md`). Time is a parameter.
//! - [`rules`]: a rules directory (augenrules order) or file loaded into
//!   the kernel all-or-nothing through `audit-ctl`'s executor.

pub mod config;
mod error;
pub mod pipeline;
pub mod rules;
pub mod sink;
pub mod stats;

pub use config::{Config, DiskAction, Flush, Format, MaxLogFileAction, OutputSpec};
pub use error::DaemonError;
pub use pipeline::{write_raw_line, Pipeline};
pub use sink::{Resumed, Sink, SinkCounters};
pub use stats::Counters;
