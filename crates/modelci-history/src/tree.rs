//! JSON and YAML documents as one small tree, so DVC metrics and per-epoch lists are read the
//! same way whichever syntax holds them.
//!
//! JSON has no NaN or infinity, but Python's `json.dump` writes `NaN`, `Infinity` and
//! `-Infinity` anyway, and a diverged run is exactly when they appear. Those bare tokens are
//! swapped for marker strings before parsing (line numbers are kept) and turned back into
//! numbers here.

use std::path::Path;

use crate::HistoryError;

const MARKERS: [(&str, &str, f64); 3] = [
    (
        "-Infinity",
        "\"@modelci-non-finite:-inf\"",
        f64::NEG_INFINITY,
    ),
    ("Infinity", "\"@modelci-non-finite:inf\"", f64::INFINITY),
    ("NaN", "\"@modelci-non-finite:nan\"", f64::NAN),
];

/// A parsed JSON or YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A number (possibly non-finite).
    Number(f64),
    /// A mapping in document order.
    Map(Vec<(String, Node)>),
    /// A sequence.
    List(Vec<Node>),
    /// Anything else, described for an error message (`the string "high"`, `null`).
    Other(String),
}

impl Node {
    /// Whether the top level is a sequence.
    pub(crate) fn is_list(&self) -> bool {
        matches!(self, Self::List(_))
    }
}

/// Parses JSON, accepting Python's bare `NaN`, `Infinity` and `-Infinity`.
/// Parses `text` as YAML when `yaml` is true, else as JSON.
pub(crate) fn parse(path: &Path, text: &str, yaml: bool) -> Result<Node, HistoryError> {
    if yaml {
        parse_yaml(path, text)
    } else {
        parse_json(path, text)
    }
}

pub(crate) fn parse_json(path: &Path, text: &str) -> Result<Node, HistoryError> {
    let prepared = mark_non_finite(text);
    let value: serde_json::Value =
        serde_json::from_str(&prepared).map_err(|e| HistoryError::Syntax {
            path: path.to_owned(),
            line: u64::try_from(e.line()).ok().filter(|&l| l > 0),
            syntax: "JSON",
            reason: strip_position(&e.to_string()),
        })?;
    Ok(from_json(value))
}

/// Parses YAML.
pub(crate) fn parse_yaml(path: &Path, text: &str) -> Result<Node, HistoryError> {
    let value: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| HistoryError::Syntax {
            path: path.to_owned(),
            line: e
                .location()
                .and_then(|l| u64::try_from(l.line()).ok())
                .filter(|&l| l > 0),
            syntax: "YAML",
            reason: strip_position(&e.to_string()),
        })?;
    Ok(from_yaml(value))
}

/// Drops the ` at line L column C` that parsers append, since the error names the line itself.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

fn mark_non_finite(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut in_string = false;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if c == '\\' {
                let escaped: String = rest.chars().take(2).collect();
                out.push_str(&escaped);
                rest = &rest[escaped.len()..];
                continue;
            }
            in_string = c != '"';
        } else if c == '"' {
            in_string = true;
        } else if let Some((token, marker, _)) = MARKERS.iter().find(|(t, _, _)| {
            rest.starts_with(t)
                && !rest[t.len()..]
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_alphanumeric() || n == '_')
        }) {
            out.push_str(marker);
            rest = &rest[token.len()..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn from_json(value: serde_json::Value) -> Node {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| Node::Other(format!("the number {n}")), Node::Number),
        Value::String(s) => match MARKERS.iter().find(|(_, m, _)| m.trim_matches('"') == s) {
            Some((_, _, v)) => Node::Number(*v),
            None => Node::Other(format!("the string {s:?}")),
        },
        Value::Bool(b) => Node::Other(format!("the boolean {b}")),
        Value::Null => Node::Other("null".into()),
        Value::Array(items) => Node::List(items.into_iter().map(from_json).collect()),
        Value::Object(map) => Node::Map(map.into_iter().map(|(k, v)| (k, from_json(v))).collect()),
    }
}

fn from_yaml(value: serde_norway::Value) -> Node {
    use serde_norway::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| Node::Other(format!("the number {n}")), Node::Number),
        Value::String(s) => Node::Other(format!("the string {s:?}")),
        Value::Bool(b) => Node::Other(format!("the boolean {b}")),
        Value::Null => Node::Other("null (empty)".into()),
        Value::Sequence(items) => Node::List(items.into_iter().map(from_yaml).collect()),
        Value::Mapping(map) => Node::Map(
            map.into_iter()
                .map(|(k, v)| (yaml_key(&k), from_yaml(v)))
                .collect(),
        ),
        Value::Tagged(tagged) => from_yaml(tagged.value),
    }
}

fn yaml_key(key: &serde_norway::Value) -> String {
    use serde_norway::Value;
    match key {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// A problem found while flattening: the flattened key and what was found there.
pub(crate) struct NotNumeric {
    /// The path of keys from the root.
    pub(crate) path: Vec<String>,
    /// What was found.
    pub(crate) found: String,
}

/// Flattens nested mappings (and lists, by position) into `prefix.key` names.
pub(crate) fn flatten(
    node: Node,
    path: &mut Vec<String>,
    out: &mut Vec<(String, f64)>,
) -> Result<(), NotNumeric> {
    match node {
        Node::Number(v) => {
            out.push((path.join("."), v));
            Ok(())
        }
        Node::Map(entries) => {
            for (key, child) in entries {
                path.push(key);
                flatten(child, path, out)?;
                path.pop();
            }
            Ok(())
        }
        Node::List(items) => {
            for (i, child) in items.into_iter().enumerate() {
                path.push(i.to_string());
                flatten(child, path, out)?;
                path.pop();
            }
            Ok(())
        }
        Node::Other(found) => Err(NotNumeric {
            path: path.clone(),
            found,
        }),
    }
}

/// The 1-based line where the nested `keys` appear, found by looking for each key in turn
/// after the line of the one before (good enough for the files people write by hand or dump).
pub(crate) fn line_of(text: &str, keys: &[String], start_line: usize) -> Option<u64> {
    let lines: Vec<&str> = text.lines().collect();
    let mut at = start_line;
    for key in keys.iter().filter(|k| k.parse::<usize>().is_err()) {
        let quoted = format!("\"{key}\"");
        let plain = format!("{key}:");
        let found = lines.iter().skip(at).position(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            line.starts_with(&quoted) || line.starts_with(&plain) || line.contains(&quoted)
        })?;
        at += found;
    }
    u64::try_from(at + 1).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn python_non_finite_tokens_outside_strings_only() {
        let node = parse_json(
            Path::new("m.json"),
            r#"{"a": NaN, "b": -Infinity, "c": [Infinity], "d": "NaN"}"#,
        );
        let Ok(Node::Map(entries)) = node else {
            panic!("{node:?}")
        };
        assert!(matches!(entries[0].1, Node::Number(v) if v.is_nan()));
        assert_eq!(entries[1].1, Node::Number(f64::NEG_INFINITY));
        assert_eq!(entries[2].1, Node::List(vec![Node::Number(f64::INFINITY)]));
        assert_eq!(entries[3].1, Node::Other("the string \"NaN\"".into()));
    }

    #[test]
    fn finds_nested_key_lines() {
        let text = "train:\n  loss: 1\nval:\n  loss: x\n";
        let keys = vec!["val".to_owned(), "loss".to_owned()];
        assert_eq!(line_of(text, &keys, 0), Some(4));
    }
}
