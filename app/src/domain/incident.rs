//! Incidents: severity, status, the five milestones and the rules between them, and the times
//! derived from them (time to detect, acknowledge, mitigate, resolve). Plain Rust, unit-tested.
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::validation::{check_optional, check_required, check_slug, FieldErrors};

pub const TITLE_MAX: usize = 200;
pub const SUMMARY_MAX: usize = 10_000;
/// Services one incident may name; an outage wider than this names the shared dependency.
pub const SERVICES_MAX: usize = 20;

/// SEV1 is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Sev1,
    Sev2,
    Sev3,
    Sev4,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];
    pub fn number(self) -> i16 {
        match self {
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
        }
    }
    pub fn from_number(n: i16) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.number() == n)
    }
    pub fn label(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }
    /// "1", "sev1" or "SEV1".
    pub fn parse(s: &str) -> Option<Severity> {
        let s = s.trim().to_ascii_lowercase();
        let n = s.strip_prefix("sev").unwrap_or(&s);
        n.parse().ok().and_then(Severity::from_number)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 4] = [
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "Investigating",
            IncidentStatus::Identified => "Identified",
            IncidentStatus::Monitoring => "Monitoring",
            IncidentStatus::Resolved => "Resolved",
        }
    }
    pub fn parse(s: &str) -> Option<IncidentStatus> {
        IncidentStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }
}

/// The milestones in the order they must happen, by form field and label.
pub const MILESTONES: [(&str, &str); 5] = [
    ("started_at", "Started"),
    ("detected_at", "Detected"),
    ("acknowledged_at", "Acknowledged"),
    ("mitigated_at", "Mitigated"),
    ("resolved_at", "Resolved"),
];

/// When each milestone happened, in UTC; a later one may be unknown yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestones {
    pub started: Option<DateTime<Utc>>,
    pub detected: Option<DateTime<Utc>>,
    pub acknowledged: Option<DateTime<Utc>>,
    pub mitigated: Option<DateTime<Utc>>,
    pub resolved: Option<DateTime<Utc>>,
}

impl Milestones {
    pub fn all(&self) -> [Option<DateTime<Utc>>; 5] {
        [
            self.started,
            self.detected,
            self.acknowledged,
            self.mitigated,
            self.resolved,
        ]
    }

    fn from_all(a: [Option<DateTime<Utc>>; 5]) -> Milestones {
        Milestones {
            started: a[0],
            detected: a[1],
            acknowledged: a[2],
            mitigated: a[3],
            resolved: a[4],
        }
    }

    /// Each milestone that is present is at or after every earlier one that is present
    /// (started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved); a violation is an error on
    /// the later field, naming the earlier one.
    pub fn check_order(&self, e: &mut FieldErrors) {
        let all = self.all();
        for (i, t) in all.iter().enumerate() {
            let Some(t) = t else { continue };
            if let Some((j, earlier)) = all[..i]
                .iter()
                .enumerate()
                .rev()
                .find_map(|(j, x)| x.filter(|x| x > t).map(|x| (j, x)))
            {
                e.add(
                    MILESTONES[i].0,
                    format!(
                        "Must be at or after {} ({} UTC).",
                        MILESTONES[j].1.to_lowercase(),
                        earlier.format("%Y-%m-%d %H:%M")
                    ),
                );
            }
        }
    }
}

/// Times from the start to each later milestone: what incident reviews call MTTx.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mttx {
    pub detect: Option<i64>,
    pub acknowledge: Option<i64>,
    pub mitigate: Option<i64>,
    pub resolve: Option<i64>,
}

/// Seconds from the start to each milestone that is known.
pub fn mttx(m: &Milestones) -> Mttx {
    let since = |t: Option<DateTime<Utc>>| match (m.started, t) {
        (Some(s), Some(t)) => Some((t - s).num_seconds()),
        _ => None,
    };
    Mttx {
        detect: since(m.detected),
        acknowledge: since(m.acknowledged),
        mitigate: since(m.mitigated),
        resolve: since(m.resolved),
    }
}

/// How long an incident has lasted: until resolved, or until `now`.
pub fn duration(m: &Milestones, now: DateTime<Utc>) -> Option<Duration> {
    m.started.map(|s| m.resolved.unwrap_or(now) - s)
}

/// What the incident form posts: text, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentForm {
    pub title: String,
    pub severity: String,
    pub status: String,
    pub summary: String,
    /// The incident commander's email, as the identity provider knows them.
    pub commander: String,
    /// Affected services' slugs, separated by commas, spaces or new lines.
    pub services: String,
    /// The IANA time zone the times are typed in ("Europe/Berlin"; empty is UTC).
    pub zone: String,
    /// "2026-12-03T14:05" (a datetime-local input), in `zone`.
    pub started_at: String,
    pub detected_at: String,
    pub acknowledged_at: String,
    pub mitigated_at: String,
    pub resolved_at: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentInput {
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub summary: String,
    pub commander: Option<String>,
    pub services: Vec<String>,
    pub milestones: Milestones,
}

/// A local time typed in `zone`, in UTC. A time that a clock change skips or repeats is an error
/// rather than a guess.
pub fn parse_local(raw: &str, zone: chrono_tz::Tz) -> Result<Option<DateTime<Utc>>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let naive = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
    .ok_or_else(|| "A date and time like 2026-12-03 14:05.".to_string())?;
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(Some(t.with_timezone(&Utc))),
        chrono::LocalResult::Ambiguous(..) => Err(format!(
            "{raw} happens twice in {zone} (the clocks go back); give the time in UTC instead."
        )),
        chrono::LocalResult::None => Err(format!(
            "{raw} does not exist in {zone} (the clocks go forward)."
        )),
    }
}

pub fn parse_zone(raw: &str) -> Option<chrono_tz::Tz> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(chrono_tz::UTC);
    }
    raw.parse().ok()
}

impl IncidentForm {
    /// `now` bounds the times: an incident cannot have started in the future.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<IncidentInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = check_required(&mut e, "title", &self.title, TITLE_MAX);
        let summary = check_optional(&mut e, "summary", &self.summary, SUMMARY_MAX);
        let severity = Severity::parse(&self.severity);
        if severity.is_none() {
            e.add("severity", "Choose SEV1 (worst) to SEV4.");
        }
        let status = IncidentStatus::parse(&self.status);
        if status.is_none() {
            e.add(
                "status",
                "Choose investigating, identified, monitoring or resolved.",
            );
        }
        let commander = self.commander.trim().to_lowercase();
        if !commander.is_empty() && (!commander.contains('@') || commander.len() > 254) {
            e.add("commander", "The commander's email address.");
        }
        let mut services: Vec<String> = Vec::new();
        for raw in self
            .services
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let mut one = FieldErrors::new();
            let slug = check_slug(&mut one, "services", raw);
            if let Some(m) = one.get("services") {
                e.add("services", format!("\"{raw}\": {m}"));
            } else if !services.contains(&slug) {
                services.push(slug);
            }
        }
        if services.is_empty() {
            e.add("services", "Name at least one affected service.");
        } else if services.len() > SERVICES_MAX {
            e.add(
                "services",
                format!("At most {SERVICES_MAX} services; name the shared dependency instead."),
            );
        }
        let zone = parse_zone(&self.zone);
        if zone.is_none() {
            e.add("zone", "A time zone such as Europe/Berlin, or UTC.");
        }
        let zone = zone.unwrap_or(chrono_tz::UTC);
        let raw = [
            &self.started_at,
            &self.detected_at,
            &self.acknowledged_at,
            &self.mitigated_at,
            &self.resolved_at,
        ];
        let mut times = [None; 5];
        for (i, r) in raw.iter().enumerate() {
            match parse_local(r, zone) {
                Ok(Some(t)) if t > now + Duration::minutes(5) => {
                    e.add(MILESTONES[i].0, "Cannot be in the future.")
                }
                Ok(t) => times[i] = t,
                Err(m) => e.add(MILESTONES[i].0, m),
            }
        }
        let milestones = Milestones::from_all(times);
        if milestones.started.is_none() && e.get("started_at").is_none() {
            e.add(
                "started_at",
                "Required: when the impact began (a best guess is fine).",
            );
        }
        milestones.check_order(&mut e);
        match (status, milestones.resolved) {
            (Some(IncidentStatus::Resolved), None) if e.get("resolved_at").is_none() => e.add(
                "resolved_at",
                "A resolved incident needs its resolution time.",
            ),
            (Some(s), Some(_)) if s != IncidentStatus::Resolved => e.add(
                "status",
                "An incident with a resolution time is resolved; clear the time to reopen it.",
            ),
            _ => {}
        }
        let (Some(severity), Some(status)) = (severity, status) else {
            return Err(e);
        };
        e.into_result(IncidentInput {
            title,
            severity,
            status,
            summary,
            commander: (!commander.is_empty()).then_some(commander),
            services,
            milestones,
        })
    }

    pub fn expected_version(&self) -> Result<Option<i64>, FieldErrors> {
        super::validation::optional_version(&self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn form() -> IncidentForm {
        IncidentForm {
            title: "Checkout errors".into(),
            severity: "SEV2".into(),
            status: "resolved".into(),
            services: "checkout-web, payments-api".into(),
            started_at: "2026-11-30T10:00".into(),
            detected_at: "2026-11-30T10:04".into(),
            acknowledged_at: "2026-11-30T10:09".into(),
            mitigated_at: "2026-11-30T10:40".into(),
            resolved_at: "2026-11-30T11:30".into(),
            ..IncidentForm::default()
        }
    }

    #[test]
    fn a_complete_form_gives_its_milestones_in_utc_and_mttx() {
        let i = form().validate(at("2026-12-03T00:00:00Z")).unwrap();
        assert_eq!(i.severity, Severity::Sev2);
        assert_eq!(i.services, vec!["checkout-web", "payments-api"]);
        assert_eq!(i.milestones.started, Some(at("2026-11-30T10:00:00Z")));
        let m = mttx(&i.milestones);
        assert_eq!(m.detect, Some(240));
        assert_eq!(m.acknowledge, Some(540));
        assert_eq!(m.mitigate, Some(2400));
        assert_eq!(m.resolve, Some(5400));
    }

    #[test]
    fn milestones_out_of_order_are_errors_on_the_later_field() {
        let mut f = form();
        f.mitigated_at = "2026-11-30T10:02".into();
        let e = f.validate(at("2026-12-03T00:00:00Z")).unwrap_err();
        let m = e.get("mitigated_at").unwrap();
        assert!(m.contains("acknowledged"), "{m}");
        assert!(e.get("resolved_at").is_none());
        // A gap is fine: an unknown acknowledgement does not break the order.
        let mut f = form();
        f.acknowledged_at.clear();
        assert!(f.validate(at("2026-12-03T00:00:00Z")).is_ok());
    }

    #[test]
    fn times_are_typed_in_a_named_zone_and_clock_changes_are_not_guessed() {
        let mut f = form();
        f.zone = "Europe/Berlin".into();
        let i = f.validate(at("2026-12-03T00:00:00Z")).unwrap();
        assert_eq!(i.milestones.started, Some(at("2026-11-30T09:00:00Z")));
        let berlin = parse_zone("Europe/Berlin").unwrap();
        assert!(parse_local("2026-03-29T02:30", berlin)
            .unwrap_err()
            .contains("does not exist"));
        assert!(parse_local("2026-10-25T02:30", berlin)
            .unwrap_err()
            .contains("twice"));
        f.zone = "Mars/Olympus".into();
        assert!(f
            .validate(at("2026-12-03T00:00:00Z"))
            .unwrap_err()
            .get("zone")
            .is_some());
    }

    #[test]
    fn status_and_resolution_time_agree_and_nothing_is_in_the_future() {
        let mut f = form();
        f.status = "monitoring".into();
        assert!(f
            .validate(at("2026-12-03T00:00:00Z"))
            .unwrap_err()
            .get("status")
            .is_some());
        let mut f = form();
        f.resolved_at.clear();
        assert!(f
            .validate(at("2026-12-03T00:00:00Z"))
            .unwrap_err()
            .get("resolved_at")
            .is_some());
        let e = form().validate(at("2026-11-30T10:30:00Z")).unwrap_err();
        assert_eq!(e.get("resolved_at"), Some("Cannot be in the future."));
    }

    #[test]
    fn bad_fields_are_each_named() {
        let f = IncidentForm {
            severity: "SEV9".into(),
            status: "on fire".into(),
            services: "Checkout Web".into(),
            commander: "bob".into(),
            started_at: "yesterday".into(),
            ..IncidentForm::default()
        };
        let e = f.validate(Utc::now()).unwrap_err();
        for field in [
            "title",
            "severity",
            "status",
            "services",
            "commander",
            "started_at",
        ] {
            assert!(e.get(field).is_some(), "{field} not reported: {e}");
        }
        assert_eq!(Severity::parse("1"), Some(Severity::Sev1));
        assert_eq!(Severity::parse("sev4"), Some(Severity::Sev4));
    }
}
