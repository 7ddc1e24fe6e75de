//! The one HTTP retry policy of every modelci client (code hosts, OCI registries, baseline
//! downloads, webhooks): what can clear up is tried again with jittered exponential backoff,
//! at least as long as the server's `Retry-After` asks, within a number of attempts and a time
//! budget, so a CI job never hangs on a broken server (issue 13).
//!
//! Which failures can clear up is the client's call (a 5xx, 429 or a dropped connection
//! usually can, a 404 cannot); this module only decides how long to wait and when to stop.
//! [`Attempts`] tracks one loop; [`retry_after`] reads the header.

use std::time::{Duration, Instant};

/// How long and how often to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1 is always made).
    pub max_attempts: u32,
    /// Total time budget for one operation, waits included.
    pub max_elapsed: Duration,
    /// First backoff delay.
    pub initial_delay: Duration,
    /// Longest backoff delay (a server's `Retry-After` may ask for more).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Up to 10 attempts within 60 s, waits from 1 s to 16 s.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(16),
        }
    }
}

impl RetryPolicy {
    /// No retries at all: one attempt.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            max_elapsed: Duration::ZERO,
            initial_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// `attempts` in all, the first wait `first` (then doubling, up to 8 × `first`), within a
    /// budget of 60 s or what the backoff alone needs, whichever is longer.
    #[must_use]
    pub fn attempts(attempts: u32, first: Duration) -> Self {
        let max_delay = first.saturating_mul(8);
        let backoff: Duration = (0..attempts.saturating_sub(1))
            .map(|n| first.saturating_mul(1 << n.min(3)))
            .sum();
        Self {
            max_attempts: attempts.max(1),
            max_elapsed: backoff.max(Duration::from_secs(60)),
            initial_delay: first,
            max_delay,
        }
    }

    /// The wait before retry number `retry` (0-based): exponential, with jitter in `[d/2, d]`,
    /// and at least what the server asked for.
    #[must_use]
    pub fn delay(&self, retry: u32, asked: Option<Duration>) -> Duration {
        let exp = self
            .initial_delay
            .saturating_mul(1u32 << retry.min(16))
            .min(self.max_delay);
        let half = exp / 2;
        let backoff = half + half.mul_f64(fastrand::f64());
        asked.map_or(backoff, |a| a.max(backoff))
    }
}

/// One retry loop: counts attempts and keeps the clock.
#[derive(Debug)]
pub struct Attempts<'a> {
    policy: &'a RetryPolicy,
    start: Instant,
    made: u32,
}

impl<'a> Attempts<'a> {
    /// Starts the clock before the first attempt.
    #[must_use]
    pub fn new(policy: &'a RetryPolicy) -> Self {
        Self {
            policy,
            start: Instant::now(),
            made: 0,
        }
    }

    /// After a failed attempt that can clear up: sleeps and returns `true` when another attempt
    /// fits in the policy (attempts and time budget), or returns `false` at once to give up.
    /// `asked` is the server's `Retry-After`, if any.
    pub fn wait(&mut self, asked: Option<Duration>) -> bool {
        self.made += 1;
        if self.made >= self.policy.max_attempts.max(1) {
            return false;
        }
        let wait = self.policy.delay(self.made - 1, asked);
        if self.start.elapsed() + wait > self.policy.max_elapsed {
            return false;
        }
        std::thread::sleep(wait);
        true
    }

    /// After a failed attempt that cannot clear up: counts it (for [`Attempts::made`]).
    pub fn fail(&mut self) {
        self.made += 1;
    }

    /// Attempts made so far.
    #[must_use]
    pub fn made(&self) -> u32 {
        self.made
    }

    /// Time since the loop started.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A `Retry-After` header value in seconds (the form servers use for 429 and 503); an HTTP
/// date or garbage gives `None`, and the backoff applies.
#[must_use]
pub fn retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_and_honours_the_server() {
        let p = RetryPolicy {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
            initial_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        assert!(p.delay(0, None) <= Duration::from_millis(100));
        assert!(p.delay(0, None) >= Duration::from_millis(50));
        assert!(p.delay(10, None) <= Duration::from_secs(1));
        assert!(p.delay(10, None) >= Duration::from_millis(500));
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn stops_after_the_attempts() {
        let p = RetryPolicy::attempts(3, Duration::ZERO);
        let mut a = Attempts::new(&p);
        assert!(a.wait(None));
        assert!(a.wait(None));
        assert!(!a.wait(None), "the third failure is the last attempt");
        assert_eq!(a.made(), 3);
        let none = RetryPolicy::none();
        let mut once = Attempts::new(&none);
        assert!(!once.wait(None));
    }

    #[test]
    fn stops_when_the_wait_would_pass_the_budget() {
        let p = RetryPolicy {
            max_attempts: 100,
            max_elapsed: Duration::from_millis(50),
            initial_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(20),
        };
        let mut a = Attempts::new(&p);
        let mut n = 0;
        while a.wait(None) {
            n += 1;
        }
        assert!(n >= 2, "{n} retries");
        assert!(a.elapsed() <= Duration::from_millis(50) + Duration::from_millis(20));
        // A server asking for more than the budget ends the loop at once, without sleeping.
        let mut b = Attempts::new(&p);
        assert!(!b.wait(Some(Duration::from_secs(3600))));
    }

    #[test]
    fn attempts_budget_fits_the_backoff() {
        let p = RetryPolicy::attempts(4, Duration::from_millis(500));
        assert_eq!(p.max_attempts, 4);
        assert_eq!(p.max_delay, Duration::from_secs(4));
        assert_eq!(p.max_elapsed, Duration::from_secs(60));
        assert_eq!(RetryPolicy::attempts(0, Duration::ZERO).max_attempts, 1);
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
