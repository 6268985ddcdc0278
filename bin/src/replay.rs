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
    /// Leave out the session context (process.parent/group_leader/
    /// session_leader/entry_leader, entity ids, host.boot.id).
    #[arg(long)]
    pub no_sessions: bool,
    /// Also read this machine's /proc for the session table (a scan at start
    /// and lookups of pids never seen): only for logs of this machine's
    /// current boot. By default the table is built from the events alone.
    #[arg(long, conflicts_with = "no_sessions")]
    pub proc: bool,
    /// `host.boot.id` of the machine that wrote the log (part of every
    /// entity_id). Default: this machine's.
    #[arg(long, value_name = "ID", conflicts_with = "proc")]
    pub boot_id: Option<String>,
    /// `host.pid_ns_ino` of the machine that wrote the log. Default: this
    /// machine's.
    #[arg(long, value_name = "INO", conflicts_with = "proc")]
    pub pid_ns_ino: Option<u64>,
}

/// The session table for a replay: from the events alone, unless `--proc`.
fn sessions(args: &Args) -> anyhow::Result<Option<Box<dyn audit_ecs::ProcessContext>>> {
    if args.no_sessions {
        return Ok(None);
    }
    if args.proc {
        let ctx = audit_enrich::SessionContext::from_proc(sessiondb::Config::default())?;
        return Ok(Some(Box::new(ctx)));
    }
    use sessiondb::ProcSource;
    // This machine's facts by default (most replays read local logs);
    // unreadable parts stay empty/zero.
    let mut host = sessiondb::ProcFs::new().host().unwrap_or_default();
    if let Some(b) = &args.boot_id {
        host.boot_id = b.clone();
    }
    if let Some(n) = args.pid_ns_ino {
        host.pid_ns_ino = n;
    }
    Ok(Some(Box::new(audit_enrich::SessionContext::from_events(
        host,
    ))))
}

pub fn main(args: Args) -> anyhow::Result<i32> {
    let sessions = sessions(&args)?;
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
    if let Some(ctx) = sessions {
        replay.set_process_context(ctx);
    }
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
