//! The journal of what a rules-file load changed, and how to put it back.

use crate::kernel::Kernel;
use crate::status::StatusChange;

/// `AUDIT_FILTER_PREPEND`.
const FILTER_PREPEND: u32 = 0x10;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Undo {
    /// A rule this load added: delete it.
    Added(Vec<u8>),
    /// A rule this load deleted: add it back.
    Deleted(Vec<u8>),
    /// A status field this load set: set it back with this change.
    Status(StatusChange),
}

/// What a load did, newest last, plus the rule list before it started.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    entries: Vec<Undo>,
    before: Option<Vec<Vec<u8>>>,
}

impl Journal {
    /// A journal for a load; `before` is the kernel's rule list at its start
    /// (None when the load changes no rules).
    pub fn new(before: Option<Vec<Vec<u8>>>) -> Self {
        Journal {
            entries: Vec::new(),
            before,
        }
    }

    /// Records a rule added. The kernel stores it without
    /// AUDIT_FILTER_PREPEND (audit_add_rule clears the flag after inserting),
    /// so the rule to delete on undo is the one without it.
    pub fn added(&mut self, mut rule: Vec<u8>) {
        set_prepend(&mut rule, false);
        self.entries.push(Undo::Added(rule));
    }

    /// Records a rule deleted.
    pub fn deleted(&mut self, rule: Vec<u8>) {
        self.entries.push(Undo::Deleted(rule));
    }

    /// Records a status change by the change that reverts it.
    pub fn status_set(&mut self, inverse: StatusChange) {
        self.entries.push(Undo::Status(inverse));
    }

    /// Reverts everything, newest first. If the rule list still differs from
    /// the one before the load (a re-added rule lands at the end of its
    /// list), the list is rebuilt from the snapshot. Returns a one-line
    /// summary, or what could not be restored.
    pub fn undo<K: Kernel + ?Sized>(self, kernel: &mut K) -> Result<String, String> {
        let (mut removed, mut restored, mut settings) = (0usize, 0usize, 0usize);
        let mut problems = Vec::new();
        let mut rule_problems = Vec::new();
        for entry in self.entries.iter().rev() {
            let r = match entry {
                Undo::Added(rule) => kernel.delete_rule(rule).map(|_| removed += 1),
                Undo::Deleted(rule) => kernel.add_rule(rule).map(|_| restored += 1),
                Undo::Status(change) => kernel.set_status(*change).map(|_| settings += 1),
            };
            if let Err(e) = r {
                let what = match entry {
                    Undo::Added(_) => "deleting a rule this load added".to_string(),
                    Undo::Deleted(_) => "re-adding a rule this load deleted".to_string(),
                    Undo::Status(c) => format!("restoring {c:?}"),
                };
                match entry {
                    Undo::Status(_) => problems.push(format!("{what}: {e}")),
                    _ => rule_problems.push(format!("{what}: {e}")),
                }
            }
        }
        // A failed step above is repaired by rebuilding the list from the
        // snapshot; only a list that still differs is a failure.
        if let Some(before) = &self.before {
            match kernel.list_rules() {
                Ok(now) if &now == before => {}
                Ok(_) => {
                    if let Err(e) = rebuild(kernel, before) {
                        problems.extend(rule_problems);
                        problems.push(e);
                    }
                }
                Err(e) => problems.push(format!("listing rules: {e}")),
            }
        } else {
            problems.extend(rule_problems);
        }
        if problems.is_empty() {
            Ok(format!(
                "rolled back: {removed} rule(s) removed, {restored} rule(s) restored, \
                 {settings} setting(s) restored"
            ))
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Deletes every rule and adds `before` back so that the kernel lists
/// exactly `before` again: last rule first, each with AUDIT_FILTER_PREPEND
/// so it goes to the head of its list. The prepend flag also keeps a rule
/// listed twice (possible: audit_compare_rule sees the flag, so `-A` can
/// duplicate an `-a` rule) from being refused as a duplicate; the kernel
/// clears the flag once the rule is in place (audit_add_rule).
fn rebuild<K: Kernel + ?Sized>(kernel: &mut K, before: &[Vec<u8>]) -> Result<(), String> {
    let now = kernel
        .list_rules()
        .map_err(|e| format!("listing rules: {e}"))?;
    for rule in &now {
        kernel
            .delete_rule(rule)
            .map_err(|e| format!("clearing rules: {e}"))?;
    }
    for rule in before.iter().rev() {
        let mut r = rule.clone();
        set_prepend(&mut r, true);
        kernel
            .add_rule(&r)
            .map_err(|e| format!("restoring rules: {e}"))?;
    }
    let after = kernel
        .list_rules()
        .map_err(|e| format!("listing rules: {e}"))?;
    if after != before {
        return Err("the rule list differs from before the load".into());
    }
    Ok(())
}

/// Sets or clears AUDIT_FILTER_PREPEND in a rule's flags word.
fn set_prepend(rule: &mut [u8], on: bool) {
    if let Some(flags) = rule.get_mut(0..4) {
        let mut v = u32::from_ne_bytes([flags[0], flags[1], flags[2], flags[3]]) & !FILTER_PREPEND;
        if on {
            v |= FILTER_PREPEND;
        }
        flags.copy_from_slice(&v.to_ne_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeKernel;

    fn rule(list: u32, tag: u8) -> Vec<u8> {
        let mut r = vec![0u8; 1040];
        r[0..4].copy_from_slice(&list.to_ne_bytes());
        r[12] = tag;
        r
    }

    #[test]
    fn undo_restores_order_after_deletes() {
        let mut k = FakeKernel::new();
        for (l, t) in [(4, 1), (4 | FILTER_PREPEND, 2), (4, 3), (1, 4)] {
            k.add_rule(&rule(l, t)).unwrap();
        }
        let before = k.rules();
        let mut j = Journal::new(Some(before.clone()));
        // The load deletes the middle rule and adds another one.
        k.delete_rule(&rule(4, 1)).unwrap();
        j.deleted(rule(4, 1));
        k.add_rule(&rule(4, 9)).unwrap();
        j.added(rule(4, 9));
        k.set_status(StatusChange::BacklogLimit(1)).unwrap();
        j.status_set(StatusChange::BacklogLimit(8192));
        let summary = j.undo(&mut k).unwrap();
        assert!(summary.contains("1 rule(s) removed"), "{summary}");
        assert_eq!(k.rules(), before);
        assert_eq!(k.status.backlog_limit, 8192);
    }

    #[test]
    fn undo_reports_what_it_could_not_restore() {
        let mut k = FakeKernel::new();
        k.status.enabled = 2;
        let mut j = Journal::new(Some(Vec::new()));
        j.status_set(StatusChange::BacklogLimit(5));
        let err = j.undo(&mut k).unwrap_err();
        assert!(err.contains("Operation not permitted"), "{err}");
    }

    #[test]
    fn a_failed_step_is_repaired_from_the_snapshot() {
        let mut k = FakeKernel::new();
        k.add_rule(&rule(4, 1)).unwrap();
        // The same rule added again with the prepend flag: the kernel keeps
        // both (audit_compare_rule sees the flag).
        k.add_rule(&rule(4 | FILTER_PREPEND, 1)).unwrap();
        let before = k.rules();
        assert_eq!(before.len(), 2);
        let mut j = Journal::new(Some(before.clone()));
        k.delete_rule(&rule(4, 1)).unwrap();
        j.deleted(rule(4, 1));
        j.added(rule(4, 7)); // never added: its delete fails, and is forgiven
        j.undo(&mut k).unwrap();
        assert_eq!(k.rules(), before);
    }
}
