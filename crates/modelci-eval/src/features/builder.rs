//! Feature values of the reference data, summarised into a drift reference's features.

use std::collections::BTreeMap;

use modelci_drift::{
    CategoricalReference, ContinuousReference, DriftError, Feature, FeatureSummary,
};

use super::{FeatureDef, FeatureKind, FeatureValue};

/// One feature while the reference data is read: one number per sample (what
/// [`ContinuousReference::from_values`] needs), category counts, or 256 intensity counts.
#[derive(Debug)]
enum Column {
    Numbers(Vec<f64>),
    Categories(BTreeMap<String, u64>, u64),
    Pixels(Box<[u64; 256]>),
}

/// Accumulates the features of every sample, then summarises them.
#[derive(Debug, Default)]
pub struct ReferenceBuilder {
    columns: Vec<Column>,
    rows: u64,
}

impl ReferenceBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample's values, in the order of `defs`.
    pub fn add(&mut self, defs: &[FeatureDef], values: Vec<FeatureValue>) {
        if self.columns.is_empty() {
            self.columns = defs
                .iter()
                .map(|def| match def.kind {
                    FeatureKind::Continuous => Column::Numbers(Vec::new()),
                    FeatureKind::Categorical => Column::Categories(BTreeMap::new(), 0),
                    FeatureKind::Pixels => Column::Pixels(Box::new([0; 256])),
                })
                .collect();
        }
        for (column, value) in self.columns.iter_mut().zip(values) {
            match (column, value) {
                (Column::Numbers(numbers), FeatureValue::Number(x)) => numbers.push(x),
                (Column::Categories(counts, _), FeatureValue::Category(key)) => {
                    let key = modelci_drift::category_key(&key).into_owned();
                    *counts.entry(key).or_insert(0) += 1;
                }
                (Column::Pixels(total), FeatureValue::Pixels(counts)) => {
                    for (sum, n) in total.iter_mut().zip(counts.iter()) {
                        *sum += n;
                    }
                }
                (Column::Numbers(numbers), _) => numbers.push(f64::NAN),
                (Column::Categories(_, missing), _) => *missing += 1,
                (Column::Pixels(_), _) => {}
            }
        }
        self.rows += 1;
    }

    /// Samples added.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The summaries, named by `defs`.
    ///
    /// # Errors
    /// The name of the first feature without a single value, with the reason.
    pub fn finish(self, defs: &[FeatureDef]) -> Result<Vec<Feature>, (String, DriftError)> {
        defs.iter()
            .zip(self.columns)
            .map(|(def, column)| {
                let summary = match column {
                    Column::Numbers(values) => {
                        ContinuousReference::from_values(values).map(FeatureSummary::Continuous)
                    }
                    Column::Categories(counts, missing) if !counts.is_empty() => {
                        Ok(FeatureSummary::Categorical(CategoricalReference {
                            counts,
                            missing,
                        }))
                    }
                    Column::Categories(..) => Err(DriftError::EmptyReference),
                    Column::Pixels(counts) => of_histogram(&counts).map(FeatureSummary::Continuous),
                };
                summary
                    .map(|summary| Feature {
                        name: def.name.clone(),
                        summary,
                    })
                    .map_err(|e| (def.name.clone(), e))
            })
            .collect()
    }
}

/// The exact distribution of the intensities 0..=255 counted in `counts`.
fn of_histogram(counts: &[u64; 256]) -> Result<ContinuousReference, DriftError> {
    let mut reference = ContinuousReference {
        points: Vec::new(),
        below: Vec::new(),
        at_or_below: Vec::new(),
        total: 0,
        missing: 0,
        exact: true,
    };
    let mut running = 0u64;
    for (value, &n) in (0u8..=255).zip(counts.iter()) {
        if n > 0 {
            reference.points.push(f64::from(value));
            reference.below.push(running);
            running += n;
            reference.at_or_below.push(running);
        }
    }
    reference.total = running;
    reference.validate()?;
    Ok(reference)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_summary_equals_the_summary_of_every_pixel() {
        let pixels = [0u8, 7, 7, 255, 7, 3];
        let mut counts = [0u64; 256];
        for &p in &pixels {
            counts[usize::from(p)] += 1;
        }
        let from_counts = of_histogram(&counts).unwrap();
        let from_values =
            ContinuousReference::from_values(pixels.iter().map(|&p| f64::from(p))).unwrap();
        assert_eq!(from_counts, from_values);
    }
}
