//! `struct audit_features` (`AUDIT_GET_FEATURE` / `AUDIT_SET_FEATURE`).

use crate::error::Error;
use crate::message::{read_u32, MessageType};

/// `AUDIT_FEATURE_VERSION`
pub const AUDIT_FEATURE_VERSION: u32 = 1;
/// Feature number `AUDIT_FEATURE_ONLY_UNSET_LOGINUID`.
pub const AUDIT_FEATURE_ONLY_UNSET_LOGINUID: u32 = 0;
/// Feature number `AUDIT_FEATURE_LOGINUID_IMMUTABLE`.
pub const AUDIT_FEATURE_LOGINUID_IMMUTABLE: u32 = 1;
/// Size of `struct audit_features`.
pub const FEATURES_LEN: usize = 16;

/// `AUDIT_FEATURE_TO_MASK(x)`.
pub const fn feature_to_mask(feature: u32) -> u32 {
    1u32 << (feature & 31)
}

/// An audit feature the kernel can switch on or off (and lock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `AUDIT_FEATURE_ONLY_UNSET_LOGINUID`: loginuid may only be set if unset.
    OnlyUnsetLoginuid,
    /// `AUDIT_FEATURE_LOGINUID_IMMUTABLE`: loginuid cannot change once set
    /// (`auditctl --loginuid-immutable`).
    LoginuidImmutable,
    /// Another feature number.
    Unknown(u32),
}

impl Feature {
    /// The feature number (bit index).
    pub fn number(self) -> u32 {
        match self {
            Feature::OnlyUnsetLoginuid => AUDIT_FEATURE_ONLY_UNSET_LOGINUID,
            Feature::LoginuidImmutable => AUDIT_FEATURE_LOGINUID_IMMUTABLE,
            Feature::Unknown(n) => n,
        }
    }

    /// The feature's mask bit.
    pub fn mask(self) -> u32 {
        feature_to_mask(self.number())
    }
}

impl From<u32> for Feature {
    fn from(n: u32) -> Self {
        match n {
            AUDIT_FEATURE_ONLY_UNSET_LOGINUID => Feature::OnlyUnsetLoginuid,
            AUDIT_FEATURE_LOGINUID_IMMUTABLE => Feature::LoginuidImmutable,
            other => Feature::Unknown(other),
        }
    }
}

/// `struct audit_features` as in `include/uapi/linux/audit.h`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditFeatures {
    /// Structure version (`AUDIT_FEATURE_VERSION`).
    pub vers: u32,
    /// Which feature bits a set request deals with.
    pub mask: u32,
    /// Which features are enabled.
    pub features: u32,
    /// Which features are locked.
    pub lock: u32,
}

impl AuditFeatures {
    /// Decodes an `AUDIT_GET_FEATURE` reply payload.
    pub fn decode(payload: &[u8]) -> Result<Self, Error> {
        if payload.len() < FEATURES_LEN {
            return Err(Error::Truncated {
                msg_type: MessageType::GetFeature,
                what: "struct audit_features",
                needed: FEATURES_LEN,
                got: payload.len(),
            });
        }
        Ok(AuditFeatures {
            vers: read_u32(payload, 0),
            mask: read_u32(payload, 4),
            features: read_u32(payload, 8),
            lock: read_u32(payload, 12),
        })
    }

    /// Encodes the 16 bytes.
    pub fn encode(&self) -> Vec<u8> {
        [self.vers, self.mask, self.features, self.lock]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect()
    }

    /// The `AUDIT_SET_FEATURE` request switching one feature on or off,
    /// optionally locking it (a lock cannot be undone until reboot).
    pub fn set_request(feature: Feature, enabled: bool, lock: bool) -> Self {
        let bit = feature.mask();
        AuditFeatures {
            vers: AUDIT_FEATURE_VERSION,
            mask: bit,
            features: if enabled { bit } else { 0 },
            lock: if lock { bit } else { 0 },
        }
    }

    /// True when `feature` is enabled.
    pub fn is_enabled(&self, feature: Feature) -> bool {
        self.features & feature.mask() != 0
    }

    /// True when `feature` is locked.
    pub fn is_locked(&self, feature: Feature) -> bool {
        self.lock & feature.mask() != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn set_request_bits() {
        let r = AuditFeatures::set_request(Feature::LoginuidImmutable, true, true);
        assert_eq!(
            r,
            AuditFeatures {
                vers: 1,
                mask: 2,
                features: 2,
                lock: 2
            }
        );
        let r = AuditFeatures::set_request(Feature::OnlyUnsetLoginuid, false, false);
        assert_eq!(
            r,
            AuditFeatures {
                vers: 1,
                mask: 1,
                features: 0,
                lock: 0
            }
        );
        assert!(AuditFeatures {
            features: 2,
            lock: 0,
            ..Default::default()
        }
        .is_enabled(Feature::LoginuidImmutable));
        assert!(!AuditFeatures {
            features: 2,
            lock: 0,
            ..Default::default()
        }
        .is_locked(Feature::LoginuidImmutable));
        assert_eq!(Feature::from(1), Feature::LoginuidImmutable);
        assert_eq!(Feature::from(7), Feature::Unknown(7));
        assert_eq!(Feature::Unknown(40).mask(), 1 << 8);
    }

    #[test]
    fn truncated() {
        let b = AuditFeatures::set_request(Feature::LoginuidImmutable, true, false).encode();
        assert!(matches!(
            AuditFeatures::decode(&b[..15]),
            Err(Error::Truncated {
                msg_type: MessageType::GetFeature,
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn round_trip(v in any::<[u32; 4]>()) {
            let f = AuditFeatures { vers: v[0], mask: v[1], features: v[2], lock: v[3] };
            prop_assert_eq!(AuditFeatures::decode(&f.encode()).unwrap(), f);
        }
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..32)) {
            let _ = AuditFeatures::decode(&bytes);
        }
    }
}
