//! Builds the Tauri context. The UI is `../../ui/dist` (tauri.conf.json); when it has not been
//! built, the checked-in `placeholder/` page is embedded instead, so `cargo build` works on a
//! clean checkout. The switch goes through `TAURI_CONFIG` (merged into tauri.conf.json by both
//! tauri-build and `generate_context!`), keeping any `TAURI_CONFIG` the caller set.

use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let manifest_dir = Path::new(&manifest_dir);
    let ui = manifest_dir.join("../../ui");
    let dist = ui.join("dist");

    // Rebuild when the UI gets built (or rebuilt) or removed.
    if dist.is_dir() {
        println!("cargo:rerun-if-changed={}", dist.display());
    } else if ui.is_dir() {
        println!("cargo:rerun-if-changed={}", ui.display());
    }
    println!("cargo:rerun-if-changed=placeholder");
    println!("cargo:rerun-if-changed=tauri.conf.json");

    let mut overlay: serde_json::Value = std::env::var("TAURI_CONFIG")
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    if !dist.join("index.html").is_file() {
        println!(
            "cargo:warning=ui/dist is missing: the desktop app embeds a placeholder page; \
             build the UI with `cd ui && npm ci && npm run build` and rebuild"
        );
        overlay["build"]["frontendDist"] = serde_json::json!("placeholder");
    }
    if overlay.as_object().is_some_and(|o| !o.is_empty()) {
        let s = overlay.to_string();
        // For tauri-build (this process) and for `generate_context!` (the crate's compilation).
        std::env::set_var("TAURI_CONFIG", &s);
        println!("cargo:rustc-env=TAURI_CONFIG={s}");
    }
    tauri_build::build()
}
