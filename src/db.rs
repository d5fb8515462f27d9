//! The embedded database (SQLite through rusqlite) that keeps the Hub cache and the links index
//! of directory snapshots: one way to open it, shared by both.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// A connection to the database at `path` (its directory created if needed), as every user of
/// the database opens it: WAL, normal sync, a 10 s wait for other writers.
pub(crate) fn open_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
    Ok(conn)
}
