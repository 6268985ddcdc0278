//! The crate's error type.

use std::path::PathBuf;

/// Errors of the daemon core: configuration and outputs.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The configuration file could not be read.
    #[error("reading config {path}: {source}")]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has unknown keys / wrong
    /// types (the message names the line and key).
    #[error("config {path}: {message}")]
    ConfigSyntax {
        /// The file (or `<flags>` for command-line values).
        path: String,
        /// toml's message, with line and column.
        message: String,
    },
    /// A configuration value is out of range or inconsistent.
    #[error("config {origin}: {key}: {message}")]
    ConfigValue {
        /// Where the value came from (file path or `command line`).
        origin: String,
        /// The key (auditd.conf name where it exists).
        key: &'static str,
        /// What is wrong.
        message: String,
    },
    /// An output file could not be opened, renamed or written.
    #[error("{what} {path}: {source}")]
    Output {
        /// What was being done (`opening`, `rotating`...).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Rules could not be read, parsed or loaded (the message names every
    /// `file:line`). Nothing was changed in the kernel.
    #[error("rules {origin}: {message}")]
    Rules {
        /// The rules file or directory.
        origin: String,
        /// What went wrong.
        message: String,
    },
}
