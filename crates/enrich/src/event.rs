//! One reassembled audit event -> the [`ProcessEvent`] the session table
//! takes (see the `sessiondb` crate documentation for the mapping).

use audit_ecs::view::{EventView, Val};
use audit_ecs::ProcessFacts;
use audit_reassembler::Record;
use sessiondb::{parse_audit_tty, Creds, Observation, ProcessChange, ProcessEvent, Time};

/// `AUDIT_USER_START` (include/uapi/linux/audit.h).
const USER_START: u16 = 1105;
/// `AUDIT_USER_LOGIN`.
const USER_LOGIN: u16 = 1112;

fn dec_u32(v: Option<Val<'_>>) -> Option<u32> {
    let raw = v?.raw;
    if raw.is_empty() || raw.len() > 10 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = raw.iter().fold(0u64, |n, &b| n * 10 + u64::from(b - b'0'));
    u32::try_from(n).ok()
}

fn dec_i64(v: &[u8]) -> Option<i64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

fn hex_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 16 {
        return None;
    }
    v.iter().try_fold(0u64, |n, &b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        Some(n << 4 | u64::from(d))
    })
}

/// Buffers of earlier [`ProcessEvent`]s, refilled by [`process_event_in`]
/// so that translating an event allocates nothing once they have grown.
#[derive(Debug, Default)]
pub struct EventBuffers {
    comm: Vec<u8>,
    exe: Vec<u8>,
    cwd: Vec<u8>,
    addr: Vec<u8>,
    argv: Vec<Vec<u8>>,
    /// Argument buffers not in use.
    args: Vec<Vec<u8>>,
}

impl EventBuffers {
    /// Takes back the buffers of `ev` (which is left without them).
    pub fn recycle(&mut self, ev: &mut ProcessEvent) {
        if let Some(o) = &mut ev.observed {
            if let Some(v) = o.comm.take() {
                self.comm = v;
            }
            if let Some(v) = o.exe.take() {
                self.exe = v;
            }
        }
        match ev.change.take() {
            Some(ProcessChange::Exec { mut argv, cwd }) => {
                if let Some(v) = cwd {
                    self.cwd = v;
                }
                // Keep a bounded number of small argument buffers.
                for a in argv.drain(..) {
                    if self.args.len() < 256 && a.capacity() <= 4096 {
                        self.args.push(a);
                    }
                }
                self.argv = argv;
            }
            Some(ProcessChange::Login { addr }) => self.addr = addr,
            _ => {}
        }
    }

    fn bytes(buf: &mut Vec<u8>, v: &[u8]) -> Vec<u8> {
        let mut b = std::mem::take(buf);
        b.clear();
        b.extend_from_slice(v);
        b
    }

    fn argv<T: AsRef<[u8]>>(&mut self, args: &[T]) -> Vec<Vec<u8>> {
        let mut argv = std::mem::take(&mut self.argv);
        argv.clear();
        for a in args {
            let mut b = self.args.pop().unwrap_or_default();
            b.clear();
            b.extend_from_slice(a.as_ref());
            argv.push(b);
        }
        argv
    }
}

/// The SYSCALL record's `tty`. The view's data fields hold it (undecoded,
/// borrowed from the record's text) after fewer entries than the record
/// has fields: a value found there that lies in `sc`'s text is `sc`'s;
/// else the record is searched.
fn syscall_tty<'a>(view: &EventView<'a>, sc: &'a Record) -> Option<&'a [u8]> {
    let text = sc.raw().as_ptr_range();
    for d in &view.data {
        if d.key == b"tty" {
            if let std::borrow::Cow::Borrowed(v) = d.value {
                if text.contains(&v.as_ptr()) {
                    return Some(v);
                }
            }
            break;
        }
    }
    sc.value(b"tty")
}

/// The time of an event as the table wants it.
pub fn event_time(facts: &ProcessFacts<'_>) -> Time {
    Time::from_audit(facts.timestamp.0, facts.timestamp.1)
}

/// Translates one event. `view` must be the [`EventView`] of
/// `facts.records`. Events without a pid (or with pid 0) give
/// `observed: None`.
pub fn process_event(facts: &ProcessFacts<'_>, view: &EventView<'_>) -> ProcessEvent {
    process_event_in(facts, view, &mut EventBuffers::default())
}

/// [`process_event`] with the byte buffers taken from `bufs` (give them
/// back with [`EventBuffers::recycle`] once the event is applied).
pub fn process_event_in(
    facts: &ProcessFacts<'_>,
    view: &EventView<'_>,
    bufs: &mut EventBuffers,
) -> ProcessEvent {
    let time = event_time(facts);
    let mut ev = ProcessEvent {
        time,
        observed: None,
        change: None,
    };
    // pid 0: a record of the kernel itself (no task), not a process.
    let Some(pid) = facts.pid.filter(|p| *p != 0) else {
        return ev;
    };
    let s = &view.subject;
    if let Some(sc) = view.syscall {
        let creds = (|| {
            Some(Creds {
                uid: dec_u32(s.uid)?,
                euid: dec_u32(s.euid)?,
                suid: dec_u32(s.suid)?,
                fsuid: dec_u32(s.fsuid)?,
                gid: dec_u32(s.gid)?,
                egid: dec_u32(s.egid)?,
                sgid: dec_u32(s.sgid)?,
                fsgid: dec_u32(s.fsgid)?,
            })
        })();
        ev.observed = Some(Observation {
            pid,
            ppid: facts.ppid,
            creds,
            auid: dec_u32(s.auid),
            ses: dec_u32(s.ses),
            tty: syscall_tty(view, sc).and_then(parse_audit_tty),
            comm: s
                .comm
                .and_then(|c| c.untrusted())
                .map(|c| EventBuffers::bytes(&mut bufs.comm, &c)),
            exe: s
                .exe
                .and_then(|c| c.untrusted())
                .map(|c| EventBuffers::bytes(&mut bufs.exe, &c)),
        });
        if let Some(name) = facts.syscall {
            let success = s.success.map(|v| v.raw) == Some(b"yes");
            let exit = s.exit.and_then(|v| dec_i64(v.raw)).unwrap_or(-1);
            let a0 = s.a0.and_then(|v| hex_u64(v.raw)).unwrap_or(0);
            // Only setpgid uses a1.
            let a1 = if name == "setpgid" {
                sc.value(b"a1").and_then(hex_u64).unwrap_or(0)
            } else {
                0
            };
            ev.change = ProcessChange::from_syscall(name, success, exit, a0, a1);
            if let Some(ProcessChange::Exec { argv, cwd }) = &mut ev.change {
                *argv = bufs.argv(&view.args);
                *cwd = view
                    .cwd
                    .as_ref()
                    .map(|c| EventBuffers::bytes(&mut bufs.cwd, c));
            }
        }
    } else {
        // A user-space record (USER_*, LOGIN...): only what it surely says.
        ev.observed = Some(Observation {
            pid,
            auid: dec_u32(s.auid),
            ses: dec_u32(s.ses),
            ..Default::default()
        });
        let login = matches!(view.primary.msg_type(), USER_LOGIN | USER_START);
        let ok = s.res.map(|v| v.raw) == Some(b"success");
        if login && ok {
            if let Some(addr) = s
                .addr
                .map(|a| a.raw)
                .filter(|a| !a.is_empty() && *a != b"?")
            {
                ev.change = Some(ProcessChange::Login {
                    addr: EventBuffers::bytes(&mut bufs.addr, addr),
                });
            }
        }
    }
    ev
}

/// Whether the serializer itself writes `process.name`, `executable`,
/// `working_directory` and `args` for this event (the hook must not repeat
/// them): the same tests as `audit_ecs`'s process writer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WrittenBySerializer {
    /// `process.name` (from `comm`).
    pub name: bool,
    /// `process.executable` (from `exe`).
    pub executable: bool,
    /// `process.working_directory` (from CWD).
    pub working_directory: bool,
    /// `process.args`, `args_count` (from EXECVE).
    pub args: bool,
    /// `process.exit_code` (exit, exit_group).
    pub exit_code: bool,
}

impl WrittenBySerializer {
    /// What the serializer writes for the event of `view`.
    pub fn of(view: &EventView<'_>, syscall: Option<&str>) -> Self {
        let s = &view.subject;
        WrittenBySerializer {
            name: s.comm.and_then(|c| c.untrusted()).is_some(),
            executable: s.exe.and_then(|c| c.untrusted()).is_some(),
            working_directory: view.cwd.is_some(),
            args: view.has_execve,
            exit_code: matches!(syscall, Some("exit_group" | "exit"))
                && s.a0.and_then(|a| hex_u64(a.raw)).is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_reassembler::Record;

    fn facts_of<'a>(records: &'a [Record], syscall: Option<&'a str>) -> ProcessFacts<'a> {
        let v = EventView::new(records).unwrap();
        let s = &v.subject;
        let num = |x: Option<Val<'_>>| dec_u32(x);
        ProcessFacts {
            timestamp: (1_795_396_402, 830),
            serial: 1,
            pid: num(s.pid),
            ppid: num(s.ppid),
            auid: None,
            session: None,
            syscall,
            success: None,
            records,
            view: None,
        }
    }

    fn parse(lines: &[&str]) -> Vec<Record> {
        lines
            .iter()
            .map(|l| Record::parse_log_line(l.as_bytes()).unwrap())
            .collect()
    }

    #[test]
    fn setpgid_with_its_arguments_and_all_ids() {
        // Layout of a capture record (Debian 12, kernel 6.18), values changed.
        let r = parse(&["type=SYSCALL msg=audit(1795396402.830:1): arch=c000003e syscall=109 success=yes exit=0 a0=0 a1=1f4 a2=0 a3=0 items=0 ppid=7 pid=8 auid=1000 uid=1 gid=2 euid=3 suid=4 fsuid=5 egid=6 sgid=7 fsgid=8 tty=pts3 ses=9 comm=\"sh\" exe=\"/usr/bin/dash\" key=(null)"]);
        let f = facts_of(&r, Some("setpgid"));
        let ev = process_event(&f, &EventView::new(&r).unwrap());
        assert_eq!(ev.time, Time::from_audit(1_795_396_402, 830));
        assert_eq!(
            ev.change,
            Some(ProcessChange::Setpgid {
                target: 0,
                pgid: 500
            })
        );
        let o = ev.observed.unwrap();
        assert_eq!(
            (o.pid, o.ppid, o.auid, o.ses),
            (8, Some(7), Some(1000), Some(9))
        );
        let c = o.creds.unwrap();
        assert_eq!(
            [c.uid, c.gid, c.euid, c.suid, c.fsuid, c.egid, c.sgid, c.fsgid],
            [1, 2, 3, 4, 5, 6, 7, 8]
        );
        assert_eq!(o.exe.as_deref(), Some(&b"/usr/bin/dash"[..]));
        assert_eq!(
            o.tty,
            Some(Some(sessiondb::TtyDev {
                major: 136,
                minor: 3
            }))
        );
    }

    #[test]
    fn exec_takes_arguments_and_cwd() {
        let r = parse(&[
            "type=SYSCALL msg=audit(1795396402.830:2): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=7 pid=8 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\"",
            "type=EXECVE msg=audit(1795396402.830:2): argc=2 a0=\"ls\" a1=2D6C",
            "type=CWD msg=audit(1795396402.830:2): cwd=\"/root\"",
        ]);
        let f = facts_of(&r, Some("execve"));
        let ev = process_event(&f, &EventView::new(&r).unwrap());
        assert_eq!(
            ev.change,
            Some(ProcessChange::Exec {
                argv: vec![b"ls".to_vec(), b"-l".to_vec()],
                cwd: Some(b"/root".to_vec())
            })
        );
        assert_eq!(ev.observed.unwrap().tty, Some(None));
    }

    #[test]
    fn user_login_gives_the_address_only_on_success() {
        for (res, want) in [("success", true), ("failed", false)] {
            let line = format!("type=USER_LOGIN msg=audit(1795396404.398:3): pid=26907 uid=0 auid=0 ses=6 msg='op=login id=0 exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=/dev/pts/0 res={res}'");
            let r = parse(&[&line]);
            let f = facts_of(&r, None);
            let ev = process_event(&f, &EventView::new(&r).unwrap());
            let o = ev.observed.unwrap();
            assert_eq!((o.pid, o.ses, o.creds), (26907, Some(6), None));
            assert_eq!(ev.change.is_some(), want, "{res}: {:?}", ev.change);
            if want {
                assert_eq!(
                    ev.change,
                    Some(ProcessChange::Login {
                        addr: b"127.0.0.1".to_vec()
                    })
                );
            }
        }
    }

    #[test]
    fn hex_values() {
        assert_eq!(hex_u64(b"1200011"), Some(0x120_0011));
        assert_eq!(hex_u64(b"ffffffffffffffff"), Some(u64::MAX));
        assert_eq!(hex_u64(b"DeadBeef"), Some(0xdead_beef));
        for bad in [&b""[..], b"12g", b"-1", b"11111111111111111", b" 1"] {
            assert_eq!(hex_u64(bad), None, "{bad:?}");
        }
    }

    /// Reused buffers give the same translation as fresh ones, whatever
    /// the events before (longer or shorter arguments, other kinds).
    #[test]
    fn reused_buffers_translate_alike() {
        let events = [
            vec![
                "type=SYSCALL msg=audit(1795396402.830:2): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=7 pid=8 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\"",
                "type=EXECVE msg=audit(1795396402.830:2): argc=3 a0=\"ls\" a1=2D6C a2=\"/a/long/enough/argument\"",
                "type=CWD msg=audit(1795396402.830:2): cwd=\"/root\"",
            ],
            vec![
                "type=SYSCALL msg=audit(1795396402.831:3): arch=c000003e syscall=109 success=yes exit=0 a0=0 a1=1F4 a2=0 a3=0 items=0 ppid=7 pid=8 auid=1000 uid=1 gid=2 euid=3 suid=4 fsuid=5 egid=6 sgid=7 fsgid=8 tty=pts3 ses=9 comm=\"sh\" exe=\"/usr/bin/dash\" key=(null)",
            ],
            vec![
                "type=SYSCALL msg=audit(1795396402.832:4): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=8 pid=9 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=2F746D702FFF key=\"exec\"",
                "type=EXECVE msg=audit(1795396402.832:4): argc=1 a0=\"x\"",
            ],
            vec!["type=USER_LOGIN msg=audit(1795396404.398:5): pid=26907 uid=0 auid=0 ses=6 msg='op=login id=0 exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 terminal=/dev/pts/0 res=success'"],
        ];
        let syscalls = [Some("execve"), Some("setpgid"), Some("execve"), None];
        let mut bufs = EventBuffers::default();
        for round in 0..2 {
            for (lines, sc) in events.iter().zip(syscalls) {
                let r = parse(lines);
                let f = facts_of(&r, sc);
                let v = EventView::new(&r).unwrap();
                let fresh = process_event(&f, &v);
                let mut reused = process_event_in(&f, &v, &mut bufs);
                assert_eq!(reused, fresh, "round {round}: {lines:?}");
                bufs.recycle(&mut reused);
            }
        }
    }

    #[test]
    fn events_without_pid_observe_nothing() {
        let r = parse(&[
            "type=CONFIG_CHANGE msg=audit(1795396404.398:4): op=set audit_enabled=1 old=1 res=1",
        ]);
        let f = facts_of(&r, None);
        let ev = process_event(&f, &EventView::new(&r).unwrap());
        assert!(ev.observed.is_none() && ev.change.is_none());
    }
}
