//! The table's output: the `process.*` fields of one event (ECS shape).
//!
//! [`ProcessView`] serializes (serde) to the object that goes under the
//! event's `process` key, following ECS and RFC 0030: the process itself,
//! `parent`, `group_leader`, `session_leader`, `entry_leader` (with
//! `entry_meta`), and the links `parent.group_leader`, `entry_leader.parent`,
//! `session_leader.parent.session_leader`. Bytes (executables, arguments,
//! directories) are written with the convention of [`crate::text`].

use crate::entity::EntityIds;
use crate::entry::{Entry, Image, Key};
use crate::leader::EntryType;
use crate::source::ProcSource;
use crate::table::SessionDb;
use crate::text::Text;
use crate::time::Time;
use crate::tty::TtyDev;
use serde::Serialize;

/// A user or group id (`{"id": "1000"}`; ECS ids are keywords).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Id {
    /// The numeric id, as text.
    pub id: String,
}

impl Id {
    fn of(n: u32) -> Id {
        Id { id: n.to_string() }
    }
}

/// `process.tty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tty {
    /// `char_device.{major,minor}`.
    pub char_device: TtyDev,
}

/// The fields every process object has (the process and its relatives).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ProcessFields {
    /// `pid`.
    pub pid: u32,
    /// `entity_id` (absent for a relative known only by its pid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// `start`, when known exactly (from /proc or a fork record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Time>,
    /// `name`: the executable's basename, else `comm`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    /// `executable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executable: Option<Text>,
    /// `args`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Text>>,
    /// `args_count`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args_count: Option<usize>,
    /// `working_directory`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<Text>,
    /// `interactive`: has a terminal of a known kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactive: Option<bool>,
    /// `tty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<Tty>,
    /// `user` (effective uid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Id>,
    /// `real_user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_user: Option<Id>,
    /// `saved_user`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_user: Option<Id>,
    /// `group` (effective gid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Id>,
    /// `real_group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real_group: Option<Id>,
    /// `saved_group`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_group: Option<Id>,
    /// `supplemental_groups`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplemental_groups: Option<Vec<Id>>,
}

/// A process linked from a relative: `pid`, `entity_id`, `start` and,
/// for `session_leader.parent`, its `session_leader`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessLink {
    /// `pid`.
    pub pid: u32,
    /// `entity_id`, when the process is in the table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// `start`, when known exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Time>,
    /// `session_leader` (only under `session_leader.parent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_leader: Option<Box<ProcessLink>>,
}

/// `entry_meta.source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySource {
    /// `ip`: the client address of an ssh login.
    pub ip: Text,
}

/// `entry_leader.entry_meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryMeta {
    /// `type`.
    #[serde(rename = "type")]
    pub entry_type: EntryType,
    /// `source`, for ssh sessions whose address is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<EntrySource>,
}

/// `process.parent`, `group_leader`, `session_leader` or `entry_leader`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedProcess {
    /// The relative's own fields.
    #[serde(flatten)]
    pub fields: ProcessFields,
    /// `same_as_process` (leaders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as_process: Option<bool>,
    /// `entry_meta` (entry leader only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_meta: Option<EntryMeta>,
    /// `parent` (entry leader and session leader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<ProcessLink>,
    /// `group_leader` (parent only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_leader: Option<ProcessLink>,
}

/// One earlier image of the process (`process.previous[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviousImage {
    /// `executable`.
    pub executable: Text,
    /// `args`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Text>>,
    /// `args_count`, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args_count: Option<usize>,
}

/// Everything the table says about one event's process: the value of the
/// event's `process` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessView {
    /// The process's own fields.
    #[serde(flatten)]
    pub fields: ProcessFields,
    /// `end`, on the exit event and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Time>,
    /// `exit_code`, on the exit event and after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// `parent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<RelatedProcess>,
    /// `group_leader`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_leader: Option<RelatedProcess>,
    /// `session_leader`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_leader: Option<RelatedProcess>,
    /// `entry_leader`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_leader: Option<RelatedProcess>,
    /// `previous`: earlier images, oldest first (the first is the image
    /// inherited at fork, when the fork was seen).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub previous: Vec<PreviousImage>,
}

fn image_args(i: &Image) -> (Option<Vec<Text>>, Option<usize>) {
    match &i.argv {
        Some(a) => (
            Some(a.iter().map(|x| Text(x.clone())).collect()),
            Some(a.len()),
        ),
        None => (None, None),
    }
}

fn non_empty(b: &[u8]) -> Option<Text> {
    (!b.is_empty()).then(|| Text(b.to_vec()))
}

fn fields(ids: &EntityIds, e: &Entry) -> ProcessFields {
    let (args, args_count) = image_args(&e.image);
    let c = e.creds;
    ProcessFields {
        pid: e.pid,
        entity_id: Some(ids.id(e.pid, e.start)),
        start: e.start_exact.then_some(e.start),
        name: non_empty(e.image.name()),
        executable: non_empty(&e.image.exe),
        args,
        args_count,
        working_directory: e.image.cwd.as_deref().map(Text::from),
        interactive: Some(e.tty.is_some_and(TtyDev::is_interactive)),
        tty: e.tty.map(|d| Tty { char_device: d }),
        user: c.map(|c| Id::of(c.euid)),
        real_user: c.map(|c| Id::of(c.uid)),
        saved_user: c.map(|c| Id::of(c.suid)),
        group: c.map(|c| Id::of(c.egid)),
        real_group: c.map(|c| Id::of(c.gid)),
        saved_group: c.map(|c| Id::of(c.sgid)),
        supplemental_groups: e
            .groups
            .as_ref()
            .map(|g| g.iter().map(|x| Id::of(*x)).collect()),
    }
}

impl<S: ProcSource> SessionDb<S> {
    /// The view of the current entry of `pid` (live, or dead within its
    /// grace period), without changing the table.
    pub fn view(&self, pid: u32) -> Option<ProcessView> {
        self.view_key(self.current(pid)?)
    }

    fn link(&self, pid: u32, with_session_leader: bool) -> Option<ProcessLink> {
        if pid == 0 {
            return None;
        }
        let e = self.current(pid).and_then(|k| self.entries.get(&k));
        Some(self.link_to(pid, e.map(|b| &**b), with_session_leader))
    }

    /// The link to the parent of `e`: the entry that forked it when it is
    /// still its parent, else the current process with its parent's pid.
    fn parent_link(&self, e: &Entry, with_session_leader: bool) -> Option<ProcessLink> {
        let forked_by = e
            .parent
            .and_then(|k| self.entries.get(&k))
            .filter(|p| p.pid == e.ppid);
        match forked_by {
            Some(p) => Some(self.link_to(e.ppid, Some(p), with_session_leader)),
            None => self.link(e.ppid, with_session_leader),
        }
    }

    fn link_to(&self, pid: u32, e: Option<&Entry>, with_session_leader: bool) -> ProcessLink {
        let session_leader = if with_session_leader {
            e.and_then(|e| e.sid)
                .and_then(|sid| self.link(sid, false))
                .map(Box::new)
        } else {
            None
        };
        ProcessLink {
            pid,
            entity_id: e.map(|e| self.ids.id(e.pid, e.start)),
            start: e.and_then(|e| e.start_exact.then_some(e.start)),
            session_leader,
        }
    }

    /// A relative by pid: full fields if in the table, else only the pid.
    fn related(&self, pid: u32, of: u32) -> Option<(RelatedProcess, Option<&Entry>)> {
        if pid == 0 {
            return None;
        }
        let e = self.current(pid).and_then(|k| self.entries.get(&k));
        let fields = e.map(|e| fields(&self.ids, e)).unwrap_or(ProcessFields {
            pid,
            ..Default::default()
        });
        Some((
            RelatedProcess {
                fields,
                same_as_process: Some(pid == of),
                entry_meta: None,
                parent: None,
                group_leader: None,
            },
            e.map(|b| &**b),
        ))
    }

    pub(crate) fn view_key(&self, key: Key) -> Option<ProcessView> {
        let e = self.entries.get(&key)?;
        let parent_entry = e
            .parent
            .and_then(|k| self.entries.get(&k))
            .filter(|p| p.pid == e.ppid);
        let parent = match parent_entry {
            Some(p) => Some((p, fields(&self.ids, p))),
            None => self
                .current(e.ppid)
                .filter(|_| e.ppid != 0)
                .and_then(|k| self.entries.get(&k))
                .map(|p| (p, fields(&self.ids, p))),
        }
        .map(|(p, f)| RelatedProcess {
            fields: f,
            same_as_process: None,
            entry_meta: None,
            parent: None,
            group_leader: p.pgid.and_then(|g| self.link(g, false)),
        })
        .or_else(|| {
            (e.ppid != 0).then(|| RelatedProcess {
                fields: ProcessFields {
                    pid: e.ppid,
                    ..Default::default()
                },
                same_as_process: None,
                entry_meta: None,
                parent: None,
                group_leader: None,
            })
        });
        let group_leader = e.pgid.and_then(|g| self.related(g, e.pid)).map(|(r, _)| r);
        let session_leader = e
            .sid
            .and_then(|s| self.related(s, e.pid))
            .map(|(mut r, le)| {
                r.parent = le.and_then(|l| self.parent_link(l, true));
                r
            });
        let entry_leader = e.entry_leader.and_then(|k| self.entries.get(&k)).map(|l| {
            let meta = l.entry_type.map(|t| EntryMeta {
                entry_type: t,
                source: (t == EntryType::Sshd)
                    .then(|| {
                        l.source_ip
                            .clone()
                            .or_else(|| l.ses.and_then(|s| self.logins.get(&s).cloned()))
                    })
                    .flatten()
                    .map(|ip| EntrySource { ip: Text(ip) }),
            });
            RelatedProcess {
                fields: fields(&self.ids, l),
                same_as_process: Some(e.entry_leader == Some(key)),
                entry_meta: meta,
                parent: self.parent_link(l, false),
                group_leader: None,
            }
        });
        let previous = e
            .previous
            .iter()
            .map(|i| {
                let (args, args_count) = image_args(i);
                PreviousImage {
                    executable: Text(i.exe.clone()),
                    args,
                    args_count,
                }
            })
            .collect();
        Some(ProcessView {
            fields: fields(&self.ids, e),
            end: e.end,
            exit_code: e.exit_code,
            parent,
            group_leader,
            session_leader,
            entry_leader,
            previous,
        })
    }
}
