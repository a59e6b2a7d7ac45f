//! Sets `cfg(wwqa_shared_data)` when `../shared/data` exists beside the
//! crate. Tests that read that data carry
//! `#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]`:
//! they run where the data is (CI) and elsewhere are listed as ignored with
//! that reason and counted in the harness's summary line, never passed
//! silently. After adding the data to a checkout already built, run
//! `touch build.rs` once so the check is made again.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wwqa_shared_data)");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let data = Path::new(&manifest).join("../shared/data");
    if data.is_dir() {
        // Removing the data (or changing it) makes the check run again.
        println!("cargo::rerun-if-changed={}", data.display());
        println!("cargo::rustc-cfg=wwqa_shared_data");
    }
}
