//! View pieces shared by the pages.
pub mod access;
pub mod actions;
pub mod badges;
pub mod chart;
pub mod contacts;
pub mod danger_zone;
pub mod fields;
pub mod incidents;
pub mod layout;
pub mod paging;
pub mod states;
pub mod time;
