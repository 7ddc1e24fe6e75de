//! Issue 18 item 4 (and issue 14's escaping policy): the deployment comment rendered as GitHub
//! renders it (CommonMark + GFM, by comrak) shows hostile names literally, with no stray
//! backslash, no injected markup and no live mention.

use deploy_notify::comment::markdown;
use deploy_notify::metrics::KeyMetric;
use deploy_notify::smoke::SmokeReport;
use deploy_notify::summary::{Links, Status, Summary};
use modelci_report::check::problems;

#[test]
fn hostile_names_render_literally_in_the_comment() {
    let model = "digits_`x`|<img src=x onerror=alert(1)>";
    let environment = "prod_*eu*|@everyone";
    let server_model = "served_`model`|[click](javascript:alert(1))";
    let metric = "test.acc_`x`|<b>";
    let git_ref = "v1.0.0_`x`~~y~~";
    let summary = Summary {
        model: model.into(),
        version: "1.0.0".into(),
        environment: environment.into(),
        git_ref: git_ref.into(),
        commit: Some("0123abc".into()),
        repository: Some("o/r".into()),
        status: Status::Success,
        links: Links {
            environment: Some("https://example.test/a b".into()),
            run: None,
            release: Some("https://example.test/releases/v1".into()),
        },
        deployment: None,
        smoke: Some(SmokeReport {
            endpoint: "http://127.0.0.1:1".into(),
            model_name: server_model.into(),
            samples: 10,
            agreed: 10,
            agreement: 1.0,
            min_agreement: 0.99,
            passed: true,
            latency_p50_ms: Some(1.5),
            latency_p95_ms: Some(2.5),
            disagreements: Vec::new(),
            error: None,
        }),
        metrics: vec![KeyMetric {
            name: metric.into(),
            value: 0.97,
        }],
    };
    let md = markdown(&summary);
    let found = problems(&md, &[model, environment, server_model, metric, git_ref]);
    assert!(found.is_empty(), "{found:#?}\n\n{md}");
}
