//! A directory whose files are opened relative to it: one path lookup for the directory, then
//! one short lookup per file under it (`openat`), where the platform has it. A snapshot of 100k
//! repos is otherwise mostly the kernel walking the same long path prefix again and again.
//! Also the buffers and the bounded read with which a snapshot's entries are read.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// A file read whole or in part (name, bytes), or the file that could not be read and why.
pub(super) type FileRead = Result<(String, Vec<u8>), (PathBuf, io::Error)>;

/// The files tools wrote, among `names` in `dir`, each read up to what its reader needs
/// ([`crate::files::wanted`]: one GGUF header, the small files whole up to 1 MiB), in name
/// order; a file that cannot be read is an error naming it.
pub(super) fn read_tool_files(dir: &Path, names: &[String]) -> Vec<FileRead> {
    use std::io::Read as _;
    let mut wanted = crate::files::wanted(names);
    wanted.sort();
    wanted
        .into_iter()
        .map(|(name, limit)| {
            let path = dir.join(&name);
            let mut bytes = Vec::new();
            match File::open(&path).and_then(|f| f.take(limit as u64).read_to_end(&mut bytes)) {
                Ok(_) => Ok((name, bytes)),
                Err(e) => Err((path, e)),
            }
        })
        .collect()
}

/// Files larger than this in a snapshot are not read (a finding says so).
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// An open directory (or, where `openat` is not available or the directory could not be
/// opened, just its path).
#[derive(Debug)]
pub(super) struct Dir {
    path: PathBuf,
    #[cfg(unix)]
    fd: Option<std::os::fd::OwnedFd>,
}

impl Dir {
    /// Opens `path`. Never fails: a directory that cannot be opened is used by its path, so the
    /// error surfaces (with the file's full name) when a file under it is opened.
    pub(super) fn open(path: &Path) -> Dir {
        Dir {
            path: path.to_path_buf(),
            #[cfg(unix)]
            fd: {
                use rustix::fs::{Mode, OFlags};
                let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
                rustix::fs::open(path, flags, Mode::empty()).ok()
            },
        }
    }

    /// The directory's path.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the file at `rel` under this directory for reading.
    pub(super) fn open_file(&self, rel: &Path) -> io::Result<File> {
        #[cfg(unix)]
        if let Some(fd) = &self.fd {
            use rustix::fs::{Mode, OFlags};
            let flags = OFlags::RDONLY | OFlags::CLOEXEC;
            return rustix::fs::openat(fd, rel, flags, Mode::empty())
                .map(File::from)
                .map_err(io::Error::from);
        }
        File::open(self.path.join(rel))
    }
}

/// What a file looked like when it was last read, for the links index to tell whether it may
/// have changed since: its inode, size and both timestamps (a `ctime` cannot be set back, so an
/// edit that restores size and `mtime` still shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stamp {
    /// There was no such file.
    Absent,
    /// The file as `stat` saw it.
    File {
        ino: u64,
        size: u64,
        mtime_ns: i64,
        ctime_ns: i64,
    },
}

impl Dir {
    /// The stamp of the file at `rel` under this directory; `None` when it cannot be told
    /// (a `stat` that fails other than with "not found", or a platform without `ctime`).
    pub(super) fn stamp(&self, rel: &Path) -> Option<Stamp> {
        #[cfg(unix)]
        {
            let st = match &self.fd {
                Some(fd) => rustix::fs::statat(fd, rel, rustix::fs::AtFlags::empty()),
                None => rustix::fs::stat(self.path.join(rel)),
            };
            let ns = |s: i64, n: u64| s.saturating_mul(1_000_000_000).saturating_add(n as i64);
            // The field types of `stat` differ between unix platforms: the casts are no-ops
            // only on some.
            #[allow(clippy::unnecessary_cast)]
            match st {
                Ok(st) => Some(Stamp::File {
                    ino: st.st_ino as u64,
                    size: st.st_size as u64,
                    mtime_ns: ns(st.st_mtime as i64, st.st_mtime_nsec as u64),
                    ctime_ns: ns(st.st_ctime as i64, st.st_ctime_nsec as u64),
                }),
                Err(rustix::io::Errno::NOENT) => Some(Stamp::Absent),
                Err(_) => None,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = rel;
            None
        }
    }
}

/// One reading thread's file buffers, reused from entry to entry (a fresh buffer per file
/// grows by doubling and costs the kernel fresh pages each time).
pub(super) struct Buffers {
    pub(super) info: Vec<u8>,
    pub(super) readme: Vec<u8>,
    /// The directory of the last entry's owner (entries are read in id order, so an owner's
    /// entries come together).
    pub(super) owner: Option<Dir>,
}

impl Buffers {
    const START: usize = 64 * 1024;
    /// A buffer that grew past this (a giant card) is let go after the entry.
    const KEEP: usize = 4 * 1024 * 1024;

    pub(super) fn new() -> Buffers {
        Buffers {
            info: Vec::with_capacity(Buffers::START),
            readme: Vec::with_capacity(Buffers::START),
            owner: None,
        }
    }

    pub(super) fn settle(&mut self) {
        for buf in [&mut self.info, &mut self.readme] {
            buf.clear();
            if buf.capacity() > Buffers::KEEP {
                *buf = Vec::with_capacity(Buffers::START);
            }
        }
    }
}

/// The owner directory of the entry at `dir` (opened into `slot`, or kept there from the last
/// entry) and the entry's name under it: files are opened relative to it.
pub(super) fn owner_of<'a, 'p>(slot: &'a mut Option<Dir>, dir: &'p Path) -> (&'a Dir, &'p Path) {
    let (parent, name) = match (dir.parent(), dir.file_name()) {
        (Some(p), Some(n)) => (p, Path::new(n)),
        _ => (dir, Path::new("")),
    };
    if !matches!(slot, Some(o) if o.path() == parent) {
        *slot = None;
    }
    (slot.get_or_insert_with(|| Dir::open(parent)), name)
}

/// Reads the file at `rel` under `dir` into `buf` (cleared first); false when there is no
/// such file or it cannot be read (then `problems` says why, naming it by `path`).
pub(super) fn read_optional(
    dir: &Dir,
    rel: &Path,
    path: &Path,
    buf: &mut Vec<u8>,
    problems: &mut Vec<String>,
) -> bool {
    use std::io::Read;
    buf.clear();
    // Open and read at most one byte past the limit: no separate stat per file (a snapshot
    // of 100k repos is otherwise mostly system calls).
    let file = match dir.open_file(rel) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        Err(e) => {
            problems.push(format!("{}: cannot read: {e}", path.display()));
            return false;
        }
    };
    let mut limited = (&file).take(MAX_FILE_BYTES + 1);
    if let Err(e) = limited.read_to_end(buf) {
        problems.push(format!("{}: cannot read: {e}", path.display()));
        return false;
    }
    if buf.len() as u64 > MAX_FILE_BYTES {
        let len = file.metadata().map_or(buf.len() as u64, |m| m.len());
        problems.push(format!(
            "{}: {} bytes, over the {} byte limit; not read",
            path.display(),
            len,
            MAX_FILE_BYTES
        ));
        buf.clear();
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_files_under_it_and_reports_what_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
        std::fs::write(tmp.path().join("a/b/README.md"), "hello").unwrap();
        let dir = Dir::open(&tmp.path().join("a"));
        let mut text = String::new();
        io::Read::read_to_string(
            &mut dir.open_file(Path::new("b/README.md")).unwrap(),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "hello");
        let err = dir.open_file(Path::new("b/info.json")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        // A directory that is not there: files under it are simply not found.
        let gone = Dir::open(&tmp.path().join("nope"));
        let err = gone.open_file(Path::new("README.md")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(gone.path(), tmp.path().join("nope"));
    }
}
