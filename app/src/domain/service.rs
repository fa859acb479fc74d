use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::dependency::DependencyEdge;
use super::lifecycle::Lifecycle;
use super::link::Link;
use super::team::{Team, TeamRef};
use super::tier::{PolicyGap, Tier, TierPolicy};
use super::validation::{check_optional, check_required, check_slug, FieldErrors};

pub const MAX_TAGS: usize = 20;

/// One row of the catalog list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: Tier,
    pub lifecycle: Lifecycle,
    pub owner: Option<TeamRef>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: Tier,
    pub lifecycle: Lifecycle,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Moves with every change of the service's own fields (optimistic concurrency).
    pub version: i64,
}

/// Everything the service page shows, gathered in one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDetail {
    pub service: Service,
    pub owner: Option<Team>,
    pub policy: TierPolicy,
    pub gaps: Vec<PolicyGap>,
    pub links: Vec<Link>,
    pub depends_on: Vec<DependencyEdge>,
    pub depends_on_total: i64,
    pub dependents: Vec<DependencyEdge>,
    pub dependents_total: i64,
    pub stale_after_days: i64,
}

/// What the service form posts; all text, see `LinkForm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: String,
    pub lifecycle: String,
    /// A team slug; empty for unowned.
    pub owner: String,
    /// Comma- or space-separated.
    pub tags: String,
    /// The version the edit form was opened at (empty on create, or to overwrite regardless).
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: Tier,
    pub lifecycle: Lifecycle,
    pub owner: Option<String>,
    pub tags: Vec<String>,
}

impl ServiceForm {
    pub fn validate(&self) -> Result<ServiceInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let slug = check_slug(&mut e, "slug", &self.slug);
        let name = check_required(&mut e, "name", &self.name, 120);
        let description = check_optional(&mut e, "description", &self.description, 4000);
        let tier = Tier::parse(&self.tier);
        if tier.is_none() {
            e.add(
                "tier",
                "Choose a tier from 0 (most critical) to 3 (best effort).",
            );
        }
        let lifecycle = Lifecycle::parse(&self.lifecycle);
        if lifecycle.is_none() {
            e.add(
                "lifecycle",
                "Choose experimental, production, deprecated or retired.",
            );
        }
        let owner = self.owner.trim();
        let tags = parse_tags(&mut e, &self.tags);
        match (tier, lifecycle) {
            (Some(tier), Some(lifecycle)) if e.is_empty() => Ok(ServiceInput {
                slug,
                name,
                description,
                tier,
                lifecycle,
                owner: (!owner.is_empty()).then(|| owner.to_string()),
                tags,
            }),
            _ => Err(e),
        }
    }
}

impl ServiceForm {
    /// Checks every field but the tier, which an import may leave for the planner to decide.
    pub fn validate_except_tier(&self) -> Result<(), FieldErrors> {
        let mut probe = self.clone();
        if probe.tier.trim().is_empty() {
            probe.tier = Tier::MAX.to_string();
        }
        probe.validate().map(|_| ())
    }

    /// The version the form was opened at, if it says (a tampered value is a bad request).
    pub fn expected_version(&self) -> Result<Option<i64>, FieldErrors> {
        let v = self.version.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<i64>().map(Some).map_err(|_| {
            FieldErrors::single(
                "version",
                "The form's version is not a number; reload the page.",
            )
        })
    }
}

/// The refusal of a save from an outdated form: who changed it and when, and that nothing the
/// person typed is lost.
pub fn changed_since_message(what: &str, by: &str, at: DateTime<Utc>) -> String {
    format!(
        "{by} changed this {what} at {} since you opened it. Your changes were not saved and are \
         still in the form: copy what you need, then reload to see theirs.",
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

impl From<&ServiceDetail> for ServiceForm {
    fn from(d: &ServiceDetail) -> Self {
        ServiceForm {
            slug: d.service.slug.clone(),
            name: d.service.name.clone(),
            description: d.service.description.clone(),
            tier: d.service.tier.number().to_string(),
            lifecycle: d.service.lifecycle.as_str().to_string(),
            owner: d.owner.as_ref().map(|t| t.slug.clone()).unwrap_or_default(),
            tags: d.service.tags.join(", "),
            version: d.service.version.to_string(),
        }
    }
}

/// Tags are lowercased, deduplicated and kept in the order typed.
fn parse_tags(e: &mut FieldErrors, raw: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw
        .split([',', ' ', '\n', '\t'])
        .map(|t| t.trim().to_lowercase())
    {
        if t.is_empty() || tags.contains(&t) {
            continue;
        }
        if t.len() > 40
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        {
            e.add(
                "tags",
                format!(
                    "\"{t}\" is not a tag: use letters, digits, - _ : . (at most 40 characters)."
                ),
            );
            continue;
        }
        tags.push(t);
    }
    if tags.len() > MAX_TAGS {
        e.add("tags", format!("At most {MAX_TAGS} tags."));
    }
    tags
}

/// How much of a description a list shows. The catalog table clamps it to two lines of at most
/// 52ch (style/main.css), about 110 characters; sending more only grows every page.
pub const SUMMARY_CHARS: usize = 140;

/// The start of `text` for a list: whole if it fits in `max` characters, otherwise cut at the
/// last word boundary within them and marked with an ellipsis (so a screen reader, which ignores
/// the visual clamp, hears whole words).
pub fn summary(text: &str, max: usize) -> String {
    let Some((cut, next)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let head = &text[..cut];
    let head = if next.is_whitespace() {
        head
    } else {
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    let head =
        head.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == ':');
    format!("{head}…")
}

#[cfg(test)]
mod tests {

    #[test]
    fn summary_keeps_short_text_and_cuts_long_text_at_a_word() {
        assert_eq!(summary("Short and sweet.", 140), "Short and sweet.");
        assert_eq!(summary("exactly ten", 11), "exactly ten");
        assert_eq!(
            summary("Handles payments, refunds and payouts", 20),
            "Handles payments…"
        );
        assert_eq!(
            summary("Handles payments; refunds", 17),
            "Handles payments…"
        );
        // Counted in characters, not bytes; a single long word is cut where it must be.
        assert_eq!(summary("Zürich-Zürich-Zürich", 6), "Zürich…");
        assert!(summary(&"word ".repeat(100), 140).chars().count() <= 141);
    }
    use super::*;

    fn form() -> ServiceForm {
        ServiceForm {
            slug: "payments-api".into(),
            name: "Payments API".into(),
            description: "Takes money".into(),
            tier: "1".into(),
            lifecycle: "production".into(),
            owner: "payments".into(),
            tags: "PCI, go,  pci , public-api".into(),
            version: String::new(),
        }
    }

    #[test]
    fn expected_version_is_optional_but_must_be_a_number() {
        assert_eq!(form().expected_version(), Ok(None));
        let f = ServiceForm {
            version: " 7 ".into(),
            ..form()
        };
        assert_eq!(f.expected_version(), Ok(Some(7)));
        let f = ServiceForm {
            version: "7x".into(),
            ..form()
        };
        assert!(f.expected_version().unwrap_err().get("version").is_some());
    }

    #[test]
    fn changed_since_names_who_and_when() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 2, 9, 5, 0).unwrap();
        let m = changed_since_message("service", "bob@example.com", at);
        assert!(m.starts_with("bob@example.com changed this service at 2026-12-02 09:05 UTC"));
        assert!(m.contains("not saved"));
    }

    #[test]
    fn valid_service() {
        let s = form().validate().unwrap();
        assert_eq!(s.tier, Tier::new(1).unwrap());
        assert_eq!(s.lifecycle, Lifecycle::Production);
        assert_eq!(s.owner.as_deref(), Some("payments"));
        assert_eq!(s.tags, vec!["pci", "go", "public-api"]);
    }

    #[test]
    fn unowned_is_allowed() {
        let s = ServiceForm {
            owner: "  ".into(),
            ..form()
        }
        .validate()
        .unwrap();
        assert_eq!(s.owner, None);
    }

    #[test]
    fn tier_out_of_range_and_bad_lifecycle() {
        let e = ServiceForm {
            tier: "4".into(),
            lifecycle: "live".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("tier").unwrap().contains("0"));
        assert!(e.get("lifecycle").is_some());
        assert!(e.get("slug").is_none());
        let e = ServiceForm {
            tier: "".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("tier").is_some(), "tier is required");
    }

    #[test]
    fn bad_tags() {
        let e = ServiceForm {
            tags: "ok, <script>".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("tags").unwrap().contains("<script>"));
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let e = ServiceForm {
            tags: many.join(","),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("tags"), Some("At most 20 tags."));
    }
}
