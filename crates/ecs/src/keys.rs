//! Where a field of a non-structural record goes ([`classify`]): a subject
//! slot, `auditd.data`, or both.

/// Where a field of a non-structural record goes, decided by one match on
/// its key.
#[derive(Clone, Copy)]
pub(crate) enum KeyClass {
    /// A subject slot only (it has an ECS home, kept out of `auditd.data`).
    Subject(Slot),
    /// A subject slot and `auditd.data`; `bool`: the value may be hex-encoded.
    SubjectAndData(Slot, bool),
    /// `auditd.data` only; `bool`: the value may be hex-encoded.
    Data(bool),
    /// `msg`: the outer `msg='...'` of a user record is skipped (its fields
    /// come nested); any other `msg` goes to `auditd.data`.
    Msg,
}

/// The subject slots.
#[derive(Clone, Copy)]
pub(crate) enum Slot {
    Arch,
    Syscall,
    Success,
    Exit,
    A0,
    Items,
    Pid,
    Ppid,
    Auid,
    Uid,
    Gid,
    Euid,
    Suid,
    Fsuid,
    Egid,
    Sgid,
    Fsgid,
    Ses,
    Comm,
    Exe,
    Key,
    Res,
    Acct,
    Id,
    Addr,
    Hostname,
    Terminal,
    Cmd,
    Cwd,
}

/// Subject keys (first occurrence wins) are kept out of `auditd.data`,
/// except `items` and the user-session fields (`acct`, `id`, `addr`,
/// `hostname`, `terminal`, `cmd`, `cwd`), which are also written there.
/// Every other key goes to `auditd.data`, decoded when
/// [`crate::encoding::is_encoded_field`] says it may be hex-encoded.
#[inline(always)]
pub(crate) fn classify(key: &[u8]) -> KeyClass {
    use KeyClass::{Subject as S, SubjectAndData as SD};
    match key {
        b"arch" => S(Slot::Arch),
        b"syscall" => S(Slot::Syscall),
        b"success" => S(Slot::Success),
        b"exit" => S(Slot::Exit),
        b"a0" => S(Slot::A0),
        b"items" => SD(Slot::Items, false),
        b"pid" => S(Slot::Pid),
        b"ppid" => S(Slot::Ppid),
        b"auid" => S(Slot::Auid),
        b"uid" => S(Slot::Uid),
        b"gid" => S(Slot::Gid),
        b"euid" => S(Slot::Euid),
        b"suid" => S(Slot::Suid),
        b"fsuid" => S(Slot::Fsuid),
        b"egid" => S(Slot::Egid),
        b"sgid" => S(Slot::Sgid),
        b"fsgid" => S(Slot::Fsgid),
        b"ses" => S(Slot::Ses),
        b"comm" => S(Slot::Comm),
        b"exe" => S(Slot::Exe),
        b"key" => S(Slot::Key),
        b"res" => S(Slot::Res),
        b"acct" => SD(Slot::Acct, true),
        b"id" => SD(Slot::Id, false),
        b"addr" => SD(Slot::Addr, false),
        b"hostname" => SD(Slot::Hostname, false),
        b"terminal" => SD(Slot::Terminal, false),
        b"cmd" => SD(Slot::Cmd, true),
        b"cwd" => SD(Slot::Cwd, true),
        b"msg" => KeyClass::Msg,
        // Short keys that are never encoded, answered before the list.
        b"a1" | b"a2" | b"a3" | b"tty" | b"op" => KeyClass::Data(false),
        _ => KeyClass::Data(crate::encoding::is_encoded_field(key)),
    }
}
