//! One module per page.
pub mod action_edit;
#[cfg(feature = "ssr")]
pub mod actions;
pub mod api_docs;
pub mod audit;
pub mod import;
pub mod incident;
pub mod incident_form;
#[cfg(feature = "ssr")]
pub mod incidents;
// These render from the server's read cache and have no island: the browser never needs them.
#[cfg(feature = "ssr")]
pub mod catalog;
pub mod help_slos;
pub mod overview;
pub mod people;
#[cfg(feature = "ssr")]
pub mod postmortem;
pub mod postmortem_forms;
#[cfg(feature = "ssr")]
pub mod postmortem_search;
pub mod postmortem_settings;
#[cfg(feature = "ssr")]
pub mod service;
pub mod service_edit;
pub mod service_form;
#[cfg(feature = "ssr")]
pub mod service_slos;
pub mod slo;
pub mod slo_form;
#[cfg(feature = "ssr")]
pub mod slos;
pub mod team;
pub mod team_form;
pub mod teams;
pub mod tier_form;
pub mod tiers;
pub mod tokens;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The `:slug` route parameter ("" when absent, which no record has).
pub fn slug_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("slug").unwrap_or_default())
}

/// The `:slug` and `:slo` route parameters of an SLO's pages.
pub fn slo_params() -> Memo<(String, String)> {
    let params = use_params_map();
    Memo::new(move |_| {
        let p = params.read();
        (
            p.get("slug").unwrap_or_default(),
            p.get("slo").unwrap_or_default(),
        )
    })
}

/// The `?page=` number of a list (1 when absent or nonsense; at most 10,000).
pub fn page_param() -> Memo<u32> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000)
    })
}
