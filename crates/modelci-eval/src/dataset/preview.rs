//! Single samples for reports that show them (eval-diff's contact sheet and table of the
//! samples a candidate broke and fixed): the picture of an image-folder sample, the values of
//! an array or CSV sample.
//!
//! A sample is found by the id it was streamed with, so no path from outside the dataset is
//! ever opened.

use std::collections::{BTreeMap, BTreeSet};

use super::{Array, Dataset, SampleData, Source, Values};
use crate::error::EvalError;

/// Most characters of a sample's values [`Dataset::sample_values`] gives.
pub const VALUES_SHOWN: usize = 80;

impl Dataset {
    /// The picture of the sample named `id` (as [`super::Sample::id`] named it while
    /// streaming), decoded to 8-bit RGB: `(width, height, pixels)`. `None` when the dataset is
    /// not an image folder or has no sample of that name.
    ///
    /// # Errors
    /// [`EvalError`] naming the file when it can no longer be read or decoded.
    pub fn sample_picture(&self, id: &str) -> Result<Option<(u32, u32, Vec<u8>)>, EvalError> {
        let Source::Images(folder) = &self.source else {
            return Ok(None);
        };
        let Some(path) = folder.file(id) else {
            return Ok(None);
        };
        let image = image::ImageReader::open(&path)
            .map_err(|e| EvalError::io(&path, e))?
            .with_guessed_format()
            .map_err(|e| EvalError::io(&path, e))?
            .decode()
            .map_err(|e| EvalError::dataset(&path, format!("cannot decode the image: {e}")))?
            .to_rgb8();
        Ok(Some((image.width(), image.height(), image.into_raw())))
    }

    /// The values of the samples named in `ids`, as one line of text each (`0.5, 0.47`, with
    /// `name: ` before each array of a multi-input sample), cut to [`VALUES_SHOWN`]
    /// characters with `…`. Read in one more pass over the data; text datasets give the texts
    /// (cut the same way); image folders (which have pictures) give nothing.
    ///
    /// # Errors
    /// The first error reading the data, naming the file and row.
    pub fn sample_values(&mut self, ids: &[&str]) -> Result<BTreeMap<String, String>, EvalError> {
        let mut found = BTreeMap::new();
        #[cfg(feature = "text")]
        if let Source::Text(texts) = &self.source {
            for id in ids {
                if let Some(text) = texts.text_of(id) {
                    found.insert((*id).to_owned(), cut(text.to_owned()));
                }
            }
            return Ok(found);
        }
        if ids.is_empty() || !matches!(self.source, Source::Npz(_) | Source::Csv(_)) {
            return Ok(found);
        }
        let wanted: BTreeSet<&str> = ids.iter().copied().collect();
        self.stream(256, &mut |batch| {
            for sample in batch {
                if let SampleData::Arrays(arrays) = &sample.data
                    && wanted.contains(sample.id.as_str())
                {
                    found.insert(sample.id.clone(), describe(arrays));
                }
            }
            Ok(())
        })?;
        Ok(found)
    }
}

/// The arrays of a sample in one line, cut to [`VALUES_SHOWN`] characters.
fn describe(arrays: &[Array]) -> String {
    let mut text = String::new();
    for (i, array) in arrays.iter().enumerate() {
        if i > 0 {
            text.push_str("; ");
        }
        if let Some(name) = &array.name {
            text.push_str(name);
            text.push_str(": ");
        }
        let values: Vec<String> = match &array.values {
            Values::Float(v) => v.iter().map(ToString::to_string).collect(),
            Values::Int(v) => v.iter().map(ToString::to_string).collect(),
            Values::Bool(v) => v.iter().map(ToString::to_string).collect(),
        };
        text.push_str(&values.join(", "));
        if text.chars().count() > VALUES_SHOWN {
            break;
        }
    }
    cut(text)
}

/// `text` cut to [`VALUES_SHOWN`] characters, the last one an ellipsis when cut.
fn cut(text: String) -> String {
    if text.chars().count() > VALUES_SHOWN {
        let mut cut: String = text.chars().take(VALUES_SHOWN - 1).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DatasetOptions;

    #[cfg(feature = "text")]
    #[test]
    fn text_datasets_give_their_texts_cut_to_the_shown_length() {
        let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/text");
        let options = DatasetOptions {
            text: Some(crate::TextOptions {
                tokenizer: example.join("tokenizer.json"),
                text_column: None,
                max_length: Some(32),
                truncate: true,
            }),
            ..DatasetOptions::default()
        };
        let mut dataset = Dataset::open(&example.join("test.csv"), &options).expect("opens");
        let mut reader = csv::Reader::from_path(example.join("test.csv")).expect("csv");
        let headers = reader.headers().expect("header").clone();
        let column = headers
            .iter()
            .position(|h| h == "text")
            .expect("text column");
        let rows: Vec<String> = reader
            .records()
            .take(3)
            .map(|r| r.expect("row")[column].to_owned())
            .collect();
        let found = dataset
            .sample_values(&["row 1", "row 3", "row 99999"])
            .expect("reads");
        assert_eq!(found.len(), 2, "{found:?}");
        for (id, text) in [("row 1", &rows[0]), ("row 3", &rows[2])] {
            let shown = &found[id];
            if text.chars().count() <= VALUES_SHOWN {
                assert_eq!(shown, text);
            } else {
                assert_eq!(shown.chars().count(), VALUES_SHOWN);
                assert!(shown.ends_with('…'));
                assert!(text.starts_with(shown.trim_end_matches('…')));
            }
        }
    }

    #[test]
    fn pictures_are_found_by_sample_id_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dir.path().join("ds");
        std::fs::create_dir_all(ds.join("cat")).expect("mkdir");
        let mut img = image::RgbImage::new(3, 2);
        img.put_pixel(2, 1, image::Rgb([10, 20, 30]));
        img.save(ds.join("cat/a.png")).expect("png");
        std::fs::write(dir.path().join("outside.png"), b"x").expect("write");
        let dataset = Dataset::open(&ds, &DatasetOptions::default()).expect("opens");
        let (w, h, rgb) = dataset
            .sample_picture("cat/a.png")
            .expect("reads")
            .expect("found");
        assert_eq!((w, h), (3, 2));
        assert_eq!(&rgb[rgb.len() - 3..], &[10, 20, 30]);
        assert!(
            dataset
                .sample_picture("../outside.png")
                .expect("no error")
                .is_none()
        );
        assert!(
            dataset
                .sample_picture("cat/missing.png")
                .expect("no error")
                .is_none()
        );
    }

    #[test]
    fn values_of_csv_rows_are_found_by_id_and_cut() {
        let dir = tempfile::tempdir().expect("tempdir");
        let csv = dir.path().join("t.csv");
        let wide: Vec<String> = (0..40).map(|i| format!("{i}.5")).collect();
        std::fs::write(
            &csv,
            format!(
                "{},label\n{},0\n{},1\n",
                (0..40)
                    .map(|i| format!("f{i}"))
                    .collect::<Vec<_>>()
                    .join(","),
                vec!["1"; 40].join(","),
                wide.join(",")
            ),
        )
        .expect("csv");
        let mut dataset = Dataset::open(&csv, &DatasetOptions::default()).expect("opens");
        let values = dataset.sample_values(&["row 2", "row 9"]).expect("reads");
        assert_eq!(values.len(), 1, "{values:?}");
        let row = &values["row 2"];
        assert!(row.starts_with("0.5, 1.5, 2.5"), "{row}");
        assert_eq!(row.chars().count(), VALUES_SHOWN);
        assert!(row.ends_with('…'), "{row}");
    }
}
