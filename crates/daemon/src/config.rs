//! The daemon's configuration: a TOML file whose keys follow auditd.conf
//! where the meaning is the same, plus auditrs's own keys. Command-line
//! flags override the file (the binary sets fields after [`Config::load`]),
//! then [`Config::validate`] checks the whole.
//!
//! See `packaging/auditrs.toml` for an annotated example and
//! `crates/daemon/README.md` for the key list.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use crate::error::DaemonError;

/// Output format of one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Format {
    /// One ECS JSON object per event, per line.
    Json,
    /// Classic audit.log lines (`type=NAME msg=audit(...): ...`, auditd's
    /// `log_format = RAW`), one per record, for ausearch/aureport.
    Auditd,
}

/// What to do when a log file reaches `max_log_file` (auditd.conf
/// `max_log_file_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum MaxLogFileAction {
    /// Keep writing, say nothing.
    Ignore,
    /// Keep writing, log a warning once.
    Syslog,
    /// Stop writing (events are counted as dropped) until SIGHUP/SIGUSR1.
    Suspend,
    /// Rotate, keeping `num_logs` files in all (the oldest is deleted).
    Rotate,
    /// Rotate without deleting anything (`FILE.N` grows without bound).
    KeepLogs,
}

/// When written data is forced to disk (auditd.conf `flush`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Flush {
    /// Buffered writes only (flushed to the kernel at least every 100 ms).
    None,
    /// As `none`, plus `fdatasync` every `freq` events.
    Incremental,
    /// As `incremental` (the sync runs in the writer thread, which never
    /// blocks the netlink reader).
    IncrementalAsync,
    /// `fdatasync` after every write.
    Data,
    /// `fsync` after every write.
    Sync,
}

/// What to do on a full disk or a write error (auditd.conf
/// `disk_full_action`, `disk_error_action`). Events that cannot be written
/// are always counted and reported; auditrs never halts the machine, so
/// auditd's `halt` and `single` are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum DiskAction {
    /// Count the dropped events, retry at the next flush.
    Ignore,
    /// As `ignore`, plus a warning in the log at the first failure.
    Syslog,
    /// Stop writing until SIGHUP/SIGUSR1 (events counted as dropped).
    Suspend,
}

macro_rules! keyword_enum {
    ($ty:ty, $key:literal, [$($word:literal => $val:expr),+ $(,)?]) => {
        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.to_ascii_lowercase().as_str() {
                    $($word => Ok($val),)+
                    other => Err(format!(
                        "{}: unknown value {other:?} (expected one of: {})",
                        $key,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                s.parse()
            }
        }
    };
}

keyword_enum!(Format, "format", ["json" => Format::Json, "auditd" => Format::Auditd, "raw" => Format::Auditd]);
keyword_enum!(MaxLogFileAction, "max_log_file_action", [
    "ignore" => MaxLogFileAction::Ignore,
    "syslog" => MaxLogFileAction::Syslog,
    "suspend" => MaxLogFileAction::Suspend,
    "rotate" => MaxLogFileAction::Rotate,
    "keep_logs" => MaxLogFileAction::KeepLogs,
]);
keyword_enum!(Flush, "flush", [
    "none" => Flush::None,
    "incremental" => Flush::Incremental,
    "incremental_async" => Flush::IncrementalAsync,
    "data" => Flush::Data,
    "sync" => Flush::Sync,
]);
keyword_enum!(DiskAction, "disk_full_action/disk_error_action", [
    "ignore" => DiskAction::Ignore,
    "syslog" => DiskAction::Syslog,
    "suspend" => DiskAction::Suspend,
]);

/// The whole configuration. Every key has a default; a file only names
/// what it changes. Unknown keys are errors (a typo must not pass silently).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    // ---- auditd.conf keys (same meaning) ----
    /// Main output: a path, or `-` for standard output (default `-`).
    pub log_file: String,
    /// Format of `log_file` (default `json`).
    pub format: Format,
    /// Rotation size in MiB (auditd: megabytes; fractions allowed; 0 = no
    /// limit). Default 8.
    pub max_log_file: f64,
    /// Files kept in all, the live one included (auditd semantics:
    /// `num_logs = 5` keeps FILE and FILE.1 .. FILE.4). Default 5.
    pub num_logs: u32,
    /// What to do at `max_log_file` (default `rotate`).
    pub max_log_file_action: MaxLogFileAction,
    /// When data is forced to disk (default `incremental_async`).
    pub flush: Flush,
    /// Events between syncs with `flush = incremental[_async]` (default 50).
    pub freq: u32,
    /// Free space (MiB) on the log's file system under which a warning is
    /// logged and reported once (0 = never). Default 0.
    pub space_left: u64,
    /// On `ENOSPC` (default `syslog`).
    pub disk_full_action: DiskAction,
    /// On any other write error (default `syslog`).
    pub disk_error_action: DiskAction,

    // ---- auditrs keys ----
    /// Permissions of created log files, octal text (default `"0600"`).
    pub log_file_mode: String,
    /// A second output in auditd format (RAW audit.log lines), besides a
    /// JSON `log_file`. Rotated with the same settings. Default none.
    pub raw_log_file: Option<String>,
    /// Rules: a `rules.d` directory (augenrules order) or one file. Default:
    /// `/etc/audit/rules.d/` if it exists, else the project's `rules.d/`.
    pub rules: Option<PathBuf>,
    /// Do not load rules: keep what the kernel has (default false).
    pub keep_kernel_rules: bool,
    /// Kernel backlog limit set after the rules (auditctl `-b`); None:
    /// leave the rules' / kernel's value.
    pub backlog_limit: Option<u32>,
    /// Kernel rate limit in messages/s (auditctl `-r`); None: leave it.
    pub rate_limit: Option<u32>,
    /// Kernel failure mode 0 silent, 1 printk, 2 panic (auditctl `-f`);
    /// None: leave it.
    pub failure_mode: Option<u32>,
    /// Kernel backlog wait time in jiffies (auditctl `--backlog_wait_time`);
    /// None: leave it.
    pub backlog_wait_time: Option<u32>,
    /// Enable auditing when the kernel has it disabled (default true).
    pub enable: bool,
    /// Read the read-only multicast group instead of registering as the
    /// audit daemon (default false).
    pub multicast: bool,
    /// How long an event without end marker waits, ms (default 2000).
    pub reassembly_timeout_ms: u64,
    /// Most events in flight in the reassembler (default 4096).
    pub max_in_flight: usize,
    /// Batches queued between the netlink reader and the writer (default
    /// 256; a batch holds up to `batch_records` records). A full queue
    /// drops the batch, counted and reported.
    pub queue_depth: usize,
    /// Records per receive batch at most (default 512).
    pub batch_records: usize,
    /// After a receive that emptied the socket, the reader waits this long
    /// (ms) before the next one, so each wakeup carries many records
    /// (default 20; 0 = read as soon as anything arrives). Records wait in
    /// the receive buffer meanwhile; a full batch is followed at once.
    pub read_coalesce_ms: u64,
    /// Netlink receive buffer in bytes, forced with SO_RCVBUFFORCE
    /// (default 8 MiB).
    pub receive_buffer: usize,
    /// Kernel status poll interval, ms (lost/backlog; default 1000).
    pub status_interval_ms: u64,
    /// Periodic stats (log line and metric event) interval, s (default 60;
    /// 0 = only at exit).
    pub stats_interval_s: u64,
    /// Include the raw records as `event.original` (default false).
    pub include_original: bool,
    /// `host.name` in events (default: the machine's host name).
    pub host_name: Option<String>,
    /// Session context on every event from the process table
    /// (`audit-enrich`: `process.parent`/`group_leader`/`session_leader`/
    /// `entry_leader`, entity ids, `host.boot.id`); default true.
    pub sessions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            log_file: "-".into(),
            format: Format::Json,
            max_log_file: 8.0,
            num_logs: 5,
            max_log_file_action: MaxLogFileAction::Rotate,
            flush: Flush::IncrementalAsync,
            freq: 50,
            space_left: 0,
            disk_full_action: DiskAction::Syslog,
            disk_error_action: DiskAction::Syslog,
            log_file_mode: "0600".into(),
            raw_log_file: None,
            rules: None,
            keep_kernel_rules: false,
            backlog_limit: None,
            rate_limit: None,
            failure_mode: None,
            backlog_wait_time: None,
            enable: true,
            multicast: false,
            reassembly_timeout_ms: 2_000,
            max_in_flight: 4_096,
            queue_depth: 256,
            batch_records: 512,
            read_coalesce_ms: 20,
            receive_buffer: 8 << 20,
            status_interval_ms: 1_000,
            stats_interval_s: 60,
            include_original: false,
            host_name: None,
            sessions: true,
        }
    }
}

impl Config {
    /// Parses TOML text (`origin` names it in errors).
    pub fn parse(text: &str, origin: &str) -> Result<Config, DaemonError> {
        toml::from_str(text).map_err(|e| DaemonError::ConfigSyntax {
            path: origin.to_string(),
            message: e.to_string().trim_end().to_string(),
        })
    }

    /// Reads and parses a TOML file (not yet validated: apply flags, then
    /// call [`Config::validate`]).
    pub fn load(path: &Path) -> Result<Config, DaemonError> {
        let text = std::fs::read_to_string(path).map_err(|source| DaemonError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Checks ranges and consistency; `origin` names the source in errors.
    pub fn validate(&self, origin: &str) -> Result<(), DaemonError> {
        let bad = |key: &'static str, message: String| DaemonError::ConfigValue {
            origin: origin.to_string(),
            key,
            message,
        };
        if self.log_file.is_empty() {
            return Err(bad(
                "log_file",
                "empty path (use \"-\" for standard output)".into(),
            ));
        }
        if !(self.max_log_file.is_finite() && self.max_log_file >= 0.0) {
            return Err(bad(
                "max_log_file",
                format!("{} is not a size in MiB >= 0", self.max_log_file),
            ));
        }
        if self.num_logs == 0 || self.num_logs > 999 {
            return Err(bad(
                "num_logs",
                format!("{} is not in 1..=999", self.num_logs),
            ));
        }
        if self.max_log_file_action == MaxLogFileAction::Rotate
            && self.num_logs < 2
            && self.max_log_file > 0.0
        {
            return Err(bad("num_logs", "rotate needs num_logs >= 2".into()));
        }
        self.file_mode().map_err(|m| bad("log_file_mode", m))?;
        if let Some(raw) = &self.raw_log_file {
            if self.format != Format::Json {
                return Err(bad("raw_log_file", "needs format = \"json\" for log_file (raw_log_file is the auditd-format output)".into()));
            }
            if raw == &self.log_file || raw.is_empty() {
                return Err(bad(
                    "raw_log_file",
                    "must be a path other than log_file".into(),
                ));
            }
        }
        if let Some(f) = self.failure_mode {
            if f > 2 {
                return Err(bad(
                    "failure_mode",
                    format!("{f} is not 0 (silent), 1 (printk) or 2 (panic)"),
                ));
            }
        }
        if self.reassembly_timeout_ms == 0 || self.reassembly_timeout_ms > 600_000 {
            return Err(bad(
                "reassembly_timeout_ms",
                format!("{} is not in 1..=600000", self.reassembly_timeout_ms),
            ));
        }
        for (key, v, max) in [
            ("max_in_flight", self.max_in_flight, 1 << 20),
            ("queue_depth", self.queue_depth, 1 << 20),
            ("batch_records", self.batch_records, 1 << 16),
        ] {
            if v == 0 || v > max {
                return Err(bad(key, format!("{v} is not in 1..={max}")));
            }
        }
        if self.receive_buffer < 64 << 10 || self.receive_buffer > 1 << 30 {
            return Err(bad(
                "receive_buffer",
                format!("{} bytes is not in 64 KiB..=1 GiB", self.receive_buffer),
            ));
        }
        if self.read_coalesce_ms > 1_000 {
            return Err(bad(
                "read_coalesce_ms",
                format!("{} is not in 0..=1000", self.read_coalesce_ms),
            ));
        }
        if self.status_interval_ms < 10 || self.status_interval_ms > 3_600_000 {
            return Err(bad(
                "status_interval_ms",
                format!("{} is not in 10..=3600000", self.status_interval_ms),
            ));
        }
        Ok(())
    }

    /// `log_file_mode` as a number.
    pub fn file_mode(&self) -> Result<u32, String> {
        let s = self.log_file_mode.trim();
        let digits = s.strip_prefix("0o").unwrap_or(s);
        match u32::from_str_radix(digits, 8) {
            Ok(m) if m <= 0o777 => Ok(m),
            _ => Err(format!("{s:?} is not an octal mode like \"0600\"")),
        }
    }

    /// `max_log_file` in bytes (0 = no limit).
    pub fn max_log_bytes(&self) -> u64 {
        (self.max_log_file * 1024.0 * 1024.0) as u64
    }

    /// The outputs this configuration asks for, main one first.
    pub fn outputs(&self) -> Vec<OutputSpec> {
        let mode = self.file_mode().unwrap_or(0o600);
        let spec = |path: &str, format: Format| OutputSpec {
            path: if path == "-" {
                None
            } else {
                Some(PathBuf::from(path))
            },
            format,
            mode,
            max_bytes: self.max_log_bytes(),
            num_logs: self.num_logs,
            max_action: self.max_log_file_action,
            flush: self.flush,
            freq: self.freq,
            disk_full_action: self.disk_full_action,
            disk_error_action: self.disk_error_action,
            space_left_bytes: self.space_left.saturating_mul(1 << 20),
        };
        let mut v = vec![spec(&self.log_file, self.format)];
        if let Some(raw) = &self.raw_log_file {
            v.push(spec(raw, Format::Auditd));
        }
        v
    }
}

/// Settings of one output, derived from [`Config`].
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSpec {
    /// File path; `None` is standard output.
    pub path: Option<PathBuf>,
    /// What is written.
    pub format: Format,
    /// Mode of created files.
    pub mode: u32,
    /// Rotation size in bytes (0 = none).
    pub max_bytes: u64,
    /// Files kept in all.
    pub num_logs: u32,
    /// What to do at `max_bytes`.
    pub max_action: MaxLogFileAction,
    /// Sync policy.
    pub flush: Flush,
    /// Events between syncs for the incremental policies.
    pub freq: u32,
    /// On ENOSPC.
    pub disk_full_action: DiskAction,
    /// On other write errors.
    pub disk_error_action: DiskAction,
    /// Free-space warning threshold in bytes (0 = none).
    pub space_left_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::parse("", "t").unwrap();
        assert_eq!(c, Config::default());
        c.validate("t").unwrap();
    }

    #[test]
    fn auditd_keys_case_insensitive_and_fractions() {
        let c = Config::parse(
            "log_file = \"/var/log/auditrs/events.json\"\nmax_log_file = 0.5\nnum_logs = 3\nmax_log_file_action = \"KEEP_LOGS\"\nflush = \"DATA\"\ndisk_full_action = \"SUSPEND\"\nformat = \"RAW\"\n",
            "t",
        )
        .unwrap();
        c.validate("t").unwrap();
        assert_eq!(c.max_log_bytes(), 512 * 1024);
        assert_eq!(c.max_log_file_action, MaxLogFileAction::KeepLogs);
        assert_eq!(c.flush, Flush::Data);
        assert_eq!(c.disk_full_action, DiskAction::Suspend);
        assert_eq!(c.format, Format::Auditd);
        assert_eq!(
            c.outputs()[0].path.as_deref(),
            Some(Path::new("/var/log/auditrs/events.json"))
        );
    }

    #[test]
    fn integer_sizes_accepted() {
        let c = Config::parse("max_log_file = 2\n", "t").unwrap();
        assert_eq!(c.max_log_bytes(), 2 << 20);
    }

    #[test]
    fn unknown_key_and_bad_word_name_the_line() {
        let e = Config::parse("num_logs = 2\nlog_fiel = \"x\"\n", "/etc/auditrs.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/etc/auditrs.toml") && e.contains("log_fiel") && e.contains("line 2"),
            "{e}"
        );
        let e = Config::parse("disk_full_action = \"halt\"\n", "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("halt") && e.contains("ignore, syslog, suspend"),
            "{e}"
        );
    }

    #[test]
    fn range_checks() {
        for (text, key) in [
            ("num_logs = 0", "num_logs"),
            ("failure_mode = 3", "failure_mode"),
            ("log_file_mode = \"rw\"", "log_file_mode"),
            ("queue_depth = 0", "queue_depth"),
            ("receive_buffer = 10", "receive_buffer"),
            ("max_log_file = -1", "max_log_file"),
            ("raw_log_file = \"-\"\nlog_file = \"-\"", "raw_log_file"),
            ("reassembly_timeout_ms = 0", "reassembly_timeout_ms"),
        ] {
            let c = Config::parse(text, "t").unwrap();
            let e = c.validate("t").unwrap_err();
            assert!(
                matches!(&e, DaemonError::ConfigValue { key: k, .. } if *k == key),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn packaged_example_is_valid() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/auditrs.toml");
        let c = Config::load(&p).unwrap();
        c.validate("example").unwrap();
        assert_eq!(c.log_file, "/var/log/auditrs/events.json");
        assert_eq!(c.backlog_limit, Some(8192));
        assert_eq!(c.space_left, 75);
    }

    #[test]
    fn two_outputs() {
        let c = Config::parse(
            "log_file = \"/a.json\"\nraw_log_file = \"/a.log\"\nlog_file_mode = \"0640\"\n",
            "t",
        )
        .unwrap();
        c.validate("t").unwrap();
        let o = c.outputs();
        assert_eq!(o.len(), 2);
        assert_eq!((o[0].format, o[1].format), (Format::Json, Format::Auditd));
        assert_eq!(o[1].mode, 0o640);
        let c = Config::parse(
            "format = \"auditd\"\nraw_log_file = \"/b\"\nlog_file = \"/a\"\n",
            "t",
        )
        .unwrap();
        assert!(c.validate("t").is_err());
    }
}
