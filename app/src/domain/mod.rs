//! Plain Rust: the catalog's types and rules. No Leptos, no SQL, compiled for server and browser,
//! so a rule is written once and unit-tested here.
pub mod access;
pub mod api;
pub mod api_routes;
pub mod audit;
#[cfg(feature = "ssr")]
pub mod backstage;
pub mod catalog;
pub mod dependency;
pub mod import;
#[cfg(feature = "ssr")]
pub mod import_plan;
pub mod lifecycle;
pub mod link;
pub mod overview;
pub mod service;
pub mod slo;
pub mod slo_counts;
pub mod slo_form;
pub mod slo_list;
pub mod slo_view;
pub mod team;
pub mod tier;
pub mod tier_form;
pub mod token;
pub mod user;
pub mod validation;
