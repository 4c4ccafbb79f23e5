//! aktovka carries digital-skills courses to school laptops and back.
//!
//! A teacher writes a course as a folder of markdown ([`course`]), checks it and packs it
//! into one offline bundle file ([`bundle`]) that holds rendered lessons ([`render`]), a
//! full-text index ([`search`]) and the WASM plugins that grade its exercises
//! ([`sandbox`]). Pupils open bundles offline; schools sync progress to a server.
//!
//! The binary (`src/main.rs`) is a thin command line over this library: every command maps
//! its arguments to a call into one of these modules.

pub mod build;
pub mod bundle;
pub mod course;
pub mod diag;
pub mod import;
pub mod learner;
pub mod paths;
pub mod progress;
pub mod render;
pub mod sandbox;
pub mod search;
pub mod server;
pub mod sync;
pub mod text;

/// The generator string written into every bundle manifest.
pub const GENERATOR: &str = concat!("aktovka ", env!("CARGO_PKG_VERSION"));
