//! OpenSLO v1 as an SLO's file format: reading `SLO` documents (with an inline `indicator` or
//! an `indicatorRef` to an `SLI` document, a `ratioMetric`, a rolling or calendar window and
//! `Occurrences` budgeting) into SLO forms, and writing SLOs back out. Anything the portal
//! cannot keep is an error on its document, never dropped in silence.
use std::collections::HashMap;

use serde_yaml::{Mapping, Value};

use super::import::{Finding, ImportFile, Source, MAX_DOCUMENTS};
use super::slo::SloWindow;
use super::slo_form::{SloForm, SloSource, WINDOW_PLACEHOLDER};
use super::slo_view::Slo;

pub const API_VERSION: &str = "openslo/v1";
/// Annotations that carry what OpenSLO has no field for, so an export imports back unchanged.
pub const KIND_ANNOTATION: &str = "reliability.portal/sli-kind";
pub const GOOD_ANNOTATION: &str = "reliability.portal/good-events";
pub const TOTAL_ANNOTATION: &str = "reliability.portal/total-events";
/// The metric source type of an SLO fed by counts pushed to the portal's API.
pub const PUSH_SOURCE: &str = "ReliabilityPortal";

/// An SLO document read into the form the portal validates, with the service it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct SloDoc {
    pub source: Source,
    pub service: String,
    pub form: SloForm,
}

#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub slos: Vec<SloDoc>,
    pub errors: Vec<Finding>,
    pub skipped: Vec<Finding>,
    pub notes: Vec<Finding>,
}

fn finding(source: &Source, entity: &str, field: &str, message: impl Into<String>) -> Finding {
    Finding {
        source: source.clone(),
        entity: entity.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

fn text(v: &Value, path: &[&str]) -> Option<String> {
    match get(v, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Reads every document of every file: SLIs first (an SLO may reference one from anywhere in
/// the import), then each SLO.
pub fn parse(files: &[ImportFile]) -> Parsed {
    let mut out = Parsed::default();
    let mut slis: HashMap<String, (Source, Value)> = HashMap::new();
    let mut slos: Vec<(Source, Value)> = Vec::new();
    let mut documents = 0;
    'files: for file in files {
        for (i, de) in serde_yaml::Deserializer::from_str(&file.content).enumerate() {
            let source = Source {
                file: file.name.clone(),
                document: i + 1,
            };
            documents += 1;
            if documents > MAX_DOCUMENTS {
                out.errors.push(finding(
                    &source,
                    "",
                    "",
                    format!(
                        "At most {MAX_DOCUMENTS} documents per import; the rest were not read."
                    ),
                ));
                break 'files;
            }
            let value = match <Value as serde::Deserialize>::deserialize(de) {
                Ok(Value::Null) => continue,
                Ok(v) => v,
                Err(e) => {
                    let m = format!("Not valid YAML: {e}. The rest of this file was not read.");
                    out.errors.push(finding(&source, "", "", m));
                    break;
                }
            };
            let kind = text(&value, &["kind"]).unwrap_or_default();
            let name = text(&value, &["metadata", "name"]).unwrap_or_default();
            let entity = format!("{kind} {name}").trim().to_string();
            if text(&value, &["apiVersion"]).as_deref() != Some(API_VERSION) {
                out.errors.push(finding(
                    &source,
                    &entity,
                    "apiVersion",
                    format!("Only {API_VERSION} documents are read."),
                ));
                continue;
            }
            match kind.as_str() {
                "SLO" => slos.push((source, value)),
                "SLI" => {
                    slis.insert(name, (source, value));
                }
                "Service" => out.skipped.push(finding(
                    &source,
                    &entity,
                    "",
                    "Services come from the catalog; an SLO names its service in spec.service.",
                )),
                "DataSource" => out.skipped.push(finding(
                    &source,
                    &entity,
                    "",
                    "Data sources are not imported: the portal queries the Prometheus it is configured with.",
                )),
                "AlertPolicy" | "AlertCondition" | "AlertNotificationTarget" => {
                    out.skipped.push(finding(
                        &source,
                        &entity,
                        "",
                        "Alerting is not imported: the portal alerts on the Workbook's multiwindow burn rates (see /help/slos).",
                    ))
                }
                "" => out
                    .errors
                    .push(finding(&source, "", "kind", "The document has no kind.")),
                other => out.errors.push(finding(
                    &source,
                    &entity,
                    "kind",
                    format!("{other} is not an OpenSLO v1 kind."),
                )),
            }
        }
    }
    let mut used = std::collections::HashSet::new();
    for (source, v) in slos {
        let name = text(&v, &["metadata", "name"]).unwrap_or_default();
        let entity = format!("SLO {name}");
        match slo(&v, &slis, &mut used) {
            Ok((doc_service, form, notes)) => {
                for (field, m) in notes {
                    out.notes.push(finding(&source, &entity, field, m));
                }
                out.slos.push(SloDoc {
                    source,
                    service: doc_service,
                    form,
                });
            }
            Err((field, m)) => out.errors.push(finding(&source, &entity, &field, m)),
        }
    }
    for (name, (source, _)) in slis {
        if !used.contains(&name) {
            out.skipped.push(finding(
                &source,
                &format!("SLI {name}"),
                "",
                "No SLO in this import references this SLI.",
            ));
        }
    }
    out.skipped.sort_by(|a, b| a.source.cmp(&b.source));
    out
}

type Refusal = (String, String);

fn refuse(field: &str, m: impl Into<String>) -> Refusal {
    (field.to_string(), m.into())
}

type Notes = Vec<(&'static str, String)>;

/// One SLO document as a form, or the first thing in it the portal cannot keep.
fn slo(
    v: &Value,
    slis: &HashMap<String, (Source, Value)>,
    used: &mut std::collections::HashSet<String>,
) -> Result<(String, SloForm, Notes), Refusal> {
    let mut notes = Notes::new();
    let name =
        text(v, &["metadata", "name"]).ok_or_else(|| refuse("metadata.name", "Required."))?;
    let service = text(v, &["spec", "service"])
        .ok_or_else(|| refuse("spec.service", "Required: the catalog service's slug."))?;
    let annotation = |key: &str| text(v, &["metadata", "annotations", key]);

    // The indicator: inline, or a reference to an SLI document of this import.
    let (sli, at) = match (
        get(v, &["spec", "indicator"]),
        text(v, &["spec", "indicatorRef"]),
    ) {
        (Some(i), None) => (i.clone(), "spec.indicator.spec"),
        (None, Some(r)) => {
            let (_, doc) = slis.get(&r).ok_or_else(|| {
                refuse(
                    "spec.indicatorRef",
                    format!("No SLI named \"{r}\" in this import."),
                )
            })?;
            used.insert(r);
            (doc.clone(), "spec.indicatorRef → spec")
        }
        (Some(_), Some(_)) => {
            return Err(refuse(
                "spec.indicator",
                "Give either indicator or indicatorRef, not both.",
            ))
        }
        (None, None) => return Err(refuse("spec.indicator", "Required (or spec.indicatorRef).")),
    };
    if get(&sli, &["spec", "thresholdMetric"]).is_some() {
        return Err(refuse(
            &format!("{at}.thresholdMetric"),
            "Threshold metrics are not supported: give a ratioMetric of good (or bad) and total events.",
        ));
    }
    let ratio = get(&sli, &["spec", "ratioMetric"]).ok_or_else(|| {
        refuse(
            &format!("{at}.ratioMetric"),
            "Required: the portal judges SLOs by good/total ratios.",
        )
    })?;
    if ratio.get("raw").is_some() || ratio.get("rawType").is_some() {
        return Err(refuse(
            &format!("{at}.ratioMetric.raw"),
            "Raw ratios are not supported: give good (or bad) and total queries.",
        ));
    }
    let counter = !matches!(ratio.get("counter"), Some(Value::Bool(false)));
    let metric = |which: &str| -> Result<Option<(String, String)>, Refusal> {
        let Some(m) = ratio.get(which) else {
            return Ok(None);
        };
        let ty = text(m, &["metricSource", "type"]).unwrap_or_default();
        if ty.is_empty() {
            return Err(refuse(
                &format!("{at}.ratioMetric.{which}.metricSource.type"),
                "Required: Prometheus, or ReliabilityPortal for pushed counts.",
            ));
        }
        let query = text(m, &["metricSource", "spec", "query"]).unwrap_or_default();
        Ok(Some((ty, query)))
    };
    let total =
        metric("total")?.ok_or_else(|| refuse(&format!("{at}.ratioMetric.total"), "Required."))?;
    let (good, bad) = (metric("good")?, metric("bad")?);
    let types: Vec<&str> = [Some(&total), good.as_ref(), bad.as_ref()]
        .into_iter()
        .flatten()
        .map(|(t, _)| t.as_str())
        .collect();
    let source = if types.iter().all(|t| t.eq_ignore_ascii_case("prometheus")) {
        SloSource::Prometheus
    } else if types.iter().all(|t| *t == PUSH_SOURCE) {
        SloSource::Push
    } else {
        return Err(refuse(
            &format!("{at}.ratioMetric.total.metricSource.type"),
            format!("Only Prometheus metric sources (or {PUSH_SOURCE} for pushed counts) are supported, all of one kind."),
        ));
    };
    let (error_query, total_query) = match source {
        SloSource::Push => (String::new(), String::new()),
        SloSource::Prometheus => {
            let q = |raw: &str, field: &str| {
                windowed(raw, counter).map_err(|m| {
                    refuse(
                        &format!("{at}.ratioMetric.{field}.metricSource.spec.query"),
                        m,
                    )
                })
            };
            let total_q = q(&total.1, "total")?;
            let error_q = match (good, bad) {
                (None, Some(b)) => q(&b.1, "bad")?,
                // Bad events are all events less the good ones; no good series at all is none good.
                (Some(g), None) => format!("({total_q}) - (({}) or vector(0))", q(&g.1, "good")?),
                _ => {
                    return Err(refuse(
                        &format!("{at}.ratioMetric"),
                        "Give exactly one of good and bad, with total.",
                    ))
                }
            };
            (error_q, total_q)
        }
    };

    // The window: one, rolling in days or weeks, or a calendar week, month or quarter in UTC.
    let windows = match get(v, &["spec", "timeWindow"]) {
        Some(Value::Sequence(s)) if s.len() == 1 => s[0].clone(),
        Some(_) => return Err(refuse("spec.timeWindow", "Give exactly one time window.")),
        None => return Err(refuse("spec.timeWindow", "Required.")),
    };
    let (window, window_days) = window_of(&windows).map_err(|m| refuse("spec.timeWindow[0]", m))?;

    match text(v, &["spec", "budgetingMethod"]).as_deref() {
        Some("Occurrences") => {}
        None => notes.push(("spec.budgetingMethod", "Missing: read as Occurrences.".into())),
        Some(other) => {
            return Err(refuse(
                "spec.budgetingMethod",
                format!("{other} is not supported: the portal budgets by Occurrences (bad events over all events)."),
            ))
        }
    }
    let objective = match get(v, &["spec", "objectives"]) {
        Some(Value::Sequence(s)) if s.len() == 1 => &s[0],
        Some(Value::Sequence(s)) if s.len() > 1 => {
            return Err(refuse(
                "spec.objectives",
                "Only one objective per SLO: split it into one SLO per objective.",
            ))
        }
        _ => {
            return Err(refuse(
                "spec.objectives",
                "Required: one objective with a target.",
            ))
        }
    };
    for unsupported in ["op", "value", "timeSliceTarget", "timeSliceWindow"] {
        if objective.get(unsupported).is_some() {
            return Err(refuse(
                &format!("spec.objectives[0].{unsupported}"),
                "Threshold and time-slice objectives are not supported.",
            ));
        }
    }
    let percent = match (
        text(objective, &["target"]),
        text(objective, &["targetPercent"]),
    ) {
        (Some(t), None) => ratio_to_percent(&t).ok_or_else(|| {
            refuse(
                "spec.objectives[0].target",
                "A ratio between 0 and 1, e.g. 0.999.",
            )
        })?,
        (None, Some(p)) => p,
        _ => {
            return Err(refuse(
                "spec.objectives[0].target",
                "Give target (0.999) or targetPercent (99.9).",
            ))
        }
    };
    if matches!(get(v, &["spec", "alertPolicies"]), Some(Value::Sequence(s)) if !s.is_empty()) {
        notes.push((
            "spec.alertPolicies",
            "Not imported: the portal alerts on the Workbook's multiwindow burn rates.".into(),
        ));
    }
    let form = SloForm {
        slug: name.clone(),
        name: text(v, &["metadata", "displayName"]).unwrap_or(name),
        description: text(v, &["spec", "description"]).unwrap_or_default(),
        sli_kind: annotation(KIND_ANNOTATION).unwrap_or_else(|| "other".into()),
        good_events: annotation(GOOD_ANNOTATION).unwrap_or_default(),
        total_events: annotation(TOTAL_ANNOTATION).unwrap_or_default(),
        objective: percent,
        window: window.into(),
        window_days,
        source: source.as_str().into(),
        error_query,
        total_query,
        version: String::new(),
    };
    Ok((service, form, notes))
}

/// "0.999" → "99.9", by moving the decimal point (a float would give 99.89999…).
pub fn ratio_to_percent(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (int, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if int != "0" || frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{frac:0<2}");
    let (whole, rest) = padded.split_at(2);
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    Some(if rest.trim_end_matches('0').is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{}", rest.trim_end_matches('0'))
    })
}

/// A query over `{{.window}}`. A counter's query without one is made a rate if it is a plain
/// selector or a sum of one; anything else must say where the window goes.
fn windowed(raw: &str, counter: bool) -> Result<String, String> {
    let q = raw.trim();
    if q.is_empty() {
        return Err("Required: the PromQL query.".into());
    }
    if q.contains(WINDOW_PLACEHOLDER) {
        return Ok(q.to_string());
    }
    let unsupported = || {
        format!("Write the query over {WINDOW_PLACEHOLDER}, e.g. sum(rate(http_requests_total[{WINDOW_PLACEHOLDER}])): the portal could not tell where the window goes.")
    };
    if !counter {
        return Err(unsupported());
    }
    let inner = q
        .strip_prefix("sum(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(q)
        .trim();
    if is_selector(inner) {
        Ok(format!("sum(rate({inner}[{WINDOW_PLACEHOLDER}]))"))
    } else {
        Err(unsupported())
    }
}

/// `name` or `name{label="v",…}` and nothing else.
fn is_selector(s: &str) -> bool {
    let (name, rest) = s.split_at(
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(s.len()),
    );
    let name_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':');
    let rest_ok = rest.is_empty()
        || (rest.starts_with('{')
            && rest.ends_with('}')
            && !rest[1..rest.len() - 1].contains(['{', '}', '[', '(']));
    name_ok && rest_ok
}

/// The window's kind and (rolling) days.
fn window_of(w: &Value) -> Result<(&'static str, String), String> {
    let duration = text(w, &["duration"]).ok_or("duration is required (e.g. 28d or 1M).")?;
    let rolling = matches!(w.get("isRolling"), Some(Value::Bool(true)));
    let (n, unit) = duration.split_at(
        duration
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(duration.len()),
    );
    let n: u32 = n
        .parse()
        .map_err(|_| format!("\"{duration}\" is not a duration such as 28d."))?;
    if rolling {
        let days = match unit {
            "d" => n,
            "w" => n * 7,
            "h" if n.is_multiple_of(24) => n / 24,
            _ => return Err(format!("A rolling window of \"{duration}\" is not supported: give whole days (1d to 90d) or weeks.")),
        };
        if !(1..=90).contains(&days) {
            return Err("Rolling windows are 1 to 90 days.".into());
        }
        return Ok(("rolling", days.to_string()));
    }
    if let Some(tz) = text(w, &["calendar", "timeZone"]) {
        if !matches!(tz.as_str(), "UTC" | "Etc/UTC" | "GMT") {
            return Err(format!("Calendar windows are in UTC here, not {tz}."));
        }
    }
    match (n, unit) {
        (1, "w") | (7, "d") => Ok(("week", String::new())),
        (1, "M") => Ok(("month", String::new())),
        (1, "Q") | (3, "M") => Ok(("quarter", String::new())),
        _ => Err(format!(
            "A calendar window of \"{duration}\" is not supported: give 1w, 1M or 1Q."
        )),
    }
}

/// A decimal ratio from thousandths of a percent: 99950 → 0.9995 (exact in the YAML text).
fn target(milli_percent: u32) -> Value {
    let s = format!("0.{milli_percent:05}");
    let s = s.trim_end_matches('0');
    Value::Number(s.parse::<f64>().unwrap_or(0.0).into())
}

fn map(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::String(k.into()), v);
    }
    Value::Mapping(m)
}

fn s(x: &str) -> Value {
    Value::String(x.into())
}

/// SLOs as OpenSLO v1 documents, one per SLO, that this module imports back unchanged.
pub fn export(slos: &[Slo]) -> String {
    let mut out = String::new();
    for o in slos {
        let i = &o.input;
        let source = |query: &str| -> Value {
            match i.source {
                SloSource::Prometheus => map(vec![(
                    "metricSource",
                    map(vec![
                        ("type", s("Prometheus")),
                        ("spec", map(vec![("query", s(query))])),
                    ]),
                )]),
                SloSource::Push => map(vec![(
                    "metricSource",
                    map(vec![
                        ("type", s(PUSH_SOURCE)),
                        (
                            "spec",
                            map(vec![(
                                "push",
                                s(&format!("/api/v1/slos/{}/{}/counts", o.service, i.slug)),
                            )]),
                        ),
                    ]),
                )]),
            }
        };
        let window = match i.window {
            SloWindow::Rolling { days } => map(vec![
                ("duration", s(&format!("{days}d"))),
                ("isRolling", Value::Bool(true)),
            ]),
            cal => map(vec![
                (
                    "duration",
                    s(match cal {
                        SloWindow::Week => "1w",
                        SloWindow::Month => "1M",
                        _ => "1Q",
                    }),
                ),
                ("isRolling", Value::Bool(false)),
                (
                    "calendar",
                    // A Monday and the first of a month and quarter: every calendar window's start.
                    map(vec![
                        ("startTime", s("2024-01-01 00:00:00")),
                        ("timeZone", s("UTC")),
                    ]),
                ),
            ]),
        };
        let mut annotations = vec![(KIND_ANNOTATION, s(i.sli_kind.as_str()))];
        if !i.good_events.is_empty() {
            annotations.push((GOOD_ANNOTATION, s(&i.good_events)));
        }
        if !i.total_events.is_empty() {
            annotations.push((TOTAL_ANNOTATION, s(&i.total_events)));
        }
        let doc = map(vec![
            ("apiVersion", s(API_VERSION)),
            ("kind", s("SLO")),
            (
                "metadata",
                map(vec![
                    ("name", s(&i.slug)),
                    ("displayName", s(&i.name)),
                    ("annotations", map(annotations)),
                ]),
            ),
            (
                "spec",
                map(vec![
                    ("description", s(&i.description)),
                    ("service", s(&o.service)),
                    (
                        "indicator",
                        map(vec![
                            (
                                "metadata",
                                map(vec![("name", s(&format!("{}-{}", o.service, i.slug)))]),
                            ),
                            (
                                "spec",
                                map(vec![(
                                    "ratioMetric",
                                    map(vec![
                                        ("counter", Value::Bool(true)),
                                        ("bad", source(&i.error_query)),
                                        ("total", source(&i.total_query)),
                                    ]),
                                )]),
                            ),
                        ]),
                    ),
                    ("timeWindow", Value::Sequence(vec![window])),
                    ("budgetingMethod", s("Occurrences")),
                    (
                        "objectives",
                        Value::Sequence(vec![map(vec![
                            ("displayName", s(&format!("{} %", i.objective))),
                            ("target", target(i.objective.milli())),
                        ])]),
                    ),
                ]),
            ),
        ]);
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&doc).unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &str) -> Vec<ImportFile> {
        vec![ImportFile {
            name: "slos.yaml".into(),
            content: content.into(),
        }]
    }

    /// The ratioMetric example of OpenSLO's own README, as a whole SLO around it.
    const README_EXAMPLE: &str = r#"
apiVersion: openslo/v1
kind: SLO
metadata:
  name: foo-slo
  displayName: Foo SLO
spec:
  service: foo
  indicator:
    metadata:
      name: foo-error
      displayName: Foo Error
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            metricSourceRef: prometheus-datasource
            spec:
              query: sum(localhost_server_requests{code=~"2xx|3xx",host="*",instance="127.0.0.1:9090"})
        total:
          metricSource:
            type: Prometheus
            metricSourceRef: prometheus-datasource
            spec:
              query: localhost_server_requests{code="total",host="*",instance="127.0.0.1:9090"}
  timeWindow:
    - duration: 1M
      isRolling: false
      calendar:
        startTime: 2022-01-01 12:00:00
        timeZone: America/New_York
  budgetingMethod: Occurrences
  objectives:
    - displayName: Foo Total Errors
      target: 0.98
"#;

    #[test]
    fn the_readme_example_imports_once_its_calendar_is_in_utc() {
        let p = parse(&file(README_EXAMPLE));
        assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
        assert!(p.errors[0].message.contains("UTC"));
        let utc = README_EXAMPLE.replace("America/New_York", "UTC");
        let p = parse(&file(&utc));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let d = &p.slos[0];
        assert_eq!(d.service, "foo");
        assert_eq!(d.form.slug, "foo-slo");
        assert_eq!(d.form.name, "Foo SLO");
        assert_eq!(d.form.objective, "98");
        assert_eq!(d.form.window, "month");
        assert_eq!(d.form.source, "prometheus");
        let total = r#"sum(rate(localhost_server_requests{code="total",host="*",instance="127.0.0.1:9090"}[{{.window}}]))"#;
        assert_eq!(d.form.total_query, total);
        assert_eq!(
            d.form.error_query,
            format!("({total}) - ((sum(rate(localhost_server_requests{{code=~\"2xx|3xx\",host=\"*\",instance=\"127.0.0.1:9090\"}}[{{{{.window}}}}]))) or vector(0))")
        );
        assert!(d.form.validate().is_ok(), "{:?}", d.form.validate());
    }

    #[test]
    fn an_sli_document_can_be_referenced_and_other_kinds_are_reported() {
        let yaml = r#"
apiVersion: openslo/v1
kind: Service
metadata: { name: web }
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: errors }
spec:
  ratioMetric:
    counter: true
    bad: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))' } } }
    total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(http_requests_total[{{.window}}]))' } } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: web-availability }
spec:
  service: web
  indicatorRef: errors
  timeWindow: [{ duration: 4w, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ targetPercent: 99.95 }]
  alertPolicies: [{ kind: AlertPolicy }]
---
apiVersion: openslo/v2alpha
kind: SLO
metadata: { name: future }
"#;
        let p = parse(&file(yaml));
        assert_eq!(p.slos.len(), 1);
        let f = &p.slos[0].form;
        assert_eq!(
            (f.window.as_str(), f.window_days.as_str()),
            ("rolling", "28")
        );
        assert_eq!(f.objective, "99.95");
        assert!(f.error_query.contains("5.."));
        assert_eq!(p.skipped.len(), 1, "{:?}", p.skipped);
        assert_eq!(p.notes.len(), 1);
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].field, "apiVersion");
    }

    #[test]
    fn unsupported_constructs_are_errors_naming_the_field() {
        let base = README_EXAMPLE.replace("America/New_York", "UTC");
        for (from, to, field) in [
            ("budgetingMethod: Occurrences", "budgetingMethod: Timeslices", "spec.budgetingMethod"),
            ("ratioMetric:", "thresholdMetric:", "spec.indicator.spec.thresholdMetric"),
            ("type: Prometheus\n            metricSourceRef: prometheus-datasource\n            spec:\n              query: localhost", "type: Datadog\n            spec:\n              query: localhost", "spec.indicator.spec.ratioMetric.total.metricSource.type"),
            ("duration: 1M", "duration: 2M", "spec.timeWindow[0]"),
            ("target: 0.98", "target: 0.98\n      op: lte", "spec.objectives[0].op"),
        ] {
            let yaml = base.replace(from, to);
            assert_ne!(yaml, base, "{from} not found");
            let p = parse(&file(&yaml));
            assert!(p.slos.is_empty(), "{field}: imported anyway");
            assert_eq!(p.errors.len(), 1, "{field}: {:?}", p.errors);
            assert_eq!(p.errors[0].field, field, "{:?}", p.errors[0]);
        }
    }

    #[test]
    fn ratios_become_exact_percentages() {
        assert_eq!(ratio_to_percent("0.999").as_deref(), Some("99.9"));
        assert_eq!(ratio_to_percent("0.99999").as_deref(), Some("99.999"));
        assert_eq!(ratio_to_percent("0.9").as_deref(), Some("90"));
        assert_eq!(ratio_to_percent("0.05").as_deref(), Some("5"));
        assert_eq!(ratio_to_percent("1.5"), None);
        assert_eq!(ratio_to_percent("99.9"), None);
    }

    #[test]
    fn a_query_without_a_window_must_be_a_counter_selector() {
        assert_eq!(
            windowed("http_requests_total{code=\"500\"}", true).unwrap(),
            "sum(rate(http_requests_total{code=\"500\"}[{{.window}}]))"
        );
        assert!(windowed("rate(x[5m])", true).is_err());
        assert!(windowed("x", false).is_err());
        assert!(windowed("sum(rate(x[{{.window}}]))", false).is_ok());
    }

    #[test]
    fn an_export_imports_back_to_the_same_definition() {
        use super::super::slo::Objective;
        use super::super::slo_form::{SliKind, SloInput};
        let slo = |input: SloInput| Slo {
            id: 1,
            service: "payments-api".into(),
            service_tier: 0,
            input,
            version: 1,
            updated_at: chrono::Utc::now(),
            below_floor: None,
            pushed_at: None,
            pushed_by: None,
        };
        let prom = SloInput {
            slug: "availability".into(),
            name: "Payments: availability".into(),
            description: "Card payments answered".into(),
            sli_kind: SliKind::Availability,
            good_events: "a 2xx".into(),
            total_events: "a request".into(),
            objective: Objective::parse("99.95").unwrap(),
            window: SloWindow::Rolling { days: 28 },
            source: SloSource::Prometheus,
            error_query: "sum(rate(x{code=~\"5..\"}[{{.window}}]))".into(),
            total_query: "sum(rate(x[{{.window}}]))".into(),
        };
        let push = SloInput {
            slug: "latency".into(),
            sli_kind: SliKind::Latency,
            window: SloWindow::Quarter,
            source: SloSource::Push,
            error_query: String::new(),
            total_query: String::new(),
            objective: Objective::parse("99").unwrap(),
            ..prom.clone()
        };
        let yaml = export(&[slo(prom.clone()), slo(push.clone())]);
        assert!(yaml.contains("target: 0.9995"), "{yaml}");
        let p = parse(&file(&yaml));
        assert!(
            p.errors.is_empty() && p.notes.is_empty(),
            "{:?} {:?}",
            p.errors,
            p.notes
        );
        let back: Vec<SloInput> = p.slos.iter().map(|d| d.form.validate().unwrap()).collect();
        assert_eq!(back, vec![prom, push]);
    }
}
