#![recursion_limit = "256"]
//! The reliability portal's Leptos app, compiled twice: `ssr` into the server, `hydrate` to wasm.
pub mod api;
/// The one write path (server only): see its module comment.
#[cfg(feature = "ssr")]
pub mod commands;
// The page shell and routes render only on the server: the browser hydrates islands alone.
#[cfg(feature = "ssr")]
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: pages are server-rendered HTML, and only the `#[island]` components (the forms)
    // hydrate. The island script calls this, then hydrates each island in turn without yielding
    // to the event loop; a zero timeout therefore marks the page once every island is live (a
    // hook for browser tests and CSS).
    leptos::mount::hydrate_islands();
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
