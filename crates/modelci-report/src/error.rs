//! The one error type of this crate.
//!
//! Report rendering fails for few reasons (a file cannot be written, a chart's data does not fit
//! together, the drawing library refuses), and each message names the file or chart involved so
//! a CI log alone is enough to act on it.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while rendering a report artefact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file or its temporary sibling could not be created, written or renamed.
    #[error("could not write `{}`", .path.display())]
    Write {
        /// The file that was being written (the final path, not the temporary one).
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The chart's data is inconsistent (for example a series shorter than its categories).
    #[error("chart {title:?} is invalid: {reason}")]
    InvalidChart {
        /// The chart's title, to find it in the calling code.
        title: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The drawing library failed while drawing the chart.
    #[error("could not draw chart {title:?} as {format}: {message}")]
    Draw {
        /// The chart's title.
        title: String,
        /// `PNG` or `SVG`.
        format: &'static str,
        /// The drawing library's message.
        message: String,
    },
    /// The PNG encoder failed.
    #[error("could not encode chart {title:?} as PNG")]
    Encode {
        /// The chart's title.
        title: String,
        /// The encoder's error.
        #[source]
        source: png::EncodingError,
    },
    /// The embedded font could not be parsed (a corrupted build; never expected).
    #[error("the embedded DejaVu Sans font could not be loaded")]
    Font,
}
