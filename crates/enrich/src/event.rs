//! One reassembled audit event -> the [`ProcessEvent`] the session table
//! takes (see the `sessiondb` crate documentation for the mapping).

use audit_ecs::view::{EventView, Val};
use audit_ecs::ProcessFacts;
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
    u64::from_str_radix(std::str::from_utf8(v).ok()?, 16).ok()
}

/// The time of an event as the table wants it.
pub fn event_time(facts: &ProcessFacts<'_>) -> Time {
    Time::from_audit(facts.timestamp.0, facts.timestamp.1)
}

/// Translates one event. `view` must be the [`EventView`] of
/// `facts.records`. Events without a pid (or with pid 0) give
/// `observed: None`.
pub fn process_event(facts: &ProcessFacts<'_>, view: &EventView<'_>) -> ProcessEvent {
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
            tty: sc.value(b"tty").and_then(parse_audit_tty),
            comm: s.comm.and_then(|c| c.untrusted()).map(|c| c.into_owned()),
            exe: s.exe.and_then(|c| c.untrusted()).map(|c| c.into_owned()),
        });
        if let Some(name) = facts.syscall {
            let success = s.success.map(|v| v.raw) == Some(b"yes");
            let exit = s.exit.and_then(|v| dec_i64(v.raw)).unwrap_or(-1);
            let a0 = s.a0.and_then(|v| hex_u64(v.raw)).unwrap_or(0);
            let a1 = sc.value(b"a1").and_then(hex_u64).unwrap_or(0);
            ev.change = ProcessChange::from_syscall(name, success, exit, a0, a1);
            if let Some(ProcessChange::Exec { argv, cwd }) = &mut ev.change {
                *argv = view.args.iter().map(|a| a.to_vec()).collect();
                *cwd = view.cwd.as_ref().map(|c| c.to_vec());
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
                    addr: addr.to_vec(),
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
    fn events_without_pid_observe_nothing() {
        let r = parse(&[
            "type=CONFIG_CHANGE msg=audit(1795396404.398:4): op=set audit_enabled=1 old=1 res=1",
        ]);
        let f = facts_of(&r, None);
        let ev = process_event(&f, &EventView::new(&r).unwrap());
        assert!(ev.observed.is_none() && ev.change.is_none());
    }
}
