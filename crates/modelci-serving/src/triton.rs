//! A Triton model repository: `NAME/config.pbtxt` + `NAME/1/model.onnx`.
//!
//! The configuration follows Triton's model configuration documentation (`model_config.proto`,
//! written in protobuf text format; repeated fields as `input: [ … ]`, with the colon, which
//! both protobuf's C++ parser (Triton's) and stricter parsers accept):
//!
//! - `platform: "onnxruntime_onnx"`, the model file is the default `model.onnx` in version `1`.
//! - Batching: when every input and output has a dynamic leading dimension (a name such as `N`
//!   or an unknown size), that is the batch dimension: `max_batch_size` is
//!   [`LayoutInput::max_batch_size`] and `dims` leave it out. Otherwise `max_batch_size: 0` and
//!   `dims` are the full shape.
//! - Other dynamic dimensions are `-1`, which Triton accepts for variable-size dimensions.
//! - A tensor with no dimension left (a scalar, or `[N]` once the batch is taken out) is
//!   `dims: [ 1 ]` with `reshape: { shape: [ ] }`, the form Triton documents for it.
//! - Element types map to `TYPE_*` (`float32` → `TYPE_FP32`, `string` → `TYPE_STRING`, …); any
//!   other (complex, float8, …) is refused, as is a tensor without a shape.

use std::fmt::Write as _;

use modelci_bundle::manifest::TensorEntry;

use crate::tensor::{dims, signed};
use crate::{Content, LayoutFile, LayoutInput, ServingError};

const LAYOUT: &str = "triton";

/// Triton's `DataType` for an element type of the signature.
#[must_use]
pub fn data_type(elem_type: &str) -> Option<&'static str> {
    Some(match elem_type {
        "bool" => "TYPE_BOOL",
        "uint8" => "TYPE_UINT8",
        "uint16" => "TYPE_UINT16",
        "uint32" => "TYPE_UINT32",
        "uint64" => "TYPE_UINT64",
        "int8" => "TYPE_INT8",
        "int16" => "TYPE_INT16",
        "int32" => "TYPE_INT32",
        "int64" => "TYPE_INT64",
        "float16" => "TYPE_FP16",
        "float32" => "TYPE_FP32",
        "float64" => "TYPE_FP64",
        "string" => "TYPE_STRING",
        "bfloat16" => "TYPE_BF16",
        _ => return None,
    })
}

/// One tensor as `config.pbtxt` declares it.
struct Declared<'a> {
    name: &'a str,
    data_type: &'static str,
    dims: Vec<i64>,
    scalar: bool,
}

pub(crate) fn files(input: &LayoutInput<'_>) -> Result<Vec<LayoutFile>, ServingError> {
    let config = config_pbtxt(input)?;
    Ok(vec![
        LayoutFile {
            path: format!("{}/config.pbtxt", input.name),
            content: Content::Bytes(config.into_bytes()),
        },
        LayoutFile {
            path: format!("{}/1/model.onnx", input.name),
            content: Content::File(input.model.to_owned()),
        },
    ])
}

/// The text of `config.pbtxt` for `input`.
///
/// # Errors
/// [`ServingError::Unsupported`] for an element type Triton lacks or a tensor without a shape.
pub fn config_pbtxt(input: &LayoutInput<'_>) -> Result<String, ServingError> {
    let sig = input.signature;
    let model = sig.path.as_str();
    let all = || sig.inputs.iter().chain(&sig.outputs);
    let mut shapes = Vec::new();
    for t in all() {
        shapes.push(dims(t, model, LAYOUT)?);
    }
    let batched = input.max_batch_size > 0
        && shapes
            .iter()
            .all(|d| d.first().is_some_and(Option::is_none));
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for (i, (t, d)) in all().zip(&shapes).enumerate() {
        let declared = declare(t, d, batched, model)?;
        if i < sig.inputs.len() {
            inputs.push(declared);
        } else {
            outputs.push(declared);
        }
    }
    let mut text = String::new();
    let _ = writeln!(text, "# Written by modelci publish --layout triton.");
    let _ = writeln!(text, "name: {}", quote(input.name));
    let _ = writeln!(text, "platform: \"onnxruntime_onnx\"");
    let _ = writeln!(
        text,
        "max_batch_size: {}",
        if batched { input.max_batch_size } else { 0 }
    );
    write_tensors(&mut text, "input", &inputs);
    write_tensors(&mut text, "output", &outputs);
    Ok(text)
}

/// How `t` (dimensions `d`) is declared, the batch dimension left out when `batched`.
fn declare<'t>(
    t: &'t TensorEntry,
    d: &[Option<u64>],
    batched: bool,
    model: &str,
) -> Result<Declared<'t>, ServingError> {
    let data_type = data_type(&t.elem_type).ok_or_else(|| ServingError::Unsupported {
        model: model.to_owned(),
        layout: LAYOUT,
        tensor: t.name.clone(),
        reason: format!("element type {} has no Triton data type", t.elem_type),
    })?;
    let rest = if batched {
        d.get(1..).unwrap_or_default()
    } else {
        d
    };
    Ok(Declared {
        name: &t.name,
        data_type,
        dims: rest.iter().map(|&x| signed(x)).collect(),
        scalar: rest.is_empty(),
    })
}

fn write_tensors(text: &mut String, field: &str, tensors: &[Declared<'_>]) {
    if tensors.is_empty() {
        return;
    }
    let _ = writeln!(text, "{field}: [");
    for (i, t) in tensors.iter().enumerate() {
        let _ = writeln!(text, "  {{");
        let _ = writeln!(text, "    name: {}", quote(t.name));
        let _ = writeln!(text, "    data_type: {}", t.data_type);
        if t.scalar {
            let _ = writeln!(text, "    dims: [ 1 ]");
            let _ = writeln!(text, "    reshape: {{ shape: [ ] }}");
        } else {
            let dims: Vec<String> = t.dims.iter().map(i64::to_string).collect();
            let _ = writeln!(text, "    dims: [ {} ]", dims.join(", "));
        }
        let comma = if i + 1 < tensors.len() { "," } else { "" };
        let _ = writeln!(text, "  }}{comma}");
    }
    let _ = writeln!(text, "]");
}

/// A protobuf text-format string literal: `"` and `\` escaped, other non-printable bytes as
/// three-digit octal escapes.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(char::from(b)),
            other => {
                let _ = write!(out, "\\{other:03o}");
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_text_format_strings() {
        assert_eq!(quote("in:0"), "\"in:0\"");
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(quote("é"), "\"\\303\\251\"");
    }
}
