//! [`SessionContext`]: the session table behind the ECS serializer's
//! [`ProcessContext`] hook.

use std::sync::{Arc, Mutex, MutexGuard};

use audit_ecs::view::EventView;
use audit_ecs::{JsonWriter, ProcessContext, ProcessFacts};
use sessiondb::{Config, HostInfo, NoProc, ProcFs, ProcSource, SessionDb, Stats, Time};

use crate::error::EnrichError;
use crate::event::{process_event_in, EventBuffers, WrittenBySerializer};
use crate::view::{raw_members, write_view, ProcessMemo};

struct Inner<S: ProcSource> {
    db: SessionDb<S>,
    /// `host.boot` and `host.pid_ns_ino` as a member run after the key
    /// `boot`: `{"id":"…"},"pid_ns_ino":N`.
    host_run: Vec<u8>,
    /// Events seen / events whose process the table described.
    events: u64,
    described: u64,
    /// Entity ids and start times of recently written processes.
    memo: ProcessMemo,
    /// Byte buffers of the events' translations, reused.
    bufs: EventBuffers,
}

/// The session database as a [`ProcessContext`]: every event is applied to
/// the table (in stream order) and the event's `process` object gets the
/// table's view (`entity_id`, `start`, ids, `tty`, `parent`,
/// `group_leader`, `session_leader`, `entry_leader` with `entry_meta`,
/// `previous`...); `host` gets `boot.id` and `pid_ns_ino`.
///
/// Cloning gives another handle to the same table (the daemon installs one
/// in its pipeline and keeps one to call [`SessionContext::maintain`] when
/// idle and to read [`SessionContext::stats`]). All handles share one
/// mutex, taken once per event.
pub struct SessionContext<S: ProcSource> {
    inner: Arc<Mutex<Inner<S>>>,
}

impl<S: ProcSource> Clone for SessionContext<S> {
    fn clone(&self) -> Self {
        SessionContext {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// Wall-clock time now, as the table's [`Time`].
pub fn wall_now() -> Time {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Time::from_nanos(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl SessionContext<ProcFs> {
    /// The daemon's table: host facts and a full scan from /proc now, then
    /// on-demand /proc reads for pids never seen.
    pub fn from_proc(config: Config) -> Result<Self, EnrichError> {
        let mut db = SessionDb::new(ProcFs::new(), config).map_err(EnrichError::Host)?;
        let n = db.seed_from_proc(wall_now()).map_err(EnrichError::Seed)?;
        tracing::info!(processes = n, "session table seeded from /proc");
        Ok(Self::new(db))
    }
}

impl SessionContext<NoProc> {
    /// A table built from the events alone (replay): no /proc reads at all;
    /// `host` gives `host.boot.id`, `host.pid_ns_ino` and the entity ids.
    pub fn from_events(host: HostInfo) -> Self {
        let config = Config {
            proc_lookups: false,
            ..Config::default()
        };
        Self::new(SessionDb::with_host(
            NoProc { host: host.clone() },
            host,
            config,
        ))
    }
}

impl<S: ProcSource> SessionContext<S> {
    /// Wraps a table (already seeded if wanted).
    pub fn new(db: SessionDb<S>) -> Self {
        let host = db.host();
        let mut host_run = b"{\"id\":".to_vec();
        audit_ecs::json::write_string(&mut host_run, host.boot_id.as_bytes());
        host_run.extend_from_slice(b"},\"pid_ns_ino\":");
        host_run.extend_from_slice(host.pid_ns_ino.to_string().as_bytes());
        SessionContext {
            inner: Arc::new(Mutex::new(Inner {
                db,
                host_run,
                events: 0,
                described: 0,
                memo: ProcessMemo::default(),
                bufs: EventBuffers::default(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<S>> {
        // A panic while holding the lock leaves a table that is still
        // consistent enough to describe processes: go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Frees what the table no longer needs at `now` (call when idle, e.g.
    /// every second with [`wall_now`]; each event does it too).
    pub fn maintain(&self, now: Time) {
        self.lock().db.maintain(now);
    }

    /// The table's counters.
    pub fn stats(&self) -> Stats {
        self.lock().db.stats()
    }

    /// Events seen, and of those, events whose process the table described.
    pub fn event_counts(&self) -> (u64, u64) {
        let i = self.lock();
        (i.events, i.described)
    }

    /// Runs `f` on the table (tests, diagnostics).
    pub fn with_db<R>(&self, f: impl FnOnce(&mut SessionDb<S>) -> R) -> R {
        f(&mut self.lock().db)
    }
}

impl<S: ProcSource> ProcessContext for SessionContext<S> {
    fn write_process(&mut self, facts: &ProcessFacts<'_>, w: &mut JsonWriter<'_>) {
        let mut inner = self.lock();
        inner.events += 1;
        // The serializer's view when it passes one; else our own.
        let own;
        let view = match facts.view {
            Some(v) => v,
            None => match EventView::new(facts.records) {
                Some(v) => {
                    own = v;
                    &own
                }
                None => return,
            },
        };
        let inner = &mut *inner;
        let mut ev = process_event_in(facts, view, &mut inner.bufs);
        let memo = &mut inner.memo;
        let described = inner.db.apply_with(&ev, |pv| {
            let Some(pv) = pv else {
                return false;
            };
            let skip = WrittenBySerializer::of(view, facts.syscall);
            write_view(w, &pv, skip, facts.pid.is_some(), facts.ppid, memo);
            true
        });
        inner.bufs.recycle(&mut ev);
        if !described {
            if facts.pid.is_some() {
                // The hook promised the parent (writes_parent): keep the
                // record's ppid.
                if let Some(pp) = facts.ppid {
                    w.begin_object("parent");
                    w.u64_field("pid", u64::from(pp));
                    w.end();
                }
            }
            return;
        }
        inner.described += 1;
    }

    fn writes_parent(&self, facts: &ProcessFacts<'_>) -> bool {
        facts.pid.is_some()
    }

    fn writes_host(&self) -> bool {
        true
    }

    fn write_host(&mut self, w: &mut JsonWriter<'_>) {
        let inner = self.lock();
        raw_members(w, "boot", &inner.host_run);
    }
}
