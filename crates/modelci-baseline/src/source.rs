//! `--baseline SOURCE`: where the model to beat lives, parsed from one string.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::BaselineError;

/// Which release of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The newest non-draft, non-prerelease release that carries a bundle.
    Latest,
    /// The release of this tag.
    Tag(String),
}

/// A baseline source.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A local ONNX file, a bundle zip, or a folder `publish --to dir:` wrote (its bundle's
    /// model).
    Path(PathBuf),
    /// The modelci bundle of a GitHub release: `github-release:latest` or `github-release:TAG`.
    GitHubRelease(Pick),
    /// The modelci bundle of a GitLab release: `gitlab-release:latest` or
    /// `gitlab-release:TAG` (the release's asset links point at generic package files).
    GitLabRelease(Pick),
    /// A GitLab generic package: `gitlab-package:NAME@VERSION`.
    GitLabPackage {
        /// Package (bundle) name.
        name: String,
        /// Package version.
        version: String,
    },
    /// An OCI artifact pushed by `publish`: `oci://HOST/REPO:TAG`.
    Oci(String),
    /// A file committed to this repository: `git:REF:PATH`.
    Git {
        /// Commit, branch or tag.
        reference: String,
        /// Path inside the repository (from its root, or `./x` from the current folder).
        path: String,
    },
    /// Inside a pull/merge request: the latest bundle built from the target branch, else the
    /// candidate's path on the target branch.
    Auto,
}

/// Schemes this parser knows, for the error message.
const SCHEMES: &str = "a path, github-release:latest|TAG, gitlab-release:latest|TAG, gitlab-package:NAME@VERSION, oci://HOST/REPO:TAG, git:REF:PATH or auto";

impl FromStr for Source {
    type Err = BaselineError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |m: String| BaselineError::input(text, m);
        if text.trim().is_empty() {
            return Err(bad(format!("empty; expected {SCHEMES}")));
        }
        if text == "auto" {
            return Ok(Self::Auto);
        }
        if text.starts_with("oci://") {
            return match text.parse::<modelci_oci::Reference>() {
                Ok(r) if r.tag.is_some() || r.digest.is_some() => Ok(Self::Oci(text.to_owned())),
                Ok(_) => Err(bad(
                    "an OCI baseline needs a tag: oci://HOST/REPO:TAG".into()
                )),
                Err(e) => Err(bad(e.to_string())),
            };
        }
        for (scheme, make) in [
            ("github-release", Self::GitHubRelease as fn(Pick) -> Self),
            ("gitlab-release", Self::GitLabRelease),
        ] {
            if let Some(rest) = text.strip_prefix(scheme).and_then(|r| r.strip_prefix(':')) {
                return match rest {
                    "" => Err(bad(format!("expected {scheme}:latest or {scheme}:TAG"))),
                    "latest" => Ok(make(Pick::Latest)),
                    tag if tag.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                        Err(bad(format!("`{}` is not a tag", tag.escape_debug())))
                    }
                    tag => Ok(make(Pick::Tag(tag.to_owned()))),
                };
            }
        }
        if let Some(rest) = text.strip_prefix("gitlab-package:") {
            let ok = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
            };
            return match rest.split_once('@') {
                Some((name, version)) if ok(name) && ok(version) => Ok(Self::GitLabPackage {
                    name: name.to_owned(),
                    version: version.to_owned(),
                }),
                _ => Err(bad("expected gitlab-package:NAME@VERSION".into())),
            };
        }
        if let Some(rest) = text.strip_prefix("git:") {
            return match rest.split_once(':') {
                Some((r, p)) if !r.is_empty() && !p.is_empty() && !r.starts_with('-') => {
                    Ok(Self::Git {
                        reference: r.to_owned(),
                        path: p.to_owned(),
                    })
                }
                _ => Err(bad(
                    "expected git:REF:PATH, e.g. git:main:models/prod.onnx".into()
                )),
            };
        }
        if let Some((scheme, _)) = text.split_once(':')
            && scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
        {
            return Err(bad(format!(
                "unknown baseline scheme `{scheme}:`; expected {SCHEMES}"
            )));
        }
        Ok(Self::Path(PathBuf::from(text)))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(p) => write!(f, "{}", p.display()),
            Self::GitHubRelease(Pick::Latest) => f.write_str("github-release:latest"),
            Self::GitHubRelease(Pick::Tag(t)) => write!(f, "github-release:{t}"),
            Self::GitLabRelease(Pick::Latest) => f.write_str("gitlab-release:latest"),
            Self::GitLabRelease(Pick::Tag(t)) => write!(f, "gitlab-release:{t}"),
            Self::GitLabPackage { name, version } => write!(f, "gitlab-package:{name}@{version}"),
            Self::Oci(r) => f.write_str(r),
            Self::Git { reference, path } => write!(f, "git:{reference}:{path}"),
            Self::Auto => f.write_str("auto"),
        }
    }
}

impl Source {
    /// Short name of the kind of source, for reports (`path`, `github-release`, …).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Path(_) => "path",
            Self::GitHubRelease(_) => "github-release",
            Self::GitLabRelease(_) => "gitlab-release",
            Self::GitLabPackage { .. } => "gitlab-package",
            Self::Oci(_) => "oci",
            Self::Git { .. } => "git",
            Self::Auto => "auto",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_scheme() {
        let p = |s: &str| s.parse::<Source>();
        assert_eq!(p("m.onnx").ok(), Some(Source::Path("m.onnx".into())));
        assert_eq!(
            p("github-release:latest").ok(),
            Some(Source::GitHubRelease(Pick::Latest))
        );
        assert_eq!(
            p("github-release:v1.2.0").ok(),
            Some(Source::GitHubRelease(Pick::Tag("v1.2.0".into())))
        );
        assert_eq!(
            p("gitlab-release:latest").ok(),
            Some(Source::GitLabRelease(Pick::Latest))
        );
        assert_eq!(
            p("gitlab-release:v1.2.0").ok(),
            Some(Source::GitLabRelease(Pick::Tag("v1.2.0".into())))
        );
        assert_eq!(
            p("gitlab-package:digits@1.0.0").ok(),
            Some(Source::GitLabPackage {
                name: "digits".into(),
                version: "1.0.0".into()
            })
        );
        assert_eq!(
            p("git:main:models/a.onnx").ok(),
            Some(Source::Git {
                reference: "main".into(),
                path: "models/a.onnx".into()
            })
        );
        assert_eq!(p("auto").ok(), Some(Source::Auto));
        assert!(matches!(
            p("oci://127.0.0.1:5000/team/digits:1.0.0"),
            Ok(Source::Oci(_))
        ));
        for s in [
            "github-release:latest",
            "git:main:a.onnx",
            "gitlab-package:a@1",
            "gitlab-release:latest",
            "gitlab-release:v2",
        ] {
            assert_eq!(p(s).map(|x| x.to_string()).ok().as_deref(), Some(s));
        }
    }

    #[test]
    fn refuses_bad_sources() {
        for (text, needle) in [
            ("s3://bucket/m.onnx", "unknown baseline scheme `s3:`"),
            ("github-release:", "github-release:latest"),
            ("gitlab-release:", "gitlab-release:latest"),
            ("gitlab-package:digits", "NAME@VERSION"),
            ("git:main", "git:REF:PATH"),
            ("oci://127.0.0.1:5000/team/digits", "needs a tag"),
            ("", "empty"),
        ] {
            let e = text.parse::<Source>().err().map(|e| e.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(needle)),
                "{text}: {e:?}"
            );
        }
    }
}
