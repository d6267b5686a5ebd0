//! The pure core: connection logic with no browser in it.
//!
//! Nothing in this module touches `web-sys`, `js-sys` or a clock: time arrives as
//! milliseconds and randomness as a seed, so every behaviour here is tested natively,
//! including thousands of seeded fault schedules (see `tests/simulation.rs`).

pub mod backoff;
pub mod close;
pub mod config;
pub mod delivery;
pub mod event;
pub mod inbound;
pub mod message;
pub mod outbox;
pub mod pressure;
pub mod rules;
pub mod state;
pub mod supervisor;

pub use crate::error::redact_url;
