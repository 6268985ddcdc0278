//! Errors of this crate.

/// What can fail when setting up the session table.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// Reading the host facts (`/proc/sys/kernel/random/boot_id`,
    /// `/proc/self/ns/pid`, `/proc/stat`) failed.
    #[error("reading the host facts for the session table: {0}")]
    Host(#[source] sessiondb::SessionDbError),
    /// The /proc scan at start failed.
    #[error("seeding the session table from /proc: {0}")]
    Seed(#[source] sessiondb::SessionDbError),
}
