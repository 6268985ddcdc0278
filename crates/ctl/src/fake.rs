//! An in-memory audit subsystem for tests: the rule list with the kernel's
//! EEXIST/ENOENT semantics and list ordering, the `enabled=2` lock (EPERM on
//! every change), status fields, loginuid_immutable, and injectable failures.

use crate::kernel::{errno, Kernel, KernelError};
use crate::status::{Features, Status, StatusChange, FEATURE_LOGINUID_IMMUTABLE};

/// `AUDIT_FILTER_PREPEND`: insert at the head of the list (`-A`).
const FILTER_PREPEND: u32 = 0x10;
/// `PATH_MAX`: longer paths get ENAMETOOLONG from AUDIT_MAKE_EQUIV.
const PATH_MAX: usize = 4096;
/// `AUDIT_NR_FILTERS`.
const NR_FILTERS: u32 = 8;
/// Size of `struct audit_rule_data` without its variable buffer.
const RULE_HEADER_LEN: usize = 4 * (3 + 64 * 4 + 1);

/// One request the fake received, for assertions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// AUDIT_GET.
    GetStatus,
    /// AUDIT_SET.
    SetStatus(StatusChange),
    /// Lost counter reset.
    ResetLost,
    /// backlog_wait_time_actual reset.
    ResetBacklogWaitTimeActual,
    /// AUDIT_GET_FEATURE.
    GetFeatures,
    /// AUDIT_SET_FEATURE loginuid_immutable.
    SetLoginuidImmutable,
    /// AUDIT_LIST_RULES.
    ListRules,
    /// AUDIT_ADD_RULE with these bytes.
    AddRule(Vec<u8>),
    /// AUDIT_DEL_RULE with these bytes.
    DeleteRule(Vec<u8>),
    /// AUDIT_USER message.
    UserMessage(Vec<u8>),
    /// A signal to a process: (pid, signal).
    Signal(u32, i32),
    /// AUDIT_TRIM.
    TrimSubtrees,
    /// AUDIT_MAKE_EQUIV: (mount, subtree).
    MakeEquivalent(Vec<u8>, Vec<u8>),
}

/// The fake audit subsystem. Fields are public so tests can set up any state.
#[derive(Debug, Clone)]
pub struct FakeKernel {
    /// Current status (enabled=2 locks every change).
    pub status: Status,
    /// Current features.
    pub features: Features,
    /// Rules per filter list (index = list number), in kernel order.
    pub lists: Vec<Vec<Vec<u8>>>,
    /// Every request received, in order.
    pub calls: Vec<Call>,
    /// `(n, errno)`: the n-th add request (0-based, counted over the fake's
    /// life) fails with errno.
    pub fail_adds: Vec<(usize, i32)>,
    /// `(n, errno)`: the n-th delete request fails with errno.
    pub fail_deletes: Vec<(usize, i32)>,
    /// `(rule, errno)`: adding exactly these bytes always fails with errno
    /// (as the kernel refuses a watch on a missing directory).
    pub reject_rules: Vec<(Vec<u8>, i32)>,
    /// Paths that resolve for AUDIT_MAKE_EQUIV (others: ENOENT, as
    /// `audit_tag_tree`'s `kern_path`). Empty by default.
    pub paths: Vec<Vec<u8>>,
    /// Equivalences accepted by AUDIT_MAKE_EQUIV: (mount, subtree).
    pub equivalences: Vec<(Vec<u8>, Vec<u8>)>,
    adds_seen: usize,
    deletes_seen: usize,
}

impl Default for FakeKernel {
    fn default() -> Self {
        FakeKernel {
            status: Status {
                enabled: 1,
                failure: 1,
                pid: 0,
                rate_limit: 0,
                backlog_limit: 8192,
                lost: 0,
                backlog: 0,
                backlog_wait_time: Some(60000),
                backlog_wait_time_actual: Some(0),
            },
            features: Features {
                mask: 0b11,
                features: 0,
                lock: 0,
            },
            lists: vec![Vec::new(); NR_FILTERS as usize],
            calls: Vec::new(),
            fail_adds: Vec::new(),
            fail_deletes: Vec::new(),
            reject_rules: Vec::new(),
            paths: Vec::new(),
            equivalences: Vec::new(),
            adds_seen: 0,
            deletes_seen: 0,
        }
    }
}

impl FakeKernel {
    /// A fresh fake: enabled=1, failure=1, backlog_limit=8192, no rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// All rules in the order AUDIT_LIST_RULES returns them.
    pub fn rules(&self) -> Vec<Vec<u8>> {
        self.lists.iter().flatten().cloned().collect()
    }

    /// Number of add/delete requests that reached the fake.
    pub fn rule_changes(&self) -> usize {
        self.calls
            .iter()
            .filter(|c| matches!(c, Call::AddRule(_) | Call::DeleteRule(_)))
            .count()
    }

    fn check_unlocked(&self) -> Result<(), KernelError> {
        if self.status.enabled == 2 {
            return Err(KernelError::Errno(errno::EPERM));
        }
        Ok(())
    }

    /// The list number of a rule, as `audit_to_entry_common` checks it.
    fn list_of(rule: &[u8]) -> Result<(usize, bool), KernelError> {
        if rule.len() < RULE_HEADER_LEN {
            return Err(KernelError::Errno(errno::EINVAL));
        }
        let flags = u32::from_ne_bytes([rule[0], rule[1], rule[2], rule[3]]);
        let list = flags & !FILTER_PREPEND;
        if list >= NR_FILTERS {
            return Err(KernelError::Errno(errno::EINVAL));
        }
        Ok((list as usize, flags & FILTER_PREPEND != 0))
    }
}

impl Kernel for FakeKernel {
    fn get_status(&mut self) -> Result<Status, KernelError> {
        self.calls.push(Call::GetStatus);
        Ok(self.status)
    }

    fn set_status(&mut self, change: StatusChange) -> Result<(), KernelError> {
        self.calls.push(Call::SetStatus(change));
        self.check_unlocked()?;
        let valid = match change {
            StatusChange::Enabled(v) | StatusChange::Failure(v) => v <= 2,
            _ => true,
        };
        if !valid {
            return Err(KernelError::Errno(errno::EINVAL));
        }
        change.apply(&mut self.status);
        Ok(())
    }

    fn reset_lost(&mut self) -> Result<u32, KernelError> {
        self.calls.push(Call::ResetLost);
        self.check_unlocked()?;
        Ok(std::mem::take(&mut self.status.lost))
    }

    fn reset_backlog_wait_time_actual(&mut self) -> Result<u32, KernelError> {
        self.calls.push(Call::ResetBacklogWaitTimeActual);
        self.check_unlocked()?;
        match self.status.backlog_wait_time_actual.as_mut() {
            Some(v) => Ok(std::mem::take(v)),
            None => Err(KernelError::Errno(errno::EINVAL)),
        }
    }

    fn get_features(&mut self) -> Result<Features, KernelError> {
        self.calls.push(Call::GetFeatures);
        Ok(self.features)
    }

    fn set_loginuid_immutable(&mut self) -> Result<(), KernelError> {
        self.calls.push(Call::SetLoginuidImmutable);
        self.check_unlocked()?;
        let bit = 1 << FEATURE_LOGINUID_IMMUTABLE;
        if self.features.lock & bit != 0 && self.features.features & bit == 0 {
            return Err(KernelError::Errno(errno::EPERM));
        }
        self.features.features |= bit;
        self.features.lock |= bit;
        Ok(())
    }

    fn list_rules(&mut self) -> Result<Vec<Vec<u8>>, KernelError> {
        self.calls.push(Call::ListRules);
        Ok(self.rules())
    }

    fn add_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        self.calls.push(Call::AddRule(rule.to_vec()));
        let n = self.adds_seen;
        self.adds_seen += 1;
        self.check_unlocked()?;
        if let Some(&(_, e)) = self.fail_adds.iter().find(|(i, _)| *i == n) {
            return Err(KernelError::Errno(e));
        }
        if let Some((_, e)) = self.reject_rules.iter().find(|(r, _)| r.as_slice() == rule) {
            return Err(KernelError::Errno(*e));
        }
        let (list, prepend) = Self::list_of(rule)?;
        // audit_add_rule -> audit_find_rule: the same rule (flags included,
        // so a `-A` copy of a listed rule is not a duplicate).
        if self.lists[list].iter().any(|r| r.as_slice() == rule) {
            return Err(KernelError::Errno(errno::EEXIST));
        }
        // audit_add_rule clears AUDIT_FILTER_PREPEND once the rule is in
        // place: the list (and later comparisons) see the rule without it.
        let mut stored = rule.to_vec();
        stored[0..4].copy_from_slice(&(list as u32).to_ne_bytes());
        if prepend {
            self.lists[list].insert(0, stored);
        } else {
            self.lists[list].push(stored);
        }
        Ok(())
    }

    fn delete_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        self.calls.push(Call::DeleteRule(rule.to_vec()));
        let n = self.deletes_seen;
        self.deletes_seen += 1;
        self.check_unlocked()?;
        if let Some(&(_, e)) = self.fail_deletes.iter().find(|(i, _)| *i == n) {
            return Err(KernelError::Errno(e));
        }
        let (list, _) = Self::list_of(rule)?;
        match self.lists[list].iter().position(|r| r.as_slice() == rule) {
            Some(i) => {
                self.lists[list].remove(i);
                Ok(())
            }
            None => Err(KernelError::Errno(errno::ENOENT)),
        }
    }

    fn send_user_message(&mut self, text: &[u8]) -> Result<(), KernelError> {
        self.calls.push(Call::UserMessage(text.to_vec()));
        Ok(())
    }

    fn signal_process(&mut self, pid: u32, sig: i32) -> Result<(), KernelError> {
        self.calls.push(Call::Signal(pid, sig));
        Ok(())
    }

    /// Always succeeds, even when locked (the kernel checks no lock here).
    fn trim_subtrees(&mut self) -> Result<(), KernelError> {
        self.calls.push(Call::TrimSubtrees);
        Ok(())
    }

    /// `audit_unpack_string` and `audit_tag_tree`: EINVAL for an empty
    /// path, ENAMETOOLONG beyond PATH_MAX, ENOENT for a path not in
    /// [`FakeKernel::paths`]; no lock check.
    fn make_equivalent(&mut self, mount: &[u8], subtree: &[u8]) -> Result<(), KernelError> {
        self.calls
            .push(Call::MakeEquivalent(mount.to_vec(), subtree.to_vec()));
        for p in [mount, subtree] {
            if p.is_empty() {
                return Err(KernelError::Errno(errno::EINVAL));
            }
            if p.len() > PATH_MAX {
                return Err(KernelError::Errno(errno::ENAMETOOLONG));
            }
        }
        for p in [subtree, mount] {
            if !self.paths.iter().any(|q| q.as_slice() == p) {
                return Err(KernelError::Errno(errno::ENOENT));
            }
        }
        self.equivalences.push((mount.to_vec(), subtree.to_vec()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal rule: list `list`, action always, no fields, one byte of
    /// mask set to `tag` so rules differ.
    pub(crate) fn rule(list: u32, tag: u8) -> Vec<u8> {
        let mut r = vec![0u8; RULE_HEADER_LEN];
        r[0..4].copy_from_slice(&list.to_ne_bytes());
        r[4..8].copy_from_slice(&2u32.to_ne_bytes());
        r[12] = tag;
        r
    }

    #[test]
    fn duplicate_and_missing() {
        let mut k = FakeKernel::new();
        k.add_rule(&rule(4, 1)).unwrap();
        assert_eq!(
            k.add_rule(&rule(4, 1)),
            Err(KernelError::Errno(errno::EEXIST))
        );
        assert_eq!(
            k.delete_rule(&rule(4, 2)),
            Err(KernelError::Errno(errno::ENOENT))
        );
        k.delete_rule(&rule(4, 1)).unwrap();
        assert!(k.rules().is_empty());
    }

    #[test]
    fn list_order_and_prepend() {
        let mut k = FakeKernel::new();
        k.add_rule(&rule(4, 1)).unwrap();
        k.add_rule(&rule(1, 2)).unwrap();
        k.add_rule(&rule(4 | FILTER_PREPEND, 3)).unwrap();
        let tags: Vec<u8> = k.rules().iter().map(|r| r[12]).collect();
        assert_eq!(tags, vec![2, 3, 1]);
        assert_eq!(
            k.add_rule(&rule(9, 4)),
            Err(KernelError::Errno(errno::EINVAL))
        );
        assert_eq!(
            k.add_rule(&[0u8; 8]),
            Err(KernelError::Errno(errno::EINVAL))
        );
    }

    #[test]
    fn locked_config_refuses_changes() {
        let mut k = FakeKernel::new();
        k.add_rule(&rule(4, 1)).unwrap();
        k.set_status(StatusChange::Enabled(2)).unwrap();
        let eperm = Err(KernelError::Errno(errno::EPERM));
        assert_eq!(k.add_rule(&rule(4, 2)), eperm);
        assert_eq!(k.delete_rule(&rule(4, 1)), eperm);
        assert_eq!(k.set_status(StatusChange::BacklogLimit(1)), eperm);
        assert_eq!(k.set_status(StatusChange::Enabled(1)), eperm);
        assert_eq!(k.rules().len(), 1);
        assert_eq!(k.status.backlog_limit, 8192);
    }

    #[test]
    fn trees_like_the_kernel() {
        let mut k = FakeKernel::new();
        k.paths = vec![b"/m".to_vec(), b"/s".to_vec()];
        k.set_status(StatusChange::Enabled(2)).unwrap();
        // No lock check for either request.
        k.trim_subtrees().unwrap();
        k.make_equivalent(b"/m", b"/s").unwrap();
        assert_eq!(k.equivalences, vec![(b"/m".to_vec(), b"/s".to_vec())]);
        let err = |e| Err(KernelError::Errno(e));
        assert_eq!(k.make_equivalent(b"/m", b"/x"), err(errno::ENOENT));
        assert_eq!(k.make_equivalent(b"", b"/x"), err(errno::EINVAL));
        // audit_unpack_string runs on both before any lookup.
        let long = vec![b'a'; PATH_MAX + 1];
        assert_eq!(k.make_equivalent(b"/x", &long), err(errno::ENAMETOOLONG));
        assert_eq!(k.equivalences.len(), 1);
        assert_eq!(
            k.calls[k.calls.len() - 3..],
            [
                Call::MakeEquivalent(b"/m".to_vec(), b"/x".to_vec()),
                Call::MakeEquivalent(Vec::new(), b"/x".to_vec()),
                Call::MakeEquivalent(b"/x".to_vec(), long),
            ]
        );
    }

    #[test]
    fn injected_failure_and_resets() {
        let mut k = FakeKernel::new();
        k.fail_adds.push((1, errno::EINVAL));
        k.add_rule(&rule(4, 1)).unwrap();
        assert_eq!(
            k.add_rule(&rule(4, 2)),
            Err(KernelError::Errno(errno::EINVAL))
        );
        k.add_rule(&rule(4, 3)).unwrap();
        assert_eq!(k.rules().len(), 2);
        k.status.lost = 7;
        assert_eq!(k.reset_lost(), Ok(7));
        assert_eq!(k.status.lost, 0);
        k.set_loginuid_immutable().unwrap();
        assert_eq!(k.features.lock & 2, 2);
        assert_eq!(
            k.set_status(StatusChange::Failure(3)),
            Err(KernelError::Errno(errno::EINVAL))
        );
    }
}
