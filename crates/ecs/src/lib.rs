//! Interpretation of audit events and ECS JSON output.
//!
//! Entry point: [`Serializer::write_event`] turns one event's records into
//! one JSON line; [`ProcessContext`] lets a process database add
//! `process.*` members; [`replay`] runs the whole pipeline over audit.log
//! text. See `crates/ecs/README.md` for the output format.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod argv;
pub mod encoding;
mod error;
pub mod ids;
// The JSON writer appends into reserved capacity without per-byte checks
// (each `unsafe` block there has its SAFETY argument and tests).
#[allow(unsafe_code)]
pub mod json;
mod keys;
pub mod mode;
pub mod normalize;
mod object;
pub mod replay;
mod report;
mod serialize;
pub mod sockaddr;
mod summary;
pub mod timestamp;
pub mod view;

pub use error::EcsError;
pub use ids::{FixedNames, NameResolver, SystemNames};
pub use json::JsonWriter;
pub use replay::{Replay, ReplayOptions, ReplaySummary};
pub use serialize::{Config, ProcessContext, ProcessFacts, Serializer, ECS_VERSION};
