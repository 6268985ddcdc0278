//! [`Kernel`] over the real audit netlink socket (`audit-client`).

use audit_client::{AuditControl, Feature, MessageType, Transport};

use crate::kernel::{Kernel, KernelError};
use crate::status::{Features, Status, StatusChange};

fn map(e: audit_client::Error) -> KernelError {
    match e.errno() {
        Some(n) => KernelError::Errno(n),
        None => KernelError::Other(e.to_string()),
    }
}

impl<T: Transport> Kernel for AuditControl<T> {
    fn get_status(&mut self) -> Result<Status, KernelError> {
        let s = AuditControl::get_status(self).map_err(map)?;
        Ok(Status {
            enabled: s.enabled,
            failure: s.failure,
            pid: s.pid,
            rate_limit: s.rate_limit,
            backlog_limit: s.backlog_limit,
            lost: s.lost,
            backlog: s.backlog,
            backlog_wait_time: s.backlog_wait_time,
            backlog_wait_time_actual: s.backlog_wait_time_actual,
        })
    }

    fn set_status(&mut self, change: StatusChange) -> Result<(), KernelError> {
        let mut c = audit_client::StatusChange::default();
        match change {
            StatusChange::Enabled(v) => c.enabled = Some(v),
            StatusChange::Failure(v) => c.failure = Some(v),
            StatusChange::RateLimit(v) => c.rate_limit = Some(v),
            StatusChange::BacklogLimit(v) => c.backlog_limit = Some(v),
            StatusChange::BacklogWaitTime(v) => c.backlog_wait_time = Some(v),
        }
        AuditControl::set_status(self, &c).map(|_| ()).map_err(map)
    }

    fn reset_lost(&mut self) -> Result<u32, KernelError> {
        AuditControl::reset_lost(self).map_err(map)
    }

    fn reset_backlog_wait_time_actual(&mut self) -> Result<u32, KernelError> {
        let c = audit_client::StatusChange {
            reset_backlog_wait_time_actual: true,
            ..Default::default()
        };
        let r = AuditControl::set_status(self, &c).map_err(map)?;
        Ok(r.backlog_wait_time_actual_before_reset.unwrap_or(0))
    }

    fn get_features(&mut self) -> Result<Features, KernelError> {
        let f = AuditControl::get_features(self).map_err(map)?;
        Ok(Features {
            mask: f.mask,
            features: f.features,
            lock: f.lock,
        })
    }

    fn set_loginuid_immutable(&mut self) -> Result<(), KernelError> {
        AuditControl::set_feature(self, Feature::LoginuidImmutable, true, true).map_err(map)
    }

    fn list_rules(&mut self) -> Result<Vec<Vec<u8>>, KernelError> {
        AuditControl::list_rules(self).map_err(map)
    }

    fn add_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        AuditControl::add_rule(self, rule).map_err(map)
    }

    fn delete_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        AuditControl::delete_rule(self, rule).map_err(map)
    }

    fn send_user_message(&mut self, text: &[u8]) -> Result<(), KernelError> {
        AuditControl::send_user_message(self, MessageType::User, text).map_err(map)
    }

    fn trim_subtrees(&mut self) -> Result<(), KernelError> {
        AuditControl::trim_subtrees(self).map_err(map)
    }

    fn make_equivalent(&mut self, mount: &[u8], subtree: &[u8]) -> Result<(), KernelError> {
        AuditControl::make_equivalent(self, mount, subtree).map_err(map)
    }
}
