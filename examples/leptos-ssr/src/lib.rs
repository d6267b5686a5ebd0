//! A chat room on resocket's Leptos hook, server-rendered and hydrated.
//!
//! The crate is built twice (the Leptos docs' layout, no cargo-leptos needed):
//! - `--features ssr`: the `leptos-ssr` binary (`src/main.rs`), an axum server that renders
//!   [`app::App`] to HTML, serves the browser bundle from `dist/pkg/`, and hosts the chat
//!   room at `/ws` on the same address;
//! - `--features hydrate --target wasm32-unknown-unknown`: the browser bundle, whose
//!   [`hydrate`] makes the server's markup live.

pub mod app;

/// Called by the hydration script that `<HydrationScripts>` puts in the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
