//! The event's object: `file.*` (the PATH it is about), `source` /
//! `destination` / `network` (its SOCKADDR) and `auditd.paths`.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::ids::{Id, NameResolver};
use crate::json::JsonWriter;
use crate::mode::FileMode;
use crate::normalize::ObjectKind;
use crate::serialize::Serializer;
use crate::sockaddr::SockAddr;
use crate::view::EventView;

/// The PATH chosen as the event's object.
pub(crate) struct FileObject<'a> {
    /// Decoded name.
    pub path: Option<Cow<'a, [u8]>>,
    /// Type from its mode.
    pub kind: Option<crate::mode::FileType>,
}

/// A decoded SOCKADDR with where it goes.
pub(crate) struct Sock {
    pub addr: SockAddr,
    /// The `saddr` text as logged.
    pub raw: Vec<u8>,
}

impl<N: NameResolver> Serializer<N> {
    /// Writes `file.*` for the object path; returns its path for the summary.
    #[inline(never)]
    pub(crate) fn write_file<'a>(
        &self,
        w: &mut JsonWriter<'_>,
        v: &EventView<'a>,
        obj: ObjectKind,
    ) -> Option<FileObject<'a>> {
        let ObjectKind::File { path_index, .. } = obj else {
            return None;
        };
        if v.path_info.is_empty() {
            return None;
        }
        let start = if (path_index as usize) < v.path_info.len() {
            path_index as usize
        } else {
            0
        };
        // The first candidate PATH that is not a PARENT/UNKNOWN entry is the
        // object, else the first candidate.
        let f = v.path_info[start..]
            .iter()
            .map(|p| p.file)
            .find(|f| !matches!(f.nametype.or(f.objtype), Some(b"PARENT" | b"UNKNOWN")))
            .unwrap_or(v.path_info[start].file);
        let name = f
            .name
            .and_then(|(n, quoted)| crate::encoding::decode_untrusted(n, quoted));
        let (inode, rdev) = (f.inode, f.rdev);
        let mode = f.mode.and_then(FileMode::parse);
        let ouid = f.ouid.and_then(Id::parse).and_then(Id::get);
        let ogid = f.ogid.and_then(Id::parse).and_then(Id::get);
        w.begin_object("file");
        if let Some(n) = &name {
            w.str_field("path", n);
        }
        if let Some(i) = inode {
            w.str_field("inode", i);
        }
        if let Some(d) = rdev {
            w.str_field("device", d);
        }
        if let Some(m) = mode {
            w.str_field("mode", &m.perm_digits());
            w.str_field("type", m.file_type().ecs_name().as_bytes());
        }
        if let Some(u) = ouid {
            w.u64_str_field("uid", u64::from(u));
            if let Some(n) = self.names.user_name(u) {
                w.str_field("owner", n.as_bytes());
            }
        }
        if let Some(g) = ogid {
            w.u64_str_field("gid", u64::from(g));
            if let Some(n) = self.names.group_name(g) {
                w.str_field("group", n.as_bytes());
            }
        }
        w.end();
        Some(FileObject {
            path: name,
            kind: mode.map(|m| m.file_type()),
        })
    }

    /// Writes `source`/`destination`/`network` from the first decodable
    /// SOCKADDR (direction from the syscall) or from a user record's `addr`.
    #[inline(never)]
    pub(crate) fn write_socket(
        &self,
        w: &mut JsonWriter<'_>,
        v: &EventView<'_>,
        sc_name: Option<&str>,
        big_endian: bool,
    ) -> Option<Sock> {
        let sock = v.sockaddrs.iter().find_map(|r| {
            let f = r.get(b"saddr")?;
            Some((SockAddr::from_hex(f.value, big_endian).ok()?, f.value))
        });
        let Some((addr, raw)) = sock else {
            // User-space login records: addr= is the remote peer.
            if let Some(a) = v.subject.addr {
                if let Some(ip) = std::str::from_utf8(a.raw)
                    .ok()
                    .and_then(|t| t.parse::<IpAddr>().ok())
                {
                    w.begin_object("source");
                    w.str_field("ip", ip.to_string().as_bytes());
                    w.end();
                    w.begin_object("network");
                    w.str_field("direction", b"ingress");
                    w.end();
                }
            }
            return None;
        };
        let (key, direction): (&str, Option<&[u8]>) = match sc_name {
            Some("connect" | "sendto" | "sendmsg" | "sendmmsg") => ("destination", Some(b"egress")),
            Some("accept" | "accept4" | "recvfrom" | "recvmsg" | "recvmmsg") => {
                ("source", Some(b"ingress"))
            }
            Some("bind" | "listen") => ("source", None),
            _ => ("", None),
        };
        let has_endpoint = addr.ip_port().is_some() || addr.path().is_some();
        if !key.is_empty() && has_endpoint {
            w.begin_object(key);
            if let Some((ip, port)) = addr.ip_port() {
                w.str_field("ip", ip.as_bytes());
                w.u64_field("port", u64::from(port));
            }
            if let Some(p) = addr.path() {
                w.str_field("path", &p);
            }
            w.end();
            if let Some(d) = direction {
                w.begin_object("network");
                w.str_field("direction", d);
                w.end();
            }
        }
        Some(Sock {
            addr,
            raw: raw.to_vec(),
        })
    }
}

/// Writes `auditd.paths`: every PATH record's fields, decoded where the
/// kernel encodes.
#[inline(never)]
pub(crate) fn write_paths(w: &mut JsonWriter<'_>, v: &EventView<'_>) {
    if !v.path_info.is_empty() {
        w.begin_array("paths");
        for p in &v.path_info {
            w.item_begin_object();
            for f in v.path_fields_of(p) {
                if !f.encoded {
                    w.str_field_bytes(f.key, f.value);
                } else if let Some(val) = crate::encoding::decode_untrusted(f.value, f.quoted) {
                    w.str_field_bytes(f.key, &val);
                }
            }
            w.end();
        }
        w.end();
    }
}
