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
