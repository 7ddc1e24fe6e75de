//! Training-log checks: no NaN or infinity anywhere, final-value thresholds, the loss trend
//! over the last epochs, the best epoch not being the first, and no divergence at the end;
//! and, with no threshold needed, whether the run learned at all ([`learning`]): every
//! accuracy-like metric must end clearly above chance (1/classes, the classes read from the
//! model's output width), every loss must fall meaningfully below its first epoch.
//!
//! Thresholds name metrics as the logs do (`val_accuracy`, or flattened DVC keys such as
//! `val.accuracy`); a name no log has is bad input, and the message lists the names there are.
//! Losses are every metric whose name ends in something with `loss` (or those named with
//! `--loss`), in every log that has epochs.

use anyhow::bail;
use modelci_history::{History, checks as hc};

use super::budget::Threshold;
use super::{Check, Group, Status, num};

/// The options of the log checks.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// `--min` / `--max` thresholds.
    pub thresholds: Vec<Threshold>,
    /// `--loss`: the losses to check; empty means every loss found.
    pub losses: Vec<String>,
    /// Epochs of the trend window.
    pub trend_epochs: usize,
    /// Relative rise allowed in the window.
    pub trend_tolerance: f64,
    /// Largest final / minimum ratio.
    pub divergence_factor: f64,
    /// How far above chance an accuracy-like metric must end (`--chance-margin`).
    pub chance_margin: f64,
    /// How far (relative) a loss must fall below its first epoch (`--min-loss-drop`).
    pub min_loss_drop: f64,
}

/// Checks `histories`; one row per finding.
///
/// # Errors
/// A message naming the known metrics when a threshold or `--loss` names a metric that no log
/// has, or when thresholds are given without any log.
pub fn check(histories: &[History], options: &LogOptions) -> anyhow::Result<Vec<Check>> {
    let mut checks = Vec::new();
    let several = histories.len() > 1;
    let label = |h: &History| file_name(h);
    let suffix = |h: &History| {
        if several {
            format!(" ({})", label(h))
        } else {
            String::new()
        }
    };

    for h in histories {
        checks.push(finite_row(h));
    }

    for t in &options.thresholds {
        let holders: Vec<&History> = histories
            .iter()
            .filter(|h| h.final_values.contains_key(&t.metric))
            .collect();
        if holders.is_empty() {
            bail!(
                "{} {}: {}",
                t.bound.flag(),
                t.metric,
                unknown_metric(&t.metric, histories)
            );
        }
        for h in holders {
            let value = h.final_values[&t.metric];
            let at = h
                .points(&t.metric)
                .last()
                .map(|(e, _)| format!(" (epoch {e})"))
                .unwrap_or_default();
            checks.push(Check::new(
                Group::Logs,
                format!(
                    "final {} {} {}{}",
                    t.metric,
                    t.bound.symbol(),
                    num(t.limit),
                    suffix(h)
                ),
                Status::from_bool(t.bound.holds(value, t.limit)),
                format!("{}{at}", num(value)),
                format!("{} {}", t.bound.symbol(), num(t.limit)),
            ));
        }
    }

    for name in &options.losses {
        if !histories.iter().any(|h| h.points(name).len() >= 2) {
            bail!(
                "--loss {name}: {}",
                unknown_metric(name, histories).replace(
                    "no training log has",
                    "no training log has two or more epochs of"
                )
            );
        }
    }
    for h in histories {
        let keys = if options.losses.is_empty() {
            hc::loss_keys(h)
        } else {
            options
                .losses
                .iter()
                .filter(|k| h.points(k).len() >= 2)
                .cloned()
                .collect()
        };
        for key in keys {
            checks.extend(loss_rows(h, &key, options, &suffix(h)));
        }
    }
    Ok(checks)
}

/// Did the run learn? One row per accuracy-like metric (against chance, 1/`classes`; none
/// when the model is not a classifier) and one per loss (against its first epoch).
#[must_use]
pub fn learning(histories: &[History], classes: Option<usize>, options: &LogOptions) -> Vec<Check> {
    let several = histories.len() > 1;
    let mut rows = Vec::new();
    for h in histories {
        let suffix = if several {
            format!(" ({})", file_name(h))
        } else {
            String::new()
        };
        if let Some(classes) = classes {
            for key in hc::accuracy_keys(h) {
                let Some(c) = hc::above_chance(h, &key, classes, options.chance_margin) else {
                    continue;
                };
                let at = c
                    .last_epoch
                    .map(|e| format!(" (epoch {e})"))
                    .unwrap_or_default();
                rows.push(Check::new(
                    Group::Logs,
                    format!("{key} above chance (1/{classes}){suffix}"),
                    Status::from_bool(c.passed),
                    if c.passed {
                        format!("final {}{at}", num(c.last))
                    } else {
                        format!(
                            "final {}{at}: within {} of chance {}; the run did not learn",
                            num(c.last),
                            num(c.margin),
                            num(c.chance)
                        )
                    },
                    format!(
                        "> {} (chance + {})",
                        num(c.chance + c.margin),
                        num(c.margin)
                    ),
                ));
            }
        }
        let keys = if options.losses.is_empty() {
            hc::loss_keys(h)
        } else {
            options.losses.clone()
        };
        for key in keys {
            let Some(d) = hc::loss_drop(h, &key, options.min_loss_drop) else {
                continue;
            };
            let measured = format!(
                "first {} (epoch {}), lowest {} (epoch {}): {}",
                num(d.first),
                d.first_epoch,
                num(d.best),
                d.best_epoch,
                signed_pct(-d.drop)
            );
            rows.push(Check::new(
                Group::Logs,
                format!("{key} fell below its first epoch{suffix}"),
                Status::from_bool(d.passed),
                if d.passed {
                    measured
                } else {
                    format!("{measured}; the loss never dropped meaningfully")
                },
                format!("≥ {} lower", signed_pct(d.min_drop).trim_start_matches('+')),
            ));
        }
    }
    rows
}

fn loss_rows(h: &History, key: &str, options: &LogOptions, suffix: &str) -> Vec<Check> {
    let mut rows = Vec::new();
    if let Some(t) = hc::trend(h, key, options.trend_epochs, options.trend_tolerance) {
        let (first, last) = (
            t.epochs.first().copied().unwrap_or(0),
            t.epochs.last().copied().unwrap_or(0),
        );
        let measured = match t.worst_epoch {
            Some(e) if t.worst_rise > 0.0 || t.worst_rise.is_nan() => {
                format!("rose {} at epoch {e}", signed_pct(t.worst_rise))
            }
            _ => "never rose".to_owned(),
        };
        rows.push(Check::new(
            Group::Logs,
            format!("{key} non-increasing over epochs {first}–{last}{suffix}"),
            Status::from_bool(t.passed),
            measured,
            format!("rise ≤ {} of its lowest", signed_pct(t.tolerance)),
        ));
    }
    if let Some(b) = hc::best_not_first(h, key) {
        rows.push(Check::new(
            Group::Logs,
            format!("{key} best epoch is not the first{suffix}"),
            Status::from_bool(b.passed),
            format!("best {} at epoch {}", num(b.best), b.best_epoch),
            format!("after epoch {}", b.first_epoch),
        ));
    }
    if let Some(d) = hc::divergence(h, key, options.divergence_factor) {
        let ratio = if d.ratio.is_finite() {
            format!(": {}×", num(d.ratio))
        } else {
            String::new()
        };
        rows.push(Check::new(
            Group::Logs,
            format!("{key} did not diverge{suffix}"),
            Status::from_bool(d.passed),
            format!(
                "final {} (epoch {}), min {} (epoch {}){ratio}",
                num(d.last),
                d.last_epoch,
                num(d.min),
                d.min_epoch
            ),
            format!("final ≤ {}× min", num(d.factor)),
        ));
    }
    rows
}

fn finite_row(h: &History) -> Check {
    let bad = hc::non_finite(h);
    let measured = match bad.first() {
        None => {
            let metrics = h.final_values.len();
            if h.epochs.is_empty() {
                format!("all {metrics} values finite")
            } else {
                format!("all finite ({} epochs × {metrics} metrics)", h.epochs.len())
            }
        }
        Some(first) => {
            let at = first
                .epoch
                .map(|e| format!(" at epoch {e}"))
                .unwrap_or_default();
            let more = if bad.len() > 1 {
                format!(" and {} more", bad.len() - 1)
            } else {
                String::new()
            };
            format!("{} = {}{at}{more}", first.key, num(first.value))
        }
    };
    Check::new(
        Group::Logs,
        format!("no NaN/inf in {} ({})", file_name(h), h.format),
        Status::from_bool(bad.is_empty()),
        measured,
        "all finite",
    )
}

fn unknown_metric(metric: &str, histories: &[History]) -> String {
    if histories.is_empty() {
        return "no training log was given (add --metrics FILE)".to_owned();
    }
    let mut known: Vec<&str> = histories.iter().flat_map(History::keys).collect();
    known.sort_unstable();
    known.dedup();
    let files: Vec<String> = histories.iter().map(file_name).collect();
    format!(
        "no training log has a metric `{metric}` (read {}); known metrics: {}",
        files.join(", "),
        known.join(", ")
    )
}

/// The file name of a history, for report rows.
#[must_use]
pub fn file_name(h: &History) -> String {
    h.path.file_name().map_or_else(
        || h.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn signed_pct(ratio: f64) -> String {
    if ratio.is_nan() {
        return "NaN".to_owned();
    }
    let pct = ratio * 100.0;
    if pct != 0.0 && pct.abs() < 1.0 {
        format!("{pct:+.2}%")
    } else {
        format!("{pct:+.1}%")
    }
}
