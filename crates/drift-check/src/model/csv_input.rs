//! A CSV dataset as model input: each row's features in the reference's order (one `[F]` float
//! vector) and its label (`--label-column`, when the file has that column).

use std::path::Path;

use anyhow::{Context as _, bail};
use modelci_drift::{FeatureSummary, Reference};

use super::rows::FeatureRow;
use crate::csv_file;
use crate::reference::list;

/// Calls `row` with every row's features and label, after skipping the first `skip` rows.
///
/// # Errors
/// One line naming the file: a categorical feature (the model takes numbers), a missing column,
/// a cell that is not a number, or what `row` returns.
pub fn read(
    path: &Path,
    reference: &Reference,
    label_column: &str,
    skip: u64,
    row: &mut FeatureRow<'_>,
) -> anyhow::Result<()> {
    numeric_features(path, reference)?;
    let (mut reader, headers) = csv_file::open(path)?;
    let mut columns = Vec::with_capacity(reference.features.len());
    for feature in &reference.features {
        let Some(index) = headers.iter().position(|h| *h == feature.name) else {
            bail!(
                "{}: the model's feature {:?} is not a column (columns: {})",
                path.display(),
                feature.name,
                list(&headers)
            );
        };
        columns.push(index);
    }
    let label = headers.iter().position(|h| h == label_column);
    let mut record = csv::StringRecord::new();
    let mut values = vec![0f32; columns.len()];
    let mut number = 1u64;
    while reader
        .read_record(&mut record)
        .with_context(|| format!("{}: row {}", path.display(), number + 1))?
    {
        number += 1;
        if number - 1 <= skip {
            continue;
        }
        for ((value, &column), feature) in values.iter_mut().zip(&columns).zip(&reference.features)
        {
            let text = record.get(column).unwrap_or("").trim();
            *value = text.parse::<f32>().map_err(|_| {
                anyhow::anyhow!(
                    "{}: row {number}: {:?} of feature {:?} is not a number the model can take",
                    path.display(),
                    text.chars().take(40).collect::<String>(),
                    feature.name
                )
            })?;
        }
        let label = label
            .and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned);
        row(&values, label)?;
    }
    Ok(())
}

/// Refuses a reference with a categorical feature: the model takes one float tensor.
///
/// # Errors
/// Naming the first categorical feature and the flag that leaves it out.
pub fn numeric_features(path: &Path, reference: &Reference) -> anyhow::Result<()> {
    if let Some(feature) = reference
        .features
        .iter()
        .find(|f| matches!(f.summary, FeatureSummary::Categorical(_)))
    {
        bail!(
            "{}: feature {:?} is categorical, but --model takes numbers only; leave it out with --ignore {:?}",
            path.display(),
            feature.name,
            feature.name
        );
    }
    Ok(())
}
