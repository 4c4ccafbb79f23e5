//! Every limit a bundle reader enforces, in one place. They bound what a hostile bundle can
//! make a school laptop do: the sample course is about 1 MiB, the imported Rust book 10 MiB.

/// The bundle file itself.
pub const MAX_BUNDLE_BYTES: u64 = 2 << 30;
/// Entries in one bundle.
pub const MAX_ENTRIES: usize = 20_000;
/// One entry, uncompressed.
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// All entries together, uncompressed.
pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
/// `manifest.json`, uncompressed.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Uncompressed size / compressed size above which an entry is taken for a zip bomb...
pub const MAX_RATIO: u64 = 200;
/// ...when it is at least this large uncompressed (tiny entries compress oddly).
pub const RATIO_CHECK_FROM: u64 = 1 << 20;
/// Search index entries start at a multiple of this, so they can be memory-mapped in place.
pub const SEARCH_ALIGNMENT: usize = 4096;
