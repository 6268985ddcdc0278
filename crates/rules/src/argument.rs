//! `auditctl -l -i`'s names for `-F a0..a3` values: libauparse 3.0.9's
//! interpretation of a syscall argument (`print_a0`..`print_a3` of
//! auparse/interpret.c, as libauparse 3.0.9 behaves), given the rule's
//! arch, its one syscall and the `a0`/`a1` values printed before.
//!
//! The name tables come from `audit_tables::argnames`; which printer
//! applies to which syscall argument, and each printer's fallback text,
//! are checked against libauparse itself by
//! `tests/auparse_arguments.rs` (fixture `tests/fixtures/auparse-args-3.0.9.jsonl`).
//! User, group and protocol names come from an [`ArgNames`] (auparse asks
//! `getpwuid`, `getgrgid`, `getprotobynumber`).

use audit_tables::argnames::{self as t, Table};

/// The host lookups auparse makes while interpreting arguments.
pub trait ArgNames {
    /// The name of user `uid` (`getpwuid`).
    fn user_name(&self, uid: u32) -> Option<String>;
    /// The name of group `gid` (`getgrgid`).
    fn group_name(&self, gid: u32) -> Option<String>;
    /// The name of IP protocol `proto` (`getprotobynumber`).
    fn protocol_name(&self, proto: u32) -> Option<String>;
}

/// A host without users, groups or protocols: every lookup misses.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNames;

impl ArgNames for NoNames {
    fn user_name(&self, _: u32) -> Option<String> {
        None
    }
    fn group_name(&self, _: u32) -> Option<String> {
        None
    }
    fn protocol_name(&self, _: u32) -> Option<String> {
        None
    }
}

const AT_FDCWD: u32 = -100i32 as u32;
const O_CREAT: u32 = 0o100;
const PR_SET_PDEATHSIG: u32 = 1;
const PR_CAPBSET_READ: u32 = 23;
const PR_CAPBSET_DROP: u32 = 24;
const F_SETFD: u32 = 2;
const F_SETOWN: u32 = 8;
const ADDR_NO_RANDOMIZE: u32 = 0x0040000;
const SCHED_RESET_ON_FORK: u32 = 0x4000_0000;
const S_IFMT: u32 = 0o170000;

/// How auditctl 3.0.9 `-l -i` prints argument `arg` (0..=3) with value
/// `value` of a rule on `arch` (`AUDIT_ARCH_*`; `None` when the rule has no
/// `arch` field: auparse then knows no syscall name and prints hex) for
/// syscall `syscall`, `a0`/`a1` being the values of the rule's `a0`/`a1`
/// fields printed before this one (0 if none).
pub fn interpret(
    arch: Option<u32>,
    syscall: u32,
    arg: u8,
    value: u32,
    a0: u32,
    a1: u32,
    names: &dyn ArgNames,
) -> String {
    let sys = arch.and_then(|a| audit_tables::syscall::name(a, syscall));
    let Some(sys) = sys else {
        return hex(value);
    };
    let v = value;
    let out = match arg {
        0 => a0_text(sys, v, names),
        1 => a1_text(sys, v, a0, names),
        2 => a2_text(sys, v, a1, arch, names),
        3 => a3_text(sys, v),
        _ => None,
    };
    out.unwrap_or_else(|| hex(v))
}

fn a0_text(sys: &str, v: u32, names: &dyn ArgNames) -> Option<String> {
    Some(match sys {
        "rt_sigaction" => signal(v),
        "clock_settime" => clock_id(v),
        "personality" => personality(v),
        "ptrace" => named(Table::PtraceRequests, v, "unknown-ptrace(0x{})"),
        "prctl" => named(Table::PrctlOptions, v, "unknown-prctl-option(0x{})"),
        "unshare" => clone_flags(v),
        "getrlimit" | "setrlimit" => rlimit(v),
        "setuid" | "setreuid" | "setresuid" | "setfsuid" => uid(v, names),
        "setgid" | "setregid" | "setresgid" | "setfsgid" => gid(v, names),
        "socket" => named(Table::SocketFamilies, v, "unknown-family(0x{})"),
        "socketcall" => named(Table::Socketcalls, v, "unknown-socketcall({})"),
        "bpf" => named(Table::BpfCommands, v, "unknown-bpf-cmd({})"),
        "exit" | "exit_group" => match v {
            0 => "EXIT_SUCCESS".into(),
            1 => "EXIT_FAILURE".into(),
            _ => "UNKNOWN".into(),
        },
        "faccessat" | "faccessat2" | "fchmodat" | "fchownat" | "futimesat" | "linkat"
        | "mkdirat" | "mknodat" | "name_to_handle_at" | "newfstatat" | "openat" | "openat2"
        | "readlinkat" | "renameat" | "renameat2" | "unlinkat" | "utimensat" => dirfd(v),
        _ => return None,
    })
}

fn a1_text(sys: &str, v: u32, a0: u32, names: &dyn ArgNames) -> Option<String> {
    Some(match sys {
        "fchmod" | "chmod" | "creat" | "mkdir" => mode_short(v),
        "fcntl" | "fcntl64" => match t::name(Table::FcntlCommands, v) {
            Some(n) => n.into(),
            None => format!("unknown-fcntl-command({})", v as i32),
        },
        "chown" | "chown32" => uid(v, names),
        "getsockopt" | "setsockopt" => socket_level(v, names),
        "setreuid" | "setresuid" => uid(v, names),
        "setregid" | "setresgid" => gid(v, names),
        "socket" => match t::name(Table::SocketTypes, v & 0xFF) {
            Some(n) => n.into(),
            None => format!("unknown-type({v:x})"),
        },
        "setns" => clone_flags(v),
        "sched_setscheduler" => match t::name(Table::SchedPolicies, v & 0x0F) {
            Some(n) if v & SCHED_RESET_ON_FORK != 0 => format!("{n}|SCHED_RESET_ON_FORK"),
            Some(n) => n.into(),
            None => format!("unknown-scheduler-policy(0x{v:x})"),
        },
        "mknod" => mode(v),
        "mq_open" | "open" => open_flags(v),
        "access" => access(v),
        "epoll_ctl" => match t::name(Table::EpollCtlOps, v) {
            Some(n) => n.into(),
            None => format!("unknown-epoll_ctl-operation({})", v as i32),
        },
        "kill" | "tkill" => signal(v),
        "prctl" => match a0 {
            PR_CAPBSET_READ | PR_CAPBSET_DROP => {
                named(Table::Capabilities, v, "unknown-capability(0x{})")
            }
            PR_SET_PDEATHSIG => signal(v),
            _ => return None,
        },
        "umount2" => flags(t::UMOUNT_FLAGS, v).unwrap_or_else(|| hex(v)),
        "ioctl" => t::name(Table::IoctlRequests, v).map_or_else(|| hex(v), Into::into),
        _ => return None,
    })
}

fn a2_text(sys: &str, v: u32, a1: u32, arch: Option<u32>, names: &dyn ArgNames) -> Option<String> {
    Some(match sys {
        "fcntl" | "fcntl64" => match a1 {
            F_SETOWN => uid(v, names),
            F_SETFD if v == 1 => "FD_CLOEXEC".into(),
            _ => return None,
        },
        "getsockopt" | "setsockopt" => match a1 {
            0 => named(Table::IpOptionNames, v, "unknown-ipopt-name(0x{})"),
            1 => {
                // PPC's SO_* 16..21 sit at +100 in auparse's table.
                let ppc = matches!(
                    arch,
                    Some(0x14 | 0x8000_0015) // AUDIT_ARCH_PPC, AUDIT_ARCH_PPC64
                );
                let opt = if ppc && (16..=21).contains(&v) {
                    v + 100
                } else {
                    v
                };
                match t::name(Table::SocketOptionNames, opt) {
                    Some(n) => n.into(),
                    None => format!("unknown-sockopt-name(0x{v:x})"),
                }
            }
            6 => named(Table::TcpOptionNames, v, "unknown-tcpopt-name(0x{})"),
            17 => match v {
                1 => "UDP_CORK".into(),
                100 => "UDP_ENCAP".into(),
                _ => format!("unknown-udpopt-name(0x{v:x})"),
            },
            41 => named(Table::Ip6OptionNames, v, "unknown-ip6opt-name(0x{})"),
            263 => named(Table::PacketOptionNames, v, "unknown-pktopt-name(0x{})"),
            _ => return None,
        },
        "openat" | "open_by_handle_at" => open_flags(v),
        "open" | "mq_open" if a1 & O_CREAT != 0 => mode_short(v),
        "fchmodat" | "mkdirat" | "mknodat" => mode_short(v),
        "faccessat" | "faccessat2" => access(v),
        "setresuid" => uid(v, names),
        "setresgid" => gid(v, names),
        "socket" => match names.protocol_name(v) {
            Some(n) => n,
            None => format!("unknown-proto({v:x})"),
        },
        "sendmsg" | "recvmsg" => flags(t::RECV_FLAGS, v).unwrap_or_else(|| hex(v)),
        "shmget" => shm_flags(v),
        "mmap" => prot(v, 4),
        "mprotect" => prot(v, 3),
        "readlinkat" | "linkat" | "renameat" | "renameat2" => dirfd(v),
        "lseek" => match t::name(Table::SeekWhence, v & 0xFF) {
            Some(n) => n.into(),
            None => format!("unknown-whence({v:x})"),
        },
        "tgkill" => signal(v),
        "clone" => clone_flags(v),
        _ => return None,
    })
}

fn a3_text(sys: &str, v: u32) -> Option<String> {
    Some(match sys {
        "mmap" => {
            let mut s = flags(t::MMAP_FLAGS, v);
            if v & 0x0F == 0 {
                s = Some(match s {
                    Some(rest) => format!("MAP_FILE|{rest}"),
                    None => "MAP_FILE".into(),
                });
            }
            s.unwrap_or_else(|| hex(v))
        }
        "mount" => flags(t::MOUNT_FLAGS, v).unwrap_or_else(|| hex(v)),
        "recv" | "recvfrom" | "recvmmsg" | "send" | "sendto" | "sendmmsg" => {
            flags(t::RECV_FLAGS, v).unwrap_or_else(|| hex(v))
        }
        _ => return None,
    })
}

fn hex(v: u32) -> String {
    format!("0x{v:x}")
}

/// `table`'s name for `v`, else `unknown` with `{}` replaced by `v` in
/// lowercase hex (auparse prints the value string it was given, `%x`).
fn named(table: Table, v: u32, unknown: &str) -> String {
    match t::name(table, v) {
        Some(n) => n.into(),
        None => unknown.replacen("{}", &format!("{v:x}"), 1),
    }
}

fn signal(v: u32) -> String {
    let name = if (v as i32) < 32 {
        t::name(Table::Signals, v)
    } else {
        None
    };
    name.map_or_else(|| format!("unknown-signal(0x{v:x})"), Into::into)
}

fn clock_id(v: u32) -> String {
    let name = if (v as i32) < 7 {
        t::name(Table::ClockIds, v)
    } else {
        None
    };
    name.map_or_else(|| format!("unknown-clk_id(0x{v:x})"), Into::into)
}

fn rlimit(v: u32) -> String {
    let name = if (v as i32) < 17 {
        t::name(Table::Rlimits, v)
    } else {
        None
    };
    name.map_or_else(|| format!("unknown-rlimit(0x{v:x})"), Into::into)
}

fn personality(v: u32) -> String {
    match t::name(Table::Personalities, v & 0xFF) {
        Some(n) if v & ADDR_NO_RANDOMIZE != 0 => format!("{n}|~ADDR_NO_RANDOMIZE"),
        Some(n) => n.into(),
        None => format!("unknown-personality(0x{v:x})"),
    }
}

/// `aulookup_uid`: `unset`, `root`, the user's name or `unknown(%d)`.
fn uid(v: u32, names: &dyn ArgNames) -> String {
    match v {
        u32::MAX => "unset".into(),
        0 => "root".into(),
        _ => names
            .user_name(v)
            .unwrap_or_else(|| format!("unknown({})", v as i32)),
    }
}

fn gid(v: u32, names: &dyn ArgNames) -> String {
    match v {
        u32::MAX => "unset".into(),
        0 => "root".into(),
        _ => names
            .group_name(v)
            .unwrap_or_else(|| format!("unknown({})", v as i32)),
    }
}

fn dirfd(v: u32) -> String {
    if v == AT_FDCWD {
        "AT_FDCWD".into()
    } else {
        hex(v)
    }
}

fn socket_level(v: u32, names: &dyn ArgNames) -> String {
    if v == 1 {
        return "SOL_SOCKET".into();
    }
    if let Some(p) = names.protocol_name(v) {
        return p;
    }
    named(Table::SocketLevels, v, "unknown-sockopt-level(0x{})")
}

/// The names of `table`'s entries that share a bit with `v`, joined by
/// `|`, or `None` when there are none.
fn flags(table: &[(u32, &str)], v: u32) -> Option<String> {
    let mut out = String::new();
    for &(bits, name) in table {
        if bits & v != 0 {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn open_flags(v: u32) -> String {
    let rest = flags(t::OPEN_FLAGS, v);
    if v & 3 == 0 {
        match rest {
            Some(r) => format!("O_RDONLY|{r}"),
            None => "O_RDONLY".into(),
        }
    } else {
        rest.unwrap_or_else(|| hex(v))
    }
}

fn clone_flags(v: u32) -> String {
    let mut out = flags(t::CLONE_FLAGS, v).unwrap_or_default();
    let sig = v & 0xFF;
    if sig != 0 && sig < 32 {
        if let Some(s) = t::name(Table::Signals, sig) {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(s);
        }
    }
    if out.is_empty() {
        hex(v)
    } else {
        out
    }
}

fn access(v: u32) -> String {
    if v & 0xF == 0 {
        return "F_OK".into();
    }
    flags(&t::ACCESS_MODES[..3.min(t::ACCESS_MODES.len())], v).unwrap_or_else(|| hex(v))
}

fn prot(v: u32, limit: usize) -> String {
    if v & 7 == 0 {
        return "PROT_NONE".into();
    }
    let table = &t::PROT_FLAGS[..limit.min(t::PROT_FLAGS.len())];
    flags(table, v).unwrap_or_else(|| hex(v))
}

/// `print_mode_short_int`: special bits, then the permission bits in octal.
fn mode_short(v: u32) -> String {
    let mut special = Vec::new();
    for (bit, name) in [(0o4000, "suid"), (0o2000, "sgid"), (0o1000, "sticky")] {
        if v & bit != 0 {
            special.push(name);
        }
    }
    if special.is_empty() {
        format!("0{:03o}", v & 0o777)
    } else {
        format!("{},0{:03o}", special.join(","), v & 0o777)
    }
}

/// `print_mode`: file type, special bits, permission bits.
fn mode(v: u32) -> String {
    let mut s = match audit_tables::ftype::name(v & S_IFMT) {
        Some(n) => n.to_string(),
        None => format!("{:03o}", (v & S_IFMT) / 0o10000),
    };
    for (bit, name) in [(0o4000, ",suid"), (0o2000, ",sgid"), (0o1000, ",sticky")] {
        if v & bit != 0 {
            s.push_str(name);
        }
    }
    format!("{s},{:03o}", v & 0o777)
}

/// `print_shmflags`: IPC_CREAT/IPC_EXCL, SHM_HUGETLB/SHM_NORESERVE, mode.
fn shm_flags(v: u32) -> String {
    let mut out = flags(t::SHM_FLAGS, v & 0o17000).unwrap_or_default();
    if !out.is_empty() {
        out.push('|');
    }
    out.push_str(&mode_short(v & 0o777));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const X86_64: Option<u32> = Some(0xc000_003e);

    fn i(sc: &str, arg: u8, v: u32) -> String {
        let nr = audit_tables::syscall::number(0xc000_003e, sc).unwrap();
        interpret(X86_64, nr, arg, v, 0, 0, &NoNames)
    }

    #[test]
    fn the_interpretations_auditctl_prints_in_the_sample_rules() {
        assert_eq!(i("ptrace", 0, 4), "PTRACE_POKETEXT");
        assert_eq!(i("clock_settime", 0, 0), "CLOCK_REALTIME");
        assert_eq!(i("open", 1, 0x41), "O_WRONLY|O_CREAT");
        assert_eq!(i("open", 1, 0x40), "O_RDONLY|O_CREAT");
        assert_eq!(i("open", 1, 0x203), "O_WRONLY|O_RDWR|O_TRUNC");
        assert_eq!(i("setuid", 0, 0), "root");
        assert_eq!(i("setuid", 0, 1000), "unknown(1000)");
        assert_eq!(i("setuid", 0, u32::MAX), "unset");
    }

    #[test]
    fn fallbacks_and_no_arch() {
        assert_eq!(i("read", 0, 0x1A), "0x1a");
        assert_eq!(i("ptrace", 0, 0x6000), "unknown-ptrace(0x6000)");
        assert_eq!(i("socket", 1, 0x6000), "unknown-type(6000)");
        assert_eq!(interpret(None, 101, 0, 4, 0, 0, &NoNames), "0x4");
        assert_eq!(i("ptrace", 7, 4), "0x4");
    }

    #[test]
    fn socket_levels_without_and_with_protocol_names() {
        struct Protocols;
        impl ArgNames for Protocols {
            fn user_name(&self, _: u32) -> Option<String> {
                None
            }
            fn group_name(&self, _: u32) -> Option<String> {
                None
            }
            fn protocol_name(&self, p: u32) -> Option<String> {
                (p == 6).then(|| "tcp".to_string())
            }
        }
        let so = audit_tables::syscall::number(0xc000_003e, "setsockopt").unwrap();
        assert_eq!(interpret(X86_64, so, 1, 6, 0, 0, &NoNames), "SOL_TCP");
        assert_eq!(interpret(X86_64, so, 1, 6, 0, 0, &Protocols), "tcp");
        assert_eq!(interpret(X86_64, so, 1, 1, 0, 0, &Protocols), "SOL_SOCKET");
        assert_eq!(
            interpret(X86_64, so, 1, 0x6000, 0, 0, &NoNames),
            "unknown-sockopt-level(0x6000)"
        );
    }

    #[test]
    fn context_dependent() {
        let prctl = audit_tables::syscall::number(0xc000_003e, "prctl").unwrap();
        assert_eq!(
            interpret(X86_64, prctl, 1, 30, 23, 0, &NoNames),
            "audit_control"
        );
        assert_eq!(interpret(X86_64, prctl, 1, 9, 1, 0, &NoNames), "SIGKILL");
        assert_eq!(interpret(X86_64, prctl, 1, 9, 0, 0, &NoNames), "0x9");
        let open = audit_tables::syscall::number(0xc000_003e, "open").unwrap();
        assert_eq!(interpret(X86_64, open, 2, 0o644, 0, 0x41, &NoNames), "0644");
        assert_eq!(interpret(X86_64, open, 2, 0o644, 0, 1, &NoNames), "0x1a4");
    }
}
