//! How rows of the reference's features become the model's inputs: one `[N, F]` float tensor
//! for a model with one input, or, for a model whose inputs are named after features, one
//! column per input (`[N]` or `[N, 1]`, as the input declares).

use std::path::Path;

use anyhow::bail;
use modelci_eval::signature::{Dim, TensorSpec};
use modelci_eval::{InputData, InputTensor};

/// The plan for one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// One `[N, width]` tensor, the features in the reference's order.
    Matrix {
        /// Features per row.
        width: usize,
    },
    /// One tensor per model input, in the model's order: the feature column it takes and
    /// whether it is `[N]` (rank 1) rather than `[N, 1]`.
    ByName {
        /// Features per row.
        width: usize,
        /// `(column, rank 1)` per model input.
        columns: Vec<(usize, bool)>,
    },
}

impl Feed {
    /// Plans the feed of a model with `inputs` for rows of the features `names`.
    ///
    /// # Errors
    /// Naming the model and what it takes, when neither plan fits.
    pub fn plan(path: &Path, inputs: &[TensorSpec], names: &[String]) -> anyhow::Result<Self> {
        let width = names.len();
        let by_name: Option<Vec<(usize, bool)>> = inputs
            .iter()
            .map(|input| {
                let column = names.iter().position(|n| *n == input.name)?;
                match input.dims.as_deref() {
                    Some([_]) => Some((column, true)),
                    None | Some([_, Dim::Fixed(1)] | [_, Dim::Symbolic(_) | Dim::Unknown]) => {
                        Some((column, false))
                    }
                    Some(_) => None,
                }
            })
            .collect();
        if inputs.len() > 1 {
            return match by_name {
                Some(columns) => Ok(Self::ByName { width, columns }),
                None => {
                    let declared: Vec<String> = inputs.iter().map(ToString::to_string).collect();
                    bail!(
                        "{}: the model's inputs ({}) are not the reference's features by name, one column each",
                        path.display(),
                        declared.join(", ")
                    )
                }
            };
        }
        let Some(input) = inputs.first() else {
            bail!("{}: the model declares no input", path.display());
        };
        let fits = match input.dims.as_deref() {
            None => true,
            Some([_, Dim::Fixed(f)]) => *f == width as u64,
            Some([_, _]) => true,
            Some(_) => false,
        };
        if !fits {
            bail!(
                "{}: the model's input {input} does not take rows of the reference's {width} features ([N, {width}])",
                path.display()
            );
        }
        Ok(Self::Matrix { width })
    }

    /// Features per row.
    #[must_use]
    pub fn width(&self) -> usize {
        match self {
            Self::Matrix { width } | Self::ByName { width, .. } => *width,
        }
    }

    /// The model's inputs for `rows` rows of features, row-major.
    #[must_use]
    pub fn inputs(&self, data: &[f32]) -> Vec<InputTensor> {
        let width = self.width().max(1);
        let rows = data.len() / width;
        match self {
            Self::Matrix { width } => vec![InputTensor {
                shape: vec![rows, *width],
                data: InputData::F32(data.to_vec()),
            }],
            Self::ByName { columns, .. } => columns
                .iter()
                .map(|&(column, flat)| InputTensor {
                    shape: if flat { vec![rows] } else { vec![rows, 1] },
                    data: InputData::F32(
                        data.iter().skip(column).step_by(width).copied().collect(),
                    ),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use modelci_eval::ElemType;

    fn spec(name: &str, dims: Vec<Dim>) -> TensorSpec {
        TensorSpec {
            name: name.into(),
            elem_type: ElemType::F32,
            dims: Some(dims),
        }
    }

    #[test]
    fn one_input_takes_the_matrix_named_inputs_take_columns() {
        let names = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let path = Path::new("m.onnx");
        let matrix = Feed::plan(
            path,
            &[spec("x", vec![Dim::Unknown, Dim::Fixed(3)])],
            &names,
        )
        .unwrap();
        assert_eq!(matrix, Feed::Matrix { width: 3 });
        let data = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(matrix.inputs(&data)[0].shape, [2, 3]);
        let wrong = Feed::plan(
            path,
            &[spec("x", vec![Dim::Unknown, Dim::Fixed(4)])],
            &names,
        );
        assert!(wrong.unwrap_err().to_string().contains("3 features"));
        let named = Feed::plan(
            path,
            &[
                spec("c", vec![Dim::Unknown]),
                spec("a", vec![Dim::Unknown, Dim::Fixed(1)]),
            ],
            &names,
        )
        .unwrap();
        let inputs = named.inputs(&data);
        assert_eq!(inputs[0].shape, [2]);
        assert_eq!(inputs[0].data, InputData::F32(vec![3.0, 6.0]));
        assert_eq!(inputs[1].shape, [2, 1]);
        assert_eq!(inputs[1].data, InputData::F32(vec![1.0, 4.0]));
        let unknown = Feed::plan(
            path,
            &[spec("a", vec![Dim::Unknown]), spec("z", vec![Dim::Unknown])],
            &names,
        );
        assert!(unknown.unwrap_err().to_string().contains("by name"));
    }
}
