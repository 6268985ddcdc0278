//! Interpretation of audit events and ECS JSON output.
//!
//! See `crates/ecs/README.md` for the output format.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod argv;
pub mod encoding;
pub mod ids;
pub mod json;
pub mod mode;
pub mod normalize;
pub mod sockaddr;
pub mod timestamp;
