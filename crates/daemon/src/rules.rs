//! Loading the daemon's rules into the kernel, as auditd with augenrules
//! does: a `rules.d` directory is assembled in `ls -v` order
//! ([`audit_rules::augenrules::assemble`]), a single file is taken as is;
//! the text is preceded by `-D` (the daemon's rules replace the kernel's)
//! and loaded all-or-nothing through `audit-ctl`'s executor, honouring
//! `-b`, `-f`, `-r`, `--backlog_wait_time` and `-e` lines. A bad line or a
//! kernel rejection leaves the kernel as it was.

use std::path::{Path, PathBuf};

use audit_ctl::executor::{Console, Executor, FileLine};
use audit_ctl::kernel::Kernel;
use audit_ctl::syntax::{RulesSyntax, RulesText, Syntax};
use audit_ctl::Request;
use audit_rules::Host;

use crate::error::DaemonError;

/// Where rules come from by default: the system's directory...
pub const SYSTEM_RULES_DIR: &str = "/etc/audit/rules.d";
/// ... else the project's (relative to the working directory).
pub const PROJECT_RULES_DIR: &str = "rules.d";

/// The rules source to use when none is configured: `/etc/audit/rules.d/`
/// if it exists, else `./rules.d/` if it exists, else none.
pub fn default_source() -> Option<PathBuf> {
    [SYSTEM_RULES_DIR, PROJECT_RULES_DIR]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_dir())
}

/// The rule text for `source`: a directory assembled as augenrules does,
/// or a file's contents; `-D` is put first.
pub fn assemble(source: &Path) -> Result<Vec<u8>, DaemonError> {
    let io = |source_err, p: &Path| DaemonError::Rules {
        origin: p.display().to_string(),
        message: format!("{source_err}"),
    };
    let body = if source.is_dir() {
        let mut files = Vec::new();
        for e in std::fs::read_dir(source).map_err(|e| io(e, source))? {
            let e = e.map_err(|e| io(e, source))?;
            let name = e.file_name();
            let name = name.as_encoded_bytes();
            if !name.ends_with(b".rules") || !e.path().is_file() {
                continue;
            }
            let text = std::fs::read(e.path()).map_err(|err| io(err, &e.path()))?;
            files.push((name.to_vec(), text));
        }
        audit_rules::augenrules::assemble(&source.display().to_string(), &files)
    } else {
        std::fs::read(source).map_err(|e| io(e, source))?
    };
    let mut text = b"-D\n".to_vec();
    text.extend_from_slice(&body);
    Ok(text)
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Rules added.
    pub added: usize,
    /// Lines with a setting (`-b`, `-f`, `-r`, `-e`, `--backlog_wait_time`).
    pub settings: usize,
    /// Warnings printed by the parser or the executor.
    pub messages: String,
}

/// Parses `text` (named `label` in messages) and loads it into `kernel`,
/// all-or-nothing. Errors carry every `label:line: message`.
pub fn load<K: Kernel, H: Host>(
    kernel: &mut K,
    host: H,
    label: &str,
    text: &[u8],
) -> Result<LoadReport, DaemonError> {
    let host_arch = host.machine_arch();
    let syntax = RulesSyntax { host };
    let mut lines = Vec::new();
    let mut messages = String::new();
    let (mut added, mut settings) = (0, 0);
    for (lineno, parsed) in syntax.parse_file(text) {
        let parsed = match parsed {
            Ok(line) => {
                for w in &line.warnings {
                    messages.push_str(&format!("{label}:{lineno}: {w}\n"));
                }
                for r in &line.requests {
                    match r {
                        Request::AddRule(_) => added += 1,
                        Request::Set(_) => settings += 1,
                        _ => {}
                    }
                }
                if line.requests.contains(&Request::Usage) {
                    Err("Option -h is not allowed in a rules file".to_string())
                } else {
                    Ok(line.requests)
                }
            }
            Err(m) => Err(m),
        };
        lines.push(FileLine { lineno, parsed });
    }
    let text_printer = RulesText { host_arch };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut con = Console {
            out: &mut out,
            err: &mut err,
        };
        Executor::new(kernel, &text_printer).load(label, &lines, &mut con)
    };
    messages.push_str(&String::from_utf8_lossy(&err));
    if code != 0 {
        return Err(DaemonError::Rules {
            origin: label.to_string(),
            message: messages.trim_end().to_string(),
        });
    }
    Ok(LoadReport {
        added,
        settings,
        messages,
    })
}

/// The rules `text` adds after its last `-D`, in order (bytes as sent).
/// Used on reload: when the kernel already holds exactly these rules, the
/// load is skipped, so a SIGHUP opens no window without rules.
pub fn planned_rules<H: Host>(host: H, text: &[u8]) -> Vec<Vec<u8>> {
    let mut rules = Vec::new();
    for (_, parsed) in (RulesSyntax { host }).parse_file(text) {
        let Ok(line) = parsed else { continue };
        for r in line.requests {
            match r {
                Request::DeleteAll { key } if key.is_empty() => rules.clear(),
                Request::AddRule(b) => rules.push(b),
                _ => {}
            }
        }
    }
    rules
}

/// The `struct audit_rule_data` bytes of one auditctl command line (e.g.
/// the daemon's self-exclusion `-A exit,never -F pid=N`).
pub fn rule_bytes<H: Host>(host: H, args: &[&str]) -> Result<Vec<u8>, DaemonError> {
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let line = RulesSyntax { host }
        .parse_args(&args)
        .map_err(|message| DaemonError::Rules {
            origin: args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            message,
        })?;
    line.requests
        .into_iter()
        .find_map(|r| match r {
            Request::AddRule(b) => Some(b),
            _ => None,
        })
        .ok_or_else(|| DaemonError::Rules {
            origin: args
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            message: "no rule in this command".into(),
        })
}

#[cfg(test)]
mod tests {
    use audit_ctl::fake::FakeKernel;
    use audit_rules::FakeHost;

    use super::*;

    fn dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let d = std::env::temp_dir().join(format!("auditrs-rules-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        for (n, t) in files {
            std::fs::write(d.join(n), t).unwrap();
        }
        d
    }

    #[test]
    fn directory_in_augenrules_order_replaces_kernel_rules() {
        let d = dir(
            "order",
            &[
                (
                    "10-b.rules",
                    "-a always,exit -F arch=b64 -S execve -k exec\n",
                ),
                (
                    "2-a.rules",
                    "-b 1234\n-a always,exit -F arch=b64 -S exit_group\n",
                ),
                ("ignored.txt", "garbage\n"),
            ],
        );
        let mut k = FakeKernel::new();
        let old = rule_bytes(
            FakeHost::x86_64(),
            &["-a", "always,exit", "-F", "arch=b64", "-S", "openat"],
        )
        .unwrap();
        k.add_rule(&old).unwrap();
        let text = assemble(&d).unwrap();
        assert!(text.starts_with(b"-D\n"));
        let r = load(&mut k, FakeHost::x86_64(), &d.display().to_string(), &text).unwrap();
        assert_eq!((r.added, r.settings), (2, 1));
        let rules = k.rules();
        assert_eq!(rules.len(), 2, "old rule deleted, two added");
        assert!(!rules.contains(&old));
        // 2-a.rules before 10-b.rules (natural order): exit_group first.
        let exit_group = rule_bytes(
            FakeHost::x86_64(),
            &["-a", "always,exit", "-F", "arch=b64", "-S", "exit_group"],
        )
        .unwrap();
        assert_eq!(rules[0], exit_group);
        assert_eq!(k.status.backlog_limit, 1234);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn bad_line_sends_nothing_and_names_the_line() {
        let mut k = FakeKernel::new();
        let old = rule_bytes(FakeHost::x86_64(), &["-w", "/etc/passwd", "-p", "wa"]).unwrap();
        k.add_rule(&old).unwrap();
        let before = k.rules();
        let e = load(
            &mut k,
            FakeHost::x86_64(),
            "r.rules",
            b"-D\n-a always,exit -S nosuchcall\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.rules:2"), "{e}");
        assert_eq!(k.rules(), before, "nothing changed");
    }

    #[test]
    fn self_exclusion_rule() {
        let b = rule_bytes(FakeHost::x86_64(), &["-A", "exit,never", "-F", "pid=4242"]).unwrap();
        let text = audit_rules::Rule::from_bytes(&b)
            .map(|r| audit_rules::Printer::new(Some(0xc000_003e), false).rule(&r))
            .unwrap();
        let text = String::from_utf8_lossy(&text).into_owned();
        // (The prepend flag is in the bytes; the kernel strips it on add.)
        assert!(
            text.contains("-a never,") && text.contains("-S all -F pid=4242"),
            "{text}"
        );
    }

    #[test]
    fn planned_rules_match_the_kernel_after_a_load() {
        let text = b"-D\n-a always,exit -F arch=b64 -S execve -k exec\n-w /etc/passwd -p wa\n";
        let mut k = FakeKernel::new();
        load(&mut k, FakeHost::x86_64().with_dir("/etc"), "t", text).unwrap();
        assert_eq!(
            planned_rules(FakeHost::x86_64().with_dir("/etc"), text),
            k.rules()
        );
    }

    #[test]
    fn single_file_source() {
        let d = dir(
            "file",
            &[("one.rules", "-a always,exit -F arch=b64 -S execve\n")],
        );
        let text = assemble(&d.join("one.rules")).unwrap();
        assert_eq!(text, b"-D\n-a always,exit -F arch=b64 -S execve\n");
        assert!(assemble(&d.join("missing.rules")).is_err());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
