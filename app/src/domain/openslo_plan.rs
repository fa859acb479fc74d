//! What an OpenSLO import does: each SLO document compared with the SLO the portal holds, as
//! writes and a report. Pure, so the preview and the applied import are the same computation.
//! An import creates and updates SLOs; it never deletes one the files do not name.
use std::collections::{HashMap, HashSet};

use super::access::{Me, Permission};
use super::import::{digest, Action, Finding, ImportReport, PlanRow};
use super::openslo::Parsed;
use super::slo_form::SloInput;

/// The SLO as stored, for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentSlo {
    pub input: SloInput,
    pub version: i64,
}

/// What the portal holds of the services and SLOs an import names.
#[derive(Debug, Clone, Default)]
pub struct Current {
    /// service slug → owning team's slug
    pub services: HashMap<String, Option<String>>,
    /// (service, slo) → the SLO
    pub slos: HashMap<(String, String), CurrentSlo>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    Create {
        service: String,
        input: SloInput,
    },
    Update {
        service: String,
        slug: String,
        input: SloInput,
        version: i64,
    },
}

pub struct Plan {
    pub work: Vec<Work>,
    pub report: ImportReport,
}

/// Form fields as the document names them, for errors a person can find in their file.
fn field(form_field: &str) -> &'static str {
    match form_field {
        "slug" => "metadata.name",
        "name" => "metadata.displayName",
        "description" => "spec.description",
        "sli_kind" => "metadata.annotations",
        "good_events" | "total_events" => "metadata.annotations",
        "objective" => "spec.objectives[0].target",
        "window" | "window_days" => "spec.timeWindow[0]",
        "error_query" | "total_query" => "spec.indicator.spec.ratioMetric",
        _ => "",
    }
}

/// Differences in words: "objective: 99.9 % → 99.95 %".
pub fn changes(old: &SloInput, new: &SloInput) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |what: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{what}: {a} → {b}"));
        }
    };
    cmp("name", old.name.clone(), new.name.clone());
    cmp(
        "description",
        short(&old.description),
        short(&new.description),
    );
    cmp(
        "SLI kind",
        old.sli_kind.label().into(),
        new.sli_kind.label().into(),
    );
    cmp(
        "good events",
        short(&old.good_events),
        short(&new.good_events),
    );
    cmp("events", short(&old.total_events), short(&new.total_events));
    cmp(
        "objective",
        format!("{} %", old.objective),
        format!("{} %", new.objective),
    );
    cmp("window", old.window.label(), new.window.label());
    cmp(
        "source",
        old.source.as_str().into(),
        new.source.as_str().into(),
    );
    cmp(
        "bad-events query",
        short(&old.error_query),
        short(&new.error_query),
    );
    cmp(
        "all-events query",
        short(&old.total_query),
        short(&new.total_query),
    );
    out
}

fn short(s: &str) -> String {
    if s.is_empty() {
        return "(none)".into();
    }
    let cut: String = s.chars().take(80).collect();
    if cut.len() < s.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

pub fn plan(parsed: Parsed, current: &Current, me: &Me) -> Plan {
    let mut report = ImportReport {
        errors: parsed.errors,
        skipped: parsed.skipped,
        notes: parsed.notes,
        ..ImportReport::default()
    };
    let mut work = Vec::new();
    let mut seen = HashSet::new();
    for doc in parsed.slos {
        let entity = format!("SLO {}", doc.form.slug);
        let error = |field: &str, message: String| Finding {
            source: doc.source.clone(),
            entity: entity.clone(),
            field: field.to_string(),
            message,
        };
        let input = match doc.form.validate() {
            Ok(i) => i,
            Err(e) => {
                for (f, m) in e.0 {
                    report.errors.push(error(field(&f), m));
                }
                continue;
            }
        };
        let Some(owner) = current.services.get(&doc.service) else {
            report.errors.push(error(
                "spec.service",
                format!("No service \"{}\" in the catalog.", doc.service),
            ));
            continue;
        };
        if !me.can(&Permission::EditService(owner.clone())) {
            report.errors.push(error(
                "spec.service",
                format!(
                    "You may not change the SLOs of {}: they belong to {}.",
                    doc.service,
                    owner
                        .as_deref()
                        .map_or("no team (admins only)".to_string(), |t| format!("team {t}"))
                ),
            ));
            continue;
        }
        let key = (doc.service.clone(), input.slug.clone());
        if !seen.insert(key.clone()) {
            report.errors.push(error(
                "metadata.name",
                format!(
                    "{}/{} is defined twice in this import; the first one counts.",
                    key.0, key.1
                ),
            ));
            continue;
        }
        let (action, changes) = match current.slos.get(&key) {
            None => {
                work.push(Work::Create {
                    service: doc.service.clone(),
                    input: input.clone(),
                });
                (Action::Create, Vec::new())
            }
            Some(c) if c.input == input => (Action::Unchanged, Vec::new()),
            Some(c) => {
                work.push(Work::Update {
                    service: doc.service.clone(),
                    slug: input.slug.clone(),
                    input: input.clone(),
                    version: c.version,
                });
                (Action::Update, changes(&c.input, &input))
            }
        };
        report.rows.push(PlanRow {
            source: doc.source,
            entity_type: "slo".into(),
            slug: format!("{}/{}", doc.service, input.slug),
            name: input.name,
            action,
            changes,
        });
    }
    report.digest = digest(&report.rows);
    Plan { work, report }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;
    use crate::domain::import::ImportFile;
    use crate::domain::openslo::parse;

    const DOC: &str = r#"
apiVersion: openslo/v1
kind: SLO
metadata: { name: availability, displayName: Checkout availability }
spec:
  service: checkout
  indicator:
    spec:
      ratioMetric:
        counter: true
        bad: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(x{code="500"}[{{.window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(x[{{.window}}]))' } } }
  timeWindow: [{ duration: 30d, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ target: 0.999 }]
"#;

    fn parsed(yaml: &str) -> Parsed {
        parse(&[ImportFile {
            name: "a.yaml".into(),
            content: yaml.into(),
        }])
    }

    fn me(role: Role, teams: &[&str]) -> Me {
        Me {
            id: 1,
            name: "Dana".into(),
            email: "dana@example.com".into(),
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn current() -> Current {
        Current {
            services: [("checkout".to_string(), Some("payments".to_string()))].into(),
            slos: HashMap::new(),
        }
    }

    #[test]
    fn creates_then_finds_nothing_to_change_then_updates() {
        let editor = me(Role::Editor, &["payments"]);
        let p = plan(parsed(DOC), &current(), &editor);
        assert_eq!(p.report.rows[0].action, Action::Create);
        let Work::Create { input, .. } = &p.work[0] else {
            panic!()
        };
        let mut cur = current();
        cur.slos.insert(
            ("checkout".into(), "availability".into()),
            CurrentSlo {
                input: input.clone(),
                version: 3,
            },
        );
        let again = plan(parsed(DOC), &cur, &editor);
        assert!(again.work.is_empty(), "an import is idempotent");
        assert_eq!(again.report.rows[0].action, Action::Unchanged);
        let changed = plan(parsed(&DOC.replace("0.999", "0.9995")), &cur, &editor);
        assert_eq!(
            changed.report.rows[0].changes,
            vec!["objective: 99.9 % → 99.95 %"]
        );
        assert!(matches!(changed.work[0], Work::Update { version: 3, .. }));
        assert_ne!(changed.report.digest, again.report.digest);
    }

    #[test]
    fn unknown_services_foreign_teams_and_duplicates_are_errors() {
        let other = me(Role::Editor, &["search"]);
        let p = plan(parsed(DOC), &current(), &other);
        assert!(p.work.is_empty());
        assert!(p.report.errors[0].message.contains("team payments"));
        let p = plan(
            parsed(&DOC.replace("service: checkout", "service: nowhere")),
            &current(),
            &me(Role::Admin, &[]),
        );
        assert!(p.report.errors[0]
            .message
            .contains("No service \"nowhere\""));
        let twice = format!("{DOC}\n---\n{DOC}");
        let p = plan(parsed(&twice), &current(), &me(Role::Admin, &[]));
        assert_eq!(p.work.len(), 1);
        assert!(p.report.errors[0].message.contains("defined twice"));
        let bad = plan(
            parsed(&DOC.replace("0.999", "0.99999999")),
            &current(),
            &me(Role::Admin, &[]),
        );
        assert_eq!(bad.report.errors[0].field, "spec.objectives[0].target");
    }
}
