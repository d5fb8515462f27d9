//! The links index of a snapshot directory, kept in the cache database: for each entry, the
//! (upstream, downstream) pairs its files declared and the stamps of those files when they were
//! read. A downward trace needs every entry's links (who names this repo as a parent?); with
//! the index, an entry whose files are unchanged costs two `stat` calls instead of two opens, a
//! read and a card parse. An entry whose stamps differ, or that the index has not seen, is read
//! as before and its row replaced. The index is only ever a shortcut: without it (no cache, a
//! locked or broken database, a platform without `ctime`) every entry is read.

use foldhash::HashMap;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

use super::dir::Stamp;
use crate::id::{RepoId, RepoKind};

/// A file changed less than this before the index is written is not trusted to the index: a
/// second change within the file system's timestamp granularity would look like no change.
const RACY_NS: i64 = 2_000_000_000;

/// An entry as the index remembers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    pub(super) readme: Stamp,
    pub(super) info: Stamp,
    /// The pairs, encoded (see [`encode_pairs`]); decoded only for entries that are unchanged.
    pub(super) pairs: Box<str>,
}

/// The index of one snapshot root in one cache database.
pub(super) struct LinksIndex {
    conn: Connection,
    root: i64,
}

/// What the index was built by: links depend on the parsing rules, so an index written by
/// another build of the tool is dropped. `None` when the running program cannot be told apart
/// from another (then no index is used).
fn rules() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        mtime.as_nanos()
    ))
}

fn stamp_columns(s: Stamp) -> [Option<i64>; 4] {
    match s {
        Stamp::Absent => [None; 4],
        Stamp::File {
            ino,
            size,
            mtime_ns,
            ctime_ns,
        } => [
            Some(ino as i64),
            Some(size as i64),
            Some(mtime_ns),
            Some(ctime_ns),
        ],
    }
}

fn stamp_of(c: [Option<i64>; 4]) -> Option<Stamp> {
    match c {
        [None, None, None, None] => Some(Stamp::Absent),
        [Some(ino), Some(size), Some(mtime_ns), Some(ctime_ns)] => Some(Stamp::File {
            ino: ino as u64,
            size: size as u64,
            mtime_ns,
            ctime_ns,
        }),
        _ => None,
    }
}

/// Whether a stamp is old enough (against `now_ns`) to be trusted to the index.
fn settled(s: Stamp, now_ns: i64) -> bool {
    match s {
        Stamp::Absent => true,
        Stamp::File {
            mtime_ns, ctime_ns, ..
        } => mtime_ns.max(ctime_ns) < now_ns.saturating_sub(RACY_NS),
    }
}

fn kind_char(k: RepoKind) -> char {
    match k {
        RepoKind::Model => 'm',
        RepoKind::Dataset => 'd',
        RepoKind::Space => 's',
    }
}

fn encode_id(out: &mut String, id: &RepoId) {
    out.push(kind_char(id.kind()));
    out.push_str(id.name());
}

fn decode_id(s: &str) -> Option<RepoId> {
    let mut chars = s.chars();
    let kind = match chars.next()? {
        'm' => RepoKind::Model,
        'd' => RepoKind::Dataset,
        's' => RepoKind::Space,
        _ => return None,
    };
    let name = chars.as_str();
    let id = RepoId::parse(name, kind).ok()?;
    (id.kind() == kind && id.name() == name).then_some(id)
}

/// Pairs as text: one `upstream\tdownstream` line each, ids as a kind letter and the name
/// (names hold neither tabs nor newlines).
pub(super) fn encode_pairs(pairs: &[(RepoId, RepoId)]) -> Box<str> {
    let mut out = String::new();
    for (up, down) in pairs {
        encode_id(&mut out, up);
        out.push('\t');
        encode_id(&mut out, down);
        out.push('\n');
    }
    out.into_boxed_str()
}

/// The pairs [`encode_pairs`] wrote; `None` when the text is not what it writes.
pub(super) fn decode_pairs(text: &str) -> Option<Vec<(RepoId, RepoId)>> {
    text.lines()
        .map(|line| {
            let (up, down) = line.split_once('\t')?;
            Some((decode_id(up)?, decode_id(down)?))
        })
        .collect()
}

/// Nanoseconds since the epoch, now.
fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

impl LinksIndex {
    /// Opens (creating if needed) the index of the snapshot at `root` in the database at `db`.
    /// A database written by another build drops its rows for this root.
    pub(super) fn open(db: &Path, root: &Path) -> Result<LinksIndex, rusqlite::Error> {
        let unusable = || rusqlite::Error::InvalidPath(root.to_path_buf());
        let rules = rules().ok_or_else(unusable)?;
        let root = std::fs::canonicalize(root).map_err(|_| unusable())?;
        let root = root.to_str().ok_or_else(unusable)?.to_owned();
        let conn = crate::db::open_connection(db)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS snapshot_roots (
                 id    INTEGER PRIMARY KEY,
                 root  TEXT NOT NULL UNIQUE,
                 rules TEXT NOT NULL
             );
             CREATE TABLE IF NOT EXISTS snapshot_links (
                 root  INTEGER NOT NULL,
                 entry TEXT NOT NULL,
                 readme_ino INTEGER, readme_size INTEGER, readme_mtime INTEGER, readme_ctime INTEGER,
                 info_ino INTEGER, info_size INTEGER, info_mtime INTEGER, info_ctime INTEGER,
                 pairs TEXT NOT NULL,
                 PRIMARY KEY (root, entry)
             ) WITHOUT ROWID;",
        )?;
        let known: Option<(i64, String)> = conn
            .query_row(
                "SELECT id, rules FROM snapshot_roots WHERE root = ?1",
                [&root],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let id = match known {
            Some((id, was)) if was == rules => id,
            Some((id, _)) => {
                let tx = conn.unchecked_transaction()?;
                tx.execute("DELETE FROM snapshot_links WHERE root = ?1", [id])?;
                tx.execute(
                    "UPDATE snapshot_roots SET rules = ?2 WHERE id = ?1",
                    params![id, rules],
                )?;
                tx.commit()?;
                id
            }
            None => {
                conn.execute(
                    "INSERT INTO snapshot_roots (root, rules) VALUES (?1, ?2)",
                    params![root, rules],
                )?;
                conn.last_insert_rowid()
            }
        };
        Ok(LinksIndex { conn, root: id })
    }

    /// Every row of this root, by entry (its path under the root, `/`-separated). Rows that do
    /// not read back as written are left out (their entries are read).
    pub(super) fn load(&self) -> Result<HashMap<String, Row>, rusqlite::Error> {
        let mut stmt = self.conn.prepare(
            "SELECT entry, readme_ino, readme_size, readme_mtime, readme_ctime,
                    info_ino, info_size, info_mtime, info_ctime, pairs
             FROM snapshot_links WHERE root = ?1",
        )?;
        let mut rows = stmt.query([self.root])?;
        let mut out = HashMap::default();
        while let Some(r) = rows.next()? {
            let cols = |from: usize| -> Result<[Option<i64>; 4], rusqlite::Error> {
                Ok([
                    r.get(from)?,
                    r.get(from + 1)?,
                    r.get(from + 2)?,
                    r.get(from + 3)?,
                ])
            };
            let (Some(readme), Some(info)) = (stamp_of(cols(1)?), stamp_of(cols(5)?)) else {
                continue;
            };
            let pairs: String = r.get(9)?;
            out.insert(
                r.get(0)?,
                Row {
                    readme,
                    info,
                    pairs: pairs.into_boxed_str(),
                },
            );
        }
        Ok(out)
    }

    /// Replaces the rows of `changed` and removes those of `gone`, in one transaction. Rows
    /// with a file changed in the last two seconds are not written (see [`RACY_NS`]).
    pub(super) fn store(
        &mut self,
        changed: &[(String, Row)],
        gone: &[String],
    ) -> Result<(), rusqlite::Error> {
        let now = now_ns();
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare(
                "INSERT OR REPLACE INTO snapshot_links VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            let mut del =
                tx.prepare("DELETE FROM snapshot_links WHERE root = ?1 AND entry = ?2")?;
            for (entry, row) in changed {
                if !(settled(row.readme, now) && settled(row.info, now)) {
                    del.execute(params![self.root, entry])?;
                    continue;
                }
                let [a, b, c, d] = stamp_columns(row.readme);
                let [e, f, g, h] = stamp_columns(row.info);
                put.execute(params![
                    self.root,
                    entry,
                    a,
                    b,
                    c,
                    d,
                    e,
                    f,
                    g,
                    h,
                    &*row.pairs
                ])?;
            }
            for entry in gone {
                del.execute(params![self.root, entry])?;
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> RepoId {
        RepoId::parse(s, RepoKind::Model).unwrap()
    }

    #[test]
    fn pairs_read_back_as_written_and_anything_else_is_refused() {
        let pairs = vec![
            (id("Org/Base"), id("q/m-GGUF")),
            (id("datasets/org/data"), id("gpt2")),
            (id("q/m-GGUF"), id("spaces/s/demo")),
        ];
        let text = encode_pairs(&pairs);
        assert_eq!(decode_pairs(&text), Some(pairs));
        assert_eq!(decode_pairs(""), Some(vec![]));
        for bad in [
            "xorg/a\tmq/b\n",
            "morg/a\n",
            "m\tmq/b\n",
            "morg/a\tm/bad name\n",
        ] {
            assert_eq!(decode_pairs(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rows_come_back_and_recent_changes_are_not_trusted() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("cache.sqlite");
        let snap = tmp.path().join("snap");
        std::fs::create_dir_all(&snap).unwrap();
        let old = Stamp::File {
            ino: 7,
            size: 120,
            mtime_ns: 1_000_000_000,
            ctime_ns: 1_500_000_000,
        };
        let fresh = Stamp::File {
            ino: 7,
            size: 120,
            mtime_ns: 1_000_000_000,
            ctime_ns: now_ns(),
        };
        let row = |readme, pairs: &str| Row {
            readme,
            info: Stamp::Absent,
            pairs: pairs.into(),
        };
        let mut ix = LinksIndex::open(&db, &snap).unwrap();
        ix.store(
            &[
                ("models/a/b".into(), row(old, "morg/x\tma/b\n")),
                ("models/a/c".into(), row(fresh, "")),
            ],
            &[],
        )
        .unwrap();
        drop(ix);
        let ix = LinksIndex::open(&db, &snap).unwrap();
        let rows = ix.load().unwrap();
        assert_eq!(rows.len(), 1, "a file changed just now is not indexed");
        assert_eq!(rows["models/a/b"], row(old, "morg/x\tma/b\n"));
        let mut ix = ix;
        ix.store(&[], &["models/a/b".into()]).unwrap();
        assert!(ix.load().unwrap().is_empty());
        // Another snapshot root shares the database but not the rows.
        let other = tmp.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        let mut ix2 = LinksIndex::open(&db, &other).unwrap();
        ix2.store(&[("models/a/b".into(), row(old, ""))], &[])
            .unwrap();
        assert!(LinksIndex::open(&db, &snap)
            .unwrap()
            .load()
            .unwrap()
            .is_empty());
    }

    /// Children of `parents` as a source without an index and one with it see them, and what
    /// the index saved.
    fn children_both_ways(
        snap: &Path,
        db: &Path,
        parents: &[&str],
    ) -> (
        Vec<Vec<String>>,
        Vec<Vec<String>>,
        super::super::snapshot::IndexUse,
    ) {
        use super::super::{Child, SnapshotSource, Source};
        let ids: Vec<RepoId> = parents.iter().map(|p| id(p)).collect();
        let kids = |src: &mut SnapshotSource| -> Vec<Vec<String>> {
            let recs = src.fetch(&ids);
            src.children(&recs)
                .into_iter()
                .map(|c| {
                    c.into_iter()
                        .map(|c| match c {
                            Child::Id(i) => i.node_id(),
                            Child::Record(r) => r.id.node_id(),
                        })
                        .collect()
                })
                .collect()
        };
        let plain = kids(&mut SnapshotSource::open(snap).unwrap());
        let mut indexed = SnapshotSource::open(snap).unwrap().with_links_index(db);
        let got = kids(&mut indexed);
        (plain, got, indexed.index_use().expect("the index was used"))
    }

    #[test]
    fn an_indexed_snapshot_answers_as_reading_it_would_and_notices_every_change() {
        let tmp = tempfile::tempdir().unwrap();
        let snap = tmp.path().join("snap");
        let db = tmp.path().join("cache.sqlite");
        let card = |dir: &str, text: &str| {
            let d = snap.join(dir);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("README.md"), text).unwrap();
        };
        card("models/org/base", "---\nlicense: mit\n---\nBase.\n");
        card(
            "models/a/ft",
            "---\nbase_model: org/base\n---\nA fine-tune.\n",
        );
        card("models/b/q-GGUF", "---\nbase_model: a/ft\n---\nGGUF.\n");
        card(
            "models/c/other",
            "---\nbase_model: org/else\n---\nUnrelated.\n",
        );
        card("datasets/org/data", "---\nlicense: cc-by-4.0\n---\n");
        card("models/d/uses-data", "---\ndatasets: [org/data]\n---\n");
        // Files changed in the last two seconds are not indexed (their next change could
        // keep every stamp): wait them out once.
        std::thread::sleep(std::time::Duration::from_millis(2100));
        let parents = ["org/base", "a/ft", "datasets/org/data", "org/else"];

        let (plain, got, used) = children_both_ways(&snap, &db, &parents);
        assert_eq!(got, plain);
        assert_eq!(got[0], vec!["a/ft"]);
        assert_eq!(got[1], vec!["b/q-GGUF"]);
        assert_eq!(got[2], vec!["d/uses-data"]);
        assert_eq!((used.reused, used.gone), (0, 0), "{used:?}");
        assert!(used.written >= 2, "{used:?}");

        let (plain, got, used) = children_both_ways(&snap, &db, &parents);
        assert_eq!(got, plain);
        assert_eq!((used.written, used.gone), (0, 0), "{used:?}");
        assert!(
            used.reused >= 2,
            "unchanged entries come from the index: {used:?}"
        );

        // An edit that keeps the size and puts the old mtime back, a new entry, a removed
        // one, and an info.json added beside a README: each must show.
        let ft = snap.join("models/d/uses-data/README.md");
        let mtime = std::fs::metadata(&ft).unwrap().modified().unwrap();
        let edited = std::fs::read_to_string(&ft)
            .unwrap()
            .replace("org/data", "org/dat2");
        std::fs::write(&ft, edited).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&ft)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        card("models/e/new", "---\nbase_model: org/base\n---\nNew.\n");
        std::fs::remove_dir_all(snap.join("models/b/q-GGUF")).unwrap();
        std::fs::write(
            snap.join("models/c/other/info.json"),
            r#"{"id":"c/other","tags":["base_model:adapter:a/ft"],"cardData":{"base_model":"a/ft"}}"#,
        )
        .unwrap();
        let (plain, got, used) = children_both_ways(&snap, &db, &parents);
        assert_eq!(got, plain);
        assert_eq!(got[0], vec!["a/ft", "e/new"]);
        assert_eq!(got[1], vec!["c/other"]);
        assert!(got[2].is_empty(), "{got:?}");
        assert!(
            got[3].is_empty(),
            "info.json's cardData names c/other's base now: {got:?}"
        );
        // The three changed entries are read again (the parents are read anyway).
        assert_eq!((used.written, used.gone), (3, 1), "{used:?}");

        // A database that cannot be opened is no index, not an error.
        let (plain, got, _) = children_both_ways(&snap, &db, &parents);
        assert_eq!(got, plain);
        let mut src = super::super::SnapshotSource::open(&snap)
            .unwrap()
            .with_links_index(tmp.path().join("snap/models/org/base/README.md/no.sqlite"));
        let recs = super::super::Source::fetch(&mut src, &[id("org/base")]);
        let kids = super::super::Source::children(&mut src, &recs);
        assert_eq!(kids[0].len(), 2);
        assert_eq!(src.index_use(), None);
    }
}
