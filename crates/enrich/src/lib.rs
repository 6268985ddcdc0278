//! The session database (`sessiondb`) joined to the ECS serializer
//! (`audit-ecs`): RFC 0030 process ancestry on every event.
//!
//! [`SessionContext`] implements [`audit_ecs::ProcessContext`]: for each
//! event the serializer writes, it translates the records into a
//! [`sessiondb::ProcessEvent`] ([`process_event`]: SYSCALL -> observation
//! and change, EXECVE -> argv, CWD -> cwd, USER_LOGIN/USER_START ->
//! login address; from the serializer's own `EventView`, passed in
//! `ProcessFacts::view`), applies it to the table, and writes the view the
//! table lends ([`sessiondb::ViewRef`], nothing copied) into the open
//! `process` object with the serializer's own `JsonWriter` (no serde round
//! trip, no allocation per event). It also writes
//! `host.boot.id` and `host.pid_ns_ino` on every event.
//!
//! Members the serializer writes itself from the records (`pid`, `name`,
//! `executable`, `working_directory`, `args`, `args_count`, `exit_code`)
//! are not repeated; the table's values fill them on events that lack them
//! (e.g. `process.args` of an `openat` event). `process.parent` is the
//! table's (with `entity_id`, `start`, `group_leader`...).
//!
//! Bytes follow the ECS crate's convention: valid UTF-8 as is, otherwise
//! U+FFFD in the string and the exact bytes under `auditd.non_utf8`, keyed
//! by the field path (e.g. `process.entry_leader.executable`).
//!
//! ```no_run
//! # use audit_enrich::SessionContext;
//! // The daemon:
//! let ctx = SessionContext::from_proc(sessiondb::Config::default())?;
//! let idle = ctx.clone(); // to call idle.maintain(wall_now()) every second
//! // pipeline.set_process_context(Box::new(ctx));
//! # Ok::<(), audit_enrich::EnrichError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod context;
mod error;
mod event;
mod view;

pub use context::{wall_now, SessionContext};
pub use error::EnrichError;
pub use event::{event_time, process_event, process_event_in, EventBuffers, WrittenBySerializer};
pub use view::{write_view, ProcessMemo};
