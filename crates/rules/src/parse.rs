//! auditctl 3.0.9's option processing (`setopt` and `handle_request`),
//! turning one command line or one rule-file line into [`Command`]s.
//! Nothing is performed: the caller executes the commands.

use crate::builder::{lossy, Builder, SyscallError};
use crate::command::{Command, Parsed};
use crate::error::RuleError;
use crate::getopt::{GetOpt, Opt};
use crate::host::Host;
use crate::kernel::*;
use crate::number::{starts_digit, strtoul};
use crate::rule::{Action, FilterList};

/// Parse an auditctl command line (`args` without the program name), as
/// `auditctl ARGS...` would. `auditctl -R FILE` gives
/// [`Command::LoadFile`]; the caller parses the file with
/// [`crate::file::parse_rule_file`].
pub fn parse_args<A: AsRef<[u8]>>(args: &[A], host: &dyn Host) -> Result<Parsed, RuleError> {
    if args.len() == 2 && args[0].as_ref() == b"-R" {
        let file = crate::rule::until_nul(args[1].as_ref()).to_vec();
        return Ok(Parsed {
            commands: vec![Command::LoadFile(file)],
            warnings: Vec::new(),
        });
    }
    let words = std::iter::once(&b"auditctl"[..])
        .chain(args.iter().map(|a| a.as_ref()))
        .map(|w| crate::rule::until_nul(w).to_vec())
        .collect();
    Setopt::new(host, 0).run(words)
}

/// Parse the words of one rule-file line (already split as auditctl does).
pub(crate) fn parse_words(
    words: Vec<Vec<u8>>,
    lineno: usize,
    host: &dyn Host,
) -> Result<Parsed, RuleError> {
    let words = std::iter::once(b"auditctl".to_vec()).chain(words).collect();
    Setopt::new(host, lineno).run(words)
}

/// What `audit_rule_setup` found wrong.
enum Setup {
    Multiple,
    Bad,
    Deprecated,
}

struct Setopt<'h> {
    b: Builder<'h>,
    lineno: usize,
    add: u32,
    del: u32,
    action: Option<u32>,
    exclude: bool,
    multiple: u32,
    list_requested: bool,
    key: Vec<u8>,
    out: Parsed,
    /// Index in `out.commands` after the first status-changing command.
    status_at: Option<usize>,
}

fn lookup_filter(s: &[u8]) -> Option<u32> {
    Some(match s {
        b"exit" => AUDIT_FILTER_EXIT,
        b"task" => AUDIT_FILTER_TASK,
        b"user" => AUDIT_FILTER_USER,
        b"exclude" => AUDIT_FILTER_EXCLUDE,
        b"filesystem" => AUDIT_FILTER_FS,
        // Not in auditctl 3.0.9 (added in 3.1); the kernel has the list.
        b"io_uring" => AUDIT_FILTER_URING_EXIT,
        _ => return None,
    })
}

/// `lookup_action`: Ok(Some(action)), Ok(None) for `possible`, Err for other.
fn lookup_action(s: &[u8]) -> Result<Option<u32>, ()> {
    match s {
        b"always" => Ok(Some(AUDIT_ALWAYS)),
        b"never" => Ok(Some(AUDIT_NEVER)),
        b"possible" => Ok(None),
        _ => Err(()),
    }
}

impl<'h> Setopt<'h> {
    fn new(host: &'h dyn Host, lineno: usize) -> Self {
        Setopt {
            b: Builder::new(host),
            lineno,
            add: AUDIT_FILTER_UNSET,
            del: AUDIT_FILTER_UNSET,
            action: None,
            exclude: false,
            multiple: 0,
            list_requested: false,
            key: Vec::new(),
            out: Parsed::default(),
            status_at: None,
        }
    }

    /// auditctl's `audit_rule_setup` on `add` (or `del` when `delete`).
    fn rule_setup(&mut self, opt: &[u8], delete: bool) -> Result<(), Setup> {
        self.multiple += 1;
        if self.multiple != 1 {
            return Err(Setup::Multiple);
        }
        let Some(comma) = opt.iter().position(|&c| c == b',') else {
            return Err(Setup::Bad);
        };
        let (first, second) = (&opt[..comma], &opt[comma + 1..]);
        if second.contains(&b',') {
            return Err(Setup::Bad);
        }
        let mut filter = if delete { self.del } else { self.add };
        let mut act = self.action;
        match lookup_action(first) {
            Ok(Some(a)) => act = Some(a),
            Ok(None) => {}
            Err(()) => {
                filter = lookup_filter(first).ok_or(Setup::Bad)?;
                if filter == AUDIT_FILTER_EXCLUDE {
                    self.exclude = true;
                }
            }
        }
        if filter == AUDIT_FILTER_UNSET {
            if let Some(f) = lookup_filter(second) {
                filter = f;
                if f == AUDIT_FILTER_EXCLUDE {
                    self.exclude = true;
                }
            }
        } else {
            match lookup_action(second) {
                Ok(Some(a)) => act = Some(a),
                Ok(None) => return Err(Setup::Deprecated),
                Err(()) => return Err(Setup::Bad),
            }
        }
        if delete {
            self.del = filter;
        } else {
            self.add = filter;
        }
        self.action = act;
        if filter == AUDIT_FILTER_UNSET || act.is_none() {
            return Err(Setup::Bad);
        }
        Ok(())
    }

    fn list_flags(&self) -> u32 {
        if self.add != AUDIT_FILTER_UNSET {
            self.add & AUDIT_FILTER_MASK
        } else if self.del != AUDIT_FILTER_UNSET {
            self.del & AUDIT_FILTER_MASK
        } else {
            AUDIT_FILTER_UNSET
        }
    }

    fn push_setting(&mut self, c: Command) {
        self.out.commands.push(c);
        if self.status_at.is_none() {
            self.status_at = Some(self.out.commands.len());
        }
    }

    fn warn(&mut self, w: String) {
        self.out.warnings.push(w);
    }

    fn process_key(&mut self, k: &[u8]) -> Result<(), RuleError> {
        let total = k.len() + self.key.len() + usize::from(!self.key.is_empty());
        if total > AUDIT_MAX_KEY_LEN {
            return Err(RuleError::KeyTooLong { len: total });
        }
        if k.contains(&AUDIT_KEY_SEPARATOR) {
            self.warn(format!("key {} has illegal character", lossy(k)));
        }
        if !self.key.is_empty() {
            self.key.push(AUDIT_KEY_SEPARATOR);
        }
        self.key.extend_from_slice(k);
        Ok(())
    }

    /// `-S`.
    fn syscall_option(&mut self, arg: &[u8]) -> Result<(), RuleError> {
        let unknown_arch = self.b.elf == 0;
        let m = AUDIT_FILTER_MASK | AUDIT_FILTER_UNSET;
        if self.add & m == AUDIT_FILTER_URING_EXIT || self.del & m == AUDIT_FILTER_URING_EXIT {
            return self.io_uring_option(arg);
        }
        for (list, name) in [
            (AUDIT_FILTER_TASK, "task"),
            (AUDIT_FILTER_USER, "user"),
            (AUDIT_FILTER_FS, "filesystem"),
        ] {
            if self.add & m == list || self.del & m == list {
                return Err(RuleError::SyscallOnList { list: name });
            }
        }
        if self.exclude {
            return Err(RuleError::SyscallOnExclude);
        }
        if unknown_arch {
            let elf = self
                .b
                .host
                .machine_arch()
                .ok_or(RuleError::UnknownMachine)?;
            if !crate::builder::elf_known(elf) {
                return Err(RuleError::UnknownMachine);
            }
            self.b.elf = elf;
        }
        if arg.contains(&b',') {
            for name in arg.split(|&c| c == b',').filter(|s| !s.is_empty()) {
                match self.b.syscall(name) {
                    Ok(()) => {}
                    Err(SyscallError::Unknown) => {
                        return Err(RuleError::UnknownSyscall { name: lossy(name) })
                    }
                    Err(SyscallError::Machine) => {
                        return Err(RuleError::UnknownElf { elf: self.b.elf })
                    }
                }
            }
        } else {
            match self.b.syscall(arg) {
                Ok(()) => {}
                Err(SyscallError::Unknown) => {
                    return Err(RuleError::UnknownSyscall { name: lossy(arg) })
                }
                Err(SyscallError::Machine) => {
                    return Err(RuleError::UnknownElf { elf: self.b.elf })
                }
            }
        }
        self.b.syscall_added = true;
        if unknown_arch && self.add != AUDIT_FILTER_UNSET {
            self.check_rule_mismatch(arg);
        }
        Ok(())
    }

    /// `-S` on the io_uring list (auditctl 3.1): io_uring op names, `all`
    /// or numbers, comma separated; no arch needed.
    fn io_uring_option(&mut self, arg: &[u8]) -> Result<(), RuleError> {
        for name in arg.split(|&c| c == b',').filter(|s| !s.is_empty()) {
            if self.b.io_uring_op(name).is_err() {
                return Err(RuleError::UnknownIoUringOp { name: lossy(name) });
            }
        }
        self.b.syscall_added = true;
        Ok(())
    }

    /// auditctl's `check_rule_mismatch`: warn when the syscalls would
    /// differ on the 32-bit ABI of the host.
    fn check_rule_mismatch(&mut self, arg: &[u8]) {
        let elf = match self.b.elf {
            AUDIT_ARCH_X86_64 => AUDIT_ARCH_I386,
            AUDIT_ARCH_PPC64 => AUDIT_ARCH_PPC,
            AUDIT_ARCH_S390X => AUDIT_ARCH_S390,
            e => e,
        };
        let mut tmp = [0u32; AUDIT_BITMASK_SIZE];
        for name in arg.split(|&c| c == b',').filter(|s| !s.is_empty()) {
            let _ = Builder::syscall_into(self.b.host, &mut tmp, elf, name);
        }
        if tmp != self.b.rule.mask {
            let w = if self.lineno > 0 {
                format!(
                    "WARNING - 32/64 bit syscall mismatch in line {}, you should specify an arch",
                    self.lineno
                )
            } else {
                "WARNING - 32/64 bit syscall mismatch, you should specify an arch".to_string()
            };
            self.warn(w);
        }
    }

    /// `-w`/`-W`: auditctl's `check_path`, trailing-slash trimming, stat.
    fn watch_option(&mut self, path: &[u8]) -> Result<(), RuleError> {
        if path.len() >= PATH_MAX {
            return Err(RuleError::WatchPathTooBig { len: path.len() });
        }
        if path.first() != Some(&b'/') {
            return Err(RuleError::WatchPathNotAbsolute { path: lossy(path) });
        }
        let base = basename(path);
        if base.len() > NAME_MAX {
            return Err(RuleError::WatchBaseNameTooBig { len: base.len() });
        }
        if path.windows(2).any(|w| w == b"..") {
            self.warn("Warning - relative path notation is not supported".into());
        }
        if path.contains(&b'*') || path.contains(&b'?') {
            self.warn("Warning - wildcard notation is not supported".into());
        }
        let mut p = path;
        if p.len() > 2 && p.last() == Some(&b'/') {
            while p.len() > 1 && p.last() == Some(&b'/') {
                p = &p[..p.len() - 1];
            }
        }
        let is_dir = self.b.host.is_dir(p);
        self.b.watch(is_dir, p)
    }

    fn run(mut self, words: Vec<Vec<u8>>) -> Result<Parsed, RuleError> {
        let mut count = words.len();
        let mut g = GetOpt::new(words);
        let mut retval: i32 = 0;
        while retval >= 0 {
            let Some(opt) = g.next(count) else { break };
            let optarg = g.optarg.clone().unwrap_or_default();
            let at = |g: &GetOpt, i: usize| g.args.get(i).cloned();
            match opt {
                Opt::Short(b'h') => {
                    self.out.commands.push(Command::Help);
                    return Ok(self.out);
                }
                Opt::Short(b'i') => {
                    self.out.commands.push(Command::IgnoreErrors);
                    retval = -2;
                }
                Opt::Short(b'c') => {
                    self.out.commands.push(Command::ContinueOnError);
                    retval = -2;
                }
                Opt::Short(b's') => {
                    let mut interpret = false;
                    if count > 3 {
                        return Err(RuleError::StatusTooManyOptions);
                    } else if g.optind == 2 && count == 3 {
                        if at(&g, 2).as_deref() == Some(b"-i") {
                            interpret = true;
                            count -= 1;
                        } else {
                            return Err(RuleError::StatusOnlyInterpret);
                        }
                    }
                    self.out.commands.push(Command::Status { interpret });
                    retval = -2;
                }
                Opt::Short(c @ (b'e' | b'f')) => {
                    let v = match &optarg[..] {
                        b"0" => 0,
                        b"1" => 1,
                        b"2" => 2,
                        _ if c == b'e' => {
                            return Err(RuleError::EnableValue {
                                value: lossy(&optarg),
                            })
                        }
                        _ => {
                            return Err(RuleError::FailureValue {
                                value: lossy(&optarg),
                            })
                        }
                    };
                    self.push_setting(if c == b'e' {
                        Command::SetEnabled(v)
                    } else {
                        Command::SetFailure(v)
                    });
                }
                Opt::Short(b'r' | b'b') | Opt::Long(2) => {
                    let c = match opt {
                        Opt::Short(c) => c,
                        _ => 0,
                    };
                    let (what, lower) = match c {
                        b'r' => ("Rate", "rate"),
                        b'b' => ("Backlog", "backlog"),
                        _ => ("Backlog_wait_time", "backlog_wait_time"),
                    };
                    if !starts_digit(&optarg) {
                        return Err(RuleError::NotNumeric {
                            what,
                            value: lossy(&optarg),
                        });
                    }
                    let conv = strtoul(&optarg, 0);
                    if conv.overflow {
                        return Err(RuleError::Conversion { what: lower });
                    }
                    let v = conv.value as u32;
                    self.push_setting(match c {
                        b'r' => Command::SetRateLimit(v),
                        b'b' => Command::SetBacklogLimit(v),
                        _ => Command::SetBacklogWaitTime(v),
                    });
                }
                Opt::Short(b'l') => {
                    let mut interpret = false;
                    let mut key = Vec::new();
                    if count > 4 {
                        return Err(RuleError::ListWrongCount);
                    }
                    if count == 3 {
                        if at(&g, g.optind).as_deref() == Some(b"-i") {
                            interpret = true;
                            count -= 1;
                        } else {
                            return Err(RuleError::ListOnlyKeyOrInterpret);
                        }
                    } else if count == 4 {
                        if at(&g, g.optind).as_deref() == Some(b"-k") {
                            key = at(&g, 3).unwrap_or_default();
                            key.truncate(AUDIT_MAX_KEY_LEN);
                            count -= 2;
                        } else {
                            return Err(RuleError::ListOnlyKeyOrInterpret);
                        }
                    }
                    self.list_requested = true;
                    self.out.commands.push(Command::List { key, interpret });
                    retval = -2;
                }
                Opt::Short(c @ (b'a' | b'A')) => {
                    if self.b.syscall_added && optarg.windows(4).any(|w| w == b"task") {
                        return Err(RuleError::SyscallForTaskList);
                    }
                    let verb = if c == b'a' { "Append" } else { "Add" };
                    match self.rule_setup(&optarg, false) {
                        Ok(()) => {
                            if c == b'A' {
                                self.add |= AUDIT_FILTER_PREPEND;
                            }
                            retval = 1;
                        }
                        Err(Setup::Multiple) => return Err(RuleError::MultipleRules),
                        Err(Setup::Bad) => {
                            return Err(RuleError::BadKeyword {
                                verb,
                                arg: lossy(&optarg),
                            })
                        }
                        Err(Setup::Deprecated) => {
                            self.warn("Append rule - possible is deprecated".into());
                            return Ok(Parsed {
                                commands: Vec::new(),
                                warnings: self.out.warnings,
                            });
                        }
                    }
                }
                Opt::Short(b'd') => match self.rule_setup(&optarg, true) {
                    Ok(()) => retval = 1,
                    Err(Setup::Multiple) => return Err(RuleError::MultipleRules),
                    Err(Setup::Bad) => {
                        return Err(RuleError::BadKeyword {
                            verb: "Delete",
                            arg: lossy(&optarg),
                        })
                    }
                    Err(Setup::Deprecated) => {
                        self.warn("Delete rule - possible is deprecated".into());
                        return Ok(Parsed {
                            commands: Vec::new(),
                            warnings: self.out.warnings,
                        });
                    }
                },
                Opt::Short(b'S') => self.syscall_option(&optarg)?,
                Opt::Short(b'F') => {
                    let flags = self.list_flags();
                    if flags == AUDIT_FILTER_UNSET
                        && (g.optind >= count
                            || !optarg.windows(5).any(|w| w == b"arch=")
                            || at(&g, g.optind).as_deref() != Some(b"-t"))
                    {
                        return Err(RuleError::ListBeforeField);
                    }
                    if let Some(k) = optarg.strip_prefix(b"key=") {
                        self.process_key(k)?;
                    } else {
                        self.b.fieldpair(&optarg, flags)?;
                        match self.b.rule.fields.last().map(|f| f.id) {
                            Some(field::PERM) => self.b.perm_added = true,
                            Some(field::EXE) => self.b.exe_added = true,
                            _ => {}
                        }
                    }
                }
                Opt::Short(b'C') => {
                    let flags = self.list_flags();
                    self.b.interfield(&optarg, flags)?;
                }
                Opt::Short(b'm') => {
                    if count > 3 {
                        return Err(RuleError::UserMessageOptions);
                    }
                    // `*s < 32` on a signed char: bytes >= 0x80 fail too.
                    if optarg.iter().any(|&c| (c as i8) < 32) {
                        return Err(RuleError::UserMessageCharacter);
                    }
                    self.out.commands.push(Command::UserMessage(optarg));
                    return Ok(self.out);
                }
                Opt::Short(b'R') => return Err(RuleError::NestedRuleFile),
                Opt::Short(b'D') => {
                    let mut key = Vec::new();
                    if count > 4 || count == 3 {
                        return Err(RuleError::DeleteAllWrongCount);
                    }
                    if count == 4 {
                        if at(&g, g.optind).as_deref() == Some(b"-k") {
                            key = at(&g, 3).unwrap_or_default();
                            key.truncate(AUDIT_MAX_KEY_LEN);
                            count -= 2;
                        } else {
                            return Err(RuleError::DeleteAllOnlyKey);
                        }
                    }
                    self.out
                        .commands
                        .push(Command::DeleteAll { key: key.clone() });
                    self.out.commands.push(Command::List {
                        key,
                        interpret: false,
                    });
                    self.list_requested = true;
                    self.key.clear();
                    retval = -2;
                }
                Opt::Short(c @ (b'w' | b'W')) => {
                    if c == b'w' {
                        if self.add != AUDIT_FILTER_UNSET || self.del != AUDIT_FILTER_UNSET {
                            return Err(RuleError::WatchWithSyscall);
                        }
                        self.add = AUDIT_FILTER_EXIT;
                    } else {
                        self.del = AUDIT_FILTER_EXIT;
                    }
                    self.action = Some(AUDIT_ALWAYS);
                    self.b.syscall_added = true;
                    self.watch_option(&optarg)?;
                    retval = 1;
                }
                Opt::Short(b'k') => {
                    let b = &self.b;
                    if !(b.syscall_added || b.perm_added || b.exe_added || b.filterfs_added)
                        || (self.add == AUDIT_FILTER_UNSET && self.del == AUDIT_FILTER_UNSET)
                    {
                        return Err(RuleError::KeyNeedsRule);
                    }
                    self.process_key(&optarg)?;
                }
                Opt::Short(b'p') => {
                    if self.add == AUDIT_FILTER_UNSET && self.del == AUDIT_FILTER_UNSET {
                        return Err(RuleError::PermNeedsWatch);
                    }
                    self.b.perms(&optarg)?;
                    retval = 1;
                }
                Opt::Short(b'q') => {
                    if self.b.syscall_added {
                        return Err(RuleError::EquivalentWithSyscall);
                    }
                    let parts: Vec<&[u8]> = optarg.splitn(2, |&c| c == b',').collect();
                    match parts[..] {
                        [m, s] if !s.is_empty() && !s.contains(&b',') => {
                            self.out.commands.push(Command::MakeEquivalent {
                                mount: m.to_vec(),
                                subtree: s.to_vec(),
                            });
                            return Ok(self.out);
                        }
                        _ => {
                            return Err(RuleError::EquivalentParse {
                                arg: lossy(&optarg),
                            })
                        }
                    }
                }
                Opt::Short(b't') => {
                    self.out.commands.push(Command::TrimSubtrees);
                    return Ok(self.out);
                }
                Opt::Short(b'v') => {
                    self.out.commands.push(Command::Version);
                    retval = -2;
                }
                Opt::Long(1) => {
                    self.out.commands.push(Command::LoginuidImmutable);
                    return Ok(self.out);
                }
                Opt::Long(3) => {
                    self.out.commands.push(Command::ResetLost);
                    return Ok(self.out);
                }
                Opt::Long(4) => {
                    self.out.commands.push(Command::ResetBacklogWaitTimeActual);
                    return Ok(self.out);
                }
                Opt::Long(5) => {
                    let sig = match optarg.to_ascii_uppercase().as_slice() {
                        b"TERM" => libc::SIGTERM,
                        b"HUP" => libc::SIGHUP,
                        b"USR1" => libc::SIGUSR1,
                        b"USR2" => libc::SIGUSR2,
                        b"CONT" => libc::SIGCONT,
                        _ => {
                            return Err(RuleError::UnsupportedSignal {
                                signal: lossy(&optarg),
                            })
                        }
                    };
                    self.out.commands.push(Command::Signal(sig));
                    retval = -2;
                }
                _ => {
                    let option = if g.optind >= 2 {
                        at(&g, g.optind - 1).map(|a| lossy(&a)).unwrap_or_default()
                    } else {
                        " ".to_string()
                    };
                    return Err(RuleError::InvalidOption { option });
                }
            }
        }
        if g.optind == 1 {
            return Err(RuleError::NoOption {
                first: g.args.get(1).map(|a| lossy(a)).unwrap_or_default(),
            });
        }
        if g.optind < count {
            return Err(RuleError::ExtraParameter {
                extra: g.args.get(g.optind).map(|a| lossy(a)).unwrap_or_default(),
            });
        }
        if !self.key.is_empty() && !self.list_requested {
            let flags = match self.list_flags() {
                AUDIT_FILTER_UNSET => 0,
                f => f,
            };
            let mut pair = b"key=".to_vec();
            pair.extend_from_slice(&self.key);
            self.b.fieldpair(&pair, flags)?;
        }
        self.finish(retval)
    }

    /// auditctl's `handle_request`.
    fn finish(mut self, retval: i32) -> Result<Parsed, RuleError> {
        if retval == 0 {
            if self.b.syscall_added {
                return Err(RuleError::NoList);
            }
            if let Some(at) = self.status_at {
                self.out
                    .commands
                    .insert(at, Command::Status { interpret: false });
            }
        } else if retval > 0 {
            let (flags, delete) = if self.add != AUDIT_FILTER_UNSET {
                (self.add, false)
            } else {
                (self.del, true)
            };
            let mut rule = self.b.rule;
            if flags & AUDIT_FILTER_MASK != AUDIT_FILTER_TASK && !self.b.syscall_added {
                rule.add_all_syscalls();
            }
            rule.list = FilterList::from_raw(flags & !AUDIT_FILTER_PREPEND);
            rule.prepend = flags & AUDIT_FILTER_PREPEND != 0;
            rule.action = Action::from_raw(self.action.unwrap_or(AUDIT_ALWAYS));
            self.out.commands.push(if delete {
                Command::DeleteRule(rule)
            } else {
                Command::AddRule(rule)
            });
        }
        Ok(self.out)
    }
}

/// glibc `basename` (the POSIX one from libgen.h): the last component,
/// ignoring trailing slashes; "/" for "/".
fn basename(p: &[u8]) -> &[u8] {
    let mut end = p.len();
    while end > 1 && p[end - 1] == b'/' {
        end -= 1;
    }
    let t = &p[..end];
    match t.iter().rposition(|&c| c == b'/') {
        Some(i) if t.len() > 1 => &t[i + 1..],
        _ => t,
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
