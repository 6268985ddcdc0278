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

    /// Records a rule added.
    pub fn added(&mut self, rule: Vec<u8>) {
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
                problems.push(format!("{what}: {e}"));
            }
        }
        if let Some(before) = &self.before {
            match kernel.list_rules() {
                Ok(now) if &now == before => {}
                Ok(_) => {
                    if let Err(e) = rebuild(kernel, before) {
                        problems.push(e);
                    }
                }
                Err(e) => problems.push(format!("listing rules: {e}")),
            }
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
/// exactly `before` again. Rules carrying AUDIT_FILTER_PREPEND go to the head
/// of their list (audit_add_rule), so those are added in reverse order.
fn rebuild<K: Kernel + ?Sized>(kernel: &mut K, before: &[Vec<u8>]) -> Result<(), String> {
    let now = kernel
        .list_rules()
        .map_err(|e| format!("listing rules: {e}"))?;
    for rule in &now {
        kernel
            .delete_rule(rule)
            .map_err(|e| format!("clearing rules: {e}"))?;
    }
    let prepended = |r: &Vec<u8>| {
        r.get(0..4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) & FILTER_PREPEND != 0)
            .unwrap_or(false)
    };
    for rule in before.iter().filter(|r| prepended(r)).rev() {
        kernel
            .add_rule(rule)
            .map_err(|e| format!("restoring rules: {e}"))?;
    }
    for rule in before.iter().filter(|r| !prepended(r)) {
        kernel
            .add_rule(rule)
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
        let mut j = Journal::new(Some(Vec::new()));
        j.added(rule(4, 1)); // never actually added: delete fails with ENOENT
        let err = j.undo(&mut k).unwrap_err();
        assert!(err.contains("No such file or directory"), "{err}");
    }
}
