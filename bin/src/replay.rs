//! `auditrs replay`: wiring for offline replay of audit.log files.

#[derive(clap::Args)]
pub struct Args {
    /// audit.log files (RAW or ENRICHED), or `-` for standard input.
    pub files: Vec<std::path::PathBuf>,
}

pub fn main(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("replay is not wired yet")
}
