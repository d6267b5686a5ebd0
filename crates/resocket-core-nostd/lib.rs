//! resocket's sans-IO core (`src/core`, `src/error.rs` of the `resocket` crate, the same
//! files) built as `#![no_std]` with `alloc` only: nothing in the core may need `std`, so
//! that it can become a WebAssembly module of its own, with no allocator, formatting or
//! panic machinery beyond what it uses. `make test` builds this crate for
//! `wasm32-unknown-unknown`; it has no code of its own.

#![no_std]
#![allow(dead_code, unused_imports)]

extern crate alloc;

#[path = "../../src/core/mod.rs"]
pub mod core;
#[path = "../../src/error.rs"]
mod error;

pub use error::Error;
