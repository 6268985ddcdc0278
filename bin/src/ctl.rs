//! `auditrs ctl`: wiring for auditctl-compatible control (`audit_ctl::cli`).

use std::os::unix::ffi::OsStringExt;

/// auditctl's options, passed through verbatim (they are order-sensitive).
#[derive(clap::Args)]
#[command(disable_help_flag = true)]
pub struct Args {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<std::ffi::OsString>,
}

pub fn main(args: Args) -> anyhow::Result<i32> {
    let args: Vec<Vec<u8>> = args.args.into_iter().map(OsStringExt::into_vec).collect();
    let (stdout, stderr) = (std::io::stdout(), std::io::stderr());
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut con = audit_ctl::Console {
        out: &mut out,
        err: &mut err,
    };
    Ok(audit_ctl::cli::run_system(&args, &mut con))
}
