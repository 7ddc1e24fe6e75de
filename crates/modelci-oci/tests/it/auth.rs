//! Basic auth against the real registry's htpasswd, and the Bearer token flow through a proxy.

use modelci_oci::{Client, Credentials, OciError, Reference};

use crate::harness::{PASSWORD, Proxy, ProxyOptions, Registry, USER, entries, sample_request};

fn basic(password: &str) -> Credentials {
    Credentials::Basic {
        username: USER.to_owned(),
        password: password.to_owned(),
    }
}

fn reference(text: &str) -> Reference {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn basic_auth_push_and_pull_with_htpasswd_registry() {
    let Some(registry) = Registry::start_with_basic_auth() else {
        return;
    };
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let req = sample_request(work.path());
    let target = reference(&format!("{}/secure/digits:1.0.0", registry.addr()));

    let client = Client::new(basic(PASSWORD));
    let pushed = client.push(&target, &req).unwrap_or_else(|e| panic!("{e}"));
    let files = client
        .pull_to_dir(&target, &work.path().join("out"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.len(), 2);
    assert_eq!(pushed.layers.len(), 2);

    let wrong =
        Client::new(basic("not-the-password-42")).with_retry_delay(std::time::Duration::ZERO);
    let err = wrong
        .push(&target, &req)
        .err()
        .unwrap_or_else(|| panic!("wrong password accepted"));
    assert!(
        matches!(err, OciError::CredentialsRefused { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!("registry {} refused the credentials", registry.addr())
    );
    assert!(!format!("{err:?}").contains("not-the-password-42"));

    let err = Client::new(Credentials::Anonymous)
        .tag_exists(&target)
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some(format!("registry {} requires credentials: set MODELCI_OCI_USERNAME and MODELCI_OCI_PASSWORD, or MODELCI_OCI_TOKEN", registry.addr()).as_str())
    );
}

#[test]
fn bearer_challenge_fetches_a_token_and_succeeds() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    let token = "tok-7f3a9c-secret";
    let proxy = Proxy::start(
        registry.addr(),
        ProxyOptions {
            bearer_token: Some(token.to_owned()),
            ..ProxyOptions::default()
        },
    );
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let req = sample_request(work.path());
    let target = reference(&format!("oci://{}/models/digits:2.0.0", proxy.addr));

    let client = Client::new(basic(PASSWORD));
    let pushed = client.push(&target, &req).unwrap_or_else(|e| panic!("{e}"));
    let out = work.path().join("out");
    client
        .pull_to_dir(&target, &out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(entries(&out), ["candidate.onnx", "manifest.json"]);

    let seen = proxy.seen();
    // First request: Basic, challenged; then exactly one token fetch; then Bearer everywhere.
    assert_eq!(seen[0].status, 401);
    assert!(
        seen[0]
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    );
    let token_calls: Vec<_> = seen
        .iter()
        .filter(|s| s.url.starts_with("/token"))
        .collect();
    assert_eq!(token_calls.len(), 1, "token cached: {seen:#?}");
    assert!(
        token_calls[0]
            .url
            .contains("scope=repository%3Aany%3Apull%2Cpush"),
        "{}",
        token_calls[0].url
    );
    assert_eq!(token_calls[0].status, 200);
    let after_token: Vec<_> = seen
        .iter()
        .skip_while(|s| !s.url.starts_with("/token"))
        .skip(1)
        .collect();
    assert!(after_token.len() >= 6, "{after_token:#?}");
    for s in &after_token {
        assert_eq!(
            s.authorization.as_deref(),
            Some(format!("Bearer {token}").as_str()),
            "{s:?}"
        );
        assert!(s.status != 401 && s.status != 403, "{s:?}");
    }
    assert!(
        after_token
            .iter()
            .any(|s| s.method == "PUT" && s.url.contains("/manifests/2.0.0"))
    );
    assert_eq!(pushed.uploaded, 3);

    // A ready token given as credentials works without the token service.
    let direct = Client::new(Credentials::Bearer(token.to_owned()));
    assert!(direct.tag_exists(&target).unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn bearer_flow_errors_are_clear_and_never_leak_secrets() {
    let Some(registry) = Registry::start_with_relative_urls() else {
        return;
    };
    let token = "tok-never-printed-91";
    let proxy = Proxy::start(
        registry.addr(),
        ProxyOptions {
            bearer_token: Some(token.to_owned()),
            ..ProxyOptions::default()
        },
    );
    let target = reference(&format!("{}/models/digits:2.0.0", proxy.addr));
    let refused = format!("registry {} refused the credentials", proxy.addr);

    // Wrong password: the token service says 401.
    let err = Client::new(basic("wrong-pass-55"))
        .tag_exists(&target)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert!(
        matches!(err, OciError::CredentialsRefused { .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), refused);

    // A wrong ready token: refused, and neither token appears anywhere.
    let err = Client::new(Credentials::Bearer("tok-wrong-77".into()))
        .tag_exists(&target)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(err.to_string(), refused);
    let shown = format!("{err} {err:?}");
    for secret in [token, "tok-wrong-77", "wrong-pass-55", PASSWORD] {
        assert!(!shown.contains(secret), "{shown}");
    }

    // No credentials: the token service refuses anonymous tokens.
    let err = Client::new(Credentials::Anonymous)
        .tag_exists(&target)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.starts_with(&format!("registry {} requires credentials", proxy.addr)),
        "{err}"
    );
}
