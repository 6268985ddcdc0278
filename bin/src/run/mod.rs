//! `auditrs run`: wiring for the daemon.

#[derive(clap::Args)]
pub struct Args {
    /// Rules directory or file (default /etc/audit/rules.d/, else the project's rules.d/).
    #[arg(long)]
    pub rules: Option<std::path::PathBuf>,
}

pub fn main(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("run is not wired yet")
}
