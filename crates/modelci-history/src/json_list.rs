//! A JSON or YAML list of per-epoch objects, as training scripts often dump
//! (`json.dump(history, f)` with one dict per epoch): `[{"epoch": 0, "loss": 1.2}, ...]`.
//!
//! The `epoch` key, when present, gives the epoch number (and is not a metric); otherwise the
//! position in the list does. Nested objects are flattened with `.` like DVC metrics.

use std::collections::BTreeMap;
use std::path::Path;

use crate::tree::{self, Node};
use crate::{Epoch, Format, History, HistoryError};

/// Reads a per-epoch list from JSON or YAML text.
///
/// # Errors
/// [`HistoryError::Syntax`] when the text does not parse or an entry is not an object,
/// [`HistoryError::NotNumeric`] when a value is not a number.
pub fn parse(path: &Path, text: &str, yaml: bool) -> Result<History, HistoryError> {
    from_tree(path, text, tree::parse(path, text, yaml)?)
}

pub(crate) fn from_tree(path: &Path, text: &str, root: Node) -> Result<History, HistoryError> {
    let Node::List(items) = root else {
        return Err(HistoryError::Syntax {
            path: path.to_owned(),
            line: None,
            syntax: "a per-epoch list",
            reason: "the top level is not a list".into(),
        });
    };
    let mut epochs = Vec::with_capacity(items.len());
    for (position, item) in items.into_iter().enumerate() {
        if !matches!(item, Node::Map(_)) {
            return Err(HistoryError::Syntax {
                path: path.to_owned(),
                line: None,
                syntax: "a per-epoch list",
                reason: format!("entry {position} is not an object of metric values"),
            });
        }
        let mut flat = Vec::new();
        tree::flatten(item, &mut Vec::new(), &mut flat).map_err(|bad| {
            HistoryError::NotNumeric {
                path: path.to_owned(),
                line: entry_line(text, position, &bad.path),
                key: format!("[{position}].{}", bad.path.join(".")),
                found: bad.found,
            }
        })?;
        let mut values: BTreeMap<String, f64> = flat.into_iter().collect();
        let index = match values.remove("epoch") {
            Some(e) if e.is_finite() && e >= 0.0 && e.fract() == 0.0 => {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let e = e as u64;
                e
            }
            Some(e) => {
                return Err(HistoryError::NotNumeric {
                    path: path.to_owned(),
                    line: entry_line(text, position, &["epoch".to_owned()]),
                    key: format!("[{position}].epoch"),
                    found: format!("{e}"),
                });
            }
            None => position as u64,
        };
        epochs.push(Epoch { index, values });
    }
    Ok(History::from_epochs(path, Format::JsonList, epochs))
}

/// The line of `keys` inside the `position`-th entry: the search starts at the entry's line,
/// approximated by the `position`-th occurrence of the entry's first key.
fn entry_line(text: &str, position: usize, keys: &[String]) -> Option<u64> {
    let first = keys.first()?;
    let quoted = format!("\"{first}\"");
    let plain = format!("{first}:");
    let start = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.contains(&quoted) || l.trim_start().trim_start_matches("- ").starts_with(&plain)
        })
        .nth(position)
        .map(|(i, _)| i)?;
    tree::line_of(text, keys, start)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn epochs_from_key_or_position() {
        let h = parse(
            Path::new("h.json"),
            r#"[{"epoch": 1, "loss": 1.0, "val": {"loss": 1.5}}, {"epoch": 2, "loss": 0.5, "val": {"loss": NaN}}]"#,
            false,
        )
        .unwrap();
        assert_eq!(h.format, Format::JsonList);
        assert_eq!(h.epochs.iter().map(|e| e.index).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(h.final_values["loss"], 0.5);
        assert!(h.final_values["val.loss"].is_nan());
        assert!(!h.final_values.contains_key("epoch"));

        let h = parse(Path::new("h.yaml"), "- loss: 2\n- loss: 1\n", true).unwrap();
        assert_eq!(h.epochs[1].index, 1);
        assert_eq!(h.series("loss"), [Some(2.0), Some(1.0)]);
    }

    #[test]
    fn non_numeric_value_names_entry_and_line() {
        let text = "[\n  {\"loss\": 1.0},\n  {\"loss\": \"oops\"}\n]\n";
        let err = parse(Path::new("h.json"), text, false)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "h.json:3: `[1].loss` is the string \"oops\", not a number"
        );
    }

    #[test]
    fn entries_must_be_objects() {
        let err = parse(Path::new("h.json"), "[1, 2]", false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("entry 0 is not an object"), "{err}");
    }
}
