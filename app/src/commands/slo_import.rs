//! OpenSLO import: the files are planned against the SLOs inside one transaction acting as the
//! caller; each planned write goes through the store functions the SLO form uses (so the audit
//! trigger records each change), and the whole import commits or none of it does.
use crate::domain::import::{ImportFile, ImportReport};
use crate::domain::openslo;
use crate::domain::openslo_plan::{self, Plan, Work};
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::import::checked;
use super::{begin, write, Caller};

async fn plan_in(
    db: &mut sqlx::PgConnection,
    who: &Caller,
    files: &[ImportFile],
) -> Result<Plan, AppError> {
    let parsed = openslo::parse(files);
    let mut services: Vec<String> = parsed.slos.iter().map(|d| d.service.clone()).collect();
    services.sort();
    services.dedup();
    let keys: Vec<(String, String)> = parsed
        .slos
        .iter()
        .map(|d| (d.service.clone(), d.form.slug.clone()))
        .collect();
    let current = store::slo_import::current(db, &services, &keys).await?;
    Ok(openslo_plan::plan(parsed, &current, &who.me))
}

/// What importing `files` would do, changing nothing.
pub async fn preview(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
) -> Result<ImportReport, AppError> {
    checked(files)?;
    let mut tx = begin(st, who).await?;
    let plan = plan_in(&mut tx, who, files).await?;
    tx.rollback().await?;
    Ok(plan.report)
}

/// Imports `files`; with `expected_digest` (the preview's), refuses if the plan is no longer
/// the one previewed. Documents with errors are left out; the rest are applied together.
pub async fn apply(
    st: &AppState,
    who: &Caller,
    files: &[ImportFile],
    expected_digest: Option<&str>,
) -> Result<ImportReport, AppError> {
    checked(files)?;
    let plan = write(st, who, async |db| {
        let plan = plan_in(db, who, files).await?;
        if let Some(d) = expected_digest.filter(|d| !d.is_empty()) {
            if d != plan.report.digest {
                return Err(AppError::Conflict(
                    "The SLOs changed since the preview, so the import would now do something else. Preview again.".into(),
                ));
            }
        }
        for w in &plan.work {
            match w {
                Work::Create { service, input } => {
                    store::slos::create(db, service, input).await?;
                }
                Work::Update {
                    service,
                    slug,
                    input,
                    version,
                } => {
                    store::slos::update(db, service, slug, input, Some(*version)).await?;
                }
            }
        }
        Ok(plan)
    })
    .await?;
    let mut report = plan.report;
    report.applied = true;
    Ok(report)
}
