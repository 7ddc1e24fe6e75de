//! Reading network answers with a size cap, so a hostile or broken server cannot make a binary
//! hold gigabytes in memory (see `docs/limits.md`).
//!
//! Every HTTP answer a binary reads whole (smoke-check answers, webhook answers, registry and
//! code-host answers) goes through [`read_at_most`]: it reads up to the cap plus one byte and
//! refuses the answer when that extra byte arrives, so memory stays below the cap whatever the
//! server sends or declares.

use std::io::Read;

/// The cap on an answer that is JSON or text (a smoke-check answer, a webhook's reply): 64 MiB.
pub const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// The cap on what is shown of an error answer's body: 4 KiB are read, the rest is dropped.
pub const MAX_ERROR_BODY_BYTES: u64 = 4 << 10;

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The answer is larger than the cap.
    #[error("the answer is larger than {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: u64,
    },
    /// The connection broke while reading.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Reads `reader` to its end, refusing more than `limit` bytes.
///
/// # Errors
/// [`ReadError::TooLarge`] when the answer has more than `limit` bytes, [`ReadError::Io`] when
/// reading fails.
pub fn read_at_most(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Reads at most `limit` bytes of `reader` and drops the rest: the start of an error answer,
/// as (lossy) text.
#[must_use]
pub fn read_start(reader: impl Read, limit: u64) -> String {
    let mut bytes = Vec::new();
    // A broken connection leaves what arrived; the start of an error answer is informative only.
    let _ = reader.take(limit).read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_over_the_cap_are_refused_without_reading_them_whole() {
        assert_eq!(read_at_most(&b"abcd"[..], 4).expect("fits"), b"abcd");
        let endless = std::io::repeat(b'x');
        match read_at_most(endless, 1024) {
            Err(ReadError::TooLarge { limit }) => assert_eq!(limit, 1024),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert_eq!(read_start(std::io::repeat(b'y'), 3), "yyy");
    }
}
