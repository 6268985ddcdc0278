//! The rule language as `auditrs ctl` consumes it: auditctl arguments and
//! rules-file lines turned into [`Request`]s, through `audit-rules`.

use crate::request::Request;

/// One parsed command line or file line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    /// What to do, in order.
    pub requests: Vec<Request>,
    /// Warnings auditctl prints without failing.
    pub warnings: Vec<String>,
}

/// Parsing of auditctl syntax (with host lookups: users, groups, paths).
pub trait Syntax {
    /// One auditctl command line (arguments without the program name).
    fn parse_args(&self, args: &[Vec<u8>]) -> Result<Line, String>;
    /// A rules file: every line that holds a command, with its 1-based
    /// number (comments and blank lines are left out).
    fn parse_file(&self, text: &[u8]) -> Vec<(usize, Result<Line, String>)>;
}

use audit_rules::{Command, Host, Parsed, Printer, Rule, RuleError};

use crate::listing::RuleText;
use crate::status::StatusChange;

/// Turns one parsed line of `audit-rules` commands into requests.
pub fn to_line(parsed: Parsed) -> Result<Line, String> {
    // The status printed after a setting has no features line; `-s` cannot
    // be combined with settings ("Too many options for status command").
    let after_setting = parsed.commands.iter().any(|c| {
        matches!(
            c,
            Command::SetEnabled(_)
                | Command::SetFailure(_)
                | Command::SetRateLimit(_)
                | Command::SetBacklogLimit(_)
                | Command::SetBacklogWaitTime(_)
        )
    });
    let mut requests = Vec::with_capacity(parsed.commands.len());
    for c in parsed.commands {
        requests.push(match c {
            Command::AddRule(r) => Request::AddRule(r.to_bytes().map_err(|e| e.to_string())?),
            Command::DeleteRule(r) => Request::DeleteRule(r.to_bytes().map_err(|e| e.to_string())?),
            Command::DeleteAll { key } => Request::DeleteAll { key },
            Command::List { key, interpret } => Request::List { key, interpret },
            Command::Status { interpret } => Request::Status {
                interpret,
                features: !after_setting,
            },
            Command::SetEnabled(v) => Request::Set(StatusChange::Enabled(v)),
            Command::SetFailure(v) => Request::Set(StatusChange::Failure(v)),
            Command::SetRateLimit(v) => Request::Set(StatusChange::RateLimit(v)),
            Command::SetBacklogLimit(v) => Request::Set(StatusChange::BacklogLimit(v)),
            Command::SetBacklogWaitTime(v) => Request::Set(StatusChange::BacklogWaitTime(v)),
            Command::ResetLost => Request::ResetLost,
            Command::ResetBacklogWaitTimeActual => Request::ResetBacklogWaitTimeActual,
            Command::LoginuidImmutable => Request::LoginuidImmutable,
            Command::IgnoreErrors => Request::IgnoreErrors,
            Command::ContinueOnError => Request::ContinueOnError,
            Command::LoadFile(_) => return Err("Error - nested rule files not supported".into()),
            Command::Help => Request::Usage,
            Command::Version => Request::Version,
            Command::UserMessage(m) => Request::UserMessage(m),
            Command::TrimSubtrees => Request::TrimSubtrees,
            Command::MakeEquivalent { mount, subtree } => {
                Request::MakeEquivalent { mount, subtree }
            }
            Command::Signal(s) => Request::Signal(s),
        });
    }
    Ok(Line {
        requests,
        warnings: parsed.warnings,
    })
}

/// [`Syntax`] through `audit-rules`, with host facts from `H`.
pub struct RulesSyntax<H: Host> {
    /// Users, groups, directories, machine.
    pub host: H,
}

fn message(e: &RuleError) -> String {
    e.root().to_string()
}

impl<H: Host> Syntax for RulesSyntax<H> {
    fn parse_args(&self, args: &[Vec<u8>]) -> Result<Line, String> {
        let parsed = audit_rules::parse_args(args, &self.host).map_err(|e| message(&e))?;
        to_line(parsed)
    }

    fn parse_file(&self, text: &[u8]) -> Vec<(usize, Result<Line, String>)> {
        audit_rules::parse_rule_file("", text, &self.host)
            .into_iter()
            .map(|l| (l.line, l.result.map_err(|e| message(&e)).and_then(to_line)))
            .collect()
    }
}

/// [`RuleText`] through `audit-rules`' printer.
pub struct RulesText {
    /// The host's `AUDIT_ARCH_*` (names syscalls of rules without `arch`).
    pub host_arch: Option<u32>,
}

impl RuleText for RulesText {
    fn listing(&self, rules: &[&[u8]], interpret: bool) -> Vec<Result<Vec<u8>, String>> {
        // One printer for the whole listing: auditctl's arch state carries
        // over from one printed rule to the next.
        // `-i` names a0..a3 as auparse does, users/groups/protocols from
        // this host (getpwuid, getgrgid, getprotobynumber).
        let mut printer = Printer::new(self.host_arch, interpret)
            .with_names(std::sync::Arc::new(audit_rules::SystemHost::default()));
        rules
            .iter()
            .map(|b| {
                Rule::from_bytes(b)
                    .map(|r| printer.rule(&r))
                    .map_err(|e| e.to_string())
            })
            .collect()
    }
}
