//! Quality gates: the rules that decide whether a candidate model may replace its baseline.
//!
//! Every metric knows its direction ([`metric::Direction`]): higher accuracy is better, lower
//! latency is better. A gate is written `METRIC=AMOUNT` on the command line and comes in four
//! kinds, covering both semantics users need:
//!
//! | flag | meaning | example |
//! |---|---|---|
//! | `--tolerance` | the candidate may be worse than the baseline by at most AMOUNT | `accuracy=0.5pt`, `size=10%` |
//! | `--min-improvement` | the candidate must beat the baseline by at least AMOUNT (MLflow's `min_absolute_change` / `min_relative_change`) | `macro_f1=0.01` |
//! | `--min` | the candidate's value must be at least AMOUNT | `accuracy=0.95` |
//! | `--max` | the candidate's value must be at most AMOUNT | `latency_p95_ms=5`, `size=10MB` |
//!
//! Amounts are plain numbers in the metric's unit, `pt` for percentage points of a fraction
//! (`0.5pt` = 0.005), `%` relative to the baseline's value (`10%`), or sizes with a unit
//! (`10MB`, `512KiB`) and durations (`5ms`, `0.2s`).

pub mod amount;
pub mod gate;
pub mod metric;

pub use amount::{Amount, AmountError};
pub use gate::{Gate, GateError, GateKind, GateResult, MetricValues, evaluate_gates};
pub use metric::{Direction, MetricDef, Unit};
