//! The report's note on a text dataset (issue 15): the tokenizer, the sequence length, the
//! inputs filled, and how many texts were cut to fit.

use modelci_eval::TextSummary;
use modelci_report::escape_markdown as esc;

/// A paragraph for `report.md`, empty for datasets that are not texts.
#[must_use]
pub fn section(summary: Option<&TextSummary>, samples: u64) -> String {
    let Some(text) = summary else {
        return String::new();
    };
    let inputs: Vec<String> = text.inputs.iter().map(|i| esc(i)).collect();
    let tokenizer = text.tokenizer.file_name().map_or_else(
        || text.tokenizer.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let cut = if text.truncated == 0 {
        format!("no text was longer than {} tokens.", text.sequence_length)
    } else {
        format!(
            "{} of {samples} texts were longer than {} tokens and were cut to fit (--no-truncate refuses them instead).",
            text.truncated, text.sequence_length
        )
    };
    format!(
        "\n**Texts.** Tokenized with {} into {} of {} tokens; {cut}\n",
        esc(&tokenizer),
        inputs.join(", "),
        text.sequence_length
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn counts_the_cut_texts_and_escapes_the_file_name() {
        let summary = TextSummary {
            tokenizer: PathBuf::from("dir/tok_*x*.json"),
            sequence_length: 32,
            inputs: vec!["input_ids".into(), "attention_mask".into()],
            truncated: 185,
        };
        let md = section(Some(&summary), 1000);
        assert!(
            md.contains("185 of 1000 texts were longer than 32 tokens"),
            "{md}"
        );
        assert!(md.contains("input\\_ids, attention\\_mask"), "{md}");
        assert!(!md.contains("tok_*x*"), "escaped: {md}");
        assert_eq!(section(None, 1000), "");
        let none = section(
            Some(&TextSummary {
                truncated: 0,
                ..summary
            }),
            10,
        );
        assert!(none.contains("no text was longer than 32 tokens"), "{none}");
    }
}
