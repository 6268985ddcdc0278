//! The whole `auditrs ctl` command: auditctl's argument handling, modes and
//! exit codes, plus `--check` and `--dump-bytes`.

use crate::error::CtlError;
use crate::executor::{Console, Executor, FileLine};
use crate::kernel::{Kernel, KernelError};
use crate::listing::RuleText;
use crate::request::Request;
use crate::syntax::{Line, Syntax};

/// auditctl 3.0.9's usage text (`auditctl -h`).
pub const USAGE: &str = "usage: auditctl [options]
    -a <l,a>                          Append rule to end of <l>ist with <a>ction
    -A <l,a>                          Add rule at beginning of <l>ist with <a>ction
    -b <backlog>                      Set max number of outstanding audit buffers
                                      allowed Default=64
    -c                                Continue through errors in rules
    -C f=f                            Compare collected fields if available:
                                      Field name, operator(=,!=), field name
    -d <l,a>                          Delete rule from <l>ist with <a>ction
                                      l=task,exit,user,exclude,filesystem
                                      a=never,always
    -D                                Delete all rules and watches
    -e [0..2]                         Set enabled flag
    -f [0..2]                         Set failure flag
                                      0=silent 1=printk 2=panic
    -F f=v                            Build rule: field name, operator(=,!=,<,>,<=,
                                      >=,&,&=) value
    -h                                Help
    -i                                Ignore errors when reading rules from file
    -k <key>                          Set filter key on audit rule
    -l                                List rules
    -m text                           Send a user-space message
    -p [r|w|x|a]                      Set permissions filter on watch
                                      r=read, w=write, x=execute, a=attribute
    -q <mount,subtree>                make subtree part of mount point's dir watches
    -r <rate>                         Set limit in messages/sec (0=none)
    -R <file>                         read rules from file
    -s                                Report status
    -S syscall                        Build rule: syscall name or number
    --signal <signal>                 Send the specified signal to the daemon
    -t                                Trim directory watches
    -v                                Version
    -w <path>                         Insert watch at <path>
    -W <path>                         Remove watch at <path>
    --loginuid-immutable              Make loginuids unchangeable once set
    --backlog_wait_time               Set the kernel backlog_wait_time
    --reset-lost                      Reset the lost record counter
    --reset_backlog_wait_time_actual  Reset the actual backlog wait time counter
";

/// What `auditrs ctl --help` adds to auditctl's usage.
pub const EXTENSIONS: &str = "auditrs ctl extensions (no kernel, no root needed):
    --check FILE|DIR...               Parse rules files (a directory: its *.rules in
                                      augenrules order) as -R would, report FILE:LINE: errors
    --dump-bytes ARGS...              Print the rule's struct audit_rule_data bytes in hex
    --help                            This text
-R FILE is all-or-nothing: nothing is sent if a line is bad, and a kernel
rejection in the middle of the load rolls back what the load changed.
";

/// What `-v` prints (the auditctl version whose behaviour we follow).
pub const VERSION: &str = "auditctl version 3.0.9";

/// Exit status of a failed command line (auditctl's `main` returns -1).
pub const EXIT_ERROR: i32 = 255;
/// Exit status when the caller may not control audit.
pub const EXIT_NOT_ROOT: i32 = 4;

/// Whether this process may control the audit system: CAP_AUDIT_CONTROL in
/// its effective set (auditctl's `audit_can_control`).
pub fn can_control() -> bool {
    const CAP_AUDIT_CONTROL: u32 = 30;
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status.lines() {
            if let Some(hex) = line.strip_prefix("CapEff:") {
                if let Ok(caps) = u64::from_str_radix(hex.trim(), 16) {
                    return caps & (1 << CAP_AUDIT_CONTROL) != 0;
                }
            }
        }
    }
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The environment `run` needs: how to parse, print, and reach the kernel.
pub struct Env<'a, K: Kernel> {
    /// The rule language (parsing with host lookups).
    pub syntax: &'a dyn Syntax,
    /// How kernel rules are printed for `-l`.
    pub text: &'a dyn RuleText,
    /// Opens the kernel connection (called only when needed).
    pub open: &'a mut dyn FnMut() -> Result<K, KernelError>,
    /// Whether the caller may control audit (see [`can_control`]).
    pub can_control: bool,
    /// The uid a `-R` file must be owned by: 0, as auditctl 3.0.9 demands
    /// (`fileopt`: "isn't owned by root"); tests running unprivileged
    /// against a fake kernel pass their own euid.
    pub rules_file_owner: u32,
}

fn print_warnings(line: &Line, con: &mut Console) {
    for w in &line.warnings {
        let _ = writeln!(con.err, "{w}");
    }
}

fn open_kernel<K: Kernel>(env: &mut Env<K>, con: &mut Console) -> Option<K> {
    match (env.open)() {
        Ok(k) => Some(k),
        Err(e) => {
            let _ = writeln!(con.err, "Cannot open netlink audit socket ({e})");
            None
        }
    }
}

/// Runs `auditrs ctl ARGS` (ARGS without the program name) and returns the
/// exit status.
pub fn run<K: Kernel>(args: &[Vec<u8>], env: &mut Env<K>, con: &mut Console) -> i32 {
    let first = args.first().map(Vec::as_slice);
    match first {
        None => {
            let _ = con.out.write_all(USAGE.as_bytes());
            return 1;
        }
        Some(b"--help") if args.len() == 1 => {
            let _ = con.out.write_all(USAGE.as_bytes());
            let _ = con.out.write_all(EXTENSIONS.as_bytes());
            return 0;
        }
        Some(b"--check") => return check(&args[1..], env.syntax, con),
        Some(b"--dump-bytes") => return dump_bytes(&args[1..], env.syntax, con),
        _ => {}
    }
    if !env.can_control {
        let _ = writeln!(con.err, "{}", CtlError::NotRoot);
        return EXIT_NOT_ROOT;
    }
    if args.len() == 2 && args[0] == b"-R" {
        return load_file(&args[1], env, con);
    }
    let line = match env.syntax.parse_args(args) {
        Ok(line) => line,
        Err(msg) => {
            let _ = writeln!(con.err, "{msg}");
            return EXIT_ERROR;
        }
    };
    print_warnings(&line, con);
    if line.requests.contains(&Request::Usage) {
        let _ = con.out.write_all(USAGE.as_bytes());
        return EXIT_ERROR;
    }
    let needs_kernel = line.requests.iter().any(|r| {
        !matches!(
            r,
            Request::Version | Request::ContinueOnError | Request::IgnoreErrors
        )
    });
    if !needs_kernel {
        if line.requests.contains(&Request::Version) {
            let _ = writeln!(con.out, "{VERSION}");
        }
        return 0;
    }
    let Some(mut kernel) = open_kernel(env, con) else {
        return EXIT_ERROR;
    };
    let mut exec = Executor::new(&mut kernel, env.text);
    match exec.run_line(&line.requests, con) {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(con.err, "{e}");
            failure_status(&e, &line.requests)
        }
    }
}

/// auditctl 3.0.9's exit status for a command line that failed with `e`.
///
/// - The audit socket refused (ECONNREFUSED: audit disabled at boot, or not
///   in the initial user namespace): `main` returns 0 when `is_ready` fails
///   before a rule add or delete (`-a -A -d -w -W`), and `-s` returns 0
///   (`report_status` only compares the libaudit result with -1); `--signal`
///   exits 1; everything else fails through `handle_request` with -1 (255).
/// - Locked configuration (enabled 2) before a rule add or delete: 0, as
///   auditctl 3.0.9 (`main`: `if (is_ready(fd) == 0) return 0;`), after
///   its "immutable mode" message; nothing is sent.
/// - `--signal`: 2 without a daemon, 1 when kill(2) fails (`send_signal`).
/// - Anything else: 255 (`main` returns -1).
pub fn failure_status(e: &CtlError, requests: &[Request]) -> i32 {
    let any = |f: fn(&Request) -> bool| requests.iter().any(f);
    match e {
        CtlError::Disabled
            if any(|r| matches!(r, Request::AddRule(_) | Request::DeleteRule(_))) =>
        {
            0
        }
        CtlError::Disabled if any(|r| matches!(r, Request::Status { features: true, .. })) => 0,
        CtlError::Disabled if any(|r| matches!(r, Request::Signal(_))) => 1,
        CtlError::Immutable => 0,
        CtlError::NoDaemon => 2,
        CtlError::Signal(_) => 1,
        _ => EXIT_ERROR,
    }
}

/// Reads a rules file with auditctl 3.0.9's checks (`fileopt`), in its
/// order: the file must exist and open, be owned by `owner` (when given)
/// and not be world writable, and be a regular file.
fn read_file(path: &[u8], owner: Option<u32>) -> Result<Vec<u8>, CtlError> {
    use std::io::Read;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
    let label = String::from_utf8_lossy(path).into_owned();
    let io_err = |e: std::io::Error| CtlError::File {
        path: label.clone(),
        reason: crate::kernel::strerror(e.raw_os_error().unwrap_or(0)),
    };
    let mut file = match std::fs::File::open(p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CtlError::FileMissing { path: label })
        }
        Err(e) => return Err(io_err(e)),
    };
    let meta = file.metadata().map_err(io_err)?;
    let unsafe_file = |reason: &'static str| CtlError::FileUnsafe {
        path: label.clone(),
        reason,
    };
    if owner.is_some_and(|uid| meta.uid() != uid) {
        return Err(unsafe_file(if owner == Some(0) {
            "isn't owned by root"
        } else {
            "isn't owned by the expected user"
        }));
    }
    if owner.is_some() && meta.mode() & 0o002 != 0 {
        return Err(unsafe_file("is world writable"));
    }
    if !meta.is_file() {
        return Err(unsafe_file("is not a regular file"));
    }
    let mut text = Vec::new();
    file.read_to_end(&mut text).map_err(io_err)?;
    Ok(text)
}

fn parse_file(
    path: &[u8],
    owner: Option<u32>,
    syntax: &dyn Syntax,
    con: &mut Console,
) -> Result<Vec<FileLine>, i32> {
    let text = match read_file(path, owner) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(con.err, "{e}");
            return Err(1);
        }
    };
    let label = String::from_utf8_lossy(path);
    let mut lines = Vec::new();
    for (lineno, parsed) in syntax.parse_file(&text) {
        let parsed = match parsed {
            Ok(line) => {
                for w in &line.warnings {
                    let _ = writeln!(con.err, "{label}:{lineno}: {w}");
                }
                if line.requests.contains(&Request::Usage) {
                    Err("Option -h is not allowed in a rules file".to_string())
                } else {
                    Ok(line.requests)
                }
            }
            Err(msg) => Err(msg),
        };
        lines.push(FileLine { lineno, parsed });
    }
    Ok(lines)
}

fn load_file<K: Kernel>(path: &[u8], env: &mut Env<K>, con: &mut Console) -> i32 {
    let label = String::from_utf8_lossy(path).into_owned();
    // auditctl asks whether the kernel is ready before opening the file.
    let Some(mut kernel) = open_kernel(env, con) else {
        return 1;
    };
    let mut exec = Executor::new(&mut kernel, env.text);
    match exec.check_ready() {
        Ok(()) => {}
        // 3.0.9 main(): `if (is_ready(fd) == 0) return 0;`: audit disabled
        // or the configuration locked, the file is not even opened.
        Err(e @ (CtlError::Disabled | CtlError::Immutable)) => {
            let _ = writeln!(con.err, "{e}");
            return 0;
        }
        Err(e) => {
            let _ = writeln!(con.err, "{label}: {e}");
            return 1;
        }
    }
    let lines = match parse_file(path, Some(env.rules_file_owner), env.syntax, con) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // Report bad lines before sending anything.
    if let Some(code) = crate::executor::report_precheck(&label, &lines, con) {
        return code;
    }
    exec.load(&label, &lines, con)
}

/// `--check FILE...`: parse-only, no kernel.
fn check(files: &[Vec<u8>], syntax: &dyn Syntax, con: &mut Console) -> i32 {
    if files.is_empty() {
        let _ = writeln!(con.err, "--check needs at least one rules file");
        return EXIT_ERROR;
    }
    let mut code = 0;
    let mut expanded = Vec::new();
    for path in files {
        match rules_d_files(path) {
            Some(Ok(list)) => expanded.extend(list),
            Some(Err(e)) => {
                let _ = writeln!(con.err, "{e}");
                code = 1;
            }
            None => expanded.push(path.clone()),
        }
    }
    for path in &expanded {
        let label = String::from_utf8_lossy(path).into_owned();
        let lines = match parse_file(path, None, syntax, con) {
            Ok(l) => l,
            Err(c) => {
                code = c;
                continue;
            }
        };
        let mut problems: Vec<(usize, String)> = crate::executor::precheck(&lines);
        // Lines after -c/-i are not fatal to a load, but still worth a report.
        for l in &lines {
            if let Err(msg) = &l.parsed {
                if !problems.iter().any(|(n, _)| *n == l.lineno) {
                    problems.push((l.lineno, msg.clone()));
                }
            }
        }
        problems.sort();
        if problems.is_empty() {
            let _ = writeln!(con.out, "{label}: {} command line(s) OK", lines.len());
        } else {
            for (n, msg) in problems {
                let _ = writeln!(con.err, "{label}:{n}: {msg}");
            }
            code = 1;
        }
    }
    code
}

/// The `*.rules` files of directory `path` in augenrules order (`ls -v`),
/// or `None` when `path` is not a directory.
fn rules_d_files(path: &[u8]) -> Option<Result<Vec<Vec<u8>>, CtlError>> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let dir = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
    if !dir.is_dir() {
        return None;
    }
    let err = |e: std::io::Error| CtlError::File {
        path: dir.display().to_string(),
        reason: crate::kernel::strerror(e.raw_os_error().unwrap_or(0)),
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return Some(Err(err(e))),
    };
    let mut names: Vec<Vec<u8>> = Vec::new();
    for entry in entries {
        match entry {
            Ok(e) => {
                let name = e.file_name().into_vec();
                if name.ends_with(b".rules") {
                    names.push(name);
                }
            }
            Err(e) => return Some(Err(err(e))),
        }
    }
    names.sort_by(|a, b| audit_rules::augenrules::natural_cmp(a, b));
    Some(Ok(names
        .into_iter()
        .map(|n| {
            dir.join(std::ffi::OsStr::from_bytes(&n))
                .into_os_string()
                .into_vec()
        })
        .collect()))
}

/// `--dump-bytes ARGS...`: the wire bytes of the rule ARGS describe.
fn dump_bytes(args: &[Vec<u8>], syntax: &dyn Syntax, con: &mut Console) -> i32 {
    let line = match syntax.parse_args(args) {
        Ok(l) => l,
        Err(msg) => {
            let _ = writeln!(con.err, "{msg}");
            return EXIT_ERROR;
        }
    };
    print_warnings(&line, con);
    let mut any = false;
    for r in &line.requests {
        if let Request::AddRule(b) | Request::DeleteRule(b) = r {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            let _ = writeln!(con.out, "{hex}");
            any = true;
        }
    }
    if any {
        0
    } else {
        let _ = writeln!(con.err, "--dump-bytes: the arguments hold no rule");
        EXIT_ERROR
    }
}

/// Runs `auditrs ctl ARGS` on this machine: the real kernel (netlink),
/// host lookups through `audit_rules::SystemHost`. This is what the binary
/// calls.
pub fn run_system(args: &[Vec<u8>], con: &mut Console) -> i32 {
    use audit_rules::Host as _;
    let host = audit_rules::SystemHost::default();
    let text = crate::syntax::RulesText {
        host_arch: host.machine_arch(),
    };
    let syntax = crate::syntax::RulesSyntax { host };
    let mut open = || {
        audit_client::AuditControl::open().map_err(|e| match e.errno() {
            Some(n) => KernelError::Errno(n),
            None => KernelError::Other(e.to_string()),
        })
    };
    let mut env = Env {
        syntax: &syntax,
        text: &text,
        open: &mut open,
        can_control: can_control(),
        rules_file_owner: 0,
    };
    run(args, &mut env, con)
}
