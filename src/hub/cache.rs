//! The persistent response cache: an embedded SQLite database.
//!
//! Keyed by (endpoint, URL path and query); stores the status, body, ETag, commit sha, final URL
//! (after redirects) and fetch time. Never request headers, so never the token. Writes happen in
//! [`Cache::commit`]: all responses of one repo in one transaction, so a crawl killed at any
//! instant leaves whole repos or nothing, and a rerun refetches only what was not committed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension};

/// A cached HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedResponse {
    /// HTTP status of the final response.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// `ETag`, for revalidation.
    pub etag: Option<String>,
    /// `X-Repo-Commit` or the body's `sha`.
    pub sha: Option<String>,
    /// The path and query after redirects (differs for renamed repos).
    pub final_url: String,
    /// `X-Error-Code`, for error statuses.
    pub error_code: Option<String>,
    /// `X-Error-Message`, for error statuses (quoted in reasons).
    pub error_message: Option<String>,
    /// Pagination: the next page's URL (from `Link: rel="next"`).
    pub next: Option<String>,
    /// Listings: how many items the whole listing has (`X-Total-Count`).
    pub total: Option<u64>,
    /// When it was fetched (seconds since the epoch).
    pub fetched_at: u64,
}

/// Errors opening or using the cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The database could not be opened or created.
    #[error("cannot open cache {path}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A query failed.
    #[error("cache {path}")]
    Query {
        /// The database file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
}

/// The cache database.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// Seconds since the epoch, now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl Cache {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Cache, CacheError> {
        let err = |source| CacheError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = crate::db::open_connection(path).map_err(err)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS responses_v2 (
                 endpoint   TEXT NOT NULL,
                 url        TEXT NOT NULL,
                 status     INTEGER NOT NULL,
                 body       BLOB NOT NULL,
                 etag       TEXT,
                 sha        TEXT,
                 final_url  TEXT NOT NULL,
                 error_code TEXT,
                 error_message TEXT,
                 next_url   TEXT,
                 total      INTEGER,
                 fetched_at INTEGER NOT NULL,
                 PRIMARY KEY (endpoint, url)
             );",
        )
        .map_err(err)?;
        Ok(Cache {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Looks up a URL.
    pub fn get(&self, endpoint: &str, url: &str) -> Result<Option<CachedResponse>, CacheError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.query_row(
            "SELECT status, body, etag, sha, final_url, error_code, next_url, fetched_at, error_message, total
             FROM responses_v2 WHERE endpoint = ?1 AND url = ?2",
            params![endpoint, url],
            |r| {
                Ok(CachedResponse {
                    status: r.get(0)?,
                    body: r.get(1)?,
                    etag: r.get(2)?,
                    sha: r.get(3)?,
                    final_url: r.get(4)?,
                    error_code: r.get(5)?,
                    next: r.get(6)?,
                    fetched_at: r.get::<_, i64>(7)?.max(0) as u64,
                    error_message: r.get(8)?,
                    total: r.get::<_, Option<i64>>(9)?.map(|t| t.max(0) as u64),
                })
            },
        )
        .optional()
        .map_err(|source| CacheError::Query {
            path: self.path.clone(),
            source,
        })
    }

    /// Stores several responses in one transaction (all of one repo, or one listing).
    pub fn commit(
        &self,
        endpoint: &str,
        entries: &[(String, CachedResponse)],
    ) -> Result<(), CacheError> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let q = |source| CacheError::Query {
            path: self.path.clone(),
            source,
        };
        let tx = conn.transaction().map_err(q)?;
        for (url, r) in entries {
            tx.execute(
                "INSERT OR REPLACE INTO responses_v2
                 (endpoint, url, status, body, etag, sha, final_url, error_code, next_url, fetched_at, error_message, total)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    endpoint,
                    url,
                    r.status,
                    r.body,
                    r.etag,
                    r.sha,
                    r.final_url,
                    r.error_code,
                    r.next,
                    r.fetched_at as i64,
                    r.error_message,
                    r.total.map(|t| t as i64)
                ],
            )
            .map_err(q)?;
        }
        tx.commit().map_err(q)
    }

    /// Marks an entry fresh again (after a 304 revalidation).
    pub fn touch(&self, endpoint: &str, url: &str) -> Result<(), CacheError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute(
            "UPDATE responses_v2 SET fetched_at = ?3 WHERE endpoint = ?1 AND url = ?2",
            params![endpoint, url, now_secs() as i64],
        )
        .map(|_| ())
        .map_err(|source| CacheError::Query {
            path: self.path.clone(),
            source,
        })
    }

    /// All cached URLs for an endpoint (for tests and `--verbose` diagnostics).
    pub fn urls(&self, endpoint: &str) -> Result<Vec<String>, CacheError> {
        let conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let q = |source| CacheError::Query {
            path: self.path.clone(),
            source,
        };
        let mut stmt = conn
            .prepare("SELECT url FROM responses_v2 WHERE endpoint = ?1 ORDER BY url")
            .map_err(q)?;
        let rows = stmt
            .query_map(params![endpoint], |r| r.get::<_, String>(0))
            .map_err(q)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(&dir.path().join("sub/cache.sqlite")).unwrap();
        let r = CachedResponse {
            status: 200,
            body: b"{}".to_vec(),
            etag: Some("\"e\"".into()),
            sha: None,
            final_url: "/api/models/a/b".into(),
            error_code: None,
            error_message: None,
            next: None,
            total: None,
            fetched_at: 5,
        };
        assert_eq!(c.get("http://h", "/api/models/a/b").unwrap(), None);
        c.commit("http://h", &[("/api/models/a/b".into(), r.clone())])
            .unwrap();
        assert_eq!(c.get("http://h", "/api/models/a/b").unwrap(), Some(r));
        assert_eq!(c.get("http://other", "/api/models/a/b").unwrap(), None);
        c.touch("http://h", "/api/models/a/b").unwrap();
        assert!(
            c.get("http://h", "/api/models/a/b")
                .unwrap()
                .unwrap()
                .fetched_at
                > 5
        );
        assert_eq!(c.urls("http://h").unwrap(), vec!["/api/models/a/b"]);
    }
}
