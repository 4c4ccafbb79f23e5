//! Where aktovka keeps its data on a machine: `--data DIR`, else `$AKTOVKA_HOME`, else the
//! platform's data directory (`~/.local/share/aktovka` on Linux, `%APPDATA%\aktovka` on
//! Windows). Progress, installed bundles and the compiled-plugin cache live below it.

use std::path::{Path, PathBuf};

/// The data directory to use.
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("AKTOVKA_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    platform_data_dir().join("aktovka")
}

fn platform_data_dir() -> PathBuf {
    if cfg!(windows)
        && let Some(p) = std::env::var_os("APPDATA")
    {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("XDG_DATA_HOME").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".local").join("share"),
        None => std::env::temp_dir(),
    }
}

/// Where compiled plugin modules are cached.
pub fn module_cache_dir(data: &Path) -> PathBuf {
    data.join("cache").join("modules")
}
