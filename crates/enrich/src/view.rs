//! Writes the table's view of a process ([`ViewRef`], borrowed from the
//! table: nothing copied) into the event's open `process` object with the
//! ECS serializer's [`JsonWriter`], so that bytes follow the ECS convention
//! (valid UTF-8 as is; otherwise U+FFFD in the string and the exact bytes
//! under `auditd.non_utf8`), without a serde round trip. [`ProcessMemo`]
//! keeps the entity ids, start times and id objects of recently written
//! processes (leaders and parents recur in many events), and the rendered
//! own members of relatives, reused until the entry's
//! [`ProcessRef::revision`] changes.

use audit_ecs::JsonWriter;
use sessiondb::{
    Creds, EntryMetaRef, LinkRef, LinkTarget, ProcessRef, RelatedRef, Time, ViewRef, RFC3339_LEN,
};

use crate::event::WrittenBySerializer;

fn time_field(w: &mut JsonWriter<'_>, key: &str, t: Time) {
    let mut buf = [0u8; RFC3339_LEN];
    w.str_field(key, t.write_rfc3339(&mut buf));
}

/// Length of `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
/// Entity ids and RFC 3339 start times of recently written processes
/// (leaders and parents recur in many events). Both are functions of the
/// process's pid and start time alone, the slot's key, so a slot never
/// goes stale; a miss overwrites the slot.
#[derive(Debug)]
pub struct ProcessMemo {
    slots: Vec<MemoSlot>,
    /// Scratch buffers: a relative's object, a rendering, a member run.
    object: Vec<u8>,
    render: Vec<u8>,
    args: Vec<u8>,
}

#[derive(Debug, Default)]
struct MemoSlot {
    key: Option<(u32, Time)>,
    /// `entity_id` as a JSON string, quotes included (base64: nothing to
    /// escape).
    entity_id: Vec<u8>,
    /// `start` as a JSON string, quotes included.
    start: [u8; RFC3339_LEN + 2],
    /// `entity_id`'s value, then `,"start":` and `start`'s (a member run,
    /// see `raw_members`).
    identity_run: Vec<u8>,
    /// The ids of `creds_json`: the value of `user`, then the members
    /// `real_user`, `saved_user`, `group`, `real_group`, `saved_group`
    /// (`{"id":"N"},"real_user":{"id":"N"},…`: a member run).
    creds: Option<Creds>,
    creds_json: Vec<u8>,
    /// The process's own members as a relative (`pid` ... `supplemental_groups`,
    /// without braces), rendered at `fields_revision` (0: none); `None`
    /// when they are not plain UTF-8 (the writer must record those bytes
    /// under `auditd.non_utf8` with their path: no copy then).
    fields_revision: u64,
    fields_json: Option<Vec<u8>>,
}

impl MemoSlot {
    /// The six id members of `c` (after the key `user`), rendered once per
    /// slot and creds.
    fn creds_json(&mut self, c: Creds) -> &[u8] {
        if self.creds != Some(c) {
            self.creds_json.clear();
            for (key, n) in [
                ("", c.euid),
                ("real_user", c.uid),
                ("saved_user", c.suid),
                ("group", c.egid),
                ("real_group", c.gid),
                ("saved_group", c.sgid),
            ] {
                if !key.is_empty() {
                    raw_key(&mut self.creds_json, key);
                }
                self.creds_json.extend_from_slice(b"{\"id\":\"");
                push_decimal(&mut self.creds_json, n);
                self.creds_json.extend_from_slice(b"\"}");
            }
            self.creds = Some(c);
        }
        &self.creds_json
    }
}

fn push_decimal(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut v = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Slots in a [`ProcessMemo`] (a power of two).
const MEMO_SLOTS: usize = 256;

/// A relative's rendering longer than this (long arguments) is not kept
/// (written member by member each time): the memo stays under
/// `MEMO_SLOTS` x 4 KiB of renderings.
const MAX_KEPT_FIELDS: usize = 4096;

impl Default for ProcessMemo {
    fn default() -> Self {
        ProcessMemo {
            slots: (0..MEMO_SLOTS).map(|_| MemoSlot::default()).collect(),
            object: Vec::new(),
            render: Vec::new(),
            args: Vec::new(),
        }
    }
}

impl ProcessMemo {
    /// The slot of `p`, filled.
    fn of(&mut self, p: &ProcessRef<'_>) -> &mut MemoSlot {
        let (pid, start) = p.identity();
        let h =
            (u64::from(pid) ^ start.as_nanos().rotate_left(17)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.slots[(h >> 56) as usize & (MEMO_SLOTS - 1)];
        if slot.key != Some((pid, start)) {
            p.write_entity_id(&mut slot.entity_id);
            slot.entity_id.insert(0, b'"');
            slot.entity_id.push(b'"');
            let mut t = [0u8; RFC3339_LEN];
            slot.start[0] = b'"';
            slot.start[1..=RFC3339_LEN].copy_from_slice(start.write_rfc3339(&mut t));
            slot.start[RFC3339_LEN + 1] = b'"';
            slot.identity_run.clear();
            slot.identity_run.extend_from_slice(&slot.entity_id);
            raw_key(&mut slot.identity_run, "start");
            slot.identity_run.extend_from_slice(&slot.start);
            slot.key = Some((pid, start));
        }
        slot
    }
}

/// Appends the own members of `p` as a relative (what `fields` writes
/// with `pid` and nothing skipped) to `out`, from the memo when `p` has not
/// changed since they were rendered. `false` (nothing appended) when they
/// hold bytes that are not UTF-8 (the writer must note them with their
/// path), or when a rendering longer than `MAX_KEPT_FIELDS` was not kept:
/// the caller then writes them member by member.
fn relative_fields(out: &mut Vec<u8>, p: &ProcessRef<'_>, memo: &mut ProcessMemo) -> bool {
    let revision = p.revision();
    let slot = memo.of(p);
    if slot.fields_revision == revision {
        return match &slot.fields_json {
            Some(json) => {
                out.extend_from_slice(json);
                true
            }
            None => false,
        };
    }
    let mut buf = std::mem::take(&mut memo.render);
    buf.clear();
    let mut w = JsonWriter::new(&mut buf);
    fields(&mut w, p, WrittenBySerializer::default(), true, memo);
    let plain = w.finish().is_empty();
    let members = &buf[1..buf.len() - 1];
    let slot = memo.of(p);
    slot.fields_revision = revision;
    match (
        &mut slot.fields_json,
        plain && members.len() <= MAX_KEPT_FIELDS,
    ) {
        (_, false) => slot.fields_json = None,
        (Some(json), true) => {
            json.clear();
            json.extend_from_slice(members);
        }
        (None, true) => slot.fields_json = Some(members.to_vec()),
    }
    if plain {
        out.extend_from_slice(members);
    }
    if buf.capacity() > 4 * MAX_KEPT_FIELDS {
        // Long arguments: do not keep their size around.
        buf = Vec::new();
    }
    memo.render = buf;
    plain
}

/// Appends `,"key":` to `out`.
fn raw_key(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Appends `"pid":N` and the identity members of `t` (as
/// `target_members` writes them) to `out`.
fn raw_target(out: &mut Vec<u8>, t: &LinkTarget<'_>, memo: &mut ProcessMemo) {
    out.extend_from_slice(b"\"pid\":");
    push_decimal(out, t.pid);
    if let Some(p) = &t.process {
        let exact = p.start().is_some();
        let slot = memo.of(p);
        raw_key(out, "entity_id");
        out.extend_from_slice(if exact {
            &slot.identity_run
        } else {
            &slot.entity_id
        });
    }
}

/// Appends `,"key":{…}` of a link (as `link` writes it) to `out`.
fn raw_link(out: &mut Vec<u8>, key: &str, l: &LinkRef<'_>, memo: &mut ProcessMemo) {
    raw_key(out, key);
    out.push(b'{');
    raw_target(out, &l.target, memo);
    if let Some(s) = &l.session_leader {
        raw_key(out, "session_leader");
        out.push(b'{');
        raw_target(out, s, memo);
        out.push(b'}');
    }
    out.push(b'}');
}

/// A relative with an entry, as one object appended to `out`: its own
/// members from the memo, then the members that depend on the event.
/// `false` when something is not plain UTF-8 (`out` is then left as it
/// was; the caller writes the relative member by member).
fn relative_object(
    out: &mut Vec<u8>,
    p: &ProcessRef<'_>,
    r: &RelatedRef<'_>,
    memo: &mut ProcessMemo,
) -> bool {
    let start = out.len();
    out.push(b'{');
    if !relative_fields(out, p, memo) {
        out.truncate(start);
        return false;
    }
    if let Some(s) = r.same_as_process {
        raw_key(out, "same_as_process");
        out.extend_from_slice(if s { b"true" } else { b"false" });
    }
    if let Some(m) = &r.entry_meta {
        raw_key(out, "entry_meta");
        out.extend_from_slice(b"{\"type\":\"");
        out.extend_from_slice(m.entry_type.as_str().as_bytes());
        out.push(b'"');
        if let Some(ip) = m.source_ip {
            raw_key(out, "source");
            out.extend_from_slice(b"{\"ip\":");
            if !audit_ecs::json::write_string(out, ip) {
                out.truncate(start);
                return false;
            }
            out.push(b'}');
        }
        out.push(b'}');
    }
    if let Some(l) = &r.parent {
        raw_link(out, "parent", l, memo);
    }
    if let Some(l) = &r.group_leader {
        raw_link(out, "group_leader", l, memo);
    }
    out.push(b'}');
    true
}

/// `entity_id` and (when exact) `start` of `p`.
fn identity_fields(w: &mut JsonWriter<'_>, p: &ProcessRef<'_>, memo: &mut ProcessMemo) {
    let exact = p.start().is_some();
    let slot = memo.of(p);
    if exact {
        raw_members(w, "entity_id", &slot.identity_run);
    } else {
        w.raw_field("entity_id", &slot.entity_id);
    }
}

/// Writes a run of members: `key`, its value, and the members that follow
/// it in `run` (`V,"k2":V2,…`, plain JSON text made here), in one copy.
pub(crate) fn raw_members(w: &mut JsonWriter<'_>, key: &str, run: &[u8]) {
    w.raw_field_run(key, run);
}

fn args_fields(w: &mut JsonWriter<'_>, args: Option<&[Vec<u8>]>, scratch: &mut Vec<u8>) {
    if let Some(args) = args {
        // Plain UTF-8 (nearly always): `args` and `args_count` as one run.
        scratch.clear();
        scratch.push(b'[');
        let mut plain = true;
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                scratch.push(b',');
            }
            if !audit_ecs::json::write_string(scratch, a) {
                plain = false;
                break;
            }
        }
        if plain {
            scratch.extend_from_slice(b"],\"args_count\":");
            push_decimal(scratch, u32::try_from(args.len()).unwrap_or(u32::MAX));
            raw_members(w, "args", scratch);
            if scratch.capacity() > 1 << 16 {
                // Long arguments: do not keep their size around.
                *scratch = Vec::new();
            }
            return;
        }
        // Else element by element: the writer notes the non-UTF-8 ones
        // with their path.
        w.begin_array("args");
        for a in args {
            w.item_str(a);
        }
        w.end();
        w.u64_field("args_count", args.len() as u64);
    }
}

/// Writes a process's own fields, leaving out those in `skip`.
fn fields(
    w: &mut JsonWriter<'_>,
    p: &ProcessRef<'_>,
    skip: WrittenBySerializer,
    pid: bool,
    memo: &mut ProcessMemo,
) {
    if pid {
        w.u64_field("pid", u64::from(p.pid()));
    }
    identity_fields(w, p, memo);
    if let (n, false) = (p.name(), skip.name) {
        if !n.is_empty() {
            w.str_field("name", n);
        }
    }
    if let (x, false) = (p.executable(), skip.executable) {
        if !x.is_empty() {
            w.str_field("executable", x);
        }
    }
    if !skip.args {
        args_fields(w, p.args(), &mut memo.args);
    }
    if let (Some(d), false) = (p.working_directory(), skip.working_directory) {
        w.str_field("working_directory", d);
    }
    w.bool_field("interactive", p.interactive());
    if let Some(t) = p.tty() {
        let run = &mut memo.args;
        run.clear();
        run.extend_from_slice(b"{\"char_device\":{\"major\":");
        push_decimal(run, t.major);
        run.extend_from_slice(b",\"minor\":");
        push_decimal(run, t.minor);
        run.extend_from_slice(b"}}");
        w.raw_field("tty", run);
    }
    if let Some(c) = p.creds() {
        raw_members(w, "user", memo.of(p).creds_json(c));
    }
    if let Some(g) = p.groups() {
        w.begin_array("supplemental_groups");
        for &id in g {
            w.item_begin_object();
            w.u64_str_field("id", u64::from(id));
            w.end();
        }
        w.end();
    }
}

fn target_members(w: &mut JsonWriter<'_>, t: &LinkTarget<'_>, memo: &mut ProcessMemo) {
    w.u64_field("pid", u64::from(t.pid));
    if let Some(p) = &t.process {
        identity_fields(w, p, memo);
    }
}

fn link(w: &mut JsonWriter<'_>, key: &str, l: &LinkRef<'_>, memo: &mut ProcessMemo) {
    w.begin_object(key);
    target_members(w, &l.target, memo);
    if let Some(s) = &l.session_leader {
        w.begin_object("session_leader");
        target_members(w, s, memo);
        w.end();
    }
    w.end();
}

fn entry_meta(w: &mut JsonWriter<'_>, m: &EntryMetaRef<'_>) {
    w.begin_object("entry_meta");
    w.str_field("type", m.entry_type.as_str().as_bytes());
    if let Some(ip) = m.source_ip {
        w.begin_object("source");
        w.str_field("ip", ip);
        w.end();
    }
    w.end();
}

fn related(w: &mut JsonWriter<'_>, key: &str, r: &RelatedRef<'_>, memo: &mut ProcessMemo) {
    if let Some(p) = &r.target.process {
        let mut object = std::mem::take(&mut memo.object);
        object.clear();
        let done = relative_object(&mut object, p, r, memo);
        if done {
            w.raw_field(key, &object);
        }
        memo.object = object;
        if done {
            return;
        }
    }
    w.begin_object(key);
    match &r.target.process {
        Some(p) => fields(w, p, WrittenBySerializer::default(), true, memo),
        None => w.u64_field("pid", u64::from(r.target.pid)),
    }
    if let Some(s) = r.same_as_process {
        w.bool_field("same_as_process", s);
    }
    if let Some(m) = &r.entry_meta {
        entry_meta(w, m);
    }
    if let Some(p) = &r.parent {
        link(w, "parent", p, memo);
    }
    if let Some(g) = &r.group_leader {
        link(w, "group_leader", g, memo);
    }
    w.end();
}

fn previous(w: &mut JsonWriter<'_>, view: &ViewRef<'_>, memo: &mut ProcessMemo) {
    let mut images = view.previous();
    if images.len() == 0 {
        return;
    }
    w.begin_array("previous");
    for i in &mut images {
        w.item_begin_object();
        w.str_field("executable", i.executable);
        args_fields(w, i.args, &mut memo.args);
        w.end();
    }
    w.end();
}

/// Writes `view` as members of the open `process` object: everything
/// except `pid` and the members the serializer already wrote (`skip`).
/// `parent` is written when `write_parent` (the serializer then left it
/// out); if the table has no parent, `fallback_ppid` is written as
/// `parent.pid`. `memo` keeps entity ids and start times across calls.
pub fn write_view(
    w: &mut JsonWriter<'_>,
    view: &ViewRef<'_>,
    skip: WrittenBySerializer,
    write_parent: bool,
    fallback_ppid: Option<u32>,
    memo: &mut ProcessMemo,
) {
    fields(w, &view.process, skip, false, memo);
    if let Some(t) = view.end {
        time_field(w, "end", t);
    }
    if let (Some(c), false) = (view.exit_code, skip.exit_code) {
        w.i64_field("exit_code", i64::from(c));
    }
    if write_parent {
        match (&view.parent, fallback_ppid) {
            (Some(p), _) => related(w, "parent", p, memo),
            (None, Some(pp)) => {
                w.begin_object("parent");
                w.u64_field("pid", u64::from(pp));
                w.end();
            }
            (None, None) => {}
        }
    }
    for (key, r) in [
        ("group_leader", &view.group_leader),
        ("session_leader", &view.session_leader),
        ("entry_leader", &view.entry_leader),
    ] {
        if let Some(r) = r {
            related(w, key, r, memo);
        }
    }
    previous(w, view, memo);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn creds_json_is_the_id_objects(ids in proptest::array::uniform8(any::<u32>())) {
            let c = Creds {
                uid: ids[0], euid: ids[1], suid: ids[2], fsuid: ids[3],
                gid: ids[4], egid: ids[5], sgid: ids[6], fsgid: ids[7],
            };
            let mut slot = MemoSlot::default();
            for _ in 0..2 {
                let json = slot.creds_json(c);
                let want = format!(
                    "{{\"id\":\"{}\"}},\"real_user\":{{\"id\":\"{}\"}},\"saved_user\":{{\"id\":\"{}\"}},\"group\":{{\"id\":\"{}\"}},\"real_group\":{{\"id\":\"{}\"}},\"saved_group\":{{\"id\":\"{}\"}}",
                    c.euid, c.uid, c.suid, c.egid, c.gid, c.sgid
                );
                prop_assert_eq!(json, want.as_bytes());
            }
        }
    }

    #[test]
    fn rfc3339_known_points() {
        let mut buf = [0u8; RFC3339_LEN];
        for (t, want) in [
            (Time(0), "1970-01-01T00:00:00.000000000Z"),
            (
                Time::from_audit(1_795_396_402, 834),
                "2026-11-23T01:13:22.834000000Z",
            ),
            (
                Time::from_secs(951_782_400),
                "2000-02-29T00:00:00.000000000Z",
            ),
            (Time(u64::MAX), "2554-07-21T23:34:33.709551615Z"),
        ] {
            assert_eq!(t.write_rfc3339(&mut buf), want.as_bytes());
        }
    }
}
