//! The shared real data that some tests read: `../shared/data` beside the
//! crate, never copied into it.
//!
//! A test that reads it is marked
//! `#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]`
//! (the build script sets the cfg when the directory exists) and takes its
//! paths from [`shared_data`]. Without the data, `cargo test` lists it as
//! ignored with that reason and counts it in its summary line; with the
//! data, it runs.

use std::path::PathBuf;

/// The path of `relative` (e.g. `dialogue_jddc/jddc_chat_sample.tsv`)
/// under `../shared/data`.
///
/// # Panics
/// The file is absent: a test marked as above only runs when the directory
/// exists, so a missing file there is a failure, not a skip.
pub fn shared_data(relative: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative);
    assert!(
        path.exists(),
        "needs ../shared/data/{relative}: the directory is there but not this file"
    );
    path
}
