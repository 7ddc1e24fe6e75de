//! Registry credentials, from the caller or from the environment. Secrets never reach `Debug`.

use std::fmt;

/// Environment variable with the registry user name (used with [`PASSWORD_VAR`]).
pub const USERNAME_VAR: &str = "MODELCI_OCI_USERNAME";
/// Environment variable with the registry password or access token used as password.
pub const PASSWORD_VAR: &str = "MODELCI_OCI_PASSWORD";
/// Environment variable with a ready registry bearer token (used when no user name is set).
pub const TOKEN_VAR: &str = "MODELCI_OCI_TOKEN";

/// How to authenticate to a registry.
///
/// `Basic` credentials are sent to the registry directly and, when it answers with a `Bearer`
/// challenge, to its token service to obtain a token. `Bearer` is a ready registry token sent as
/// `Authorization: Bearer …`.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials; anonymous tokens are still fetched when a registry offers them.
    #[default]
    Anonymous,
    /// User name and password (or a personal access token used as password).
    Basic {
        /// The user name.
        username: String,
        /// The password; never printed.
        password: String,
    },
    /// A registry bearer token; never printed.
    Bearer(String),
}

impl Credentials {
    /// Credentials from the process environment: `MODELCI_OCI_USERNAME` + `MODELCI_OCI_PASSWORD`
    /// (Basic), else `MODELCI_OCI_TOKEN` (Bearer), else anonymous. Empty values count as unset.
    pub fn from_env() -> Credentials {
        Credentials::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`] but reading variables through `lookup` (for tests and
    /// callers that keep an environment snapshot).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Credentials {
        let get = |name| lookup(name).filter(|v: &String| !v.is_empty());
        match (get(USERNAME_VAR), get(PASSWORD_VAR), get(TOKEN_VAR)) {
            (Some(username), Some(password), _) => Credentials::Basic { username, password },
            (_, _, Some(token)) => Credentials::Bearer(token),
            _ => Credentials::Anonymous,
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"***")
                .finish(),
            Credentials::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Credentials {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Credentials::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn precedence_basic_then_token_then_anonymous() {
        let basic = env(&[(USERNAME_VAR, "u"), (PASSWORD_VAR, "p"), (TOKEN_VAR, "t")]);
        assert_eq!(
            basic,
            Credentials::Basic {
                username: "u".into(),
                password: "p".into()
            }
        );
        assert_eq!(
            env(&[(USERNAME_VAR, "u"), (TOKEN_VAR, "t")]),
            Credentials::Bearer("t".into())
        );
        assert_eq!(
            env(&[(USERNAME_VAR, "u"), (PASSWORD_VAR, "")]),
            Credentials::Anonymous
        );
        assert_eq!(env(&[]), Credentials::Anonymous);
    }

    #[test]
    fn debug_hides_secrets() {
        let basic = Credentials::Basic {
            username: "alice".into(),
            password: "hunter2".into(),
        };
        let shown = format!("{basic:?} {:?}", Credentials::Bearer("tok-123".into()));
        assert!(shown.contains("alice"), "{shown}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok-123"),
            "{shown}"
        );
    }
}
