//! `SHA256SUMS`: one `HASH  NAME` line per file, the format `sha256sum -c` checks.

/// The name of the checksum file beside the bundle.
pub const FILE_NAME: &str = "SHA256SUMS";

/// Renders `(name, sha256)` pairs, sorted by name.
#[must_use]
pub fn render(entries: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = entries.iter().collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(name, hash)| format!("{hash}  {name}\n"))
        .collect()
}

/// Parses `sha256sum` output (text or binary mode, `HASH  NAME` or `HASH *NAME`) into
/// `(name, sha256)` pairs; lines that do not fit are skipped.
#[must_use]
pub fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (hash, rest) = line.split_once(' ')?;
            let name = rest.strip_prefix([' ', '*'])?;
            (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (name.to_owned(), hash.to_ascii_lowercase()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let h = "a".repeat(64);
        let text = render(&[("b.zip".into(), h.clone()), ("a.json".into(), h.clone())]);
        assert_eq!(text, format!("{h}  a.json\n{h}  b.zip\n"));
        assert_eq!(parse(&text)[1], ("b.zip".to_owned(), h.clone()));
        assert_eq!(
            parse(&format!("{h} *x\nnonsense\n")),
            vec![("x".to_owned(), h)]
        );
    }
}
