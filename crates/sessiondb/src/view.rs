//! The table's output: the `process.*` fields of one event (ECS shape).
//!
//! [`ProcessView`] serializes (serde) to the object that goes under the
//! event's `process` key, following ECS and RFC 0030: the process itself,
//! `parent`, `group_leader`, `session_leader`, `entry_leader` (with
//! `entry_meta`), and the links `parent.group_leader`, `entry_leader.parent`,
//! `session_leader.parent.session_leader`. Bytes (executables, arguments,
//! directories) are written with the convention of [`crate::text`].

use crate::entry::Key;
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
    pub(crate) fn of(n: u32) -> Id {
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

impl<S: ProcSource> SessionDb<S> {
    /// The view of the current entry of `pid` (live, or dead within its
    /// grace period), without changing the table.
    pub fn view(&self, pid: u32) -> Option<ProcessView> {
        self.view_key(self.current(pid)?)
    }

    pub(crate) fn view_key(&self, key: Key) -> Option<ProcessView> {
        self.view_ref_key(key).map(|v| v.to_view())
    }
}
