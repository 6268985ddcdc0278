//! Daemon counters and the in-stream metric events that report them.
//!
//! Every loss the daemon can see has a counter here and a metric event
//! (`event.kind: "metric"`) in the JSON output; the shapes are documented
//! in `crates/daemon/README.md`.

use std::time::{SystemTime, UNIX_EPOCH};

use audit_ecs::json::JsonWriter;
use audit_ecs::timestamp::push_rfc3339;
use audit_ecs::ECS_VERSION;

/// Counters since the daemon started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Records received from the kernel and processed.
    pub records: u64,
    /// Events written (JSON output).
    pub events: u64,
    /// Events closed without end marker (timeout, eviction, shutdown).
    pub incomplete: u64,
    /// Records that did not parse (skipped, logged).
    pub parse_errors: u64,
    /// Increase of the kernel's `lost` counter seen while running.
    pub kernel_lost: u64,
    /// The kernel's `lost` counter at the last poll.
    pub kernel_lost_total: u32,
    /// The kernel's backlog at the last poll.
    pub kernel_backlog: u32,
    /// `ENOBUFS` on the event socket (receive buffer overruns).
    pub enobufs: u64,
    /// Serials never seen (gaps in the event sequence).
    pub serial_lost: u64,
    /// Records that arrived after their event was written.
    pub late: u64,
    /// Records dropped because the reader->writer queue was full.
    pub queue_dropped: u64,
    /// Failed output writes (all outputs).
    pub write_errors: u64,
    /// Events (lines) dropped by outputs that could not write.
    pub output_dropped: u64,
}

impl Counters {
    /// Every loss counter, summed: 0 means nothing was dropped anywhere.
    pub fn drops(&self) -> u64 {
        self.kernel_lost
            + self.enobufs
            + self.serial_lost
            + self.queue_dropped
            + self.output_dropped
    }
}

impl std::fmt::Display for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "records={} events={} incomplete={} parse_errors={} kernel_lost={} backlog={} enobufs={} serial_lost={} late={} queue_dropped={} write_errors={} output_dropped={}",
            self.records,
            self.events,
            self.incomplete,
            self.parse_errors,
            self.kernel_lost,
            self.kernel_backlog,
            self.enobufs,
            self.serial_lost,
            self.late,
            self.queue_dropped,
            self.write_errors,
            self.output_dropped
        )
    }
}

/// One value of a metric event.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// A count.
    Count(u64),
    /// A text.
    Text(&'a [u8]),
}

/// Wall-clock time now as (seconds, milliseconds).
pub fn wall_now() -> (u64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs(), d.subsec_millis())
}

/// Appends one metric event line:
/// `{"@timestamp":..,"event":{"kind":"metric","module":"auditd",
/// "dataset":"auditrs.daemon","action":ACTION},"auditrs":{GROUP:{..}},
/// "host":{"name":..},"ecs":{"version":..}}`.
pub fn write_metric(
    out: &mut Vec<u8>,
    time: (u64, u32),
    host: Option<&str>,
    action: &str,
    group: &str,
    values: &[(&str, Value<'_>)],
) {
    let mut ts = Vec::with_capacity(32);
    push_rfc3339(&mut ts, time.0, time.1);
    let mut w = JsonWriter::new(out);
    w.str_field("@timestamp", &ts);
    w.begin_object("event");
    w.str_field("kind", b"metric");
    w.str_field("module", b"auditd");
    w.str_field("dataset", b"auditrs.daemon");
    w.str_field("action", action.as_bytes());
    w.end();
    w.begin_object("auditrs");
    w.begin_object(group);
    for (k, v) in values {
        match v {
            Value::Count(n) => w.u64_field(k, *n),
            Value::Text(t) => w.str_field(k, t),
        }
    }
    w.end();
    w.end();
    if let Some(h) = host {
        w.begin_object("host");
        w.str_field("name", h.as_bytes());
        w.end();
    }
    w.begin_object("ecs");
    w.str_field("version", ECS_VERSION.as_bytes());
    w.end();
    w.finish();
    out.push(b'\n');
}

/// The `stats` metric values of `c`.
pub fn stats_values(c: &Counters) -> Vec<(&'static str, Value<'static>)> {
    vec![
        ("records", Value::Count(c.records)),
        ("events", Value::Count(c.events)),
        ("incomplete", Value::Count(c.incomplete)),
        ("parse_errors", Value::Count(c.parse_errors)),
        ("kernel_lost", Value::Count(c.kernel_lost)),
        ("kernel_backlog", Value::Count(u64::from(c.kernel_backlog))),
        ("enobufs", Value::Count(c.enobufs)),
        ("serial_lost", Value::Count(c.serial_lost)),
        ("late", Value::Count(c.late)),
        ("queue_dropped", Value::Count(c.queue_dropped)),
        ("write_errors", Value::Count(c.write_errors)),
        ("output_dropped", Value::Count(c.output_dropped)),
        ("drops", Value::Count(c.drops())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_line_is_one_json_object() {
        let mut out = Vec::new();
        write_metric(
            &mut out,
            (1_700_000_000, 5),
            Some("h\"1"),
            "kernel-lost",
            "kernel",
            &[("lost", Value::Count(3)), ("note", Value::Text(b"a\nb"))],
        );
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["event"]["kind"], "metric");
        assert_eq!(v["event"]["action"], "kernel-lost");
        assert_eq!(v["auditrs"]["kernel"]["lost"], 3);
        assert_eq!(v["auditrs"]["kernel"]["note"], "a\nb");
        assert_eq!(v["host"]["name"], "h\"1");
        assert_eq!(v["@timestamp"], "2023-11-14T22:13:20.005Z");
    }

    #[test]
    fn drops_sum_every_loss() {
        let c = Counters {
            kernel_lost: 1,
            enobufs: 2,
            serial_lost: 3,
            queue_dropped: 4,
            output_dropped: 5,
            records: 100,
            ..Default::default()
        };
        assert_eq!(c.drops(), 15);
        assert!(c.to_string().contains("queue_dropped=4"));
    }
}
