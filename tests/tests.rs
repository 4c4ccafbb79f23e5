//! The one integration test binary: each module tests one feature through the real
//! `aktovka` binary or the library, on fixtures under `tests/fixtures/` or built in temp
//! directories. Nothing here needs `../shared` or the network.

mod util;

mod browser;
mod bundle_hostile;
mod course_build;
mod course_check;
mod dashboard;
mod import_mdbook;
mod laptop_sync;
mod learner;
mod plugin_binary_password;
mod plugin_spreadsheet;
mod progress;
mod sandbox;
mod school;
mod search;
mod sync;
mod tls;
mod webdriver;
