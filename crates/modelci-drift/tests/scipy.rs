//! The statistics reproduce scipy's figures on fixed data (tests/fixtures/scipy.json, written
//! by scripts/drift_fixtures.py with scipy 1.16).

#![allow(clippy::unwrap_used)]

use modelci_drift::chi2::chi2;
use modelci_drift::ks::ks;
use modelci_drift::psi::psi;
use modelci_drift::{
    CategoricalCounts, CategoricalReference, ContinuousCounts, ContinuousReference,
};
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/scipy.json");
    serde_json::from_str(text).unwrap()
}

fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// Equal to 1e-9, and for small p-values also to a relative 1e-9.
fn assert_close(name: &str, what: &str, got: f64, want: f64) {
    let tolerance = 1e-9 * want.abs().clamp(1e-300, 1.0);
    assert!(
        (got - want).abs() <= tolerance.max(1e-300),
        "{name}: {what} {got} vs scipy {want}"
    );
}

#[test]
fn ks_and_psi_match_scipy_and_numpy() {
    let fixture = fixture();
    let cases = fixture["continuous"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let reference = ContinuousReference::from_values(numbers(&case["reference"])).unwrap();
        let mut current = ContinuousCounts::new(&reference);
        numbers(&case["current"])
            .into_iter()
            .for_each(|v| current.add(v));
        let test = ks(&reference, &current).unwrap();
        assert!(test.exact, "{name}");
        assert_close(
            name,
            "KS statistic",
            test.statistic,
            case["ks_statistic"].as_f64().unwrap(),
        );
        assert_close(
            name,
            "KS p-value",
            test.p_value,
            case["ks_p_value"].as_f64().unwrap(),
        );
        let value = psi(&reference, &current).unwrap();
        assert!(
            (value - case["psi"].as_f64().unwrap()).abs() < 1e-9,
            "{name}: PSI {value}"
        );
    }
}

#[test]
fn chi_squared_matches_scipy() {
    let fixture = fixture();
    for case in fixture["categorical"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let values = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        let reference_values = values("reference");
        let reference =
            CategoricalReference::from_values(reference_values.iter().map(|v| Some(v.as_str())))
                .unwrap();
        let mut current = CategoricalCounts::default();
        values("current").iter().for_each(|v| current.add(Some(v)));
        let test = chi2(&reference, &current).unwrap();
        assert_close(
            name,
            "chi2 statistic",
            test.statistic,
            case["chi2_statistic"].as_f64().unwrap(),
        );
        assert_close(
            name,
            "chi2 p-value",
            test.p_value,
            case["chi2_p_value"].as_f64().unwrap(),
        );
    }
}

#[test]
fn a_large_reference_keeps_quantiles_and_stays_within_one_point_of_exact() {
    // 50,000 distinct values: more than MAX_POINTS, so the reference is a sketch.
    let reference_values: Vec<f64> = (0..50_000)
        .map(|i| (f64::from(i) * 0.618_033_988_7).fract() * 10.0)
        .collect();
    let current_values: Vec<f64> = (0..40_000)
        .map(|i| (f64::from(i) * 0.414_213_562_3).fract() * 10.0 + 0.3)
        .collect();
    let reference = ContinuousReference::from_values(reference_values.iter().copied()).unwrap();
    assert!(!reference.exact);
    let mut current = ContinuousCounts::new(&reference);
    current_values.iter().for_each(|&v| current.add(v));
    let sketch = ks(&reference, &current).unwrap();
    // The exact statistic by sorting both samples.
    let mut a = reference_values.clone();
    let mut b = current_values.clone();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let cdf = |s: &[f64], x: f64| s.partition_point(|&v| v <= x) as f64 / s.len() as f64;
    let exact = a
        .iter()
        .chain(&b)
        .map(|&x| (cdf(&a, x) - cdf(&b, x)).abs())
        .fold(0.0, f64::max);
    let point_mass = 1.0 / (modelci_drift::MAX_POINTS as f64 - 1.0);
    assert!(sketch.statistic <= exact + 1e-12);
    assert!(
        exact - sketch.statistic <= 2.0 * point_mass,
        "sketch {} exact {exact}",
        sketch.statistic
    );
}
