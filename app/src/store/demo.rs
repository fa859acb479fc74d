//! A believable demo organisation: 8 teams and 60 services across tiers and lifecycles, with
//! contacts, links (some runbooks stale, some missing) and a dependency graph. It is Backstage
//! YAML in `demo/catalog/`, loaded through the importer, so the demo data is validated like any
//! other input. Loading it again changes nothing, and leaves what people changed since alone:
//! it creates what is missing and nothing else.
use chrono::NaiveDate;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::commands::{import, Caller};
use crate::domain::import::{Action, ImportFile};
use crate::error::AppError;
use crate::state::{AppState, Settings};

macro_rules! demo_file {
    ($name:literal) => {
        (
            concat!("demo/catalog/", $name),
            include_str!(concat!("../../../demo/catalog/", $name)),
        )
    };
}

/// Teams first: the services' files name them as owners.
pub const FILES: &[(&str, &str)] = &[
    demo_file!("teams.yaml"),
    demo_file!("platform.yaml"),
    demo_file!("identity.yaml"),
    demo_file!("payments.yaml"),
    demo_file!("checkout.yaml"),
    demo_file!("merchandising.yaml"),
    demo_file!("data.yaml"),
    demo_file!("growth.yaml"),
    demo_file!("observability.yaml"),
    demo_file!("unowned.yaml"),
];

/// The day the files' review dates were written for. Loading moves them by as many days as
/// have passed since, so the demo always shows fresh, stale and never-reviewed runbooks.
fn written_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

pub struct DemoReport {
    pub teams_added: usize,
    pub services_added: usize,
}

/// Moves every `YYYY-MM-DD https://…` review entry by `days` (the one format of the
/// links-reviewed annotation, whether on its own line or after the annotation's key).
fn shift_review_dates(yaml: &str, days: i64) -> String {
    let mut out = String::with_capacity(yaml.len());
    let mut rest = yaml;
    while let Some(at) = rest.find(" http") {
        let (head, tail) = rest.split_at(at);
        let date = head
            .len()
            .checked_sub(10)
            .and_then(|start| head.get(start..).map(|d| (start, d)))
            .filter(|(start, _)| *start == 0 || head[..*start].ends_with([' ', '\n']))
            .and_then(|(start, d)| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .ok()
                    .map(|d| (start, d))
            });
        match date {
            Some((start, d)) => {
                out.push_str(&head[..start]);
                out.push_str(
                    &(d + chrono::Duration::days(days))
                        .format("%Y-%m-%d")
                        .to_string(),
                );
            }
            None => out.push_str(head),
        }
        out.push_str(" http");
        rest = &tail[" http".len()..];
    }
    out.push_str(rest);
    out
}

pub async fn load(pool: &PgPool, today: NaiveDate) -> Result<DemoReport, AppError> {
    let days = (today - written_on()).num_days();
    let files: Vec<ImportFile> = FILES
        .iter()
        .map(|(name, content)| ImportFile {
            name: (*name).to_string(),
            content: shift_review_dates(content, days),
        })
        .collect();
    let options = LeptosOptions::builder().output_name("portal").build();
    let st = AppState::new(pool.clone(), Settings::default(), options);
    let report = import::seed(&st, &Caller::operator("demo data"), &files).await?;
    if !report.errors.is_empty() {
        // The files are ours: an error here is a bug in them, found by the tests.
        return Err(AppError::internal(format!(
            "the demo data does not import: {}",
            report.text()
        )));
    }
    super::demo_slos::load(&st).await?;
    super::demo_incidents::load(&st).await?;
    super::demo_postmortems::load(&st).await?;
    Ok(DemoReport {
        teams_added: report.count("team", Action::Create),
        services_added: report.count("service", Action::Create),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::backstage::{parse, Options};

    #[test]
    fn demo_files_parse_cleanly() {
        let files: Vec<ImportFile> = FILES
            .iter()
            .map(|(n, c)| ImportFile {
                name: n.to_string(),
                content: c.to_string(),
            })
            .collect();
        let p = parse(
            &files,
            &Options::new(crate::domain::import::DEFAULT_TIER_ANNOTATION),
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        // The only notes: the unowned services say they have no owner.
        assert!(
            p.notes
                .iter()
                .all(|n| n.field == "spec.owner" && n.source.file.ends_with("unowned.yaml")),
            "{:?}",
            p.notes
        );
        assert_eq!(p.teams.len(), 8);
        assert_eq!(p.services.len(), 60);
        for tier in 0..=3 {
            assert!(p.services.iter().any(|s| s.form.tier == tier.to_string()));
        }
    }

    #[test]
    fn review_dates_move_with_today() {
        let yaml = "  annotations:\n    x: |-\n      2026-01-31 https://a.example/r\n      2026-02-01 https://b.example/r\n    y: 2026-03-01 https://c.example/r\n  name: 2026-01-31\n";
        let moved = shift_review_dates(yaml, 10);
        assert!(
            moved.contains("      2026-02-10 https://a.example/r\n"),
            "{moved}"
        );
        assert!(
            moved.contains("      2026-02-11 https://b.example/r\n"),
            "{moved}"
        );
        assert!(
            moved.contains("    y: 2026-03-11 https://c.example/r\n"),
            "{moved}"
        );
        assert!(
            moved.contains("  name: 2026-01-31\n"),
            "only review entries move: {moved}"
        );
        assert_eq!(shift_review_dates(yaml, 0), yaml);
    }
}
