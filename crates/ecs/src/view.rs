//! One pass over an event's records: which record plays which part, and the
//! subject fields (who, which process) pulled out of them.

use std::borrow::Cow;

use audit_reassembler::{Field, Quoting, Record};

use crate::argv::{split_proctitle, ArgvBuilder, ArgvIssue};
use crate::encoding::{decode_field, decode_untrusted};

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
    /// SOCKADDR records.
    pub sockaddrs: Vec<&'a Record>,
    /// Subject fields.
    pub subject: Subject<'a>,
    /// Everything else for `auditd.data`, first occurrence of a key wins.
    pub data: Vec<DataField<'a>>,
    /// `data[..data_dedup_from]` came from earlier records.
    data_dedup_from: usize,
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
    /// PROCTITLE split at NUL.
    pub proctitle: Option<Vec<Cow<'a, [u8]>>>,
}

fn assign<'a>(s: &mut Subject<'a>, f: &Field<'a>) -> bool {
    let slot = match f.key {
        b"arch" => &mut s.arch,
        b"syscall" => &mut s.syscall,
        b"success" => &mut s.success,
        b"exit" => &mut s.exit,
        b"a0" => &mut s.a0,
        b"items" => &mut s.items,
        b"pid" => &mut s.pid,
        b"ppid" => &mut s.ppid,
        b"auid" => &mut s.auid,
        b"uid" => &mut s.uid,
        b"gid" => &mut s.gid,
        b"euid" => &mut s.euid,
        b"suid" => &mut s.suid,
        b"fsuid" => &mut s.fsuid,
        b"egid" => &mut s.egid,
        b"sgid" => &mut s.sgid,
        b"fsgid" => &mut s.fsgid,
        b"ses" => &mut s.ses,
        b"comm" => &mut s.comm,
        b"exe" => &mut s.exe,
        b"key" => &mut s.key,
        b"res" => &mut s.res,
        _ => return assign_session(s, f),
    };
    if slot.is_none() {
        *slot = Some(Val::of(f));
    }
    true
}

/// User-session fields: kept as subject slots but also written to data.
fn assign_session<'a>(s: &mut Subject<'a>, f: &Field<'a>) -> bool {
    let slot = match f.key {
        b"acct" => &mut s.acct,
        b"id" => &mut s.id,
        b"addr" => &mut s.addr,
        b"hostname" => &mut s.hostname,
        b"terminal" => &mut s.terminal,
        b"cmd" => &mut s.cmd,
        b"cwd" => &mut s.cwd,
        _ => return false,
    };
    if slot.is_none() {
        *slot = Some(Val::of(f));
    }
    false
}

/// Keys of the subject kept out of `auditd.data` (they have ECS homes).
fn is_subject_only(key: &[u8]) -> bool {
    matches!(
        key,
        b"pid"
            | b"ppid"
            | b"auid"
            | b"uid"
            | b"gid"
            | b"euid"
            | b"suid"
            | b"fsuid"
            | b"egid"
            | b"sgid"
            | b"fsgid"
            | b"ses"
            | b"comm"
            | b"exe"
            | b"key"
            | b"res"
            | b"success"
            | b"arch"
            | b"syscall"
            | b"exit"
            | b"a0"
    )
}

impl<'a> EventView<'a> {
    /// Sorts an event's records into their parts. `None` for no records.
    pub fn new(records: &'a [Record]) -> Option<Self> {
        let first = records.first()?;
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
            paths: Vec::new(),
            sockaddrs: Vec::new(),
            subject: Subject::default(),
            data: Vec::with_capacity(32),
            data_dedup_from: 0,
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
                types::PATH => v.paths.push(r),
                types::SOCKADDR => v.sockaddrs.push(r),
                types::CWD => {
                    if v.cwd.is_none() {
                        v.cwd = r.get(b"cwd").and_then(|f| Val::of(&f).untrusted());
                    }
                }
                types::EXECVE => {
                    v.has_execve = true;
                    v.data_dedup_from = v.data.len();
                    for f in r.fields() {
                        if !argv.add(f.key, f.value, f.quoting != Quoting::Unquoted) {
                            v.push_data(f.key, decode_field(f.key, f.value, f.is_quoted(), true));
                        }
                    }
                }
                types::PROCTITLE => {
                    if v.proctitle.is_none() {
                        if let Some(t) = r.get(b"proctitle").and_then(|f| Val::of(&f).untrusted()) {
                            v.proctitle = Some(match t {
                                Cow::Borrowed(b) => {
                                    split_proctitle(b).into_iter().map(Cow::Borrowed).collect()
                                }
                                Cow::Owned(o) => split_proctitle(&o)
                                    .into_iter()
                                    .map(|p| Cow::Owned(p.to_vec()))
                                    .collect(),
                            });
                        }
                    }
                }
                _ => v.absorb(r),
            }
        }
        v.paths
            .sort_by_key(|r| r.get(b"item").and_then(|f| f.as_u64()).unwrap_or(u64::MAX));
        if v.has_execve {
            v.argc = argv.argc();
            let (args, issues) = argv.finish();
            v.args = args;
            v.argv_issues = issues;
        }
        Some(v)
    }

    fn push_data(&mut self, key: &'a [u8], value: Option<Cow<'a, [u8]>>) {
        let Some(value) = value else { return };
        // Keys repeat only across records: the first record's are unique.
        if self.data_dedup_from > 0
            && self.data[..self.data_dedup_from]
                .iter()
                .any(|d| d.key == key)
        {
            return;
        }
        self.data.push(DataField { key, value });
    }

    /// Takes subject fields and data from a non-structural record.
    fn absorb(&mut self, r: &'a Record) {
        self.data_dedup_from = self.data.len();
        if matches!(r.msg_type(), types::AVC | types::USER_AVC) {
            self.absorb_avc(r.body());
        }
        for f in r.fields() {
            // The outer msg='...' of user records: its fields come nested.
            if f.quoting == Quoting::Single && f.key == b"msg" && !f.nested {
                continue;
            }
            let consumed = assign(&mut self.subject, &f);
            if consumed && is_subject_only(f.key) {
                continue;
            }
            self.push_data(f.key, decode_field(f.key, f.value, f.is_quoted(), false));
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

    /// Whether the event shows signs of missing records: fewer PATH records
    /// than the SYSCALL's `items`, or EXECVE arguments missing.
    pub fn looks_incomplete(&self) -> bool {
        let items = self
            .subject
            .items
            .and_then(|v| std::str::from_utf8(v.raw).ok()?.parse::<usize>().ok());
        items.is_some_and(|n| self.paths.len() < n)
            || self.argv_issues.contains(&ArgvIssue::MissingArgs)
    }
}
