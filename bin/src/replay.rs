//! `auditrs replay`: wiring for offline replay of audit.log files.
//! The pipeline lives in `audit_ecs::replay`.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use audit_ecs::replay::expand_inputs;
use audit_ecs::{Config, FixedNames, NameResolver, Replay, ReplayOptions, SystemNames};

#[derive(clap::Args)]
pub struct Args {
    /// audit.log files (RAW or ENRICHED) in order (oldest first: `audit.log.2
    /// audit.log.1 audit.log`), a log directory, or `-` for standard input
    /// (the default).
    pub files: Vec<PathBuf>,
    /// Write JSON lines to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Include the raw records as `event.original`.
    #[arg(long)]
    pub original: bool,
    /// `host.name` for records without `node=`.
    #[arg(long)]
    pub host_name: Option<String>,
    /// Event-time timeout for events without end marker, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
    /// Do not resolve uids/gids to names from /etc/passwd and /etc/group.
    #[arg(long)]
    pub numeric: bool,
}

pub fn main(args: Args) -> anyhow::Result<i32> {
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files
    };
    let inputs = expand_inputs(&files)?;
    let out: Box<dyn Write> = match &args.output {
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let names: Box<dyn NameResolver> = if args.numeric {
        Box::new(FixedNames::new())
    } else {
        Box::new(SystemNames::load())
    };
    let opts = ReplayOptions {
        serializer: Config {
            host_name: args.host_name,
            include_original: args.original,
        },
        reassembler: audit_reassembler::Config {
            timeout_ms: args.timeout_ms,
            ..Default::default()
        },
    };
    let mut replay = Replay::new(opts, names, BufWriter::with_capacity(1 << 20, out));
    let stderr = std::io::stderr();
    let mut warn = |w: String| {
        let _ = writeln!(stderr.lock(), "auditrs replay: warning: {w}");
    };
    for p in &inputs {
        if p.as_os_str() == "-" {
            let stdin = std::io::stdin();
            replay.feed(
                "-",
                BufReader::with_capacity(1 << 20, stdin.lock()),
                &mut warn,
            )?;
        } else {
            let f = std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?;
            replay.feed(
                &p.display().to_string(),
                BufReader::with_capacity(1 << 20, f),
                &mut warn,
            )?;
        }
    }
    let (summary, _) = replay.finish()?;
    eprintln!("auditrs replay: {summary}");
    Ok(0)
}
