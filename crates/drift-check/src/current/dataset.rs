//! Datasets eval-diff reads (image folders, NumPy `.npz`/`.npy` files), as current data or as a
//! reference, through the feature extraction `eval-diff --reference-stats` uses
//! ([`modelci_eval::features`]), so both sides name and compute features alike.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use modelci_drift::monitor::Counts;
use modelci_drift::{FeatureSummary, Reference};
use modelci_eval::Dataset;
use modelci_eval::features::{Extractor, FeatureDef, FeatureKind, FeatureValue, ReferenceBuilder};

use super::Sink;
use crate::reference::list;

/// Whether `path` is read as such a dataset: a folder that is not a bundle folder (no
/// `manifest.json`, no `.zip`, as `publish --to dir:` writes them), or a `.npz`/`.npy` file.
pub(crate) fn is_dataset(path: &Path) -> bool {
    if path.is_dir() {
        let holds_bundle = path.join("manifest.json").exists()
            || std::fs::read_dir(path).is_ok_and(|entries| {
                entries.filter_map(Result::ok).any(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("zip"))
                })
            });
        return !holds_bundle;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("npz") || e.eq_ignore_ascii_case("npy"))
}

/// Whether current data at `path` is read as a dataset (an image folder, a NumPy file, or with
/// `--tokenizer` a .csv or .jsonl of texts) rather than as CSV rows or a request log.
pub(crate) fn reads_as_dataset(path: &Path, texts: bool) -> bool {
    texts || is_dataset(path)
}

/// Opens an image folder (class folders, as eval-diff reads it), a NumPy file (`x`, labels
/// not needed) or, with `text`, a .csv or .jsonl of texts.
fn open(path: &Path, text: Option<&modelci_eval::TextOptions>) -> anyhow::Result<Dataset> {
    let dataset = if path.is_dir() || text.is_some() {
        let options = modelci_eval::DatasetOptions {
            text: text.cloned(),
            ..modelci_eval::DatasetOptions::default()
        };
        Dataset::open(path, &options)
    } else {
        Dataset::open_unlabelled(path)
    };
    Ok(dataset?)
}

/// Summarises a dataset into a reference (no predictions: no model ran).
///
/// # Errors
/// One line naming the dataset: unreadable, samples that are not features, a feature without
/// a value.
pub(crate) fn reference(path: &Path) -> anyhow::Result<Reference> {
    let mut dataset = open(path, None)?;
    let mut extractor = Extractor::for_dataset(&dataset, None)?;
    let mut builder = ReferenceBuilder::new();
    extractor.stream(&mut dataset, &mut |defs, values| {
        builder.add(defs, values);
        Ok(())
    })?;
    let rows = builder.rows();
    let features = builder
        .finish(extractor.defs())
        .map_err(|(name, error)| anyhow!("{}: feature {name:?}: {error}", path.display()))?;
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Reference::new(source, rows, features))
}

/// Counts every sample of the dataset; returns 0 (no line is skipped).
pub(super) fn read(
    path: &Path,
    text: Option<&modelci_eval::TextOptions>,
    reference: &Reference,
    sink: &mut Sink,
) -> anyhow::Result<u64> {
    let mut dataset = open(path, text)?;
    let mut extractor = Extractor::for_dataset(&dataset, None)?;
    let names: Vec<String> = reference.features.iter().map(|f| f.name.clone()).collect();
    extractor.channels_of(&names);
    let mapping = matching(path, reference, extractor.defs(), extractor.is_images())?;
    extractor
        .stream(&mut dataset, &mut |_, values| {
            if sink.take_row() {
                for (counts, &index) in sink.counts.iter_mut().zip(&mapping) {
                    if let Some(value) = values.get(index) {
                        add(counts, value);
                    }
                }
            }
            Ok(())
        })
        .with_context(|| format!("{}: cannot read the current data", path.display()))?;
    Ok(0)
}

/// Counts one value.
fn add(counts: &mut Counts, value: &FeatureValue) {
    match (counts, value) {
        (counts, FeatureValue::Number(x)) => counts.add_number(*x),
        (counts, FeatureValue::Category(text)) => counts.add_text(text),
        (Counts::Continuous(counts), FeatureValue::Pixels(histogram)) => {
            for (intensity, &n) in (0u8..=255).zip(histogram.iter()) {
                counts.add_many(f64::from(intensity), n);
            }
        }
        (Counts::Categorical(_), FeatureValue::Pixels(_)) => {}
    }
}

/// For each reference feature, the index of the current feature counted into it: by name, or
/// for tabular data with other names (`x[i]` against `float_input[i]` or CSV columns) by
/// position when both have as many features.
///
/// # Errors
/// One line naming both sides when they do not match.
fn matching(
    path: &Path,
    reference: &Reference,
    defs: &[FeatureDef],
    images: bool,
) -> anyhow::Result<Vec<usize>> {
    let by_name: Option<Vec<usize>> = reference
        .features
        .iter()
        .map(|f| defs.iter().position(|d| d.name == f.name))
        .collect();
    let mapping = match by_name {
        Some(mapping) => mapping,
        None if !images && defs.len() == reference.features.len() => (0..defs.len()).collect(),
        None => {
            let ours: Vec<String> = defs.iter().map(|d| d.name.clone()).collect();
            let theirs: Vec<String> = reference.features.iter().map(|f| f.name.clone()).collect();
            bail!(
                "{}: the current data's features ({}) do not match the reference's ({})",
                path.display(),
                list(&ours),
                list(&theirs)
            );
        }
    };
    for (feature, &index) in reference.features.iter().zip(&mapping) {
        let def = &defs[index];
        let continuous = matches!(def.kind, FeatureKind::Continuous | FeatureKind::Pixels);
        let agree = matches!(
            (&feature.summary, continuous),
            (FeatureSummary::Continuous(_), true) | (FeatureSummary::Categorical(_), false)
        );
        if !agree {
            bail!(
                "{}: current feature {:?} is {} but the reference's {:?} is not",
                path.display(),
                def.name,
                if continuous { "numeric" } else { "categorical" },
                feature.name
            );
        }
    }
    Ok(mapping)
}
