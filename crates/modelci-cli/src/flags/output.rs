//! `--output-dir` and `--quiet`: where the report goes and how chatty the run is.

use std::path::PathBuf;

/// Where the report is written, and whether progress is shown.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Where report.md, report.json and the charts are written.
    #[arg(long, value_name = "DIR", default_value = "modelci-report")]
    pub output_dir: PathBuf,

    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}
