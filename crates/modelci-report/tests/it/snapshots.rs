//! The chart data a report ships (JSON) and the Mermaid it pastes, pinned as inline snapshots.

use modelci_report::mermaid;
use modelci_report::{Chart, LineChart, Series, ValueFormat, XAxis};

use crate::fixtures;

#[test]
fn metrics_chart_json() {
    let json = serde_json::to_string_pretty(&fixtures::metrics()).unwrap();
    insta::assert_snapshot!(json, @r#"
    {
      "type": "grouped_bars",
      "title": "Metrics: baseline vs candidate",
      "y_label": "score",
      "categories": [
        "accuracy",
        "macro F1",
        "weighted F1"
      ],
      "series": [
        {
          "name": "baseline (v1.3.0)",
          "values": [
            0.912,
            0.874,
            0.905
          ]
        },
        {
          "name": "candidate (PR #42)",
          "values": [
            0.931,
            0.862,
            0.928
          ]
        }
      ],
      "y_range": [
        0.0,
        1.0
      ],
      "value_format": {
        "kind": "decimal",
        "places": 3
      }
    }
    "#);
}

#[test]
fn metrics_chart_mermaid() {
    let text = mermaid::xychart(&fixtures::metrics())
        .map(|m| mermaid::fenced(&m))
        .unwrap();
    insta::assert_snapshot!(text, @r##"
    ```mermaid
    %%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0072B2, #E69F00"}}}}%%
    xychart-beta
        title "Metrics: baseline vs candidate"
        x-axis ["accuracy", "macro F1", "weighted F1"]
        y-axis "score" 0 --> 1
        %% bar 1: baseline (v1.3.0)
        bar [0.912, 0.874, 0.905]
        %% bar 2: candidate (PR #42)
        bar [0.931, 0.862, 0.928]
    ```
    "##);
}

#[test]
fn heat_map_has_no_mermaid() {
    assert!(mermaid::xychart(&fixtures::confusion()).is_none());
}

#[test]
fn gated_change_mermaid_draws_the_limits_as_a_line() {
    // Issue 18: the main chart shows the change, with gate thresholds, in Mermaid too.
    let text = mermaid::xychart(&fixtures::gated_change()).unwrap();
    insta::assert_snapshot!(text, @r##"
    %%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0072B2, #CC79A7"}}}}%%
    xychart-beta
        title "Change vs baseline (candidate - baseline), percentage points"
        x-axis ["Accuracy", "Macro F1", "Weighted F1"]
        y-axis "Δ (pp)" -2.3 --> 0.42
        %% bar 1: Δ (pp)
        bar [-1, -0.4, 0.2]
        %% line 1: gate limit (0 where no gate)
        line [-0.5, 0, -2]
    "##);
}

#[test]
fn nan_curve_mermaid_stops_the_line_and_marks_the_epochs() {
    // Issue 18: a NaN loss was drawn as 0, which looks like the best epoch.
    let text = mermaid::xychart(&fixtures::nan_curve()).unwrap();
    assert!(!text.contains("line [0.9, 0.6, 0,"), "{text}");
    insta::assert_snapshot!(text, @r##"
    %%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#0072B2, #E69F00"}}}}%%
    xychart-beta
        title "Loss per epoch (diverged)"
        x-axis "epoch" ["1", "2", "3 ⚠ NaN", "4 ⚠ NaN", "5", "6 ⚠ inf", "7", "8"]
        y-axis "loss"
        %% line 1: loss
        line [0.9, 0.6]
        %% line 2: val_loss
        line [1, 0.7, 0.65, 0.6, 0.58, 0.55, 0.52, 0.5]
    "##);
}

#[test]
fn nan_curve_markdown_cuts_one_diagram_per_finite_stretch() {
    // Issue 18: NaN and inf drawn as gaps in every format. Mermaid cannot start a line late,
    // so each stretch after a gap is its own diagram, on the same y axis.
    let md = mermaid::markdown(&fixtures::nan_curve()).unwrap();
    assert_eq!(md.matches("```mermaid").count(), 3, "{md}");
    assert_eq!(
        md.matches("y-axis \"loss\" 0.37 --> 1.1").count(),
        3,
        "{md}"
    );
    insta::assert_snapshot!(md);
}

#[test]
fn markdown_of_a_finite_curve_is_one_diagram() {
    let chart = fixtures::nan_curve();
    let Chart::Line(mut line) = chart else {
        panic!("nan_curve is a line chart")
    };
    for s in &mut line.series {
        for v in &mut s.values {
            if !v.is_finite() {
                *v = 0.5;
            }
        }
    }
    let chart = Chart::Line(line);
    assert_eq!(
        mermaid::markdown(&chart).unwrap(),
        mermaid::fenced(&mermaid::xychart(&chart).unwrap())
    );
}

#[test]
fn markdown_notes_a_curve_that_starts_non_finite_and_too_many_stretches() {
    let values: Vec<f64> = (0..20)
        .map(|i| {
            if i < 2 || i % 3 == 0 {
                f64::NAN
            } else {
                1.0 / f64::from(i)
            }
        })
        .collect();
    let chart = Chart::from(LineChart {
        title: "Loss".into(),
        x_label: "epoch <b>".into(),
        y_label: "loss".into(),
        x: XAxis::Values((1..=20).map(f64::from).collect()),
        series: vec![Series::new("loss", values)],
        y_range: None,
        value_format: ValueFormat::default(),
    });
    let md = mermaid::markdown(&chart).unwrap();
    assert!(
        md.starts_with("*⚠ epoch &lt;b&gt; 1–2: not finite, not drawn.*\n"),
        "{md}"
    );
    assert_eq!(md.matches("```mermaid").count(), 4, "{md}");
    assert!(
        md.contains(
            "*3 more stretches from epoch &lt;b&gt; 14 on are drawn in the PNG/SVG chart only.*"
        ),
        "{md}"
    );
}
