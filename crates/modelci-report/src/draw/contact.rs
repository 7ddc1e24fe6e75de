//! Contact sheets: tiles of sample pictures with captions, in titled groups.
//!
//! Laid out by hand in pixels: eight tiles per row, each a framed square picture (scaled with
//! whole pixels where it is small) over its caption lines, each line shortened with `…` to fit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, MARGIN, TITLE_HEIGHT, err, one_line, text, title, truncate};
use crate::contact::ContactSheet;
use crate::palette;

/// Tiles per row.
const COLUMNS: i32 = 8;
/// The picture's square.
const PICTURE: i32 = 96;
/// A tile's width (picture plus gutter).
const TILE_W: i32 = 112;
/// Caption font size and line height.
const CAPTION_SIZE: f64 = 11.0;
const CAPTION_LINE: i32 = 14;
/// Caption lines per tile.
const CAPTION_LINES: i32 = 3;
/// A tile's height.
const TILE_H: i32 = PICTURE + 6 + CAPTION_LINES * CAPTION_LINE + 10;
/// A group header's height.
const HEADER_H: i32 = 30;
/// The height of an empty group's "none".
const EMPTY_H: i32 = 26;
/// Group header font size.
const HEADER_SIZE: f64 = 15.0;

/// Height of a group's tiles (one line saying "none" for an empty group).
fn body_height(tiles: usize) -> i32 {
    if tiles == 0 {
        EMPTY_H
    } else {
        (tiles as i32 + COLUMNS - 1) / COLUMNS * TILE_H
    }
}

/// The canvas size of `sheet`.
pub(crate) fn size(sheet: &ContactSheet) -> (u32, u32) {
    let w = 2 * MARGIN + COLUMNS * TILE_W;
    let h = TITLE_HEIGHT
        + sheet
            .groups
            .iter()
            .map(|g| HEADER_H + body_height(g.tiles.len()))
            .sum::<i32>()
        + MARGIN;
    (w as u32, h as u32)
}

/// Draws a [`ContactSheet`].
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sheet: &ContactSheet,
) -> DrawResult {
    title(root, &sheet.title)?;
    let mut y = TITLE_HEIGHT;
    let header = text(HEADER_SIZE, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Top));
    let width = 2 * MARGIN + COLUMNS * TILE_W;
    for group in &sheet.groups {
        let label = truncate(&one_line(&group.title), HEADER_SIZE, width - 2 * MARGIN);
        root.draw(&Text::new(label, (MARGIN, y + 6), header.clone()))
            .map_err(err)?;
        y += HEADER_H;
        if group.tiles.is_empty() {
            let none =
                text(CAPTION_SIZE + 2.0, palette::MUTED).pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new("none", (MARGIN, y + 4), none))
                .map_err(err)?;
        }
        for (i, tile) in group.tiles.iter().enumerate() {
            let (col, row) = (i as i32 % COLUMNS, i as i32 / COLUMNS);
            let x0 = MARGIN + col * TILE_W + (TILE_W - PICTURE) / 2;
            let y0 = y + row * TILE_H;
            root.draw(&Rectangle::new(
                [(x0 - 1, y0 - 1), (x0 + PICTURE, y0 + PICTURE)],
                palette::GRID.filled(),
            ))
            .map_err(err)?;
            match &tile.image {
                Some(image) => {
                    let fitted = image.fit(PICTURE as u32);
                    let (w, h) = (fitted.width as i32, fitted.height as i32);
                    let at = (x0 + (PICTURE - w) / 2, y0 + (PICTURE - h) / 2);
                    let element = BitMapElement::with_owned_buffer(
                        at,
                        (fitted.width, fitted.height),
                        fitted.rgb,
                    )
                    .ok_or_else(|| format!("the picture of {:?} is malformed", tile.id))?;
                    root.draw(&element).map_err(err)?;
                }
                None => {
                    let style = text(CAPTION_SIZE, palette::MUTED)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new(
                        "no picture",
                        (x0 + PICTURE / 2, y0 + PICTURE / 2),
                        style,
                    ))
                    .map_err(err)?;
                }
            }
            let caption = text(CAPTION_SIZE, palette::TEXT);
            for (k, line) in tile.lines.iter().take(CAPTION_LINES as usize).enumerate() {
                let s = truncate(&one_line(line), CAPTION_SIZE, TILE_W - 6);
                root.draw(&Text::new(
                    s,
                    (x0 + PICTURE / 2, y0 + PICTURE + 6 + k as i32 * CAPTION_LINE),
                    caption.clone(),
                ))
                .map_err(err)?;
            }
        }
        y += body_height(group.tiles.len());
    }
    Ok(())
}
