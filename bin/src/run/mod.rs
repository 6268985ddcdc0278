//! `auditrs run`: wiring for the daemon. clap -> validated config ->
//! [`daemon::run`]. The processing core is `audit_daemon`; this module
//! owns the threads, the tokio event socket, signals and kernel setup.

use std::path::PathBuf;

use anyhow::Context;
use audit_daemon::{Config, Format};

mod daemon;
mod kernel;
mod sessions;
mod writer;

const AFTER_HELP: &str = "\
Examples:
  auditrs run --rules rules.d/                       JSON events on stdout
  auditrs run --config /etc/auditrs/auditrs.toml     as the systemd unit does
  auditrs run --output /var/log/auditrs/events.json --raw-output /var/log/audit/audit.log
  auditrs run --multicast                            read beside a running auditd
  auditrs run --config FILE --check-config           validate and exit

Signals: SIGTERM/SIGINT stop (in-flight events are written, marked incomplete);
SIGHUP reloads the rules and reopens the outputs (for logrotate); SIGUSR1
rotates the outputs now. Logs go to stderr, filtered by RUST_LOG (default info).
Flags override the config file; see packaging/auditrs.toml for every key.";

/// `auditrs run` options. Every option also exists as a config key.
#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// TOML config file (keys as in auditd.conf where the meaning is the same).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Validate the configuration (and parse the rules), print the result, exit.
    #[arg(long)]
    pub check_config: bool,
    /// Rules directory (augenrules order) or file. Default /etc/audit/rules.d/,
    /// else ./rules.d/. [config: rules]
    #[arg(long, value_name = "DIR|FILE")]
    pub rules: Option<PathBuf>,
    /// Keep the kernel's rules; load nothing. [config: keep_kernel_rules]
    #[arg(long)]
    pub keep_rules: bool,
    /// Output file, or - for stdout. [config: log_file]
    #[arg(long, short = 'o', value_name = "-|FILE")]
    pub output: Option<String>,
    /// Output format: json (ECS, one event per line) or auditd (audit.log RAW lines). [config: format]
    #[arg(long, value_name = "json|auditd")]
    pub format: Option<String>,
    /// Also write audit.log RAW lines to this file (beside JSON). [config: raw_log_file]
    #[arg(long, value_name = "FILE")]
    pub raw_output: Option<String>,
    /// Rotate the outputs at this size in MiB (0: never). [config: max_log_file]
    #[arg(long, value_name = "MIB")]
    pub max_log_file: Option<f64>,
    /// Files kept by rotation, the live one included. [config: num_logs]
    #[arg(long, value_name = "N")]
    pub num_logs: Option<u32>,
    /// Read the read-only multicast group beside another audit daemon instead
    /// of registering. The kernel's rules are kept unless --rules is given. [config: multicast]
    #[arg(long)]
    pub multicast: bool,
    /// Do not enable auditing when the kernel has it disabled. [config: enable = false]
    #[arg(long)]
    pub no_enable: bool,
    /// Kernel backlog limit (auditctl -b), set after the rules. [config: backlog_limit]
    #[arg(long, value_name = "N")]
    pub backlog_limit: Option<u32>,
    /// Kernel backlog wait time in jiffies (auditctl --backlog_wait_time). [config: backlog_wait_time]
    #[arg(long, value_name = "N")]
    pub backlog_wait_time: Option<u32>,
    /// Kernel rate limit, messages/s (auditctl -r). [config: rate_limit]
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Kernel failure mode 0 silent, 1 printk, 2 panic (auditctl -f). [config: failure_mode]
    #[arg(long, value_name = "0|1|2")]
    pub failure_mode: Option<u32>,
    /// Wait for an event's end marker at most this long, ms. [config: reassembly_timeout_ms]
    #[arg(long, value_name = "MS")]
    pub reassembly_timeout_ms: Option<u64>,
    /// Batches queued between the netlink reader and the writer. [config: queue_depth]
    #[arg(long, value_name = "N")]
    pub queue_depth: Option<usize>,
    /// Netlink receive buffer, bytes (forced). [config: receive_buffer]
    #[arg(long, value_name = "BYTES")]
    pub receive_buffer: Option<usize>,
    /// Stats log line and metric event every S seconds (0: at exit only). [config: stats_interval_s]
    #[arg(long, value_name = "S")]
    pub stats_interval: Option<u64>,
    /// Include the raw records as event.original. [config: include_original]
    #[arg(long)]
    pub original: bool,
    /// No session context (process table: parent, group/session/entry
    /// leaders, entity ids, host.boot.id). [config: sessions = false]
    #[arg(long)]
    pub no_sessions: bool,
}

impl Args {
    /// The file's config (or the defaults) with the flags applied.
    fn config(&self) -> anyhow::Result<(Config, String)> {
        let (mut c, origin) = match &self.config {
            Some(p) => (Config::load(p)?, p.display().to_string()),
            None => (Config::default(), "defaults".to_string()),
        };
        if let Some(r) = &self.rules {
            c.rules = Some(r.clone());
        }
        if self.keep_rules {
            c.keep_kernel_rules = true;
        }
        if let Some(o) = &self.output {
            c.log_file = o.clone();
        }
        if let Some(f) = &self.format {
            c.format = f
                .parse::<Format>()
                .map_err(anyhow::Error::msg)
                .context("--format")?;
        }
        if let Some(r) = &self.raw_output {
            c.raw_log_file = Some(r.clone());
        }
        set(&mut c.max_log_file, self.max_log_file);
        set(&mut c.num_logs, self.num_logs);
        if self.multicast {
            c.multicast = true;
        }
        if self.no_enable {
            c.enable = false;
        }
        c.backlog_limit = self.backlog_limit.or(c.backlog_limit);
        c.backlog_wait_time = self.backlog_wait_time.or(c.backlog_wait_time);
        c.rate_limit = self.rate_limit.or(c.rate_limit);
        c.failure_mode = self.failure_mode.or(c.failure_mode);
        set(&mut c.reassembly_timeout_ms, self.reassembly_timeout_ms);
        set(&mut c.queue_depth, self.queue_depth);
        set(&mut c.receive_buffer, self.receive_buffer);
        set(&mut c.stats_interval_s, self.stats_interval);
        if self.original {
            c.include_original = true;
        }
        if self.no_sessions {
            c.sessions = false;
        }
        let origin = if self.config.is_some() {
            format!("{origin} + flags")
        } else {
            "flags".into()
        };
        c.validate(&origin)?;
        Ok((c, origin))
    }
}

fn set<T>(field: &mut T, v: Option<T>) {
    if let Some(v) = v {
        *field = v;
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn main(args: Args) -> anyhow::Result<i32> {
    init_logging();
    let (config, origin) = args.config()?;
    if args.check_config {
        return check(&config, &origin);
    }
    if !audit_ctl::cli::can_control() {
        anyhow::bail!(
            "auditrs run needs root or CAP_AUDIT_CONTROL (and CAP_AUDIT_READ for --multicast): run it with sudo or from the systemd unit"
        );
    }
    daemon::run(config, args.rules.is_some())
}

/// `--check-config`: the config is valid (checked above); also parse the
/// rules so a bad line is found before a restart.
fn check(config: &Config, origin: &str) -> anyhow::Result<i32> {
    println!("config {origin}: OK");
    for o in config.outputs() {
        let path = o
            .path
            .as_ref()
            .map_or("<stdout>".to_string(), |p| p.display().to_string());
        println!(
            "  output {path}: {:?}, rotate at {} bytes keeping {} ({:?})",
            o.format, o.max_bytes, o.num_logs, o.max_action
        );
    }
    if config.keep_kernel_rules {
        println!("  rules: the kernel's are kept");
        return Ok(0);
    }
    match config
        .rules
        .clone()
        .or_else(audit_daemon::rules::default_source)
    {
        None => println!("  rules: none found (/etc/audit/rules.d/ and ./rules.d/ are absent)"),
        Some(src) => {
            let text = audit_daemon::rules::assemble(&src)?;
            let syntax = audit_ctl::syntax::RulesSyntax {
                host: audit_rules::SystemHost::default(),
            };
            let mut bad = 0;
            let mut n = 0usize;
            for (lineno, parsed) in audit_ctl::syntax::Syntax::parse_file(&syntax, &text) {
                match parsed {
                    Ok(_) => n += 1,
                    Err(m) => {
                        bad += 1;
                        // Line 1 is the -D the daemon puts first.
                        eprintln!(
                            "{}: assembled line {}: {m}",
                            src.display(),
                            lineno.saturating_sub(1)
                        );
                    }
                }
            }
            if bad > 0 {
                anyhow::bail!("rules {}: {bad} bad line(s)", src.display());
            }
            println!(
                "  rules {}: {} lines OK",
                src.display(),
                n.saturating_sub(1)
            );
        }
    }
    Ok(0)
}
