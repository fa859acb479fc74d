//! The catalog list's query: filters, sort and page, parsed from and written back to the URL so
//! that every view can be shared as a link.
use serde::{Deserialize, Serialize};

use super::lifecycle::Lifecycle;
use super::service::ServiceRow;
use super::slo::BudgetState;
use super::tier::Tier;

pub const PER_PAGE: u32 = 50;
/// Deep offsets get slower and nobody pages that far; narrow the filters instead.
pub const MAX_PAGE: u32 = 1000;
/// The longest search text the catalog takes (characters).
pub const MAX_SEARCH_CHARS: usize = 200;
/// The longest team or tag filter: longer than any slug (63) or tag (40), so a longer one can
/// only match nothing.
pub const MAX_FILTER_CHARS: usize = 64;
/// How many team and tag facet values are listed (the selected one is always included).
pub const FACET_LIMIT: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Name,
    Tier,
    Updated,
    /// Best text match first (name matches above description matches); only with a search.
    Relevance,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Name => "name",
            Sort::Tier => "tier",
            Sort::Updated => "updated",
            Sort::Relevance => "relevance",
        }
    }
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "name" => Some(Sort::Name),
            "tier" => Some(Sort::Tier),
            "updated" => Some(Sort::Updated),
            "relevance" => Some(Sort::Relevance),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TeamFilter {
    Unowned,
    Team(String),
}

impl TeamFilter {
    /// "none" cannot be a team slug (it is reserved), so it safely means "unowned".
    pub fn as_param(&self) -> &str {
        match self {
            TeamFilter::Unowned => "none",
            TeamFilter::Team(s) => s,
        }
    }
}

/// The filter part of a catalog query: what facet counts depend on (not sort or page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogFilter {
    pub q: String,
    pub tier: Option<Tier>,
    pub team: Option<TeamFilter>,
    pub lifecycle: Option<Lifecycle>,
    pub tag: Option<String>,
    /// Services whose worst SLO is in this error-budget state (as of the last evaluation).
    pub budget: Option<BudgetState>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CatalogQuery {
    pub filter: CatalogFilter,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
}

impl CatalogFilter {
    /// A search is ordered by best match unless the user picks another order; a plain listing
    /// by name. (Relevance without a search has nothing to rank.)
    pub fn default_sort(&self) -> Sort {
        if prefix_tsquery(&self.q).is_some() {
            Sort::Relevance
        } else {
            Sort::Name
        }
    }
}

impl CatalogQuery {
    /// Lenient: a value that does not parse is dropped rather than failing the page, because
    /// these come from hand-edited and old shared URLs.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> CatalogQuery {
        let nonempty = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let team = nonempty("team").map(|t| {
            if t == "none" {
                TeamFilter::Unowned
            } else {
                TeamFilter::Team(t)
            }
        });
        let filter = CatalogFilter {
            q: nonempty("q")
                .map(|q| q.chars().take(MAX_SEARCH_CHARS).collect())
                .unwrap_or_default(),
            tier: nonempty("tier").and_then(|t| Tier::parse(&t)),
            team,
            lifecycle: nonempty("lifecycle").and_then(|l| Lifecycle::parse(&l)),
            tag: nonempty("tag").map(|t| t.to_lowercase()),
            budget: nonempty("budget").and_then(|b| BudgetState::parse(&b)),
        };
        let filter = CatalogQuery {
            filter,
            ..Default::default()
        }
        .bounded()
        .filter;
        let default_sort = filter.default_sort();
        let sort = match nonempty("sort").and_then(|s| Sort::parse(&s)) {
            Some(Sort::Relevance) if default_sort != Sort::Relevance => Sort::Name,
            Some(s) => s,
            None => default_sort,
        };
        CatalogQuery {
            filter,
            sort,
            page: nonempty("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_PAGE),
        }
    }

    /// `?tier=1&team=payments`, omitting defaults; "" when there is nothing to say.
    pub fn to_query_string(&self) -> String {
        let f = &self.filter;
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !f.q.is_empty() {
            pairs.push(("q", f.q.clone()));
        }
        if let Some(t) = f.tier {
            pairs.push(("tier", t.number().to_string()));
        }
        if let Some(t) = &f.team {
            pairs.push(("team", t.as_param().to_string()));
        }
        if let Some(l) = f.lifecycle {
            pairs.push(("lifecycle", l.as_str().to_string()));
        }
        if let Some(t) = &f.tag {
            pairs.push(("tag", t.clone()));
        }
        if let Some(b) = f.budget {
            pairs.push(("budget", b.as_str().to_string()));
        }
        if self.sort != f.default_sort() {
            pairs.push(("sort", self.sort.as_str().to_string()));
        }
        if self.page > 1 {
            pairs.push(("page", self.page.to_string()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode_component(&v)))
            .collect();
        format!("?{}", encoded.join("&"))
    }

    pub fn href(&self) -> String {
        format!("/services{}", self.to_query_string())
    }

    /// A copy with a change applied and the page reset: a new filter starts at page 1. A sort
    /// that no longer applies (relevance once the search is cleared) falls back to the default.
    pub fn with(&self, change: impl FnOnce(&mut CatalogQuery)) -> CatalogQuery {
        let mut q = self.clone();
        q.page = 1;
        let was_default = q.sort == q.filter.default_sort();
        change(&mut q);
        if was_default || (q.sort == Sort::Relevance && q.filter.default_sort() != Sort::Relevance)
        {
            q.sort = q.filter.default_sort();
        }
        q
    }

    /// The same limits `from_params` applies, for a query that arrived another way (JSON):
    /// search text trimmed and cut to `MAX_SEARCH_CHARS`, a team or tag longer than any slug or
    /// tag can be matches nothing (and is cut, so it cannot fill a cache), the page within
    /// `1..=MAX_PAGE`.
    pub fn bounded(mut self) -> CatalogQuery {
        let f = &mut self.filter;
        f.q = cut(&f.q, MAX_SEARCH_CHARS);
        if let Some(TeamFilter::Team(t)) = &mut f.team {
            *t = cut(t, MAX_FILTER_CHARS);
        }
        if let Some(t) = &mut f.tag {
            *t = cut(t, MAX_FILTER_CHARS);
        }
        self.page = self.page.clamp(1, MAX_PAGE);
        self
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(PER_PAGE)
    }

    pub fn has_filters(&self) -> bool {
        self.filter != CatalogFilter::default()
    }
}

/// Trimmed and cut to `max` characters, with no space left at the cut (a URL built from it must
/// parse back to the same value, and parsing trims).
fn cut(s: &str, max: usize) -> String {
    let cut: String = s.trim().chars().take(max).collect();
    cut.trim_end().to_string()
}

fn encode_component(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Free text → a Postgres `to_tsquery('simple', …)` string: every word must match, each as a
/// prefix, so "pay ledg" finds "payments-ledger". Only letters and digits reach the query, so
/// tsquery operators typed by a user cannot make it invalid. None when nothing searchable is left.
pub fn prefix_tsquery(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("{}:*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" & "))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// The URL parameter value.
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// Counts for each filter's values. Each facet is counted with every *other* filter applied, so
/// choosing Tier 1 still shows how many services Tier 2 would have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub tiers: Vec<FacetValue>,
    pub lifecycles: Vec<FacetValue>,
    pub teams: Vec<FacetValue>,
    pub teams_more: bool,
    pub tags: Vec<FacetValue>,
    pub tags_more: bool,
}

impl Facets {
    /// The number of services matching all filters, read off the tier facet (which is counted
    /// with every filter but tier), so no separate COUNT query is needed.
    pub fn total(&self, filter: &CatalogFilter) -> i64 {
        match filter.tier {
            Some(t) => self
                .tiers
                .iter()
                .find(|f| f.value == t.number().to_string())
                .map_or(0, |f| f.count),
            None => self.tiers.iter().map(|f| f.count).sum(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub rows: Vec<ServiceRow>,
    pub total: i64,
    pub facets: Facets,
    /// Services with SLOs by their worst SLO's state, every other filter applied. Counted per
    /// request, never cached: the evaluator changes them every minute.
    pub budgets: Vec<FacetValue>,
}

impl CatalogPage {
    pub fn page_count(&self) -> u32 {
        let pages = (self.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE);
        u32::try_from(pages).unwrap_or(u32::MAX).clamp(1, MAX_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(s: &str) -> CatalogQuery {
        let map: HashMap<String, String> =
            url::form_urlencoded::parse(s.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect();
        CatalogQuery::from_params(|k| map.get(k).cloned())
    }

    #[test]
    fn a_json_query_is_bounded_like_a_url() {
        let q = CatalogQuery {
            filter: CatalogFilter {
                q: format!("  {}", "x".repeat(10_000)),
                team: Some(TeamFilter::Team("t".repeat(5000))),
                tag: Some("g".repeat(5000)),
                ..Default::default()
            },
            page: 4_000_000_000,
            ..Default::default()
        }
        .bounded();
        assert_eq!(q.filter.q.len(), MAX_SEARCH_CHARS);
        assert_eq!(q.filter.team.unwrap().as_param().len(), MAX_FILTER_CHARS);
        assert_eq!(q.filter.tag.unwrap().len(), MAX_FILTER_CHARS);
        assert_eq!(q.page, MAX_PAGE);
        assert_eq!(CatalogQuery::default().bounded().page, 1);
    }

    #[test]
    fn round_trip_through_the_url() {
        let q = parse(
            "?q=pay%20api&tier=1&team=payments&lifecycle=production&tag=pci&sort=updated&page=3",
        );
        assert_eq!(q.filter.q, "pay api");
        assert_eq!(q.filter.tier, Tier::new(1));
        assert_eq!(q.filter.team, Some(TeamFilter::Team("payments".into())));
        assert_eq!(q.filter.lifecycle, Some(Lifecycle::Production));
        assert_eq!(q.sort, Sort::Updated);
        assert_eq!(q.page, 3);
        assert_eq!(parse(&q.to_query_string()), q);
        assert_eq!(q.offset(), 100);
    }

    #[test]
    fn defaults_and_junk() {
        let q = parse("?tier=9&lifecycle=live&sort=random&page=-2&q=%20%20");
        assert_eq!(
            q,
            CatalogQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(q.to_query_string(), "");
        assert!(!q.has_filters());
        assert_eq!(parse("?page=999999").page, MAX_PAGE);
        assert_eq!(parse("?team=none").filter.team, Some(TeamFilter::Unowned));
    }

    #[test]
    fn with_resets_the_page() {
        let q = parse("?tier=1&page=4");
        let next = q.with(|q| q.filter.tier = None);
        assert_eq!(next.page, 1);
        assert_eq!(next.href(), "/services");
        assert_eq!(
            q.with(|q| q.filter.tag = Some("a&b".into())).href(),
            "/services?tier=1&tag=a%26b"
        );
    }

    #[test]
    fn a_search_sorts_by_best_match_unless_told_otherwise() {
        let q = parse("?q=pay");
        assert_eq!(q.sort, Sort::Relevance);
        assert_eq!(
            q.to_query_string(),
            "?q=pay",
            "the default is not written out"
        );
        assert_eq!(parse("?q=pay&sort=tier").sort, Sort::Tier);
        assert_eq!(
            parse("?sort=relevance").sort,
            Sort::Name,
            "nothing to rank without a search"
        );
        assert_eq!(parse("?q=!!").sort, Sort::Name);
        // Clearing the search drops the relevance order; adding one picks it up.
        assert_eq!(q.with(|q| q.filter.q.clear()).sort, Sort::Name);
        assert_eq!(
            parse("").with(|q| q.filter.q = "ledger".into()).sort,
            Sort::Relevance
        );
        let by_tier = parse("?q=pay&sort=tier");
        assert_eq!(
            by_tier.with(|q| q.filter.tier = Tier::new(1)).sort,
            Sort::Tier,
            "a chosen order is kept"
        );
    }

    #[test]
    fn tsquery_is_safe_prefix_and() {
        assert_eq!(
            prefix_tsquery("Pay ledg").as_deref(),
            Some("pay:* & ledg:*")
        );
        assert_eq!(
            prefix_tsquery("payments-api").as_deref(),
            Some("payments:* & api:*")
        );
        assert_eq!(
            prefix_tsquery("a' | !b & (c)").as_deref(),
            Some("a:* & b:* & c:*")
        );
        assert_eq!(prefix_tsquery("  !!  "), None);
    }

    #[test]
    fn total_comes_from_the_tier_facet() {
        let fv = |v: &str, c| FacetValue {
            value: v.into(),
            label: v.into(),
            count: c,
        };
        let facets = Facets {
            tiers: vec![fv("0", 2), fv("1", 5), fv("3", 1)],
            ..Default::default()
        };
        assert_eq!(facets.total(&CatalogFilter::default()), 8);
        let f = CatalogFilter {
            tier: Tier::new(1),
            ..Default::default()
        };
        assert_eq!(facets.total(&f), 5);
        let f = CatalogFilter {
            tier: Tier::new(2),
            ..Default::default()
        };
        assert_eq!(facets.total(&f), 0);
        let page = CatalogPage {
            rows: vec![],
            total: 101,
            facets: Facets::default(),
            budgets: Vec::new(),
        };
        assert_eq!(page.page_count(), 3);
    }
}
