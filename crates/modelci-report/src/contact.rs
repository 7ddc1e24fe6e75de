//! Contact sheets: small pictures of individual samples with a caption each, e.g. the images a
//! candidate model broke and the ones it fixed.
//!
//! A sheet is a [`crate::Chart`] like the others (rendered to PNG and SVG, listed in
//! `report.json`), but its pictures are pixels, not numbers: they are kept out of the JSON
//! (`report.json` lists each tile's sample and caption) and a tile without pixels is drawn as
//! an empty frame saying so.

use serde::{Deserialize, Serialize};

/// Most tiles drawn per group; callers choose which (deterministically), the sheet refuses more.
pub const MAX_TILES_PER_GROUP: usize = 32;

/// An RGB picture, 8 bits per channel, row-major.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 3` bytes.
    pub rgb: Vec<u8>,
}

impl Thumbnail {
    /// Whether the pixel buffer matches the size.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.width > 0
            && self.height > 0
            && usize::try_from(u64::from(self.width) * u64::from(self.height) * 3)
                .is_ok_and(|n| n == self.rgb.len())
    }

    /// The picture scaled (nearest neighbour, aspect kept) to fit a `side` x `side` square:
    /// small images (8x8 digits) grow by whole pixels and stay crisp, large ones shrink.
    #[must_use]
    pub fn fit(&self, side: u32) -> Self {
        let scale = f64::from(side) / f64::from(self.width.max(self.height));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let size = |n: u32| ((f64::from(n) * scale).round() as u32).clamp(1, side);
        let (w, h) = (size(self.width), size(self.height));
        let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
        for y in 0..h {
            let sy = (u64::from(y) * u64::from(self.height) / u64::from(h)) as usize;
            for x in 0..w {
                let sx = (u64::from(x) * u64::from(self.width) / u64::from(w)) as usize;
                let at = (sy * self.width as usize + sx) * 3;
                rgb.extend_from_slice(self.rgb.get(at..at + 3).unwrap_or(&[0, 0, 0]));
            }
        }
        Self {
            width: w,
            height: h,
            rgb,
        }
    }
}

/// One sample: its picture and a few caption lines (true label, predictions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tile {
    /// The sample's name (file path in the dataset).
    pub id: String,
    /// Caption lines under the picture, e.g. `true: cat`.
    pub lines: Vec<String>,
    /// The picture; not serialised (see the module documentation).
    #[serde(skip)]
    pub image: Option<Thumbnail>,
}

/// A titled group of tiles, e.g. "Broken by the candidate (12 of 40)".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TileGroup {
    /// Shown above the group.
    pub title: String,
    /// At most [`MAX_TILES_PER_GROUP`] tiles.
    pub tiles: Vec<Tile>,
}

/// Groups of sample pictures under a title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactSheet {
    /// Shown above the sheet.
    pub title: String,
    /// The groups, in order; empty groups are drawn as a header with "none".
    pub groups: Vec<TileGroup>,
}

impl ContactSheet {
    /// Why the sheet cannot be drawn, if it cannot.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.groups.iter().all(|g| g.tiles.is_empty()) {
            return Some("the contact sheet has no tiles".to_string());
        }
        if let Some(g) = self
            .groups
            .iter()
            .find(|g| g.tiles.len() > MAX_TILES_PER_GROUP)
        {
            return Some(format!(
                "group {:?} has {} tiles, more than {MAX_TILES_PER_GROUP}",
                g.title,
                g.tiles.len()
            ));
        }
        self.groups
            .iter()
            .flat_map(|g| &g.tiles)
            .find(|t| t.image.as_ref().is_some_and(|i| !i.is_consistent()))
            .map(|t| format!("the picture of {:?} does not match its size", t.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_pictures_grow_by_whole_pixels() {
        let t = Thumbnail {
            width: 2,
            height: 1,
            rgb: vec![255, 0, 0, 0, 0, 255],
        };
        let big = t.fit(8);
        assert_eq!((big.width, big.height), (8, 4));
        assert_eq!(&big.rgb[..3], &[255, 0, 0]);
        assert_eq!(&big.rgb[big.rgb.len() - 3..], &[0, 0, 255]);
        assert!(big.is_consistent());
        let bad = Thumbnail {
            width: 2,
            height: 2,
            rgb: vec![0; 3],
        };
        assert!(!bad.is_consistent());
    }
}
