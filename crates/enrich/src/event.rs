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
/// `facts.records`. Events without a pid give `observed: None`.
pub fn process_event(facts: &ProcessFacts<'_>, view: &EventView<'_>) -> ProcessEvent {
    let time = event_time(facts);
    let mut ev = ProcessEvent {
        time,
        observed: None,
        change: None,
    };
    let Some(pid) = facts.pid else {
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
