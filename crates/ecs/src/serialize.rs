//! The ECS JSON serializer: one event's records -> one JSON object.

use std::borrow::Cow;

use audit_reassembler::{Completion, Event, Record};

use crate::encoding::split_keys;
use crate::ids::{Id, NameResolver};
use crate::json::{push_hex, JsonWriter};
use crate::normalize::{
    for_record_type, for_syscall, Norm, APPARMOR_AVC, RECORD_DEFAULT, SYSCALL_DEFAULT,
};
use crate::object::write_paths;
use crate::timestamp::TimestampCache;
use crate::view::{types, EventView, Val, ViewScratch};

/// The ECS version written in `ecs.version`.
pub const ECS_VERSION: &str = "8.11.0";

/// The `ecs` object, written as one copy (a test checks it against
/// [`ECS_VERSION`]).
const ECS_OBJECT: &str = r#"{"version":"8.11.0"}"#;

/// Serializer settings.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `host.name` when the records carry no `node=` (None: omitted).
    pub host_name: Option<String>,
    /// Write the raw records (RAW log form) as `event.original` (an array).
    pub include_original: bool,
}

/// Facts about the acting process, handed to a [`ProcessContext`].
#[derive(Debug, Clone, Copy)]
pub struct ProcessFacts<'a> {
    /// Event time, seconds and milliseconds.
    pub timestamp: (u64, u32),
    /// Event serial.
    pub serial: u32,
    /// `pid`.
    pub pid: Option<u32>,
    /// `ppid`.
    pub ppid: Option<u32>,
    /// `auid` (None when unset).
    pub auid: Option<u32>,
    /// `ses` (None when unset).
    pub session: Option<u32>,
    /// Syscall name, if a SYSCALL record is present.
    pub syscall: Option<&'a str>,
    /// Syscall success, if known.
    pub success: Option<bool>,
    /// The records of the event.
    pub records: &'a [Record],
    /// The serializer's view of `records`, so that a hook need not build
    /// its own (`None`: build it with [`EventView::new`]).
    pub view: Option<&'a EventView<'a>>,
}

/// A hook that writes extra members into the `process` object (the session
/// database adds `parent`, `group_leader`, `session_leader`, `entry_leader`).
///
/// Called once per event, while `process` is open: write members with
/// `w.str_field(...)`, `w.begin_object("parent")` ... `w.end()`. The writer
/// handles commas. Members must not repeat ones the serializer writes
/// (`pid`, `parent.pid`...): when writing `parent`, the serializer does not
/// write its own `parent` if [`ProcessContext::writes_parent`] says so.
pub trait ProcessContext {
    /// Writes extra `process.*` members.
    fn write_process(&mut self, facts: &ProcessFacts<'_>, w: &mut JsonWriter<'_>);
    /// Whether [`ProcessContext::write_process`] writes the whole `parent`
    /// object for these facts (then the serializer's `parent.pid` is left out).
    fn writes_parent(&self, _facts: &ProcessFacts<'_>) -> bool {
        false
    }
    /// Whether [`ProcessContext::write_host`] writes `host.*` members (then
    /// `host` is written on every event).
    fn writes_host(&self) -> bool {
        false
    }
    /// Writes extra `host.*` members (the session database: `boot.id`,
    /// `pid_ns_ino`), called while `host` is open, before `process`.
    fn write_host(&mut self, _w: &mut JsonWriter<'_>) {}
}

/// Writes ECS JSON lines.
pub struct Serializer<N: NameResolver> {
    pub(crate) config: Config,
    pub(crate) names: N,
    pub(crate) ts: TimestampCache,
    pub(crate) scratch: Vec<u8>,
    /// Time of the last event written (for reports that carry no time).
    pub(crate) last_time: (u64, u32),
    /// Allocations reused by every event's [`EventView`].
    view_scratch: ViewScratch,
    /// The JSON writer's stack, reused by every event.
    levels: Vec<crate::json::Level>,
    /// The `id`/`name` members of the last user (0) and group (1) id
    /// written: ids repeat from event to event.
    id_memo: [IdMemo; 2],
    /// The last known type number (0: none) and its lowercase name.
    type_memo: (u16, Vec<u8>),
    /// The `event.category`/`event.type` members for the last static lists
    /// (own and extra, by address).
    category_memo: (Option<CategoryLists>, Vec<u8>),
}

/// The addresses and lengths of the static category/type lists of an
/// event (own and extra, for `category` and `type`).
type CategoryLists = [((usize, usize), (usize, usize)); 2];

/// The JSON members written for one id (see [`Serializer::write_id`]).
#[derive(Default)]
struct IdMemo {
    id: Option<u32>,
    text: Vec<u8>,
}

fn parse_u32(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    u32::try_from(v.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'))).ok()
}

fn parse_hex_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 16 {
        return None;
    }
    let mut n = 0u64;
    for &b in v {
        n = n << 4 | u64::from((b as char).to_digit(16)?);
    }
    Some(n)
}

pub(crate) fn id_of(v: Option<Val<'_>>) -> Option<Id> {
    v.and_then(|v| Id::parse(v.raw))
}

pub(crate) fn type_name(r: &Record) -> Cow<'_, [u8]> {
    if let Some(n) = audit_tables::msgtype::name(r.msg_type()).filter(|_| r.msg_type() != 0) {
        return Cow::Borrowed(n.as_bytes());
    }
    match r.type_name() {
        Some(n) => Cow::Borrowed(n),
        None => Cow::Owned(format!("UNKNOWN[{}]", r.msg_type()).into_bytes()),
    }
}

impl<N: NameResolver> Serializer<N> {
    /// A serializer with the given settings and name resolver.
    pub fn new(config: Config, names: N) -> Self {
        Serializer {
            config,
            names,
            ts: TimestampCache::default(),
            scratch: Vec::new(),
            last_time: (0, 0),
            view_scratch: ViewScratch::default(),
            levels: Vec::with_capacity(8),
            id_memo: Default::default(),
            type_memo: (0, Vec::new()),
            category_memo: (None, Vec::new()),
        }
    }

    /// The name resolver (e.g. to refresh it). Forgets the names kept for
    /// the last ids written.
    pub fn names_mut(&mut self) -> &mut N {
        self.id_memo = Default::default();
        &mut self.names
    }

    /// Writes `"id":"N"` and `"name"` when the id resolves, from the text
    /// kept for the last user (group) id written.
    fn write_id(&mut self, w: &mut JsonWriter<'_>, id: u32, group: bool) {
        let memo = &mut self.id_memo[usize::from(group)];
        if memo.id != Some(id) {
            let name = if group {
                self.names.group_name(id)
            } else {
                self.names.user_name(id)
            };
            memo.text.clear();
            memo.text.extend_from_slice(b"\"id\":\"");
            crate::json::push_u64(&mut memo.text, u64::from(id));
            memo.text.push(b'"');
            if let Some(n) = name {
                memo.text.extend_from_slice(b",\"name\":");
                // A `&str`: always valid UTF-8, nothing to report.
                crate::json::write_string(&mut memo.text, n.as_bytes());
            }
            memo.id = Some(id);
        }
        w.raw_members(&memo.text);
    }

    pub(crate) fn id_text(&self, id: Option<Id>, group: bool) -> Option<Cow<'_, [u8]>> {
        Some(match id? {
            Id::Unset => Cow::Borrowed(b"unset"),
            Id::Set(n) => {
                let name = if group {
                    self.names.group_name(n)
                } else {
                    self.names.user_name(n)
                };
                match name {
                    Some(s) => Cow::Borrowed(s.as_bytes()),
                    None => Cow::Owned(n.to_string().into_bytes()),
                }
            }
        })
    }

    /// Appends one JSON line (with `\n`) for a reassembled event.
    pub fn write(
        &mut self,
        event: &Event,
        ctx: Option<&mut dyn ProcessContext>,
        out: &mut Vec<u8>,
    ) {
        self.write_event(event.records(), event.completion(), ctx, out);
    }

    /// Appends one JSON line (with `\n`) for an event made of `records`
    /// (in arrival order). Nothing is written for an empty slice.
    /// `ctx` may add `process.*` members.
    pub fn write_event(
        &mut self,
        records: &[Record],
        closed: Completion,
        mut ctx: Option<&mut dyn ProcessContext>,
        out: &mut Vec<u8>,
    ) {
        let Some(first) = records.first() else {
            return;
        };
        let scratch = std::mem::take(&mut self.view_scratch);
        let mut v = EventView::build(records, first, scratch);
        let s = &v.subject;
        let ts = first.timestamp();
        self.last_time = self.last_time.max((ts.sec, ts.msec));

        // Arch and syscall.
        let arch = s
            .arch
            .and_then(|a| parse_hex_u64(a.raw))
            .and_then(|a| u32::try_from(a).ok());
        let arch_name = arch.and_then(audit_tables::arch_name);
        let big_endian = arch.is_some_and(|a| a & audit_tables::arch::AUDIT_ARCH_LE == 0);
        let sc_nr = s.syscall.and_then(|x| parse_u32(x.raw));
        let sc_name = match (arch, sc_nr) {
            (Some(a), Some(n)) => audit_tables::syscall::name_interpreted(a, n),
            _ => None,
        };
        let primary_type = type_name(v.primary);
        // The syscall's categorization, looked up once.
        let sc_norm = sc_name.map(for_syscall);
        let primary_is_syscall = v.primary.msg_type() == types::SYSCALL;
        let norm: Norm = if primary_is_syscall {
            sc_norm.unwrap_or(SYSCALL_DEFAULT)
        } else {
            let by_type = std::str::from_utf8(&primary_type)
                .ok()
                .and_then(for_record_type);
            match by_type {
                // AppArmor reports through AVC records too (they carry apparmor=).
                Some(n)
                    if n.action == "violated-selinux-policy"
                        && v.data.iter().any(|d| d.key == b"apparmor") =>
                {
                    APPARMOR_AVC
                }
                Some(n) => n,
                None => sc_norm.unwrap_or(RECORD_DEFAULT),
            }
        };

        // Result.
        let result: &str = match (s.success.map(|v| v.raw), s.res.map(|v| v.raw)) {
            (Some(b"yes"), _) => "success",
            (Some(b"no"), _) => "fail",
            (_, Some(b"success" | b"1" | b"yes")) => "success",
            (_, Some(b"failed" | b"0" | b"no" | b"fail")) => "fail",
            _ => "unknown",
        };

        let pid = s.pid.and_then(|x| parse_u32(x.raw));
        let ppid = s.ppid.and_then(|x| parse_u32(x.raw));
        let auid = id_of(s.auid);
        let ses = id_of(s.ses);

        let mut w = JsonWriter::new_with_stack(out, std::mem::take(&mut self.levels));
        // @timestamp
        // Digits and `-:T.Z` only: written as JSON text without a check.
        self.scratch.clear();
        self.scratch.push(b'"');
        self.ts.push(&mut self.scratch, ts.sec, ts.msec);
        self.scratch.push(b'"');
        w.raw_field("@timestamp", &self.scratch);

        // event
        w.begin_object_with("event", br#""kind":"event","module":"auditd""#);
        // A SYSCALL-named event's norm is the syscall's own: nothing extra.
        let extra = sc_norm.filter(|sn| !primary_is_syscall && *sn != norm);
        let lists = [
            (
                "category",
                norm.category,
                extra.map_or(&[][..], |n| n.category),
            ),
            ("type", norm.kind, extra.map_or(&[][..], |n| n.kind)),
        ];
        // The members are static lists: their text is kept for the last
        // lists seen (same addresses, same static contents).
        let at = |l: &[&str]| (l.as_ptr() as usize, l.len());
        let id = lists.map(|(_, own, more)| (at(own), at(more)));
        if self.category_memo.0 != Some(id) {
            let text = &mut self.category_memo.1;
            text.clear();
            for (key, own, more) in lists {
                if own.is_empty() && more.is_empty() {
                    continue;
                }
                if !text.is_empty() {
                    text.push(b',');
                }
                crate::json::write_string(text, key.as_bytes());
                text.extend_from_slice(b":[");
                let items = own.iter().chain(more.iter().filter(|c| !own.contains(c)));
                for (i, c) in items.enumerate() {
                    if i > 0 {
                        text.push(b',');
                    }
                    // A `&str`: always valid UTF-8, nothing to report.
                    crate::json::write_string(text, c.as_bytes());
                }
                text.push(b']');
            }
            self.category_memo.0 = Some(id);
        }
        if !self.category_memo.1.is_empty() {
            w.raw_members(&self.category_memo.1);
        }
        let action: &[u8] = if !norm.action.is_empty() {
            norm.action.as_bytes()
        } else if let Some(n) = sc_name.filter(|_| v.primary.msg_type() == types::SYSCALL) {
            n.as_bytes()
        } else {
            lower_static(&primary_type, &mut self.scratch)
        };
        w.str_field("action", action);
        w.str_field(
            "outcome",
            match result {
                "success" => b"success",
                "fail" => b"failure",
                _ => b"unknown",
            },
        );
        if self.config.include_original {
            w.begin_array("original");
            let mut line = Vec::new();
            for r in records {
                line.clear();
                r.write_log_line(&mut line);
                w.item_str(&line);
            }
            w.end();
        }
        w.end();

        // host, ecs
        let node = first.node();
        let ctx_host = ctx.as_ref().is_some_and(|c| c.writes_host());
        if node.is_some() || self.config.host_name.is_some() || arch_name.is_some() || ctx_host {
            w.begin_object("host");
            if let Some(n) = node {
                w.str_field("name", n);
            } else if let Some(h) = &self.config.host_name {
                w.str_field("name", h.as_bytes());
            }
            if let Some(a) = arch_name {
                w.str_field("architecture", a.as_bytes());
            }
            if let (Some(c), true) = (ctx.as_deref_mut(), ctx_host) {
                c.write_host(&mut w);
            }
            w.end();
        }
        w.raw_field("ecs", ECS_OBJECT.as_bytes());

        // tags: rule keys
        if let Some(k) = s.key.and_then(|k| k.untrusted()) {
            let mut keys = split_keys(&k).peekable();
            if keys.peek().is_some() {
                w.begin_array("tags");
                for key in keys {
                    w.item_str(key);
                }
                w.end();
            }
        }

        self.write_user(&mut w, &v, auid);

        // process
        let facts = ProcessFacts {
            timestamp: (ts.sec, ts.msec),
            serial: first.serial(),
            pid,
            ppid,
            auid: auid.and_then(Id::get),
            session: ses.and_then(Id::get),
            syscall: sc_name,
            success: match result {
                "success" => Some(true),
                "fail" => Some(false),
                _ => None,
            },
            records,
            view: Some(&v),
        };
        self.write_process(&mut w, &v, &facts, sc_name, ctx);

        // file, network
        let file = self.write_file(&mut w, &v, norm.object);
        let sock = self.write_socket(&mut w, &v, sc_name, big_endian);

        // auditd
        w.begin_object("auditd");
        // The lowercase type name, kept for the last type number.
        let mt = v.primary.msg_type();
        if mt == 0 || self.type_memo.0 != mt {
            self.type_memo.1.clear();
            self.type_memo
                .1
                .extend(primary_type.iter().map(u8::to_ascii_lowercase));
            self.type_memo.0 = mt;
        }
        w.str_field("message_type", &self.type_memo.1);
        w.u64_field("sequence", u64::from(first.serial()));
        w.str_field("result", result.as_bytes());
        match ses {
            Some(Id::Set(n)) => w.u64_str_field("session", u64::from(n)),
            Some(Id::Unset) => w.str_field("session", b"unset"),
            None => {}
        }
        if v.looks_incomplete() {
            w.bool_field("incomplete", true);
        }
        match closed {
            Completion::Timeout => w.str_field("completion", b"timeout"),
            Completion::Flushed => w.str_field("completion", b"flush"),
            Completion::Evicted => w.str_field("completion", b"evicted"),
            _ => {}
        }
        self.write_summary(&mut w, &v, norm, sc_name, file.as_ref(), sock.as_ref());
        self.write_data(&mut w, &v, arch_name, sc_name, sock.as_ref());
        write_paths(&mut w, &v);
        let bad = w.take_non_utf8();
        if !bad.is_empty() {
            w.begin_object("non_utf8");
            for b in &bad {
                self.scratch.clear();
                push_hex(&mut self.scratch, &b.bytes);
                w.str_field_bytes(b.path.as_bytes(), &self.scratch);
            }
            w.end();
        }
        w.end();
        self.levels = w.finish_stack();
        out.push(b'\n');
        self.view_scratch = v.take_scratch();
    }
}

/// Lowercases a type name into `scratch` and returns it.
fn lower_static<'s>(name: &[u8], scratch: &'s mut Vec<u8>) -> &'s [u8] {
    scratch.clear();
    scratch.extend(name.iter().map(u8::to_ascii_lowercase));
    scratch
}

impl<N: NameResolver> Serializer<N> {
    #[inline(never)]
    fn write_user(&mut self, w: &mut JsonWriter<'_>, v: &EventView<'_>, auid: Option<Id>) {
        let s = &v.subject;
        let uid = id_of(s.uid).and_then(Id::get);
        let gid = id_of(s.gid).and_then(Id::get);
        let pair = |u: Option<Val<'_>>, g: Option<Val<'_>>| {
            (id_of(u).and_then(Id::get), id_of(g).and_then(Id::get))
        };
        let eff = pair(s.euid, s.egid);
        let saved = pair(s.suid, s.sgid);
        let fs = pair(s.fsuid, s.fsgid);
        let auid = auid.and_then(Id::get);
        if uid.is_none() && gid.is_none() && auid.is_none() && eff.0.is_none() {
            return;
        }
        w.begin_object("user");
        if let Some(u) = uid {
            self.write_id(w, u, false);
        }
        if let Some(g) = gid {
            w.begin_object("group");
            self.write_id(w, g, true);
            w.end();
        }
        if let Some(a) = auid {
            w.begin_object("audit");
            self.write_id(w, a, false);
            w.end();
        }
        for (key, (u, g)) in [("effective", eff), ("saved", saved), ("filesystem", fs)] {
            let u = u.filter(|&u| Some(u) != uid);
            let g = g.filter(|&g| Some(g) != gid);
            if u.is_none() && g.is_none() {
                continue;
            }
            w.begin_object(key);
            if let Some(u) = u {
                self.write_id(w, u, false);
            }
            if let Some(g) = g {
                w.begin_object("group");
                self.write_id(w, g, true);
                w.end();
            }
            w.end();
        }
        w.end();
        if let Some(g) = gid {
            w.begin_object("group");
            self.write_id(w, g, true);
            w.end();
        }
    }

    #[inline(never)]
    fn write_process(
        &self,
        w: &mut JsonWriter<'_>,
        v: &EventView<'_>,
        facts: &ProcessFacts<'_>,
        sc_name: Option<&str>,
        ctx: Option<&mut dyn ProcessContext>,
    ) {
        let s = &v.subject;
        let comm = s.comm.and_then(|c| c.untrusted());
        let exe = s.exe.and_then(|c| c.untrusted());
        let cwd = v.cwd.clone();
        if facts.pid.is_none()
            && comm.is_none()
            && exe.is_none()
            && cwd.is_none()
            && v.proctitle.is_none()
            && !v.has_execve
            && ctx.is_none()
        {
            return;
        }
        w.begin_object("process");
        if let Some(p) = facts.pid {
            w.u64_field("pid", u64::from(p));
        }
        let ctx_parent = ctx.as_ref().is_some_and(|c| c.writes_parent(facts));
        if let (Some(pp), false) = (facts.ppid, ctx_parent) {
            w.begin_object("parent");
            w.u64_field("pid", u64::from(pp));
            w.end();
        }
        if let Some(c) = &comm {
            w.str_field("name", c);
        }
        if let Some(e) = &exe {
            w.str_field("executable", e);
        }
        if let Some(c) = &cwd {
            w.str_field("working_directory", c);
        }
        if v.has_execve {
            w.begin_array("args");
            for a in &v.args {
                w.item_str(a);
            }
            w.end();
            w.u64_field("args_count", v.args.len() as u64);
            w.str_field_joined("command_line", &v.args);
        }
        if let Some(t) = &v.proctitle {
            w.str_field("title", t);
        }
        if matches!(sc_name, Some("exit_group" | "exit")) {
            // exit_group(status): a0 is the status (hex); the low byte is
            // what wait(2) reports.
            if let Some(code) = s.a0.and_then(|a| parse_hex_u64(a.raw)) {
                w.i64_field("exit_code", i64::from(code as u32 as i32));
            }
        }
        if let Some(c) = ctx {
            c.write_process(facts, w);
        }
        w.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FixedNames;

    /// The text kept between events (ids, type names, category lists) gives
    /// the same lines as a fresh serializer, whatever came before.
    #[test]
    fn kept_text_matches_a_fresh_serializer() {
        let parse = |l: &str| Record::parse_log_line(l.as_bytes()).unwrap();
        let exec = vec![
            parse(
                r#"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 a0=1 items=1 ppid=1 pid=9 auid=1000 uid=0 gid=0 euid=0 comm="ls" exe="/bin/ls" key="exec""#,
            ),
            parse(r#"type=EXECVE msg=audit(1.000:1): argc=1 a0="ls""#),
            parse(
                r#"type=PATH msg=audit(1.000:1): item=0 name="/bin/ls" inode=5 mode=0100755 ouid=0 ogid=0 nametype=NORMAL"#,
            ),
        ];
        let open = vec![parse(
            r#"type=SYSCALL msg=audit(2.000:2): arch=c000003e syscall=2 success=no exit=-13 a0=1 items=0 pid=10 auid=4294967295 uid=1000 gid=1000 euid=1000 comm="cat" exe="/bin/cat""#,
        )];
        let login = vec![parse(
            r#"type=USER_LOGIN msg=audit(3.000:3): pid=1 uid=0 auid=1000 ses=2 msg='op=login acct="al" exe="/usr/sbin/sshd" hostname=h addr=10.0.0.1 terminal=ssh res=success'"#,
        )];
        let names = || {
            FixedNames::new()
                .with_user(0, "root")
                .with_user(1000, "al")
                .with_group(0, "root")
        };
        let fresh = |r: &[Record]| {
            let mut out = Vec::new();
            Serializer::new(Config::default(), names()).write_event(
                r,
                Completion::Eoe,
                None,
                &mut out,
            );
            out
        };
        let mut s = Serializer::new(Config::default(), names());
        for r in [&exec, &open, &login, &exec, &login, &open, &open] {
            let mut out = Vec::new();
            s.write_event(r, Completion::Eoe, None, &mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(fresh(r)).unwrap()
            );
        }
    }

    #[test]
    fn id_names_follow_the_resolver_after_names_mut() {
        let r = [Record::parse_log_line(
            br#"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 a0=1 items=0 pid=9 auid=1000 uid=0 gid=0 euid=0 comm="cat" exe="/bin/cat""#,
        )
        .unwrap()];
        let mut s = Serializer::new(
            Config::default(),
            FixedNames::new()
                .with_user(0, "root")
                .with_group(0, "wheel"),
        );
        let line = |s: &mut Serializer<FixedNames>| {
            let mut out = Vec::new();
            s.write_event(&r, Completion::Eoe, None, &mut out);
            serde_json::from_slice::<serde_json::Value>(&out).unwrap()
        };
        for _ in 0..2 {
            let v = line(&mut s);
            assert_eq!(v["user"]["id"], "0");
            assert_eq!(v["user"]["name"], "root");
            assert_eq!(v["user"]["group"]["name"], "wheel");
            assert_eq!(v["group"], serde_json::json!({"id": "0", "name": "wheel"}));
            assert_eq!(v["user"]["audit"], serde_json::json!({"id": "1000"}));
        }
        *s.names_mut() = FixedNames::new().with_user(1000, "al\"ice");
        let v = line(&mut s);
        assert_eq!(
            v["user"],
            serde_json::json!({"id": "0", "group": {"id": "0"}, "audit": {"id": "1000", "name": "al\"ice"}})
        );
    }

    #[test]
    fn ecs_object_names_ecs_version() {
        let v: serde_json::Value = serde_json::from_str(super::ECS_OBJECT).unwrap();
        assert_eq!(v, serde_json::json!({ "version": super::ECS_VERSION }));
    }
}
