//! `auditrs ctl`: wiring for auditctl-compatible control.

/// auditctl's options, passed through verbatim (they are order-sensitive).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

pub fn main(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("ctl is not wired yet")
}
