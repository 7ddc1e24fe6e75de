//! Heat maps (confusion matrices): a grid of coloured cells with the value in each.
//!
//! The grid is laid out by hand in pixels: cells are square, the canvas grows with the number of
//! rows and columns, and every label is measured with the embedded font so nothing is clipped.
//! Colour encodes the value on a single-hue scale; the number in the cell is the exact value,
//! in white or black depending on the cell's lightness.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    DESC_SIZE, DrawResult, Labels, MARGIN, TITLE_HEIGHT, err, text, title, truncate, width,
};
use crate::chart::{HeatMap, trim_number};
use crate::palette;

/// Row label font size.
const ROW_SIZE: f64 = 14.0;
/// Widest a row label may be before it is truncated.
const MAX_ROW_LABEL: i32 = 180;
/// Colour bar width.
const BAR_W: i32 = 14;
/// Colour bar tick label size.
const BAR_TICK_SIZE: f64 = 13.0;

/// Where everything goes, computed once from the data.
struct Layout {
    width: u32,
    height: u32,
    cell: i32,
    /// Top-left corner of the grid.
    grid: (i32, i32),
    /// Horizontal centre of the rotated row description.
    desc_x: i32,
    row_labels: Vec<String>,
    col_labels: Labels,
    /// The value at the light and at the dark end of the colour scale.
    scale: (f64, f64),
    /// The cell texts, row by row.
    cells: Vec<Vec<String>>,
    cell_size: f64,
}

fn layout(c: &HeatMap) -> Layout {
    let rows = c.row_labels.len().max(1) as i32;
    let cols = c.col_labels.len().max(1) as i32;
    let cell = (560 / rows.max(cols)).clamp(26, 72);

    let integral = c
        .values
        .iter()
        .flatten()
        .all(|v| !v.is_finite() || v.fract() == 0.0);
    let cells: Vec<Vec<String>> = c
        .values
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| match (v.is_finite(), integral) {
                    (false, _) => String::new(),
                    (true, true) => format!("{v:.0}"),
                    (true, false) => format!("{v:.2}"),
                })
                .collect()
        })
        .collect();
    let widest_cell = |size| {
        cells
            .iter()
            .flatten()
            .map(|s| width(s, size))
            .max()
            .unwrap_or(0)
    };
    let start = (f64::from(cell) * 0.36).clamp(9.0, 16.0);
    let cell_size = [start, start - 1.0, start - 2.0, start - 3.0]
        .into_iter()
        .find(|s| widest_cell(*s) <= cell - 6)
        .unwrap_or(9.0);

    let row_labels: Vec<String> = c
        .row_labels
        .iter()
        .map(|l| truncate(&super::one_line(l), ROW_SIZE, MAX_ROW_LABEL))
        .collect();
    let row_w = row_labels
        .iter()
        .map(|l| width(l, ROW_SIZE))
        .max()
        .unwrap_or(0);
    let col_labels = Labels::fit(&c.col_labels, cell);

    let finite = c.values.iter().flatten().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((0f64, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let scale = if hi > lo { (lo, hi) } else { (lo, lo + 1.0) };
    let tick_w = [scale.0, scale.1]
        .iter()
        .map(|v| width(&trim_number(*v), BAR_TICK_SIZE))
        .max()
        .unwrap_or(0);

    let desc_w = DESC_SIZE as i32 + 12;
    let grid_x = MARGIN + desc_w + row_w + 10;
    let grid_y = TITLE_HEIGHT + 12;
    let grid_w = cell * cols;
    let mut width_px = grid_x + grid_w + 20 + BAR_W + 6 + tick_w + MARGIN;
    let title_w = width(&c.title, 22.0) + 2 * MARGIN;
    let mut grid = (grid_x, grid_y);
    if width_px < title_w.max(480) {
        // Centre a small grid under a long title.
        let extra = title_w.max(480) - width_px;
        grid.0 += extra / 2;
        width_px += extra;
    }
    let height_px =
        grid_y + cell * rows + 8 + col_labels.height() + 8 + DESC_SIZE as i32 + 6 + MARGIN;
    Layout {
        desc_x: grid.0 - 10 - row_w - 10 - DESC_SIZE as i32 / 2,
        width: width_px.max(1) as u32,
        height: height_px.max(1) as u32,
        cell,
        grid,
        row_labels,
        col_labels,
        scale,
        cells,
        cell_size,
    }
}

/// The canvas size for `c`.
pub(crate) fn size(c: &HeatMap) -> (u32, u32) {
    let l = layout(c);
    (l.width, l.height)
}

/// Draws a [`HeatMap`] chart.
pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &HeatMap) -> DrawResult {
    let l = layout(c);
    let (gx, gy) = l.grid;
    let cell = l.cell;
    let rows = c.row_labels.len() as i32;
    let cols = c.col_labels.len() as i32;
    let (lo, hi) = l.scale;
    let t = |v: f64| (v - lo) / (hi - lo);
    title(root, &c.title)?;

    for (r, row) in c.values.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            let x = gx + k as i32 * cell;
            let y = gy + r as i32 * cell;
            let fill = if v.is_finite() {
                palette::sequential(t(*v))
            } else {
                palette::GRID
            };
            // A 1 px white gap between cells keeps neighbours of equal colour apart.
            root.draw(&Rectangle::new(
                [(x + 1, y + 1), (x + cell - 1, y + cell - 1)],
                fill.filled(),
            ))
            .map_err(err)?;
            let label = &l.cells[r][k];
            if !label.is_empty() {
                let color = if *v == 0.0 {
                    palette::MUTED
                } else {
                    palette::text_on(fill)
                };
                let style = text(l.cell_size, color).pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(
                    label.clone(),
                    (x + cell / 2, y + cell / 2),
                    style,
                ))
                .map_err(err)?;
            }
        }
    }

    // Row labels, right-aligned against the grid.
    for (r, label) in l.row_labels.iter().enumerate() {
        let style = text(ROW_SIZE, palette::TEXT).pos(Pos::new(HPos::Right, VPos::Center));
        let y = gy + r as i32 * cell + cell / 2;
        root.draw(&Text::new(label.clone(), (gx - 10, y), style))
            .map_err(err)?;
    }
    let centers: Vec<i32> = (0..cols).map(|k| gx + k * cell + cell / 2).collect();
    let grid_bottom = gy + rows * cell;
    l.col_labels.draw(root, &centers, grid_bottom + 8)?;

    let desc_top = grid_bottom + 8 + l.col_labels.height() + 8;
    super::x_desc(
        root,
        &c.x_label,
        gx + cols * cell / 2,
        desc_top,
        l.width as i32 - 2 * MARGIN,
    )?;
    super::y_desc(
        root,
        &c.y_label,
        (l.desc_x, gy + rows * cell / 2),
        rows * cell,
    )?;

    colour_bar(root, (gx + cols * cell + 20, gy), rows * cell, l.scale)
}

/// A vertical gradient from the scale's dark end (top) to its light end, with both values.
fn colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    height: i32,
    (lo, hi): (f64, f64),
) -> DrawResult {
    const STEP: i32 = 2;
    let mut top = 0;
    while top < height {
        let bottom = (top + STEP).min(height);
        let t = 1.0 - f64::from(top + bottom) / 2.0 / f64::from(height);
        root.draw(&Rectangle::new(
            [(x, y + top), (x + BAR_W, y + bottom)],
            palette::sequential(t).filled(),
        ))
        .map_err(err)?;
        top = bottom;
    }
    root.draw(&Rectangle::new(
        [(x, y), (x + BAR_W, y + height)],
        palette::GRID.stroke_width(1),
    ))
    .map_err(err)?;
    let style = |v| text(BAR_TICK_SIZE, palette::MUTED).pos(Pos::new(HPos::Left, v));
    root.draw(&Text::new(
        trim_number(hi),
        (x + BAR_W + 6, y),
        style(VPos::Top),
    ))
    .map_err(err)?;
    root.draw(&Text::new(
        trim_number(lo),
        (x + BAR_W + 6, y + height),
        style(VPos::Bottom),
    ))
    .map_err(err)
}
