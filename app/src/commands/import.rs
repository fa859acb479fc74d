//! Backstage import: the same rules as every other write. The files are parsed and planned
//! against the catalog inside one transaction acting as the caller, each planned write goes
//! through the store functions the forms use (so the audit triggers record each change), and
//! the whole import commits or none of it does.
use crate::domain::backstage::{self, Options};
use crate::domain::import::{check_limits, ImportFile, ImportReport};
use crate::domain::import_plan::{self, Plan, Work};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, begin, write, Caller};

fn options(st: &AppState) -> Options {
    Options::new(&st.settings.tier_annotation)
}

/// The limits of one import (shared with the OpenSLO import), as a field error on `files`.
pub(super) fn checked(files: &[ImportFile]) -> Result<(), AppError> {
    check_limits(files).map_err(|m| FieldErrors::single("files", m).into())
}

async fn plan_in(
    db: &mut sqlx::PgConnection,
    who: &Caller,
    files: &[ImportFile],
    opts: &Options,
) -> Result<Plan, AppError> {
    let parsed = backstage::parse(files, opts);
    let (teams, services) = import_plan::wanted(&parsed);
    let defined: Vec<String> = parsed
        .services
        .iter()
        .map(|s| s.form.slug.clone())
        .collect();
    let current = store::import::current(db, &teams, &services, &defined).await?;
    let today = chrono::Utc::now().date_naive();
    Ok(import_plan::plan(parsed, &current, &who.me, opts, today))
}

/// What importing `files` would do, changing nothing.
pub async fn preview(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
) -> Result<ImportReport, AppError> {
    checked(files)?;
    let opts = options(st);
    // A read-only transaction: one snapshot for all the reads the plan compares with.
    let mut tx = begin(st, who).await?;
    let plan = plan_in(&mut tx, who, files, &opts).await?;
    tx.rollback().await?;
    Ok(plan.report)
}

/// Imports `files`. With `expected_digest` (the preview's), refuses if the plan is no longer the
/// one previewed. Documents with errors are left out; the rest are applied together.
pub async fn apply(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
    expected_digest: Option<&str>,
) -> Result<ImportReport, AppError> {
    run_import(st, who, files, expected_digest, options(st)).await
}

/// Imports `files` creating only what is missing; existing teams and services stay as they are.
pub async fn seed(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
) -> Result<ImportReport, AppError> {
    let mut opts = options(st);
    opts.create_only = true;
    run_import(st, who, files, None, opts).await
}

async fn run_import(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
    expected_digest: Option<&str>,
    opts: Options,
) -> Result<ImportReport, AppError> {
    checked(files)?;
    let plan = write(st, who, async |db| {
        let plan = plan_in(db, who, files, &opts).await?;
        if let Some(d) = expected_digest.filter(|d| !d.is_empty()) {
            if d != plan.report.digest {
                return Err(AppError::Conflict(
                    "The catalog changed since the preview, so the import would now do something else. Preview again.".into(),
                ));
            }
        }
        for w in &plan.work {
            run(db, w).await?;
        }
        Ok(plan)
    })
    .await?;
    // Refusals are recorded like any other (the plan already left those documents out).
    for (p, target) in &plan.denied {
        let _ = authorize(st, who, p.clone(), target).await;
    }
    let mut report = plan.report;
    report.applied = true;
    Ok(report)
}

async fn run(db: &mut sqlx::PgConnection, w: &Work) -> Result<(), AppError> {
    match w {
        Work::CreateTeam(t) => store::teams::create(db, t).await.map(drop),
        Work::UpdateTeam(t) => store::teams::update(db, &t.slug, t).await.map(drop),
        Work::CreateService(s) => store::services::create(db, s).await.map(drop),
        Work::UpdateService { input, version } => {
            store::services::update(db, &input.slug, input, Some(*version))
                .await
                .map(drop)
        }
        Work::AddLink { service, input } => store::links::add(db, service, input).await.map(drop),
        Work::UpdateLink { service, id, input } => {
            store::links::update(db, service, *id, input).await
        }
        Work::DeleteLink { service, id } => store::links::delete(db, service, *id).await,
        Work::SetDependency { service, input } => {
            store::dependencies::add(db, service, input).await
        }
        Work::RemoveDependency { service, target } => {
            store::dependencies::remove(db, service, target).await
        }
    }
}
