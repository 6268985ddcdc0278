//! The crate's error type.

use std::path::PathBuf;

/// Errors of the replay pipeline (serialization itself cannot fail).
#[derive(Debug, thiserror::Error)]
pub enum EcsError {
    /// Reading an input failed.
    #[error("reading {name}: {source}")]
    Read {
        /// Input name (path or `-`).
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Write(#[source] std::io::Error),
    /// Opening an input failed.
    #[error("opening {path}: {source}")]
    Open {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}
