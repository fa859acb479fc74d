//! What an import does: the parsed documents compared with what the portal holds, as a list of
//! writes and a report in words. Pure, so the preview a person reads and the writes applied are
//! computed by the same function from the same data.
//!
//! Files are the source of truth for what they name: a named service's fields, links and
//! dependencies become what the file says. Teams and services the files do not name are left
//! alone (an import never deletes them).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::access::{Me, Permission};
use super::backstage::{push, service_field, team_field, Options, Parsed, ServiceDoc, TeamDoc};
use super::dependency::{DependencyForm, DependencyInput, DependencyKind};
use super::import::{digest, Action, Finding, ImportReport, PlanRow, Source};
use super::link::{LinkInput, LinkKind};
use super::service::ServiceInput;
use super::team::{Team, TeamInput};

/// A service's links beyond this are refused (the store's bound too).
pub const LINKS_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct CurrentLink {
    pub id: i64,
    pub kind: LinkKind,
    pub title: String,
    pub url: String,
    pub last_reviewed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CurrentService {
    pub input: ServiceInput,
    pub version: i64,
    pub links: Vec<CurrentLink>,
    /// target slug → kind
    pub depends_on: BTreeMap<String, DependencyKind>,
}

/// What the portal holds of the teams and services an import names (and of the services its
/// dependencies point at).
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub teams: HashMap<String, Team>,
    pub services: HashMap<String, CurrentService>,
    /// Services that exist but that the files do not define (dependency targets).
    pub other_services: BTreeSet<String>,
}

/// One write, in the order they must run.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    CreateTeam(TeamInput),
    UpdateTeam(TeamInput),
    CreateService(ServiceInput),
    UpdateService {
        input: ServiceInput,
        version: i64,
    },
    AddLink {
        service: String,
        input: LinkInput,
    },
    UpdateLink {
        service: String,
        id: i64,
        input: LinkInput,
    },
    DeleteLink {
        service: String,
        id: i64,
    },
    SetDependency {
        service: String,
        input: DependencyInput,
    },
    RemoveDependency {
        service: String,
        target: String,
    },
}

#[derive(Debug, Default)]
pub struct Plan {
    pub report: ImportReport,
    pub work: Vec<Work>,
    /// Refused permissions, to record in the audit trail when the import is applied.
    pub denied: Vec<(Permission, String)>,
}

/// The slugs the planner needs the current state of: (teams, services).
pub fn wanted(parsed: &Parsed) -> (Vec<String>, Vec<String>) {
    let mut teams: BTreeSet<String> = parsed.teams.iter().map(|t| t.form.slug.clone()).collect();
    teams.extend(
        parsed
            .services
            .iter()
            .map(|s| s.form.owner.clone())
            .filter(|o| !o.is_empty()),
    );
    let mut services: BTreeSet<String> = parsed
        .services
        .iter()
        .map(|s| s.form.slug.clone())
        .collect();
    for s in &parsed.services {
        services.extend(s.depends_on.iter().map(|(t, _)| t.clone()));
    }
    (teams.into_iter().collect(), services.into_iter().collect())
}

struct Planner<'a> {
    me: &'a Me,
    plan: Plan,
}

impl Planner<'_> {
    fn error(&mut self, source: &Source, entity: String, field: &str, message: impl Into<String>) {
        push(
            &mut self.plan.report.errors,
            Finding {
                source: source.clone(),
                entity,
                field: field.to_string(),
                message: message.into(),
            },
        );
    }

    /// Whether `who` may; a refusal is the document's error and is kept for the audit trail.
    fn allowed(&mut self, p: Permission, slug: &str, source: &Source, entity: &str) -> bool {
        match self.me.check(&p) {
            Ok(()) => true,
            Err(message) => {
                self.error(source, entity.to_string(), "", message);
                self.plan.denied.push((p, slug.to_string()));
                false
            }
        }
    }
}

/// Cuts a value for a change line, so a long description does not flood the preview.
fn short(s: &str) -> String {
    const MAX: usize = 60;
    let s = s.replace('\n', " ");
    if s.chars().count() <= MAX {
        format!("“{s}”")
    } else {
        format!("“{}…”", s.chars().take(MAX).collect::<String>())
    }
}

fn diff(changes: &mut Vec<String>, field: &str, before: &str, after: &str) {
    if before != after {
        changes.push(format!("{field}: {} → {}", short(before), short(after)));
    }
}

pub fn plan(parsed: Parsed, current: &Current, me: &Me, opts: &Options, today: NaiveDate) -> Plan {
    let mut p = Planner {
        me,
        plan: Plan::default(),
    };
    p.plan.report.errors = parsed.errors;
    p.plan.report.skipped = parsed.skipped;
    p.plan.report.notes = parsed.notes;

    let teams = first_of_each(
        &mut p,
        parsed.teams,
        |t| &t.form.slug,
        |t| &t.source,
        "Group",
    );
    let mut rows = Vec::new();
    let mut team_work = Vec::new();
    let mut known_teams: BTreeSet<String> = current.teams.keys().cloned().collect();
    for t in teams {
        if let Some(row) = plan_team(&mut p, &t, current, opts.create_only, &mut team_work) {
            known_teams.insert(t.form.slug.clone());
            rows.push(row);
        }
    }

    let services = first_of_each(
        &mut p,
        parsed.services,
        |s| &s.form.slug,
        |s| &s.source,
        "Component",
    );
    // Fields first, then dependencies: a dependency may point at a service created by the same
    // import, but only at one that is itself imported (a bad document drops out, and with it
    // whatever depended on it being created).
    let mut ready: Vec<(
        ServiceDoc,
        ServiceInput,
        Vec<LinkInput>,
        Vec<DependencyInput>,
    )> = Vec::new();
    for s in services {
        if let Some(r) = check_service(&mut p, s, current, &known_teams, opts, today) {
            ready.push(r);
        }
    }
    loop {
        let defined: BTreeSet<String> = ready.iter().map(|r| r.1.slug.clone()).collect();
        let before = ready.len();
        ready.retain(|(doc, input, _, deps)| {
            let entity = format!("Component {}", input.slug);
            let mut ok = true;
            for (i, d) in deps.iter().enumerate() {
                let exists = defined.contains(&d.target)
                    || current.services.contains_key(&d.target)
                    || current.other_services.contains(&d.target);
                if !exists {
                    ok = false;
                    p.error(
                        &doc.source,
                        entity.clone(),
                        &format!("spec.dependsOn[{i}]"),
                        format!(
                            "There is no service \"{}\" in the portal or in these files.",
                            d.target
                        ),
                    );
                }
            }
            ok
        });
        if ready.len() == before {
            break;
        }
    }
    let mut service_work = Vec::new();
    let mut edge_work = Vec::new();
    for (doc, input, links, deps) in ready {
        if opts.create_only && current.services.contains_key(&input.slug) {
            rows.push(PlanRow {
                source: doc.source.clone(),
                entity_type: "service".into(),
                slug: input.slug.clone(),
                name: input.name.clone(),
                action: Action::Unchanged,
                changes: vec![],
            });
            continue;
        }
        if let Some(row) = plan_service(
            &mut p,
            &doc,
            input,
            links,
            deps,
            current,
            &mut service_work,
            &mut edge_work,
        ) {
            rows.push(row);
        }
    }
    p.plan.work = team_work;
    p.plan.work.extend(service_work);
    p.plan.work.extend(edge_work);
    p.plan.report.digest = digest(&rows);
    p.plan.report.rows = rows;
    p.plan
}

/// Keeps the first document of each name; later ones are errors that say where the first is.
fn first_of_each<T>(
    p: &mut Planner,
    docs: Vec<T>,
    slug: impl Fn(&T) -> &String,
    source: impl Fn(&T) -> &Source,
    kind: &str,
) -> Vec<T> {
    let mut seen: HashMap<String, Source> = HashMap::new();
    let mut out = Vec::new();
    for d in docs {
        let s = slug(&d).clone();
        if let Some(first) = seen.get(&s) {
            let message = format!("Also defined in {first}; each {kind} once per import.");
            p.error(source(&d), format!("{kind} {s}"), "metadata.name", message);
            continue;
        }
        seen.insert(s, source(&d).clone());
        out.push(d);
    }
    out
}

fn plan_team(
    p: &mut Planner,
    t: &TeamDoc,
    current: &Current,
    create_only: bool,
    work: &mut Vec<Work>,
) -> Option<PlanRow> {
    let entity = format!("Group {}", t.form.slug);
    let input = match t.form.validate() {
        Ok(i) => i,
        Err(e) => {
            for (f, m) in e.0 {
                p.error(&t.source, entity.clone(), team_field(&f), m);
            }
            return None;
        }
    };
    let (action, changes) = match current.teams.get(&input.slug) {
        None => (Action::Create, vec![]),
        Some(_) if create_only => (Action::Unchanged, vec![]),
        Some(old) => {
            let mut c = Vec::new();
            diff(&mut c, "name", &old.name, &input.name);
            diff(&mut c, "description", &old.description, &input.description);
            diff(&mut c, "email", &old.email, &input.email);
            diff(&mut c, "chat", &old.chat_channel, &input.chat_channel);
            diff(&mut c, "on-call", &old.oncall_url, &input.oncall_url);
            diff(
                &mut c,
                "escalation",
                &old.escalation_policy,
                &input.escalation_policy,
            );
            let a = if c.is_empty() {
                Action::Unchanged
            } else {
                Action::Update
            };
            (a, c)
        }
    };
    if action != Action::Unchanged
        && !p.allowed(Permission::ManageTeams, &input.slug, &t.source, &entity)
    {
        return None;
    }
    let row = PlanRow {
        source: t.source.clone(),
        entity_type: "team".into(),
        slug: input.slug.clone(),
        name: input.name.clone(),
        action,
        changes,
    };
    match action {
        Action::Create => work.push(Work::CreateTeam(input)),
        Action::Update => work.push(Work::UpdateTeam(input)),
        Action::Unchanged => {}
    }
    Some(row)
}

/// Validates a service document's fields, links and dependencies against the owner teams known.
fn check_service(
    p: &mut Planner,
    mut s: ServiceDoc,
    current: &Current,
    known_teams: &BTreeSet<String>,
    opts: &Options,
    today: NaiveDate,
) -> Option<(
    ServiceDoc,
    ServiceInput,
    Vec<LinkInput>,
    Vec<DependencyInput>,
)> {
    let entity = format!("Component {}", s.form.slug);
    let existing = current.services.get(&s.form.slug);
    if s.form.tier.trim().is_empty() {
        // No tier annotation: keep the tier it has; a new service starts at best effort.
        s.form.tier = existing.map_or(3, |e| e.input.tier.number()).to_string();
        if existing.is_none() {
            let note = Finding {
                source: s.source.clone(),
                entity: entity.clone(),
                field: format!("metadata.annotations.{}", opts.tier_annotation),
                message: "No tier annotation: imported as tier 3 (best effort).".into(),
            };
            push(&mut p.plan.report.notes, note);
        }
    }
    let mut ok = true;
    let input = match s.form.validate() {
        Ok(i) => Some(i),
        Err(e) => {
            for (f, m) in e.0 {
                p.error(&s.source, entity.clone(), &service_field(&f, opts), m);
            }
            ok = false;
            None
        }
    };
    if !s.form.owner.is_empty() && !known_teams.contains(&s.form.owner) {
        let message = format!(
            "There is no team \"{}\" in the portal or in these files.",
            s.form.owner
        );
        p.error(&s.source, entity.clone(), "spec.owner", message);
        ok = false;
    }
    if s.links.len() > LINKS_MAX {
        p.error(
            &s.source,
            entity.clone(),
            "metadata.links",
            format!("At most {LINKS_MAX} links."),
        );
        ok = false;
    }
    let mut links = Vec::new();
    for (i, l) in s.links.iter().enumerate() {
        match l.validate(today) {
            Ok(input) => links.push(input),
            Err(e) => {
                for (f, m) in e.0 {
                    let field = match f.as_str() {
                        "last_reviewed_on" => {
                            "metadata.annotations.reliability.portal/links-reviewed".to_string()
                        }
                        other => format!("metadata.links[{i}].{other}"),
                    };
                    p.error(&s.source, entity.clone(), &field, m);
                }
                ok = false;
            }
        }
    }
    let mut deps = Vec::new();
    for (i, (target, kind)) in s.depends_on.iter().enumerate() {
        let form = DependencyForm {
            target: target.clone(),
            kind: kind.clone(),
        };
        match form.validate(&s.form.slug) {
            Ok(d) if !deps.iter().any(|x: &DependencyInput| x.target == d.target) => deps.push(d),
            Ok(_) => {}
            Err(e) => {
                for (_, m) in e.0 {
                    p.error(
                        &s.source,
                        entity.clone(),
                        &format!("spec.dependsOn[{i}]"),
                        m,
                    );
                }
                ok = false;
            }
        }
    }
    match input {
        Some(input) if ok => Some((s, input, links, deps)),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn plan_service(
    p: &mut Planner,
    doc: &ServiceDoc,
    input: ServiceInput,
    links: Vec<LinkInput>,
    deps: Vec<DependencyInput>,
    current: &Current,
    service_work: &mut Vec<Work>,
    edge_work: &mut Vec<Work>,
) -> Option<PlanRow> {
    let entity = format!("Component {}", input.slug);
    let slug = input.slug.clone();
    let existing = current.services.get(&slug);
    let mut changes = Vec::new();
    let mut edges = Vec::new();
    if let Some(old) = existing {
        let o = &old.input;
        diff(&mut changes, "name", &o.name, &input.name);
        diff(
            &mut changes,
            "description",
            &o.description,
            &input.description,
        );
        diff(
            &mut changes,
            "tier",
            &o.tier.number().to_string(),
            &input.tier.number().to_string(),
        );
        diff(
            &mut changes,
            "lifecycle",
            o.lifecycle.as_str(),
            input.lifecycle.as_str(),
        );
        diff(
            &mut changes,
            "owner",
            o.owner.as_deref().unwrap_or("(none)"),
            input.owner.as_deref().unwrap_or("(none)"),
        );
        diff(
            &mut changes,
            "tags",
            &o.tags.join(", "),
            &input.tags.join(", "),
        );
    }
    let service_changed = !changes.is_empty();
    // Links: matched by kind and URL; a title or review date that differs is an update.
    let mut unmatched: Vec<&CurrentLink> = existing
        .map(|e| e.links.iter().collect())
        .unwrap_or_default();
    for l in links {
        match unmatched
            .iter()
            .position(|c| c.kind == l.kind && c.url == l.url)
        {
            Some(i) => {
                let c = unmatched.remove(i);
                if c.title != l.title || c.last_reviewed_on != l.last_reviewed_on {
                    changes.push(format!("link changed: {} ({})", l.title, l.url));
                    edges.push(Work::UpdateLink {
                        service: slug.clone(),
                        id: c.id,
                        input: l,
                    });
                }
            }
            None => {
                changes.push(format!(
                    "link added: {} {} ({})",
                    l.kind.label(),
                    l.title,
                    l.url
                ));
                edges.push(Work::AddLink {
                    service: slug.clone(),
                    input: l,
                });
            }
        }
    }
    for c in unmatched {
        changes.push(format!("link removed: {} ({})", c.title, c.url));
        edges.push(Work::DeleteLink {
            service: slug.clone(),
            id: c.id,
        });
    }
    let empty = BTreeMap::new();
    let old_deps = existing.map_or(&empty, |e| &e.depends_on);
    for d in &deps {
        match old_deps.get(&d.target) {
            Some(k) if *k == d.kind => {}
            Some(k) => {
                changes.push(format!(
                    "dependency on {}: {} → {}",
                    d.target,
                    k.as_str(),
                    d.kind.as_str()
                ));
                edges.push(Work::SetDependency {
                    service: slug.clone(),
                    input: d.clone(),
                });
            }
            None => {
                changes.push(format!("depends on {} ({})", d.target, d.kind.as_str()));
                edges.push(Work::SetDependency {
                    service: slug.clone(),
                    input: d.clone(),
                });
            }
        }
    }
    for target in old_deps
        .keys()
        .filter(|t| !deps.iter().any(|d| &d.target == *t))
    {
        changes.push(format!("no longer depends on {target}"));
        edges.push(Work::RemoveDependency {
            service: slug.clone(),
            target: target.clone(),
        });
    }
    let action = match existing {
        None => Action::Create,
        Some(_) if changes.is_empty() => Action::Unchanged,
        Some(_) => Action::Update,
    };
    if action == Action::Create {
        // A new service's links and dependencies are part of creating it, listed in full.
        if !p.allowed(
            Permission::AssignServiceTo(input.owner.clone()),
            &slug,
            &doc.source,
            &entity,
        ) {
            return None;
        }
    } else if action == Action::Update {
        let owner = existing.and_then(|e| e.input.owner.clone());
        let moves = owner != input.owner;
        if !p.allowed(Permission::EditService(owner), &slug, &doc.source, &entity)
            || (moves
                && !p.allowed(
                    Permission::AssignServiceTo(input.owner.clone()),
                    &slug,
                    &doc.source,
                    &entity,
                ))
        {
            return None;
        }
    }
    let row = PlanRow {
        source: doc.source.clone(),
        entity_type: "service".into(),
        slug: slug.clone(),
        name: input.name.clone(),
        action,
        changes,
    };
    match (action, existing) {
        (Action::Create, _) => service_work.push(Work::CreateService(input)),
        (_, Some(old)) if service_changed => service_work.push(Work::UpdateService {
            input,
            version: old.version,
        }),
        _ => {}
    }
    edge_work.extend(edges);
    Some(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Role;
    use crate::domain::backstage::parse;
    use crate::domain::import::ImportFile;
    use crate::domain::lifecycle::Lifecycle;
    use crate::domain::tier::Tier;

    fn opts() -> Options {
        Options::new("acme.com/tier")
    }

    fn me(role: Role, teams: &[&str]) -> Me {
        Me {
            id: 1,
            name: "Ada".into(),
            email: "ada@example.com".into(),
            role,
            teams: teams.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    /// Each planned row's slug and action, in plan order.
    fn actions(p: &Plan) -> Vec<(&str, Action)> {
        p.report
            .rows
            .iter()
            .map(|r| (r.slug.as_str(), r.action))
            .collect()
    }

    fn run(yaml: &str, current: &Current, who: &Me) -> Plan {
        let files = vec![ImportFile {
            name: "c.yaml".into(),
            content: yaml.into(),
        }];
        plan(parse(&files, &opts()), current, who, &opts(), today())
    }

    const YAML: &str = r#"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {profile: {displayName: Payments, email: payments@example.com}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations: {acme.com/tier: "0"}
spec: {lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations: {acme.com/tier: "1"}
  links:
    - {url: "https://wiki.example.com/r", title: Runbook, type: runbook}
spec: {lifecycle: production, owner: group:payments, dependsOn: [component:ledger]}
"#;

    fn team(slug: &str, name: &str) -> Team {
        Team {
            id: 1,
            slug: slug.into(),
            name: name.into(),
            description: String::new(),
            email: "payments@example.com".into(),
            chat_channel: String::new(),
            oncall_url: String::new(),
            escalation_policy: String::new(),
        }
    }

    fn service(slug: &str, tier: u8, owner: Option<&str>) -> CurrentService {
        CurrentService {
            input: ServiceInput {
                slug: slug.into(),
                name: slug.into(),
                description: String::new(),
                tier: Tier::new(tier).unwrap(),
                lifecycle: Lifecycle::Production,
                owner: owner.map(str::to_string),
                tags: vec![],
            },
            version: 7,
            links: vec![],
            depends_on: BTreeMap::new(),
        }
    }

    #[test]
    fn new_catalog_is_created_in_order() {
        let p = run(YAML, &Current::default(), &me(Role::Admin, &[]));
        assert!(p.report.errors.is_empty(), "{:?}", p.report.errors);
        let actions = actions(&p);
        assert_eq!(
            actions,
            vec![
                ("payments", Action::Create),
                ("ledger", Action::Create),
                ("payments-api", Action::Create)
            ]
        );
        // Teams, then services, then the links and edges that need both ends to exist.
        assert!(matches!(p.work[0], Work::CreateTeam(_)));
        assert!(matches!(p.work[1], Work::CreateService(_)));
        assert!(matches!(p.work[2], Work::CreateService(_)));
        assert!(matches!(&p.work[3], Work::AddLink { service, .. } if service == "payments-api"));
        assert!(
            matches!(&p.work[4], Work::SetDependency { service, input } if service == "payments-api" && input.target == "ledger")
        );
        assert_eq!(p.work.len(), 5);
    }

    #[test]
    fn same_catalog_again_changes_nothing() {
        let mut cur = Current::default();
        cur.teams
            .insert("payments".into(), team("payments", "Payments"));
        cur.services.insert("ledger".into(), {
            let mut s = service("ledger", 0, Some("payments"));
            s.input.name = "ledger".into();
            s
        });
        let mut api = service("payments-api", 1, Some("payments"));
        api.links.push(CurrentLink {
            id: 9,
            kind: LinkKind::Runbook,
            title: "Runbook".into(),
            url: "https://wiki.example.com/r".into(),
            last_reviewed_on: None,
        });
        api.depends_on.insert("ledger".into(), DependencyKind::Hard);
        cur.services.insert("payments-api".into(), api);
        // Even a viewer may import a file that changes nothing.
        let p = run(YAML, &cur, &me(Role::Viewer, &[]));
        assert!(p.report.errors.is_empty(), "{:?}", p.report.errors);
        assert!(p.work.is_empty(), "{:?}", p.work);
        assert!(p.report.rows.iter().all(|r| r.action == Action::Unchanged));
        assert!(!p.report.has_changes());
    }

    #[test]
    fn changes_are_listed_and_extra_links_and_edges_removed() {
        let mut cur = Current::default();
        cur.teams
            .insert("payments".into(), team("payments", "Payments Team"));
        cur.services
            .insert("ledger".into(), service("ledger", 0, Some("payments")));
        let mut api = service("payments-api", 2, Some("payments"));
        api.links.push(CurrentLink {
            id: 3,
            kind: LinkKind::Docs,
            title: "Old docs".into(),
            url: "https://docs.example.com".into(),
            last_reviewed_on: None,
        });
        api.depends_on.insert("cache".into(), DependencyKind::Soft);
        cur.services.insert("payments-api".into(), api);
        let p = run(YAML, &cur, &me(Role::Admin, &[]));
        let row = |slug: &str| p.report.rows.iter().find(|r| r.slug == slug).unwrap();
        assert_eq!(row("payments").action, Action::Update);
        assert_eq!(
            row("payments").changes,
            vec!["name: “Payments Team” → “Payments”"]
        );
        assert_eq!(row("ledger").action, Action::Unchanged);
        let api = row("payments-api");
        assert_eq!(api.action, Action::Update);
        for c in [
            "tier: “2” → “1”",
            "link removed: Old docs (https://docs.example.com)",
            "no longer depends on cache",
            "depends on ledger (hard)",
        ] {
            assert!(
                api.changes.iter().any(|x| x == c),
                "{c} not in {:?}",
                api.changes
            );
        }
        assert!(p.work.contains(&Work::DeleteLink {
            service: "payments-api".into(),
            id: 3
        }));
        assert!(p.work.contains(&Work::RemoveDependency {
            service: "payments-api".into(),
            target: "cache".into()
        }));
        assert!(p
            .work
            .iter()
            .any(|w| matches!(w, Work::UpdateService { version: 7, .. })));
    }

    #[test]
    fn bad_and_forbidden_documents_drop_out_alone() {
        let yaml = format!(
            "{YAML}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: orphan}}\nspec: {{lifecycle: production, owner: nobody, dependsOn: [ledger]}}\n\
             ---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: leaf}}\nspec: {{lifecycle: production, owner: payments, dependsOn: [orphan]}}\n\
             ---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: ledger}}\nspec: {{lifecycle: production}}\n"
        );
        let fields = |p: &Plan| -> Vec<(String, String)> {
            p.report
                .errors
                .iter()
                .map(|e| (e.entity.clone(), e.field.clone()))
                .collect()
        };
        let has = |f: &[(String, String)], entity: &str, field: &str| {
            f.contains(&(entity.to_string(), field.to_string()))
        };
        // An admin: orphan names a team nobody has; leaf depended on orphan being created, so it
        // drops out too and says why; the rest is planned.
        let p = run(&yaml, &Current::default(), &me(Role::Admin, &[]));
        let f = fields(&p);
        assert!(has(&f, "Component orphan", "spec.owner"), "{f:?}");
        assert!(has(&f, "Component leaf", "spec.dependsOn[0]"), "{f:?}");
        let slugs: Vec<&str> = p.report.rows.iter().map(|r| r.slug.as_str()).collect();
        assert_eq!(slugs, vec!["payments", "ledger", "payments-api"]);
        // The second ledger names the first.
        let dup = p
            .report
            .errors
            .iter()
            .find(|e| e.entity == "Component ledger")
            .unwrap();
        assert_eq!(dup.source.document, 6);
        assert!(
            dup.message.contains("c.yaml, document 2"),
            "{}",
            dup.message
        );
        assert!(p.denied.is_empty());

        // An editor of payments, which does not exist yet: the team needs an admin, and without
        // it its services have no owner to go to. The refusal is kept for the audit trail.
        let p = run(&yaml, &Current::default(), &me(Role::Editor, &["payments"]));
        let f = fields(&p);
        assert!(has(&f, "Group payments", ""), "{f:?}");
        assert!(has(&f, "Component payments-api", "spec.owner"), "{f:?}");
        assert_eq!(
            p.denied,
            vec![(Permission::ManageTeams, "payments".to_string())]
        );
        assert!(p.report.rows.is_empty(), "{:?}", p.report.rows);
        assert!(p.work.is_empty());
    }

    #[test]
    fn editors_import_their_own_teams_services() {
        let mut cur = Current::default();
        cur.teams
            .insert("payments".into(), team("payments", "Payments"));
        cur.teams.insert("search".into(), team("search", "Search"));
        cur.services
            .insert("ledger".into(), service("ledger", 1, Some("search")));
        let p = run(YAML, &cur, &me(Role::Editor, &["payments"]));
        let slugs: Vec<&str> = p.report.rows.iter().map(|r| r.slug.as_str()).collect();
        // ledger belongs to search: refused; payments-api still depends on it (it exists).
        assert_eq!(slugs, vec!["payments", "payments-api"]);
        assert!(
            p.report
                .errors
                .iter()
                .any(|e| e.entity == "Component ledger" && e.message.contains("search")),
            "{:?}",
            p.report.errors
        );
    }

    #[test]
    fn create_only_leaves_what_exists() {
        let mut cur = Current::default();
        cur.teams
            .insert("payments".into(), team("payments", "Renamed by someone"));
        cur.services
            .insert("ledger".into(), service("ledger", 3, None));
        let mut o = opts();
        o.create_only = true;
        let files = vec![ImportFile {
            name: "c.yaml".into(),
            content: YAML.into(),
        }];
        let p = plan(parse(&files, &o), &cur, &me(Role::Admin, &[]), &o, today());
        let actions = actions(&p);
        assert_eq!(
            actions,
            vec![
                ("payments", Action::Unchanged),
                ("ledger", Action::Unchanged),
                ("payments-api", Action::Create)
            ]
        );
        assert!(!p
            .work
            .iter()
            .any(|w| matches!(w, Work::UpdateTeam(_) | Work::UpdateService { .. })));
    }

    #[test]
    fn missing_tier_keeps_the_current_one() {
        let yaml = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: ledger}\nspec: {lifecycle: production}\n";
        let mut cur = Current::default();
        cur.services
            .insert("ledger".into(), service("ledger", 0, None));
        let p = run(yaml, &cur, &me(Role::Admin, &[]));
        assert_eq!(
            p.report.rows[0].action,
            Action::Unchanged,
            "{:?}",
            p.report.rows
        );
        let p = run(yaml, &Current::default(), &me(Role::Admin, &[]));
        assert!(matches!(&p.work[0], Work::CreateService(s) if s.tier.number() == 3));
        assert!(p.report.notes.iter().any(|n| n.message.contains("tier 3")));
    }
}
