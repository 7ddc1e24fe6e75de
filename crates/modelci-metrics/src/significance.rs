//! What the two significance figures say together, in one sentence a reviewer understands.
//!
//! A report shows two figures about an accuracy change: the exact McNemar test, which looks
//! only at the discordant pairs (samples exactly one model got right), and a bootstrap interval
//! of the accuracy change over resampled test sets. They usually agree. When they do not (few
//! discordant samples: McNemar is exact and conservative, the percentile bootstrap is not), the
//! reader needs to know what each measures and which one to decide on: McNemar, the test
//! recommended for two classifiers on one test set (Dietterich, 1998).
//!
//! The level and every sentence live here, so all reports word it the same way and the tests
//! pin it down.

use crate::stats::Interval;

/// The significance level: p below this is called significant.
pub const ALPHA: f64 = 0.05;

/// How the two figures read together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// McNemar is significant and the interval excludes zero.
    BothSignificant,
    /// McNemar is not significant and the interval contains zero.
    BothNoise,
    /// The interval excludes zero but McNemar is not significant.
    OnlyBootstrap,
    /// McNemar is significant but the interval contains zero.
    OnlyMcNemar,
    /// There is no interval (bootstrap turned off): McNemar alone.
    McNemarAlone {
        /// Whether McNemar is significant.
        significant: bool,
    },
}

impl Reading {
    /// Reads a McNemar p-value and an optional bootstrap interval of the accuracy change.
    #[must_use]
    pub fn of(p: f64, interval: Option<Interval>) -> Self {
        let mcnemar = p < ALPHA;
        let Some(ci) = interval else {
            return Self::McNemarAlone {
                significant: mcnemar,
            };
        };
        let excludes_zero = ci.low > 0.0 || ci.high < 0.0;
        match (mcnemar, excludes_zero) {
            (true, true) => Self::BothSignificant,
            (false, false) => Self::BothNoise,
            (false, true) => Self::OnlyBootstrap,
            (true, false) => Self::OnlyMcNemar,
        }
    }

    /// Whether the change is to be taken as real: McNemar decides.
    #[must_use]
    pub fn significant(self) -> bool {
        match self {
            Self::BothSignificant | Self::OnlyMcNemar => true,
            Self::BothNoise | Self::OnlyBootstrap => false,
            Self::McNemarAlone { significant } => significant,
        }
    }
}

/// The sentence for a report, e.g. `Exact McNemar test: p = 0.125 ... may be noise.`
///
/// `discordant` is the number of samples exactly one model got right; `p` and `interval` are
/// written with `format_p` and `format_pp` so each report keeps its own number style.
#[must_use]
pub fn sentence(
    p: f64,
    interval: Option<Interval>,
    discordant: u64,
    format_p: impl Fn(f64) -> String,
    format_pp: impl Fn(f64) -> String,
) -> String {
    let level = format!("{:.0}%", ALPHA * 100.0);
    let p_text = format!("p = {}", format_p(p));
    let ci_text = |ci: Interval| {
        format!(
            "the {:.0}% bootstrap interval of the accuracy change is {} to {}",
            ci.level * 100.0,
            format_pp(ci.low),
            format_pp(ci.high)
        )
    };
    let samples = if discordant == 1 { "sample" } else { "samples" };
    match (Reading::of(p, interval), interval) {
        (Reading::BothSignificant, Some(ci)) => format!(
            "Exact McNemar test: {p_text}, and {}, which excludes zero: the change in accuracy is statistically significant at the {level} level.",
            ci_text(ci)
        ),
        (Reading::BothNoise, Some(ci)) => format!(
            "Exact McNemar test: {p_text}, and {}, which includes zero: the change in accuracy is not statistically significant at the {level} level (it may be noise).",
            ci_text(ci)
        ),
        (Reading::OnlyBootstrap, Some(ci)) => format!(
            "The two figures disagree because they measure different things: the exact McNemar test ({p_text}) looks only at the {discordant} {samples} on which exactly one model is right and finds too few to rule out chance, while {} and excludes zero, resampling the whole test set, which is too optimistic with so few discordant samples; read McNemar: the change in accuracy is not statistically significant at the {level} level (it may be noise).",
            ci_text(ci)
        ),
        (Reading::OnlyMcNemar, Some(ci)) => format!(
            "The two figures disagree because they measure different things: the exact McNemar test ({p_text}) looks only at the {discordant} {samples} on which exactly one model is right and finds them significant at the {level} level, while {} and includes zero, resampling the whole test set; read McNemar, the exact test for two models on one test set: the change in accuracy is statistically significant, though its size is uncertain.",
            ci_text(ci)
        ),
        (reading, _) => {
            if reading.significant() {
                format!(
                    "Exact McNemar test: {p_text}, the change in accuracy is statistically significant at the {level} level."
                )
            } else {
                format!(
                    "Exact McNemar test: {p_text}, the change in accuracy is not statistically significant at the {level} level (it may be noise)."
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(low: f64, high: f64) -> Option<Interval> {
        Some(Interval {
            low,
            high,
            level: 0.95,
        })
    }

    fn say(p: f64, interval: Option<Interval>, discordant: u64) -> String {
        sentence(
            p,
            interval,
            discordant,
            |p| format!("{p:.3}"),
            |d| format!("{:+.2} pp", d * 100.0),
        )
    }

    #[test]
    fn readings_follow_the_level_and_the_interval() {
        assert_eq!(
            Reading::of(0.01, ci(-0.03, -0.01)),
            Reading::BothSignificant
        );
        assert_eq!(Reading::of(0.5, ci(-0.01, 0.01)), Reading::BothNoise);
        assert_eq!(
            Reading::of(0.125, ci(-0.02, -0.0025)),
            Reading::OnlyBootstrap
        );
        assert_eq!(Reading::of(0.04, ci(-0.02, 0.0)), Reading::OnlyMcNemar);
        assert_eq!(
            Reading::of(ALPHA, None),
            Reading::McNemarAlone { significant: false }
        );
        assert!(Reading::of(0.049, None).significant());
        assert!(!Reading::OnlyBootstrap.significant());
    }

    #[test]
    fn the_issue_18_disagreement_is_explained_in_one_sentence() {
        // Issue 18: "McNemar p = 0.125, may be noise" beside an interval of -2.00 to -0.25 pp.
        let s = say(0.125, ci(-0.02, -0.0025), 5);
        assert!(s.starts_with("The two figures disagree because"), "{s}");
        assert!(s.contains("-2.00 pp to -0.25 pp and excludes zero"), "{s}");
        assert!(s.contains("McNemar test (p = 0.125) looks only at the 5 samples on which exactly one model is right"), "{s}");
        assert!(s.contains("resampling the whole test set"), "{s}");
        assert!(s.contains("read McNemar: the change in accuracy is not statistically significant at the 5% level"), "{s}");
        assert_eq!(s.matches(". ").count(), 0, "one sentence: {s}");
        assert!(s.ends_with("(it may be noise)."), "{s}");
    }

    #[test]
    fn agreeing_tests_need_no_explanation() {
        let s = say(0.001, ci(-0.05, -0.02), 40);
        assert!(
            s.contains("which excludes zero: the change in accuracy is statistically significant"),
            "{s}"
        );
        assert!(!s.contains("disagree"), "{s}");
        let s = say(0.6, ci(-0.01, 0.02), 9);
        assert!(
            s.contains("includes zero") && s.contains("may be noise"),
            "{s}"
        );
        let s = say(0.02, None, 12);
        assert!(
            s.contains("p = 0.020, the change in accuracy is statistically significant"),
            "{s}"
        );
        let s = say(0.03, ci(-0.01, 0.0), 1);
        assert!(
            s.contains("the 1 sample on which") && s.contains("read McNemar, the exact test"),
            "{s}"
        );
        assert_eq!(s.matches(". ").count(), 0, "one sentence: {s}");
    }
}
