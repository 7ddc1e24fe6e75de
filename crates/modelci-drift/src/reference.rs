//! The drift reference file: every feature's summary, as `drift-check --write-reference` writes
//! it and a release bundle carries it.

use serde::{Deserialize, Serialize};

use crate::{CategoricalReference, ContinuousReference, DriftError, PredictionReference};

/// `$schema` of a reference file.
pub const REFERENCE_SCHEMA: &str = "https://modelci.dev/schemas/drift-reference/v1";

/// The summary of one feature, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureSummary {
    /// Numbers: compared with PSI over deciles and the Kolmogorov–Smirnov test.
    Continuous(ContinuousReference),
    /// Labels: compared with PSI over categories and the chi-squared test.
    Categorical(CategoricalReference),
}

/// One named feature of the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// The column (or `input[index]`) name.
    pub name: String,
    /// Its summary.
    #[serde(flatten)]
    pub summary: FeatureSummary,
}

/// The reference of a monitored model's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Always [`REFERENCE_SCHEMA`].
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Rows the reference was computed from.
    pub rows: u64,
    /// Where it was computed from (a file name), for the report.
    pub source: String,
    /// The features, in the order of the reference data's columns.
    pub features: Vec<Feature>,
    /// What the model predicted on the reference data (absent in a reference of data alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predictions: Option<PredictionReference>,
}

impl Reference {
    /// A reference of `features` computed from `rows` rows of `source`.
    pub fn new(source: impl Into<String>, rows: u64, features: Vec<Feature>) -> Self {
        Self {
            schema: REFERENCE_SCHEMA.to_owned(),
            rows,
            source: source.into(),
            features,
            predictions: None,
        }
    }

    /// Checks a reference read from a file: known schema, unique names, consistent summaries.
    pub fn validate(&self) -> Result<(), ReferenceError> {
        if self.schema != REFERENCE_SCHEMA {
            return Err(ReferenceError::Schema(self.schema.clone()));
        }
        if self.features.is_empty() {
            return Err(ReferenceError::NoFeatures);
        }
        let mut names: Vec<&str> = self.features.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(ReferenceError::Duplicate(pair[0].to_owned()));
        }
        for feature in &self.features {
            let checked = match &feature.summary {
                FeatureSummary::Continuous(summary) => summary.validate(),
                FeatureSummary::Categorical(summary) if summary.total() == 0 => {
                    Err(DriftError::EmptyReference)
                }
                FeatureSummary::Categorical(_) => Ok(()),
            };
            checked.map_err(|source| ReferenceError::Feature {
                name: feature.name.clone(),
                source,
            })?;
        }
        if let Some(predictions) = &self.predictions {
            predictions
                .validate()
                .map_err(|source| ReferenceError::Predictions {
                    output: predictions.output.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

/// Why a reference file cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ReferenceError {
    /// Another schema (or a newer version of this one).
    #[error("not a drift reference (\"$schema\" is {0:?}, expected {REFERENCE_SCHEMA:?})")]
    Schema(String),
    /// No feature at all.
    #[error("the reference has no feature")]
    NoFeatures,
    /// Two features with one name.
    #[error("feature {0:?} appears twice")]
    Duplicate(String),
    /// The predictions' summary is unusable.
    #[error("predictions of output {output:?}: {source}")]
    Predictions {
        /// The model output.
        output: String,
        /// What is wrong with it.
        source: DriftError,
    },
    /// One feature's summary is unusable.
    #[error("feature {name:?}: {source}")]
    Feature {
        /// The feature.
        name: String,
        /// What is wrong with it.
        source: DriftError,
    },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Reference {
        Reference::new(
            "train.csv",
            3,
            vec![
                Feature {
                    name: "age".into(),
                    summary: FeatureSummary::Continuous(
                        ContinuousReference::from_values([30.0, 41.0, 30.0]).unwrap(),
                    ),
                },
                Feature {
                    name: "plan".into(),
                    summary: FeatureSummary::Categorical(
                        CategoricalReference::from_values([Some("free"), Some("pro"), None])
                            .unwrap(),
                    ),
                },
            ],
        )
    }

    #[test]
    fn round_trips_through_json_with_the_kind_inline() {
        let reference = sample();
        let json = serde_json::to_value(&reference).unwrap();
        assert_eq!(json["$schema"], REFERENCE_SCHEMA);
        assert_eq!(json["features"][0]["kind"], "continuous");
        assert_eq!(json["features"][1]["counts"]["pro"], 1);
        let back: Reference = serde_json::from_value(json).unwrap();
        assert_eq!(back, reference);
        back.validate().unwrap();
    }

    #[test]
    fn refuses_foreign_schemas_and_duplicate_names() {
        let mut other = sample();
        other.schema = "https://example.com/v9".into();
        assert!(matches!(other.validate(), Err(ReferenceError::Schema(_))));
        let mut twice = sample();
        twice.features[1].name = "age".into();
        assert_eq!(
            twice.validate(),
            Err(ReferenceError::Duplicate("age".into()))
        );
    }
}
