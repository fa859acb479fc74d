//! Properties of the parsers and validators that take what people and machines send: whatever
//! the input, no panic, and what comes out is within the documented bounds. Bounded in time:
//! proptest's default of 256 cases per property.
use std::collections::HashMap;

use proptest::prelude::*;

use app::domain::api::ServiceListParams;
use app::domain::catalog::{
    CatalogQuery, TeamFilter, MAX_FILTER_CHARS, MAX_PAGE, MAX_SEARCH_CHARS,
};
use app::domain::link::LinkForm;
use app::domain::service::ServiceForm;
use app::domain::team::TeamForm;

/// Arbitrary text, and text made of the characters these fields usually hold.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9 ,:._/-]{0,80}",
        "[a-z0-9-]{0,70}",
        "[0-9]{0,12}",
        Just("none".to_string()),
    ]
}

fn params() -> impl Strategy<Value = HashMap<String, String>> {
    let keys = ["q", "tier", "team", "lifecycle", "tag", "sort", "page"];
    proptest::collection::vec((0..keys.len(), text()), 0..8).prop_map(move |pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| (keys[k].to_string(), v))
            .collect()
    })
}

fn parse(query_string: &str) -> CatalogQuery {
    let pairs: HashMap<String, String> =
        url::form_urlencoded::parse(query_string.trim_start_matches('?').as_bytes())
            .into_owned()
            .collect();
    CatalogQuery::from_params(|k| pairs.get(k).cloned())
}

proptest! {
    #[test]
    fn a_catalog_url_always_parses_within_bounds(p in params()) {
        let q = CatalogQuery::from_params(|k| p.get(k).cloned());
        prop_assert!(q.filter.q.chars().count() <= MAX_SEARCH_CHARS);
        prop_assert!((1..=MAX_PAGE).contains(&q.page));
        if let Some(TeamFilter::Team(t)) = &q.filter.team {
            prop_assert!(t.chars().count() <= MAX_FILTER_CHARS);
        }
        if let Some(t) = &q.filter.tag {
            prop_assert!(t.chars().count() <= MAX_FILTER_CHARS);
        }
        // The links the page builds lead back to the same query.
        prop_assert_eq!(parse(&q.to_query_string()), q.clone());
        // A query from JSON is bounded the same way, and bounding twice changes nothing more.
        prop_assert_eq!(q.clone().bounded(), q);
    }

    #[test]
    fn a_json_catalog_query_is_bounded(q in text(), team in text(), tag in text(), page in any::<u32>()) {
        let query = CatalogQuery {
            filter: app::domain::catalog::CatalogFilter {
                q,
                team: Some(TeamFilter::Team(team)),
                tag: Some(tag),
                ..Default::default()
            },
            page,
            ..Default::default()
        }
        .bounded();
        prop_assert!(query.filter.q.chars().count() <= MAX_SEARCH_CHARS);
        prop_assert!((1..=MAX_PAGE).contains(&query.page));
        prop_assert_eq!(query.clone().bounded(), query);
    }

    #[test]
    fn forms_validate_without_panicking(
        a in text(), b in text(), c in text(), d in text(), e in text(), f in text(), g in text()
    ) {
        let service = ServiceForm {
            slug: a.clone(), name: b.clone(), description: c.clone(), tier: d.clone(),
            lifecycle: e.clone(), owner: f.clone(), tags: g.clone(), version: d.clone(),
        };
        if let Ok(input) = service.validate() {
            prop_assert!(!input.slug.is_empty() && input.slug.len() <= 63);
            prop_assert!(input.tags.len() <= app::domain::service::MAX_TAGS);
        }
        let _ = service.expected_version();
        let team = TeamForm {
            slug: a.clone(), name: b.clone(), description: c.clone(), email: d.clone(),
            chat_channel: e.clone(), oncall_url: f.clone(), escalation_policy: g.clone(),
        };
        if let Ok(input) = team.validate() {
            prop_assert!(!input.slug.is_empty() && input.slug.len() <= 63);
        }
        let link = LinkForm { kind: a, title: b, url: c, last_reviewed_on: d };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        if let Ok(input) = link.validate(today) {
            prop_assert!(input.url.starts_with("http://") || input.url.starts_with("https://"));
        }
    }

    #[test]
    fn api_list_parameters_validate_within_bounds(q in text(), limit in text(), after in text(), tag in text()) {
        let p = ServiceListParams {
            q: Some(q), limit: Some(limit), cursor: Some(after), tag: Some(tag),
            ..Default::default()
        };
        if let Ok(list) = p.validate() {
            prop_assert!((1..=app::domain::api::MAX_LIMIT).contains(&list.limit));
        }
    }
}
