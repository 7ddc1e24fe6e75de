//! Initializers to and from plain numbers: `f32` in, and `f32`/`f16`/`i8`/`u8` out.
//!
//! ONNX stores a tensor's values either in `raw_data` (little-endian bytes) or in a typed
//! repeated field (`float_data`, `int32_data` for 8/16-bit types); both are read. Tensors built
//! here always use `raw_data`, the compact form.

use crate::error::OnnxError;
use crate::proto::{TensorProto, tensor_proto::DataType};

/// Number of elements of a tensor with dimensions `dims` (1 for a scalar).
#[must_use]
pub fn element_count(dims: &[i64]) -> usize {
    dims.iter()
        .map(|&d| usize::try_from(d).unwrap_or(0))
        .product()
}

/// Whether the tensor is `float` (32-bit).
#[must_use]
pub fn is_f32(tensor: &TensorProto) -> bool {
    tensor.data_type() == DataType::Float as i32
}

/// The values of a `float` tensor.
///
/// # Errors
/// [`OnnxError::Tensor`] when the tensor is not `float`, its data is external, or its data
/// length does not match its dimensions.
pub fn to_f32(tensor: &TensorProto) -> Result<Vec<f32>, OnnxError> {
    let name = tensor.name();
    if !is_f32(tensor) {
        return Err(OnnxError::tensor(name, "not a float tensor"));
    }
    let expected = element_count(&tensor.dims);
    let values: Vec<f32> = match &tensor.raw_data {
        Some(raw) if !raw.is_empty() || tensor.float_data.is_empty() => {
            if raw.len() % 4 != 0 {
                return Err(OnnxError::tensor(
                    name,
                    "raw data is not a whole number of floats",
                ));
            }
            raw.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        }
        _ => tensor.float_data.clone(),
    };
    if values.len() != expected {
        return Err(OnnxError::tensor(
            name,
            format!(
                "holds {} values but its shape {:?} needs {expected}",
                values.len(),
                tensor.dims
            ),
        ));
    }
    Ok(values)
}

fn raw(name: &str, dims: &[usize], data_type: DataType, bytes: Vec<u8>) -> TensorProto {
    TensorProto {
        name: Some(name.to_owned()),
        dims: dims.iter().map(|&d| d as i64).collect(),
        data_type: Some(data_type as i32),
        raw_data: Some(bytes),
        ..TensorProto::default()
    }
}

/// A `float` tensor.
#[must_use]
pub fn from_f32(name: &str, dims: &[usize], values: &[f32]) -> TensorProto {
    let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    raw(name, dims, DataType::Float, bytes)
}

/// A `float16` tensor from `f32` values (rounded to nearest).
#[must_use]
pub fn from_f32_as_f16(name: &str, dims: &[usize], values: &[f32]) -> TensorProto {
    let bytes = values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect();
    raw(name, dims, DataType::Float16, bytes)
}

/// An `int8` tensor.
#[must_use]
pub fn from_i8(name: &str, dims: &[usize], values: &[i8]) -> TensorProto {
    let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    raw(name, dims, DataType::Int8, bytes)
}

/// A `uint8` tensor.
#[must_use]
pub fn from_u8(name: &str, dims: &[usize], values: &[u8]) -> TensorProto {
    raw(name, dims, DataType::Uint8, values.to_vec())
}

/// An `int64` tensor.
#[must_use]
pub fn from_i64(name: &str, dims: &[usize], values: &[i64]) -> TensorProto {
    let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    raw(name, dims, DataType::Int64, bytes)
}

/// Bytes the tensor's values take in the file (raw data or typed fields, roughly).
#[must_use]
pub fn stored_bytes(tensor: &TensorProto) -> usize {
    tensor.raw_data.as_ref().map_or(0, Vec::len)
        + tensor.float_data.len() * 4
        + tensor.int32_data.len() * 4
        + tensor.int64_data.len() * 8
        + tensor.double_data.len() * 8
        + tensor.uint64_data.len() * 8
        + tensor.string_data.iter().map(Vec::len).sum::<usize>()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn f32_round_trips_through_raw_data_and_float_data() {
        let t = from_f32("w", &[2, 2], &[1.0, -2.5, 3.25, 0.0]);
        assert_eq!(to_f32(&t).unwrap(), vec![1.0, -2.5, 3.25, 0.0]);
        let typed = TensorProto {
            raw_data: None,
            float_data: vec![1.0, 2.0],
            dims: vec![2],
            ..t.clone()
        };
        assert_eq!(to_f32(&typed).unwrap(), vec![1.0, 2.0]);
        let wrong = TensorProto {
            dims: vec![3],
            ..typed
        };
        assert!(to_f32(&wrong).unwrap_err().to_string().contains("needs 3"));
    }

    #[test]
    fn f16_rounds_to_nearest() {
        let t = from_f32_as_f16("h", &[2], &[1.0, 0.1]);
        let raw = t.raw_data.unwrap();
        assert_eq!(raw.len(), 4);
        assert_eq!(half::f16::from_le_bytes([raw[0], raw[1]]).to_f32(), 1.0);
        assert!((half::f16::from_le_bytes([raw[2], raw[3]]).to_f32() - 0.1).abs() < 1e-4);
    }
}
