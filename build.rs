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
    println!("cargo::rustc-check-cfg=cfg(wwqa_chromium)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=WWQA_CHROMIUM");
    // The browser test (tests/browser.rs) runs where a headless Chromium
    // is installed, and is listed as ignored, with how to get one, elsewhere.
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
    };
    if std::env::var_os("WWQA_CHROMIUM").is_some()
        || [
            "chromium-headless-shell",
            "chromium",
            "google-chrome",
            "chrome",
        ]
        .into_iter()
        .any(on_path)
    {
        println!("cargo::rustc-cfg=wwqa_chromium");
    }
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let data = Path::new(&manifest).join("../shared/data");
    if data.is_dir() {
        // Removing the data (or changing it) makes the check run again.
        println!("cargo::rerun-if-changed={}", data.display());
        println!("cargo::rustc-cfg=wwqa_shared_data");
    }
}
