//! `auditrs`: the thin binary. clap -> validated config -> `run()`.
//! Each subcommand lives in its own module; no parsing or protocol code here.

use clap::{Parser, Subcommand};

mod ctl;
mod replay;
mod run;

#[derive(Parser)]
#[command(
    name = "auditrs",
    version,
    about = "A Linux audit daemon: rules, reassembly, session context, JSON"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the audit daemon: register with the kernel, load rules, stream JSON events.
    Run(run::Args),
    /// auditctl-compatible control (same options and output as auditctl 3.0.9).
    Ctl(ctl::Args),
    /// Replay audit.log files (RAW or ENRICHED) through the event pipeline.
    Replay(replay::Args),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run(a) => run::main(a),
        Command::Ctl(a) => ctl::main(a),
        Command::Replay(a) => replay::main(a),
    };
    match code {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("auditrs: {e:#}");
            std::process::exit(1);
        }
    }
}
