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
