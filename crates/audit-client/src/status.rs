//! `struct audit_status` (`AUDIT_GET` / `AUDIT_SET`).

use crate::error::Error;
use crate::message::{read_u32, MessageType};

/// `AUDIT_STATUS_ENABLED`
pub const AUDIT_STATUS_ENABLED: u32 = 0x0001;
/// `AUDIT_STATUS_FAILURE`
pub const AUDIT_STATUS_FAILURE: u32 = 0x0002;
/// `AUDIT_STATUS_PID`
pub const AUDIT_STATUS_PID: u32 = 0x0004;
/// `AUDIT_STATUS_RATE_LIMIT`
pub const AUDIT_STATUS_RATE_LIMIT: u32 = 0x0008;
/// `AUDIT_STATUS_BACKLOG_LIMIT`
pub const AUDIT_STATUS_BACKLOG_LIMIT: u32 = 0x0010;
/// `AUDIT_STATUS_BACKLOG_WAIT_TIME`
pub const AUDIT_STATUS_BACKLOG_WAIT_TIME: u32 = 0x0020;
/// `AUDIT_STATUS_LOST` (alone in the mask: reset the lost counter)
pub const AUDIT_STATUS_LOST: u32 = 0x0040;
/// `AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL` (alone in the mask: reset it)
pub const AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL: u32 = 0x0080;

/// `AUDIT_FEATURE_BITMAP_BACKLOG_LIMIT`
pub const AUDIT_FEATURE_BITMAP_BACKLOG_LIMIT: u32 = 0x01;
/// `AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME`
pub const AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME: u32 = 0x02;
/// `AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH`
pub const AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH: u32 = 0x04;
/// `AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND`
pub const AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND: u32 = 0x08;
/// `AUDIT_FEATURE_BITMAP_SESSIONID_FILTER`
pub const AUDIT_FEATURE_BITMAP_SESSIONID_FILTER: u32 = 0x10;
/// `AUDIT_FEATURE_BITMAP_LOST_RESET`
pub const AUDIT_FEATURE_BITMAP_LOST_RESET: u32 = 0x20;
/// `AUDIT_FEATURE_BITMAP_FILTER_FS`
pub const AUDIT_FEATURE_BITMAP_FILTER_FS: u32 = 0x40;

/// `enabled` value: auditing off.
pub const AUDIT_OFF: u32 = 0;
/// `enabled` value: auditing on.
pub const AUDIT_ON: u32 = 1;
/// `enabled` value: on and configuration locked until reboot (`-e 2`).
pub const AUDIT_LOCKED: u32 = 2;
/// `failure` value: silent.
pub const AUDIT_FAIL_SILENT: u32 = 0;
/// `failure` value: printk (the default).
pub const AUDIT_FAIL_PRINTK: u32 = 1;
/// `failure` value: kernel panic (`-f 2`).
pub const AUDIT_FAIL_PANIC: u32 = 2;

/// Size of the 8 fields every kernel sends (mask .. backlog).
pub const STATUS_MIN_LEN: usize = 32;
/// Size of the full structure as of Linux 5.9+ (11 fields).
pub const STATUS_LEN: usize = 44;

/// `struct audit_status` as in `include/uapi/linux/audit.h`.
///
/// Older kernels send a shorter structure. Decoding accepts any reply of at
/// least [`STATUS_MIN_LEN`] bytes; the trailing fields a kernel did not send
/// are `None`: `feature_bitmap` (Linux 3.12+, a union with the deprecated
/// `version`), `backlog_wait_time` (3.14+), `backlog_wait_time_actual`
/// (5.9+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditStatus {
    /// Bit mask of the fields being set (`AUDIT_STATUS_*`); 0 in replies.
    pub mask: u32,
    /// 0 off, 1 on, 2 locked.
    pub enabled: u32,
    /// Failure-to-log action: 0 silent, 1 printk, 2 panic.
    pub failure: u32,
    /// Pid of the registered audit daemon, 0 if none.
    pub pid: u32,
    /// Message rate limit (per second), 0 = unlimited.
    pub rate_limit: u32,
    /// Maximum number of queued messages.
    pub backlog_limit: u32,
    /// Messages lost since boot (or the last reset).
    pub lost: u32,
    /// Messages currently queued.
    pub backlog: u32,
    /// Kernel feature bitmap (`AUDIT_FEATURE_BITMAP_*`); on kernels before
    /// 3.12 this slot is the deprecated `version`.
    pub feature_bitmap: Option<u32>,
    /// Backlog wait timeout in jiffies-ish units (`-b` wait, default 60*HZ).
    pub backlog_wait_time: Option<u32>,
    /// Total time spent waiting on a full backlog.
    pub backlog_wait_time_actual: Option<u32>,
}

impl AuditStatus {
    /// Decodes an `AUDIT_GET` reply payload. Longer payloads (future
    /// kernels) are accepted and the extra bytes ignored.
    pub fn decode(payload: &[u8]) -> Result<Self, Error> {
        if payload.len() < STATUS_MIN_LEN {
            return Err(Error::Truncated {
                msg_type: MessageType::Get,
                what: "struct audit_status",
                needed: STATUS_MIN_LEN,
                got: payload.len(),
            });
        }
        let opt = |off: usize| (payload.len() >= off + 4).then(|| read_u32(payload, off));
        Ok(AuditStatus {
            mask: read_u32(payload, 0),
            enabled: read_u32(payload, 4),
            failure: read_u32(payload, 8),
            pid: read_u32(payload, 12),
            rate_limit: read_u32(payload, 16),
            backlog_limit: read_u32(payload, 20),
            lost: read_u32(payload, 24),
            backlog: read_u32(payload, 28),
            feature_bitmap: opt(32),
            backlog_wait_time: opt(36),
            backlog_wait_time_actual: opt(40),
        })
    }

    /// Encodes the full 44-byte structure (absent fields as 0). The kernel
    /// copies `min(sizeof, len)` bytes, so the full size is always safe.
    pub fn encode(&self) -> Vec<u8> {
        let fields = [
            self.mask,
            self.enabled,
            self.failure,
            self.pid,
            self.rate_limit,
            self.backlog_limit,
            self.lost,
            self.backlog,
            self.feature_bitmap.unwrap_or(0),
            self.backlog_wait_time.unwrap_or(0),
            self.backlog_wait_time_actual.unwrap_or(0),
        ];
        fields.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    /// True when the configuration is locked (`enabled == 2`).
    pub fn is_locked(&self) -> bool {
        self.enabled == AUDIT_LOCKED
    }
}

/// A change to the kernel's audit status, sent as one `AUDIT_SET` with the
/// mask bits of the fields that are `Some` (and extra requests for the
/// resets, which the kernel only honours alone in the mask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusChange {
    /// `enabled` (0, 1, or 2 = lock until reboot).
    pub enabled: Option<u32>,
    /// `failure` (0 silent, 1 printk, 2 panic).
    pub failure: Option<u32>,
    /// Audit daemon pid; must be the caller's own pid, or 0 to unregister.
    pub pid: Option<u32>,
    /// Rate limit in messages per second.
    pub rate_limit: Option<u32>,
    /// Backlog limit.
    pub backlog_limit: Option<u32>,
    /// Backlog wait time (kernel maximum 10 * 60 * HZ).
    pub backlog_wait_time: Option<u32>,
    /// Reset the `lost` counter (`AUDIT_STATUS_LOST`, sent separately).
    pub reset_lost: bool,
    /// Reset `backlog_wait_time_actual` (sent separately).
    pub reset_backlog_wait_time_actual: bool,
}

impl StatusChange {
    /// The `AUDIT_SET` structure for the value fields, `None` when no value
    /// field is set (only resets, or nothing).
    pub fn to_status(&self) -> Option<AuditStatus> {
        let mut s = AuditStatus {
            backlog_wait_time: Some(0),
            ..Default::default()
        };
        if let Some(v) = self.enabled {
            s.mask |= AUDIT_STATUS_ENABLED;
            s.enabled = v;
        }
        if let Some(v) = self.failure {
            s.mask |= AUDIT_STATUS_FAILURE;
            s.failure = v;
        }
        if let Some(v) = self.pid {
            s.mask |= AUDIT_STATUS_PID;
            s.pid = v;
        }
        if let Some(v) = self.rate_limit {
            s.mask |= AUDIT_STATUS_RATE_LIMIT;
            s.rate_limit = v;
        }
        if let Some(v) = self.backlog_limit {
            s.mask |= AUDIT_STATUS_BACKLOG_LIMIT;
            s.backlog_limit = v;
        }
        if let Some(v) = self.backlog_wait_time {
            s.mask |= AUDIT_STATUS_BACKLOG_WAIT_TIME;
            s.backlog_wait_time = Some(v);
        }
        if s.mask == 0 {
            return None;
        }
        Some(s)
    }

    /// True when nothing would be sent.
    pub fn is_empty(&self) -> bool {
        self.to_status().is_none() && !self.reset_lost && !self.reset_backlog_wait_time_actual
    }
}

/// What [`crate::AuditControl::set_status`] got back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusChangeReply {
    /// The `lost` count before the reset, when a reset was requested (the
    /// kernel returns it in the ACK).
    pub lost_before_reset: Option<u32>,
    /// `backlog_wait_time_actual` before the reset, when requested.
    pub backlog_wait_time_actual_before_reset: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> AuditStatus {
        AuditStatus {
            mask: 0,
            enabled: 1,
            failure: 1,
            pid: 1234,
            rate_limit: 0,
            backlog_limit: 8192,
            lost: 3,
            backlog: 0,
            feature_bitmap: Some(0x7f),
            backlog_wait_time: Some(60000),
            backlog_wait_time_actual: Some(0),
        }
    }

    #[test]
    fn full_round_trip() {
        let s = sample();
        let bytes = s.encode();
        assert_eq!(bytes.len(), STATUS_LEN);
        assert_eq!(AuditStatus::decode(&bytes).unwrap(), s);
    }

    #[test]
    fn older_kernels_shorter_replies() {
        let bytes = sample().encode();
        let s40 = AuditStatus::decode(&bytes[..40]).unwrap();
        assert_eq!(s40.backlog_wait_time, Some(60000));
        assert_eq!(s40.backlog_wait_time_actual, None);
        let s36 = AuditStatus::decode(&bytes[..36]).unwrap();
        assert_eq!(s36.feature_bitmap, Some(0x7f));
        assert_eq!(s36.backlog_wait_time, None);
        let s32 = AuditStatus::decode(&bytes[..32]).unwrap();
        assert_eq!(s32.feature_bitmap, None);
        assert_eq!(s32.backlog, 0);
        assert_eq!(s32.pid, 1234);
        // Unaligned lengths: the partial trailing field is absent.
        let s39 = AuditStatus::decode(&bytes[..39]).unwrap();
        assert_eq!(s39.backlog_wait_time, None);
    }

    #[test]
    fn truncated_is_typed_error() {
        let bytes = sample().encode();
        match AuditStatus::decode(&bytes[..31]) {
            Err(Error::Truncated {
                msg_type,
                needed,
                got,
                ..
            }) => {
                assert_eq!(msg_type, MessageType::Get);
                assert_eq!((needed, got), (32, 31));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn change_mask_bits() {
        let c = StatusChange {
            enabled: Some(1),
            backlog_limit: Some(320),
            ..Default::default()
        };
        let s = c.to_status().unwrap();
        assert_eq!(s.mask, AUDIT_STATUS_ENABLED | AUDIT_STATUS_BACKLOG_LIMIT);
        assert_eq!(s.enabled, 1);
        assert_eq!(s.backlog_limit, 320);
        let c = StatusChange {
            pid: Some(0),
            ..Default::default()
        };
        assert_eq!(c.to_status().unwrap().mask, AUDIT_STATUS_PID);
        let c = StatusChange {
            failure: Some(2),
            rate_limit: Some(5),
            backlog_wait_time: Some(100),
            ..Default::default()
        };
        let s = c.to_status().unwrap();
        assert_eq!(
            s.mask,
            AUDIT_STATUS_FAILURE | AUDIT_STATUS_RATE_LIMIT | AUDIT_STATUS_BACKLOG_WAIT_TIME
        );
        assert_eq!(s.encode()[36..40], 100u32.to_ne_bytes());
        let resets = StatusChange {
            reset_lost: true,
            ..Default::default()
        };
        assert!(resets.to_status().is_none());
        assert!(!resets.is_empty());
        assert!(StatusChange::default().is_empty());
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = AuditStatus::decode(&bytes);
        }

        #[test]
        fn round_trip(f in proptest::array::uniform11(any::<u32>())) {
            let s = AuditStatus {
                mask: f[0], enabled: f[1], failure: f[2], pid: f[3], rate_limit: f[4],
                backlog_limit: f[5], lost: f[6], backlog: f[7], feature_bitmap: Some(f[8]),
                backlog_wait_time: Some(f[9]), backlog_wait_time_actual: Some(f[10]),
            };
            prop_assert_eq!(AuditStatus::decode(&s.encode()).unwrap(), s);
        }
    }
}
