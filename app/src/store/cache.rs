//! Read results reused while the catalog is unchanged.
//!
//! `catalog_generation` is one row that statement triggers bump on every write to teams,
//! services, links, dependencies and tier policies, whoever makes it (this replica, another one,
//! psql). An entry is used only while the generation it was read at is still current, so a
//! cached page is never older than the database; nothing is kept between replicas, and nothing
//! needs invalidating by hand.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use sqlx::PgExecutor;

use crate::domain::catalog::{CatalogFilter, CatalogPage, CatalogQuery, Facets};
use crate::domain::service::ServiceDetail;
use crate::error::AppError;

/// The current catalog generation.
pub async fn generation(db: impl PgExecutor<'_>) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT value FROM catalog_generation")
        .fetch_one(db)
        .await?)
}

/// The generation this request already read (the sign-in gate reads it with the person), or the
/// current one. Either way it is read before the data it will key.
pub async fn generation_or_current(
    pool: &sqlx::PgPool,
    known: Option<i64>,
) -> Result<i64, AppError> {
    match known {
        Some(g) => Ok(g),
        None => generation(pool).await,
    }
}

/// A bounded map whose entries count only at the generation they were stored at.
#[derive(Debug)]
pub struct GenerationCache<K, V> {
    entries: Mutex<HashMap<K, (i64, V)>>,
    max: usize,
}

impl<K: Hash + Eq, V: Clone> GenerationCache<K, V> {
    pub fn new(max: usize) -> Self {
        GenerationCache {
            entries: Mutex::new(HashMap::new()),
            max,
        }
    }

    pub fn get(&self, key: &K, generation: i64) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` as read at `generation`. Callers read the generation *before* the data,
    /// so an entry can only be newer than its generation says, never older.
    pub fn put(&self, key: K, generation: i64, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max {
                // Entries from older generations are dead weight; drop them first. If that frees
                // nothing, drop an arbitrary eighth, not everything: a reader sending many
                // distinct queries then cannot empty the cache for everyone at once (bounded
                // memory beats a perfect LRU here).
                entries.retain(|_, (g, _)| *g >= generation);
                if entries.len() >= self.max {
                    let mut dropped = 0;
                    let to_drop = self.max / 8 + 1;
                    entries.retain(|_, _| {
                        dropped += 1;
                        dropped > to_drop
                    });
                }
            }
            entries.insert(key, (generation, value));
        }
    }
}

/// The caches the read pages use.
#[derive(Debug)]
pub struct ReadCache {
    /// Facet counts per filter (shared by every page and sort of that filter).
    pub facets: GenerationCache<CatalogFilter, Facets>,
    /// Whole catalog pages (rows and facets) per query.
    pub pages: GenerationCache<CatalogQuery, CatalogPage>,
    /// Service pages per slug and day (runbook staleness is counted in days).
    /// (Shared, not copied: a hit is only read.)
    pub services: GenerationCache<(String, NaiveDate), Arc<ServiceDetail>>,
    /// The catalog page's results (facets, table, pager) as rendered HTML, per query. That
    /// part of the page is the same for everyone who may read it, so it is rendered once per
    /// generation; rendering, not SQL, was most of a cached page's cost.
    pub catalog_html: GenerationCache<CatalogQuery, Arc<str>>,
    /// A service page's body as rendered HTML, per slug, day and whether the reader may edit it
    /// (all that differs between readers).
    pub service_html: GenerationCache<(String, NaiveDate, bool), Arc<str>>,
}

impl Default for ReadCache {
    fn default() -> Self {
        // Sizes bound memory: a catalog page is ~30 KB, a service page ~5-40 KB, a
        // catalog page's HTML ~35 KB.
        ReadCache {
            facets: GenerationCache::new(2048),
            pages: GenerationCache::new(512),
            services: GenerationCache::new(2048),
            catalog_html: GenerationCache::new(512),
            service_html: GenerationCache::new(2048),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_counts_only_at_its_generation() {
        let c = GenerationCache::new(4);
        c.put("a", 7, 1);
        assert_eq!(c.get(&"a", 7), Some(1));
        assert_eq!(c.get(&"a", 8), None, "a newer generation makes it stale");
        assert_eq!(c.get(&"b", 7), None);
    }

    #[test]
    fn full_cache_drops_older_generations_first_and_stays_bounded() {
        let c = GenerationCache::new(3);
        c.put("old", 1, 0);
        c.put("a", 2, 1);
        c.put("b", 2, 2);
        c.put("c", 2, 3);
        assert_eq!(c.get(&"a", 2), Some(1), "the current generation survives");
        assert_eq!(c.get(&"c", 2), Some(3));
        c.put("d", 2, 4);
        assert_eq!(c.entries.lock().unwrap().len(), 3, "one dropped, not all");
        assert_eq!(c.get(&"d", 2), Some(4));
    }
}
