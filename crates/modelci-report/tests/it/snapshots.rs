//! The chart data a report ships (JSON) and the Mermaid it pastes, pinned as inline snapshots.

use modelci_report::mermaid;

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
