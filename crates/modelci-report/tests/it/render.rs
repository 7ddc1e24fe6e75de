//! Rendered PNG/SVG files: they decode, have the right size, are not blank, are deterministic,
//! and are written atomically with clear errors.

use std::collections::HashSet;

use modelci_report::{
    Chart, HeatMap, ReportError, chart_size, render, render_png_bytes, render_svg_string,
};

use crate::fixtures;

fn distinct_colours(png: &[u8]) -> usize {
    let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8();
    img.pixels().map(|p| p.0).collect::<HashSet<_>>().len()
}

/// Escapes text the way plotters' SVG backend does.
fn svg_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[test]
fn every_chart_renders_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    for (stem, chart) in fixtures::all() {
        let files = render(&chart, dir.path(), stem).unwrap();
        let png = std::fs::read(&files.png).unwrap();
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap();
        assert_eq!((img.width(), img.height()), chart_size(&chart), "{stem}");
        assert!(distinct_colours(&png) >= 8, "{stem} looks blank");
        let svg = std::fs::read_to_string(&files.svg).unwrap();
        assert!(svg.starts_with("<svg"), "{stem}");
        // Long titles are shortened to fit; their start is always there.
        let title: String = chart.title().chars().take(40).collect();
        assert!(
            svg.contains(&svg_escape(&title)),
            "{stem}: SVG lacks its title"
        );
        assert!(
            svg.contains("font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""),
            "{stem}"
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names.len(),
        2 * fixtures::all().len(),
        "leftover temporary files: {names:?}"
    );
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn bar_and_line_charts_are_800_by_400() {
    assert_eq!(chart_size(&fixtures::metrics()), (800, 400));
    assert_eq!(chart_size(&fixtures::trend()), (800, 400));
}

#[test]
fn rendering_is_deterministic() {
    for (stem, chart) in fixtures::all() {
        assert_eq!(
            render_png_bytes(&chart).unwrap(),
            render_png_bytes(&chart).unwrap(),
            "{stem}"
        );
        assert_eq!(
            render_svg_string(&chart).unwrap(),
            render_svg_string(&chart).unwrap(),
            "{stem}"
        );
    }
}

#[test]
fn hostile_labels_are_escaped_in_svg() {
    let chart = Chart::from(HeatMap {
        title: "<script>alert(1)</script>".into(),
        row_labels: vec!["a\"b".into(), "x\ny".into()],
        col_labels: vec!["<img src=x onerror=alert(1)>".into(), "&".into()],
        values: vec![vec![1.0, 0.0], vec![f64::NAN, 3.0]],
        x_label: "predicted".into(),
        y_label: "actual".into(),
    });
    let svg = render_svg_string(&chart).unwrap();
    assert!(!svg.contains("<script>") && !svg.contains("<img"), "{svg}");
    assert!(svg.contains("&lt;script&gt;"));
    assert!(render_png_bytes(&chart).is_ok());
}

#[test]
fn invalid_chart_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let chart = Chart::from(HeatMap {
        title: "broken".into(),
        row_labels: vec!["a".into()],
        col_labels: vec!["a".into(), "b".into()],
        values: vec![vec![1.0]],
        x_label: String::new(),
        y_label: String::new(),
    });
    let err = render(&chart, dir.path(), "broken").unwrap_err();
    assert!(matches!(err, ReportError::InvalidChart { .. }), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn unwritable_directory_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let err = render(&fixtures::metrics(), &missing, "metrics").unwrap_err();
    let expected = missing.join("metrics.png");
    assert!(matches!(err, ReportError::Write { .. }), "{err}");
    assert!(
        err.to_string().contains(&expected.display().to_string()),
        "{err}"
    );
}

#[test]
fn bad_stem_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = render(&fixtures::metrics(), dir.path(), "../escape").unwrap_err();
    assert!(matches!(err, ReportError::Write { .. }), "{err}");
}

/// How many pixels of `png` have exactly `rgb`.
fn pixels_of(png: &[u8], rgb: [u8; 3]) -> usize {
    image::load_from_memory_with_format(png, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8()
        .pixels()
        .filter(|p| p.0 == rgb)
        .count()
}

const GATE: [u8; 3] = [0xCC, 0x79, 0xA7];

#[test]
fn gate_limits_are_drawn_in_png_and_svg() {
    // Issue 18: gate thresholds appear on the chart where a gate exists.
    let gated = fixtures::gated_change();
    let png = render_png_bytes(&gated).unwrap();
    assert!(pixels_of(&png, GATE) > 200, "dashed limit lines in the PNG");
    let svg = render_svg_string(&gated).unwrap();
    assert!(svg.contains("#CC79A7"), "limit colour in the SVG");
    assert!(svg.contains("gate limit"), "legend names the limit");
    assert!(svg.contains("-1.00 pp"), "the drop is labelled in points");
    let Chart::DeltaBars(mut ungated) = gated else {
        unreachable!()
    };
    ungated.limits.clear();
    let plain = render_png_bytes(&Chart::from(ungated)).unwrap();
    assert_eq!(pixels_of(&plain, GATE), 0, "no limit, no line");
}

#[test]
fn non_finite_points_leave_a_marked_gap() {
    // Issue 18: NaN and inf in curves drawn as gaps and marked.
    let svg = render_svg_string(&fixtures::nan_curve()).unwrap();
    let texts: Vec<&str> = svg.lines().map(str::trim).collect();
    assert!(texts.contains(&"NaN"), "the NaN run is named");
    assert!(texts.contains(&"+inf"), "the infinite value is named");
    // The loss (first series, blue) is drawn in three pieces: epochs 1-2, 5 and 7-8; no
    // line bridges a gap.
    let pieces: Vec<&str> = svg
        .lines()
        .filter(|l| {
            l.contains("<polyline")
                && l.contains("stroke=\"#0072B2\"")
                && l.contains("stroke-width=\"2\"")
        })
        .collect();
    let points: Vec<usize> = pieces
        .iter()
        .map(|l| {
            let list = l.split("points=\"").nth(1).unwrap();
            list.split('"').next().unwrap().split_whitespace().count()
        })
        .collect();
    assert_eq!(points, vec![2, 1, 2], "{pieces:#?}");
    // The crosses that mark the NaN and inf points are drawn in the series' colour.
    let png = render_png_bytes(&fixtures::nan_curve()).unwrap();
    assert!(pixels_of(&png, [0x00, 0x72, 0xB2]) > 100);
}
