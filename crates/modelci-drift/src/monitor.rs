//! One feature's drift: counting current values against the reference and comparing.

use serde::Serialize;

use crate::chi2::chi2;
use crate::ks::ks;
pub use crate::number::number_of;
use crate::psi::{PsiBand, decile_bins, psi_of_counts};
use crate::{CategoricalCounts, ContinuousCounts, DriftError, Feature, FeatureSummary};

/// Current values of one feature, counted the way its reference summary needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Counts {
    /// Against a continuous reference's points.
    Continuous(ContinuousCounts),
    /// Per category.
    Categorical(CategoricalCounts),
}

impl Counts {
    /// Empty counters for a reference feature.
    pub fn new(summary: &FeatureSummary) -> Self {
        match summary {
            FeatureSummary::Continuous(reference) => {
                Self::Continuous(ContinuousCounts::new(reference))
            }
            FeatureSummary::Categorical(_) => Self::Categorical(CategoricalCounts::default()),
        }
    }

    /// Counts a value read as text (a CSV cell): empty is missing; for a continuous feature,
    /// text that is not a number counts as missing too.
    pub fn add_text(&mut self, text: &str) {
        match self {
            Self::Continuous(counts) => counts.add(number_of(text.as_bytes())),
            Self::Categorical(counts) => {
                let text = text.trim();
                counts.add((!text.is_empty()).then_some(text));
            }
        }
    }

    /// Counts a number (a tensor element); for a categorical feature, its decimal text.
    pub fn add_number(&mut self, value: f64) {
        match self {
            Self::Continuous(counts) => counts.add(value),
            Self::Categorical(counts) => counts.add(Some(&value.to_string())),
        }
    }

    /// Adds the counts of another part of the data.
    pub fn merge(&mut self, other: &Self) {
        match (self, other) {
            (Self::Continuous(mine), Self::Continuous(theirs)) => mine.merge(theirs),
            (Self::Categorical(mine), Self::Categorical(theirs)) => mine.merge(theirs),
            _ => {}
        }
    }
}

/// The statistical test run for a feature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "test")]
pub enum Test {
    /// Two-sample Kolmogorov–Smirnov (continuous features).
    Ks {
        /// The largest CDF distance.
        statistic: f64,
        /// Asymptotic p-value.
        p_value: f64,
        /// Whether the statistic is exact.
        exact: bool,
    },
    /// Chi-squared goodness of fit (categorical features).
    ChiSquared {
        /// Pearson's statistic.
        statistic: f64,
        /// p-value.
        p_value: f64,
        /// Share of current rows in categories the reference never saw.
        unseen_share: f64,
    },
}

impl Test {
    /// The test's p-value.
    pub fn p_value(&self) -> f64 {
        match self {
            Self::Ks { p_value, .. } | Self::ChiSquared { p_value, .. } => *p_value,
        }
    }
}

/// One bin of a feature's distribution, for charts: its label and both shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bin {
    /// `≤ 1.5`, `> 9`, or a category.
    pub label: String,
    /// Share of the reference's values.
    pub reference: f64,
    /// Share of the current values.
    pub current: f64,
}

/// How one feature changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureDrift {
    /// The feature.
    pub name: String,
    /// PSI over the reference's deciles (continuous) or categories (categorical).
    pub psi: f64,
    /// Its usual reading.
    pub band: PsiBand,
    /// The statistical test.
    #[serde(flatten)]
    pub test: Test,
    /// Current values counted (missing ones aside).
    pub current_values: u64,
    /// Share of current rows where the feature is missing.
    pub current_missing_share: f64,
    /// Share of reference rows where it was missing.
    pub reference_missing_share: f64,
    /// The distribution bins both shares were compared over.
    pub bins: Vec<Bin>,
}

/// Categories shown in a categorical feature's bins; the rest are summed into one bin.
const SHOWN_CATEGORIES: usize = 12;

/// Compares one feature's current counts with its reference.
pub fn compare(feature: &Feature, counts: &Counts) -> Result<FeatureDrift, DriftError> {
    let share = |part: u64, whole: u64| {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    };
    match (&feature.summary, counts) {
        (FeatureSummary::Continuous(reference), Counts::Continuous(current)) => {
            let test = ks(reference, current)?;
            let bins = decile_bins(reference, current);
            let labels = bins.upper.iter().scan(None::<f64>, |previous, upper| {
                let label = match (upper, *previous) {
                    (Some(u), _) => format!("≤ {}", short(*u)),
                    (None, Some(p)) => format!("> {}", short(p)),
                    (None, None) => "all".to_owned(),
                };
                *previous = *upper;
                Some(label)
            });
            let (ref_total, cur_total) = (reference.total, current.total());
            Ok(FeatureDrift {
                name: feature.name.clone(),
                psi: psi_of_counts(&bins.reference, &bins.current),
                band: PsiBand::of(psi_of_counts(&bins.reference, &bins.current)),
                test: Test::Ks {
                    statistic: test.statistic,
                    p_value: test.p_value,
                    exact: test.exact,
                },
                current_values: cur_total,
                current_missing_share: share(current.missing(), cur_total + current.missing()),
                reference_missing_share: share(reference.missing, ref_total + reference.missing),
                bins: labels
                    .zip(bins.reference.iter().zip(&bins.current))
                    .map(|(label, (&r, &c))| Bin {
                        label,
                        reference: share(r, ref_total),
                        current: share(c, cur_total),
                    })
                    .collect(),
            })
        }
        (FeatureSummary::Categorical(reference), Counts::Categorical(current)) => {
            let test = chi2(reference, current)?;
            let (ref_total, cur_total) = (reference.total(), current.total());
            let mut ranked: Vec<(&String, &u64)> = reference.counts.iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let mut bins: Vec<Bin> = ranked
                .iter()
                .take(SHOWN_CATEGORIES)
                .map(|&(category, count)| Bin {
                    label: category.clone(),
                    reference: share(*count, ref_total),
                    current: share(current.count(category), cur_total),
                })
                .collect();
            let shown_ref: f64 = bins.iter().map(|b| b.reference).sum();
            let shown_cur: f64 = bins.iter().map(|b| b.current).sum();
            if ranked.len() > SHOWN_CATEGORIES || test.unseen_share > 0.0 {
                bins.push(Bin {
                    label: "(other)".to_owned(),
                    reference: (1.0 - shown_ref).max(0.0),
                    current: (1.0 - shown_cur).max(0.0),
                });
            }
            Ok(FeatureDrift {
                name: feature.name.clone(),
                psi: test.psi,
                band: PsiBand::of(test.psi),
                test: Test::ChiSquared {
                    statistic: test.statistic,
                    p_value: test.p_value,
                    unseen_share: test.unseen_share,
                },
                current_values: cur_total,
                current_missing_share: share(current.missing(), cur_total + current.missing()),
                reference_missing_share: share(reference.missing, ref_total + reference.missing),
                bins,
            })
        }
        _ => Err(DriftError::Inconsistent(
            "counts of another kind than the reference",
        )),
    }
}

/// A bin bound in few digits (`1.5`, `1.23e6`).
fn short(value: f64) -> String {
    let text = format!("{value:.4}");
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed.len() > 10 {
        format!("{value:.3e}")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{CategoricalReference, ContinuousReference};

    #[test]
    fn a_shifted_mean_drifts_and_an_unchanged_sample_does_not() {
        let values: Vec<f64> = (0..2000).map(|i| f64::from(i % 100) / 10.0).collect();
        let feature = Feature {
            name: "x".into(),
            summary: FeatureSummary::Continuous(
                ContinuousReference::from_values(values.iter().copied()).unwrap(),
            ),
        };
        let mut same = Counts::new(&feature.summary);
        let mut shifted = Counts::new(&feature.summary);
        for v in &values {
            same.add_number(*v);
            shifted.add_text(&(v + 2.5).to_string());
        }
        let same = compare(&feature, &same).unwrap();
        assert_eq!(same.band, PsiBand::Stable);
        assert!(same.test.p_value() > 0.99);
        assert_eq!(same.bins.len(), 10);
        assert!((same.bins.iter().map(|b| b.current).sum::<f64>() - 1.0).abs() < 1e-12);
        let shifted = compare(&feature, &shifted).unwrap();
        assert_eq!(shifted.band, PsiBand::Significant);
        assert!(shifted.test.p_value() < 1e-6);
        assert_eq!(shifted.bins.last().unwrap().label, "> 8.9");
    }

    #[test]
    fn categories_beyond_the_shown_ones_and_new_ones_share_one_bin() {
        let labels: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        let feature = Feature {
            name: "plan".into(),
            summary: FeatureSummary::Categorical(
                CategoricalReference::from_values(labels.iter().map(|l| Some(l.as_str()))).unwrap(),
            ),
        };
        let mut counts = Counts::new(&feature.summary);
        labels.iter().for_each(|l| counts.add_text(l));
        counts.add_text("brand-new");
        counts.add_text("");
        let drift = compare(&feature, &counts).unwrap();
        assert_eq!(drift.bins.len(), SHOWN_CATEGORIES + 1);
        assert_eq!(drift.bins.last().unwrap().label, "(other)");
        assert!((drift.current_missing_share - 1.0 / 22.0).abs() < 1e-12);
        match drift.test {
            Test::ChiSquared { unseen_share, .. } => {
                assert!((unseen_share - 1.0 / 21.0).abs() < 1e-12)
            }
            Test::Ks { .. } => panic!("a categorical feature gets the chi-squared test"),
        }
    }
}
