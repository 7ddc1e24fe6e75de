//! Categorical features (and predicted classes): counts per category.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DriftError;

/// The key a category is counted under: its text, except that a number counts as its shortest
/// decimal text (`1.0`, `1.00` and `1` are one category, however a CSV or a JSON tensor wrote
/// it).
pub fn category_key(text: &str) -> Cow<'_, str> {
    match text.parse::<f64>() {
        Ok(number) if number.is_finite() => {
            let short = number.to_string();
            if short == text {
                Cow::Borrowed(text)
            } else {
                Cow::Owned(short)
            }
        }
        _ => Cow::Borrowed(text),
    }
}

/// A reference feature's category counts, as stored in a release bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalReference {
    /// Count of each category seen in the reference.
    pub counts: BTreeMap<String, u64>,
    /// Missing (empty) values.
    pub missing: u64,
}

impl CategoricalReference {
    /// Counts reference values; `None` is a missing value.
    pub fn from_values<'a>(
        values: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<Self, DriftError> {
        let mut counts = BTreeMap::new();
        let mut missing = 0;
        for value in values {
            match value {
                Some(category) => {
                    *counts
                        .entry(category_key(category).into_owned())
                        .or_insert(0) += 1
                }
                None => missing += 1,
            }
        }
        if counts.is_empty() {
            return Err(DriftError::EmptyReference);
        }
        Ok(Self { counts, missing })
    }

    /// Values counted (missing ones aside).
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// Current values of one categorical feature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoricalCounts {
    counts: BTreeMap<String, u64>,
    missing: u64,
}

impl CategoricalCounts {
    /// Counts one current value; `None` is a missing value.
    pub fn add(&mut self, value: Option<&str>) {
        match value {
            Some(category) => {
                let key = category_key(category);
                match self.counts.get_mut(key.as_ref()) {
                    Some(count) => *count += 1,
                    None => {
                        self.counts.insert(key.into_owned(), 1);
                    }
                }
            }
            None => self.missing += 1,
        }
    }

    /// Values counted (missing ones aside).
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Missing values counted.
    pub fn missing(&self) -> u64 {
        self.missing
    }

    /// The count of a category (0 when never seen).
    pub fn count(&self, category: &str) -> u64 {
        self.counts
            .get(category_key(category).as_ref())
            .copied()
            .unwrap_or(0)
    }

    /// Adds the counts of another part of the data.
    pub fn merge(&mut self, other: &Self) {
        for (category, count) in &other.counts {
            *self.counts.entry(category.clone()).or_insert(0) += count;
        }
        self.missing += other.missing;
    }

    /// Categories seen now but absent from the reference, with their counts.
    pub fn unseen<'a>(
        &'a self,
        reference: &'a CategoricalReference,
    ) -> impl Iterator<Item = (&'a str, u64)> {
        self.counts
            .iter()
            .filter(|(category, _)| !reference.counts.contains_key(*category))
            .map(|(category, &count)| (category.as_str(), count))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counts_categories_missing_values_and_new_ones() {
        let reference =
            CategoricalReference::from_values([Some("a"), Some("b"), Some("a"), None]).unwrap();
        assert_eq!(reference.total(), 3);
        assert_eq!(reference.missing, 1);
        let mut current = CategoricalCounts::default();
        for value in [Some("a"), Some("c"), Some("c"), None] {
            current.add(value);
        }
        assert_eq!(current.count("a"), 1);
        assert_eq!(current.count("b"), 0);
        assert_eq!(
            current.unseen(&reference).collect::<Vec<_>>(),
            vec![("c", 2)]
        );
        assert_eq!((current.total(), current.missing()), (3, 1));
    }

    #[test]
    fn numbers_are_one_category_however_written() {
        let reference =
            CategoricalReference::from_values([Some("1"), Some("1.0"), Some("x")]).unwrap();
        assert_eq!(reference.counts.get("1"), Some(&2));
        let mut current = CategoricalCounts::default();
        current.add(Some("1.00"));
        assert_eq!(current.count("1"), 1);
        assert_eq!(current.unseen(&reference).count(), 0);
        assert_eq!(category_key("01234"), "1234");
        assert_eq!(category_key("NaN"), "NaN");
    }

    #[test]
    fn an_empty_reference_is_refused() {
        assert_eq!(
            CategoricalReference::from_values([None]),
            Err(DriftError::EmptyReference)
        );
    }
}
