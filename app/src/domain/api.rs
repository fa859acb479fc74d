//! The REST API's list parameters and cursors: strict where the pages are lenient, because a
//! machine client should hear about a typo instead of getting an unfiltered list.
use serde::Deserialize;

use super::catalog::{CatalogFilter, TeamFilter};
use super::lifecycle::Lifecycle;
use super::tier::Tier;
use super::validation::FieldErrors;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;
pub const MAX_Q: usize = 200;
pub const MAX_CURSOR: usize = 1100;

/// `GET /api/v1/services?…`, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceListParams {
    pub q: Option<String>,
    pub tier: Option<String>,
    pub team: Option<String>,
    pub lifecycle: Option<String>,
    pub tag: Option<String>,
    /// Worst SLO state: exhausted, at-risk, unknown or ok.
    pub budget: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

/// Where the next page starts: after this (lower-cased name, id) in name order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub name: String,
    pub id: i64,
}

impl Cursor {
    /// `{id}.{hex of the lower-cased name}`: opaque to clients, no dependency to decode.
    pub fn encode(&self) -> String {
        let hex: String = self.name.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}.{hex}", self.id)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        if s.len() > MAX_CURSOR {
            return None;
        }
        let (id, hex) = s.split_once('.')?;
        let id = id.parse().ok()?;
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(Cursor {
            name: String::from_utf8(bytes).ok()?,
            id,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServiceList {
    pub filter: CatalogFilter,
    pub after: Option<Cursor>,
    pub limit: i64,
}

/// A parameter's trimmed value, if it says anything.
fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl ServiceListParams {
    pub fn validate(&self) -> Result<ServiceList, FieldErrors> {
        let mut e = FieldErrors::new();
        let q = text(&self.q).unwrap_or_default();
        if q.chars().count() > MAX_Q {
            e.add("q", format!("At most {MAX_Q} characters."));
        }
        let tier = text(&self.tier).and_then(|t| {
            let parsed = Tier::parse(t);
            if parsed.is_none() {
                e.add("tier", "A tier from 0 to 3.");
            }
            parsed
        });
        let lifecycle = text(&self.lifecycle).and_then(|l| {
            let parsed = Lifecycle::parse(l);
            if parsed.is_none() {
                e.add(
                    "lifecycle",
                    "One of experimental, production, deprecated, retired.",
                );
            }
            parsed
        });
        let team = text(&self.team).map(|t| match t {
            "none" => TeamFilter::Unowned,
            t => TeamFilter::Team(t.chars().take(64).collect()),
        });
        if text(&self.team).is_some_and(|t| t.len() > 63) {
            e.add("team", "A team slug: at most 63 characters.");
        }
        let tag = text(&self.tag).map(str::to_lowercase);
        if tag.as_ref().is_some_and(|t| t.len() > 40) {
            e.add("tag", "A tag: at most 40 characters.");
        }
        let budget = text(&self.budget).and_then(|b| {
            let parsed = super::slo::BudgetState::parse(b);
            if parsed.is_none() {
                e.add("budget", "One of exhausted, at-risk, unknown, ok.");
            }
            parsed
        });
        let (after, limit) = cursor_and_limit(&mut e, &self.cursor, &self.limit);
        e.into_result(ServiceList {
            filter: CatalogFilter {
                q: q.to_string(),
                tier,
                team,
                lifecycle,
                tag,
                budget,
            },
            after,
            limit,
        })
    }
}

/// The `cursor` and `limit` every list takes: a cursor this API gave out, and 1 to MAX_LIMIT.
fn cursor_and_limit(
    e: &mut FieldErrors,
    cursor: &Option<String>,
    limit: &Option<String>,
) -> (Option<Cursor>, i64) {
    let after = text(cursor).and_then(|c| {
        let parsed = Cursor::decode(c);
        if parsed.is_none() {
            e.add(
                "cursor",
                "Not a cursor this API gave out; start again without one.",
            );
        }
        parsed
    });
    let limit = match text(limit) {
        None => DEFAULT_LIMIT,
        Some(l) => match l.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                e.add("limit", format!("A whole number from 1 to {MAX_LIMIT}."));
                0
            }
        },
    };
    (after, limit)
}

/// `GET /api/v1/teams`: teams by name, a page at a time.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamListParams {
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamList {
    pub after: Option<Cursor>,
    pub limit: i64,
}

impl TeamListParams {
    pub fn validate(&self) -> Result<TeamList, FieldErrors> {
        let mut e = FieldErrors::new();
        let (after, limit) = cursor_and_limit(&mut e, &self.cursor, &self.limit);
        e.into_result(TeamList { after, limit })
    }
}

/// An `If-Match` header's version: `"7"`, `W/"7"` or `7`; `*` means any (None).
pub fn if_match_version(header: &str) -> Result<Option<i64>, FieldErrors> {
    let h = header.trim();
    if h == "*" {
        return Ok(None);
    }
    let h = h.strip_prefix("W/").unwrap_or(h).trim_matches('"');
    h.parse::<i64>().map(Some).map_err(|_| {
        FieldErrors::single(
            "If-Match",
            "Send the ETag the resource was read with, e.g. \"7\".",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = Cursor {
            name: "zürich api".into(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for junk in ["", "x", "1.zz", "1.abc", "a.00", &"1.".repeat(600)] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn list_params_are_strict() {
        let ok = ServiceListParams {
            tier: Some("1".into()),
            team: Some("none".into()),
            limit: Some("10".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.filter.team, Some(TeamFilter::Unowned));
        assert_eq!(ok.limit, 10);
        let e = ServiceListParams {
            tier: Some("9".into()),
            lifecycle: Some("live".into()),
            limit: Some("100000".into()),
            cursor: Some("nope".into()),
            q: Some("x".repeat(201)),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        for f in ["tier", "lifecycle", "limit", "cursor", "q"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
        assert_eq!(
            ServiceListParams::default().validate().unwrap().limit,
            DEFAULT_LIMIT
        );
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match_version("\"7\""), Ok(Some(7)));
        assert_eq!(if_match_version("W/\"7\""), Ok(Some(7)));
        assert_eq!(if_match_version("*"), Ok(None));
        assert!(if_match_version("abc").is_err());
    }
}
