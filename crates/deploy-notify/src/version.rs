//! Semantic versions (<https://semver.org>, 2.0.0), checked without a dependency.

/// Checks that `text` is a semantic version: `MAJOR.MINOR.PATCH`, numbers without leading
/// zeros, optionally `-PRERELEASE` (dot-separated identifiers) and `+BUILD`.
///
/// # Errors
/// A message saying what is wrong.
pub fn check(text: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("`{text}` is not a semantic version (X.Y.Z): {why}"));
    let (rest, build) = match text.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (text, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 {
        return fail("expected three numbers separated by dots");
    }
    for p in &parts {
        if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
            return fail("each of X, Y and Z must be a number");
        }
        if p.len() > 1 && p.starts_with('0') {
            return fail("numbers must not have leading zeros");
        }
        if p.parse::<u64>().is_err() {
            return fail("number too large");
        }
    }
    let ident_ok =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if let Some(pre) = pre {
        for id in pre.split('.') {
            if !ident_ok(id) {
                return fail("bad pre-release identifier");
            }
            if id.chars().all(|c| c.is_ascii_digit()) && id.len() > 1 && id.starts_with('0') {
                return fail("numeric pre-release identifiers must not have leading zeros");
            }
        }
    }
    if let Some(build) = build
        && !build.split('.').all(ident_ok)
    {
        return fail("bad build metadata");
    }
    Ok(())
}

/// Whether a pre-release (`1.0.0-rc.1`).
#[must_use]
pub fn is_prerelease(text: &str) -> bool {
    text.split('+')
        .next()
        .is_some_and(|core| core.contains('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_semver() {
        for ok in [
            "0.0.0",
            "1.2.3",
            "10.20.30",
            "1.0.0-rc.1",
            "1.0.0-alpha-a.b-c",
            "1.0.0+build.5",
            "1.0.0-0.3.7+exp.sha.5114f85",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        assert!(is_prerelease("1.0.0-rc.1"));
        assert!(!is_prerelease("1.0.0+b-1"));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "1", "1.2", "v1.2.3", "1.2.3.4", "01.2.3", "1.2.x", "1.2.3-", "1.2.3-01", "1.2.3+", "",
            "1..3", "latest",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let msg = check("v1.2").err().unwrap_or_default();
        assert!(msg.contains("`v1.2` is not a semantic version"), "{msg}");
    }
}
