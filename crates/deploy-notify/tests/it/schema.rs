//! Checks documents against `schema/webhook-v1.json` with the subset checker of
//! `modelci_test::json_schema`.

use serde_json::Value;

use crate::harness::repo;

/// The schema file.
pub fn webhook_schema() -> Value {
    let path = repo().join("crates/deploy-notify/schema/webhook-v1.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
        .expect("schema is JSON")
}

pub use modelci_test::json_schema::validate;

#[test]
fn the_checker_catches_violations() {
    let schema = webhook_schema();
    let doc = serde_json::json!({"$schema": "wrong", "status": "maybe", "extra": 1});
    let errors = validate(&schema, &doc);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("missing required `model`")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("$.status")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unexpected property `extra`")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("$.$schema")), "{errors:?}");
}
