//! File modes as the kernel logs them (`mode=0100755`, octal `st_mode`).

/// The type bits of a file mode (S_IFMT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// S_IFREG
    Regular,
    /// S_IFDIR
    Directory,
    /// S_IFLNK
    Symlink,
    /// S_IFCHR
    CharDevice,
    /// S_IFBLK
    BlockDevice,
    /// S_IFIFO
    Fifo,
    /// S_IFSOCK
    Socket,
    /// No or unknown type bits.
    Unknown,
}

impl FileType {
    /// ECS `file.type` value (`file`, `dir`, `symlink`, ...).
    pub fn ecs_name(self) -> &'static str {
        match self {
            FileType::Regular => "file",
            FileType::Directory => "dir",
            FileType::Symlink => "symlink",
            FileType::CharDevice => "char_device",
            FileType::BlockDevice => "block_device",
            FileType::Fifo => "fifo",
            FileType::Socket => "socket",
            FileType::Unknown => "unknown",
        }
    }

    /// Auditbeat's `summary.object.type` for a path of this type.
    pub fn object_type(self) -> &'static str {
        match self {
            FileType::Regular => "file",
            FileType::Directory => "directory",
            FileType::Symlink => "symlink",
            FileType::CharDevice => "character-device",
            FileType::BlockDevice => "block-device",
            FileType::Fifo => "named-pipe",
            FileType::Socket => "socket",
            FileType::Unknown => "file",
        }
    }
}

/// A parsed `st_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMode(pub u32);

impl FileMode {
    /// Parses octal text such as `0100755`. `None` if not octal or too big.
    pub fn parse(v: &[u8]) -> Option<FileMode> {
        if v.is_empty() || v.len() > 11 {
            return None;
        }
        let mut n: u32 = 0;
        for &b in v {
            if !(b'0'..=b'7').contains(&b) {
                return None;
            }
            n = n.checked_mul(8)?.checked_add(u32::from(b - b'0'))?;
        }
        Some(FileMode(n))
    }

    /// The file type from the S_IFMT bits.
    pub fn file_type(self) -> FileType {
        match self.0 & 0o170000 {
            0o100000 => FileType::Regular,
            0o040000 => FileType::Directory,
            0o120000 => FileType::Symlink,
            0o020000 => FileType::CharDevice,
            0o060000 => FileType::BlockDevice,
            0o010000 => FileType::Fifo,
            0o140000 => FileType::Socket,
            _ => FileType::Unknown,
        }
    }

    /// Permission bits incl. setuid/setgid/sticky as 4 octal digits (`0755`,
    /// `4755`): ECS `file.mode`.
    pub fn perm_octal(self) -> String {
        String::from_utf8_lossy(&self.perm_digits()).into_owned()
    }

    /// [`FileMode::perm_octal`] without an allocation: the four octal
    /// digits of the permission bits (`0755`).
    pub fn perm_digits(self) -> [u8; 4] {
        let p = self.0 & 0o7777;
        [9, 6, 3, 0].map(|shift| b'0' + ((p >> shift) & 7) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_digits_match_format() {
        for m in [0u32, 0o7, 0o755, 0o4755, 0o7777, 0o100644, 0o170777] {
            let f = FileMode(m);
            assert_eq!(f.perm_digits(), format!("{:04o}", m & 0o7777).as_bytes());
            assert_eq!(f.perm_octal(), format!("{:04o}", m & 0o7777));
        }
    }

    #[test]
    fn modes() {
        let m = FileMode::parse(b"0100755").unwrap();
        assert_eq!(m.file_type(), FileType::Regular);
        assert_eq!(m.perm_octal(), "0755");
        let d = FileMode::parse(b"040755").unwrap();
        assert_eq!(d.file_type(), FileType::Directory);
        assert_eq!(FileMode::parse(b"0104755").unwrap().perm_octal(), "4755");
        assert_eq!(
            FileMode::parse(b"020620").unwrap().file_type(),
            FileType::CharDevice
        );
        assert_eq!(
            FileMode::parse(b"0140777")
                .unwrap()
                .file_type()
                .object_type(),
            "socket"
        );
        assert_eq!(FileMode::parse(b"089"), None);
        assert_eq!(FileMode::parse(b"77777777777777"), None);
    }
}
