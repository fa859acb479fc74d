//! Read caches that stay correct while people and machines write.
//!
//! `catalog_generation` is one row whose `value` a deferred trigger bumps at the commit of every
//! transaction that changes the catalog, and whose `facets` moves only when a facet count can
//! change (migrations 0005 and 0007), whoever writes (this replica, another one, psql). Readers
//! read it before the data, so an entry stored under a generation is never older than it.
//! - Rows and service data ([`LaggingCache`] with no lag): reused only at the exact generation
//!   they were read at, so never stale; after a write, concurrent readers of an entry read it
//!   once, and the others wait for that read.
//! - Facet counts ([`LaggingCache`] with a lag): at the facet generation (the catalog's for a
//!   text search), and for at most `FACETS_MAX_LAG` after it moved on; then one reader recounts
//!   while the others keep the previous counts. A description edit recounts nothing.
//! - [`RenderCache`]: rendered HTML, keyed by the exact bytes of the data it was rendered from,
//!   so a hit is what rendering again would give. A write to one service re-renders only the
//!   pages that show it.
//!
//! Nothing here is shared between replicas and nothing needs invalidating by hand.
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgExecutor;

use crate::domain::api::ServiceList;
use crate::domain::catalog::{CatalogFilter, CatalogQuery, Facets};
use crate::domain::service::ServiceDetail;
use crate::domain::service::ServiceRow;
use crate::error::AppError;
use crate::state::CatalogGeneration;

/// The current catalog generations.
pub async fn generation(db: impl PgExecutor<'_>) -> Result<CatalogGeneration, AppError> {
    let (all, facets) = sqlx::query_as("SELECT value, facets FROM catalog_generation")
        .fetch_one(db)
        .await?;
    Ok(CatalogGeneration { all, facets })
}

/// The generation this request already read (the sign-in gate reads it with the person), or the
/// current one. Either way it is read before the data it will key.
pub async fn generation_or_current(
    pool: &sqlx::PgPool,
    known: Option<CatalogGeneration>,
) -> Result<CatalogGeneration, AppError> {
    match known {
        Some(g) => Ok(g),
        None => generation(pool).await,
    }
}

/// Rendered HTML keyed by the serialized data it was rendered from, bounded in bytes (keys
/// and values both count). Oldest entries go first when it is full.
#[derive(Debug)]
pub struct RenderCache {
    inner: Mutex<RenderInner>,
    max_bytes: usize,
    pub stats: CacheStats,
}

/// Hits and misses, for `/metrics` (a miss of a `LaggingCache` is one computation).
#[derive(Debug, Default)]
pub struct CacheStats {
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

impl CacheStats {
    fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }
    fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
struct RenderInner {
    entries: HashMap<Arc<[u8]>, Arc<str>>,
    order: VecDeque<Arc<[u8]>>,
    bytes: usize,
}

impl RenderCache {
    pub fn new(max_bytes: usize) -> Self {
        RenderCache {
            inner: Mutex::new(RenderInner::default()),
            max_bytes,
            stats: CacheStats::default(),
        }
    }

    pub fn get(&self, input: &[u8]) -> Option<Arc<str>> {
        self.inner.lock().ok()?.entries.get(input).cloned()
    }

    /// Stores `html` as rendered from `input`; an entry larger than the whole budget is not kept.
    pub fn put(&self, input: Vec<u8>, html: Arc<str>) {
        let size = input.len() + html.len();
        if size > self.max_bytes {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let key: Arc<[u8]> = input.into();
        if inner.entries.contains_key(&key) {
            return;
        }
        while inner.bytes + size > self.max_bytes {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(v) = inner.entries.remove(&old) {
                inner.bytes -= old.len() + v.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(key.clone());
        inner.entries.insert(key, html);
    }

    /// The HTML for `input`, from the cache or rendered now (and kept).
    pub fn get_or_render(&self, input: Vec<u8>, render: impl FnOnce() -> String) -> Arc<str> {
        if let Some(html) = self.get(&input) {
            self.stats.hit();
            return html;
        }
        self.stats.miss();
        let html: Arc<str> = render().into();
        self.put(input, html.clone());
        html
    }

    /// Bytes held (keys and values).
    pub fn bytes(&self) -> usize {
        self.inner.lock().map(|i| i.bytes).unwrap_or(0)
    }
}

/// Values reused while the generation they were read at is current, and for at most
/// `max_lag` after it moved on; recomputed by one caller at a time per key.
#[derive(Debug)]
pub struct LaggingCache<K, V> {
    entries: Mutex<Entries<K, V>>,
    /// One lock per key being computed: the first caller computes, the rest wait or reuse.
    flights: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
    max_lag: Duration,
    max_entries: usize,
    /// Bytes the entries may hold, keys and values, as `weigh` counts them.
    max_bytes: usize,
    weigh: fn(&K, &V) -> usize,
    pub stats: CacheStats,
}

#[derive(Debug)]
struct Entries<K, V> {
    map: HashMap<K, Lagging<V>>,
    bytes: usize,
}

#[derive(Debug, Clone)]
struct Lagging<V> {
    generation: i64,
    /// When the generation it was computed at was read (so its age never flatters it).
    read_at: Instant,
    value: V,
    bytes: usize,
}

/// The size of a value as JSON: close to what its strings and numbers hold on the heap, which
/// is what the caches' byte bounds are about.
pub fn json_bytes<T: serde::Serialize + ?Sized>(v: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0 + std::mem::size_of_val(v)
}

impl<K: Hash + Eq + Clone, V: Clone> LaggingCache<K, V> {
    /// At most `max_entries` entries and `max_bytes` bytes as `weigh` counts a key and value.
    pub fn new(
        max_lag: Duration,
        max_entries: usize,
        max_bytes: usize,
        weigh: fn(&K, &V) -> usize,
    ) -> Self {
        LaggingCache {
            entries: Mutex::new(Entries {
                map: HashMap::new(),
                bytes: 0,
            }),
            flights: Mutex::new(HashMap::new()),
            max_lag,
            max_entries,
            max_bytes,
            weigh,
            stats: CacheStats::default(),
        }
    }

    /// The entry if it may still be used at `generation`, else the outdated value (if any).
    fn lookup(&self, key: &K, generation: i64) -> Result<V, Option<V>> {
        let entries = self.entries.lock().map_err(|_| None)?;
        match entries.map.get(key) {
            Some(e) if e.generation >= generation || e.read_at.elapsed() < self.max_lag => {
                Ok(e.value.clone())
            }
            Some(e) => Err(Some(e.value.clone())),
            None => Err(None),
        }
    }

    fn store(&self, key: K, generation: i64, read_at: Instant, value: V) {
        let bytes = (self.weigh)(&key, &value);
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // What was kept for this key is outdated now, whether or not the new value is kept.
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes -= old.bytes;
        }
        if bytes > self.max_bytes / 4 {
            // One answer that would crowd out a quarter of the cache is served, not kept.
            return;
        }
        let (max_entries, max_bytes) = (self.max_entries, self.max_bytes);
        let Entries { map, bytes: held } = &mut *entries;
        if map.len() >= max_entries || *held + bytes > max_bytes {
            // Outdated entries first.
            map.retain(|_, e| {
                let keep = e.generation >= generation;
                if !keep {
                    *held -= e.bytes;
                }
                keep
            });
        }
        if map.len() >= max_entries || *held + bytes > max_bytes {
            // Then arbitrary ones: an eighth when it is full of entries, else until the new one
            // fits; never everything, so a reader sending many distinct filters cannot empty
            // it for all.
            let mut to_drop = if map.len() >= max_entries {
                max_entries / 8 + 1
            } else {
                0
            };
            map.retain(|_, e| {
                let drop = to_drop > 0 || *held + bytes > max_bytes;
                if drop {
                    to_drop = to_drop.saturating_sub(1);
                    *held -= e.bytes;
                }
                !drop
            });
        }
        entries.bytes += bytes;
        entries.map.insert(
            key,
            Lagging {
                generation,
                read_at,
                value,
                bytes,
            },
        );
    }

    /// The value for `key` as of `generation` (read before calling), within the lag bound.
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: &K,
        generation: i64,
        compute: F,
    ) -> Result<V, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, AppError>>,
    {
        let outdated = match self.lookup(key, generation) {
            Ok(v) => {
                self.stats.hit();
                return Ok(v);
            }
            Err(outdated) => outdated,
        };
        let flight = {
            let mut flights = self
                .flights
                .lock()
                .map_err(|_| AppError::internal("cache lock poisoned"))?;
            flights.entry(key.clone()).or_default().clone()
        };
        let _guard = match (flight.try_lock(), outdated) {
            (Ok(guard), _) => {
                // The flight may have just landed between the lookup and this lock.
                if let Ok(v) = self.lookup(key, generation) {
                    self.stats.hit();
                    return Ok(v);
                }
                guard
            }
            // Someone is recomputing and a lag is allowed: the previous value will do until
            // they finish. Without a lag (rows), wait for theirs instead.
            (Err(_), Some(outdated)) if !self.max_lag.is_zero() => {
                self.stats.hit();
                return Ok(outdated);
            }
            // Nothing that may be shown yet: wait for their result rather than compute again.
            (Err(_), _) => {
                let guard = flight.lock().await;
                if let Ok(v) = self.lookup(key, generation) {
                    self.stats.hit();
                    return Ok(v);
                }
                guard
            }
        };
        self.stats.miss();
        let read_at = Instant::now();
        let result = compute().await;
        if let Ok(v) = &result {
            self.store(key.clone(), generation, read_at, v.clone());
        }
        if let Ok(mut flights) = self.flights.lock() {
            flights.remove(key);
        }
        result
    }

    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.map.len()).unwrap_or(0)
    }

    /// Bytes held, as `weigh` counts them.
    pub fn bytes(&self) -> usize {
        self.entries.lock().map(|e| e.bytes).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A page of the API's service list and where the next one starts, shared, not copied.
pub type ApiServicePage = Arc<(
    Vec<super::catalog::ApiService>,
    Option<crate::domain::api::Cursor>,
)>;

/// The learning generation (incidents, postmortems, timelines, action items, their settings,
/// people's names; migration 0016) and the facet generation (services' tiers, owners, slugs and
/// names), in one round trip: what the incident, action and search caches are keyed on.
pub async fn learning_generations(db: impl PgExecutor<'_>) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT value FROM learning_generation), (SELECT facets FROM catalog_generation)",
    )
    .fetch_one(db)
    .await?)
}

/// What a page of `/actions` is keyed on besides the generations: the query, whose items
/// "mine" means (0 when it is not asked), and the day "overdue" is judged by.
pub type ActionsKey = (
    crate::domain::action_list::ActionListQuery,
    i64,
    chrono::NaiveDate,
);

/// A search: the words, the page, and what the reader may see (admin, or their teams).
pub type SearchKey = (String, u32, bool, Vec<String>);

/// How long facet counts may lag behind a write.
pub const FACETS_MAX_LAG: Duration = Duration::from_secs(3);

/// The caches the read pages use.
#[derive(Debug)]
pub struct ReadCache {
    /// Facet counts per filter (shared by every page and sort of that filter), at the facet
    /// generation (or the catalog's, for a text search), up to `FACETS_MAX_LAG` behind.
    pub facets: LaggingCache<CatalogFilter, Facets>,
    /// A catalog page's rows per query, exactly at the catalog generation (no lag): never older
    /// than the database, and concurrent readers after a write read them once.
    pub rows: LaggingCache<CatalogQuery, Vec<ServiceRow>>,
    /// Service page data per slug and day (staleness is counted in days), exactly at the catalog
    /// generation, read once by concurrent readers after a write.
    pub services: LaggingCache<(String, chrono::NaiveDate), Arc<ServiceDetail>>,
    /// A page of the API's service list per query, exactly at the catalog generation.
    pub api_services: LaggingCache<ServiceList, ApiServicePage>,
    /// The catalog page's results (facets, table, pager) as HTML: rendering, not SQL, was most
    /// of a catalog page's cost.
    pub catalog_html: RenderCache,
    /// A service page's body as HTML (keyed by its data and the reader's right to edit).
    pub service_html: RenderCache,
    /// The catalog's error-budget facet per (filter, catalog generation), at the SLO status
    /// generation.
    pub budgets: LaggingCache<(CatalogFilter, i64), Vec<crate::domain::catalog::FacetValue>>,
    /// Pushed SLO counts per SLO, push and minute (see `CountsKey`).
    pub slo_counts: SloCountsCache,
    /// A page of `/slos` per (query, catalog generation), at the SLO status generation: the
    /// evaluator's writes and any catalog change both make a new entry.
    pub slo_list: LaggingCache<
        (crate::domain::slo_list::SloListQuery, i64),
        crate::domain::slo_list::SloListPage,
    >,
    /// A page of `/incidents` per (query, facet generation), at the learning generation.
    pub incidents: LaggingCache<
        (crate::domain::incident_list::IncidentListQuery, i64),
        crate::domain::incident_list::IncidentPage,
    >,
    /// A page of `/actions` per (key, facet generation), at the learning generation.
    pub actions: LaggingCache<(ActionsKey, i64), crate::domain::action_list::ActionPage>,
    /// Postmortem search results per (search, facet generation), at the learning generation.
    pub postmortem_search:
        LaggingCache<(SearchKey, i64), Vec<crate::domain::postmortem_view::SearchHit>>,
}

impl Default for ReadCache {
    fn default() -> Self {
        ReadCache::with_facets_lag(FACETS_MAX_LAG)
    }
}

impl ReadCache {
    /// The caches, with facet counts allowed to lag a write by `lag` (tests vary it).
    pub fn with_facets_lag(lag: Duration) -> Self {
        // A catalog page's data and HTML are ~60 KB together, a service page's 5-80 KB, a page
        // of the API's list up to ~1 MB. In all, the caches hold at most 184 MiB.
        ReadCache {
            facets: LaggingCache::new(lag, 2048, 8 << 20, |k, v| json_bytes(k) + json_bytes(v)),
            rows: LaggingCache::new(Duration::ZERO, 1024, 32 << 20, |k, v| {
                json_bytes(k) + json_bytes(v)
            }),
            services: LaggingCache::new(Duration::ZERO, 2048, 32 << 20, |k, v| {
                json_bytes(k) + json_bytes(&**v)
            }),
            api_services: LaggingCache::new(Duration::ZERO, 128, 16 << 20, |k, v| {
                json_bytes(&k.filter)
                    + k.after.as_ref().map_or(0, |c| c.name.len())
                    + json_bytes(&v.0)
            }),
            catalog_html: RenderCache::new(48 << 20),
            service_html: RenderCache::new(48 << 20),
            budgets: LaggingCache::new(Duration::ZERO, 2048, 4 << 20, |k, v| {
                json_bytes(&k.0) + json_bytes(v)
            }),
            // ~200 bytes each.
            slo_counts: SloCountsCache::new(50_000),
            slo_list: LaggingCache::new(Duration::ZERO, 512, 16 << 20, |k, v| {
                json_bytes(&k.0) + json_bytes(v)
            }),
            incidents: LaggingCache::new(Duration::ZERO, 512, 16 << 20, |k, v| {
                json_bytes(&k.0) + json_bytes(v)
            }),
            actions: LaggingCache::new(Duration::ZERO, 512, 16 << 20, |k, v| {
                json_bytes(&k.0) + json_bytes(v)
            }),
            postmortem_search: LaggingCache::new(Duration::ZERO, 512, 8 << 20, |k, v| {
                json_bytes(&k.0) + json_bytes(v)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn render_cache_hits_only_the_same_input_and_stays_within_its_bytes() {
        let c = RenderCache::new(100);
        c.put(b"a".to_vec(), "<p>a</p>".into());
        assert_eq!(c.get(b"a").as_deref(), Some("<p>a</p>"));
        assert_eq!(c.get(b"b"), None, "other data is another entry");
        for i in 0..50 {
            c.put(format!("key{i}").into_bytes(), "0123456789".into());
            assert!(c.bytes() <= 100, "{} bytes", c.bytes());
        }
        assert_eq!(c.get(b"a"), None, "the oldest went first");
        assert!(c.get(b"key49").is_some(), "the newest stays");
        c.put(vec![0; 200], "too big".into());
        assert!(c.get(&[0; 200]).is_none());
    }

    fn counter_cache(lag_ms: u64) -> LaggingCache<&'static str, usize> {
        LaggingCache::new(Duration::from_millis(lag_ms), 16, 1 << 20, |k, _| {
            k.len() + 8
        })
    }

    /// Few entries, but each large: the byte bound holds where the entry bound would not, and
    /// an answer too large to keep is still returned.
    #[tokio::test]
    async fn lagging_cache_stays_within_its_bytes() {
        let c: LaggingCache<String, String> =
            LaggingCache::new(Duration::ZERO, 1000, 1 << 20, |k, v| k.len() + v.len());
        for i in 0..100 {
            let v = c
                .get_or_compute(&format!("q{i}"), 1, || async { Ok("x".repeat(100 << 10)) })
                .await
                .unwrap();
            assert_eq!(v.len(), 100 << 10);
            assert!(c.bytes() <= 1 << 20, "{} bytes", c.bytes());
        }
        assert!(c.len() >= 5, "it still caches: {} entries", c.len());
        let huge = c
            .get_or_compute(&"big".to_string(), 1, || async { Ok("x".repeat(1 << 20)) })
            .await
            .unwrap();
        assert_eq!(huge.len(), 1 << 20);
        assert!(c.bytes() <= 1 << 20);
        // Replacing an entry counts it once.
        let before = c.bytes();
        c.get_or_compute(&"q99".to_string(), 2, || async {
            Ok("y".repeat(100 << 10))
        })
        .await
        .unwrap();
        assert!(
            c.bytes() <= before + (100 << 10),
            "{} > {before}",
            c.bytes()
        );
    }

    #[tokio::test]
    async fn lagging_entry_is_reused_at_its_generation_and_within_the_lag() {
        let c = counter_cache(60_000);
        let n = AtomicUsize::new(0);
        let count = || async { Ok(n.fetch_add(1, Ordering::SeqCst)) };
        assert_eq!(c.get_or_compute(&"a", 1, count).await.unwrap(), 0);
        assert_eq!(c.get_or_compute(&"a", 1, count).await.unwrap(), 0);
        // A newer generation, but within the lag: still the old value.
        assert_eq!(c.get_or_compute(&"a", 2, count).await.unwrap(), 0);
        assert_eq!(n.load(Ordering::SeqCst), 1);

        let c = counter_cache(0);
        assert_eq!(c.get_or_compute(&"a", 1, count).await.unwrap(), 1);
        assert_eq!(c.get_or_compute(&"a", 1, count).await.unwrap(), 1);
        // No lag allowed: a newer generation recomputes.
        assert_eq!(c.get_or_compute(&"a", 2, count).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn concurrent_misses_compute_once() {
        let c = Arc::new(counter_cache(0));
        let n = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (c, n) = (c.clone(), n.clone());
                tokio::spawn(async move {
                    c.get_or_compute(&"a", 1, || async {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(n.fetch_add(1, Ordering::SeqCst))
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 0, "every reader got the one computation");
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
        assert_eq!((c.stats.hits(), c.stats.misses()), (7, 1));
    }

    /// One slow recomputation of "a" at generation 2 while another reader asks for it.
    async fn second_reader_during_a_recompute(lag_ms: u64) -> (usize, Duration) {
        let c = Arc::new(counter_cache(lag_ms));
        c.get_or_compute(&"a", 1, || async { Ok(10) })
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(lag_ms + 5)).await;
        let slow = {
            let c = c.clone();
            tokio::spawn(async move {
                c.get_or_compute(&"a", 2, || async {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    Ok(20)
                })
                .await
                .unwrap()
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let v = c
            .get_or_compute(&"a", 2, || async { Ok(99) })
            .await
            .unwrap();
        let waited = started.elapsed();
        assert_eq!(slow.await.unwrap(), 20);
        assert_eq!(
            c.get_or_compute(&"a", 2, || async { Ok(99) })
                .await
                .unwrap(),
            20
        );
        (v, waited)
    }

    #[tokio::test]
    async fn with_a_lag_the_others_keep_the_outdated_value_meanwhile() {
        let (v, waited) = second_reader_during_a_recompute(1).await;
        assert_eq!(v, 10, "served the previous value, did not compute again");
        assert!(
            waited < Duration::from_millis(100),
            "did not wait: {waited:?}"
        );
    }

    #[tokio::test]
    async fn without_a_lag_the_others_wait_for_the_new_value() {
        let (v, waited) = second_reader_during_a_recompute(0).await;
        assert_eq!(v, 20, "never the outdated value, and not computed twice");
        assert!(waited >= Duration::from_millis(100), "waited: {waited:?}");
    }

    #[tokio::test]
    async fn lagging_cache_stays_bounded() {
        let c = counter_cache(60_000);
        let keys: Vec<&'static str> = (0..100)
            .map(|i| &*Box::leak(format!("k{i}").into_boxed_str()))
            .collect();
        for k in &keys {
            c.get_or_compute(k, 1, || async { Ok(1) }).await.unwrap();
            assert!(c.len() <= 16);
        }
    }
}

/// What an SLO's pushed counts over its windows are a function of: the SLO, its window's start,
/// the pushes so far (every push moves `pushes` on, in the transaction that stores it) and the
/// moment they are judged at, a whole minute. The roll-up keeps sums exactly, and retention
/// only drops counts older than any window, so neither changes the value under a key: an entry
/// is correct by construction and needs no invalidation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CountsKey {
    pub slo: i64,
    pub window_start: chrono::DateTime<chrono::Utc>,
    pub pushed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub pushes: i64,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// SLO counts by `CountsKey`: the service page's SLO section reads them on every view, and
/// they change at most once a minute per SLO.
#[derive(Debug)]
pub struct SloCountsCache {
    inner: Mutex<std::collections::HashMap<CountsKey, crate::domain::slo::SloCounts>>,
    max_entries: usize,
}

impl SloCountsCache {
    pub fn new(max_entries: usize) -> Self {
        SloCountsCache {
            inner: Mutex::new(std::collections::HashMap::new()),
            max_entries,
        }
    }

    pub fn get(&self, k: &CountsKey) -> Option<crate::domain::slo::SloCounts> {
        self.inner.lock().ok()?.get(k).cloned()
    }

    pub fn put(&self, k: CountsKey, v: crate::domain::slo::SloCounts) {
        let Ok(mut m) = self.inner.lock() else { return };
        // Keys of past minutes are never asked for again: when full, start afresh.
        if m.len() >= self.max_entries {
            m.clear();
        }
        m.insert(k, v);
    }

    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
