//! Metric events for what the reassembler reports besides events: lost
//! serials and late records. Shapes are documented in the crate README.

use audit_reassembler::{Output, Record};

use crate::ids::NameResolver;
use crate::json::JsonWriter;
use crate::serialize::{type_name, ProcessContext, Serializer, ECS_VERSION};

impl<N: NameResolver> Serializer<N> {
    fn metric_head(
        &mut self,
        w: &mut JsonWriter<'_>,
        time: (u64, u32),
        action: &[u8],
        node: Option<&[u8]>,
        original: Option<&[u8]>,
    ) {
        self.scratch.clear();
        self.ts.push(&mut self.scratch, time.0, time.1);
        w.str_field("@timestamp", &self.scratch);
        w.begin_object("event");
        w.str_field("kind", b"metric");
        w.str_field("module", b"auditd");
        w.str_field("action", action);
        if let Some(o) = original {
            w.str_field("original", o);
        }
        w.end();
        let host = node.or(self.config.host_name.as_deref().map(str::as_bytes));
        if let Some(h) = host {
            w.begin_object("host");
            w.str_field("name", h);
            w.end();
        }
        w.begin_object("ecs");
        w.str_field("version", ECS_VERSION.as_bytes());
        w.end();
    }

    /// Appends an `events-lost` metric line: `count` serials after
    /// `after_serial` never arrived. Timed at the last event written.
    pub fn write_lost(
        &mut self,
        node: Option<&[u8]>,
        count: u32,
        after_serial: u32,
        out: &mut Vec<u8>,
    ) {
        let mut w = JsonWriter::new(out);
        let time = self.last_time;
        self.metric_head(&mut w, time, b"events-lost", node, None);
        w.begin_object("auditd");
        w.begin_object("lost");
        w.u64_field("count", u64::from(count));
        w.u64_field("after_sequence", u64::from(after_serial));
        w.u64_field("first_sequence", u64::from(after_serial.wrapping_add(1)));
        w.u64_field("last_sequence", u64::from(after_serial.wrapping_add(count)));
        w.end();
        w.end();
        w.finish();
        out.push(b'\n');
    }

    /// Appends a `late-record` metric line for a record whose event was
    /// already emitted (the record itself is kept as `event.original`).
    pub fn write_late(&mut self, record: &Record, out: &mut Vec<u8>) {
        let mut line = Vec::new();
        record.write_log_line(&mut line);
        let mut w = JsonWriter::new(out);
        let ts = record.timestamp();
        self.metric_head(
            &mut w,
            (ts.sec, ts.msec),
            b"late-record",
            record.node(),
            Some(&line),
        );
        w.begin_object("auditd");
        w.begin_object("late");
        w.u64_field("sequence", u64::from(record.serial()));
        let name = type_name(record).to_ascii_lowercase();
        w.str_field("message_type", &name);
        w.end();
        w.end();
        w.finish();
        out.push(b'\n');
    }

    /// Appends the JSON line for any reassembler output.
    pub fn write_output(
        &mut self,
        o: &Output,
        ctx: Option<&mut dyn ProcessContext>,
        out: &mut Vec<u8>,
    ) {
        match o {
            Output::Event(e) => self.write(e, ctx, out),
            Output::Lost {
                node,
                count,
                after_serial,
            } => self.write_lost(node.as_deref(), *count, *after_serial, out),
            Output::Late { record } => self.write_late(record, out),
        }
    }
}
