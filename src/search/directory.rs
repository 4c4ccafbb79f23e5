//! The two tantivy [`Directory`] implementations search needs.
//!
//! - [`BundleDirectory`] serves an index straight from byte slices (in the learner app,
//!   slices of the memory-mapped bundle file): nothing is copied or extracted, and nothing
//!   is ever written. Writes fail, the lock is granted without a lock file, and `watch` is
//!   a no-op, so the reader must use `ReloadPolicy::Manual`.
//! - [`TrackingRamDirectory`] wraps tantivy's `RamDirectory` while an index is built and
//!   remembers the names of the files written, because `RamDirectory` cannot list them.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::Directory;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    DirectoryLock, FileHandle, FileSlice, Lock, OwnedBytes, RamDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("search index is read-only: {}", path.display()),
    )
}

/// A read-only directory over files given as bytes.
#[derive(Debug, Clone)]
pub struct BundleDirectory {
    files: Arc<HashMap<PathBuf, OwnedBytes>>,
    /// Write attempts seen (each one was refused); tests check it stays at zero.
    write_attempts: Arc<AtomicUsize>,
}

impl BundleDirectory {
    pub fn new(files: Vec<(String, OwnedBytes)>) -> Self {
        BundleDirectory {
            files: Arc::new(
                files
                    .into_iter()
                    .map(|(name, bytes)| (PathBuf::from(name), bytes))
                    .collect(),
            ),
            write_attempts: Arc::default(),
        }
    }

    /// How many times tantivy tried to write, delete or create something here.
    pub fn write_attempts(&self) -> usize {
        self.write_attempts.load(Ordering::Relaxed)
    }

    fn refuse(&self, path: &Path) -> io::Error {
        self.write_attempts.fetch_add(1, Ordering::Relaxed);
        read_only(path)
    }

    fn bytes(&self, path: &Path) -> Result<&OwnedBytes, OpenReadError> {
        self.files
            .get(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }
}

impl Directory for BundleDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        Ok(Arc::new(self.bytes(path)?.clone()))
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        Ok(FileSlice::new(Arc::new(self.bytes(path)?.clone())))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(self.refuse(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(self.refuse(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        Ok(self.bytes(path)?.as_slice().to_vec())
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(self.refuse(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        // Nobody can write here, so readers need no protection from a writer's GC.
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// `RamDirectory` plus the set of file names currently present.
#[derive(Debug, Clone, Default)]
pub struct TrackingRamDirectory {
    inner: RamDirectory,
    names: Arc<Mutex<BTreeSet<PathBuf>>>,
}

impl TrackingRamDirectory {
    fn names(&self) -> std::sync::MutexGuard<'_, BTreeSet<PathBuf>> {
        // A poisoned set is still a correct set: every update is a single insert/remove.
        self.names.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The names of all files present, sorted.
    pub fn file_names(&self) -> Vec<PathBuf> {
        self.names()
            .iter()
            .filter(|p| self.inner.exists(p).unwrap_or(false))
            .cloned()
            .collect()
    }
}

impl Directory for TrackingRamDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)?;
        self.names().remove(path);
        Ok(())
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let w = self.inner.open_write(path)?;
        self.names().insert(path.to_path_buf());
        Ok(w)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)?;
        self.names().insert(path.to_path_buf());
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}
