//! Renders every sample chart into a directory (default `/tmp/report-samples`) to look at.
//!
//! `cargo run -p modelci-report --example samples -- [DIR]`

#[path = "../tests/it/fixtures.rs"]
mod fixtures;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/report-samples".into()),
    );
    std::fs::create_dir_all(&dir)?;
    for (stem, chart) in fixtures::all() {
        modelci_report::render(&chart, &dir, stem)?;
        if let Some(m) = modelci_report::mermaid::xychart(&chart) {
            std::fs::write(dir.join(format!("{stem}.mmd")), m)?;
        }
    }
    Ok(())
}
