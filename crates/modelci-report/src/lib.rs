//! Rendering primitives for modelci reports.
//!
//! Every modelci tool ends with a report that a reviewer reads in a pull/merge request comment
//! and as files next to it (`report.md`, charts as PNG and SVG). This crate holds what those
//! reports are built from, so they all look and behave the same:
//!
//! - **Charts** ([`GroupedBars`], [`DeltaBars`], [`HeatMap`], [`LineChart`], gathered in
//!   [`Chart`]) are plain serde data. [`render`] writes a chart as PNG and SVG
//!   ([`render_png`], [`render_svg`] and the in-memory [`render_png_bytes`] and
//!   [`render_svg_string`] also exist). Files are written atomically and the output is
//!   deterministic. Text uses the embedded DejaVu Sans font ([`font`]), colours the
//!   colour-blind-safe Okabe-Ito palette.
//! - **Mermaid** ([`mermaid`]) turns bar and line charts into `xychart-beta` blocks that GitHub
//!   and GitLab draw inline in comments.
//! - **Markdown** ([`escape`], [`markdown`]) makes user data (class names, file names) inert in
//!   Markdown and HTML, and builds tables, collapsible sections and formatted numbers.
//!
//! ```no_run
//! use modelci_report::{Chart, GroupedBars, Series, ValueFormat, render};
//!
//! let chart = Chart::from(GroupedBars {
//!     title: "Metrics: baseline vs candidate".into(),
//!     y_label: "score".into(),
//!     categories: vec!["accuracy".into(), "macro F1".into()],
//!     series: vec![
//!         Series::new("baseline", vec![0.91, 0.88]),
//!         Series::new("candidate", vec![0.93, 0.87]),
//!     ],
//!     y_range: Some((0.0, 1.0)),
//!     value_format: ValueFormat::Decimal { places: 3 },
//! });
//! let files = render(&chart, std::path::Path::new("report"), "metrics")?;
//! let inline = modelci_report::mermaid::xychart(&chart).map(|m| modelci_report::mermaid::fenced(&m));
//! # Ok::<(), modelci_report::ReportError>(())
//! ```

mod atomic;
mod chart;
#[cfg(feature = "check")]
pub mod check;
pub mod contact;
mod draw;
pub mod envelope;
mod error;
pub mod escape;
pub mod font;
pub mod markdown;
pub mod mermaid;
mod palette;
mod render;
mod svg_pictures;

pub use atomic::write_atomic;
pub use chart::{Chart, DeltaBars, GroupedBars, HeatMap, LineChart, Series, ValueFormat, XAxis};
pub use contact::{ContactSheet, Thumbnail, Tile, TileGroup};
pub use envelope::{ChartFile, Envelope, EnvelopeError, ToolName};
pub use error::ReportError;
pub use escape::{code_span, code_span_prose, escape_html, escape_markdown};
pub use render::{
    RenderedChart, chart_size, render, render_png, render_png_bytes, render_svg, render_svg_string,
};
