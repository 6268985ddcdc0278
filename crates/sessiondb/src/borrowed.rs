//! The table's output borrowed from the table: [`ViewRef`] has the shape of
//! [`ProcessView`] but copies nothing (no allocation per event); a writer
//! reads the fields straight from the entries. [`ViewRef::to_view`] gives
//! the owned [`ProcessView`] (the one place that builds it).

use crate::entity::EntityIds;
use crate::entry::{Entry, Image, Key};
use crate::event::Creds;
use crate::leader::EntryType;
use crate::source::ProcSource;
use crate::table::SessionDb;
use crate::text::Text;
use crate::time::Time;
use crate::tty::TtyDev;
use crate::view::{
    EntryMeta, EntrySource, Id, PreviousImage, ProcessFields, ProcessLink, ProcessView,
    RelatedProcess, Tty,
};

/// A process of the table, borrowed: its fields are read on demand.
#[derive(Clone, Copy)]
pub struct ProcessRef<'a> {
    entry: &'a Entry,
    ids: &'a EntityIds,
}

impl std::fmt::Debug for ProcessRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessRef")
            .field("pid", &self.entry.pid)
            .finish_non_exhaustive()
    }
}

impl<'a> ProcessRef<'a> {
    /// `pid`.
    pub fn pid(&self) -> u32 {
        self.entry.pid
    }

    /// Writes `entity_id` into `out` (cleared first; no allocation once
    /// `out` has grown).
    pub fn write_entity_id(&self, out: &mut Vec<u8>) {
        self.ids.write_id(self.entry.pid, self.entry.start, out);
    }

    /// The pid and start time (exact or not) that `entity_id` is made of:
    /// the id is a function of these two (and the host) alone.
    pub fn identity(&self) -> (u32, Time) {
        (self.entry.pid, self.entry.start)
    }

    /// A stamp of the fields shown here (`pid`, `start`, `name`,
    /// `executable`, `args`, `working_directory`, `tty`, `interactive`,
    /// the ids, `supplemental_groups`): it changes whenever one of them
    /// does, and no other entry ever has the same one. A rendering of
    /// these fields made at one revision can be reused while it holds.
    pub fn revision(&self) -> u64 {
        self.entry.revision
    }

    /// `start`, when known exactly.
    pub fn start(&self) -> Option<Time> {
        self.entry.start_exact.then_some(self.entry.start)
    }

    /// `name` (empty: absent).
    pub fn name(&self) -> &'a [u8] {
        self.entry.image.name()
    }

    /// `executable` (empty: absent).
    pub fn executable(&self) -> &'a [u8] {
        &self.entry.image.exe
    }

    /// `args` (their count is `args_count`).
    pub fn args(&self) -> Option<&'a [Vec<u8>]> {
        self.entry.image.argv.as_deref()
    }

    /// `working_directory`.
    pub fn working_directory(&self) -> Option<&'a [u8]> {
        self.entry.image.cwd.as_deref()
    }

    /// `interactive`: has a terminal of a known kind.
    pub fn interactive(&self) -> bool {
        self.entry.tty.is_some_and(TtyDev::is_interactive)
    }

    /// `tty.char_device`.
    pub fn tty(&self) -> Option<TtyDev> {
        self.entry.tty
    }

    /// The ids (`user`, `real_user`, `saved_user`, `group`, ...).
    pub fn creds(&self) -> Option<Creds> {
        self.entry.creds
    }

    /// `supplemental_groups`.
    pub fn groups(&self) -> Option<&'a [u32]> {
        self.entry.groups.as_deref()
    }

    fn fields(&self) -> ProcessFields {
        let e = self.entry;
        let c = e.creds;
        let non_empty = |b: &[u8]| (!b.is_empty()).then(|| Text(b.to_vec()));
        ProcessFields {
            pid: e.pid,
            entity_id: Some(self.ids.id(e.pid, e.start)),
            start: self.start(),
            name: non_empty(self.name()),
            executable: non_empty(self.executable()),
            args: self
                .args()
                .map(|a| a.iter().map(|x| Text(x.clone())).collect()),
            args_count: self.args().map(<[_]>::len),
            working_directory: self.working_directory().map(Text::from),
            interactive: Some(self.interactive()),
            tty: e.tty.map(|d| Tty { char_device: d }),
            user: c.map(|c| Id::of(c.euid)),
            real_user: c.map(|c| Id::of(c.uid)),
            saved_user: c.map(|c| Id::of(c.suid)),
            group: c.map(|c| Id::of(c.egid)),
            real_group: c.map(|c| Id::of(c.gid)),
            saved_group: c.map(|c| Id::of(c.sgid)),
            supplemental_groups: self
                .groups()
                .map(|g| g.iter().map(|x| Id::of(*x)).collect()),
        }
    }
}

/// A process named by pid: the table's entry when it has one.
#[derive(Debug, Clone, Copy)]
pub struct LinkTarget<'a> {
    /// `pid`.
    pub pid: u32,
    /// The entry (`entity_id`, `start`), when in the table.
    pub process: Option<ProcessRef<'a>>,
}

impl LinkTarget<'_> {
    fn to_link(self, session_leader: Option<Box<ProcessLink>>) -> ProcessLink {
        ProcessLink {
            pid: self.pid,
            entity_id: self.process.map(|p| p.ids.id(p.entry.pid, p.entry.start)),
            start: self.process.and_then(|p| p.start()),
            session_leader,
        }
    }
}

/// [`ProcessLink`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct LinkRef<'a> {
    /// The linked process.
    pub target: LinkTarget<'a>,
    /// `session_leader` (only under `session_leader.parent`).
    pub session_leader: Option<LinkTarget<'a>>,
}

impl LinkRef<'_> {
    fn to_link(self) -> ProcessLink {
        self.target
            .to_link(self.session_leader.map(|s| Box::new(s.to_link(None))))
    }
}

/// [`EntryMeta`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct EntryMetaRef<'a> {
    /// `type`.
    pub entry_type: EntryType,
    /// `source.ip`.
    pub source_ip: Option<&'a [u8]>,
}

/// [`RelatedProcess`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RelatedRef<'a> {
    /// The relative: its entry, or only its pid (`process` is `None`).
    pub target: LinkTarget<'a>,
    /// `same_as_process` (leaders only).
    pub same_as_process: Option<bool>,
    /// `entry_meta` (entry leader only).
    pub entry_meta: Option<EntryMetaRef<'a>>,
    /// `parent` (entry leader and session leader).
    pub parent: Option<LinkRef<'a>>,
    /// `group_leader` (parent only).
    pub group_leader: Option<LinkRef<'a>>,
}

impl RelatedRef<'_> {
    fn to_related(self) -> RelatedProcess {
        RelatedProcess {
            fields: self.target.process.map_or(
                ProcessFields {
                    pid: self.target.pid,
                    ..Default::default()
                },
                |p| p.fields(),
            ),
            same_as_process: self.same_as_process,
            entry_meta: self.entry_meta.map(|m| EntryMeta {
                entry_type: m.entry_type,
                source: m.source_ip.map(|ip| EntrySource { ip: Text::from(ip) }),
            }),
            parent: self.parent.map(LinkRef::to_link),
            group_leader: self.group_leader.map(LinkRef::to_link),
        }
    }
}

/// One earlier image (`process.previous[]`), borrowed.
#[derive(Debug, Clone, Copy)]
pub struct PreviousRef<'a> {
    /// `executable`.
    pub executable: &'a [u8],
    /// `args`, when known (their count is `args_count`).
    pub args: Option<&'a [Vec<u8>]>,
}

/// [`ProcessView`], borrowed from the table.
#[derive(Debug, Clone, Copy)]
pub struct ViewRef<'a> {
    /// The process itself.
    pub process: ProcessRef<'a>,
    /// `end`.
    pub end: Option<Time>,
    /// `exit_code`.
    pub exit_code: Option<i32>,
    /// `parent`.
    pub parent: Option<RelatedRef<'a>>,
    /// `group_leader`.
    pub group_leader: Option<RelatedRef<'a>>,
    /// `session_leader`.
    pub session_leader: Option<RelatedRef<'a>>,
    /// `entry_leader`.
    pub entry_leader: Option<RelatedRef<'a>>,
    previous: &'a [Image],
}

impl<'a> ViewRef<'a> {
    /// `previous`: earlier images, oldest first.
    pub fn previous(&self) -> impl ExactSizeIterator<Item = PreviousRef<'a>> + 'a {
        self.previous.iter().map(|i| PreviousRef {
            executable: &i.exe,
            args: i.argv.as_deref(),
        })
    }

    /// The owned view.
    pub fn to_view(&self) -> ProcessView {
        ProcessView {
            fields: self.process.fields(),
            end: self.end,
            exit_code: self.exit_code,
            parent: self.parent.map(RelatedRef::to_related),
            group_leader: self.group_leader.map(RelatedRef::to_related),
            session_leader: self.session_leader.map(RelatedRef::to_related),
            entry_leader: self.entry_leader.map(RelatedRef::to_related),
            previous: self
                .previous()
                .map(|p| PreviousImage {
                    executable: Text::from(p.executable),
                    args: p.args.map(|a| a.iter().map(|x| Text(x.clone())).collect()),
                    args_count: p.args.map(<[_]>::len),
                })
                .collect(),
        }
    }
}

impl<S: ProcSource> SessionDb<S> {
    fn entry(&self, pid: u32) -> Option<&Entry> {
        self.current(pid)
            .and_then(|k| self.entries.get(&k))
            .map(|b| &**b)
    }

    fn process_ref<'a>(&'a self, e: &'a Entry) -> ProcessRef<'a> {
        ProcessRef {
            entry: e,
            ids: &self.ids,
        }
    }

    fn link_ref(&self, pid: u32, with_session_leader: bool) -> Option<LinkRef<'_>> {
        if pid == 0 {
            return None;
        }
        Some(self.link_to_ref(pid, self.entry(pid), with_session_leader))
    }

    fn link_to_ref<'a>(
        &'a self,
        pid: u32,
        e: Option<&'a Entry>,
        with_session_leader: bool,
    ) -> LinkRef<'a> {
        let session_leader = if with_session_leader {
            e.and_then(|e| e.sid)
                .filter(|&sid| sid != 0)
                .map(|sid| LinkTarget {
                    pid: sid,
                    process: self.entry(sid).map(|x| self.process_ref(x)),
                })
        } else {
            None
        };
        LinkRef {
            target: LinkTarget {
                pid,
                process: e.map(|e| self.process_ref(e)),
            },
            session_leader,
        }
    }

    /// The link to the parent of `e`: the entry that forked it when it is
    /// still its parent, else the current process with its parent's pid.
    fn parent_link_ref<'a>(
        &'a self,
        e: &'a Entry,
        with_session_leader: bool,
    ) -> Option<LinkRef<'a>> {
        let forked_by = e
            .parent
            .and_then(|k| self.entries.get(&k))
            .filter(|p| p.pid == e.ppid);
        match forked_by {
            Some(p) => Some(self.link_to_ref(e.ppid, Some(p), with_session_leader)),
            None => self.link_ref(e.ppid, with_session_leader),
        }
    }

    /// A relative by pid: its entry if in the table, else only the pid.
    fn related_ref(&self, pid: u32, of: u32) -> Option<RelatedRef<'_>> {
        if pid == 0 {
            return None;
        }
        Some(RelatedRef {
            target: LinkTarget {
                pid,
                process: self.entry(pid).map(|e| self.process_ref(e)),
            },
            same_as_process: Some(pid == of),
            entry_meta: None,
            parent: None,
            group_leader: None,
        })
    }

    /// The borrowed view of the entry `key`.
    pub(crate) fn view_ref_key(&self, key: Key) -> Option<ViewRef<'_>> {
        let e: &Entry = self.entries.get(&key)?;
        let parent_entry = e
            .parent
            .and_then(|k| self.entries.get(&k))
            .filter(|p| p.pid == e.ppid)
            .map(|b| &**b)
            .or_else(|| (e.ppid != 0).then(|| self.entry(e.ppid)).flatten());
        let parent = match parent_entry {
            Some(p) => Some(RelatedRef {
                target: LinkTarget {
                    pid: p.pid,
                    process: Some(self.process_ref(p)),
                },
                same_as_process: None,
                entry_meta: None,
                parent: None,
                group_leader: p.pgid.and_then(|g| self.link_ref(g, false)),
            }),
            None => (e.ppid != 0).then_some(RelatedRef {
                target: LinkTarget {
                    pid: e.ppid,
                    process: None,
                },
                same_as_process: None,
                entry_meta: None,
                parent: None,
                group_leader: None,
            }),
        };
        let group_leader = e.pgid.and_then(|g| self.related_ref(g, e.pid));
        let session_leader = e.sid.and_then(|s| self.related_ref(s, e.pid)).map(|mut r| {
            r.parent = r
                .target
                .process
                .and_then(|l| self.parent_link_ref(l.entry, true));
            r
        });
        let entry_leader = e.entry_leader.and_then(|k| self.entries.get(&k)).map(|l| {
            let l: &Entry = l;
            let meta = l.entry_type.map(|t| EntryMetaRef {
                entry_type: t,
                source_ip: (t == EntryType::Sshd)
                    .then(|| {
                        l.source_ip
                            .as_deref()
                            .or_else(|| l.ses.and_then(|s| self.logins.get(&s)).map(Vec::as_slice))
                    })
                    .flatten(),
            });
            RelatedRef {
                target: LinkTarget {
                    pid: l.pid,
                    process: Some(self.process_ref(l)),
                },
                same_as_process: Some(e.entry_leader == Some(key)),
                entry_meta: meta,
                parent: self.parent_link_ref(l, false),
                group_leader: None,
            }
        });
        Some(ViewRef {
            process: self.process_ref(e),
            end: e.end,
            exit_code: e.exit_code,
            parent,
            group_leader,
            session_leader,
            entry_leader,
            previous: &e.previous,
        })
    }
}
