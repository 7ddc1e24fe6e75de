//! Symmetric 8-bit quantization of weight values, per tensor or per channel.

/// Quantized values with one scale per channel (or one scale in all).
pub(crate) struct Quantized {
    /// `round(w / scale)` clamped to [-127, 127].
    pub values: Vec<i8>,
    /// One scale per channel along the axis, or a single scale.
    pub scales: Vec<f32>,
}

/// Quantizes `values` of shape `dims`; with `axis`, one scale per index along that axis.
/// The range is symmetric ([-127, 127], zero point 0) so that a zero weight stays exactly zero.
pub(crate) fn symmetric(values: &[f32], dims: &[usize], axis: Option<usize>) -> Quantized {
    let (channels, inner) = match axis {
        Some(axis) if axis < dims.len() => (dims[axis], dims[axis + 1..].iter().product::<usize>()),
        _ => (1, values.len()),
    };
    let channels = channels.max(1);
    let channel_of = |i: usize| {
        if channels == 1 {
            0
        } else {
            (i / inner.max(1)) % channels
        }
    };
    let mut max_abs = vec![0f32; channels];
    for (i, v) in values.iter().enumerate() {
        let c = channel_of(i);
        max_abs[c] = max_abs[c].max(v.abs());
    }
    let scales: Vec<f32> = max_abs
        .iter()
        .map(|&m| {
            if m > 0.0 && m.is_finite() {
                m / 127.0
            } else {
                1.0
            }
        })
        .collect();
    let values = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            #[allow(clippy::cast_possible_truncation)]
            let q = (v / scales[channel_of(i)]).round().clamp(-127.0, 127.0) as i8;
            q
        })
        .collect();
    Quantized { values, scales }
}

/// The values shifted to `uint8` around zero point 128.
pub(crate) fn to_u8(values: &[i8]) -> Vec<u8> {
    values
        .iter()
        .map(|&v| u8::try_from(i16::from(v) + 128).unwrap_or(u8::MAX))
        .collect()
}

/// `values` of shape `[rows, cols]` transposed to `[cols, rows]`.
pub(crate) fn transpose(values: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0f32; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_channel_scales_follow_each_channel_maximum() {
        // [2, 3]: channel 0 = [1, -2, 0.5], channel 1 = [10, 0, -5]
        let q = symmetric(&[1.0, -2.0, 0.5, 10.0, 0.0, -5.0], &[2, 3], Some(0));
        assert_eq!(q.scales, vec![2.0 / 127.0, 10.0 / 127.0]);
        assert_eq!(q.values, vec![64, -127, 32, 127, 0, -64]);
        let t = symmetric(&[1.0, -2.0, 0.5, 10.0, 0.0, -5.0], &[2, 3], None);
        assert_eq!(t.scales.len(), 1);
        assert_eq!(t.values[3], 127);
        assert_eq!(to_u8(&[-127, 0, 127]), vec![1, 128, 255]);
        assert_eq!(
            transpose(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3),
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }
}
