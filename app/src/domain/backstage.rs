//! Backstage descriptor YAML (`catalog-info.yaml`) read into the portal's forms, and the catalog
//! written back out as such YAML. Server only: the YAML parser stays out of the browser bundle.
//!
//! The mapping: `Group` → team (`spec.profile.displayName`, `spec.profile.email`, an `oncall`
//! link → on-call URL), `Component` → service (`metadata.name`, `title`, `description`, `tags`,
//! `links` → typed links, `spec.owner` → team, `spec.lifecycle`, `spec.dependsOn` → hard
//! dependencies, the tier from a configurable annotation). What Backstage has no field for is
//! kept in `reliability.portal/…` annotations, so an export imports back to the same catalog.
use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use super::import::{Finding, ImportFile, Source, MAX_DOCUMENTS};
use super::link::LinkForm;
use super::service::ServiceForm;
use super::team::TeamForm;

pub const CHAT_ANNOTATION: &str = "reliability.portal/chat-channel";
pub const ESCALATION_ANNOTATION: &str = "reliability.portal/escalation-policy";
/// Comma-separated slugs of `spec.dependsOn` entries that are soft (the rest are hard).
pub const SOFT_DEPENDENCIES_ANNOTATION: &str = "reliability.portal/soft-dependencies";
/// One line per reviewed link: `YYYY-MM-DD URL`.
pub const REVIEWED_ANNOTATION: &str = "reliability.portal/links-reviewed";
/// Findings of one kind kept per import; past this, one line says how many more there were.
pub const MAX_FINDINGS: usize = 500;

pub struct Options {
    /// The annotation a Component's tier is read from (PORTAL_TIER_ANNOTATION).
    pub tier_annotation: String,
    /// Create what is missing and leave every existing team and service as it is (the demo
    /// data, which must not undo what people changed since it was loaded).
    pub create_only: bool,
}

impl Options {
    pub fn new(tier_annotation: &str) -> Options {
        Options {
            tier_annotation: tier_annotation.to_string(),
            create_only: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamDoc {
    pub source: Source,
    pub form: TeamForm,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDoc {
    pub source: Source,
    /// `tier` is empty when the document has no tier annotation: the service keeps the tier it
    /// has, or starts at tier 3.
    pub form: ServiceForm,
    pub links: Vec<LinkForm>,
    /// (target slug, "hard" | "soft"), in the document's order.
    pub depends_on: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub teams: Vec<TeamDoc>,
    pub services: Vec<ServiceDoc>,
    pub errors: Vec<Finding>,
    pub skipped: Vec<Finding>,
    pub notes: Vec<Finding>,
}

/// Reads every document of every file. A bad document becomes an error and the others go on;
/// a file whose YAML cannot be read stops at that document.
pub fn parse(files: &[ImportFile], opts: &Options) -> Parsed {
    let mut out = Parsed::default();
    let mut documents = 0;
    for file in files {
        for (i, de) in serde_yaml::Deserializer::from_str(&file.content).enumerate() {
            let source = Source {
                file: file.name.clone(),
                document: i + 1,
            };
            documents += 1;
            if documents > MAX_DOCUMENTS {
                push(
                    &mut out.errors,
                    finding(
                        &source,
                        "",
                        "",
                        format!(
                            "At most {MAX_DOCUMENTS} documents per import; the rest were not read."
                        ),
                    ),
                );
                return out;
            }
            let value = match <Value as serde::Deserialize>::deserialize(de) {
                Ok(v) => v,
                Err(e) => {
                    let message =
                        format!("Not valid YAML: {e}. The rest of this file was not read.");
                    push(&mut out.errors, finding(&source, "", "", message));
                    break;
                }
            };
            document(&mut out, source, value, opts);
        }
    }
    out
}

fn finding(source: &Source, entity: &str, field: &str, message: impl Into<String>) -> Finding {
    Finding {
        source: source.clone(),
        entity: entity.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

/// Adds a finding unless the list is full; the one after the last says so.
pub fn push(list: &mut Vec<Finding>, f: Finding) {
    match list.len() {
        n if n < MAX_FINDINGS => list.push(f),
        n if n == MAX_FINDINGS => list.push(Finding {
            message: "Too many findings of this kind; the rest are not listed.".into(),
            ..f
        }),
        _ => {}
    }
}

const TOP_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "relations",
    "status",
];
const METADATA_KEYS: &[&str] = &[
    "name",
    "namespace",
    "title",
    "description",
    "labels",
    "annotations",
    "tags",
    "links",
    "uid",
    "etag",
];
const COMPONENT_SPEC_KEYS: &[&str] = &[
    "type",
    "lifecycle",
    "owner",
    "system",
    "subcomponentOf",
    "providesApis",
    "consumesApis",
    "dependsOn",
    "dependencyOf",
];
const GROUP_SPEC_KEYS: &[&str] = &["type", "profile", "parent", "children", "members"];
const PROFILE_KEYS: &[&str] = &["displayName", "email", "picture"];
const LINK_KEYS: &[&str] = &["url", "title", "icon", "type"];

/// Reads one entity's fields out of its YAML, noting what it does not know.
struct Doc<'a> {
    out: &'a mut Parsed,
    source: Source,
    entity: String,
    ok: bool,
}

impl Doc<'_> {
    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.ok = false;
        push(
            &mut self.out.errors,
            finding(&self.source, &self.entity, field, message),
        );
    }

    fn note(&mut self, field: &str, message: impl Into<String>) {
        push(
            &mut self.out.notes,
            finding(&self.source, &self.entity, field, message),
        );
    }

    /// Notes every key of `map` (at `path`) that Backstage's schema does not have.
    fn unknown_keys(&mut self, map: &Mapping, path: &str, known: &[&str]) {
        for k in map.keys() {
            let name = key_text(k);
            if !known.contains(&name.as_str()) {
                let field = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                self.note(&field, "Not a field the portal knows; ignored.");
            }
        }
    }

    /// Text at `field`: a string, or a number or boolean written as one. Absent: empty.
    fn text(&mut self, map: Option<&Mapping>, key: &str, field: &str) -> String {
        match map.and_then(|m| m.get(key)) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(_) => {
                self.error(field, "Expected text here.");
                String::new()
            }
        }
    }

    fn mapping<'v>(
        &mut self,
        map: Option<&'v Mapping>,
        key: &str,
        field: &str,
    ) -> Option<&'v Mapping> {
        match map.and_then(|m| m.get(key)) {
            None | Some(Value::Null) => None,
            Some(Value::Mapping(m)) => Some(m),
            Some(_) => {
                self.error(field, "Expected a mapping (key: value pairs) here.");
                None
            }
        }
    }

    fn list<'v>(&mut self, map: Option<&'v Mapping>, key: &str, field: &str) -> &'v [Value] {
        match map.and_then(|m| m.get(key)) {
            None | Some(Value::Null) => &[],
            Some(Value::Sequence(s)) => s,
            Some(_) => {
                self.error(field, "Expected a list here.");
                &[]
            }
        }
    }
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn document(out: &mut Parsed, source: Source, value: Value, opts: &Options) {
    let root = match value {
        // An empty document (a trailing `---`) is nothing, not an error.
        Value::Null => return,
        Value::Mapping(m) => m,
        _ => {
            push(
                &mut out.errors,
                finding(
                    &source,
                    "",
                    "",
                    "Expected a Backstage entity (a mapping with apiVersion, kind and metadata).",
                ),
            );
            return;
        }
    };
    let kind = match root.get("kind") {
        Some(Value::String(k)) => k.clone(),
        _ => String::new(),
    };
    let metadata = match root.get("metadata") {
        Some(Value::Mapping(m)) => Some(m),
        _ => None,
    };
    let name = match metadata.and_then(|m| m.get("name")) {
        Some(Value::String(n)) => n.clone(),
        _ => String::new(),
    };
    let entity = format!("{kind} {name}").trim().to_string();
    let mut doc = Doc {
        out,
        source,
        entity,
        ok: true,
    };
    let api_version = doc.text(Some(&root), "apiVersion", "apiVersion");
    if !api_version.starts_with("backstage.io/") {
        doc.error(
            "apiVersion",
            "Not a Backstage entity: apiVersion should be backstage.io/v1alpha1.",
        );
        return;
    }
    if kind.is_empty() {
        doc.error("kind", "Required: Group or Component.");
        return;
    }
    match kind.as_str() {
        "Group" | "Component" => {}
        "System" | "API" | "Resource" | "Domain" | "User" | "Location" | "Template" => {
            let reason = match kind.as_str() {
                "System" | "Domain" => {
                    "groupings of components; the portal lists services and their teams"
                }
                "API" => {
                    "APIs are not catalogued on their own; a service's docs link can point at one"
                }
                "Resource" => {
                    "infrastructure the portal does not track; only services and their dependencies"
                }
                "User" => "people come from sign-in, not from the catalog",
                _ => "not catalog data",
            };
            push(
                &mut doc.out.skipped,
                finding(
                    &doc.source,
                    &doc.entity,
                    "kind",
                    format!("{kind}: skipped ({reason})."),
                ),
            );
            return;
        }
        other => {
            push(
                &mut doc.out.skipped,
                finding(
                    &doc.source,
                    &doc.entity,
                    "kind",
                    format!("{other}: skipped (not a kind the portal imports)."),
                ),
            );
            return;
        }
    }
    if metadata.is_none() {
        doc.error("metadata", "Required: a mapping with at least a name.");
        return;
    }
    doc.unknown_keys(&root, "", TOP_KEYS);
    doc.unknown_keys(
        metadata.unwrap_or(&Mapping::new()),
        "metadata",
        METADATA_KEYS,
    );
    let namespace = doc.text(metadata, "namespace", "metadata.namespace");
    if !namespace.is_empty() && namespace != "default" {
        doc.note(
            "metadata.namespace",
            format!("The portal has one namespace; \"{namespace}\" is ignored, so names must be unique across namespaces."),
        );
    }
    let annotations = annotations(&mut doc, metadata);
    if kind == "Group" {
        group(&mut doc, &root, metadata, &name, &annotations);
    } else {
        component(&mut doc, &root, metadata, &name, &annotations, opts);
    }
}

fn annotations(doc: &mut Doc, metadata: Option<&Mapping>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(m) = doc.mapping(metadata, "annotations", "metadata.annotations") {
        for (k, v) in m {
            let key = key_text(k);
            let field = format!("metadata.annotations.{key}");
            let value = doc.text(Some(m), &key, &field);
            if matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                out.insert(key, value);
            }
        }
    }
    out
}

fn ann(a: &BTreeMap<String, String>, key: &str) -> String {
    a.get(key).cloned().unwrap_or_default()
}

/// One entry of `metadata.links`.
struct RawLink {
    field: String,
    url: String,
    title: String,
    kind: String,
}

fn links(doc: &mut Doc, metadata: Option<&Mapping>) -> Vec<RawLink> {
    let mut out = Vec::new();
    for (i, v) in doc
        .list(metadata, "links", "metadata.links")
        .iter()
        .enumerate()
    {
        let field = format!("metadata.links[{i}]");
        let Value::Mapping(m) = v else {
            doc.error(&field, "Expected a link: a mapping with url and title.");
            continue;
        };
        doc.unknown_keys(m, &field, LINK_KEYS);
        let url = doc.text(Some(m), "url", &format!("{field}.url"));
        let title = doc.text(Some(m), "title", &format!("{field}.title"));
        let ty = doc.text(Some(m), "type", &format!("{field}.type"));
        let icon = doc.text(Some(m), "icon", &format!("{field}.icon"));
        out.push(RawLink {
            kind: link_kind(&ty, &icon, &title).to_string(),
            field,
            url,
            title,
        });
    }
    out
}

/// Backstage's link `type` is free text and `icon` a hint; both are matched to a link kind,
/// `type` first. Anything unrecognised is `other`.
pub fn link_kind(ty: &str, icon: &str, title: &str) -> &'static str {
    let pick = |s: &str| -> Option<&'static str> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "runbook" | "playbook" => "runbook",
            "dashboard" | "grafana" | "metrics" => "dashboard",
            "repo" | "repository" | "source" | "github" | "gitlab" | "git" => "repo",
            "docs" | "doc" | "documentation" | "techdocs" | "wiki" => "docs",
            "oncall" | "on-call" | "pagerduty" | "opsgenie" | "alert" => "oncall",
            "chat" | "slack" | "teams" | "group" => "chat",
            _ => return None,
        })
    };
    pick(ty)
        .or_else(|| pick(icon))
        .or_else(|| {
            let t = title.to_ascii_lowercase();
            ["runbook", "dashboard", "repo", "docs", "oncall"]
                .into_iter()
                .find(|k| t.contains(k))
                .and_then(pick)
        })
        .unwrap_or("other")
}

/// `[kind:][namespace/]name` → (kind, name), the kind lowercased and `default_kind` if absent.
pub fn entity_ref(raw: &str, default_kind: &str) -> (String, String) {
    let raw = raw.trim();
    let (kind, rest) = match raw.split_once(':') {
        Some((k, r)) => (k.to_ascii_lowercase(), r),
        None => (default_kind.to_string(), raw),
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    (kind, name.to_string())
}

fn group(
    doc: &mut Doc,
    root: &Mapping,
    metadata: Option<&Mapping>,
    name: &str,
    annotations: &BTreeMap<String, String>,
) {
    let spec = doc.mapping(Some(root), "spec", "spec");
    if let Some(s) = spec {
        doc.unknown_keys(s, "spec", GROUP_SPEC_KEYS);
    }
    let profile = doc.mapping(spec, "profile", "spec.profile");
    if let Some(p) = profile {
        doc.unknown_keys(p, "spec.profile", PROFILE_KEYS);
    }
    let display = doc.text(profile, "displayName", "spec.profile.displayName");
    let title = doc.text(metadata, "title", "metadata.title");
    let mut form = TeamForm {
        slug: name.to_string(),
        name: [display, title, name.to_string()]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .unwrap_or_default(),
        description: doc.text(metadata, "description", "metadata.description"),
        email: doc.text(profile, "email", "spec.profile.email"),
        chat_channel: ann(annotations, CHAT_ANNOTATION),
        oncall_url: String::new(),
        escalation_policy: ann(annotations, ESCALATION_ANNOTATION),
    };
    for l in links(doc, metadata) {
        match l.kind.as_str() {
            "oncall" if form.oncall_url.is_empty() => form.oncall_url = l.url,
            "chat" if form.chat_channel.is_empty() => form.chat_channel = l.url,
            _ => doc.note(
                &l.field,
                "A team keeps one on-call link and a chat channel; this link is ignored.",
            ),
        }
    }
    if let Err(e) = form.validate() {
        for (field, message) in e.0 {
            doc.error(team_field(&field), message);
        }
    }
    if doc.ok {
        let source = doc.source.clone();
        doc.out.teams.push(TeamDoc { source, form });
    }
}

/// Where a team form's field comes from in a Group document.
pub fn team_field(field: &str) -> &'static str {
    match field {
        "slug" => "metadata.name",
        "name" => "spec.profile.displayName",
        "description" => "metadata.description",
        "email" => "spec.profile.email",
        "chat_channel" => CHAT_ANNOTATION_FIELD,
        "oncall_url" => "metadata.links (on-call)",
        "escalation_policy" => ESCALATION_ANNOTATION_FIELD,
        _ => "metadata",
    }
}
const CHAT_ANNOTATION_FIELD: &str = "metadata.annotations.reliability.portal/chat-channel";
const ESCALATION_ANNOTATION_FIELD: &str =
    "metadata.annotations.reliability.portal/escalation-policy";

fn component(
    doc: &mut Doc,
    root: &Mapping,
    metadata: Option<&Mapping>,
    name: &str,
    annotations: &BTreeMap<String, String>,
    opts: &Options,
) {
    let spec = doc.mapping(Some(root), "spec", "spec");
    if let Some(s) = spec {
        doc.unknown_keys(s, "spec", COMPONENT_SPEC_KEYS);
    }
    let title = doc.text(metadata, "title", "metadata.title");
    let owner_raw = doc.text(spec, "owner", "spec.owner");
    let (owner_kind, owner) = entity_ref(&owner_raw, "group");
    let owner = if owner_raw.trim().is_empty() {
        doc.note("spec.owner", "No owner: the service is imported unowned.");
        String::new()
    } else if owner_kind != "group" {
        doc.error(
            "spec.owner",
            format!(
                "Services are owned by teams: use a group (group:{owner}), not a {owner_kind}."
            ),
        );
        String::new()
    } else {
        owner
    };
    let mut tags = Vec::new();
    for (i, t) in doc
        .list(metadata, "tags", "metadata.tags")
        .iter()
        .enumerate()
    {
        match t {
            Value::String(s) => tags.push(s.clone()),
            _ => doc.error(&format!("metadata.tags[{i}]"), "Expected a tag (text)."),
        }
    }
    let form = ServiceForm {
        slug: name.to_string(),
        name: if title.trim().is_empty() {
            name.to_string()
        } else {
            title
        },
        description: doc.text(metadata, "description", "metadata.description"),
        tier: ann(annotations, &opts.tier_annotation),
        lifecycle: doc.text(spec, "lifecycle", "spec.lifecycle"),
        owner,
        tags: tags.join(","),
        version: String::new(),
    };
    let reviewed = reviewed_dates(doc, annotations);
    let mut link_forms = Vec::new();
    for l in links(doc, metadata) {
        let form = LinkForm {
            last_reviewed_on: reviewed.get(l.url.trim()).cloned().unwrap_or_default(),
            kind: l.kind,
            title: l.title,
            url: l.url,
        };
        // Checked here for the field path; the planner validates again with the date.
        if let Err(e) = form.validate(chrono::NaiveDate::MAX) {
            for (field, message) in e.0 {
                let path = match field.as_str() {
                    "last_reviewed_on" => REVIEWED_ANNOTATION_FIELD.to_string(),
                    "kind" => format!("{}.type", l.field),
                    f => format!("{}.{f}", l.field),
                };
                doc.error(&path, message);
            }
        }
        link_forms.push(form);
    }
    let soft: Vec<String> = ann(annotations, SOFT_DEPENDENCIES_ANNOTATION)
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut depends_on = Vec::new();
    for (i, d) in doc
        .list(spec, "dependsOn", "spec.dependsOn")
        .iter()
        .enumerate()
    {
        let field = format!("spec.dependsOn[{i}]");
        let Value::String(raw) = d else {
            doc.error(
                &field,
                "Expected an entity reference such as component:ledger.",
            );
            continue;
        };
        match entity_ref(raw, "component") {
            (k, target) if k == "component" => {
                let kind = if soft.contains(&target) { "soft" } else { "hard" };
                depends_on.push((target, kind.to_string()));
            }
            (k, target) => doc.note(
                &field,
                format!("A dependency on {k} {target} is skipped: the portal tracks dependencies between services."),
            ),
        }
    }
    if let Err(e) = form.validate_except_tier() {
        for (field, message) in e.0 {
            let path = service_field(&field, opts);
            doc.error(&path, message);
        }
    }
    if doc.ok {
        let source = doc.source.clone();
        doc.out.services.push(ServiceDoc {
            source,
            form,
            links: link_forms,
            depends_on,
        });
    }
}

const REVIEWED_ANNOTATION_FIELD: &str = "metadata.annotations.reliability.portal/links-reviewed";

fn reviewed_dates(
    doc: &mut Doc,
    annotations: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in ann(annotations, REVIEWED_ANNOTATION).lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once(char::is_whitespace) {
            Some((date, url)) => {
                out.insert(url.trim().to_string(), date.to_string());
            }
            None => doc.error(
                REVIEWED_ANNOTATION_FIELD,
                "Each line is a date and a link's URL: 2026-01-31 https://wiki.example.com/runbook.",
            ),
        }
    }
    out
}

/// Where a service form's field comes from in a Component document.
pub fn service_field(field: &str, opts: &Options) -> String {
    match field {
        "slug" => "metadata.name".into(),
        "name" => "metadata.title".into(),
        "description" => "metadata.description".into(),
        "tier" => format!("metadata.annotations.{}", opts.tier_annotation),
        "lifecycle" => "spec.lifecycle".into(),
        "owner" => "spec.owner".into(),
        "tags" => "metadata.tags".into(),
        other => other.into(),
    }
}

// ---- Export ----------------------------------------------------------------------------------

/// A team as export writes it.
pub struct ExportTeam<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub email: &'a str,
    pub chat_channel: &'a str,
    pub oncall_url: &'a str,
    pub escalation_policy: &'a str,
}

/// A service as export writes it.
pub struct ExportService<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub tier: u8,
    pub lifecycle: &'a str,
    pub owner: Option<&'a str>,
    pub tags: &'a [String],
    /// (kind, title, url, last reviewed yyyy-mm-dd)
    pub links: Vec<(&'a str, &'a str, &'a str, Option<String>)>,
    /// (target slug, "hard" | "soft")
    pub depends_on: Vec<(&'a str, &'a str)>,
}

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn map(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        let empty = match &v {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::Mapping(m) => m.is_empty(),
            Value::Sequence(s) => s.is_empty(),
            _ => false,
        };
        if !empty {
            m.insert(s(k), v);
        }
    }
    Value::Mapping(m)
}

fn yaml_document(v: &Value) -> String {
    // Serialising a tree of strings and mappings cannot fail.
    format!("---\n{}", serde_yaml::to_string(v).unwrap_or_default())
}

pub fn render_team(t: &ExportTeam) -> String {
    let annotations = map(vec![
        (CHAT_ANNOTATION, s(t.chat_channel)),
        (ESCALATION_ANNOTATION, s(t.escalation_policy)),
    ]);
    let links = if t.oncall_url.is_empty() {
        vec![]
    } else {
        vec![map(vec![
            ("url", s(t.oncall_url)),
            ("title", s("On-call")),
            ("type", s("oncall")),
        ])]
    };
    yaml_document(&map(vec![
        ("apiVersion", s("backstage.io/v1alpha1")),
        ("kind", s("Group")),
        (
            "metadata",
            map(vec![
                ("name", s(t.slug)),
                ("description", s(t.description)),
                ("annotations", annotations),
                ("links", Value::Sequence(links)),
            ]),
        ),
        (
            "spec",
            map(vec![
                ("type", s("team")),
                (
                    "profile",
                    map(vec![("displayName", s(t.name)), ("email", s(t.email))]),
                ),
                ("children", Value::Sequence(vec![])),
            ]),
        ),
    ]))
}

pub fn render_service(svc: &ExportService, opts: &Options) -> String {
    let reviewed: Vec<String> = svc
        .links
        .iter()
        .filter_map(|(_, _, url, d)| d.as_ref().map(|d| format!("{d} {url}")))
        .collect();
    let soft: Vec<&str> = svc
        .depends_on
        .iter()
        .filter(|(_, k)| *k == "soft")
        .map(|(t, _)| *t)
        .collect();
    let annotations = map(vec![
        (opts.tier_annotation.as_str(), s(&svc.tier.to_string())),
        (SOFT_DEPENDENCIES_ANNOTATION, s(&soft.join(","))),
        (REVIEWED_ANNOTATION, s(&reviewed.join("\n"))),
    ]);
    let links = svc
        .links
        .iter()
        .map(|(kind, title, url, _)| {
            map(vec![
                ("url", s(url)),
                ("title", s(title)),
                ("type", s(kind)),
            ])
        })
        .collect();
    let deps = svc
        .depends_on
        .iter()
        .map(|(t, _)| s(&format!("component:{t}")))
        .collect();
    yaml_document(&map(vec![
        ("apiVersion", s("backstage.io/v1alpha1")),
        ("kind", s("Component")),
        (
            "metadata",
            map(vec![
                ("name", s(svc.slug)),
                ("title", s(svc.name)),
                ("description", s(svc.description)),
                ("annotations", annotations),
                (
                    "tags",
                    Value::Sequence(svc.tags.iter().map(|t| s(t)).collect()),
                ),
                ("links", Value::Sequence(links)),
            ]),
        ),
        (
            "spec",
            map(vec![
                ("type", s("service")),
                ("lifecycle", s(svc.lifecycle)),
                (
                    "owner",
                    svc.owner
                        .map(|o| s(&format!("group:{o}")))
                        .unwrap_or(Value::Null),
                ),
                ("dependsOn", Value::Sequence(deps)),
            ]),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options::new("acme.com/tier")
    }

    fn file(content: &str) -> Vec<ImportFile> {
        vec![ImportFile {
            name: "catalog-info.yaml".into(),
            content: content.into(),
        }]
    }

    const SAMPLE: &str = r##"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  description: Card processing.
  annotations:
    reliability.portal/chat-channel: "#payments"
  links:
    - url: https://pager.example.com/payments
      title: Pager
      type: oncall
spec:
  type: team
  profile:
    displayName: Payments
    email: payments@example.com
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: Takes card payments.
  annotations:
    acme.com/tier: "1"
    reliability.portal/soft-dependencies: fraud-scoring
    reliability.portal/links-reviewed: |
      2026-01-31 https://wiki.example.com/runbooks/payments-api
  tags: [java, pci]
  links:
    - url: https://wiki.example.com/runbooks/payments-api
      title: Runbook
      type: runbook
    - url: https://github.com/acme/payments-api
      title: Source
      icon: github
  colour: blue
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: money
  dependsOn:
    - component:default/ledger
    - component:fraud-scoring
    - resource:payments-db
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: money
---
"##;

    #[test]
    fn maps_groups_and_components() {
        let p = parse(&file(SAMPLE), &opts());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.teams.len(), 1);
        let t = &p.teams[0].form;
        assert_eq!(
            (t.slug.as_str(), t.name.as_str(), t.email.as_str()),
            ("payments", "Payments", "payments@example.com")
        );
        assert_eq!(t.oncall_url, "https://pager.example.com/payments");
        assert_eq!(t.chat_channel, "#payments");

        assert_eq!(p.services.len(), 1);
        let s = &p.services[0];
        assert_eq!(s.source.document, 2);
        assert_eq!(s.form.name, "Payments API");
        assert_eq!(s.form.tier, "1");
        assert_eq!(s.form.owner, "payments");
        assert_eq!(s.form.lifecycle, "production");
        assert_eq!(s.form.tags, "java,pci");
        assert_eq!(s.links.len(), 2);
        assert_eq!(s.links[0].kind, "runbook");
        assert_eq!(s.links[0].last_reviewed_on, "2026-01-31");
        assert_eq!(s.links[1].kind, "repo");
        assert_eq!(s.links[1].last_reviewed_on, "");
        assert_eq!(
            s.depends_on,
            vec![
                ("ledger".to_string(), "hard".to_string()),
                ("fraud-scoring".to_string(), "soft".to_string())
            ]
        );

        // The System is skipped with a reason; the unknown field and the resource are notes.
        assert_eq!(p.skipped.len(), 1);
        assert!(
            p.skipped[0].message.starts_with("System"),
            "{:?}",
            p.skipped
        );
        assert_eq!(p.skipped[0].source.document, 3);
        let notes: Vec<&str> = p.notes.iter().map(|n| n.field.as_str()).collect();
        assert!(notes.contains(&"metadata.colour"), "{notes:?}");
        assert!(notes.contains(&"spec.dependsOn[2]"), "{notes:?}");
        // Known Backstage fields the portal does not use are not noise.
        assert!(!notes.contains(&"spec.system"), "{notes:?}");
    }

    #[test]
    fn a_bad_document_does_not_stop_the_others() {
        let yaml = r#"
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: Bad Name
  links:
    - url: "javascript:alert(1)"
spec:
  lifecycle: live
  owner: user:jane
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: good-one
spec:
  lifecycle: experimental
  owner: team-a
"#;
        let p = parse(&file(yaml), &opts());
        assert_eq!(p.services.len(), 1);
        assert_eq!(p.services[0].form.slug, "good-one");
        assert_eq!(p.services[0].form.owner, "team-a");
        assert_eq!(
            p.services[0].form.tier, "",
            "no annotation: decided by the planner"
        );
        let fields: Vec<(&str, usize)> = p
            .errors
            .iter()
            .map(|e| (e.field.as_str(), e.source.document))
            .collect();
        for f in [
            "metadata.name",
            "metadata.links[0].url",
            "spec.lifecycle",
            "spec.owner",
        ] {
            assert!(fields.contains(&(f, 1)), "{f} missing from {fields:?}");
        }
        assert!(p
            .errors
            .iter()
            .all(|e| e.source.file == "catalog-info.yaml"));
    }

    #[test]
    fn unreadable_yaml_and_foreign_documents() {
        let p = parse(&file("kind: [unclosed\n"), &opts());
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].message.starts_with("Not valid YAML"));
        let p = parse(
            &file("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"),
            &opts(),
        );
        assert_eq!(p.errors[0].field, "apiVersion");
        let p = parse(&file("- just\n- a list\n"), &opts());
        assert_eq!(p.errors.len(), 1);
        let p = parse(&file("---\n---\n"), &opts());
        assert!(p.errors.is_empty() && p.services.is_empty());
    }

    #[test]
    fn refs_and_link_kinds() {
        assert_eq!(
            entity_ref("group:default/payments", "group"),
            ("group".into(), "payments".into())
        );
        assert_eq!(
            entity_ref("payments", "group"),
            ("group".into(), "payments".into())
        );
        assert_eq!(
            entity_ref("User:jane", "group"),
            ("user".into(), "jane".into())
        );
        assert_eq!(link_kind("", "dashboard", ""), "dashboard");
        assert_eq!(link_kind("Runbook", "docs", ""), "runbook");
        assert_eq!(link_kind("", "", "Payments runbook"), "runbook");
        assert_eq!(link_kind("", "", "Status"), "other");
    }

    #[test]
    fn export_reads_back_the_same() {
        let tags = vec!["java".to_string(), "pci".to_string()];
        let svc = ExportService {
            slug: "payments-api",
            name: "Payments API",
            description: "Takes: card payments\n# not a comment",
            tier: 1,
            lifecycle: "production",
            owner: Some("payments"),
            tags: &tags,
            links: vec![
                (
                    "runbook",
                    "Runbook",
                    "https://wiki.example.com/r",
                    Some("2026-01-31".into()),
                ),
                ("other", "Status", "https://status.example.com", None),
            ],
            depends_on: vec![("ledger", "hard"), ("fraud-scoring", "soft")],
        };
        let team = ExportTeam {
            slug: "payments",
            name: "Payments",
            description: "",
            email: "payments@example.com",
            chat_channel: "#payments",
            oncall_url: "https://pager.example.com/payments",
            escalation_policy: "Primary → EM",
        };
        let yaml = format!("{}{}", render_team(&team), render_service(&svc, &opts()));
        let p = parse(&file(&yaml), &opts());
        assert!(
            p.errors.is_empty() && p.notes.is_empty(),
            "{:?} {:?}",
            p.errors,
            p.notes
        );
        let t = &p.teams[0].form;
        assert_eq!(
            (
                t.name.as_str(),
                t.chat_channel.as_str(),
                t.escalation_policy.as_str(),
                t.oncall_url.as_str()
            ),
            (
                "Payments",
                "#payments",
                "Primary → EM",
                "https://pager.example.com/payments"
            )
        );
        let s = &p.services[0];
        assert_eq!(s.form.description, svc.description);
        assert_eq!(
            (s.form.tier.as_str(), s.form.owner.as_str()),
            ("1", "payments")
        );
        assert_eq!(s.links[0].last_reviewed_on, "2026-01-31");
        assert_eq!(s.links[1].kind, "other");
        assert_eq!(
            s.depends_on[1],
            ("fraud-scoring".to_string(), "soft".to_string())
        );
    }
}
