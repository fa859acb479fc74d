//! The axum server: configuration, the private development database, security middleware and the
//! router that serves the Leptos app and its server functions.
pub mod auth;
pub mod backup;
pub mod config;
pub mod devdb;
pub mod download;
pub mod jobs;
pub mod limits;
pub mod listener;
pub mod metrics;
pub mod prometheus;
pub mod rest;
pub mod router;
pub mod security;
