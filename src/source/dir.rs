//! A directory whose files are opened relative to it: one path lookup for the directory, then
//! one short lookup per file under it (`openat`), where the platform has it. A snapshot of 100k
//! repos is otherwise mostly the kernel walking the same long path prefix again and again.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

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
