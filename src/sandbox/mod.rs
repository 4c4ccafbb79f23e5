//! The sandbox: runs exercise plugins (WASI preview 1 command modules) safely.
//!
//! A plugin is untrusted code from a course (a teacher's, or anyone's who handed them a
//! `.wasm`). [`Sandbox`] is the one wasmtime host of the process; it owns:
//!
//! - one [`wasmtime::Engine`] with fuel (the deterministic CPU budget), epoch interruption
//!   (a wall-clock deadline as the backstop, driven by one ticker thread that sleeps while
//!   no call runs) and a wasm stack limit;
//! - a linker with only `wasi_snapshot_preview1` in it, reduced to stdin/stdout/stderr, a
//!   virtual clock and seeded randomness ([`wasi`](self) module docs say how);
//! - compiled modules, in memory as ready-to-instantiate `InstancePre`s keyed by the
//!   module's sha256, and on disk in a cache directory (see `cache.rs`);
//! - a pool of instance slots (wasmtime's pooling allocator): address space reserved once,
//!   a slot kept mapped for the plugin that used it last and reset in place by copying
//!   back only the pages a call wrote. A fresh instance then costs a few microseconds
//!   instead of mapping and unmapping memory per call; calls beyond the pool's size wait
//!   for a free slot (`pool_slots` says how many).
//!
//! Every call gets a fresh `Store` with its own limits and is dropped afterwards; breaking
//! any limit ends that call with a typed [`SandboxError`] and the next call works as usual.
//! All limits live in [`SandboxLimits`]. [`abi`] holds the typed requests and responses,
//! [`PluginExerciseChecker`] is what `aktovka check` uses to run exercises.
//!
//! ```no_run
//! use aktovka::sandbox::Sandbox;
//! # fn main() -> Result<(), aktovka::sandbox::SandboxError> {
//! let sandbox = Sandbox::new(None)?;
//! let wasm = std::fs::read("plugins/quiz.wasm").unwrap_or_default();
//! let quiz = sandbox.load("quiz", &wasm)?;
//! let task = serde_json::json!({"kind": "number", "question": "2+2?", "answer": 4});
//! let verdict = sandbox.check(&quiz, &task, "4", 7, "cs")?;
//! println!("{} {}", verdict.score, verdict.feedback_md);
//! # Ok(()) }
//! ```

pub mod abi;
mod cache;
mod checker;
pub mod shipped;
mod wasi;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use wasmtime::{
    Config, Enabled, Engine, ExternType, InstanceAllocationStrategy, InstancePre, Linker, Module,
    PoolingAllocationConfig, Store, Trap,
};

pub use abi::{CheckItem, CheckResponse, InputKind, RenderResponse, TaskError, ValidateResponse};
pub use checker::PluginExerciseChecker;
pub use shipped::{shipped_plugin, shipped_plugin_names};

use abi::BorrowedRequest;
use cache::ModuleCache;
use wasi::{CallState, GuestExit, OutputOverflow, WASI_MODULE};

/// Every limit a plugin call runs under. `Default` is the policy (design §4); tests and
/// benchmarks may tighten it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Fuel per call (about one unit per wasm instruction): the deterministic CPU budget.
    pub fuel: u64,
    /// Wall-clock deadline per call, enforced by epoch interruption; the backstop for what
    /// fuel does not count.
    pub deadline: Duration,
    /// Largest linear memory, in bytes.
    pub memory_bytes: usize,
    /// Largest table, in elements.
    pub table_elements: usize,
    /// Largest wasm call stack, in bytes (an engine setting: fixed per [`Sandbox`]).
    pub wasm_stack_bytes: usize,
    /// Largest stdout (the response), in bytes.
    pub stdout_bytes: usize,
    /// Largest stderr (diagnostics for the plugin author), in bytes.
    pub stderr_bytes: usize,
    /// Largest module, in bytes.
    pub module_bytes: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        const MIB: usize = 1 << 20;
        SandboxLimits {
            fuel: 400_000_000,
            deadline: Duration::from_secs(1),
            memory_bytes: 64 * MIB,
            table_elements: 100_000,
            wasm_stack_bytes: 512 << 10,
            stdout_bytes: MIB,
            stderr_bytes: 64 << 10,
            module_bytes: 16 * MIB,
        }
    }
}

/// How often the epoch ticker advances the engine's epoch while calls run; the deadline's
/// resolution.
const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Why a plugin call (or loading a plugin) failed. [`SandboxError::kind`] is the stable short
/// name shown to users and written to logs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SandboxError {
    /// The named plugin is neither a course-local file nor a shipped plugin.
    #[error("plugin `{0}` not found: not in the course's plugins/ and not shipped with aktovka")]
    NotFound(String),
    /// Occurs when a call runs past the wall-clock deadline.
    #[error("the plugin ran longer than {} ms", .0.as_millis())]
    Timeout(Duration),
    /// Occurs when a call uses up its fuel (too much computation).
    #[error("the plugin used up its fuel ({0} units): too much computation")]
    Fuel(u64),
    /// Occurs when a plugin asks for more linear memory (or table) than allowed.
    #[error("the plugin asked for more than {} MiB of memory", .0 >> 20)]
    Memory(usize),
    /// Occurs when a plugin writes more than the cap to stdout or stderr.
    #[error("the plugin wrote more than {limit} bytes to {stream}")]
    OutputTooLarge { stream: &'static str, limit: usize },
    /// Occurs when the plugin traps (unreachable, out-of-bounds access, stack overflow…).
    #[error("{0}")]
    Trap(String),
    /// Occurs when the plugin calls `proc_exit` with a non-zero code.
    #[error("the plugin exited with code {0}")]
    Exit(i32),
    /// Occurs when the plugin ends normally but its stdout is not a valid response.
    #[error("{0}")]
    BadResponse(String),
    /// Occurs when the plugin answers `{"error": "…"}`: it refused the request.
    #[error("{0}")]
    PluginError(String),
    /// Occurs at load when the module imports anything outside `wasi_snapshot_preview1`.
    #[error("{0}")]
    ForbiddenImport(String),
    /// Occurs at load when the bytes are not a valid WASI command module within limits.
    #[error("{0}")]
    InvalidModule(String),
    /// Occurs when the host itself cannot run (engine set-up failed).
    #[error("the sandbox could not start: {0}")]
    Engine(String),
}

impl SandboxError {
    /// The stable short name of the error (design §1): `timeout`, `fuel`, `memory`,
    /// `output-too-large`, `trap`, `bad-response`, `plugin-error`, `forbidden-import`,
    /// `invalid-module`, `not-found`, `engine`.
    pub fn kind(&self) -> &'static str {
        match self {
            SandboxError::NotFound(_) => "not-found",
            SandboxError::Timeout(_) => "timeout",
            SandboxError::Fuel(_) => "fuel",
            SandboxError::Memory(_) => "memory",
            SandboxError::OutputTooLarge { .. } => "output-too-large",
            SandboxError::Trap(_) | SandboxError::Exit(_) => "trap",
            SandboxError::BadResponse(_) => "bad-response",
            SandboxError::PluginError(_) => "plugin-error",
            SandboxError::ForbiddenImport(_) => "forbidden-import",
            SandboxError::InvalidModule(_) => "invalid-module",
            SandboxError::Engine(_) => "engine",
        }
    }
}

/// A loaded plugin, ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct PluginModule {
    name: String,
    sha256: [u8; 32],
    pre: InstancePre<CallState>,
}

impl PluginModule {
    /// The plugin's name (its only argv entry).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sha256 of the module bytes, hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

impl std::fmt::Debug for PluginModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginModule")
            .field("name", &self.name)
            .field("sha256", &self.sha256_hex())
            .finish()
    }
}

/// Everything one raw call produced.
#[derive(Debug)]
pub struct CallReport {
    /// The response, or why there is none.
    pub outcome: Result<Value, SandboxError>,
    /// What the plugin wrote to stderr (capped), for the plugin author.
    pub stderr: Vec<u8>,
    /// Fuel the call consumed.
    pub fuel_used: u64,
}

/// The process's plugin host. Create one and share it (`&Sandbox` or `Arc<Sandbox>`): it is
/// `Send + Sync`, and calls from several threads run in parallel.
pub struct Sandbox {
    engine: Engine,
    linker: Linker<CallState>,
    limits: SandboxLimits,
    cache: Option<ModuleCache>,
    modules: Mutex<HashMap<[u8; 32], InstancePre<CallState>>>,
    ticker: EpochTicker,
    /// Bounds the calls running at once to the pool's slots (`None`: no pool).
    gate: Option<SlotGate>,
}

impl Sandbox {
    /// A host with the default limits; compiled modules are cached in `cache_dir` (created
    /// on first use) when given.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Sandbox, SandboxError> {
        Sandbox::with_limits(SandboxLimits::default(), cache_dir)
    }

    /// A host with explicit limits.
    pub fn with_limits(
        limits: SandboxLimits,
        cache_dir: Option<PathBuf>,
    ) -> Result<Sandbox, SandboxError> {
        let engine_err = |e: wasmtime::Error| SandboxError::Engine(format!("{e:#}"));
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(limits.wasm_stack_bytes)
            // Same request, same answer: floating-point NaNs and relaxed SIMD must not
            // depend on the CPU the check runs on.
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true);
        // The first allocation strategy this system accepts; the last one always works
        // where an engine can start at all.
        let slots = pool_slots();
        let mut last_error = None;
        let mut started = None;
        for strategy in allocation_strategies(&limits, slots) {
            let pooled = matches!(strategy, InstanceAllocationStrategy::Pooling(_));
            config.allocation_strategy(strategy);
            match Engine::new(&config) {
                Ok(engine) => {
                    started = Some((engine, pooled.then(|| SlotGate::new(slots as usize))));
                    break;
                }
                Err(e) => last_error = Some(e),
            }
        }
        let Some((engine, gate)) = started else {
            return Err(SandboxError::Engine(
                last_error.map_or_else(String::new, |e| format!("{e:#}")),
            ));
        };
        let linker = wasi::linker(&engine).map_err(engine_err)?;
        let cache = cache_dir.map(|dir| ModuleCache::new(dir, &engine));
        let ticker =
            EpochTicker::start(engine.clone()).map_err(|e| SandboxError::Engine(e.to_string()))?;
        Ok(Sandbox {
            engine,
            linker,
            limits,
            cache,
            modules: Mutex::new(HashMap::new()),
            ticker,
            gate,
        })
    }

    /// The limits calls run under.
    pub fn limits(&self) -> &SandboxLimits {
        &self.limits
    }

    /// Loads a plugin from its bytes: checks size, imports and exports, compiles it (or takes
    /// it from the memory or disk cache) and links it once.
    pub fn load(&self, name: &str, wasm: &[u8]) -> Result<PluginModule, SandboxError> {
        if wasm.len() > self.limits.module_bytes {
            return Err(SandboxError::InvalidModule(format!(
                "the module is {} bytes; the limit is {} bytes",
                wasm.len(),
                self.limits.module_bytes
            )));
        }
        let sha256: [u8; 32] = Sha256::digest(wasm).into();
        let known = self.lock_modules().get(&sha256).cloned();
        let pre = match known {
            Some(pre) => pre,
            None => {
                let pre = self.compile_and_link(wasm, &sha256)?;
                self.lock_modules().insert(sha256, pre.clone());
                pre
            }
        };
        Ok(PluginModule {
            name: name.to_owned(),
            sha256,
            pre,
        })
    }

    /// Loads a plugin file; its name is the file stem (`quiz.wasm` → `quiz`).
    pub fn load_file(&self, path: &Path) -> Result<PluginModule, SandboxError> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let wasm = std::fs::read(path)
            .map_err(|e| SandboxError::NotFound(format!("{} ({e})", path.display())))?;
        self.load(&name, &wasm)
    }

    fn lock_modules(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], InstancePre<CallState>>> {
        // The map only ever holds complete entries, so a panic elsewhere cannot leave it
        // half-updated: keep using it.
        self.modules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn compile_and_link(
        &self,
        wasm: &[u8],
        sha256: &[u8; 32],
    ) -> Result<InstancePre<CallState>, SandboxError> {
        let cached = self
            .cache
            .as_ref()
            .and_then(|c| c.load(&self.engine, sha256));
        let from_cache = cached.is_some();
        let module = match cached {
            Some(m) => m,
            None => Module::new(&self.engine, wasm).map_err(|e| {
                SandboxError::InvalidModule(format!("not a valid wasm module: {e:#}"))
            })?,
        };
        check_shape(&module)?;
        let pre = self
            .linker
            .instantiate_pre(&module)
            .map_err(|e| SandboxError::InvalidModule(format!("cannot link: {e:#}")))?;
        if !from_cache && let Some(cache) = &self.cache {
            // A cache write failure (read-only disk, full disk) only costs a recompile later.
            let _ = cache.store(sha256, &module);
        }
        Ok(pre)
    }

    /// One raw ABI call: `request` goes to stdin, stdout must be one JSON object. The
    /// request's `seed` (0 if absent) seeds the plugin's randomness.
    pub fn call_json(&self, plugin: &PluginModule, request: &Value) -> Result<Value, SandboxError> {
        self.call_json_report(plugin, request).outcome
    }

    /// [`Sandbox::call_json`] with the plugin's stderr and fuel use.
    pub fn call_json_report(&self, plugin: &PluginModule, request: &Value) -> CallReport {
        let seed = request.get("seed").and_then(Value::as_u64).unwrap_or(0);
        let stdin = serde_json::to_vec(request).unwrap_or_default();
        let raw = self.call_raw(plugin, stdin, seed);
        CallReport {
            outcome: raw.stdout.and_then(|out| parse_response(&out)),
            stderr: raw.stderr,
            fuel_used: raw.fuel_used,
        }
    }

    /// [`Sandbox::call_json`] for the host's own requests, serialised from their parts.
    fn call_borrowed(
        &self,
        plugin: &PluginModule,
        request: &BorrowedRequest<'_>,
    ) -> Result<Value, SandboxError> {
        let stdin = serde_json::to_vec(request).unwrap_or_default();
        let raw = self.call_raw(plugin, stdin, request.seed.unwrap_or(0));
        raw.stdout.and_then(|out| parse_response(&out))
    }

    /// Runs `_start` once on a fresh instance with `stdin`; returns stdout or the reason.
    fn call_raw(&self, plugin: &PluginModule, stdin: Vec<u8>, seed: u64) -> RawCall {
        // Held until the store (and with it the instance's pool slot) is gone.
        let _slot = self.gate.as_ref().map(SlotGate::enter);
        let _running = self.ticker.enter();
        let state = CallState::new(&plugin.name, stdin, seed, &self.limits);
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        let setup = store.set_fuel(self.limits.fuel);
        // +1: the first tick may come at once, so n+1 ticks last at least n periods.
        let ticks = (self.limits.deadline.as_millis() / EPOCH_TICK.as_millis()) as u64 + 1;
        store.set_epoch_deadline(ticks);
        store.epoch_deadline_trap();
        let run = setup.and_then(|()| {
            let instance = plugin.pre.instantiate(&mut store)?;
            let memory = instance.get_memory(&mut store, "memory");
            store.data_mut().memory = memory;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            start.call(&mut store, ())
        });
        let fuel_used = self.limits.fuel - store.get_fuel().unwrap_or(0);
        let state = store.into_data();
        let stdout = match run {
            Ok(()) => Ok(()),
            Err(e) => self.classify(&e, &state),
        };
        let (out, err) = state.into_output();
        RawCall {
            stdout: stdout.map(|()| out),
            stderr: err,
            fuel_used,
        }
    }

    /// Maps a failed run to its typed error; `Ok` for `proc_exit(0)`.
    fn classify(&self, e: &wasmtime::Error, state: &CallState) -> Result<(), SandboxError> {
        if let Some(GuestExit(code)) = e.downcast_ref::<GuestExit>() {
            return if *code == 0 {
                Ok(())
            } else {
                Err(SandboxError::Exit(*code))
            };
        }
        if let Some(o) = e.downcast_ref::<OutputOverflow>() {
            return Err(SandboxError::OutputTooLarge {
                stream: o.stream,
                limit: o.limit,
            });
        }
        if state.limiter.exceeded {
            return Err(SandboxError::Memory(self.limits.memory_bytes));
        }
        Err(match e.downcast_ref::<Trap>() {
            Some(Trap::OutOfFuel) => SandboxError::Fuel(self.limits.fuel),
            Some(Trap::Interrupt) => SandboxError::Timeout(self.limits.deadline),
            Some(Trap::StackOverflow) => SandboxError::Trap(format!(
                "call stack exhausted (limit {} KiB)",
                self.limits.wasm_stack_bytes >> 10
            )),
            Some(trap) => SandboxError::Trap(
                trap.to_string()
                    .trim_start_matches("wasm trap: ")
                    .to_owned(),
            ),
            None => SandboxError::Trap(format!("{e:#}")),
        })
    }

    /// Asks the plugin to judge a task.
    pub fn validate(
        &self,
        plugin: &PluginModule,
        task: &Value,
    ) -> Result<ValidateResponse, SandboxError> {
        abi::parse_validate(self.call_borrowed(plugin, &BorrowedRequest::validate(task))?)
    }

    /// Asks the plugin what to show for a task.
    pub fn render(
        &self,
        plugin: &PluginModule,
        task: &Value,
        lang: &str,
        seed: u64,
    ) -> Result<RenderResponse, SandboxError> {
        abi::parse_render(self.call_borrowed(plugin, &BorrowedRequest::render(task, lang, seed))?)
    }

    /// Grades one answer.
    pub fn check(
        &self,
        plugin: &PluginModule,
        task: &Value,
        answer: &str,
        seed: u64,
        lang: &str,
    ) -> Result<CheckResponse, SandboxError> {
        abi::parse_check(
            self.call_borrowed(plugin, &BorrowedRequest::check(task, answer, seed, lang))?,
        )
    }
}

struct RawCall {
    stdout: Result<Vec<u8>, SandboxError>,
    stderr: Vec<u8>,
    fuel_used: u64,
}

/// A module is a WASI command: imports only from `wasi_snapshot_preview1`, exports `_start`
/// (no parameters, no results) and `memory`.
fn check_shape(module: &Module) -> Result<(), SandboxError> {
    for import in module.imports() {
        if import.module() != WASI_MODULE {
            return Err(SandboxError::ForbiddenImport(format!(
                "{}::{}",
                import.module(),
                import.name()
            )));
        }
    }
    match module.get_export("_start") {
        Some(ExternType::Func(f)) if f.params().len() == 0 && f.results().len() == 0 => {}
        Some(_) => {
            return Err(SandboxError::InvalidModule(
                "`_start` must be a function without parameters or results".to_owned(),
            ));
        }
        None => {
            return Err(SandboxError::InvalidModule(
                "no `_start` export: build the plugin as a WASI command (a `main`), not a library"
                    .to_owned(),
            ));
        }
    }
    if !matches!(module.get_export("memory"), Some(ExternType::Memory(_))) {
        return Err(SandboxError::InvalidModule(
            "no exported `memory`".to_owned(),
        ));
    }
    Ok(())
}

/// Parses a plugin's stdout as one JSON object.
fn parse_response(stdout: &[u8]) -> Result<Value, SandboxError> {
    let text = std::str::from_utf8(stdout)
        .map_err(|_| SandboxError::BadResponse("stdout is not UTF-8".to_owned()))?;
    if text.trim().is_empty() {
        return Err(SandboxError::BadResponse(
            "the plugin wrote nothing to stdout".to_owned(),
        ));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let start: String = text.chars().take(60).collect();
        SandboxError::BadResponse(format!(
            "stdout is not one JSON value ({e}); it starts {start:?}"
        ))
    })?;
    if !value.is_object() {
        return Err(SandboxError::BadResponse(
            "the response must be a JSON object".to_owned(),
        ));
    }
    Ok(value)
}

/// How many instances the pool holds, so how many calls run at once (more wait): twice the
/// cores, at least 8 (a slot stays mapped for the plugin that last used it, so a few plugins
/// alternating do not evict each other) and at most 32. Each slot reserves, but never
/// commits, 4 GiB of address space plus guard pages: that is what lets compiled plugin code
/// skip bounds checks.
fn pool_slots() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    (2 * cores).clamp(8, 32) as u32
}

/// Dirty linear memory, per instance, that is reset in place (copied back from the
/// module's image or zeroed) when a call ends, instead of being handed back to the kernel
/// and faulted in again by the next call. A small plugin dirties a few hundred KiB.
const KEEP_RESIDENT_BYTES: usize = 4 << 20;

/// How the engine may allocate instances, best first:
///
/// 1. a pool whose slots stay mapped between calls and are reset by scanning for the pages
///    a call wrote (Linux ≥ 6.7, `PAGEMAP_SCAN`): a call then costs microseconds;
/// 2. the same pool resetting memory without the scan (`madvise`), elsewhere;
/// 3. memory mapped and unmapped per call, where the pool's address space is refused
///    (a tight `ulimit -v`): slower, the same limits.
fn allocation_strategies(limits: &SandboxLimits, slots: u32) -> [InstanceAllocationStrategy; 3] {
    let pool = |scan: bool| {
        let mut pool = PoolingAllocationConfig::new();
        pool.total_memories(slots)
            .total_tables(slots)
            .total_core_instances(slots)
            .total_component_instances(0)
            // Calls run on the caller's stack, never on async fiber stacks; the default pool
            // of 1000 such stacks (2 MiB each, a guard page each) would cost a thousand
            // system calls at start-up for nothing.
            .total_stacks(0)
            .max_memories_per_module(1)
            .max_tables_per_module(4)
            .max_memory_size(limits.memory_bytes)
            .table_elements(limits.table_elements);
        if scan {
            pool.pagemap_scan(Enabled::Yes)
                .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
                .table_keep_resident(KEEP_RESIDENT_BYTES / 16);
        }
        InstanceAllocationStrategy::Pooling(pool)
    };
    [
        pool(true),
        pool(false),
        InstanceAllocationStrategy::OnDemand,
    ]
}

/// A counting semaphore over the pool's slots: a call beyond the pool's size waits for a
/// free slot instead of failing.
struct SlotGate {
    free: Mutex<usize>,
    freed: Condvar,
}

impl SlotGate {
    fn new(slots: usize) -> SlotGate {
        SlotGate {
            free: Mutex::new(slots),
            freed: Condvar::new(),
        }
    }

    fn enter(&self) -> SlotGuard<'_> {
        // The count is only ever changed by whole steps: a poisoned lock still holds a
        // consistent value.
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a SlotGate);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] while calls run, and parks when a whole
/// tick passed without any call, so an idle learner app costs no wake-ups. A busy host
/// keeps ticking, so a call only pays for two atomic increments, not a thread wake-up.
struct EpochTicker {
    shared: Arc<TickerShared>,
    thread: Option<JoinHandle<()>>,
}

struct TickerShared {
    /// Calls running now.
    running: AtomicUsize,
    /// Calls ever started; tells the ticker whether a call came and went since its last tick.
    started: AtomicUsize,
    /// The ticker is (about to be) parked and needs an unpark.
    parked: AtomicBool,
    stop: AtomicBool,
}

impl TickerShared {
    fn idle_since(&self, seen: usize) -> bool {
        self.running.load(Ordering::SeqCst) == 0 && self.started.load(Ordering::SeqCst) == seen
    }
}

impl EpochTicker {
    fn start(engine: Engine) -> std::io::Result<EpochTicker> {
        let shared = Arc::new(TickerShared {
            running: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            parked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
        });
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("aktovka-epoch".to_owned())
            .spawn(move || {
                let mut seen = 0;
                while !s.stop.load(Ordering::SeqCst) {
                    if s.idle_since(seen) {
                        s.parked.store(true, Ordering::SeqCst);
                        // Re-check after announcing: a call that started in between either
                        // shows up here or sees `parked` and unparks us.
                        if s.idle_since(seen) && !s.stop.load(Ordering::SeqCst) {
                            std::thread::park();
                        }
                        s.parked.store(false, Ordering::SeqCst);
                        continue;
                    }
                    seen = s.started.load(Ordering::SeqCst);
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })?;
        Ok(EpochTicker {
            shared,
            thread: Some(thread),
        })
    }

    /// Marks a call as running until the guard drops.
    fn enter(&self) -> RunningGuard<'_> {
        self.shared.started.fetch_add(1, Ordering::SeqCst);
        self.shared.running.fetch_add(1, Ordering::SeqCst);
        if self.shared.parked.load(Ordering::SeqCst)
            && let Some(t) = &self.thread
        {
            t.thread().unpark();
        }
        RunningGuard(&self.shared)
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}

struct RunningGuard<'a>(&'a TickerShared);

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}
