//! `auditd.summary` (actor, object, how) and `auditd.data`.

use std::borrow::Cow;

use audit_tables::errno;

use crate::encoding::decode_untrusted;
use crate::ids::{Id, NameResolver};
use crate::json::JsonWriter;
use crate::normalize::{Norm, ObjectKind};
use crate::object::{FileObject, Sock};
use crate::serialize::Serializer;
use crate::sockaddr::{Family, SockAddr};
use crate::view::EventView;

/// A summary value: borrowed from the records or built.
type Text<'a> = Cow<'a, [u8]>;

/// Interpreters commonly seen as `exe`: the summary's `how` then uses `comm`
/// (the script name), as Auditbeat does.
fn is_interpreter(exe: &[u8]) -> bool {
    [
        &b"/usr/bin/python"[..],
        b"/usr/bin/sh",
        b"/usr/bin/bash",
        b"/usr/bin/perl",
    ]
    .iter()
    .any(|p| exe.starts_with(p))
}

impl<N: NameResolver> Serializer<N> {
    /// The value of field `key` for the summary: subject fields first, then
    /// `auditd.data`; decoded where the kernel encodes; ids as names or
    /// `unset`; `?` and empty values count as absent.
    fn lookup<'a>(
        &'a self,
        v: &'a EventView<'a>,
        sc_name: Option<&'a str>,
        key: &str,
    ) -> Option<Text<'a>> {
        let s = &v.subject;
        // One match: the subject slot, whether its value may be hex-encoded
        // ([`crate::encoding::is_encoded_field`]), whether it is an id.
        let (slot, encoded, id) = match key {
            "auid" => (s.auid, false, true),
            "uid" => (s.uid, false, true),
            "pid" => (s.pid, false, false),
            "ses" => (s.ses, false, true),
            "exe" => (s.exe, true, false),
            "comm" => (s.comm, true, false),
            "acct" => (s.acct, true, false),
            "id" => (s.id, false, false),
            "addr" => (s.addr, false, false),
            "hostname" => (s.hostname, false, false),
            "terminal" => (s.terminal, false, false),
            "cmd" => (s.cmd, true, false),
            "key" => (s.key, true, false),
            "syscall" => {
                if let Some(n) = sc_name {
                    return Some(Cow::Borrowed(n.as_bytes()));
                }
                (s.syscall, false, false)
            }
            "old-auid" | "old_auid" => (None, false, true),
            _ => (None, false, false),
        };
        let value: Text<'a> = match slot {
            Some(val) if encoded => decode_untrusted(val.raw, val.quoted)?,
            Some(val) => Cow::Borrowed(val.raw),
            None => Cow::Borrowed(v.data_value(key.as_bytes())?),
        };
        if value.is_empty() || &value[..] == b"?" {
            return None;
        }
        if id {
            if let Some(id) = Id::parse(&value) {
                return self.id_text(Some(id), false);
            }
        }
        Some(value)
    }

    fn first_of<'a>(
        &'a self,
        v: &'a EventView<'a>,
        sc_name: Option<&'a str>,
        keys: &[&str],
    ) -> Option<Text<'a>> {
        keys.iter().find_map(|k| self.lookup(v, sc_name, k))
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub(crate) fn write_summary<'a>(
        &'a self,
        w: &mut JsonWriter<'_>,
        v: &'a EventView<'a>,
        norm: Norm,
        sc_name: Option<&'a str>,
        file: Option<&FileObject<'a>>,
        sock: Option<&Sock>,
    ) {
        let look = |keys: &[&str]| self.first_of(v, sc_name, keys);
        let session = matches!(norm.object, ObjectKind::UserSession);
        // actor
        let primary = if norm.actor.is_empty() {
            look(&["auid"])
        } else {
            look(norm.actor)
        };
        let secondary = if session {
            look(&["acct", "id", "uid"])
        } else {
            look(&["uid"])
        };
        // object
        let (otype, oprim, osec): (Option<&str>, Option<Text<'_>>, Option<Text<'_>>) =
            match norm.object {
                ObjectKind::File { what, .. } => (
                    Some(file.and_then(|f| f.kind).map_or(what, |k| k.object_type())),
                    file.and_then(|f| f.path.clone()),
                    None,
                ),
                ObjectKind::Socket => {
                    let (p, sec) = match sock.map(|s| &s.addr) {
                        Some(a) => match (a.ip_port(), a.path()) {
                            (Some((ip, port)), _) => (
                                Some(Cow::Owned(ip.into_bytes())),
                                Some(Cow::Owned(port.to_string().into_bytes())),
                            ),
                            (None, Some(path)) => (Some(Cow::Owned(path)), None),
                            _ => (None, None),
                        },
                        None => (None, None),
                    };
                    (Some("socket"), p, sec)
                }
                ObjectKind::Process => (
                    Some("process"),
                    look(&["cmd", "exe", "comm"]),
                    look(&["pid"]),
                ),
                ObjectKind::UserSession => (
                    Some("user-session"),
                    look(&["terminal"]),
                    look(&["addr", "hostname"]),
                ),
                ObjectKind::Fields {
                    what,
                    primary,
                    secondary,
                } => (
                    Some(what).filter(|w| !w.is_empty()),
                    look(primary),
                    look(secondary),
                ),
                ObjectKind::Other(what) => (Some(what), None, None),
                ObjectKind::None => (None, None, None),
            };
        // how
        let how = if !norm.how.is_empty() {
            look(norm.how)
        } else if session {
            look(&["exe", "terminal"])
        } else {
            match look(&["exe"]) {
                Some(e) if is_interpreter(&e) => look(&["comm"]).or(Some(e)),
                Some(e) => Some(e),
                None => look(&["comm"]),
            }
        };
        let has_actor = primary.is_some() || secondary.is_some();
        let has_object = otype.is_some() || oprim.is_some();
        if !has_actor && !has_object && how.is_none() {
            return;
        }
        w.begin_object("summary");
        if has_actor {
            w.begin_object("actor");
            if let Some(p) = &primary {
                w.str_field("primary", p);
            }
            if let Some(p) = &secondary {
                w.str_field("secondary", p);
            }
            w.end();
        }
        if has_object {
            w.begin_object("object");
            if let Some(t) = otype {
                w.str_field("type", t.as_bytes());
            }
            if let Some(p) = &oprim {
                w.str_field("primary", p);
            }
            if let Some(p) = &osec {
                w.str_field("secondary", p);
            }
            w.end();
        }
        if let Some(h) = how {
            w.str_field("how", &h);
        }
        w.end();
    }

    pub(crate) fn write_data(
        &self,
        w: &mut JsonWriter<'_>,
        v: &EventView<'_>,
        arch_name: Option<&str>,
        sc_name: Option<&str>,
        sock: Option<&Sock>,
    ) {
        let s = &v.subject;
        if v.data.is_empty()
            && s.arch.is_none()
            && s.syscall.is_none()
            && sock.is_none()
            && !v.has_execve
        {
            return;
        }
        w.begin_object("data");
        if let Some(a) = s.arch {
            w.str_field("arch", arch_name.map_or(a.raw, str::as_bytes));
        }
        if let Some(x) = s.syscall {
            w.str_field("syscall", sc_name.map_or(x.raw, str::as_bytes));
        }
        if let Some(x) = s.exit {
            let name = errno_of_exit(x.raw).and_then(errno::name);
            w.str_field("exit", name.map_or(x.raw, str::as_bytes));
        }
        if let Some(x) = s.a0 {
            w.str_field("a0", x.raw);
        }
        if let Some(argc) = v.argc {
            w.u64_str_field("argc", u64::from(argc));
        }
        for d in &v.data {
            // One byte tells the keys that need a look: `argc` (written
            // above), `sig` (a name), ids (`unset`).
            match d.key.last() {
                Some(b'c') if d.key == b"argc" => continue,
                Some(b'g') if d.key == b"sig" => {
                    if let Some(name) = parse_small(&d.value).and_then(signal_name) {
                        w.str_field_bytes(d.key, name.as_bytes());
                        continue;
                    }
                }
                Some(b'd' | b's') if is_id_key(d.key) => {
                    if let Some(Id::Unset) = Id::parse(&d.value) {
                        w.str_field_bytes(d.key, b"unset");
                        continue;
                    }
                }
                _ => {}
            }
            w.str_field_bytes(d.key, &d.value);
        }
        if let Some(sock) = sock {
            w.begin_object("socket");
            match sock.addr.family() {
                Family::Name(n) => w.str_field("family", n.as_bytes()),
                Family::Number(n) => w.u64_str_field("family", u64::from(n)),
            }
            if let Some((ip, port)) = sock.addr.ip_port() {
                w.str_field("addr", ip.as_bytes());
                w.u64_str_field("port", u64::from(port));
            }
            if let Some(p) = sock.addr.path() {
                w.str_field("path", &p);
            }
            if let SockAddr::Netlink { pid, groups } = sock.addr {
                w.u64_str_field("pid", u64::from(pid));
                w.u64_str_field("groups", u64::from(groups));
            }
            if sock.addr.ip_port().is_none() && sock.addr.path().is_none() {
                w.str_field("saddr", &sock.raw);
            }
            w.end();
        }
        w.end();
    }
}

/// The errno of a failed syscall's `exit` value: `-1` .. `-4095` (as
/// decimal text) gives 1 .. 4095; anything else `None`.
fn errno_of_exit(v: &[u8]) -> Option<i32> {
    let digits = v.strip_prefix(b"-")?;
    // Up to 18 digits cannot overflow an i64 (leading zeros count).
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
    (1..4096).contains(&n).then_some(n as i32)
}

/// Data keys holding a uid/gid/session that may be 4294967295.
fn is_id_key(key: &[u8]) -> bool {
    key.ends_with(b"uid") || key.ends_with(b"gid") || key.ends_with(b"ses") || key == b"id"
}

fn parse_small(v: &[u8]) -> Option<u32> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Linux signal names (x86, arm, generic numbering) for `sig=` values.
pub fn signal_name(n: u32) -> Option<&'static str> {
    const NAMES: [&str; 31] = [
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get((n as usize).checked_sub(1)?).copied()
}

#[cfg(test)]
mod tests {
    use super::errno_of_exit;

    #[test]
    fn errno_of_exit_matches_the_i64_parse() {
        let reference = |v: &[u8]| {
            std::str::from_utf8(v)
                .ok()
                .and_then(|t| t.parse::<i64>().ok())
                .filter(|&n| n < 0 && n > -4096)
                .map(|n| -n as i32)
        };
        for v in [
            &b"-1"[..],
            b"-13",
            b"-4095",
            b"-4096",
            b"-0",
            b"0",
            b"3",
            b"-",
            b"",
            b"--1",
            b"-01",
            b"-0013",
            b"-00013",
            b"+13",
            b"-1a",
            b"-99999999999999999999",
        ] {
            assert_eq!(errno_of_exit(v), reference(v), "{v:?}");
        }
    }
}
