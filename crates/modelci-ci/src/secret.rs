//! A string that must never reach a log.
//!
//! Tokens travel through structs that are printed with `{:?}` in error paths and debug logs. Wrapping
//! them in [`Secret`] makes the safe thing the default: formatting prints `***`, and reading the
//! value takes an explicit, greppable [`Secret::expose`].

use std::fmt;

/// A credential whose `Debug` and `Display` both print `***`.
///
/// There is deliberately no `Serialize`, `PartialEq` or `Deref`: the only way to the value is
/// [`Secret::expose`].
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for an `Authorization` header and nothing else.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("glpat-abc123");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s:#?}"), "***");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(***)");
        assert_eq!(s.expose(), "glpat-abc123");
    }
}
