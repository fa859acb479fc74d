//! The audit trail as the admin page reads it, and its filters.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::validation::FieldErrors;

pub const EVENTS_PER_PAGE: i64 = 50;

/// Actions the trail records, for the filter's choices.
pub const ACTIONS: &[&str] = &[
    "auth.sign_in",
    "auth.sign_out",
    "auth.sign_in_refused",
    "denied",
    "user.role",
    "user.disable",
    "user.enable",
    "service.create",
    "service.update",
    "service.delete",
    "link.create",
    "link.update",
    "link.delete",
    "dependency.create",
    "dependency.update",
    "dependency.delete",
    "team.create",
    "team.update",
    "team.delete",
    "tier_policy.update",
    "token.create",
    "token.revoke",
    "slo.create",
    "slo.update",
    "slo.delete",
    "incident.create",
    "incident.update",
    "postmortem.create",
    "postmortem.update",
    "timeline_entry.create",
    "timeline_entry.delete",
    "action_item.create",
    "action_item.update",
    "holiday.create",
    "holiday.update",
    "holiday.delete",
    "root_cause_category.create",
    "root_cause_category.update",
    "root_cause_category.delete",
    "postmortem_policy.update",
    "learning_settings.update",
];

pub const ENTITY_TYPES: &[&str] = &[
    "service",
    "link",
    "dependency",
    "team",
    "tier_policy",
    "user",
    "permission",
    "token",
    "slo",
    "incident",
    "postmortem",
    "timeline_entry",
    "action_item",
    "holiday",
    "root_cause_category",
    "postmortem_policy",
    "learning_settings",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_label: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub entity_label: String,
    /// Pretty-printed JSON of the record before and after the change.
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: String,
}

/// The filter form, as text from the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity: String,
    pub from: String,
    pub to: String,
    /// Keyset cursor: show events older than this id.
    pub before: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    /// Matches an entity's label or a label starting with it and a space ("payments-api" finds
    /// its links "payments-api · Runbook" and dependencies "payments-api → ledger").
    pub entity: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive.
    pub to: Option<NaiveDate>,
    pub before: Option<i64>,
}

fn text(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.chars().take(200).collect())
}

fn date(errors: &mut FieldErrors, field: &str, raw: &str) -> Option<NaiveDate> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "Use a date like 2026-11-22.");
            None
        }
    }
}

impl AuditQuery {
    pub fn validate(&self) -> Result<AuditFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let action = text(&self.action);
        if let Some(a) = &action {
            if !ACTIONS.contains(&a.as_str()) {
                errors.add("action", "Choose an action from the list.");
            }
        }
        let entity_type = text(&self.entity_type);
        if let Some(t) = &entity_type {
            if !ENTITY_TYPES.contains(&t.as_str()) {
                errors.add("entity_type", "Choose a kind of record from the list.");
            }
        }
        let from = date(&mut errors, "from", &self.from);
        let to = date(&mut errors, "to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                errors.add("to", "The end date is before the start date.");
            }
        }
        let before = match self.before.trim() {
            "" => None,
            raw => match raw.parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.add("before", "That page of the trail does not exist.");
                    None
                }
            },
        };
        errors.into_result(AuditFilter {
            actor: text(&self.actor),
            action,
            entity_type,
            entity: text(&self.entity),
            from,
            to,
            before,
        })
    }

    /// The URL of this view, optionally starting at another cursor.
    pub fn to_query_string(&self, before: Option<i64>) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("entity_type", &self.entity_type),
            ("entity", &self.entity),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", urlencode(v.trim())));
            }
        }
        if let Some(b) = before {
            parts.push(format!("before={b}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The longest label or id the trail keeps; longer ones are cut and end in "…".
pub const MAX_LABEL_CHARS: usize = 200;

/// `s` cut to `MAX_LABEL_CHARS` characters (on a character boundary).
pub fn bounded(s: &str) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(MAX_LABEL_CHARS) {
        None => std::borrow::Cow::Borrowed(s),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &s[..end])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        assert_eq!(bounded("ledger"), "ledger");
        let long = "é".repeat(MAX_LABEL_CHARS + 50);
        let cut = bounded(&long);
        assert_eq!(cut.chars().count(), MAX_LABEL_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn filters_parse_and_reject_nonsense() {
        let q = AuditQuery {
            actor: " bob@example.com ".into(),
            action: "service.update".into(),
            from: "2026-11-01".into(),
            to: "2026-11-22".into(),
            before: "120".into(),
            ..Default::default()
        };
        let f = q.validate().unwrap();
        assert_eq!(f.actor.as_deref(), Some("bob@example.com"));
        assert_eq!(f.before, Some(120));
        assert_eq!(f.to, NaiveDate::from_ymd_opt(2026, 11, 22));

        let bad = AuditQuery {
            action: "drop-table".into(),
            entity_type: "x".into(),
            from: "yesterday".into(),
            before: "-1".into(),
            ..Default::default()
        };
        let e = bad.validate().unwrap_err();
        for field in ["action", "entity_type", "from", "before"] {
            assert!(e.get(field).is_some(), "{field}");
        }
        let backwards = AuditQuery {
            from: "2026-11-22".into(),
            to: "2026-11-01".into(),
            ..Default::default()
        };
        assert!(backwards.validate().unwrap_err().get("to").is_some());
    }

    #[test]
    fn query_strings_keep_the_filters() {
        let q = AuditQuery {
            entity: "payments api".into(),
            action: "link.create".into(),
            ..Default::default()
        };
        assert_eq!(
            q.to_query_string(None),
            "?action=link.create&entity=payments+api"
        );
        assert_eq!(
            q.to_query_string(Some(7)),
            "?action=link.create&entity=payments+api&before=7"
        );
        assert_eq!(AuditQuery::default().to_query_string(None), "");
    }
}
