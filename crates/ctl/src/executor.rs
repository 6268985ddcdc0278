//! Runs parsed requests against a [`Kernel`], printing what auditctl prints.
//!
//! A command line is one batch of requests. A rules file is loaded by
//! [`Executor::load`]: all-or-nothing, see there.

use std::io::Write;

use crate::error::CtlError;
use crate::kernel::{errno, Kernel, KernelError};
use crate::listing::{key_matches, RuleText};
use crate::request::Request;
use crate::rollback::Journal;
use crate::status::{format_features, format_status};

/// Where output goes: auditctl's stdout and stderr.
pub struct Console<'a> {
    /// Listings, status blocks, version.
    pub out: &'a mut dyn Write,
    /// Errors and notices.
    pub err: &'a mut dyn Write,
}

/// One line of a rules file after parsing: its 1-based number and either the
/// requests it holds or the parser's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    /// 1-based line number in the file.
    pub lineno: usize,
    /// The requests, or why the line is bad.
    pub parsed: Result<Vec<Request>, String>,
}

/// Executes requests against a kernel.
pub struct Executor<'a, K: Kernel + ?Sized> {
    kernel: &'a mut K,
    text: &'a dyn RuleText,
    journal: Option<Journal>,
}

fn map_refused(e: KernelError, other: impl FnOnce(KernelError) -> CtlError) -> CtlError {
    if e.errno() == Some(errno::ECONNREFUSED) {
        CtlError::Disabled
    } else {
        other(e)
    }
}

/// What the executor should do with an error at a given point of a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ErrorMode {
    /// `-c` or `-i` seen: report and go on.
    ignore: bool,
    /// `-c` seen: exit 1 at the end if anything failed.
    continue_error: bool,
}

impl ErrorMode {
    fn update(&mut self, reqs: &[Request]) {
        for r in reqs {
            match r {
                Request::ContinueOnError => {
                    self.ignore = true;
                    self.continue_error = true;
                }
                Request::IgnoreErrors => self.ignore = true,
                _ => {}
            }
        }
    }
}

impl<'a, K: Kernel + ?Sized> Executor<'a, K> {
    /// An executor printing kernel rules with `text`.
    pub fn new(kernel: &'a mut K, text: &'a dyn RuleText) -> Self {
        Executor {
            kernel,
            text,
            journal: None,
        }
    }

    /// The kernel (for callers that check state afterwards).
    pub fn kernel(&mut self) -> &mut K {
        self.kernel
    }

    /// Fails with [`CtlError::Immutable`] when the kernel is locked
    /// (auditctl's `is_ready`).
    pub fn check_ready(&mut self) -> Result<(), CtlError> {
        let st = self
            .kernel
            .get_status()
            .map_err(|e| map_refused(e, CtlError::GetStatus))?;
        if st.enabled == 2 {
            return Err(CtlError::Immutable);
        }
        Ok(())
    }

    /// Runs one command line's requests in order. A rule add or delete
    /// (`-a -A -d -w -W`) first asks whether the kernel is ready, as
    /// auditctl 3.0.9's `main` does (`is_ready`): locked, nothing is sent.
    /// `-D` is not checked (auditctl neither): the kernel refuses each
    /// deletion when locked.
    pub fn run_line(&mut self, reqs: &[Request], con: &mut Console) -> Result<(), CtlError> {
        if reqs
            .iter()
            .any(|r| matches!(r, Request::AddRule(_) | Request::DeleteRule(_)))
        {
            self.check_ready()?;
        }
        self.exec(reqs, con)
    }

    fn exec(&mut self, reqs: &[Request], con: &mut Console) -> Result<(), CtlError> {
        for r in reqs {
            match r {
                Request::AddRule(rule) => {
                    self.kernel
                        .add_rule(rule)
                        .map_err(|e| map_refused(e, CtlError::AddRule))?;
                    if let Some(j) = self.journal.as_mut() {
                        j.added(rule.clone());
                    }
                }
                Request::DeleteRule(rule) => {
                    self.kernel
                        .delete_rule(rule)
                        .map_err(|e| map_refused(e, CtlError::DeleteRule))?;
                    if let Some(j) = self.journal.as_mut() {
                        j.deleted(rule.clone());
                    }
                }
                Request::DeleteAll { key } => {
                    let rules = self.list()?;
                    for rule in rules.iter().filter(|r| key_matches(r, key)) {
                        self.kernel
                            .delete_rule(rule)
                            .map_err(|e| map_refused(e, CtlError::DeleteAll))?;
                        if let Some(j) = self.journal.as_mut() {
                            j.deleted(rule.clone());
                        }
                    }
                }
                Request::List { key, interpret } => self.print_list(key, *interpret, con)?,
                Request::Status {
                    interpret,
                    features,
                } => {
                    let st = self
                        .kernel
                        .get_status()
                        .map_err(|e| map_refused(e, CtlError::GetStatus))?;
                    let mut text = format_status(&st, *interpret);
                    match if *features {
                        self.kernel.get_features()
                    } else {
                        Err(KernelError::Errno(errno::EINVAL))
                    } {
                        Ok(f) => text.push_str(&format_features(&f)),
                        // auditctl: EINVAL means no features API; say nothing.
                        Err(e) if e.errno() == Some(errno::EINVAL) => {}
                        Err(e) => return Err(CtlError::GetFeatures(e)),
                    }
                    let _ = con.out.write_all(text.as_bytes());
                }
                Request::Set(change) => {
                    if self.journal.is_some() {
                        let before = self
                            .kernel
                            .get_status()
                            .map_err(|e| map_refused(e, CtlError::GetStatus))?;
                        let inverse = change.inverse(&before);
                        self.set(*change)?;
                        if let Some(j) = self.journal.as_mut() {
                            j.status_set(inverse);
                        }
                    } else {
                        self.set(*change)?;
                    }
                }
                Request::ResetLost => {
                    let n = self.kernel.reset_lost().map_err(|e| {
                        map_refused(e, |error| CtlError::Reset {
                            what: "lost",
                            error,
                        })
                    })?;
                    let _ = writeln!(con.err, "lost: {n}");
                }
                Request::ResetBacklogWaitTimeActual => {
                    let n = self.kernel.reset_backlog_wait_time_actual().map_err(|e| {
                        map_refused(e, |error| CtlError::Reset {
                            what: "backlog_wait_time_actual",
                            error,
                        })
                    })?;
                    let _ = writeln!(con.err, "backlog_wait_time_actual: {n}");
                }
                Request::LoginuidImmutable => self
                    .kernel
                    .set_loginuid_immutable()
                    .map_err(|e| map_refused(e, CtlError::SetFeature))?,
                Request::UserMessage(text) => {
                    if text.iter().any(|&b| b < 32) {
                        return Err(CtlError::IllegalMessage);
                    }
                    let mut msg = b"text=".to_vec();
                    msg.extend_from_slice(text);
                    self.kernel
                        .send_user_message(&msg)
                        .map_err(|e| map_refused(e, CtlError::UserMessage))?;
                }
                Request::Signal(sig) => {
                    let st = self
                        .kernel
                        .get_status()
                        .map_err(|e| map_refused(e, CtlError::GetStatus))?;
                    if st.pid == 0 {
                        return Err(CtlError::NoDaemon);
                    }
                    self.kernel
                        .signal_process(st.pid, *sig)
                        .map_err(CtlError::Signal)?;
                }
                Request::TrimSubtrees => self
                    .kernel
                    .trim_subtrees()
                    .map_err(|e| map_refused(e, CtlError::Trim))?,
                Request::MakeEquivalent { mount, subtree } => self
                    .kernel
                    .make_equivalent(mount, subtree)
                    .map_err(|e| map_refused(e, CtlError::MakeEquivalent))?,
                Request::Version => {
                    let _ = writeln!(con.out, "{}", crate::cli::VERSION);
                }
                // Usage is printed by the command-line layer; -c/-i only
                // matter to file loads.
                Request::Usage | Request::ContinueOnError | Request::IgnoreErrors => {}
            }
        }
        Ok(())
    }

    fn set(&mut self, change: crate::status::StatusChange) -> Result<(), CtlError> {
        self.kernel
            .set_status(change)
            .map_err(|e| map_refused(e, |error| CtlError::SetStatus { change, error }))
    }

    fn list(&mut self) -> Result<Vec<Vec<u8>>, CtlError> {
        self.kernel
            .list_rules()
            .map_err(|e| map_refused(e, CtlError::ListRules))
    }

    /// `-l`: every rule matching `key`, or "No rules" when the kernel has
    /// none at all (auditctl prints nothing when rules exist but none match).
    fn print_list(
        &mut self,
        key: &[u8],
        interpret: bool,
        con: &mut Console,
    ) -> Result<(), CtlError> {
        let rules = self.list()?;
        if rules.is_empty() {
            let _ = writeln!(con.out, "No rules");
            return Ok(());
        }
        let shown: Vec<(usize, &[u8])> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| key_matches(r, key))
            .map(|(i, r)| (i, r.as_slice()))
            .collect();
        let bytes: Vec<&[u8]> = shown.iter().map(|(_, r)| *r).collect();
        let mut failure = None;
        for ((index, _), line) in shown.iter().zip(self.text.listing(&bytes, interpret)) {
            match line {
                Ok(mut line) => {
                    line.push(b'\n');
                    let _ = con.out.write_all(&line);
                }
                Err(message) => {
                    let e = CtlError::Decode {
                        index: *index,
                        message,
                    };
                    let _ = writeln!(con.err, "{e}");
                    failure.get_or_insert(e);
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }

    /// Loads a parsed rules file, all-or-nothing.
    ///
    /// 1. Every line was parsed before this is called. A bad line, or a rule
    ///    added twice, before any `-c`/`-i` line is fatal: each is reported as
    ///    `LABEL:LINE: message` and nothing reaches the kernel.
    /// 2. If the kernel is locked (enabled=2) nothing is sent.
    /// 3. Lines run in order. If the kernel rejects one, it is reported as
    ///    `LABEL:LINE: message` and everything this load changed (rules added
    ///    or deleted, status fields set) is put back, then exit status 1.
    /// 4. After `-c` (or `-i`), bad lines and rejected requests are reported
    ///    and skipped, nothing is rolled back; the exit status is 1 after
    ///    `-c` and 0 after `-i` alone (auditctl's semantics).
    ///
    /// Returns the exit status (0 or 1).
    pub fn load(&mut self, label: &str, lines: &[FileLine], con: &mut Console) -> i32 {
        if let Some(code) = report_precheck(label, lines, con) {
            return code;
        }
        if let Err(e) = self.check_ready() {
            let _ = writeln!(con.err, "{label}: {e}");
            return 1;
        }
        let changes_rules = lines
            .iter()
            .any(|l| matches!(&l.parsed, Ok(r) if r.iter().any(Request::changes_rules)));
        let snapshot = if changes_rules {
            match self.list() {
                Ok(r) => Some(r),
                Err(e) => {
                    let _ = writeln!(con.err, "{label}: {e}");
                    return 1;
                }
            }
        } else {
            None
        };
        self.journal = Some(Journal::new(snapshot));
        let mut mode = ErrorMode::default();
        let mut had_error = false;
        for line in lines {
            let result = match &line.parsed {
                Ok(reqs) => {
                    mode.update(reqs);
                    self.exec(reqs, con).map_err(|e| e.to_string())
                }
                Err(msg) => Err(msg.clone()),
            };
            let Err(msg) = result else { continue };
            let _ = writeln!(con.err, "{label}:{}: {msg}", line.lineno);
            had_error = true;
            if !mode.ignore {
                let journal = self.journal.take().unwrap_or_default();
                let _ = con.err.flush();
                match journal.undo(&mut *self.kernel) {
                    Ok(summary) => {
                        let _ = writeln!(con.err, "{label}: load aborted, {summary}");
                    }
                    Err(e) => {
                        let _ = writeln!(con.err, "{label}: {}", CtlError::Rollback(e));
                    }
                }
                return 1;
            }
        }
        self.journal = None;
        i32::from(had_error && mode.continue_error)
    }
}

/// Runs [`precheck`] and reports its findings as `LABEL:LINE: message`;
/// returns the load's exit status (1) if there were any.
pub fn report_precheck(label: &str, lines: &[FileLine], con: &mut Console) -> Option<i32> {
    let fatal = precheck(lines);
    if fatal.is_empty() {
        return None;
    }
    for (lineno, msg) in &fatal {
        let _ = writeln!(con.err, "{label}:{lineno}: {msg}");
    }
    let _ = writeln!(
        con.err,
        "{label}: {} error(s), nothing was sent to the kernel",
        fatal.len()
    );
    Some(1)
}

/// Lines that make a load fail before anything is sent: parse errors and
/// rules added twice (without a delete in between), up to the first `-c`/`-i`.
pub fn precheck(lines: &[FileLine]) -> Vec<(usize, String)> {
    let mut fatal = Vec::new();
    let mut mode = ErrorMode::default();
    let mut added: Vec<(&[u8], usize)> = Vec::new();
    for line in lines {
        match &line.parsed {
            Err(msg) if !mode.ignore => fatal.push((line.lineno, msg.clone())),
            Err(_) => {}
            Ok(reqs) => {
                mode.update(reqs);
                for r in reqs {
                    match r {
                        Request::AddRule(b) => {
                            if let Some((_, first)) = added.iter().find(|(a, _)| *a == b.as_slice())
                            {
                                if !mode.ignore {
                                    fatal.push((
                                        line.lineno,
                                        format!("Rule exists (the same rule as line {first})"),
                                    ));
                                }
                            } else {
                                added.push((b, line.lineno));
                            }
                        }
                        Request::DeleteRule(b) => added.retain(|(a, _)| *a != b.as_slice()),
                        Request::DeleteAll { .. } => added.clear(),
                        _ => {}
                    }
                }
            }
        }
    }
    fatal
}

#[cfg(test)]
#[path = "executor_tests.rs"]
mod tests;
