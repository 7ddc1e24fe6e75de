//! `--to` values: where a bundle goes.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// One publishing target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A GitHub Release.
    GitHub,
    /// A GitLab generic package and release.
    GitLab,
    /// An OCI registry repository, `HOST[:PORT]/REPO` (tagged with the version).
    Oci(String),
    /// A local folder.
    Dir(PathBuf),
}

impl FromStr for Target {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("--to {text}: {why}");
        match text {
            "github" => return Ok(Self::GitHub),
            "gitlab" => return Ok(Self::GitLab),
            _ => {}
        }
        if let Some(path) = text.strip_prefix("dir:") {
            return if path.is_empty() {
                Err(bad("expected dir:PATH, e.g. dir:/srv/models"))
            } else {
                Ok(Self::Dir(PathBuf::from(path)))
            };
        }
        if let Some(rest) = text.strip_prefix("oci://") {
            let (host, repo) = rest.split_once('/').unwrap_or((rest, ""));
            let repo_ok = !repo.is_empty()
                && !repo.contains([':', '@'])
                && repo.split('/').all(|part| {
                    !part.is_empty()
                        && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                        && part.chars().all(|c| {
                            c.is_ascii_lowercase()
                                || c.is_ascii_digit()
                                || matches!(c, '.' | '_' | '-')
                        })
                });
            return if host.is_empty() || !repo_ok {
                Err(bad(
                    "expected oci://HOST/REPO with a lower-case repository and no tag (the version is the tag), e.g. oci://ghcr.io/acme/digits",
                ))
            } else {
                Ok(Self::Oci(rest.to_owned()))
            };
        }
        Err(bad(
            "unknown target; expected github, gitlab, oci://HOST/REPO or dir:PATH",
        ))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::GitHub => f.write_str("github"),
            Self::GitLab => f.write_str("gitlab"),
            Self::Oci(r) => write!(f, "oci://{r}"),
            Self::Dir(p) => write!(f, "dir:{}", p.display()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!("github".parse::<Target>().unwrap(), Target::GitHub);
        assert_eq!(
            "dir:/a b".parse::<Target>().unwrap(),
            Target::Dir("/a b".into())
        );
        assert_eq!(
            "oci://localhost:5000/ml/digits".parse::<Target>().unwrap(),
            Target::Oci("localhost:5000/ml/digits".into())
        );
        for bad in [
            "s3://x",
            "dir:",
            "oci://host",
            "oci://host/Repo",
            "oci://h/r:1.0",
            "GitHub",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }
}
