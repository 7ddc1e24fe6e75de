//! Grouped bars (series side by side per category) and signed delta bars.
//!
//! Categories sit on a hand-made x axis (plotters' numeric ticks cannot centre a label under a
//! group of bars); plotters draws the value axis, its grid and the bars themselves.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    DESC_SIZE, DrawResult, Key, LEGEND_HEIGHT, Labels, MARGIN, TITLE_HEIGHT, err, legend, text,
    title, width, y_range,
};
use crate::chart::{DeltaBars, GroupedBars, Series, ValueFormat};
use crate::palette;

/// Fraction of a category's slot its bars take.
const GROUP_WIDTH: f64 = 0.8;
/// Value label font sizes, tried largest first.
const VALUE_SIZES: [f64; 3] = [13.0, 12.0, 11.0];
/// Tick label size.
const TICK_SIZE: f64 = 13.0;

/// One bar to draw: its horizontal extent in category units, value, colour and label.
struct Bar {
    x0: f64,
    x1: f64,
    value: f64,
    color: RGBColor,
    label: String,
    /// Horizontal room for the value label, in category units.
    room: f64,
}

/// Draws a [`GroupedBars`] chart.
pub(super) fn grouped<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &GroupedBars,
) -> DrawResult {
    let all = c.series.iter().flat_map(|s| s.values.iter().copied());
    // Extra headroom above the tallest bar for its value label.
    let range = y_range(all, c.y_range, true, 0.14);
    let k = c.series.len().max(1) as f64;
    let bar_w = GROUP_WIDTH / k;
    let bars = c
        .series
        .iter()
        .enumerate()
        .flat_map(|(j, Series { values, .. })| {
            values.iter().enumerate().map(move |(i, v)| {
                let x0 = i as f64 + (1.0 - GROUP_WIDTH) / 2.0 + j as f64 * bar_w;
                Bar {
                    x0: x0 + bar_w * 0.04,
                    x1: x0 + bar_w * 0.96,
                    value: *v,
                    color: palette::series(j),
                    label: c.value_format.format(*v),
                    room: bar_w,
                }
            })
        })
        .collect::<Vec<_>>();
    let entries: Vec<(String, RGBColor)> = c
        .series
        .iter()
        .enumerate()
        .map(|(j, s)| (s.name.clone(), palette::series(j)))
        .collect();
    let frame = Frame {
        title: &c.title,
        y_label: &c.y_label,
        categories: &c.categories,
        range,
        format: c.value_format,
        limits: &[],
    };
    draw_bars(root, &frame, &bars, &entries)
}

/// Draws a [`DeltaBars`] chart.
pub(super) fn delta<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &DeltaBars,
) -> DrawResult {
    let limits = c.limits.iter().flatten().copied();
    let range = y_range(c.values.iter().copied().chain(limits), None, true, 0.18);
    let bars = c
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| Bar {
            x0: i as f64 + 0.2,
            x1: i as f64 + 0.8,
            value: *v,
            color: if *v < 0.0 {
                palette::NEGATIVE
            } else {
                palette::POSITIVE
            },
            label: c.value_format.format_signed(*v),
            room: 1.0,
        })
        .collect::<Vec<_>>();
    let mut entries = vec![
        ("increase".to_string(), palette::POSITIVE),
        ("decrease".to_string(), palette::NEGATIVE),
    ];
    if c.limits.iter().any(Option::is_some) {
        entries.push(("gate limit (band: within it)".to_string(), palette::GATE));
    }
    let frame = Frame {
        title: &c.title,
        y_label: &c.y_label,
        categories: &c.categories,
        range,
        format: c.value_format,
        limits: &c.limits,
    };
    draw_bars(root, &frame, &bars, &entries)
}

/// What both bar charts share around their bars.
struct Frame<'a> {
    title: &'a str,
    y_label: &'a str,
    categories: &'a [String],
    range: (f64, f64),
    format: ValueFormat,
    /// A gate's limit per category (delta bars only): a shaded band from zero to the limit
    /// and a dashed line at the limit.
    limits: &'a [Option<f64>],
}

fn draw_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Frame<'_>,
    bars: &[Bar],
    entries: &[(String, RGBColor)],
) -> DrawResult {
    let (w, _) = root.dim_in_pixel();
    let (lo, hi) = f.range;
    let n = f.categories.len().max(1);
    title(root, f.title)?;
    legend(root, entries, Key::Box, TITLE_HEIGHT + LEGEND_HEIGHT / 2)?;

    let ticks = [lo, hi, (lo + hi) / 2.0].map(|v| width(&f.format.tick(v), TICK_SIZE));
    let y_area = ticks.iter().max().copied().unwrap_or(40) + 16 + DESC_SIZE as i32 + 10;
    let right = 24;
    let slot = (w as i32 - MARGIN - right - y_area) / n as i32;
    let labels = Labels::fit(f.categories, slot);
    let x_area = labels.height() + 12;
    // Room above the plot for the topmost value label.
    let top = TITLE_HEIGHT + LEGEND_HEIGHT + 14;
    let area = root.margin(top, MARGIN, MARGIN, right);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0f64..n as f64, lo..hi)
        .map_err(err)?;
    let tick = |v: &f64| f.format.tick(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_label_formatter(&tick)
        .y_desc(super::one_line(f.y_label))
        .label_style(text(TICK_SIZE, palette::MUTED))
        .axis_desc_style(text(DESC_SIZE, palette::TEXT))
        .bold_line_style(palette::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(palette::AXIS)
        .draw()
        .map_err(err)?;

    let base = 0f64.clamp(lo, hi);
    let clamp = |v: f64| v.clamp(lo, hi);
    let drawable = bars.iter().filter(|b| b.value.is_finite());
    chart
        .draw_series(
            drawable
                .clone()
                .map(|b| Rectangle::new([(b.x0, base), (b.x1, clamp(b.value))], b.color.filled())),
        )
        .map_err(err)?;

    // Gate limits: the band the change may move in, then the limit itself, over the bars so a
    // bar that crosses it is seen to.
    let limits = || {
        f.limits
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.map(|l| (i as f64, clamp(l))))
    };
    chart
        .draw_series(limits().map(|(x, l)| {
            Rectangle::new(
                [(x + 0.06, base), (x + 0.94, l)],
                palette::GATE.mix(0.16).filled(),
            )
        }))
        .map_err(err)?;
    chart
        .draw_series(limits().map(|(x, l)| {
            DashedPathElement::new(
                vec![(x + 0.04, l), (x + 0.96, l)],
                7,
                4,
                palette::GATE.stroke_width(3),
            )
        }))
        .map_err(err)?;

    // Zero line, drawn over the bars' feet when the axis does not start at zero.
    if lo < 0.0 && hi > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n as f64, 0.0)],
                palette::AXIS.stroke_width(1),
            )))
            .map_err(err)?;
    }

    // Value labels: the largest size at which every label fits its bar, or none at all.
    let room_px = {
        let room = bars.first().map_or(1.0, |b| b.room);
        chart.backend_coord(&(room, lo)).0 - chart.backend_coord(&(0.0, lo)).0
    };
    let widest = |size| {
        bars.iter()
            .map(|b| width(&b.label, size))
            .max()
            .unwrap_or(0)
    };
    if let Some(size) = VALUE_SIZES.into_iter().find(|s| widest(*s) <= room_px - 6) {
        chart
            .draw_series(drawable.map(|b| {
                let (anchor, dy) = if b.value < 0.0 {
                    (VPos::Top, 4)
                } else {
                    (VPos::Bottom, -4)
                };
                let style = text(size, palette::TEXT).pos(Pos::new(HPos::Center, anchor));
                EmptyElement::at(((b.x0 + b.x1) / 2.0, clamp(b.value)))
                    + Text::new(b.label.clone(), (0, dy), style)
            }))
            .map_err(err)?;
    }

    let centers: Vec<i32> = (0..n)
        .map(|i| chart.backend_coord(&(i as f64 + 0.5, lo)).0)
        .collect();
    let axis_y = chart.backend_coord(&(0.0, lo)).1;
    labels.draw(root, &centers, axis_y + 8)
}
