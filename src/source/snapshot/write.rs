//! Writing a snapshot directory from what a crawl read.

use std::fs;
use std::path::{Path, PathBuf};

use crate::id::{RepoId, RepoKind};

/// A snapshot directory could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}")]
pub struct WriteError {
    /// The file or directory.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// The directory beside an entry's `info.json` that holds the files tools wrote beside the card
/// (a name no repo can have, so it is never taken for one).
pub const FILES_DIR: &str = ".files";

/// Writes what a crawl read in the layout [`SnapshotSource`] reads: `<out>/<kind>/<id>/info.json`
/// (the API body, pretty-printed; the same JSON value), `README.md`, and under `.files/` the
/// files tools wrote beside the card as read (a GGUF file's first 256 KiB, never the weights),
/// one directory per repo, plus the three kind directories. Existing entries are overwritten. Returns how many repos
/// were written.
pub fn write_snapshot<'a>(
    out: &Path,
    repos: impl IntoIterator<Item = (&'a RepoId, &'a crate::source::hub::RawRepo)>,
) -> Result<usize, WriteError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    let mut written = 0;
    for (id, raw) in repos {
        let dir = out.join(id.kind().plural()).join(id.name());
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        if let Some(info) = &raw.info {
            let text = serde_json::from_slice::<serde_json::Value>(info)
                .ok()
                .and_then(|v| serde_json::to_vec_pretty(&v).ok())
                .unwrap_or_else(|| info.clone());
            let p = dir.join("info.json");
            fs::write(&p, text).map_err(io(&p))?;
        }
        if let Some(readme) = &raw.readme {
            let p = dir.join("README.md");
            fs::write(&p, readme).map_err(io(&p))?;
        }
        if !raw.files.is_empty() {
            let files = dir.join(FILES_DIR);
            fs::create_dir_all(&files).map_err(io(&files))?;
            for (name, bytes) in &raw.files {
                // Root files only: a name with a separator is not written.
                if name.contains(['/', '\\']) || name.starts_with('.') {
                    continue;
                }
                let p = files.join(name);
                fs::write(&p, bytes).map_err(io(&p))?;
            }
        }
        written += 1;
    }
    for kind in RepoKind::ALL {
        let d = out.join(kind.plural());
        fs::create_dir_all(&d).map_err(io(&d))?;
    }
    Ok(written)
}
