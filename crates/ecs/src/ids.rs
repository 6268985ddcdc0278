//! User and group ids: `unset` handling and id -> name resolution.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The kernel's "no id" value, `(uid_t)-1` (AUDIT_UID_UNSET / sessionid unset).
pub const UNSET: u32 = u32::MAX;

/// A parsed id field value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Id {
    /// A real id.
    Set(u32),
    /// 4294967295 or -1: not set.
    Unset,
}

impl Id {
    /// Parses a decimal id; `4294967295` and `-1` are [`Id::Unset`].
    #[inline]
    pub fn parse(v: &[u8]) -> Option<Id> {
        // Fast path: 1 to 9 digits is always a set id (below u32::MAX).
        if !v.is_empty() && v.len() <= 9 {
            let mut n = 0u32;
            let mut digits = true;
            for &b in v {
                let d = b.wrapping_sub(b'0');
                digits &= d <= 9;
                n = n.wrapping_mul(10).wrapping_add(u32::from(d));
            }
            if digits {
                return Some(Id::Set(n));
            }
        }
        Self::parse_other(v)
    }

    /// [`Id::parse`] for what is not 1 to 9 digits.
    fn parse_other(v: &[u8]) -> Option<Id> {
        if v == b"-1" || v == b"unset" {
            return Some(Id::Unset);
        }
        if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n: u64 = v.iter().fold(0, |n, &b| n * 10 + u64::from(b - b'0'));
        match u32::try_from(n) {
            Ok(UNSET) => Some(Id::Unset),
            Ok(n) => Some(Id::Set(n)),
            Err(_) => None,
        }
    }

    /// The id, if set.
    pub fn get(self) -> Option<u32> {
        match self {
            Id::Set(n) => Some(n),
            Id::Unset => None,
        }
    }
}

/// Resolves numeric ids to names. Implementations should cache.
///
/// The [`crate::Serializer`] keeps the `user.*`/`group.*` text it wrote for
/// the last user and group id: a resolver whose answers change must be
/// changed through [`crate::Serializer::names_mut`], which forgets that text.
pub trait NameResolver {
    /// The user name of `uid`, if known.
    fn user_name(&self, uid: u32) -> Option<&str>;
    /// The group name of `gid`, if known.
    fn group_name(&self, gid: u32) -> Option<&str>;
}

impl<T: NameResolver + ?Sized> NameResolver for Box<T> {
    fn user_name(&self, uid: u32) -> Option<&str> {
        (**self).user_name(uid)
    }
    fn group_name(&self, gid: u32) -> Option<&str> {
        (**self).group_name(gid)
    }
}

/// Hashes a `u32` id with one multiplication (ids are not attacker-chosen
/// keys here: they come from the local passwd/group files; lookups happen
/// several times per event, where SipHash cost ~100 instructions each).
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.0 = (self.0 ^ u64::from(i)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type IdMap = HashMap<u32, String, std::hash::BuildHasherDefault<IdHasher>>;

/// A fixed table (tests, or resolution turned off when empty).
#[derive(Debug, Default, Clone)]
pub struct FixedNames {
    users: IdMap,
    groups: IdMap,
}

impl FixedNames {
    /// An empty table: nothing resolves.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user.
    pub fn with_user(mut self, uid: u32, name: &str) -> Self {
        self.users.insert(uid, name.to_string());
        self
    }

    /// Adds a group.
    pub fn with_group(mut self, gid: u32, name: &str) -> Self {
        self.groups.insert(gid, name.to_string());
        self
    }
}

impl NameResolver for FixedNames {
    fn user_name(&self, uid: u32) -> Option<&str> {
        self.users.get(&uid).map(String::as_str)
    }
    fn group_name(&self, gid: u32) -> Option<&str> {
        self.groups.get(&gid).map(String::as_str)
    }
}

/// Parses `name:x:id:...` lines (passwd or group format) into id -> name.
/// The first entry for an id wins, as with getpwuid(3) on a files database.
pub fn parse_id_file(text: &[u8]) -> HashMap<u32, String> {
    let mut map = HashMap::new();
    for line in text.split(|&b| b == b'\n') {
        if line.first() == Some(&b'#') {
            continue;
        }
        let mut cols = line.split(|&b| b == b':');
        let (Some(name), Some(_), Some(id)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let (Ok(name), Some(Id::Set(id))) = (std::str::from_utf8(name), Id::parse(id)) else {
            continue;
        };
        if !name.is_empty() {
            map.entry(id).or_insert_with(|| name.to_string());
        }
    }
    map
}

/// Names from `/etc/passwd` and `/etc/group` (or other files), loaded once
/// and reloaded by [`SystemNames::refresh`] when a file's mtime changes.
#[derive(Debug)]
pub struct SystemNames {
    passwd: PathBuf,
    group: PathBuf,
    stamps: (Option<SystemTime>, Option<SystemTime>),
    names: FixedNames,
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

impl SystemNames {
    /// Loads `/etc/passwd` and `/etc/group`. Unreadable files give no names.
    pub fn load() -> Self {
        Self::from_files("/etc/passwd", "/etc/group")
    }

    /// Loads the given passwd- and group-format files.
    pub fn from_files(passwd: impl Into<PathBuf>, group: impl Into<PathBuf>) -> Self {
        let mut s = SystemNames {
            passwd: passwd.into(),
            group: group.into(),
            stamps: (None, None),
            names: FixedNames::new(),
        };
        s.reload();
        s
    }

    fn reload(&mut self) {
        self.stamps = (mtime(&self.passwd), mtime(&self.group));
        self.names.users = std::fs::read(&self.passwd)
            .map(|t| parse_id_file(&t).into_iter().collect())
            .unwrap_or_default();
        self.names.groups = std::fs::read(&self.group)
            .map(|t| parse_id_file(&t).into_iter().collect())
            .unwrap_or_default();
    }

    /// Reloads when either file changed since the last load. Returns whether
    /// it reloaded. Cheap enough to call every few seconds.
    pub fn refresh(&mut self) -> bool {
        if (mtime(&self.passwd), mtime(&self.group)) != self.stamps {
            self.reload();
            true
        } else {
            false
        }
    }
}

impl NameResolver for SystemNames {
    fn user_name(&self, uid: u32) -> Option<&str> {
        self.names.user_name(uid)
    }
    fn group_name(&self, gid: u32) -> Option<&str> {
        self.names.group_name(gid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition [`Id::parse`]'s fast path must agree with.
    fn parse_reference(v: &[u8]) -> Option<Id> {
        if v == b"-1" || v == b"unset" {
            return Some(Id::Unset);
        }
        if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let n: u64 = v.iter().fold(0, |n, &b| n * 10 + u64::from(b - b'0'));
        match u32::try_from(n) {
            Ok(UNSET) => Some(Id::Unset),
            Ok(n) => Some(Id::Set(n)),
            Err(_) => None,
        }
    }

    #[test]
    fn parse_matches_reference_at_the_edges() {
        for v in [
            &b""[..],
            b"0",
            b"007",
            b"999999999",
            b"1000000000",
            b"4294967294",
            b"4294967295",
            b"4294967296",
            b"99999999999",
            b"-1",
            b"unset",
            b"1a",
            b"/",
            b":",
            b"12345678:",
        ] {
            assert_eq!(Id::parse(v), parse_reference(v), "{v:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_matches_reference(v in "[0-9:/a-]{0,12}") {
            proptest::prop_assert_eq!(Id::parse(v.as_bytes()), parse_reference(v.as_bytes()));
        }
    }

    #[test]
    fn unset_ids() {
        assert_eq!(Id::parse(b"4294967295"), Some(Id::Unset));
        assert_eq!(Id::parse(b"-1"), Some(Id::Unset));
        assert_eq!(Id::parse(b"0"), Some(Id::Set(0)));
        assert_eq!(Id::parse(b"4294967296"), None);
        assert_eq!(Id::parse(b"x"), None);
        assert_eq!(Id::parse(b""), None);
    }

    #[test]
    fn passwd_parsing_first_wins_and_skips_junk() {
        let m = parse_id_file(b"root:x:0:0:root:/root:/bin/bash\n#c:x:1:\ntoor:x:0:0::/:/bin/sh\nbad\nnobody:x:65534:65534::/:/usr/sbin/nologin\n");
        assert_eq!(m.get(&0).map(String::as_str), Some("root"));
        assert_eq!(m.get(&65534).map(String::as_str), Some("nobody"));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn system_names_from_files_and_refresh() {
        let dir = std::env::temp_dir().join(format!("ecs-ids-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("passwd");
        let g = dir.join("group");
        std::fs::write(&p, "alice:x:1000:1000::/:/bin/sh\n").unwrap();
        std::fs::write(&g, "staff:x:50:\n").unwrap();
        let mut s = SystemNames::from_files(&p, &g);
        assert_eq!(s.user_name(1000), Some("alice"));
        assert_eq!(s.group_name(50), Some("staff"));
        assert_eq!(s.user_name(1), None);
        assert!(!s.refresh());
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(s.refresh());
        assert_eq!(s.user_name(1000), None);
    }
}
