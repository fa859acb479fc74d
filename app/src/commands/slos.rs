//! SLO definitions and their pushed counts. Editors of the owning team and admins change them
//! (a team's token: its team's services only).
use crate::domain::slo_counts::{self, CountsBatch};
use crate::domain::slo_form::SloForm;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::services::may_edit;
use super::{write, Caller};

/// Creates an SLO of `service`; returns its slug.
pub async fn create(
    st: &AppState,
    who: &Caller,
    service: &str,
    form: &SloForm,
) -> Result<String, AppError> {
    may_edit(st, who, service).await?;
    let input = form.validate()?;
    write(st, who, async |db| {
        store::slos::create(db, service, &input).await
    })
    .await
}

/// Updates an SLO from a form opened at `form.version` (if it says); returns the new slug.
pub async fn update(
    st: &AppState,
    who: &Caller,
    service: &str,
    slo: &str,
    form: &SloForm,
) -> Result<String, AppError> {
    may_edit(st, who, service).await?;
    let input = form.validate()?;
    let expected = form.expected_version()?;
    write(st, who, async |db| {
        store::slos::update(db, service, slo, &input, expected).await
    })
    .await
}

/// Deletes an SLO and its counts.
pub async fn delete(st: &AppState, who: &Caller, service: &str, slo: &str) -> Result<(), AppError> {
    may_edit(st, who, service).await?;
    write(st, who, async |db| {
        store::slos::delete(db, service, slo).await
    })
    .await
}

/// Stores a batch of counts: every bucket is checked first and any problem refuses the whole
/// batch. A bucket pushed again replaces the stored one. Returns how many were stored.
pub async fn push_counts(
    st: &AppState,
    who: &Caller,
    service: &str,
    slo: &str,
    batch: &CountsBatch,
) -> Result<usize, AppError> {
    may_edit(st, who, service).await?;
    let buckets = slo_counts::validate(batch, chrono::Utc::now())?;
    write(st, who, async |db| {
        store::slo_counts::push(db, service, slo, &buckets, &who.actor.label).await
    })
    .await
}
