//! Feeding one model: which sample data goes to which input, in which shape and element type.
//!
//! Two ways, decided once per model before any sample is read, so that a dataset that does not
//! fit fails with one line naming the array and the shape expected, before any inference:
//! - **through a layout** ([`crate::layout`]): a model with one floating-point input (or a
//!   `uint8` image input) fed images, the `x` array of an `.npz` or CSV rows, with resizing and
//!   scaling as today;
//! - **by name**: one array per model input, named as the input (`input_ids`,
//!   `attention_mask`, a state tensor …), or the single `x` array for a model whose one input
//!   is an integer. Element types are kept and cast only where the cast is lossless (checked
//!   value by value for integers); dynamic dimensions come from the data.
//!
//! Shapes a model leaves dynamic can also be pinned with `--input-shape NAME=DIMS`
//! ([`ShapeOverride`]), which is what a smoke run without data needs. A model whose batch axis
//! is fixed (often to 1) is run at that batch size: [`Feeder::fixed_batch`].

use crate::dataset::{ArrayInfo, SampleData, Values};
use crate::engine::{InputData, InputTensor};
use crate::layout::{InputLayout, LayoutOverride, float_values};
use crate::preprocess::Preprocess;
use crate::signature::{Dim, ElemType, ModelSignature, TensorSpec};

/// `--input-shape NAME=DIMS`: the shape of one model input, batch first; `N` (or any value)
/// for the batch axis, which follows the batch size unless the model fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeOverride {
    /// The input's name.
    pub name: String,
    /// The dimensions, batch first; `None` for `N`.
    pub dims: Vec<Option<usize>>,
}

impl std::str::FromStr for ShapeOverride {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "--input-shape {text}: expected NAME=DIMS with DIMS like 1x3x48x192 or Nx3x48x192"
            )
        };
        let (name, dims) = text.rsplit_once('=').ok_or_else(bad)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(bad());
        }
        let dims = dims
            .split(['x', 'X', ','])
            .enumerate()
            .map(|(i, d)| match d.trim() {
                "N" | "n" | "?" if i == 0 => Ok(None),
                d => d
                    .parse::<usize>()
                    .ok()
                    .filter(|&v| v > 0)
                    .map(Some)
                    .ok_or_else(bad),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if dims.len() < 2 {
            return Err(bad());
        }
        Ok(Self {
            name: name.to_owned(),
            dims,
        })
    }
}

impl std::fmt::Display for ShapeOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dims: Vec<String> = self
            .dims
            .iter()
            .map(|d| d.map_or_else(|| "N".to_owned(), |v| v.to_string()))
            .collect();
        write!(f, "{}={}", self.name, dims.join("x"))
    }
}

/// Checks that every `--input-shape` names an input of at least one of the models.
///
/// # Errors
/// A message naming the flag and the inputs there are.
pub fn check_shape_names(
    overrides: &[ShapeOverride],
    signatures: &[&ModelSignature],
) -> Result<(), String> {
    for o in overrides {
        if !signatures
            .iter()
            .any(|s| s.inputs.iter().any(|i| i.name == o.name))
        {
            let mut names: Vec<&str> = signatures
                .iter()
                .flat_map(|s| s.inputs.iter().map(|i| i.name.as_str()))
                .collect();
            names.dedup();
            return Err(format!(
                "--input-shape {o}: the model has no input `{}` (inputs: {})",
                o.name,
                names.join(", ")
            ));
        }
    }
    Ok(())
}

/// The inputs of `signature` with `overrides` applied to their dynamic dimensions.
///
/// # Errors
/// A message when an override has the wrong rank or contradicts a fixed dimension.
pub fn apply_overrides(
    signature: &ModelSignature,
    overrides: &[ShapeOverride],
) -> Result<Vec<TensorSpec>, String> {
    signature
        .inputs
        .iter()
        .map(|spec| {
            let Some(o) = overrides.iter().find(|o| o.name == spec.name) else {
                return Ok(spec.clone());
            };
            let declared = spec
                .dims
                .clone()
                .unwrap_or_else(|| vec![Dim::Unknown; o.dims.len()]);
            if declared.len() != o.dims.len() {
                return Err(format!(
                    "--input-shape {o}: input {spec} has {} dimensions, not {}",
                    declared.len(),
                    o.dims.len()
                ));
            }
            let dims = declared
                .iter()
                .zip(&o.dims)
                .enumerate()
                .map(|(axis, (d, given))| match (d.fixed(), given) {
                    (Some(fixed), Some(g)) if fixed != *g && axis > 0 => Err(format!(
                        "--input-shape {o}: input {spec} fixes dimension {axis} to {fixed}"
                    )),
                    (None, Some(g)) if axis > 0 => Ok(Dim::Fixed(*g as u64)),
                    _ => Ok(d.clone()),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(TensorSpec {
                dims: Some(dims),
                ..spec.clone()
            })
        })
        .collect()
}

/// One model input fed by name.
#[derive(Debug, Clone)]
struct Direct {
    /// The input's name.
    name: String,
    /// The dataset array it is fed from; `None` for the single unnamed array.
    source: Option<String>,
    /// Its declared element type.
    elem: ElemType,
    /// Its per-sample shape.
    shape: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Mode {
    Layout { layout: InputLayout, elem: ElemType },
    Direct(Vec<Direct>),
}

/// How one model is fed, decided before the first sample.
#[derive(Debug, Clone)]
pub struct Feeder {
    mode: Mode,
    fixed_batch: Option<usize>,
    /// Whether the single array fed through the layout holds 8-bit values (images too).
    from_u8: bool,
}

/// The preprocessing a model fed through a layout got, for reports (`report.json`,
/// `report.md`): what a reviewer needs to tell whether it matches training.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Preprocessing {
    /// `flat`, `nchw`, `nhwc` or `hw`.
    pub layout: String,
    /// Width and height images are brought to, when the input is an image.
    pub size: Option<(u32, u32)>,
    /// How images of another size are brought to `size`.
    pub resize: crate::resize::Resize,
    /// The factor raw values were multiplied by.
    pub scale: f32,
    /// Subtracted per channel after scaling.
    pub mean: Vec<f32>,
    /// Divided by per channel after the mean.
    pub std: Vec<f32>,
}

/// What a dataset offers, for [`Feeder::new`].
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Decoded images (an image folder).
    Images,
    /// Arrays (an `.npz`, `.npy` or CSV file).
    Arrays(&'a [ArrayInfo]),
}

impl Feeder {
    /// Decides how to feed a model with `signature` from `source`.
    ///
    /// # Errors
    /// One line naming the array (or input) and the shape or type expected, when the data
    /// cannot feed the model.
    pub fn new(
        signature: &ModelSignature,
        source: Source<'_>,
        layout: LayoutOverride,
        overrides: &[ShapeOverride],
    ) -> Result<Self, String> {
        let specs = apply_overrides(signature, overrides)?;
        let fixed_batch = specs
            .iter()
            .find_map(|s| s.dims.as_ref().and_then(|d| d.first()).and_then(Dim::fixed));
        let named = match source {
            Source::Arrays(arrays) => arrays.iter().any(|a| a.name.is_some()),
            _ => false,
        };
        let mode = match (source, specs.as_slice()) {
            (Source::Arrays(arrays), _) if named => Mode::Direct(by_name(&specs, arrays)?),
            (_, [spec]) => single(spec, source, layout)?,
            (_, many) => {
                let names: Vec<&str> = many.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "the model has {} inputs ({}); give a .npz with one array per input, named as the input, and `y`",
                    many.len(),
                    names.join(", ")
                ));
            }
        };
        let from_u8 = match source {
            Source::Images => true,
            Source::Arrays([x]) => x.dtype == ElemType::U8,
            _ => false,
        };
        Ok(Self {
            mode,
            fixed_batch,
            from_u8,
        })
    }

    /// The same feeder, resizing images with `resize`.
    #[must_use]
    pub fn with_resize(mut self, resize: crate::resize::Resize) -> Self {
        if let Mode::Layout { layout, .. } = &mut self.mode {
            layout.resize = resize;
        }
        self
    }

    /// The preprocessing of a model fed through a layout; `None` for inputs fed by name
    /// (their values go in as stored, cast losslessly).
    #[must_use]
    pub fn preprocessing(&self, pre: &Preprocess) -> Option<Preprocessing> {
        let Mode::Layout { layout, elem } = &self.mode else {
            return None;
        };
        let raw = !elem.is_float();
        let is_image =
            layout.kind != crate::layout::LayoutKind::Flat || layout.image_size.is_some();
        Some(Preprocessing {
            layout: format!("{:?}", layout.kind).to_ascii_lowercase(),
            size: layout.image_size.filter(|_| is_image),
            resize: layout.resize,
            scale: if raw {
                1.0
            } else {
                pre.scale_for(self.from_u8)
            },
            mean: if raw { Vec::new() } else { pre.mean.clone() },
            std: if raw { Vec::new() } else { pre.std.clone() },
        })
    }

    /// The batch size the model fixes, if it fixes one.
    #[must_use]
    pub fn fixed_batch(&self) -> Option<usize> {
        self.fixed_batch
    }

    /// The per-sample shape of each input (batch axis excluded), in input order.
    #[must_use]
    pub fn sample_shapes(&self) -> Vec<Vec<usize>> {
        match &self.mode {
            Mode::Layout { layout, .. } => vec![layout.sample_shape.clone()],
            Mode::Direct(inputs) => inputs.iter().map(|i| i.shape.clone()).collect(),
        }
    }

    /// The layout of a model fed through one (images, `x`, CSV).
    #[must_use]
    pub fn layout(&self) -> Option<&InputLayout> {
        match &self.mode {
            Mode::Layout { layout, .. } => Some(layout),
            _ => None,
        }
    }

    /// The model inputs for `samples`, padded to `rows` rows by repeating the last sample (a
    /// model with a fixed batch size gets full batches).
    ///
    /// # Errors
    /// A message naming the sample's array when it does not fit.
    pub fn build(
        &self,
        samples: &[&SampleData],
        rows: usize,
        pre: &Preprocess,
    ) -> Result<Vec<InputTensor>, String> {
        let rows = rows.max(samples.len());
        let padded = |i: usize| samples[i.min(samples.len().saturating_sub(1))];
        match &self.mode {
            Mode::Layout { layout, elem } => {
                let raw = Preprocess {
                    scale: Some(1.0),
                    ..Preprocess::default()
                };
                let pre = if elem.is_float() { pre } else { &raw };
                let mut values = Vec::with_capacity(layout.sample_len() * rows);
                for i in 0..rows {
                    layout.fill(padded(i), pre, &mut values)?;
                }
                let data = if elem.is_float() {
                    InputData::F32(values)
                } else {
                    #[allow(clippy::cast_possible_truncation)]
                    InputData::I64(values.iter().map(|&v| v.round() as i64).collect())
                };
                Ok(vec![InputTensor {
                    shape: layout.batch_shape(rows),
                    data,
                }])
            }
            Mode::Direct(inputs) => inputs
                .iter()
                .map(|input| {
                    let mut data = empty(input.elem, input.shape.iter().product::<usize>() * rows);
                    for i in 0..rows {
                        append(input, padded(i), pre, &mut data)?;
                    }
                    let mut shape = vec![rows];
                    shape.extend(&input.shape);
                    Ok(InputTensor { shape, data })
                })
                .collect(),
        }
    }
}

/// A model with one input fed images, `x` or CSV rows.
fn single(spec: &TensorSpec, source: Source<'_>, layout: LayoutOverride) -> Result<Mode, String> {
    let arrays = match source {
        Source::Arrays(arrays) => arrays,
        _ => &[],
    };
    let through_layout = spec.elem_type.is_float()
        || (spec.elem_type == ElemType::U8 && matches!(source, Source::Images));
    if through_layout {
        let filled = match arrays {
            [x] => fill_from_data(spec, &x.shape),
            _ => spec.clone(),
        };
        let layout = InputLayout::derive(&filled, layout)?;
        return Ok(Mode::Layout {
            layout,
            elem: spec.elem_type,
        });
    }
    match arrays {
        [x] => {
            let direct = direct(spec, x)?;
            Ok(Mode::Direct(vec![direct]))
        }
        _ => Err(format!(
            "input {spec} takes {}; feed it from a .npz array (images and CSV rows are fed to float inputs)",
            spec.elem_type
        )),
    }
}

/// The spec with its dynamic non-batch dimensions taken from the data, when the ranks match
/// and every fixed dimension agrees.
fn fill_from_data(spec: &TensorSpec, shape: &[usize]) -> TensorSpec {
    let Some(dims) = &spec.dims else {
        return spec.clone();
    };
    let Some((batch, rest)) = dims.split_first() else {
        return spec.clone();
    };
    let agrees = rest.len() == shape.len()
        && rest
            .iter()
            .zip(shape)
            .all(|(d, &s)| d.fixed().is_none_or(|f| f == s));
    if !agrees {
        return spec.clone();
    }
    let mut filled = vec![batch.clone()];
    filled.extend(
        rest.iter()
            .zip(shape)
            .map(|(d, &s)| d.fixed().map_or(Dim::Fixed(s as u64), |_| d.clone())),
    );
    TensorSpec {
        dims: Some(filled),
        ..spec.clone()
    }
}

/// Every model input matched with the array of the same name.
fn by_name(specs: &[TensorSpec], arrays: &[ArrayInfo]) -> Result<Vec<Direct>, String> {
    let have: Vec<&str> = arrays.iter().filter_map(|a| a.name.as_deref()).collect();
    let inputs = specs
        .iter()
        .map(|spec| {
            let array = arrays
                .iter()
                .find(|a| a.name.as_deref() == Some(spec.name.as_str()))
                .ok_or_else(|| {
                    format!(
                        "no array `{}` for model input {spec} (the dataset has: {})",
                        spec.name,
                        have.join(", ")
                    )
                })?;
            direct(spec, array)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(extra) = have
        .iter()
        .find(|name| !specs.iter().any(|s| s.name == **name))
    {
        let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
        return Err(format!(
            "array `{extra}` is not an input of the model (inputs: {}); remove it or rename it",
            names.join(", ")
        ));
    }
    Ok(inputs)
}

/// One input fed from one array: the element types must cast losslessly, the shapes agree.
fn direct(spec: &TensorSpec, array: &ArrayInfo) -> Result<Direct, String> {
    let label = array.name.as_deref().unwrap_or("x");
    let target = spec.elem_type;
    let ok = if target.is_float() {
        array.dtype.is_float() || array.dtype.is_integer() || array.dtype == ElemType::Bool
    } else if target.is_integer() {
        array.dtype.is_integer() || array.dtype == ElemType::Bool
    } else {
        target == ElemType::Bool && array.dtype == ElemType::Bool
    };
    if !ok {
        return Err(format!(
            "array `{label}` holds {} but model input {spec} takes {target}; modelci casts only where no value changes (save it with .astype)",
            array.dtype
        ));
    }
    let expected = || {
        let dims: Vec<String> = spec
            .dims
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect();
        format!("[{}]", dims.join(", "))
    };
    let mismatch = || {
        format!(
            "array `{label}` has shape {:?} per sample but model input `{}` takes {} (batch first)",
            array.shape,
            spec.name,
            expected()
        )
    };
    let shape = match &spec.dims {
        None => array.shape.clone(),
        Some(dims) => {
            let rest = dims.get(1..).unwrap_or_default();
            if rest.len() != array.shape.len() {
                return Err(mismatch());
            }
            rest.iter()
                .zip(&array.shape)
                .map(|(d, &s)| match d.fixed() {
                    Some(f) if f != s => Err(mismatch()),
                    _ => Ok(s),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(Direct {
        name: spec.name.clone(),
        source: array.name.clone(),
        elem: target,
        shape,
    })
}

fn empty(elem: ElemType, capacity: usize) -> InputData {
    if elem.is_float() {
        InputData::F32(Vec::with_capacity(capacity))
    } else if elem == ElemType::Bool {
        InputData::Bool(Vec::with_capacity(capacity))
    } else {
        InputData::I64(Vec::with_capacity(capacity))
    }
}

/// Appends one sample's array for `input` to `out`, converting losslessly.
fn append(
    input: &Direct,
    sample: &SampleData,
    pre: &Preprocess,
    out: &mut InputData,
) -> Result<(), String> {
    let SampleData::Arrays(arrays) = sample else {
        return Err(format!(
            "input `{}` is fed from arrays, not images",
            input.name
        ));
    };
    let array = arrays
        .iter()
        .find(|a| a.name == input.source)
        .ok_or_else(|| format!("the sample has no array for input `{}`", input.name))?;
    if array.shape != input.shape {
        return Err(format!(
            "array `{}` has shape {:?} here but {:?} in the first sample",
            array.label(),
            array.shape,
            input.shape
        ));
    }
    match out {
        InputData::F32(out) => {
            if let Values::Int(values) = &array.values
                && let Some(limit) = input.elem.exact_integers()
                && let Some(v) = values
                    .iter()
                    .find(|v| v.unsigned_abs() > limit.unsigned_abs())
            {
                return Err(format!(
                    "array `{}` holds {v}, which {} cannot hold exactly (input `{}`)",
                    array.label(),
                    input.elem,
                    input.name
                ));
            }
            let scale = pre.scale_for(array.dtype == ElemType::U8);
            out.extend(
                float_values(&array.values)
                    .iter()
                    .map(|&v| pre.apply(v, scale, 0)),
            );
        }
        InputData::I64(out) => {
            let (low, high) = input.elem.integer_range().unwrap_or((i64::MIN, i64::MAX));
            match &array.values {
                Values::Int(values) => {
                    if let Some(v) = values.iter().find(|&&v| v < low || v > high) {
                        return Err(format!(
                            "array `{}` holds {v}, which does not fit input `{}` ({})",
                            array.label(),
                            input.name,
                            input.elem
                        ));
                    }
                    out.extend_from_slice(values);
                }
                Values::Bool(values) => out.extend(values.iter().map(|&b| i64::from(b))),
                Values::Float(_) => {
                    return Err(format!(
                        "array `{}` holds floats but input `{}` takes {}",
                        array.label(),
                        input.name,
                        input.elem
                    ));
                }
            }
        }
        InputData::Bool(out) => match &array.values {
            Values::Bool(values) => out.extend_from_slice(values),
            _ => {
                return Err(format!(
                    "array `{}` does not hold booleans but input `{}` takes bool",
                    array.label(),
                    input.name
                ));
            }
        },
    }
    Ok(())
}

/// Synthetic inputs for a smoke run without data: zeros, or seeded random values (floats in
/// [0, 1), integers 0 or 1, booleans), for `batch` samples.
///
/// # Errors
/// A message naming the input (and the flags that give its shape) when a dimension other than
/// the batch is dynamic.
pub fn synthetic(
    signature: &ModelSignature,
    layout: LayoutOverride,
    overrides: &[ShapeOverride],
    batch: usize,
    random: Option<&mut dyn FnMut() -> f32>,
) -> Result<Vec<InputTensor>, String> {
    let specs = apply_overrides(signature, overrides)?;
    let mut random = random;
    specs
        .iter()
        .map(|spec| {
            let shape = smoke_shape(spec, layout, specs.len() == 1)?;
            let mut full = vec![batch];
            full.extend(&shape);
            let count: usize = full.iter().product();
            let mut next = || random.as_mut().map_or(0.0, |r| r());
            let data = if spec.elem_type.is_float() {
                InputData::F32((0..count).map(|_| next()).collect())
            } else if spec.elem_type == ElemType::Bool {
                InputData::Bool((0..count).map(|_| next() >= 0.5).collect())
            } else {
                InputData::I64((0..count).map(|_| i64::from(next() >= 0.5)).collect())
            };
            Ok(InputTensor { shape: full, data })
        })
        .collect()
}

/// The per-sample shape of an input for a smoke run: fixed dims, images sized by the layout
/// flags, else an error that names `--input-shape`.
fn smoke_shape(
    spec: &TensorSpec,
    layout: LayoutOverride,
    only: bool,
) -> Result<Vec<usize>, String> {
    let dims = spec.dims.as_ref().ok_or_else(|| {
        format!(
            "input `{}` declares no shape; give it with --input-shape {}=Nx…",
            spec.name, spec.name
        )
    })?;
    let rest = dims.get(1..).unwrap_or_default();
    if let Some(fixed) = rest.iter().map(Dim::fixed).collect::<Option<Vec<_>>>() {
        return Ok(fixed);
    }
    if only && spec.elem_type.is_float() {
        return InputLayout::derive(spec, layout)
            .map(|l| l.sample_shape)
            .map_err(String::from);
    }
    Err(format!(
        "input {spec} has a dynamic dimension; give it with --input-shape {}=N{}",
        spec.name,
        crate::layout::shape_hint(rest)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, elem: ElemType, dims: &[Dim]) -> TensorSpec {
        TensorSpec {
            name: name.into(),
            elem_type: elem,
            dims: Some(dims.to_vec()),
        }
    }

    fn signature(inputs: Vec<TensorSpec>) -> ModelSignature {
        ModelSignature {
            inputs,
            outputs: Vec::new(),
            opset: 13,
            parameters: 0,
            producer: String::new(),
        }
    }

    fn n() -> Dim {
        Dim::Symbolic("N".into())
    }

    fn info(name: &str, shape: &[usize], dtype: ElemType) -> ArrayInfo {
        ArrayInfo {
            name: Some(name.into()),
            shape: shape.to_vec(),
            dtype,
        }
    }

    #[test]
    fn parses_input_shapes() {
        let o: ShapeOverride = "image=1x3x48x192".parse().expect("valid");
        assert_eq!(o.dims, vec![Some(1), Some(3), Some(48), Some(192)]);
        let o: ShapeOverride = "a=b=Nx4".parse().expect("the last = splits");
        assert_eq!(
            (o.name.as_str(), o.dims.clone()),
            ("a=b", vec![None, Some(4)])
        );
        assert!("image".parse::<ShapeOverride>().is_err());
        assert!("image=3".parse::<ShapeOverride>().is_err());
        assert!("image=1x0x4".parse::<ShapeOverride>().is_err());
    }

    #[test]
    fn named_arrays_feed_inputs_by_name() {
        let sig = signature(vec![
            spec("input_ids", ElemType::I64, &[n(), Dim::Fixed(4)]),
            spec("attention_mask", ElemType::I64, &[n(), Dim::Unknown]),
        ]);
        let arrays = [
            info("attention_mask", &[4], ElemType::I32),
            info("input_ids", &[4], ElemType::I64),
        ];
        let feeder = Feeder::new(
            &sig,
            Source::Arrays(&arrays),
            LayoutOverride::default(),
            &[],
        )
        .expect("fits");
        assert_eq!(feeder.sample_shapes(), vec![vec![4], vec![4]]);

        let missing = Feeder::new(
            &sig,
            Source::Arrays(&arrays[1..]),
            LayoutOverride::default(),
            &[],
        )
        .expect_err("attention_mask missing");
        assert!(missing.contains("no array `attention_mask`"), "{missing}");

        let floats = [
            info("attention_mask", &[4], ElemType::I64),
            info("input_ids", &[4], ElemType::F32),
        ];
        let wrong = Feeder::new(
            &sig,
            Source::Arrays(&floats),
            LayoutOverride::default(),
            &[],
        )
        .expect_err("floats into int64");
        assert!(wrong.contains("array `input_ids` holds float32"), "{wrong}");

        let short = [
            info("attention_mask", &[4], ElemType::I64),
            info("input_ids", &[3], ElemType::I64),
        ];
        let shape = Feeder::new(&sig, Source::Arrays(&short), LayoutOverride::default(), &[])
            .expect_err("3 != 4");
        assert!(shape.contains("[3]") && shape.contains("[N, 4]"), "{shape}");

        let mut extra = arrays.to_vec();
        extra.push(info("token_type_ids", &[4], ElemType::I64));
        let extra = Feeder::new(&sig, Source::Arrays(&extra), LayoutOverride::default(), &[])
            .expect_err("extra");
        assert!(
            extra.contains("array `token_type_ids` is not an input"),
            "{extra}"
        );
    }

    #[test]
    fn integers_are_checked_to_fit() {
        let sig = signature(vec![spec("ids", ElemType::I32, &[n(), Dim::Fixed(2)])]);
        let arrays = [info("ids", &[2], ElemType::I64)];
        let feeder = Feeder::new(
            &sig,
            Source::Arrays(&arrays),
            LayoutOverride::default(),
            &[],
        )
        .expect("fits");
        let sample = |v: Vec<i64>| {
            SampleData::Arrays(vec![crate::dataset::Array {
                name: Some("ids".into()),
                shape: vec![2],
                dtype: ElemType::I64,
                values: Values::Int(v),
            }])
        };
        let ok = sample(vec![1, 2]);
        let inputs = feeder
            .build(&[&ok], 2, &Preprocess::default())
            .expect("fits");
        assert_eq!(inputs[0].shape, vec![2, 2], "padded to two rows");
        assert_eq!(inputs[0].data, InputData::I64(vec![1, 2, 1, 2]));
        let big = sample(vec![1, 1 << 40]);
        let err = feeder
            .build(&[&big], 1, &Preprocess::default())
            .expect_err("too big for int32");
        assert!(err.contains("does not fit"), "{err}");
    }

    #[test]
    fn overrides_pin_dynamic_dims_and_refuse_unknown_inputs() {
        let sig = signature(vec![spec(
            "image",
            ElemType::F32,
            &[n(), Dim::Fixed(3), Dim::Unknown, Dim::Unknown],
        )]);
        let o: ShapeOverride = "image=1x3x48x192".parse().expect("valid");
        let specs = apply_overrides(&sig, std::slice::from_ref(&o)).expect("applies");
        assert_eq!(
            specs[0].dims.as_deref(),
            Some(&[n(), Dim::Fixed(3), Dim::Fixed(48), Dim::Fixed(192)][..])
        );
        let wrong: ShapeOverride = "image=1x1x48x192".parse().expect("valid");
        assert!(apply_overrides(&sig, &[wrong]).is_err(), "contradicts C=3");
        let unknown: ShapeOverride = "pixels=1x3x4x4".parse().expect("valid");
        let err = check_shape_names(&[unknown], &[&sig]).expect_err("no such input");
        assert!(
            err.contains("no input `pixels`") && err.contains("image"),
            "{err}"
        );
        let inputs = synthetic(&sig, LayoutOverride::default(), &[o], 1, None).expect("shaped");
        assert_eq!(inputs[0].shape, vec![1, 3, 48, 192]);
    }
}
