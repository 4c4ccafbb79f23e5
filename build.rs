//! Builds the shipped exercise plugins (`plugins/quiz`, `plugins/karel`) for
//! `wasm32-wasip1` and embeds them: `src/sandbox/shipped.rs` includes the generated
//! `$OUT_DIR/shipped_plugins.rs`.
//!
//! The plugins are workspace members, built by a nested `cargo build --release --target
//! wasm32-wasip1 --locked` with its own target directory (`<target>/wasm-plugins`), shared by
//! debug, release, test and clippy runs so a plugin is compiled once per change. The outer
//! build's settings that would leak into the nested one (flags, wrappers such as
//! clippy-driver, the host target, the target dir) are removed from its environment; the
//! make jobserver is kept, so both builds share the machine's job slots. Plugin profile
//! settings (size-optimised, LTO, abort on panic, stripped) are given to the nested build
//! by `CARGO_PROFILE_RELEASE_*` variables so the workspace's own release profile is untouched,
//! and a larger initial linear memory by the wasm target's rustflags (`WASM_RUSTFLAGS`).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// (name the host looks plugins up by, cargo package, binary name).
const PLUGINS: &[(&str, &str, &str)] = &[
    ("binary", "aktovka-binary", "binary"),
    ("karel", "aktovka-karel", "karel"),
    ("password", "aktovka-password", "password"),
    ("quiz", "aktovka-quiz", "quiz"),
    ("spreadsheet", "aktovka-spreadsheet", "spreadsheet"),
];
const WASM_TARGET: &str = "wasm32-wasip1";

/// The nested build's release profile.
const PROFILE: [(&str, &str); 8] = [
    ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "s"),
    ("CARGO_PROFILE_RELEASE_LTO", "true"),
    ("CARGO_PROFILE_RELEASE_PANIC", "abort"),
    ("CARGO_PROFILE_RELEASE_STRIP", "true"),
    ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1"),
    ("CARGO_PROFILE_RELEASE_DEBUG", "false"),
    ("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "false"),
    ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "false"),
];

/// Linker settings of the nested build: 2 MiB of linear memory from the start (stack,
/// data and the heap a grading needs), so a call does not `memory.grow`. A grown memory
/// has to be shrunk back (an `mprotect` and a TLB flush) before the host's next fresh
/// instance of the plugin; that was a fifth of a quiz grading's time. Not more: resetting a
/// used instance scans every page of its memory for writes, and that scan grows with it.
const WASM_RUSTFLAGS: (&str, &str) = (
    "CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS",
    "-C link-arg=--initial-memory=2097152",
);

/// Variables the outer cargo sets (or the user set for the outer build) that must not
/// reach the nested build; prefixes end with `_`.
const LEAKY_ENV: [&str; 30] = [
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_BUILD_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "NUM_JOBS",
    "OPT_LEVEL",
    "DEBUG",
    "PROFILE",
    "CARGO_CFG_",
    "CARGO_FEATURE_",
    "CARGO_PKG_",
    "CARGO_PROFILE_",
    "CARGO_TARGET_",
    "CARGO_BIN_",
];

fn main() -> ExitCode {
    match build() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: building the shipped exercise plugins failed\n{message}");
            ExitCode::FAILURE
        }
    }
}

fn build() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    watch(&manifest_dir.join("plugins"))?;
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=Cargo.toml");

    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    require_wasm_target(&rustc)?;

    let wasm_target_dir = outer_target_dir(&out_dir).join("wasm-plugins");
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(&manifest_dir)
        .args(["build", "--release", "--locked", "--target", WASM_TARGET])
        .arg("--manifest-path")
        .arg(manifest_dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&wasm_target_dir);
    for &(_, package, _) in PLUGINS {
        command.args(["-p", package]);
    }
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaks = LEAKY_ENV.iter().any(|leaky| {
            if leaky.ends_with('_') {
                key.starts_with(leaky)
            } else {
                key == *leaky
            }
        });
        if leaks {
            command.env_remove(key);
        }
    }
    command
        .envs(PROFILE)
        .env(WASM_RUSTFLAGS.0, WASM_RUSTFLAGS.1)
        .env("RUSTC", &rustc);
    let output = command
        .output()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&cargo).display()))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo build --release --target {WASM_TARGET} -p aktovka-quiz -p aktovka-karel` failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }

    let built = wasm_target_dir.join(WASM_TARGET).join("release");
    let mut generated = String::from(
        "// Generated by build.rs: the shipped plugins, sorted by name.\n\
         static SHIPPED: &[(&str, &[u8])] = &[\n",
    );
    for (name, _, binary) in PLUGINS {
        let from = built.join(format!("{binary}.wasm"));
        let to = out_dir.join(format!("{name}.wasm"));
        fs::copy(&from, &to)
            .map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
        let literal = format!("{:?}", to.display().to_string());
        generated.push_str(&format!("    ({name:?}, include_bytes!({literal})),\n"));
    }
    generated.push_str("];\nstatic NAMES: &[&str] = &[");
    for (name, _, _) in PLUGINS {
        generated.push_str(&format!("{name:?}, "));
    }
    generated.push_str("];\n");
    let path = out_dir.join("shipped_plugins.rs");
    fs::write(&path, generated).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn env_var(key: &str) -> Result<String, String> {
    env::var(key).map_err(|_| format!("cargo did not set {key}"))
}

/// Asks cargo to rerun when any file under `dir` changes, except build output. Files, not
/// directories: cargo scans a watched directory recursively, `target/` included. A new
/// file matters only once an existing one (`lib.rs`, `Cargo.toml`) names it.
fn watch(dir: &Path) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if entry.file_name() != "target" {
                watch(&path)?;
            }
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Ok(())
}

/// Fails early, with the fix, when the standard library for the wasm target is missing.
fn require_wasm_target(rustc: &std::ffi::OsStr) -> Result<(), String> {
    let missing = format!(
        "the Rust target {WASM_TARGET} is not installed; run `rustup target add {WASM_TARGET}`"
    );
    let output = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(rustc).display()))?;
    if !output.status.success() {
        return Err(missing);
    }
    let libdir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let has_std = fs::read_dir(&libdir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
    });
    if has_std { Ok(()) } else { Err(missing) }
}

/// The outer target directory: the ancestor of OUT_DIR holding cargo's `CACHEDIR.TAG`
/// (`<target>/[<triple>/]<profile>/build/<pkg>-<hash>/out` otherwise).
fn outer_target_dir(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .or_else(|| out_dir.ancestors().nth(4))
        .unwrap_or(out_dir)
        .to_path_buf()
}
