//! A simulated audit kernel behind the [`Transport`] trait: it answers the
//! control protocol the way `kernel/audit.c` (`audit_receive_msg`) does, so
//! higher layers can be tested without root and with states a live test must
//! never create (`enabled=2`, `failure=2`).

use std::collections::VecDeque;
use std::time::Duration;

use crate::error::Error;
use crate::feature::{AuditFeatures, FEATURES_LEN};
use crate::message::{
    nlmsg_align, split_datagram, MessageType, NetlinkAck, NetlinkHeader, NLMSG_DONE, NLMSG_ERROR,
    NLMSG_HDRLEN, NLM_F_ACK, NLM_F_MULTI,
};
use crate::rule::{check_rule_data, RULE_DATA_FIXED_LEN};
use crate::status::{
    AuditStatus, AUDIT_LOCKED, AUDIT_STATUS_BACKLOG_LIMIT, AUDIT_STATUS_BACKLOG_WAIT_TIME,
    AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL, AUDIT_STATUS_ENABLED, AUDIT_STATUS_FAILURE,
    AUDIT_STATUS_LOST, AUDIT_STATUS_PID, AUDIT_STATUS_RATE_LIMIT, STATUS_LEN,
};
use crate::transport::Transport;

/// `AUDIT_BACKLOG_WAIT_TIME` for HZ=250 (what `auditctl -s` shows on the
/// development machine: 15000); the kernel refuses more than ten times it.
const DEFAULT_WAIT_TIME: u32 = 15_000;

/// Builds one netlink message (header + payload, padded).
pub fn build_message(msg_type: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + payload.len();
    let mut out = Vec::with_capacity(nlmsg_align(len));
    NetlinkHeader {
        len: len as u32,
        msg_type,
        flags,
        seq,
        pid: 0,
    }
    .encode_into(&mut out);
    out.extend_from_slice(payload);
    out.resize(nlmsg_align(len), 0);
    out
}

/// Builds an `NLMSG_ERROR` datagram answering `request` with `error`
/// (0 = ACK, `-errno`, or a positive count).
pub fn build_ack(request: &NetlinkHeader, error: i32) -> Vec<u8> {
    build_message(
        NLMSG_ERROR,
        0,
        request.seq,
        &NetlinkAck::encode(error, request),
    )
}

/// Builds an event datagram as the kernel unicasts it (with the
/// `nlmsg_len` quirk: payload length only).
pub fn build_event(msg_type: u16, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(NLMSG_HDRLEN + text.len());
    NetlinkHeader {
        len: text.len() as u32,
        msg_type,
        flags: 0,
        seq: 0,
        pid: 0,
    }
    .encode_into(&mut out);
    out.extend_from_slice(text);
    out
}

/// The simulated kernel. Public fields are its state; tests set and
/// inspect them directly.
#[derive(Debug)]
pub struct SimKernel {
    /// Current status (`mask` ignored).
    pub status: AuditStatus,
    /// Current features.
    pub features: AuditFeatures,
    /// Loaded rules, in order, as bytes.
    pub rules: Vec<Vec<u8>>,
    /// User messages accepted: (type, text without the NUL).
    pub user_messages: Vec<(u16, Vec<u8>)>,
    /// The caller's pid as the kernel sees it (`task_tgid(current)`).
    pub caller_pid: u32,
    /// False simulates a caller without `CAP_AUDIT_CONTROL`: every request
    /// is answered `EPERM`.
    pub capable: bool,
    /// Answers `AUDIT_GET` with only this many bytes (older kernels).
    pub status_reply_len: usize,
    /// Event datagrams queued before every reply (a registered socket sees
    /// events interleaved with its replies).
    pub interleave: VecDeque<Vec<u8>>,
    /// When true, requests are swallowed: nothing is ever answered.
    pub silent: bool,
    /// Every request received, for inspection: (type, flags, payload).
    pub requests: Vec<(u16, u16, Vec<u8>)>,
    /// Paths that resolve (`kern_path` succeeds) for `AUDIT_MAKE_EQUIV`;
    /// any other path answers `ENOENT`. Empty by default.
    pub paths: Vec<Vec<u8>>,
    /// `AUDIT_MAKE_EQUIV` requests accepted: (mount, subtree).
    pub equivalences: Vec<(Vec<u8>, Vec<u8>)>,
    /// `AUDIT_TRIM` requests accepted.
    pub trims: usize,
    outbox: VecDeque<Vec<u8>>,
    deferred: Vec<Vec<u8>>,
}

impl Default for SimKernel {
    fn default() -> Self {
        Self::new()
    }
}

impl SimKernel {
    /// A kernel with auditing off, printk failure mode, backlog 64, no
    /// rules, no daemon, and the caller being this process.
    pub fn new() -> Self {
        SimKernel {
            status: AuditStatus {
                mask: 0,
                enabled: 0,
                failure: 1,
                pid: 0,
                rate_limit: 0,
                backlog_limit: 64,
                lost: 0,
                backlog: 0,
                feature_bitmap: Some(0x7f),
                backlog_wait_time: Some(DEFAULT_WAIT_TIME),
                backlog_wait_time_actual: Some(0),
            },
            features: AuditFeatures {
                vers: 1,
                mask: 0,
                features: 0,
                lock: 0,
            },
            rules: Vec::new(),
            user_messages: Vec::new(),
            caller_pid: std::process::id(),
            capable: true,
            status_reply_len: STATUS_LEN,
            interleave: VecDeque::new(),
            silent: false,
            requests: Vec::new(),
            paths: Vec::new(),
            equivalences: Vec::new(),
            trims: 0,
            outbox: VecDeque::new(),
            deferred: Vec::new(),
        }
    }

    /// Queues a raw datagram to be received next (events, garbage...).
    pub fn inject(&mut self, datagram: Vec<u8>) {
        self.outbox.push_back(datagram);
    }

    /// Datagrams waiting to be received.
    pub fn pending(&self) -> usize {
        self.outbox.len()
    }

    fn handle(&mut self, header: &NetlinkHeader, payload: &[u8]) {
        self.requests
            .push((header.msg_type, header.flags, payload.to_vec()));
        let result = if self.capable {
            self.receive_msg(header, payload)
        } else {
            -libc::EPERM
        };
        if let Some(ev) = self.interleave.pop_front() {
            self.outbox.push_back(ev);
        }
        // audit_receive: ACK on error or when NLM_F_ACK asks for it.
        if result != 0 || header.flags & NLM_F_ACK != 0 {
            let ack = build_ack(header, result);
            self.outbox.push_back(ack);
        }
        // Replies to GET-like requests come from a kthread after the ACK
        // (audit_send_reply_thread / audit_send_list_thread).
        let deferred = std::mem::take(&mut self.deferred);
        self.outbox.extend(deferred);
    }

    fn locked(&self) -> bool {
        self.status.enabled == AUDIT_LOCKED
    }

    /// The core of `audit_receive_msg`: returns the ACK's error value.
    fn receive_msg(&mut self, header: &NetlinkHeader, data: &[u8]) -> i32 {
        let seq = header.seq;
        match MessageType::from(header.msg_type) {
            MessageType::Get => {
                let mut s = self.status;
                s.mask = 0;
                let mut bytes = s.encode();
                bytes.truncate(self.status_reply_len);
                self.deferred.push(build_message(1000, 0, seq, &bytes));
                0
            }
            MessageType::Set => self.set(data),
            MessageType::GetFeature => {
                self.deferred
                    .push(build_message(1019, 0, seq, &self.features.encode()));
                0
            }
            MessageType::SetFeature => {
                if data.len() < FEATURES_LEN {
                    return -libc::EINVAL;
                }
                let Ok(uaf) = AuditFeatures::decode(data) else {
                    return -libc::EINVAL;
                };
                for i in 0..32u32 {
                    let bit = 1u32 << i;
                    if uaf.mask & bit == 0 {
                        continue;
                    }
                    if self.features.lock & bit != 0
                        && (uaf.features & bit) != (self.features.features & bit)
                    {
                        return -libc::EPERM;
                    }
                }
                for i in 0..32u32 {
                    let bit = 1u32 << i;
                    if uaf.mask & bit == 0 {
                        continue;
                    }
                    if uaf.features & bit != 0 {
                        self.features.features |= bit;
                    } else {
                        self.features.features &= !bit;
                    }
                    self.features.lock |= (uaf.lock | self.features.lock) & bit;
                }
                0
            }
            t @ (MessageType::AddRule | MessageType::DelRule) => {
                if data.len() < RULE_DATA_FIXED_LEN {
                    return -libc::EINVAL;
                }
                if self.locked() {
                    return -libc::EPERM;
                }
                let Ok(len) = check_rule_data(t, data) else {
                    return -libc::EINVAL;
                };
                let rule = &data[..len];
                let pos = self.rules.iter().position(|r| r.as_slice() == rule);
                match (t, pos) {
                    (MessageType::AddRule, Some(_)) => -libc::EEXIST,
                    (MessageType::AddRule, None) => {
                        self.rules.push(rule.to_vec());
                        0
                    }
                    (_, Some(i)) => {
                        self.rules.remove(i);
                        0
                    }
                    (_, None) => -libc::ENOENT,
                }
            }
            MessageType::ListRules => {
                for r in self.rules.clone() {
                    self.deferred
                        .push(build_message(1013, NLM_F_MULTI, seq, &r));
                }
                self.deferred
                    .push(build_message(NLMSG_DONE, NLM_F_MULTI, seq, &[]));
                0
            }
            // Neither checks the enabled=2 lock.
            MessageType::Trim => {
                self.trims += 1;
                0
            }
            MessageType::MakeEquiv => match crate::tree::decode_make_equiv(data) {
                Err(errno) => -errno,
                // audit_tag_tree resolves the subtree first, then the mount.
                Ok((mount, subtree)) => {
                    let exists = |p: &[u8]| self.paths.iter().any(|q| q.as_slice() == p);
                    if !exists(subtree) || !exists(mount) {
                        return -libc::ENOENT;
                    }
                    self.equivalences.push((mount.to_vec(), subtree.to_vec()));
                    0
                }
            },
            t if t.is_user_message() => {
                if self.status.enabled == 0 && t.as_u16() != 1107 {
                    return 0;
                }
                if data.len() < 2 {
                    return -libc::EINVAL;
                }
                let text = &data[..data.len() - 1];
                self.user_messages.push((t.as_u16(), text.to_vec()));
                0
            }
            _ => -libc::EINVAL,
        }
    }

    fn set(&mut self, data: &[u8]) -> i32 {
        let mut full = [0u8; STATUS_LEN];
        let n = data.len().min(STATUS_LEN);
        full[..n].copy_from_slice(&data[..n]);
        let Ok(s) = AuditStatus::decode(&full) else {
            return -libc::EINVAL;
        };
        if s.mask & AUDIT_STATUS_ENABLED != 0 {
            if s.enabled > AUDIT_LOCKED {
                return -libc::EINVAL;
            }
            if self.locked() {
                return -libc::EPERM;
            }
            self.status.enabled = s.enabled;
        }
        if s.mask & AUDIT_STATUS_FAILURE != 0 {
            if s.failure > 2 {
                return -libc::EINVAL;
            }
            if self.locked() {
                return -libc::EPERM;
            }
            self.status.failure = s.failure;
        }
        if s.mask & AUDIT_STATUS_PID != 0 {
            let new_pid = s.pid;
            if new_pid != 0 && new_pid != self.caller_pid {
                return -libc::EINVAL;
            }
            if self.status.pid != 0 {
                if new_pid != 0 {
                    return -libc::EEXIST;
                }
                if self.caller_pid != self.status.pid {
                    return -libc::EACCES;
                }
            }
            self.status.pid = new_pid;
        }
        if s.mask & AUDIT_STATUS_RATE_LIMIT != 0 {
            if self.locked() {
                return -libc::EPERM;
            }
            self.status.rate_limit = s.rate_limit;
        }
        if s.mask & AUDIT_STATUS_BACKLOG_LIMIT != 0 {
            if self.locked() {
                return -libc::EPERM;
            }
            self.status.backlog_limit = s.backlog_limit;
        }
        if s.mask & AUDIT_STATUS_BACKLOG_WAIT_TIME != 0 {
            if data.len() < STATUS_LEN - 4 {
                return -libc::EINVAL;
            }
            let wait = s.backlog_wait_time.unwrap_or(0);
            if wait > 10 * DEFAULT_WAIT_TIME {
                return -libc::EINVAL;
            }
            if self.locked() {
                return -libc::EPERM;
            }
            self.status.backlog_wait_time = Some(wait);
        }
        if s.mask == AUDIT_STATUS_LOST {
            let lost = std::mem::take(&mut self.status.lost);
            return lost as i32;
        }
        if s.mask == AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL {
            let actual = self.status.backlog_wait_time_actual.replace(0).unwrap_or(0);
            return actual as i32;
        }
        0
    }
}

impl Transport for SimKernel {
    fn send(&mut self, datagram: &[u8]) -> Result<(), Error> {
        if self.silent {
            return Ok(());
        }
        let messages = split_datagram(datagram)?;
        for m in messages {
            self.handle(&m.header, m.payload);
        }
        Ok(())
    }

    fn recv(&mut self, _timeout: Duration) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.outbox.pop_front())
    }
}
