//! The daemon's processing core, without I/O threads: kernel records in,
//! reassembly, ECS JSON and/or auditd lines out to [`Sink`]s, loss
//! accounting and metric events. Time is a parameter (monotonic
//! milliseconds); the binary drives it from its writer thread.

use audit_ecs::{Config as SerConfig, NameResolver, ProcessContext, Serializer};
use audit_reassembler::{Completion, Output, Reassembler, Record};

use crate::config::{Config, Format};
use crate::error::DaemonError;
use crate::sink::Sink;
use crate::stats::{stats_values, wall_now, write_metric, Counters, Value};

/// Backlog above this share of the limit is reported (`backlog-high`)...
const BACKLOG_HIGH_PERCENT: u64 = 50;
/// ... once, until it falls under this share again.
const BACKLOG_LOW_PERCENT: u64 = 25;

/// The processing core. See the module documentation.
pub struct Pipeline<N: NameResolver> {
    reasm: Reassembler,
    ser: Serializer<N>,
    pending: Vec<Output>,
    sinks: Vec<Sink>,
    json: Option<usize>,
    raw: Option<usize>,
    counters: Counters,
    host: Option<String>,
    ctx: Option<Box<dyn ProcessContext + Send>>,
    stats_interval_ms: u64,
    last_stats_ms: u64,
    kernel_lost_seen: Option<u32>,
    backlog_high: bool,
    reported_enobufs: u64,
    reported_queue: u64,
    parse_warned: u64,
}

impl<N: NameResolver> Pipeline<N> {
    /// Builds the pipeline and opens its outputs.
    pub fn new(config: &Config, names: N, host: Option<String>) -> Result<Self, DaemonError> {
        let mut sinks = Vec::new();
        let (mut json, mut raw) = (None, None);
        for spec in config.outputs() {
            let format = spec.format;
            sinks.push(Sink::open(spec)?);
            match format {
                Format::Json => json = Some(sinks.len() - 1),
                Format::Auditd => raw = Some(sinks.len() - 1),
            }
        }
        Ok(Self::with_sinks(config, names, host, sinks, json, raw))
    }

    fn with_sinks(
        config: &Config,
        names: N,
        host: Option<String>,
        sinks: Vec<Sink>,
        json: Option<usize>,
        raw: Option<usize>,
    ) -> Self {
        Pipeline {
            reasm: Reassembler::new(audit_reassembler::Config {
                timeout_ms: config.reassembly_timeout_ms,
                max_in_flight: config.max_in_flight,
                ..Default::default()
            }),
            ser: Serializer::new(
                SerConfig {
                    host_name: host.clone(),
                    include_original: config.include_original,
                },
                names,
            ),
            pending: Vec::with_capacity(64),
            sinks,
            json,
            raw,
            counters: Counters::default(),
            host,
            ctx: None,
            stats_interval_ms: config.stats_interval_s.saturating_mul(1000),
            last_stats_ms: 0,
            kernel_lost_seen: None,
            backlog_high: false,
            reported_enobufs: 0,
            reported_queue: 0,
            parse_warned: 0,
        }
    }

    /// Installs the process-context hook (the session database's seam):
    /// called for every event while `process` is written.
    pub fn set_process_context(&mut self, ctx: Box<dyn ProcessContext + Send>) {
        self.ctx = Some(ctx);
    }

    /// The uid/gid name resolver (e.g. to refresh it when /etc/passwd
    /// changes).
    pub fn names_mut(&mut self) -> &mut N {
        self.ser.names_mut()
    }

    /// The counters (output drops and write errors summed over outputs).
    pub fn counters(&self) -> Counters {
        let mut c = self.counters;
        for s in &self.sinks {
            let sc = s.counters();
            c.write_errors += sc.write_errors;
            c.output_dropped += sc.dropped_events;
        }
        c
    }

    /// The outputs.
    pub fn sinks(&self) -> &[Sink] {
        &self.sinks
    }

    /// One record from the kernel (`payload` as received: `audit(...): ...`).
    pub fn push_record(&mut self, msg_type: u16, payload: &[u8], now_ms: u64) {
        self.counters.records += 1;
        if let Some(i) = self.raw {
            let s = &mut self.sinks[i];
            write_raw_line(s.buffer(), msg_type, payload);
            s.commit(1);
        }
        if self.json.is_none() {
            return;
        }
        match Record::parse_kernel(msg_type, payload) {
            Ok(rec) => {
                self.reasm.push(rec, now_ms, &mut self.pending);
                self.drain();
            }
            Err(e) => {
                self.counters.parse_errors += 1;
                // At most 10 warnings, then one per 1000.
                if self.parse_warned < 10 || self.counters.parse_errors % 1000 == 0 {
                    self.parse_warned += 1;
                    tracing::warn!(msg_type, error = %e, total = self.counters.parse_errors, "skipping a kernel record that does not parse");
                }
            }
        }
    }

    /// `ENOBUFS` on the event socket (reported at the next tick).
    pub fn overrun(&mut self) {
        self.counters.enobufs += 1;
    }

    /// `records` dropped because the queue was full (reported at the next
    /// tick).
    pub fn queue_dropped(&mut self, records: u64) {
        self.counters.queue_dropped += records;
    }

    /// The kernel's status at a poll: a rise of `lost` is reported at once
    /// (`kernel-lost`); a backlog above half the limit once (`backlog-high`).
    pub fn kernel_status(&mut self, lost: u32, backlog: u32, backlog_limit: u32) {
        self.counters.kernel_lost_total = lost;
        self.counters.kernel_backlog = backlog;
        match self.kernel_lost_seen {
            Some(prev) if lost > prev => {
                let delta = u64::from(lost - prev);
                self.counters.kernel_lost += delta;
                tracing::warn!(
                    lost_delta = delta,
                    lost_total = lost,
                    backlog,
                    backlog_limit,
                    "the kernel lost audit records (backlog overflow or rate limit)"
                );
                self.metric(
                    "kernel-lost",
                    "kernel",
                    &[
                        ("lost_delta", Value::Count(delta)),
                        ("lost", Value::Count(u64::from(lost))),
                        ("lost_since_start", Value::Count(self.counters.kernel_lost)),
                        ("backlog", Value::Count(u64::from(backlog))),
                        ("backlog_limit", Value::Count(u64::from(backlog_limit))),
                    ],
                );
            }
            Some(prev) if lost < prev => {
                tracing::info!(prev, now = lost, "the kernel's lost counter was reset");
            }
            Some(_) => {}
            None => {
                if lost > 0 {
                    tracing::info!(
                        lost,
                        "kernel lost counter at start (records lost before this daemon ran)"
                    );
                }
            }
        }
        self.kernel_lost_seen = Some(lost);
        if backlog_limit > 0 {
            let pct = u64::from(backlog) * 100 / u64::from(backlog_limit);
            if !self.backlog_high && pct >= BACKLOG_HIGH_PERCENT {
                self.backlog_high = true;
                tracing::warn!(
                    backlog,
                    backlog_limit,
                    "kernel audit backlog above half its limit"
                );
                self.metric(
                    "backlog-high",
                    "kernel",
                    &[
                        ("backlog", Value::Count(u64::from(backlog))),
                        ("backlog_limit", Value::Count(u64::from(backlog_limit))),
                    ],
                );
            } else if self.backlog_high && pct < BACKLOG_LOW_PERCENT {
                self.backlog_high = false;
            }
        }
    }

    /// Timeouts, pending loss reports, flushes and periodic stats.
    pub fn tick(&mut self, now_ms: u64) {
        self.reasm.tick(now_ms, &mut self.pending);
        self.drain();
        self.report_deltas();
        for i in 0..self.sinks.len() {
            self.sinks[i].maybe_flush(now_ms);
            self.report_resumed(i);
        }
        if self.stats_interval_ms > 0
            && now_ms.saturating_sub(self.last_stats_ms) >= self.stats_interval_ms
        {
            self.last_stats_ms = now_ms;
            self.emit_stats();
        }
    }

    /// SIGHUP: reopens every output (buffered events go to the old file
    /// first).
    pub fn reopen(&mut self, now_ms: u64) {
        for i in 0..self.sinks.len() {
            if let Err(e) = self.sinks[i].reopen(now_ms) {
                tracing::error!(error = %e, "reopen failed; writing on to the old file");
            }
            self.report_resumed(i);
        }
    }

    /// SIGUSR1: rotates every file output now.
    pub fn rotate(&mut self, now_ms: u64) {
        for i in 0..self.sinks.len() {
            if let Err(e) = self.sinks[i].rotate(now_ms) {
                tracing::error!(error = %e, "rotation failed");
            }
            self.report_resumed(i);
        }
    }

    /// Shutdown: emits every event still in flight (marked incomplete),
    /// reports pending losses and the final stats, flushes every output.
    pub fn finish(&mut self, now_ms: u64) -> Counters {
        self.reasm.flush(&mut self.pending);
        self.drain();
        self.report_deltas();
        self.emit_stats();
        for i in 0..self.sinks.len() {
            self.sinks[i].flush(now_ms);
            if self.sinks[i].take_resumed().is_some() {
                // Too late to report in this output; the stats line has it.
            }
        }
        self.counters()
    }

    fn emit_stats(&mut self) {
        let c = self.counters();
        tracing::info!(target: "auditrs::stats", "{c}");
        self.metric("stats", "stats", &stats_values(&c));
    }

    fn drain(&mut self) {
        let Some(j) = self.json else {
            self.pending.clear();
            return;
        };
        for o in self.pending.drain(..) {
            match &o {
                Output::Event(e) => {
                    self.counters.events += 1;
                    if matches!(
                        e.completion(),
                        Completion::Timeout | Completion::Evicted | Completion::Flushed
                    ) {
                        self.counters.incomplete += 1;
                    }
                }
                Output::Lost {
                    count,
                    after_serial,
                    ..
                } => {
                    self.counters.serial_lost += u64::from(*count);
                    tracing::warn!(
                        count,
                        after_serial,
                        "serials missing from the event stream (events lost)"
                    );
                }
                Output::Late { .. } => self.counters.late += 1,
            }
            let ctx = self
                .ctx
                .as_deref_mut()
                .map(|c| c as &mut dyn ProcessContext);
            let sink = &mut self.sinks[j];
            self.ser.write_output(&o, ctx, sink.buffer());
            sink.commit(1);
        }
    }

    fn report_deltas(&mut self) {
        if self.counters.enobufs > self.reported_enobufs {
            let delta = self.counters.enobufs - self.reported_enobufs;
            self.reported_enobufs = self.counters.enobufs;
            tracing::warn!(
                delta,
                total = self.counters.enobufs,
                "ENOBUFS: the event socket's receive buffer overflowed"
            );
            let total = self.counters.enobufs;
            self.metric(
                "receive-overrun",
                "receive",
                &[
                    ("enobufs_delta", Value::Count(delta)),
                    ("enobufs", Value::Count(total)),
                ],
            );
        }
        if self.counters.queue_dropped > self.reported_queue {
            let delta = self.counters.queue_dropped - self.reported_queue;
            self.reported_queue = self.counters.queue_dropped;
            tracing::warn!(
                delta,
                total = self.counters.queue_dropped,
                "records dropped: the reader->writer queue was full"
            );
            let total = self.counters.queue_dropped;
            self.metric(
                "queue-dropped",
                "queue",
                &[
                    ("dropped_delta", Value::Count(delta)),
                    ("dropped", Value::Count(total)),
                ],
            );
        }
    }

    fn report_resumed(&mut self, i: usize) {
        let Some(r) = self.sinks[i].take_resumed() else {
            return;
        };
        let name = self.sinks[i].name();
        tracing::warn!(output = %name, dropped_events = r.dropped_events, write_errors = r.write_errors, last_error = %r.last_error, "output recovered after write failures");
        self.metric(
            "output-dropped",
            "output",
            &[
                ("file", Value::Text(name.as_bytes())),
                ("dropped_events", Value::Count(r.dropped_events)),
                ("dropped_bytes", Value::Count(r.dropped_bytes)),
                ("write_errors", Value::Count(r.write_errors)),
                ("last_error", Value::Text(r.last_error.as_bytes())),
            ],
        );
    }

    fn metric(&mut self, action: &str, group: &str, values: &[(&str, Value<'_>)]) {
        let Some(j) = self.json else { return };
        let sink = &mut self.sinks[j];
        write_metric(
            sink.buffer(),
            wall_now(),
            self.host.as_deref(),
            action,
            group,
            values,
        );
        sink.commit(1);
    }
}

/// Appends one auditd RAW log line: `type=NAME msg=PAYLOAD\n` (trailing
/// NULs and newlines of the payload dropped; a name unknown to the tables
/// is written `UNKNOWN[N]` as auditd does).
pub fn write_raw_line(out: &mut Vec<u8>, msg_type: u16, payload: &[u8]) {
    let mut end = payload.len();
    while end > 0 && matches!(payload[end - 1], 0 | b'\n') {
        end -= 1;
    }
    out.extend_from_slice(b"type=");
    match audit_tables::msgtype::name(msg_type) {
        Some(n) => out.extend_from_slice(n.as_bytes()),
        None => {
            out.extend_from_slice(b"UNKNOWN[");
            out.extend_from_slice(msg_type.to_string().as_bytes());
            out.push(b']');
        }
    }
    out.extend_from_slice(b" msg=");
    // An embedded newline would split the line: auditd writes the payload
    // as is, so a kernel record never holds one; replace defensively.
    let start = out.len();
    out.extend_from_slice(&payload[..end]);
    for b in &mut out[start..] {
        if *b == b'\n' {
            *b = b' ';
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
