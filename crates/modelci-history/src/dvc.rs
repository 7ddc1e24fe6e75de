//! DVC-style metrics files: one JSON or YAML mapping of final values, nested keys flattened
//! with `.` (`{"val": {"accuracy": 0.98}}` gives `val.accuracy`), as `dvc metrics show` reads.

use std::collections::BTreeMap;
use std::path::Path;

use crate::tree::{self, Node};
use crate::{Format, History, HistoryError};

/// Reads DVC-style metrics from JSON or YAML text.
///
/// # Errors
/// [`HistoryError::Syntax`] when the text does not parse, [`HistoryError::NotNumeric`] naming
/// the flattened key and its line when a leaf is not a number.
pub fn parse(path: &Path, text: &str, yaml: bool) -> Result<History, HistoryError> {
    from_tree(path, text, tree::parse(path, text, yaml)?)
}

pub(crate) fn from_tree(path: &Path, text: &str, root: Node) -> Result<History, HistoryError> {
    if !matches!(root, Node::Map(_)) {
        return Err(HistoryError::Syntax {
            path: path.to_owned(),
            line: None,
            syntax: "a metrics file",
            reason: "the top level is neither a mapping of metrics nor a list of epochs".into(),
        });
    }
    let mut flat = Vec::new();
    tree::flatten(root, &mut Vec::new(), &mut flat).map_err(|bad| HistoryError::NotNumeric {
        path: path.to_owned(),
        line: tree::line_of(text, &bad.path, 0),
        key: bad.path.join("."),
        found: bad.found,
    })?;
    Ok(History {
        path: path.to_owned(),
        format: Format::Dvc,
        epochs: Vec::new(),
        final_values: flat.into_iter().collect::<BTreeMap<_, _>>(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_top_level_that_is_not_a_mapping_is_refused() {
        // Issue 14 #11: a metrics file whose top level is `42` was accepted.
        for text in ["42", "\"x\"", "null"] {
            let err = crate::load_text(Path::new("m.json"), text)
                .unwrap_err()
                .to_string();
            assert!(err.contains("neither a mapping"), "{text}: {err}");
        }
    }

    #[test]
    fn nested_json_is_flattened_with_dots() {
        let h = parse(
            Path::new("metrics.json"),
            r#"{"train": {"loss": 0.1}, "val": {"accuracy": 0.98, "per_class": [0.5, 1]}}"#,
            false,
        )
        .unwrap();
        assert_eq!(h.format, Format::Dvc);
        assert!(h.epochs.is_empty());
        let keys: Vec<&str> = h.keys().into_iter().collect();
        assert_eq!(
            keys,
            [
                "train.loss",
                "val.accuracy",
                "val.per_class.0",
                "val.per_class.1"
            ]
        );
        assert_eq!(h.final_values["val.accuracy"], 0.98);
    }

    #[test]
    fn yaml_reads_like_json_and_keeps_nan() {
        let h = parse(
            Path::new("metrics.yaml"),
            "val:\n  accuracy: 0.9\n  loss: .nan\n",
            true,
        )
        .unwrap();
        assert_eq!(h.final_values["val.accuracy"], 0.9);
        assert!(h.final_values["val.loss"].is_nan());
    }

    #[test]
    fn non_numeric_yaml_leaf_names_key_and_line() {
        let err = parse(
            Path::new("m.yaml"),
            "train:\n  loss: 0.1\nval:\n  loss: 0.2\n  accuracy: high\n",
            true,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "m.yaml:5: `val.accuracy` is the string \"high\", not a number"
        );
    }

    #[test]
    fn unparseable_json_names_the_line() {
        let err = parse(Path::new("m.json"), "{\n  \"a\": 1,\n  \"b\": \n}\n", false)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("m.json:4: does not parse as JSON"), "{err}");
    }
}
