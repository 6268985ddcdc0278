//! The crate's error type.

use std::path::PathBuf;

/// Errors from reading process information (real or fake /proc).
///
/// The table itself never fails on event input: unknown or inconsistent
/// events are absorbed (and counted); only [`crate::ProcSource`] reads return
/// errors, and the table treats them as "not available".
#[derive(Debug, thiserror::Error)]
pub enum SessionDbError {
    /// The process does not exist (or no longer exists).
    #[error("pid {pid}: no such process")]
    NoSuchProcess {
        /// The pid looked up.
        pid: u32,
    },
    /// The source has no /proc to read (replay without /proc, [`crate::NoProc`]).
    #[error("no /proc source available")]
    Unavailable,
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content did not parse.
    #[error("{path}: cannot parse: {what}")]
    Parse {
        /// The file read.
        path: PathBuf,
        /// What was wrong.
        what: String,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, SessionDbError>;
