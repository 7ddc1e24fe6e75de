//! Which shard of a sharded evaluation a job is (eval-diff `--shard K/N`): from the flag, or
//! from the CI system's parallel jobs (GitLab's `parallel: N` sets `CI_NODE_INDEX` and
//! `CI_NODE_TOTAL`; a GitHub Actions matrix sets `MODELCI_SHARD`).

use std::fmt;
use std::str::FromStr;

use crate::{Env, EnvVars};

/// Shard `index` of `total` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1 to `total`.
    pub index: u32,
    /// How many shards there are.
    pub total: u32,
}

/// A shard that does not read as `K/N` with `1 <= K <= N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{source_name}: `{value}` is not a shard: expected K/N with 1 <= K <= N (e.g. 2/4), or `off`"
)]
pub struct ShardError {
    /// Where the text came from: a flag or an environment variable.
    pub source_name: String,
    /// The text.
    pub value: String,
}

/// Upper bound on the number of shards.
pub const MAX_SHARDS: u32 = 10_000;

impl Shard {
    /// Reads `K/N`; `off` (or an empty text) is `None`.
    ///
    /// # Errors
    /// [`ShardError`] naming `source_name` when the text is neither.
    pub fn parse(text: &str, source_name: &str) -> Result<Option<Self>, ShardError> {
        let text = text.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let error = || ShardError {
            source_name: source_name.to_owned(),
            value: text.to_owned(),
        };
        let (k, n) = text.split_once('/').ok_or_else(error)?;
        let index: u32 = k.trim().parse().map_err(|_| error())?;
        let total: u32 = n.trim().parse().map_err(|_| error())?;
        if index == 0 || index > total || total > MAX_SHARDS {
            return Err(error());
        }
        Ok(Some(Self { index, total }))
    }

    /// The shard of this job from the environment: `MODELCI_SHARD` (any CI), else on GitLab
    /// `CI_NODE_INDEX`/`CI_NODE_TOTAL` (set by `parallel: N`). `None` outside a sharded job.
    ///
    /// # Errors
    /// [`ShardError`] naming the variable when its value is not a shard.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ShardError> {
        if let Some(text) = env.get(EnvVars::MODELCI_SHARD) {
            return Self::parse(text, EnvVars::MODELCI_SHARD);
        }
        if !env.is_true(EnvVars::GITLAB_CI) {
            return Ok(None);
        }
        let (Some(index), Some(total)) = (
            env.get(EnvVars::CI_NODE_INDEX),
            env.get(EnvVars::CI_NODE_TOTAL),
        ) else {
            return Ok(None);
        };
        Self::parse(&format!("{index}/{total}"), "CI_NODE_INDEX/CI_NODE_TOTAL")
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text, "--shard")?.ok_or_else(|| ShardError {
            source_name: "--shard".to_owned(),
            value: text.to_owned(),
        })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!(
            Shard::parse("2/4", "--shard").expect("valid"),
            Some(Shard { index: 2, total: 4 })
        );
        assert_eq!(Shard::parse("off", "--shard").expect("valid"), None);
        for bad in ["0/4", "5/4", "2", "a/b", "1/0", "1/10001"] {
            let e = Shard::parse(bad, "--shard").expect_err(bad);
            assert!(e.to_string().starts_with("--shard: `"), "{e}");
        }
    }

    #[test]
    fn reads_gitlab_parallel_and_the_matrix_variable() {
        let gitlab = Env::new()
            .with("GITLAB_CI", "true")
            .with("CI_NODE_INDEX", "3")
            .with("CI_NODE_TOTAL", "7");
        assert_eq!(
            Shard::from_env(&gitlab).expect("valid"),
            Some(Shard { index: 3, total: 7 })
        );
        // Outside GitLab the CI_NODE_* variables mean nothing.
        let other = Env::new()
            .with("CI_NODE_INDEX", "3")
            .with("CI_NODE_TOTAL", "7");
        assert_eq!(Shard::from_env(&other).expect("valid"), None);
        // MODELCI_SHARD wins, and `off` turns sharding off in a parallel job.
        let off = gitlab.clone().with("MODELCI_SHARD", "off");
        assert_eq!(Shard::from_env(&off).expect("valid"), None);
        let github = Env::new().with("MODELCI_SHARD", "1/2");
        assert_eq!(
            Shard::from_env(&github).expect("valid"),
            Some(Shard { index: 1, total: 2 })
        );
        let broken = gitlab.with("CI_NODE_INDEX", "9");
        let e = Shard::from_env(&broken).expect_err("9 of 7");
        assert!(
            e.to_string()
                .starts_with("CI_NODE_INDEX/CI_NODE_TOTAL: `9/7`"),
            "{e}"
        );
    }
}
