//! Line charts: training curves (numeric x) and trends over versions (categorical x).
//!
//! Numeric x axes use plotters' own ticks; categorical ones reuse the bar charts' label layout
//! so long version names never overlap.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    DESC_SIZE, DrawResult, Key, LEGEND_HEIGHT, Labels, MARGIN, TITLE_HEIGHT, err, legend, text,
    title, width, y_range,
};
use crate::chart::{LineChart, XAxis, trim_number};
use crate::palette;

/// Tick label size.
const TICK_SIZE: f64 = 13.0;
/// Above this many points per series, markers are left out (they would merge into a blur).
const MAX_MARKERS: usize = 40;

/// Draws a [`LineChart`].
pub(super) fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &LineChart) -> DrawResult {
    let (w, _) = root.dim_in_pixel();
    let all = c.series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = y_range(all, c.y_range, false, 0.08);
    let xs: Vec<f64> = match &c.x {
        XAxis::Values(v) => v.clone(),
        XAxis::Categories(cats) => (0..cats.len()).map(|i| i as f64).collect(),
    };
    let (x_lo, x_hi) = match &c.x {
        XAxis::Categories(cats) => (-0.5, cats.len() as f64 - 0.5),
        XAxis::Values(_) => {
            let (a, b) = y_range(xs.iter().copied(), None, false, 0.03);
            (a, b)
        }
    };

    title(root, &c.title)?;
    let entries: Vec<(String, RGBColor)> = c
        .series
        .iter()
        .enumerate()
        .map(|(j, s)| (s.name.clone(), palette::series(j)))
        .collect();
    legend(root, &entries, Key::Line, TITLE_HEIGHT + LEGEND_HEIGHT / 2)?;

    let ticks = [lo, hi, (lo + hi) / 2.0].map(|v| width(&c.value_format.tick(v), TICK_SIZE));
    let y_area = ticks.iter().max().copied().unwrap_or(40) + 16 + DESC_SIZE as i32 + 10;
    let right = 24;
    let plot_w = w as i32 - MARGIN - right - y_area;
    let labels = match &c.x {
        XAxis::Categories(cats) => Some(Labels::fit(cats, plot_w / cats.len().max(1) as i32)),
        XAxis::Values(_) => None,
    };
    let tick_h = labels
        .as_ref()
        .map_or((TICK_SIZE * 1.35) as i32, Labels::height);
    let desc_h = DESC_SIZE as i32 + 6;
    let x_area = 8 + tick_h + 8 + desc_h;
    let area = root.margin(TITLE_HEIGHT + LEGEND_HEIGHT + 10, MARGIN, MARGIN, right);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_lo..x_hi, lo..hi)
        .map_err(err)?;
    let y_tick = |v: &f64| c.value_format.tick(*v);
    let x_tick = |v: &f64| trim_number(*v);
    let mut mesh = chart.configure_mesh();
    mesh.y_labels(6)
        .y_label_formatter(&y_tick)
        .x_label_formatter(&x_tick)
        .y_desc(super::one_line(&c.y_label))
        .label_style(text(TICK_SIZE, palette::MUTED))
        .axis_desc_style(text(DESC_SIZE, palette::TEXT))
        .bold_line_style(palette::GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(palette::AXIS);
    if labels.is_some() {
        mesh.x_labels(0).disable_x_mesh();
    } else {
        mesh.x_labels(10);
    }
    mesh.draw().map_err(err)?;

    for (j, s) in c.series.iter().enumerate() {
        let color = palette::series(j);
        // A NaN or infinite value breaks the line: each finite run is drawn on its own, so the
        // gap shows instead of a line bridging it.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (x, y) in s.measured().filter_map(|(i, y)| Some((xs.get(i)?, y))) {
            let y = &y;
            match runs.last_mut() {
                Some(run) if y.is_finite() => run.push((*x, *y)),
                Some(run) if !run.is_empty() => runs.push(Vec::new()),
                _ => {}
            }
        }
        for run in &runs {
            chart
                .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                .map_err(err)?;
        }
        let points: Vec<(f64, f64)> = runs.into_iter().flatten().collect();
        if points.len() <= MAX_MARKERS {
            chart
                .draw_series(points.iter().map(|p| Circle::new(*p, 4, color.filled())))
                .map_err(err)?;
        }
        let measured: Vec<(usize, f64)> = s.measured().collect();
        mark_non_finite(&mut chart, &xs, &measured, color, hi - (hi - lo) * 0.04)?;
    }

    let (left_px, axis_y) = chart.backend_coord(&(x_lo, lo));
    let right_px = chart.backend_coord(&(x_hi, lo)).0;
    if let (Some(labels), XAxis::Categories(cats)) = (&labels, &c.x) {
        let centers: Vec<i32> = (0..cats.len())
            .map(|i| chart.backend_coord(&(i as f64, lo)).0)
            .collect();
        labels.draw(root, &centers, axis_y + 8)?;
    }
    super::x_desc(
        root,
        &c.x_label,
        (left_px + right_px) / 2,
        axis_y + 8 + tick_h + 8,
        right_px - left_px,
    )
}

/// Marks every NaN or infinite value of a series with a cross in its colour near the top of
/// the plot, and names the first of each run of them (`NaN`, `+inf`, `-inf`), so a gap in the
/// line is never mistaken for missing data or a drawing fault.
fn mark_non_finite<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    xs: &[f64],
    measured: &[(usize, f64)],
    color: RGBColor,
    y: f64,
) -> DrawResult {
    let bad: Vec<(usize, f64)> = measured
        .iter()
        .filter(|(_, v)| !v.is_finite())
        .copied()
        .collect();
    chart
        .draw_series(
            bad.iter()
                .filter_map(|(i, _)| xs.get(*i))
                .map(|x| Cross::new((*x, y), 5, color.stroke_width(2))),
        )
        .map_err(err)?;
    let firsts = bad
        .iter()
        .enumerate()
        .filter(|(k, (i, _))| *k == 0 || bad[k - 1].0 + 1 != *i)
        .filter_map(|(_, (i, v))| xs.get(*i).map(|x| (*x, *v)));
    chart
        .draw_series(firsts.map(|(x, v)| {
            let name = if v.is_nan() {
                "NaN"
            } else if v > 0.0 {
                "+inf"
            } else {
                "-inf"
            };
            let style = text(12.0, color).pos(Pos::new(HPos::Left, VPos::Center));
            EmptyElement::at((x, y)) + Text::new(name.to_string(), (8, 0), style)
        }))
        .map_err(err)?;
    Ok(())
}
