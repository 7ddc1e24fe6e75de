//! Drawing charts onto any plotters backend.
//!
//! The same code draws the PNG and the SVG, so the two always agree. This module holds the
//! layout pieces every chart shares (title, legend, category labels that never overlap or get
//! clipped); each chart type has its own submodule.

mod bars;
mod contact;
mod heatmap;
mod line;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::chart::Chart;
use crate::font;
use crate::palette;

pub(crate) use heatmap::size as heatmap_size;

/// Why drawing failed, as the drawing library put it.
pub(crate) type DrawResult<T = ()> = Result<T, String>;

/// The default canvas for bar and line charts.
pub(crate) const DEFAULT_SIZE: (u32, u32) = (800, 400);

/// Outer margin of every chart.
const MARGIN: i32 = 16;
/// Title font size.
const TITLE_SIZE: f64 = 22.0;
/// Height taken by the title.
const TITLE_HEIGHT: i32 = 44;
/// Height taken by the legend row under the title.
const LEGEND_HEIGHT: i32 = 26;
/// Tick and category label size (largest; shrunk when crowded).
const LABEL_SIZE: f64 = 14.0;
/// Axis description size.
const DESC_SIZE: f64 = 15.0;

/// The canvas size `chart` is drawn at.
pub(crate) fn size(chart: &Chart) -> (u32, u32) {
    match chart {
        Chart::HeatMap(c) => heatmap_size(c),
        Chart::ContactSheet(c) => contact::size(c),
        _ => DEFAULT_SIZE,
    }
}

/// Draws `chart` onto `root` (which must be [`size`] big).
pub(crate) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> DrawResult {
    root.fill(&palette::BACKGROUND).map_err(err)?;
    match chart {
        Chart::GroupedBars(c) => bars::grouped(root, c),
        Chart::DeltaBars(c) => bars::delta(root, c),
        Chart::HeatMap(c) => heatmap::draw(root, c),
        Chart::Line(c) => line::draw(root, c),
        Chart::ContactSheet(c) => contact::draw(root, c),
    }
}

/// Turns a plotters error into our message.
pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Our font at `size` px in `color`, anchored at its top centre.
pub(crate) fn text(size: f64, color: RGBColor) -> TextStyle<'static> {
    FontDesc::new(font::family(), size, FontStyle::Normal)
        .color(&color)
        .pos(Pos::new(HPos::Center, VPos::Top))
}

/// The width in pixels of `s` at `size` px.
pub(crate) fn width(s: &str, size: f64) -> i32 {
    let desc = FontDesc::new(font::family(), size, FontStyle::Normal);
    match desc.box_size(s) {
        Ok((w, _)) => i32::try_from(w).unwrap_or(i32::MAX),
        // Only if the font is missing, which the renderers rule out; a rough estimate then.
        Err(_) => (s.chars().count() as f64 * size * 0.6) as i32,
    }
}

/// `s` shortened with `…` until it is at most `max` pixels wide at `size` px.
pub(crate) fn truncate(s: &str, size: f64, max: i32) -> String {
    if width(s, size) <= max {
        return s.to_string();
    }
    let mut chars: Vec<char> = s.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if width(&candidate, size) <= max {
            return candidate;
        }
    }
    "…".to_string()
}

/// Text as one line: line breaks and other control characters become spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Draws the chart title centred at the top.
pub(crate) fn title<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, title: &str) -> DrawResult {
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;
    let s = truncate(&one_line(title), TITLE_SIZE, w - 2 * MARGIN);
    root.draw(&Text::new(
        s,
        (w / 2, MARGIN),
        text(TITLE_SIZE, palette::TEXT),
    ))
    .map_err(err)
}

/// How a legend entry's key is drawn.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    /// A filled square (bars).
    Box,
    /// A short line with a dot (lines).
    Line,
}

/// Draws a centred, single-row legend at `y` (its vertical centre).
pub(crate) fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
    key: Key,
    y: i32,
) -> DrawResult {
    const SIZE: f64 = 14.0;
    const KEY_W: i32 = 22;
    const GAP: i32 = 6;
    const SPACING: i32 = 24;
    let (w, _) = root.dim_in_pixel();
    let w = w as i32;
    // Each label gets an equal share if they do not all fit.
    let share = (w - 2 * MARGIN) / entries.len().max(1) as i32 - KEY_W - GAP - SPACING;
    let labels: Vec<String> = entries
        .iter()
        .map(|(name, _)| truncate(&one_line(name), SIZE, share.max(24)))
        .collect();
    let total: i32 = labels
        .iter()
        .map(|l| KEY_W + GAP + width(l, SIZE))
        .sum::<i32>()
        + SPACING * (labels.len() as i32 - 1).max(0);
    let mut x = (w - total) / 2;
    for (label, (_, color)) in labels.iter().zip(entries) {
        match key {
            Key::Box => root
                .draw(&Rectangle::new(
                    [(x + 4, y - 7), (x + 18, y + 7)],
                    color.filled(),
                ))
                .map_err(err)?,
            Key::Line => {
                root.draw(&PathElement::new(
                    vec![(x, y), (x + KEY_W, y)],
                    color.stroke_width(3),
                ))
                .map_err(err)?;
                root.draw(&Circle::new((x + KEY_W / 2, y), 4, color.filled()))
                    .map_err(err)?;
            }
        }
        let style = text(SIZE, palette::TEXT).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label.clone(), (x + KEY_W + GAP, y), style))
            .map_err(err)?;
        x += KEY_W + GAP + width(label, SIZE) + SPACING;
    }
    Ok(())
}

/// Category labels laid out to fit their slots.
pub(crate) struct Labels {
    /// Font size in px.
    pub size: f64,
    /// Whether every other label sits on a second line.
    pub stagger: bool,
    /// The (possibly truncated) label texts.
    pub texts: Vec<String>,
}

impl Labels {
    /// Lays out `labels`, each centred in a slot `slot` pixels wide.
    ///
    /// In order of preference: one line at 14, 13 or 12 px; two staggered lines (so each label
    /// may use two slots) at 13, 12 or 11 px; finally staggered 11 px text truncated with `…`.
    pub fn fit(labels: &[String], slot: i32) -> Self {
        let labels: Vec<String> = labels.iter().map(|l| one_line(l)).collect();
        let widest = |size| labels.iter().map(|l| width(l, size)).max().unwrap_or(0);
        for size in [LABEL_SIZE, 13.0, 12.0] {
            if widest(size) <= slot - 6 {
                return Self {
                    size,
                    stagger: false,
                    texts: labels,
                };
            }
        }
        let can_stagger = labels.len() > 1;
        if can_stagger {
            for size in [13.0, 12.0, 11.0] {
                if widest(size) <= 2 * slot - 16 {
                    return Self {
                        size,
                        stagger: true,
                        texts: labels,
                    };
                }
            }
        }
        let max = if can_stagger { 2 * slot - 16 } else { slot - 6 };
        let texts = labels.iter().map(|l| truncate(l, 11.0, max)).collect();
        Self {
            size: 11.0,
            stagger: can_stagger,
            texts,
        }
    }

    /// Height of one line of labels.
    pub fn line_height(&self) -> i32 {
        (self.size * 1.35).ceil() as i32
    }

    /// Total height the labels take.
    pub fn height(&self) -> i32 {
        self.line_height() * if self.stagger { 2 } else { 1 }
    }

    /// Draws the labels centred on `centers`, their first line's top at `top`.
    ///
    /// A label near the canvas edge is shortened so that it is not clipped.
    pub fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        centers: &[i32],
        top: i32,
    ) -> DrawResult {
        let canvas = root.dim_in_pixel().0 as i32;
        for (i, (label, x)) in self.texts.iter().zip(centers).enumerate() {
            let y = top
                + if self.stagger && i % 2 == 1 {
                    self.line_height()
                } else {
                    0
                };
            let room = 2 * (*x - 4).min(canvas - 4 - *x);
            let label = truncate(label, self.size, room);
            root.draw(&Text::new(label, (*x, y), text(self.size, palette::TEXT)))
                .map_err(err)?;
        }
        Ok(())
    }
}

/// Draws an axis description centred on `x`, with its top at `y`.
pub(crate) fn x_desc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    desc: &str,
    x: i32,
    y: i32,
    max_width: i32,
) -> DrawResult {
    let s = truncate(&one_line(desc), DESC_SIZE, max_width);
    root.draw(&Text::new(s, (x, y), text(DESC_SIZE, palette::TEXT)))
        .map_err(err)
}

/// Draws an axis description rotated to read bottom-to-top, centred on `(x, y)`.
pub(crate) fn y_desc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    desc: &str,
    (x, y): (i32, i32),
    max_height: i32,
) -> DrawResult {
    let s = truncate(&one_line(desc), DESC_SIZE, max_height);
    let style = text(DESC_SIZE, palette::TEXT)
        .pos(Pos::new(HPos::Center, VPos::Center))
        .transform(FontTransform::Rotate270);
    root.draw(&Text::new(s, (x, y), style)).map_err(err)
}

/// The y range for data: `fixed` if given, else the finite values' span padded by `pad` of it
/// at each end (only away from zero when `include_zero`), never empty.
pub(crate) fn y_range(
    values: impl Iterator<Item = f64>,
    fixed: Option<(f64, f64)>,
    include_zero: bool,
    pad: f64,
) -> (f64, f64) {
    if let Some(r) = fixed {
        return r;
    }
    let start = if include_zero {
        (0.0, 0.0)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    };
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold(start, |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if lo == hi {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - d, hi + d);
    }
    let span = hi - lo;
    let lo = if include_zero && lo >= 0.0 {
        lo
    } else {
        lo - span * pad
    };
    let hi = if include_zero && hi <= 0.0 {
        hi
    } else {
        hi + span * pad
    };
    (lo, hi)
}
