//! sqlx queries, one module per aggregate. Functions take a pool (or a transaction) and return
//! domain types; rules stay in `domain`.
pub mod action_items;
pub mod audit;
pub mod cache;
pub mod catalog;
pub mod demo;
pub mod demo_incidents;
pub mod demo_postmortems;
pub mod demo_slos;
pub mod dependencies;
pub mod import;
pub mod incidents;
pub mod jobs;
pub mod links;
pub mod overview;
pub mod postmortems;
pub mod rows;
pub mod services;
pub mod slo_counts;
pub mod slo_import;
pub mod slo_list;
pub mod slo_prometheus;
pub mod slos;
pub mod teams;
pub mod tiers;
pub mod tokens;
pub mod users;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// True when `e` is a unique violation of the named constraint, so the caller can turn it into a
/// message on the right field (two people can pass the pre-check at once; the index decides).
pub(crate) fn is_unique_violation(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation() && d.constraint() == Some(constraint))
}

pub(crate) fn is_fk_violation(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_foreign_key_violation() && d.constraint() == Some(constraint))
}
