//! Facts about the host the rule language depends on, behind a trait so
//! that parsing stays pure: user and group names, whether a watched path
//! is a directory, the machine, and the kernel's audit feature bitmap.

use std::collections::{BTreeMap, BTreeSet};

use crate::kernel::AUDIT_FEATURE_BITMAP_ALL;

/// What the parser asks of the host.
pub trait Host {
    /// The uid of user `name` (`getpwnam`), if it exists.
    fn user_id(&self, name: &[u8]) -> Option<u32>;
    /// The gid of group `name` (`getgrnam`), if it exists.
    fn group_id(&self, name: &[u8]) -> Option<u32>;
    /// Whether `path` exists and is a directory (`stat`, following
    /// symlinks): a `-w` watch on it becomes a `dir` field, else `path`.
    fn is_dir(&self, path: &[u8]) -> bool;
    /// The host's `AUDIT_ARCH_*` value (libaudit's `audit_detect_machine`
    /// from `uname -m`), or `None` when libaudit does not know the machine.
    fn machine_arch(&self) -> Option<u32>;
    /// The kernel's `feature_bitmap` (libaudit's `audit_get_features`).
    /// Defaults to every feature of current kernels.
    fn kernel_features(&self) -> u32 {
        AUDIT_FEATURE_BITMAP_ALL
    }
}

/// The real host: NSS user/group lookups (`getpwnam_r`/`getgrnam_r`),
/// `stat(2)`, `uname(2)`.
#[derive(Debug, Clone, Default)]
pub struct SystemHost {
    /// The kernel feature bitmap to report (defaults to all features; the
    /// ctl layer may set the one read from `AUDIT_GET`).
    pub features: Option<u32>,
}

fn cstring(b: &[u8]) -> Option<std::ffi::CString> {
    std::ffi::CString::new(b).ok()
}

impl Host for SystemHost {
    fn user_id(&self, name: &[u8]) -> Option<u32> {
        let c = cstring(name)?;
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        loop {
            // SAFETY: all pointers are valid for the call; `pwd` and `buf`
            // outlive it; `result` is checked before use.
            let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = unsafe {
                libc::getpwnam_r(
                    c.as_ptr(),
                    &mut pwd,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                )
            };
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 4, 0);
                continue;
            }
            return (rc == 0 && !result.is_null()).then_some(pwd.pw_uid);
        }
    }

    fn group_id(&self, name: &[u8]) -> Option<u32> {
        let c = cstring(name)?;
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        loop {
            // SAFETY: as in `user_id`.
            let mut grp: libc::group = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::group = std::ptr::null_mut();
            let rc = unsafe {
                libc::getgrnam_r(
                    c.as_ptr(),
                    &mut grp,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut result,
                )
            };
            if rc == libc::ERANGE && buf.len() < 1 << 20 {
                buf.resize(buf.len() * 4, 0);
                continue;
            }
            return (rc == 0 && !result.is_null()).then_some(grp.gr_gid);
        }
    }

    fn is_dir(&self, path: &[u8]) -> bool {
        use std::os::unix::ffi::OsStrExt;
        std::fs::metadata(std::ffi::OsStr::from_bytes(path)).is_ok_and(|m| m.is_dir())
    }

    fn machine_arch(&self) -> Option<u32> {
        // SAFETY: `uts` is a plain C struct filled by uname(2).
        let mut uts: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut uts) } != 0 {
            return None;
        }
        let m: Vec<u8> = uts
            .machine
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        audit_tables::arch_from_name(std::str::from_utf8(&m).ok()?)
    }

    fn kernel_features(&self) -> u32 {
        self.features.unwrap_or(AUDIT_FEATURE_BITMAP_ALL)
    }
}

/// `getpwuid_r`/`getgrgid_r`-style lookups share one buffer-growing loop.
fn with_buffer<T>(
    mut call: impl FnMut(&mut [libc::c_char]) -> Result<Option<T>, i32>,
) -> Option<T> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    loop {
        match call(&mut buf) {
            Err(libc::ERANGE) if buf.len() < 1 << 20 => {
                let n = buf.len() * 4;
                buf.resize(n, 0);
            }
            Err(_) => return None,
            Ok(v) => return v,
        }
    }
}

extern "C" {
    // glibc's reentrant getprotobynumber (not bound by the libc crate).
    fn getprotobynumber_r(
        proto: libc::c_int,
        result_buf: *mut libc::protoent,
        buf: *mut libc::c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::protoent,
    ) -> libc::c_int;
}

fn c_name(p: *const libc::c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is a NUL-terminated string inside the buffer the
    // caller's lookup filled, still alive here.
    let c = unsafe { std::ffi::CStr::from_ptr(p) };
    Some(String::from_utf8_lossy(c.to_bytes()).into_owned())
}

impl crate::argument::ArgNames for SystemHost {
    fn user_name(&self, uid: u32) -> Option<String> {
        with_buffer(|buf| {
            // SAFETY: all pointers are valid for the call; `pwd` and `buf`
            // outlive it; `result` is checked before use.
            let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let rc = unsafe {
                libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result)
            };
            match rc {
                0 if !result.is_null() => Ok(c_name(pwd.pw_name)),
                0 => Ok(None),
                e => Err(e),
            }
        })
    }

    fn group_name(&self, gid: u32) -> Option<String> {
        with_buffer(|buf| {
            // SAFETY: as in `user_name`.
            let mut grp: libc::group = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::group = std::ptr::null_mut();
            let rc = unsafe {
                libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut result)
            };
            match rc {
                0 if !result.is_null() => Ok(c_name(grp.gr_name)),
                0 => Ok(None),
                e => Err(e),
            }
        })
    }

    fn protocol_name(&self, proto: u32) -> Option<String> {
        let proto = i32::try_from(proto).ok()?;
        with_buffer(|buf| {
            // SAFETY: as in `user_name`.
            let mut ent: libc::protoent = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::protoent = std::ptr::null_mut();
            let rc = unsafe {
                getprotobynumber_r(proto, &mut ent, buf.as_mut_ptr(), buf.len(), &mut result)
            };
            match rc {
                0 if !result.is_null() => Ok(c_name(ent.p_name)),
                0 => Ok(None),
                e => Err(e),
            }
        })
    }
}

impl crate::argument::ArgNames for FakeHost {
    fn user_name(&self, uid: u32) -> Option<String> {
        let (n, _) = self.users.iter().find(|(_, &id)| id == uid)?;
        Some(String::from_utf8_lossy(n).into_owned())
    }
    fn group_name(&self, gid: u32) -> Option<String> {
        let (n, _) = self.groups.iter().find(|(_, &id)| id == gid)?;
        Some(String::from_utf8_lossy(n).into_owned())
    }
    fn protocol_name(&self, _: u32) -> Option<String> {
        None
    }
}

/// A host described by tables, for tests and for checking rules written
/// for another machine.
#[derive(Debug, Clone)]
pub struct FakeHost {
    /// Users by name.
    pub users: BTreeMap<Vec<u8>, u32>,
    /// Groups by name.
    pub groups: BTreeMap<Vec<u8>, u32>,
    /// Paths that are directories (exact byte match, without trailing `/`).
    pub dirs: BTreeSet<Vec<u8>>,
    /// The machine (`AUDIT_ARCH_*`), `None` for an unknown one.
    pub arch: Option<u32>,
    /// The kernel feature bitmap.
    pub features: u32,
}

impl FakeHost {
    /// An x86_64 host with users and groups root(0), daemon(1), bin(2) (as
    /// on Debian), no directories, all kernel features.
    pub fn x86_64() -> Self {
        let ids: BTreeMap<Vec<u8>, u32> = [("root", 0), ("daemon", 1), ("bin", 2)]
            .iter()
            .map(|&(n, i)| (n.into(), i))
            .collect();
        FakeHost {
            users: ids.clone(),
            groups: ids,
            dirs: BTreeSet::new(),
            arch: Some(crate::kernel::AUDIT_ARCH_X86_64),
            features: AUDIT_FEATURE_BITMAP_ALL,
        }
    }

    /// Mark `path` as a directory.
    pub fn with_dir(mut self, path: &str) -> Self {
        self.dirs.insert(path.as_bytes().to_vec());
        self
    }

    /// Add a user.
    pub fn with_user(mut self, name: &str, uid: u32) -> Self {
        self.users.insert(name.as_bytes().to_vec(), uid);
        self
    }

    /// Add a group.
    pub fn with_group(mut self, name: &str, gid: u32) -> Self {
        self.groups.insert(name.as_bytes().to_vec(), gid);
        self
    }
}

impl Host for FakeHost {
    fn user_id(&self, name: &[u8]) -> Option<u32> {
        self.users.get(name).copied()
    }
    fn group_id(&self, name: &[u8]) -> Option<u32> {
        self.groups.get(name).copied()
    }
    fn is_dir(&self, path: &[u8]) -> bool {
        self.dirs.contains(path)
    }
    fn machine_arch(&self) -> Option<u32> {
        self.arch
    }
    fn kernel_features(&self) -> u32 {
        self.features
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_host_names_ids_and_protocols() {
        use crate::argument::ArgNames;
        let h = SystemHost::default();
        assert_eq!(h.user_name(0).as_deref(), Some("root"));
        assert_eq!(h.group_name(0).as_deref(), Some("root"));
        assert_eq!(h.user_name(0x7fff_fff0), None);
        // /etc/protocols (netbase) names 6 "tcp" on Debian; absent file: None.
        if std::path::Path::new("/etc/protocols").exists() {
            assert_eq!(h.protocol_name(6).as_deref(), Some("tcp"));
        }
        assert_eq!(h.protocol_name(u32::MAX), None);
        let f = FakeHost::x86_64();
        assert_eq!(f.user_name(1).as_deref(), Some("daemon"));
        assert_eq!(f.group_name(7), None);
    }

    #[test]
    fn system_host_knows_root_and_slash() {
        let h = SystemHost::default();
        assert_eq!(h.user_id(b"root"), Some(0));
        assert_eq!(h.group_id(b"root"), Some(0));
        assert_eq!(h.user_id(b"no-such-user-auditrs"), None);
        assert_eq!(h.user_id(b"ro\0ot"), None);
        assert!(h.is_dir(b"/"));
        assert!(!h.is_dir(b"/no/such/dir/auditrs"));
        if cfg!(target_arch = "x86_64") {
            assert_eq!(h.machine_arch(), Some(crate::kernel::AUDIT_ARCH_X86_64));
        }
    }
}
