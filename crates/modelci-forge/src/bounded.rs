//! Reading GitHub's answers with a size cap (see `docs/limits.md`): octocrab's own
//! `body_to_string` collects whatever the server sends, so a broken proxy or a hostile
//! GitHub Enterprise could make a binary hold gigabytes.

use http_body_util::BodyExt as _;

/// The cap on one API answer: 64 MiB, far above any JSON answer GitHub sends.
pub const MAX_ANSWER_BYTES: usize = 64 << 20;

/// The body of `resp`, refusing more than `limit` bytes.
///
/// # Errors
/// A message when the answer is larger than `limit` or the connection breaks while reading.
pub(crate) async fn read_body<B>(resp: http::Response<B>, limit: usize) -> Result<Vec<u8>, String>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match http_body_util::Limited::new(resp.into_body(), limit)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(format!("the answer is larger than {limit} bytes"))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_over_the_cap_are_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let small = http::Response::new(http_body_util::Full::new(bytes_of("{}")));
        assert_eq!(runtime.block_on(read_body(small, 16)).expect("fits"), b"{}");
        let big = http::Response::new(http_body_util::Full::new(bytes_of(&"x".repeat(17))));
        let err = runtime.block_on(read_body(big, 16)).expect_err("too large");
        assert_eq!(err, "the answer is larger than 16 bytes");
    }

    fn bytes_of(text: &str) -> std::collections::VecDeque<u8> {
        text.bytes().collect()
    }
}
