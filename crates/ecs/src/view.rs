//! One pass over an event's records: which record plays which part, and the
//! subject fields (who, which process) pulled out of them.

use std::borrow::Cow;

use audit_reassembler::{Field, Quoting, Record};

use crate::argv::{ArgvBuilder, ArgvIssue};
use crate::encoding::{decode_field, decode_untrusted};
use crate::keys::{classify, KeyClass, Slot};

/// Record type numbers used here (`include/uapi/linux/audit.h`).
pub mod types {
    /// AUDIT_SYSCALL
    pub const SYSCALL: u16 = 1300;
    /// AUDIT_PATH
    pub const PATH: u16 = 1302;
    /// AUDIT_SOCKADDR
    pub const SOCKADDR: u16 = 1306;
    /// AUDIT_CWD
    pub const CWD: u16 = 1307;
    /// AUDIT_EXECVE
    pub const EXECVE: u16 = 1309;
    /// AUDIT_EOE
    pub const EOE: u16 = 1320;
    /// AUDIT_PROCTITLE
    pub const PROCTITLE: u16 = 1327;
    /// AUDIT_AVC
    pub const AVC: u16 = 1400;
    /// AUDIT_USER_AVC
    pub const USER_AVC: u16 = 1107;

    /// Records that only complete a SYSCALL (PATH, CWD, EXECVE, SOCKADDR,
    /// PROCTITLE, IPC, MQ_*, FD_PAIR, OBJ_PID, BPRM_FCAPS, CAPSET, MMAP,
    /// OPENAT2, EOE...): never the record that names an event.
    pub fn is_auxiliary(t: u16) -> bool {
        matches!(
            t,
            PATH | 1303 // IPC
                | 1304 // SOCKETCALL
                | SOCKADDR
                | CWD
                | EXECVE
                | 1311 // IPC_SET_PERM
                | 1312
                ..=1315 // MQ_OPEN, MQ_SENDRECV, MQ_NOTIFY, MQ_GETSETATTR
                | 1317 // FD_PAIR
                | 1318 // OBJ_PID
                | EOE
                | 1321 // BPRM_FCAPS
                | 1322 // CAPSET
                | 1323 // MMAP
                | PROCTITLE
                | 1337 // OPENAT2
        )
    }
}

/// A field value with its quoting, borrowed from a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Val<'a> {
    /// Raw value, without quotes.
    pub raw: &'a [u8],
    /// Whether it was quoted.
    pub quoted: bool,
}

impl<'a> Val<'a> {
    fn of(f: &Field<'a>) -> Self {
        Val {
            raw: f.value,
            quoted: f.quoting != Quoting::Unquoted,
        }
    }

    /// Decoded as an untrusted string (hex unless quoted; `(null)` is none).
    pub fn untrusted(&self) -> Option<Cow<'a, [u8]>> {
        decode_untrusted(self.raw, self.quoted)
    }
}

/// The subject fields of an event (first occurrence wins, SYSCALL first).
#[derive(Debug, Default)]
#[allow(missing_docs)]
pub struct Subject<'a> {
    pub arch: Option<Val<'a>>,
    pub syscall: Option<Val<'a>>,
    pub success: Option<Val<'a>>,
    pub exit: Option<Val<'a>>,
    pub a0: Option<Val<'a>>,
    pub items: Option<Val<'a>>,
    pub pid: Option<Val<'a>>,
    pub ppid: Option<Val<'a>>,
    pub auid: Option<Val<'a>>,
    pub uid: Option<Val<'a>>,
    pub gid: Option<Val<'a>>,
    pub euid: Option<Val<'a>>,
    pub suid: Option<Val<'a>>,
    pub fsuid: Option<Val<'a>>,
    pub egid: Option<Val<'a>>,
    pub sgid: Option<Val<'a>>,
    pub fsgid: Option<Val<'a>>,
    pub ses: Option<Val<'a>>,
    pub comm: Option<Val<'a>>,
    pub exe: Option<Val<'a>>,
    pub key: Option<Val<'a>>,
    pub res: Option<Val<'a>>,
    pub acct: Option<Val<'a>>,
    pub id: Option<Val<'a>>,
    pub addr: Option<Val<'a>>,
    pub hostname: Option<Val<'a>>,
    pub terminal: Option<Val<'a>>,
    pub cmd: Option<Val<'a>>,
    pub cwd: Option<Val<'a>>,
}

/// A field that goes to `auditd.data`: key and decoded value.
#[derive(Debug)]
pub struct DataField<'a> {
    /// Field name.
    pub key: &'a [u8],
    /// Interpreted value (hex-decoded where the kernel encodes).
    pub value: Cow<'a, [u8]>,
}

/// The parts of one event.
#[derive(Debug)]
pub struct EventView<'a> {
    /// All records, in arrival order.
    pub records: &'a [Record],
    /// The record that names the event (`auditd.message_type`): the first
    /// record that is neither SYSCALL nor auxiliary (CONFIG_CHANGE, LOGIN,
    /// AVC, USER_*...), else SYSCALL, else the first record. Independent of
    /// the records' order.
    pub primary: &'a Record,
    /// The SYSCALL record, if any.
    pub syscall: Option<&'a Record>,
    /// PATH records sorted by `item`.
    pub paths: Vec<&'a Record>,
    /// What one walk over each PATH record kept, in the order of `paths`.
    pub(crate) path_info: Vec<PathInfo<'a>>,
    /// The fields of every PATH record (see [`PathInfo::fields`]).
    pub(crate) path_fields: Vec<PathField<'a>>,
    /// SOCKADDR records.
    pub sockaddrs: Vec<&'a Record>,
    /// Subject fields.
    pub subject: Subject<'a>,
    /// Everything else for `auditd.data`, first occurrence of a key wins.
    pub data: Vec<DataField<'a>>,
    /// `data[..data_dedup_from]` came from earlier records.
    data_dedup_from: usize,
    /// One bit per key hash of every `data` key so far ...
    data_keys: u64,
    /// ... and of `data[..data_dedup_from]`: a clear bit means no earlier
    /// record has the key, so the duplicate scan is skipped.
    data_dedup_keys: u64,
    /// Arguments from EXECVE (empty if none), and issues found.
    pub args: Vec<Cow<'a, [u8]>>,
    /// `argc` from EXECVE.
    pub argc: Option<u32>,
    /// Problems rebuilding the arguments.
    pub argv_issues: Vec<ArgvIssue>,
    /// Whether there was an EXECVE record.
    pub has_execve: bool,
    /// Decoded CWD.
    pub cwd: Option<Cow<'a, [u8]>>,
    /// PROCTITLE as one string: the arguments (split at NUL) joined with
    /// spaces, trailing NULs dropped.
    pub proctitle: Option<Cow<'a, [u8]>>,
}

/// One field of a PATH record, kept for `auditd.paths`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PathField<'a> {
    pub key: &'a [u8],
    pub value: &'a [u8],
    pub quoted: bool,
    /// [`crate::encoding::is_encoded_field`] of the key.
    pub encoded: bool,
}

/// The fields of a PATH record that `file.*` uses, raw (the last
/// occurrence counts, except for `nametype`/`objtype`: the first).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PathFields<'a> {
    pub name: Option<(&'a [u8], bool)>,
    pub inode: Option<&'a [u8]>,
    pub rdev: Option<&'a [u8]>,
    pub mode: Option<&'a [u8]>,
    pub ouid: Option<&'a [u8]>,
    pub ogid: Option<&'a [u8]>,
    pub nametype: Option<&'a [u8]>,
    pub objtype: Option<&'a [u8]>,
}

/// One PATH record as seen by its one walk.
#[derive(Debug)]
pub(crate) struct PathInfo<'a> {
    pub record: &'a Record,
    /// The first `item` as a number (`u64::MAX` if none): the sort key.
    item: u64,
    /// What `file.*` uses.
    pub file: PathFields<'a>,
    /// Its fields: `path_fields[fields.0..fields.1]`.
    pub fields: (u32, u32),
}

/// A one-bit hash of a key (length, first and last byte) for
/// [`EventView`]'s duplicate-key filter.
fn key_bit(key: &[u8]) -> u64 {
    let h = key.len() as u64 * 7
        + u64::from(key.first().copied().unwrap_or(0)) * 3
        + u64::from(key.last().copied().unwrap_or(0)) * 5;
    1 << (h % 64)
}

impl<'a> Subject<'a> {
    fn slot(&mut self, slot: Slot) -> &mut Option<Val<'a>> {
        match slot {
            Slot::Arch => &mut self.arch,
            Slot::Syscall => &mut self.syscall,
            Slot::Success => &mut self.success,
            Slot::Exit => &mut self.exit,
            Slot::A0 => &mut self.a0,
            Slot::Items => &mut self.items,
            Slot::Pid => &mut self.pid,
            Slot::Ppid => &mut self.ppid,
            Slot::Auid => &mut self.auid,
            Slot::Uid => &mut self.uid,
            Slot::Gid => &mut self.gid,
            Slot::Euid => &mut self.euid,
            Slot::Suid => &mut self.suid,
            Slot::Fsuid => &mut self.fsuid,
            Slot::Egid => &mut self.egid,
            Slot::Sgid => &mut self.sgid,
            Slot::Fsgid => &mut self.fsgid,
            Slot::Ses => &mut self.ses,
            Slot::Comm => &mut self.comm,
            Slot::Exe => &mut self.exe,
            Slot::Key => &mut self.key,
            Slot::Res => &mut self.res,
            Slot::Acct => &mut self.acct,
            Slot::Id => &mut self.id,
            Slot::Addr => &mut self.addr,
            Slot::Hostname => &mut self.hostname,
            Slot::Terminal => &mut self.terminal,
            Slot::Cmd => &mut self.cmd,
            Slot::Cwd => &mut self.cwd,
        }
    }

    /// Fills `slot` with `f` unless an earlier record already did.
    fn fill(&mut self, slot: Slot, f: &Field<'a>) {
        let s = self.slot(slot);
        if s.is_none() {
            *s = Some(Val::of(f));
        }
    }
}

/// The decoded PROCTITLE as the command line: [`crate::argv::split_proctitle`]
/// joined with single spaces, i.e. trailing NULs dropped and every other
/// NUL a space (in place when the value was decoded into its own buffer).
fn proctitle_text(t: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let end = t.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    match t {
        Cow::Borrowed(b) => {
            let b = &b[..end];
            if memchr::memchr(0, b).is_none() {
                Cow::Borrowed(b)
            } else {
                Cow::Owned(b.iter().map(|&c| if c == 0 { b' ' } else { c }).collect())
            }
        }
        Cow::Owned(mut o) => {
            o.truncate(end);
            // Branch-free (vectorized): a NUL gets the space bit.
            for c in &mut o {
                *c |= u8::from(*c == 0) * b' ';
            }
            Cow::Owned(o)
        }
    }
}

/// Allocations kept from one [`EventView`] to the next (see
/// [`EventView::new_in`] and [`EventView::into_scratch`]): a serializer
/// writing many events then allocates nothing for these parts.
#[derive(Debug, Default)]
pub struct ViewScratch {
    paths: Vec<&'static Record>,
    path_info: Vec<PathInfo<'static>>,
    path_fields: Vec<PathField<'static>>,
    sockaddrs: Vec<&'static Record>,
    data: Vec<DataField<'static>>,
}

/// An empty vector with `v`'s allocation, for elements of another lifetime
/// (`T` and `U` are the same type but for lifetimes: same layout). If the
/// layouts differed or the type were zero-sized, this would only give a new
/// empty vector.
// The only `unsafe` outside `json`: a buffer handed over between lifetimes.
#[allow(unsafe_code)]
fn relabel<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    let same_layout = std::mem::size_of::<T>() == std::mem::size_of::<U>()
        && std::mem::align_of::<T>() == std::mem::align_of::<U>()
        && std::mem::size_of::<T>() != 0;
    if !same_layout {
        return Vec::new();
    }
    let mut v = std::mem::ManuallyDrop::new(v);
    let (ptr, cap) = (v.as_mut_ptr(), v.capacity());
    // SAFETY: `v` is empty and no longer owns its buffer (ManuallyDrop), so
    // the buffer is handed over once and no `T` is reinterpreted as a `U`.
    // It was allocated by the global allocator for `cap` elements of a
    // non-zero size and alignment equal to `U`'s (checked above), which is
    // the layout `Vec<U>` with capacity `cap` frees; length 0 <= `cap`.
    unsafe { Vec::from_raw_parts(ptr.cast::<U>(), 0, cap) }
}

impl<'a> EventView<'a> {
    /// Sorts an event's records into their parts. `None` for no records.
    pub fn new(records: &'a [Record]) -> Option<Self> {
        Self::new_in(records, ViewScratch::default())
    }

    /// [`EventView::new`] reusing the allocations in `scratch` (get them
    /// back with [`EventView::into_scratch`]).
    pub fn new_in(records: &'a [Record], scratch: ViewScratch) -> Option<Self> {
        let first = records.first()?;
        Some(Self::build(records, first, scratch))
    }

    /// [`EventView::new_in`] for a non-empty event (`first` is
    /// `records[0]`), returned as is: the caller's slot is filled in place
    /// (no copy of the view out of an `Option`).
    #[inline(never)]
    pub(crate) fn build(records: &'a [Record], first: &'a Record, scratch: ViewScratch) -> Self {
        let syscall = records.iter().find(|r| r.msg_type() == types::SYSCALL);
        let primary = records
            .iter()
            .find(|r| r.msg_type() != types::SYSCALL && !types::is_auxiliary(r.msg_type()))
            .or(syscall)
            .unwrap_or(first);
        let mut v = EventView {
            records,
            primary,
            syscall,
            paths: relabel(scratch.paths),
            path_info: relabel(scratch.path_info),
            path_fields: relabel(scratch.path_fields),
            sockaddrs: relabel(scratch.sockaddrs),
            subject: Subject::default(),
            data: {
                let mut d = relabel(scratch.data);
                d.reserve(32);
                d
            },
            data_dedup_from: 0,
            data_keys: 0,
            data_dedup_keys: 0,
            args: Vec::new(),
            argc: None,
            argv_issues: Vec::new(),
            has_execve: false,
            cwd: None,
            proctitle: None,
        };
        let mut argv = ArgvBuilder::new();
        // SYSCALL first so that its subject fields win.
        if let Some(sc) = syscall {
            v.absorb(sc);
        }
        for r in records {
            match r.msg_type() {
                types::SYSCALL | types::EOE => {}
                types::PATH => v.push_path(r),
                types::SOCKADDR => v.sockaddrs.push(r),
                types::CWD => {
                    if v.cwd.is_none() {
                        v.cwd = r.get(b"cwd").and_then(|f| Val::of(&f).untrusted());
                    }
                }
                types::EXECVE => {
                    v.has_execve = true;
                    v.data_dedup_from = v.data.len();
                    v.data_dedup_keys = v.data_keys;
                    for f in r.fields() {
                        if !argv.add(f.key, f.value, f.quoting != Quoting::Unquoted) {
                            v.push_data(f.key, decode_field(f.key, f.value, f.is_quoted(), true));
                        }
                    }
                }
                types::PROCTITLE => {
                    if v.proctitle.is_none() {
                        if let Some(t) = r.get(b"proctitle").and_then(|f| Val::of(&f).untrusted()) {
                            v.proctitle = Some(proctitle_text(t));
                        }
                    }
                }
                _ => v.absorb(r),
            }
        }
        // Stable, as the records' sort by `item` was.
        v.path_info.sort_by_key(|p| p.item);
        v.paths.extend(v.path_info.iter().map(|p| p.record));
        if v.has_execve {
            v.argc = argv.argc();
            let (args, issues) = argv.finish();
            v.args = args;
            v.argv_issues = issues;
        }
        v
    }

    /// Gives back the allocations for the next [`EventView::new_in`].
    pub fn into_scratch(mut self) -> ViewScratch {
        self.take_scratch()
    }

    /// [`EventView::into_scratch`] without moving the view (it keeps empty
    /// vectors).
    pub(crate) fn take_scratch(&mut self) -> ViewScratch {
        ViewScratch {
            paths: relabel(std::mem::take(&mut self.paths)),
            path_info: relabel(std::mem::take(&mut self.path_info)),
            path_fields: relabel(std::mem::take(&mut self.path_fields)),
            sockaddrs: relabel(std::mem::take(&mut self.sockaddrs)),
            data: relabel(std::mem::take(&mut self.data)),
        }
    }

    /// Walks a PATH record once: its fields for `auditd.paths`, what
    /// `file.*` uses, its `item`.
    fn push_path(&mut self, r: &'a Record) {
        let start = self.path_fields.len() as u32;
        let mut file = PathFields::default();
        let mut item: Option<Option<u64>> = None;
        for x in r.fields() {
            let quoted = x.is_quoted();
            let encoded = match x.key {
                b"name" => {
                    file.name = Some((x.value, quoted));
                    true
                }
                b"item" => {
                    if item.is_none() {
                        item = Some(x.as_u64());
                    }
                    false
                }
                b"inode" => {
                    file.inode = Some(x.value);
                    false
                }
                b"rdev" => {
                    file.rdev = Some(x.value);
                    false
                }
                b"mode" => {
                    file.mode = Some(x.value);
                    false
                }
                b"ouid" => {
                    file.ouid = Some(x.value);
                    false
                }
                b"ogid" => {
                    file.ogid = Some(x.value);
                    false
                }
                // `nametype=` since Linux 3.x; older kernels wrote
                // `objtype=`. The first occurrence counts.
                b"nametype" => {
                    file.nametype = file.nametype.or(Some(x.value));
                    false
                }
                b"objtype" => {
                    file.objtype = file.objtype.or(Some(x.value));
                    false
                }
                b"dev" | b"cap_fp" | b"cap_fi" | b"cap_fe" | b"cap_fver" | b"cap_frootid" => false,
                k => crate::encoding::is_encoded_field(k),
            };
            self.path_fields.push(PathField {
                key: x.key,
                value: x.value,
                quoted,
                encoded,
            });
        }
        self.path_info.push(PathInfo {
            record: r,
            item: item.flatten().unwrap_or(u64::MAX),
            file,
            fields: (start, self.path_fields.len() as u32),
        });
    }

    /// The fields of PATH `p`.
    pub(crate) fn path_fields_of(&self, p: &PathInfo<'a>) -> &[PathField<'a>] {
        self.path_fields
            .get(p.fields.0 as usize..p.fields.1 as usize)
            .unwrap_or(&[])
    }

    #[inline(always)]
    fn push_data(&mut self, key: &'a [u8], value: Option<Cow<'a, [u8]>>) {
        let Some(value) = value else { return };
        // Keys repeat only across records: the first record's are unique.
        let bit = key_bit(key);
        if self.data_dedup_keys & bit != 0
            && self.data[..self.data_dedup_from]
                .iter()
                .any(|d| d.key == key)
        {
            return;
        }
        self.data_keys |= bit;
        self.data.push(DataField { key, value });
    }

    /// Takes subject fields and data from a non-structural record.
    fn absorb(&mut self, r: &'a Record) {
        self.data_dedup_from = self.data.len();
        self.data_dedup_keys = self.data_keys;
        if matches!(r.msg_type(), types::AVC | types::USER_AVC) {
            self.absorb_avc(r.body());
        }
        for f in r.fields() {
            let encoded = match classify(f.key) {
                // The outer msg='...' of user records: its fields come nested.
                KeyClass::Msg if f.quoting == Quoting::Single && !f.nested => continue,
                KeyClass::Msg => false,
                KeyClass::Subject(slot) => {
                    self.subject.fill(slot, &f);
                    continue;
                }
                KeyClass::SubjectAndData(slot, encoded) => {
                    self.subject.fill(slot, &f);
                    encoded
                }
                KeyClass::Data(encoded) => encoded,
            };
            let value = if encoded {
                decode_untrusted(f.value, f.is_quoted())
            } else {
                Some(Cow::Borrowed(f.value))
            };
            self.push_data(f.key, value);
        }
    }

    /// SELinux AVC bodies start with bare words the field parser skips:
    /// `avc:  denied  { read write } for ...`. Kept as `seresult`/`seperms`.
    fn absorb_avc(&mut self, body: &'a [u8]) {
        let Some(rest) = body.trim_ascii_start().strip_prefix(b"avc:") else {
            return;
        };
        let rest = rest.trim_ascii_start();
        let word_end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        let result = &rest[..word_end];
        if result != b"denied" && result != b"granted" {
            return;
        }
        self.push_data(b"seresult", Some(Cow::Borrowed(result)));
        let rest = rest[word_end..].trim_ascii_start();
        if let Some(inner) = rest.strip_prefix(b"{") {
            if let Some(end) = inner.iter().position(|&b| b == b'}') {
                let perms = inner[..end].trim_ascii();
                self.push_data(b"seperms", Some(Cow::Borrowed(perms)));
            }
        }
    }

    /// The `auditd.data` value of `key` (first occurrence), without a
    /// scan when no data key hashes to the key's bit.
    pub fn data_value(&self, key: &[u8]) -> Option<&[u8]> {
        if self.data_keys & key_bit(key) == 0 {
            return None;
        }
        self.data
            .iter()
            .find(|d| d.key == key)
            .map(|d| &d.value[..])
    }

    /// Whether the event shows signs of missing records: fewer PATH records
    /// than the SYSCALL's `items`, or EXECVE arguments missing.
    pub fn looks_incomplete(&self) -> bool {
        let items = self.subject.items.and_then(|v| match v.raw {
            // One or two digits: nearly every `items=`.
            [d @ b'0'..=b'9'] => Some(usize::from(d - b'0')),
            [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
                Some(usize::from(a - b'0') * 10 + usize::from(b - b'0'))
            }
            raw => std::str::from_utf8(raw).ok()?.parse::<usize>().ok(),
        });
        items.is_some_and(|n| self.paths.len() < n)
            || self.argv_issues.contains(&ArgvIssue::MissingArgs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(lines: &[&str]) -> Vec<Record> {
        lines
            .iter()
            .map(|l| Record::parse_log_line(l.as_bytes()).expect("test record"))
            .collect()
    }

    #[test]
    fn proctitle_text_is_split_proctitle_joined() {
        for raw in [
            &b""[..],
            b"\0\0",
            b"a",
            b"a\0\0",
            b"\0a",
            b"bash\0-c\0echo hi\0",
            b"a\0\0b\0",
            b"x\xff\0y",
        ] {
            let want = crate::argv::join_args(&crate::argv::split_proctitle(raw));
            assert_eq!(
                &proctitle_text(Cow::Borrowed(raw))[..],
                &want[..],
                "{raw:?}"
            );
            assert_eq!(
                &proctitle_text(Cow::Owned(raw.to_vec()))[..],
                &want[..],
                "{raw:?}"
            );
        }
    }

    #[test]
    fn incomplete_when_fewer_paths_than_items() {
        for (items, incomplete) in [
            ("0", false),
            ("1", false),
            ("2", true),
            ("10", true),
            ("+2", true),
            ("001", false),
            ("x", false),
        ] {
            let r = records(&[
                &format!("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 items={items} pid=9"),
                r#"type=PATH msg=audit(1.000:1): item=0 name="/etc/x" inode=5 nametype=NORMAL"#,
            ]);
            let v = EventView::new(&r).unwrap();
            assert_eq!(v.looks_incomplete(), incomplete, "items={items}");
        }
    }

    #[test]
    fn data_value_finds_first_occurrence_and_misses() {
        let r = records(&[
            r#"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 items=1 pid=9 uid=0 comm="cat" exe="/bin/cat" tty=pts0"#,
            r#"type=CONFIG_CHANGE msg=audit(1.000:1): op=add_rule tty=pts9 res=1"#,
        ]);
        let v = EventView::new(&r).unwrap();
        assert_eq!(v.data_value(b"tty"), Some(&b"pts0"[..]));
        assert_eq!(v.data_value(b"op"), Some(&b"add_rule"[..]));
        assert_eq!(v.data_value(b"a1"), Some(&b"2"[..]));
        assert_eq!(v.data_value(b"pid"), None, "subject-only keys are not data");
        assert_eq!(v.data_value(b"nothere"), None);
    }

    #[test]
    fn path_walk_keeps_the_item_order_fields_and_file_parts() {
        let r = records(&[
            r#"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 items=4 pid=9"#,
            r#"type=PATH msg=audit(1.000:1): item=1 name=2F746D70 inode=7 mode=0100644 ouid=0 ogid=5 rdev=00:00 nametype=CREATE nametype=NORMAL"#,
            r#"type=PATH msg=audit(1.000:1): name="/noitem" nametype=NORMAL"#,
            r#"type=PATH msg=audit(1.000:1): item=0 name="/tmp" inode=6 objtype=PARENT cap_fp=0 path=6869"#,
            r#"type=PATH msg=audit(1.000:1): item=1 item=0 name=(null) inode=8"#,
        ]);
        let v = EventView::new(&r).unwrap();
        let raw = |i: usize| v.paths[i].raw();
        // Stable by the first item: 0, 1, 1 (arrival order), none last.
        assert!(raw(0).ends_with(b"path=6869"));
        assert!(raw(1).ends_with(b"nametype=NORMAL") && raw(1).contains(&b'7'));
        assert!(raw(2).ends_with(b"inode=8"));
        assert!(raw(3).ends_with(br#"name="/noitem" nametype=NORMAL"#));
        assert_eq!(v.path_info.len(), 4);
        for (p, rec) in v.path_info.iter().zip(&v.paths) {
            assert!(std::ptr::eq(p.record, *rec));
            let fields: Vec<_> = rec.fields().collect();
            let kept = v.path_fields_of(p);
            assert_eq!(kept.len(), fields.len());
            for (k, f) in kept.iter().zip(&fields) {
                assert_eq!((k.key, k.value, k.quoted), (f.key, f.value, f.is_quoted()));
                assert_eq!(k.encoded, crate::encoding::is_encoded_field(f.key));
            }
        }
        let f = &v.path_info[1].file;
        assert_eq!(f.name, Some((&b"2F746D70"[..], false)));
        assert_eq!(
            (f.inode, f.mode, f.ouid, f.ogid, f.rdev),
            (
                Some(&b"7"[..]),
                Some(&b"0100644"[..]),
                Some(&b"0"[..]),
                Some(&b"5"[..]),
                Some(&b"00:00"[..])
            )
        );
        assert_eq!(
            f.nametype,
            Some(&b"CREATE"[..]),
            "the first nametype counts"
        );
        assert_eq!(v.path_info[0].file.objtype, Some(&b"PARENT"[..]));
        assert_eq!(v.path_info[0].file.name, Some((&b"/tmp"[..], true)));
    }

    #[test]
    fn relabel_keeps_the_allocation_and_refuses_other_layouts() {
        let mut a: Vec<&'static [u8]> = Vec::with_capacity(7);
        a.push(b"x");
        let p = a.as_ptr() as usize;
        let b: Vec<&[u8]> = relabel(a);
        assert!(b.is_empty());
        assert_eq!((b.as_ptr() as usize, b.capacity()), (p, 7));
        // Used and freed as the new type.
        let mut b = b;
        b.extend([&b"y"[..]; 20]);
        assert_eq!(b.len(), 20);
        // Different size, different alignment, zero-sized: a new vector.
        let c: Vec<u16> = relabel(vec![1u8; 9]);
        assert_eq!((c.len(), c.capacity()), (0, 0));
        let d: Vec<u32> = relabel(vec![[0u8; 4]; 9]);
        assert_eq!((d.len(), d.capacity()), (0, 0));
        let e: Vec<()> = relabel(vec![(); 3]);
        assert!(e.is_empty());
    }

    #[test]
    fn scratch_reuse_gives_the_same_view_and_keeps_the_allocations() {
        // Hand-written records in the kernel's format.
        let a = records(&[
            r#"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 items=1 pid=9 uid=0 comm="cat" exe="/bin/cat" tty=pts0"#,
            r#"type=PATH msg=audit(1.000:1): item=0 name="/etc/x" inode=5 nametype=NORMAL"#,
        ]);
        let b = records(&[
            r#"type=USER_LOGIN msg=audit(2.000:2): pid=1 uid=0 msg='op=login acct="root" addr=10.0.0.1 terminal=ssh res=success'"#,
        ]);
        let fresh_a = format!("{:?}", EventView::new(&a).unwrap().data);
        let fresh_b = format!("{:?}", EventView::new(&b).unwrap().data);
        let v = EventView::new_in(&a, ViewScratch::default()).unwrap();
        assert_eq!(format!("{:?}", v.data), fresh_a);
        assert_eq!(v.paths.len(), 1);
        let scratch = v.into_scratch();
        let cap = scratch.data.capacity();
        assert!(cap >= 32 && scratch.data.is_empty() && scratch.paths.is_empty());
        let v = EventView::new_in(&b, scratch).unwrap();
        assert_eq!(format!("{:?}", v.data), fresh_b);
        assert!(
            v.paths.is_empty(),
            "no PATH left over from the previous event"
        );
        assert_eq!(v.into_scratch().data.capacity(), cap);
    }
}
