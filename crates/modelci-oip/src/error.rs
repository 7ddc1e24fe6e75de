//! What can go wrong talking to a model server.

/// Why a request to a model server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OipError {
    /// No connection to the server.
    #[error("cannot reach the model server at {url}{}: {message}", if *.seconds > 0 { format!(" (tried for {}s)", .seconds) } else { String::new() })]
    Unreachable {
        /// The URL tried.
        url: String,
        /// How long it was tried.
        seconds: u64,
        /// What the HTTP client said.
        message: String,
    },
    /// The server answered, but the model was not ready in time.
    #[error("the model was not ready at {url} after {seconds}s ({last})")]
    NotReady {
        /// The model's readiness URL.
        url: String,
        /// How long it was waited for.
        seconds: u64,
        /// The last answer.
        last: String,
    },
    /// The server refused an inference request.
    #[error("{url} answered {status}: {body}")]
    Http {
        /// The URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// The start of the answer.
        body: String,
    },
    /// The answer was not an inference response this check understands.
    #[error("unexpected answer from {url}: {message}")]
    Protocol {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
}
