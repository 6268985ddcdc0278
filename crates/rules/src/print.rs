//! Printing kernel rules exactly as `auditctl -l` 3.0.9 does
//! (`print_rule` in auditctl-listing.c), byte for byte.
//!
//! auditctl keeps the arch of the last rule that had an `arch` field while
//! it prints a list (a global it only resets per netlink message), so a
//! rule without `arch` that follows one with `arch=b32` names its syscalls
//! from the i386 table. [`Printer`] carries that state: print a whole
//! listing with one `Printer`, in kernel order.

use std::sync::Arc;

use crate::argument::{interpret, ArgNames, NoNames};
use crate::compare::compare_names;
use crate::kernel::{field as f, *};
use crate::rule::{until_nul, Operator, Rule, Value};

/// Prints rules as `auditctl -l` does.
#[derive(Clone)]
pub struct Printer {
    /// The host's `AUDIT_ARCH_*` (`audit_detect_machine`), used for
    /// syscall names of rules without an `arch` field.
    pub host_arch: Option<u32>,
    /// `-l -i`: print `arch=x86_64` and `auid=unset` style values, and
    /// `a0`..`a3` of rules with one syscall as auparse names them
    /// ([`crate::argument`]).
    pub interpret: bool,
    names: Arc<dyn ArgNames + Send + Sync>,
    elf: u32,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("host_arch", &self.host_arch)
            .field("interpret", &self.interpret)
            .field("elf", &self.elf)
            .finish_non_exhaustive()
    }
}

fn sym(op_raw: u32) -> &'static [u8] {
    Operator::symbol_of(op_raw).map_or(b"(null)", |s| s.as_bytes())
}

impl Printer {
    /// A printer for a host with arch `host_arch`.
    pub fn new(host_arch: Option<u32>, interpret: bool) -> Self {
        Printer {
            host_arch,
            interpret,
            names: Arc::new(NoNames),
            elf: 0,
        }
    }

    /// Where `-l -i` looks up user, group and protocol names for `a0`..`a3`
    /// (auparse's `getpwuid`/`getgrgid`/`getprotobynumber`; by default none
    /// is found: `unknown(N)`, as on a host without them).
    pub fn with_names(mut self, names: Arc<dyn ArgNames + Send + Sync>) -> Self {
        self.names = names;
        self
    }

    /// The whole `auditctl -l` output for `rules` (in kernel order):
    /// one line per rule, or `No rules` when there are none.
    pub fn listing(&mut self, rules: &[Rule]) -> Vec<u8> {
        self.elf = 0;
        if rules.is_empty() {
            return b"No rules\n".to_vec();
        }
        let mut out = Vec::new();
        for r in rules {
            out.extend(self.rule(r));
            out.push(b'\n');
        }
        out
    }

    /// One rule's line, without the newline. Updates the arch state.
    pub fn rule(&mut self, r: &Rule) -> Vec<u8> {
        let mut o: Vec<u8> = Vec::new();
        let watch = is_watch(r);
        let mut count = 0;
        // auparse's context for a0..a3: the rule's arch (none without an
        // arch field), its last syscall, and the a0/a1 printed so far.
        let (mut rule_arch, mut sc, mut a0, mut a1) = (None, 0, 0, 0);
        if !watch {
            o.extend_from_slice(b"-a ");
            o.extend_from_slice(r.action.name().unwrap_or("(null)").as_bytes());
            o.push(b',');
            // `audit_flag_to_name(flags)`: the prepend bit gives "(null)".
            let list = if r.prepend { None } else { r.list.name() };
            o.extend_from_slice(list.unwrap_or("(null)").as_bytes());
            for fl in &r.fields {
                if fl.id & !AUDIT_OPERATORS == f::ARCH {
                    self.print_arch(&mut o, fl.raw_value(), fl.op.raw());
                    rule_arch = Some(fl.raw_value());
                }
            }
            (count, sc) = self.print_syscalls(&mut o, r);
        }
        for fl in &r.fields {
            let id = fl.id & !AUDIT_OPERATORS;
            let op = fl.op.raw() & AUDIT_OPERATORS;
            let v = fl.raw_value();
            if id == f::ARCH {
                continue;
            }
            let Some(name) = audit_tables::field::name(id) else {
                o.extend(format!(" f{}", fl.id).bytes());
                o.extend_from_slice(sym(op));
                o.extend(format!("{}", v as i32).bytes());
                continue;
            };
            let s: &[u8] = match &fl.value {
                Value::Str(s) => until_nul(s),
                Value::Num(_) => b"",
            };
            let head = |o: &mut Vec<u8>| {
                o.extend_from_slice(b" -F ");
                o.extend_from_slice(name.as_bytes());
                o.extend_from_slice(sym(op));
            };
            match id {
                f::MSGTYPE => {
                    head(&mut o);
                    match u16::try_from(v).ok().and_then(audit_tables::msgtype::name) {
                        Some(n) => o.extend_from_slice(n.as_bytes()),
                        None => o.extend(format!("{}", v as i32).bytes()),
                    }
                }
                _ if is_string_field(id)
                    && !matches!(id, f::WATCH | f::DIR | f::EXE | f::FILTERKEY) =>
                {
                    head(&mut o);
                    o.extend_from_slice(s);
                }
                f::WATCH | f::DIR => {
                    if watch {
                        o.extend_from_slice(b"-w ");
                    } else {
                        o.extend_from_slice(if id == f::WATCH {
                            b" -F path="
                        } else {
                            b" -F dir="
                        });
                    }
                    o.extend_from_slice(s);
                }
                f::EXE => {
                    o.extend_from_slice(b" -F exe=");
                    o.extend_from_slice(s);
                }
                f::FILTERKEY => {
                    for k in s
                        .split(|&c| c == AUDIT_KEY_SEPARATOR)
                        .filter(|k| !k.is_empty())
                    {
                        o.extend_from_slice(if watch { b" -k " } else { b" -F key=" });
                        o.extend_from_slice(k);
                    }
                }
                f::PERM => {
                    o.extend_from_slice(if watch { b" -p " } else { b" -F perm=" });
                    for (bit, c) in [
                        (AUDIT_PERM_READ, b'r'),
                        (AUDIT_PERM_WRITE, b'w'),
                        (AUDIT_PERM_EXEC, b'x'),
                        (AUDIT_PERM_ATTR, b'a'),
                    ] {
                        if v & bit != 0 {
                            o.push(c);
                        }
                    }
                }
                f::INODE => {
                    head(&mut o);
                    o.extend(v.to_string().bytes());
                }
                f::FIELD_COMPARE => {
                    if let Some((a, b)) = compare_names(v) {
                        o.extend(format!(" -C {a}").bytes());
                        o.extend_from_slice(sym(op));
                        o.extend_from_slice(b.as_bytes());
                    }
                }
                f::ARG0..=f::ARG3 => {
                    head(&mut o);
                    match id {
                        f::ARG0 => a0 = v,
                        f::ARG1 => a1 = v,
                        _ => {}
                    }
                    if count > 1 || !self.interpret {
                        o.extend(format!("0x{v:X}").bytes());
                    } else {
                        let arg = (id - f::ARG0) as u8;
                        let text = interpret(rule_arch, sc, arg, v, a0, a1, &*self.names);
                        o.extend_from_slice(text.as_bytes());
                    }
                }
                f::EXIT => {
                    head(&mut o);
                    let e = (v as i32).unsigned_abs();
                    let err = i32::try_from(e).ok().and_then(audit_tables::errno::name);
                    match err {
                        Some(n) if (v as i32) < 0 => {
                            o.push(b'-');
                            o.extend_from_slice(n.as_bytes());
                        }
                        _ => o.extend(format!("{}", v as i32).bytes()),
                    }
                }
                f::FSTYPE => {
                    head(&mut o);
                    match audit_tables::fstype::name(v) {
                        Some(n) => o.extend_from_slice(n.as_bytes()),
                        None => o.extend(format!("{}", v as i32).bytes()),
                    }
                }
                f::LOGINUID | f::SESSIONID if v == u32::MAX && self.interpret => {
                    head(&mut o);
                    o.extend_from_slice(b"unset");
                }
                _ => {
                    head(&mut o);
                    o.extend(format!("{}", v as i32).bytes());
                }
            }
        }
        o
    }

    fn print_arch(&mut self, o: &mut Vec<u8>, value: u32, op: u32) {
        self.elf = value;
        o.extend_from_slice(b" -F arch");
        o.extend_from_slice(sym(op));
        match audit_tables::arch_name(value) {
            None => o.extend(format!("0x{value:X}").bytes()),
            Some(name) if self.interpret => o.extend_from_slice(name.as_bytes()),
            Some(_) => o.extend_from_slice(if value & AUDIT_ARCH_64BIT != 0 {
                b"b64"
            } else {
                b"b32"
            }),
        }
    }

    /// Prints `-S ...`; returns how many syscalls it named (63 for `all`)
    /// and the last one.
    fn print_syscalls(&mut self, o: &mut Vec<u8>, r: &Rule) -> (usize, u32) {
        if takes_no_syscalls(r) {
            return (0, 0);
        }
        if r.mask[..AUDIT_BITMASK_SIZE - 1]
            .iter()
            .all(|&w| w == u32::MAX)
        {
            o.extend_from_slice(b" -S all");
            return (AUDIT_BITMASK_SIZE - 1, 0);
        }
        let arch = if self.elf != 0 {
            Some(self.elf)
        } else {
            self.host_arch
        };
        let (mut count, mut last) = (0, 0);
        for nr in 0..(AUDIT_BITMASK_SIZE as u32 * 32) {
            if !r.has_syscall(nr) {
                continue;
            }
            last = nr;
            o.extend_from_slice(if count == 0 { b" -S " } else { b"," });
            // The io_uring list holds io_uring ops (auditctl 3.1 prints
            // their names; 3.0.9 does not know the list).
            let name = if r.flags() & AUDIT_FILTER_MASK == AUDIT_FILTER_URING_EXIT {
                audit_tables::argnames::io_uring_op_name(nr)
            } else {
                arch.and_then(|a| audit_tables::syscall::name(a, nr))
            };
            match name {
                Some(n) => o.extend_from_slice(n.as_bytes()),
                None => o.extend(nr.to_string().bytes()),
            }
            count += 1;
        }
        (count, last)
    }
}

/// Lists whose rules auditctl prints without `-S` (`flags & 7`).
fn takes_no_syscalls(r: &Rule) -> bool {
    matches!(
        r.flags() & AUDIT_FILTER_MASK,
        AUDIT_FILTER_USER | AUDIT_FILTER_TASK | AUDIT_FILTER_EXCLUDE | AUDIT_FILTER_FS
    )
}

/// auditctl's `is_watch`: only path/dir/perm/key fields, a perm field, and
/// (on lists that take syscalls) every syscall.
pub fn is_watch(r: &Rule) -> bool {
    let mut perm = false;
    for fl in &r.fields {
        let id = fl.id & !AUDIT_OPERATORS;
        if id == f::PERM {
            perm = true;
        }
        if !matches!(id, f::PERM | f::FILTERKEY | f::DIR | f::WATCH) {
            return false;
        }
    }
    let all = takes_no_syscalls(r)
        || r.mask[..AUDIT_BITMASK_SIZE - 1]
            .iter()
            .all(|&w| w == u32::MAX);
    perm && all
}

/// One rule as `auditctl -l` prints it when it is the only rule (or the
/// rules before it carry no `arch`), on a host with arch `host_arch`.
pub fn rule_text(r: &Rule, host_arch: Option<u32>) -> Vec<u8> {
    Printer::new(host_arch, false).rule(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::FakeHost;
    use crate::{parse_args, Command};

    fn rule(args: &[&str]) -> Rule {
        match parse_args(args, &FakeHost::x86_64())
            .unwrap()
            .commands
            .as_slice()
        {
            [Command::AddRule(r)] => r.as_listed_by_kernel(),
            c => panic!("{c:?}"),
        }
    }

    /// Recorded with auditctl 3.0.9 on x86_64 (kernel 6.18): the second
    /// rule's syscall 2 is named from the i386 table of the rule before.
    #[test]
    fn arch_carries_over_between_rules() {
        let rules = [
            rule(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b32",
                "-S",
                "open",
                "-k",
                "a",
            ]),
            rule(&["-a", "always,exit", "-S", "open", "-k", "b"]),
            rule(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "open",
                "-k",
                "c",
            ]),
            rule(&["-a", "always,exit", "-S", "openat", "-k", "d"]),
        ];
        let text = Printer::new(Some(AUDIT_ARCH_X86_64), false).listing(&rules);
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "-a always,exit -F arch=b32 -S open -F key=a\n\
             -a always,exit -S fork -F key=b\n\
             -a always,exit -F arch=b64 -S open -F key=c\n\
             -a always,exit -S openat -F key=d\n"
        );
        assert_eq!(Printer::new(None, false).listing(&[]), b"No rules\n");
    }

    #[test]
    fn interpreted_values() {
        let r = rule(&[
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "openat",
            "-F",
            "auid=unset",
            "-F",
            "a0=26",
        ]);
        let p = |i| String::from_utf8(Printer::new(Some(AUDIT_ARCH_X86_64), i).rule(&r)).unwrap();
        assert_eq!(
            p(false),
            "-a always,exit -F arch=b64 -S openat -F auid=-1 -F a0=0x1A"
        );
        assert_eq!(
            p(true),
            "-a always,exit -F arch=x86_64 -S openat -F auid=unset -F a0=0x1a"
        );
    }

    #[test]
    fn interpreted_arguments_of_single_syscall_rules() {
        let line = |args: &[&str]| {
            let r = rule(args);
            String::from_utf8(Printer::new(Some(AUDIT_ARCH_X86_64), true).rule(&r)).unwrap()
        };
        assert_eq!(
            line(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "ptrace",
                "-F",
                "a0=4"
            ]),
            "-a always,exit -F arch=x86_64 -S ptrace -F a0=PTRACE_POKETEXT"
        );
        // a1 of prctl depends on the a0 printed before it.
        assert_eq!(
            line(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "prctl",
                "-F",
                "a0=23",
                "-F",
                "a1=21"
            ]),
            "-a always,exit -F arch=x86_64 -S prctl -F a0=PR_CAPBSET_READ -F a1=sys_admin"
        );
        assert_eq!(
            line(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "prctl",
                "-F",
                "a1=21",
                "-F",
                "a0=23"
            ]),
            "-a always,exit -F arch=x86_64 -S prctl -F a1=0x15 -F a0=PR_CAPBSET_READ"
        );
        // Two syscalls, or no arch field: hex, as auditctl.
        assert_eq!(
            line(&[
                "-a",
                "always,exit",
                "-F",
                "arch=b64",
                "-S",
                "ptrace,kill",
                "-F",
                "a0=4"
            ]),
            "-a always,exit -F arch=x86_64 -S kill,ptrace -F a0=0x4"
        );
        let mut p = Printer::new(Some(AUDIT_ARCH_X86_64), true);
        let r = rule(&["-a", "always,exit", "-S", "ptrace", "-F", "a0=4"]);
        assert_eq!(
            String::from_utf8(p.rule(&r)).unwrap(),
            "-a always,exit -S ptrace -F a0=0x4"
        );
    }

    #[test]
    fn odd_kernel_rules_still_print() {
        let mut r = Rule::new(
            crate::rule::FilterList::Unknown(3),
            crate::rule::Action::Unknown(9),
        );
        r.fields
            .push(crate::rule::Field::num(77, Operator::Unknown(1), 5));
        r.fields
            .push(crate::rule::Field::num(f::ARCH, Operator::Equal, 0x1234));
        r.add_syscall(3000 % 2048);
        let t = String::from_utf8(Printer::new(None, false).rule(&r)).unwrap();
        assert_eq!(t, "-a (null),(null) -F arch=0x1234 -S 952 f77(null)5");
    }
}
