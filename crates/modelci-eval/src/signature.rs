//! The declared interface of a model: its inputs and outputs with element types and shapes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Element type of a tensor, as ONNX declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ElemType {
    /// 32-bit float.
    F32,
    /// 16-bit float.
    F16,
    /// 64-bit float.
    F64,
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 8-bit integer.
    I8,
    /// Signed 16-bit integer.
    I16,
    /// Signed 32-bit integer.
    I32,
    /// Signed 64-bit integer.
    I64,
    /// Boolean.
    Bool,
    /// String.
    String,
    /// Any other ONNX type, with its ONNX type number.
    Other(i32),
}

impl ElemType {
    /// Maps an ONNX `TensorProto.DataType` number.
    #[must_use]
    pub fn from_onnx(code: i32) -> Self {
        match code {
            1 => Self::F32,
            2 => Self::U8,
            3 => Self::I8,
            5 => Self::I16,
            6 => Self::I32,
            7 => Self::I64,
            8 => Self::String,
            9 => Self::Bool,
            10 => Self::F16,
            11 => Self::F64,
            other => Self::Other(other),
        }
    }

    /// Whether the type is a floating-point type.
    #[must_use]
    pub fn is_float(self) -> bool {
        matches!(self, Self::F32 | Self::F16 | Self::F64)
    }

    /// Whether the type is an integer type modelci can feed.
    #[must_use]
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Self::U8 | Self::I8 | Self::I16 | Self::I32 | Self::I64
        )
    }

    /// The range of an integer type, for lossless-cast checks.
    #[must_use]
    pub fn integer_range(self) -> Option<(i64, i64)> {
        match self {
            Self::U8 => Some((0, 255)),
            Self::I8 => Some((-128, 127)),
            Self::I16 => Some((i64::from(i16::MIN), i64::from(i16::MAX))),
            Self::I32 => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
            Self::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }

    /// The largest integer magnitude the float type holds exactly (2^11, 2^24, 2^53).
    #[must_use]
    pub fn exact_integers(self) -> Option<i64> {
        match self {
            Self::F16 => Some(1 << 11),
            Self::F32 => Some(1 << 24),
            Self::F64 => Some(1 << 53),
            _ => None,
        }
    }
}

impl fmt::Display for ElemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::F32 => f.write_str("float32"),
            Self::F16 => f.write_str("float16"),
            Self::F64 => f.write_str("float64"),
            Self::U8 => f.write_str("uint8"),
            Self::I8 => f.write_str("int8"),
            Self::I16 => f.write_str("int16"),
            Self::I32 => f.write_str("int32"),
            Self::I64 => f.write_str("int64"),
            Self::Bool => f.write_str("bool"),
            Self::String => f.write_str("string"),
            Self::Other(code) => write!(f, "onnx-type-{code}"),
        }
    }
}

/// One dimension of a declared shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dim {
    /// A fixed size.
    Fixed(u64),
    /// A named dynamic size, such as `N` or `batch`.
    Symbolic(String),
    /// A dynamic size without a name.
    Unknown,
}

impl Dim {
    /// The fixed size, if there is one.
    #[must_use]
    pub fn fixed(&self) -> Option<usize> {
        match self {
            Self::Fixed(n) => usize::try_from(*n).ok(),
            _ => None,
        }
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fixed(n) => write!(f, "{n}"),
            Self::Symbolic(name) => f.write_str(name),
            Self::Unknown => f.write_str("?"),
        }
    }
}

/// A named tensor of a model's interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TensorSpec {
    /// The tensor's name in the graph.
    pub name: String,
    /// Its element type.
    pub elem_type: ElemType,
    /// Its declared shape; `None` when the model declares no shape at all.
    pub dims: Option<Vec<Dim>>,
}

impl fmt::Display for TensorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name, self.elem_type)?;
        match &self.dims {
            Some(dims) => {
                let dims: Vec<String> = dims.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", dims.join(", "))
            }
            None => f.write_str("[?]"),
        }
    }
}

/// A model's declared interface and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSignature {
    /// The graph inputs that are not initializers.
    pub inputs: Vec<TensorSpec>,
    /// The graph outputs.
    pub outputs: Vec<TensorSpec>,
    /// The version of the default ONNX operator set.
    pub opset: i64,
    /// Number of parameters: elements of all initializers and `Constant` tensors.
    pub parameters: u64,
    /// The exporter that wrote the file (`producer_name producer_version`).
    pub producer: String,
}
