//! The generic webhook: one JSON document per deployment, schema
//! `https://modelci.dev/schemas/deploy-notify/webhook/v1` (the JSON Schema is
//! `schema/webhook-v1.json` in this crate). Additive changes keep version 1; anything else is a
//! new version with a new `$schema`.

use serde_json::{Value, json};

use crate::summary::Summary;

/// The `$schema` of every document sent.
pub const SCHEMA: &str = "https://modelci.dev/schemas/deploy-notify/webhook/v1";

/// The document for `s`.
#[must_use]
pub fn payload(s: &Summary) -> Value {
    let metrics: serde_json::Map<String, Value> = s
        .metrics
        .iter()
        .map(|m| (m.name.clone(), json!(m.value)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "schema_version": 1,
        "event": "deployment",
        "tool": { "name": "deploy-notify", "version": env!("CARGO_PKG_VERSION") },
        "model": { "name": s.model, "version": s.version },
        "environment": s.environment,
        "status": s.status.name(),
        "ref": s.git_ref,
        "commit": s.commit,
        "repository": s.repository,
        "links": {
            "environment": s.links.environment,
            "run": s.links.run,
            "release": s.links.release,
        },
        "deployment": s.deployment.as_ref().map(|d| json!({ "host": d.host, "id": d.id })),
        "smoke_check": s.smoke,
        "metrics": metrics,
    })
}
