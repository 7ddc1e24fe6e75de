//! The expected signature (`--signature FILE`): which inputs and outputs the model must have,
//! with their element types and shapes, compared with what the model declares.
//!
//! A name the model does not have means the file describes another model: that is bad input
//! (exit 2). A wrong element type or shape is a failed check (exit 1).

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_eval::{Dim, ModelSignature, TensorSpec};
use serde::Deserialize;

use super::{Check, Group, Status};

/// The expected signature file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Expected inputs.
    #[serde(default)]
    pub inputs: Vec<ExpectedTensor>,
    /// Expected outputs.
    #[serde(default)]
    pub outputs: Vec<ExpectedTensor>,
}

/// One expected tensor.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedTensor {
    /// Its name in the graph.
    pub name: String,
    /// Element type: `float32` (or `float`, `f32`), `float16`, `float64`, `int64`, ...
    #[serde(default, rename = "type")]
    pub elem_type: Option<String>,
    /// Shape: numbers must match; a name (`N`, `batch`) matches any dynamic size; `?` or `*`
    /// matches anything.
    #[serde(default)]
    pub shape: Option<Vec<ExpectedDim>>,
}

/// One expected dimension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ExpectedDim {
    /// A fixed size.
    Fixed(u64),
    /// A name or a wildcard.
    Named(String),
}

impl std::fmt::Display for ExpectedDim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Named(s) => f.write_str(s),
        }
    }
}

impl ExpectedDim {
    fn matches(&self, actual: &Dim) -> bool {
        match (self, actual) {
            (Self::Named(w), _) if w == "?" || w == "*" => true,
            (Self::Fixed(n), Dim::Fixed(m)) => n == m,
            (Self::Named(_), Dim::Symbolic(_) | Dim::Unknown) => true,
            _ => false,
        }
    }
}

/// Reads a signature file (YAML, which also reads JSON).
///
/// # Errors
/// A message naming the file when it cannot be read or does not have the expected shape.
pub fn read(path: &Path) -> anyhow::Result<Expected> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the signature file", path.display()))?;
    let expected: Expected = serde_norway::from_str(&text).map_err(|e| {
        let line = e
            .location()
            .map(|l| format!(":{}", l.line()))
            .unwrap_or_default();
        let reason = e.to_string();
        let reason = reason.split(" at line ").next().unwrap_or_default().to_owned();
        anyhow::anyhow!(
            "{}{line}: not a signature file ({reason}); expected `inputs:` and `outputs:` lists of {{name, type, shape}}",
            path.display()
        )
    })?;
    if expected.inputs.is_empty() && expected.outputs.is_empty() {
        bail!(
            "{}: the signature file lists no inputs and no outputs",
            path.display()
        );
    }
    Ok(expected)
}

/// Compares `expected` with the model's declared signature: one check per expected tensor.
///
/// # Errors
/// A message naming the signature file, the missing tensor and the model's actual names when
/// an expected input or output does not exist in the model.
pub fn compare(
    expected: &Expected,
    file: &Path,
    model: &Path,
    actual: &ModelSignature,
) -> anyhow::Result<Vec<Check>> {
    let mut checks = Vec::new();
    for (kind, wanted, have) in [
        ("input", &expected.inputs, &actual.inputs),
        ("output", &expected.outputs, &actual.outputs),
    ] {
        for want in wanted {
            let Some(spec) = have.iter().find(|s| s.name == want.name) else {
                let names: Vec<String> = have.iter().map(|s| format!("`{}`", s.name)).collect();
                bail!(
                    "{}: {kind} `{}` is not an {kind} of {} (its {kind}s: {})",
                    file.display(),
                    want.name,
                    model.display(),
                    names.join(", ")
                );
            };
            checks.push(compare_one(kind, want, spec)?);
        }
    }
    Ok(checks)
}

fn compare_one(kind: &str, want: &ExpectedTensor, spec: &TensorSpec) -> anyhow::Result<Check> {
    let mut problems = Vec::new();
    let mut limit = Vec::new();
    if let Some(t) = &want.elem_type {
        let canonical = canonical_type(t)
            .with_context(|| format!("signature: {kind} `{}`: unknown type `{t}` (use float32, float16, float64, int64, int32, uint8, int8, bool or string)", want.name))?;
        limit.push(canonical.to_owned());
        if spec.elem_type.to_string() != canonical {
            problems.push(format!("type is {}", spec.elem_type));
        }
    }
    if let Some(shape) = &want.shape {
        let text: Vec<String> = shape.iter().map(ToString::to_string).collect();
        limit.push(format!("[{}]", text.join(", ")));
        let ok = spec.dims.as_ref().is_some_and(|dims| {
            dims.len() == shape.len() && shape.iter().zip(dims).all(|(w, d)| w.matches(d))
        });
        if !ok {
            problems.push("shape differs".to_owned());
        }
    }
    let measured = if problems.is_empty() {
        spec.to_string()
    } else {
        format!("{spec} ({})", problems.join(", "))
    };
    Ok(Check::new(
        Group::Model,
        format!("signature: {kind} {}", want.name),
        Status::from_bool(problems.is_empty()),
        measured,
        if limit.is_empty() {
            "present".to_owned()
        } else {
            limit.join(" ")
        },
    ))
}

fn canonical_type(text: &str) -> Option<&'static str> {
    Some(match text.trim().to_ascii_lowercase().as_str() {
        "float32" | "float" | "f32" | "tensor(float)" => "float32",
        "float16" | "half" | "f16" => "float16",
        "float64" | "double" | "f64" => "float64",
        "int64" | "i64" | "long" => "int64",
        "int32" | "i32" | "int" => "int32",
        "uint8" | "u8" => "uint8",
        "int8" | "i8" => "int8",
        "bool" | "boolean" => "bool",
        "string" | "str" => "string",
        _ => return None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use modelci_eval::ElemType;

    use super::*;

    fn model() -> ModelSignature {
        ModelSignature {
            inputs: vec![TensorSpec {
                name: "input".into(),
                elem_type: ElemType::F32,
                dims: Some(vec![
                    Dim::Symbolic("N".into()),
                    Dim::Fixed(1),
                    Dim::Fixed(8),
                    Dim::Fixed(8),
                ]),
            }],
            outputs: vec![TensorSpec {
                name: "logits".into(),
                elem_type: ElemType::F32,
                dims: Some(vec![Dim::Symbolic("N".into()), Dim::Fixed(10)]),
            }],
            opset: 17,
            parameters: 10,
            producer: String::new(),
        }
    }

    fn expected(yaml: &str) -> Expected {
        serde_norway::from_str(yaml).unwrap()
    }

    #[test]
    fn matching_signature_passes() {
        let e = expected(
            "inputs:\n  - {name: input, type: float, shape: [batch, 1, 8, 8]}\noutputs:\n  - {name: logits, shape: ['?', 10]}\n",
        );
        let checks = compare(&e, Path::new("s.yaml"), Path::new("m.onnx"), &model()).unwrap();
        assert_eq!(checks.len(), 2);
        assert!(
            checks.iter().all(|c| c.status == Status::Pass),
            "{checks:?}"
        );
    }

    #[test]
    fn wrong_shape_or_type_fails_the_check() {
        let e = expected("outputs:\n  - {name: logits, type: int64, shape: [N, 12]}\n");
        let checks = compare(&e, Path::new("s.yaml"), Path::new("m.onnx"), &model()).unwrap();
        assert_eq!(checks[0].status, Status::Fail);
        assert!(
            checks[0]
                .measured
                .contains("type is float32, shape differs"),
            "{checks:?}"
        );
    }

    #[test]
    fn missing_name_is_bad_input() {
        let e = expected("inputs:\n  - name: image\n");
        let err = compare(&e, Path::new("s.yaml"), Path::new("m.onnx"), &model())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "s.yaml: input `image` is not an input of m.onnx (its inputs: `input`)"
        );
    }
}
