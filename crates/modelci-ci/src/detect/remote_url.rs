//! Parses Git remote URLs (https, ssh, scp-like) into a host and a repository path.
//!
//! Jenkins tells us the repository only as `GIT_URL` (or the change's web URL), so this is how
//! we find both the code host and `owner/repo`. We parse by hand: the forms Git accepts are not
//! all URLs (`git@host:owner/repo.git`), and a URL crate would not help with those.

/// A Git remote split into the parts we need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Remote {
    /// Host name without port, lowercased, used to guess the forge.
    pub host: String,
    /// Web root (`https://host[:port]`) derived from the remote.
    pub web_url: String,
    /// Repository path without leading `/` or trailing `.git`, e.g. `group/sub/project`.
    pub path: String,
}

/// Parses `url`; `None` when it has no host or no path.
///
/// For `http(s)` remotes the scheme and port are kept in `web_url`; ssh, scp-like and `git://`
/// remotes map to `https://host`, since their port is the SSH (or git daemon) port.
pub(super) fn parse_remote(url: &str) -> Option<Remote> {
    let url = url.trim();
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
        None => (None, url),
    };
    let (authority, path) = match scheme.as_deref() {
        Some(_) => rest.split_once('/')?,
        // scp-like syntax: `[user@]host:path`.
        None => rest.split_once(':')?,
    };
    // Drop `user[:password]@`.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port
        .split_once(':')
        .map_or(host_port, |(h, _)| h)
        .to_ascii_lowercase();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let web_url = match scheme.as_deref() {
        Some(s @ ("http" | "https")) => format!("{s}://{}", host_port.to_ascii_lowercase()),
        Some("ssh" | "git" | "git+ssh" | "ssh+git") | None => format!("https://{host}"),
        Some(_) => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    if path.is_empty() || path.split('/').any(str::is_empty) {
        return None;
    }
    Some(Remote {
        host,
        web_url,
        path: path.to_owned(),
    })
}

/// Strips a change's suffix from its web URL: `.../pull/7` (GitHub) or `.../-/merge_requests/7`
/// (GitLab), leaving the repository URL.
pub(super) fn repo_url_from_change_url(change_url: &str) -> &str {
    for marker in ["/-/merge_requests/", "/merge_requests/", "/pull/"] {
        if let Some(i) = change_url.rfind(marker) {
            return &change_url[..i];
        }
    }
    change_url
}

/// The URL with any `user:password@` removed, safe to put in an error message.
pub(super) fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, tail) = rest.split_once('/').map_or((rest, ""), |(a, t)| (a, t));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let slash = if rest.contains('/') { "/" } else { "" };
            format!("{scheme}://{host}{slash}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(host: &str, web: &str, path: &str) -> Option<Remote> {
        Some(Remote {
            host: host.into(),
            web_url: web.into(),
            path: path.into(),
        })
    }

    #[test]
    fn https_forms() {
        let gh = remote("github.com", "https://github.com", "octo/repo");
        assert_eq!(parse_remote("https://github.com/octo/repo.git"), gh);
        assert_eq!(parse_remote("https://github.com/octo/repo"), gh);
        assert_eq!(parse_remote("https://github.com/octo/repo/"), gh);
        assert_eq!(parse_remote("https://x:tok@GitHub.com/octo/repo.git"), gh);
        assert_eq!(
            parse_remote("http://gitlab.local:8080/g/sub/p.git"),
            remote("gitlab.local", "http://gitlab.local:8080", "g/sub/p")
        );
    }

    #[test]
    fn ssh_forms() {
        let gh = remote("github.com", "https://github.com", "octo/repo");
        assert_eq!(parse_remote("git@github.com:octo/repo.git"), gh);
        assert_eq!(parse_remote("ssh://git@github.com/octo/repo.git"), gh);
        assert_eq!(parse_remote("ssh://git@github.com:22/octo/repo.git"), gh);
        assert_eq!(
            parse_remote("git@gitlab.example.com:group/sub/proj.git"),
            remote(
                "gitlab.example.com",
                "https://gitlab.example.com",
                "group/sub/proj"
            )
        );
    }

    #[test]
    fn rejects_non_remotes() {
        for bad in [
            "",
            "github.com",
            "https://github.com",
            "https://github.com/",
            "/local/path/repo.git",
            "file:///srv/repo.git",
            "https://github.com/a//b",
        ] {
            assert_eq!(parse_remote(bad), None, "{bad}");
        }
    }

    #[test]
    fn change_urls() {
        assert_eq!(
            repo_url_from_change_url("https://github.com/o/r/pull/7"),
            "https://github.com/o/r"
        );
        assert_eq!(
            repo_url_from_change_url("https://gitlab.com/g/p/-/merge_requests/7"),
            "https://gitlab.com/g/p"
        );
    }

    #[test]
    fn redact_removes_credentials() {
        assert_eq!(
            redact("https://user:secret@host/o/r.git"),
            "https://host/o/r.git"
        );
        assert_eq!(redact("https://user@host"), "https://host");
        assert_eq!(redact("git@host:o/r"), "git@host:o/r");
    }
}
