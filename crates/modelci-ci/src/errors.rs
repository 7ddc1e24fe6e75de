//! Errors as one line: an HTTP client's error says little ("error sending request"), its causes
//! say what happened ("connection refused"); every network client prints them alike.

/// `e` and its causes joined with `: `, each cause's text only once (clients often repeat
/// their source's message in their own).
#[must_use]
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn causes_follow_the_error_once_each() {
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(chain(&e), "outer: connection refused");
    }
}
