//! The cdylib behind the npm package `resocket-wasm`, built by `scripts/pkg.sh`
//! (`cargo build -p resocket-wasm --release --target wasm32-unknown-unknown`).
//!
//! It has no code of its own. Linking `resocket` with its `js` feature is enough: the
//! `#[wasm_bindgen]` items of `resocket::js` (`WasmSocket`, `diagnostics`) are exported
//! symbols of that rlib, and a cdylib exports its dependencies' exported symbols, with
//! their wasm-bindgen descriptors. `scripts/pkg.sh` checks the generated JS for both.

// Links resocket although nothing here names it (an unused dependency is not linked).
extern crate resocket;
