//! Sign-in through any OpenID Provider (authorization code flow with PKCE), sessions in
//! Postgres, and the gate that keeps everything else behind them.
pub mod config;
pub mod guard;
pub mod oidc;
pub mod routes;
pub mod session;
