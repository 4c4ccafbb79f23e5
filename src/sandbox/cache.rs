//! The on-disk cache of compiled plugin modules.
//!
//! One file per (module sha256, engine compatibility hash):
//! `<dir>/<module-sha256>-<engine-hash>.cwasm`. Deserialising compiled code is `unsafe` in
//! wasmtime (the bytes become machine code), so a file is only trusted if it is exactly
//! what this cache wrote: a magic line, the module's sha256, the sha256 of the payload, then
//! the payload. Anything else (truncated, corrupt, another module's, another engine's) is
//! treated as a miss; the module is recompiled and the file replaced. Writes go to a temp
//! file renamed into place, so a reader never sees half a file. The cache is only ever an
//! optimisation: failing to read or write it never fails a call.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

const MAGIC: &[u8; 16] = b"aktovka-cwasm/1\n";
const HEADER_LEN: usize = MAGIC.len() + 32 + 32;

/// Where one engine keeps its compiled modules.
pub(crate) struct ModuleCache {
    dir: PathBuf,
    engine_hash: String,
}

impl ModuleCache {
    pub fn new(dir: PathBuf, engine: &Engine) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_hash = hex::encode(&hasher.0.finalize()[..8]);
        ModuleCache { dir, engine_hash }
    }

    pub fn path(&self, module_sha: &[u8; 32]) -> PathBuf {
        self.dir.join(format!(
            "{}-{}.cwasm",
            hex::encode(module_sha),
            self.engine_hash
        ))
    }

    /// The cached compiled module, if a valid file for this module and engine exists.
    pub fn load(&self, engine: &Engine, module_sha: &[u8; 32]) -> Option<Module> {
        let bytes = std::fs::read(self.path(module_sha)).ok()?;
        let payload = verified_payload(&bytes, module_sha)?;
        // SAFETY: the payload is byte-for-byte what `store` got from `Module::serialize` for
        // this very module (its sha256 is in the header and checked above), and the file
        // name carries this engine's compatibility hash; wasmtime re-checks the engine
        // compatibility itself and errors (a miss here) on a mismatch.
        unsafe { Module::deserialize(engine, payload) }.ok()
    }

    /// Writes `module` for later processes; errors are returned for the caller to ignore.
    pub fn store(&self, module_sha: &[u8; 32], module: &Module) -> std::io::Result<()> {
        let payload = module.serialize().map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        tmp.write_all(MAGIC)?;
        tmp.write_all(module_sha)?;
        tmp.write_all(&Sha256::digest(&payload))?;
        tmp.write_all(&payload)?;
        tmp.as_file().sync_all()?;
        tmp.persist(self.path(module_sha)).map_err(|e| e.error)?;
        Ok(())
    }
}

fn verified_payload<'a>(bytes: &'a [u8], module_sha: &[u8; 32]) -> Option<&'a [u8]> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return None;
    }
    let (sha_of_module, rest) = bytes[MAGIC.len()..].split_at(32);
    let (sha_of_payload, payload) = rest.split_at(32);
    if sha_of_module != module_sha || sha_of_payload != Sha256::digest(payload).as_slice() {
        return None;
    }
    Some(payload)
}

/// Feeds `Hash` output into sha256, so the file name is stable for a given engine build
/// (std's `DefaultHasher` makes no such promise).
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }
}

/// Every file in a cache directory, sorted; for tests that tamper with cache files.
#[cfg(test)]
pub(crate) fn files_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}
