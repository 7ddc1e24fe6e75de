//! What both servers need from a tensor: its rank and its dimensions, `None` where dynamic.

use modelci_bundle::manifest::TensorEntry;

use crate::ServingError;

/// The dimensions of `t`, `None` for a dynamic one (a name or unknown).
///
/// # Errors
/// [`ServingError::Unsupported`] when the model declares no shape (the rank is unknown).
pub(crate) fn dims(
    t: &TensorEntry,
    model: &str,
    layout: &'static str,
) -> Result<Vec<Option<u64>>, ServingError> {
    let Some(shape) = &t.shape else {
        return Err(ServingError::Unsupported {
            model: model.to_owned(),
            layout,
            tensor: t.name.clone(),
            reason: "the model declares no shape for it, and the layout needs its rank".into(),
        });
    };
    Ok(shape.iter().map(serde_json::Value::as_u64).collect())
}

/// `-1` for a dynamic dimension, as both Triton and MLServer write it.
pub(crate) fn signed(d: Option<u64>) -> i64 {
    d.and_then(|v| i64::try_from(v).ok()).unwrap_or(-1)
}
