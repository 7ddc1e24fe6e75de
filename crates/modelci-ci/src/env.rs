//! A snapshot of environment variables that detection reads from.
//!
//! Detection is a pure function of an [`Env`], so tests build one from a literal list and never
//! touch (or race on) the process environment. Only [`Env::from_process`] reads the real one.

use std::collections::BTreeMap;
use std::fmt;

/// An immutable map of environment variable names to values.
///
/// [`Env::get`] treats an empty value as unset: CI systems often export a variable with an empty
/// value (GitLab's `CI_MERGE_REQUEST_SOURCE_BRANCH_SHA` outside merged results pipelines), and
/// for us that means the same as "not there".
///
/// `Debug` prints the names only, never the values, because the map holds tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// An empty environment (a local run with no CI variables).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies the current process environment. Variables whose name or value is not valid
    /// UTF-8 are skipped: none of the variables we read can legitimately be such.
    #[must_use]
    pub fn from_process() -> Self {
        std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect()
    }

    /// The value of `name`, or `None` when it is unset or empty.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether `name` is set to `true` (case-insensitive), the way CI systems flag themselves.
    #[must_use]
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// Sets `name` to `value`, returning the environment (handy for building test cases).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Removes `name`, returning the environment.
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.vars.remove(name);
        self
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Env {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            vars: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl From<BTreeMap<String, String>> for Env {
    fn from(vars: BTreeMap<String, String>) -> Self {
        Self { vars }
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let env = Env::from_iter([("A", ""), ("B", "x")]);
        assert_eq!(env.get("A"), None);
        assert_eq!(env.get("B"), Some("x"));
        assert_eq!(env.get("C"), None);
    }

    #[test]
    fn is_true_ignores_case_and_rejects_other_values() {
        let env = Env::new()
            .with("A", "True")
            .with("B", "1")
            .with("C", "false");
        assert!(env.is_true("A"));
        assert!(!env.is_true("B"));
        assert!(!env.is_true("C"));
        assert!(!env.is_true("D"));
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::new().with("GITHUB_TOKEN", "ghp_supersecret");
        let shown = format!("{env:?}");
        assert!(shown.contains("GITHUB_TOKEN"));
        assert!(!shown.contains("supersecret"));
    }

    #[test]
    fn without_removes() {
        let env = Env::new().with("A", "1").without("A");
        assert_eq!(env.get("A"), None);
    }
}
