//! Checks requests against GitHub's own OpenAPI description.
//!
//! The fake must reject what GitHub would reject, so instead of hand-written rules it reads
//! `fixtures/openapi-subset.json` (GitHub's official description, cut to the operations modelci
//! uses) and checks the path, the method, the parameters and the JSON body of every request
//! against the matching operation. The schema checker covers the OpenAPI 3.0 keywords that the
//! subset uses (`$ref`, `type`, `nullable`, `properties`, `required`, `items`, `enum`,
//! `oneOf`/`anyOf`/`allOf`, length and range limits); formats are not checked.

use serde_json::Value;

/// The OpenAPI document, embedded so tests never depend on the working directory.
const SPEC_TEXT: &str = include_str!("../fixtures/openapi-subset.json");

/// An operation of the description that matched a request.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId`, e.g. `issues/create-comment`.
    pub id: String,
    /// Path parameters, by name, as they appeared in the request path.
    pub path_params: Vec<(String, String)>,
    /// The resolved operation object.
    op: Value,
}

impl Operation {
    /// The operation's documentation page (`externalDocs.url`), which GitHub links in errors.
    pub fn docs_url(&self) -> Option<&str> {
        self.op.pointer("/externalDocs/url").and_then(Value::as_str)
    }
}

/// Why a request does not fit the description.
#[derive(Debug, Clone)]
pub enum Mismatch {
    /// No path template matches the request path (GitHub answers 404).
    NoPath,
    /// The path exists but not with this method (GitHub answers 404).
    NoMethod,
}

/// A candidate match: literal segment count, template, path item, path parameters.
type Candidate<'a> = (usize, &'a String, &'a Value, Vec<(String, String)>);

/// The parsed OpenAPI document.
#[derive(Debug)]
pub struct Spec {
    doc: Value,
}

impl Spec {
    /// Parses the embedded description.
    pub fn load() -> Result<Self, String> {
        let doc: Value = serde_json::from_str(SPEC_TEXT)
            .map_err(|e| format!("embedded openapi-subset.json does not parse: {e}"))?;
        Ok(Self { doc })
    }

    /// Follows `$ref` pointers (`#/components/...`) until a concrete object is reached.
    pub fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                    Some(target) => v = target,
                    None => return &Value::Null,
                },
                None => return v,
            }
        }
        v
    }

    /// The `value` of a named example in `components/examples`.
    pub fn example(&self, name: &str) -> Option<Value> {
        self.doc
            .pointer(&format!("/components/examples/{name}/value"))
            .cloned()
    }

    /// Finds the operation for `method` and `path` (without query string or API prefix).
    pub fn find(&self, method: &str, path: &str) -> Result<Operation, Mismatch> {
        let paths = self
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or(Mismatch::NoPath)?;
        let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut best: Option<Candidate<'_>> = None;
        for (template, item) in paths {
            let tsegs: Vec<&str> = template.split('/').collect();
            // GitHub marks parameters that hold slashes (`{path}` of the contents API, `{ref}`
            // of git refs) with `x-multi-segment`; such a last parameter takes the rest.
            let multi = tsegs
                .last()
                .and_then(|t| t.strip_prefix('{').and_then(|t| t.strip_suffix('}')))
                .is_some_and(|name| self.multi_segment(item, name));
            let segs: Vec<String> = if multi && segs.len() > tsegs.len() {
                let (head, tail) = segs.split_at(tsegs.len() - 1);
                head.iter()
                    .map(|s| (*s).to_owned())
                    .chain([tail.join("/")])
                    .collect()
            } else {
                segs.iter().map(|s| (*s).to_owned()).collect()
            };
            if tsegs.len() != segs.len() {
                continue;
            }
            let mut params = Vec::new();
            let mut literal = 0;
            let ok = tsegs.iter().zip(&segs).all(|(t, s)| {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    params.push((name.to_owned(), s.clone()));
                    !s.is_empty()
                } else {
                    literal += 1;
                    t == s
                }
            });
            // Prefer the template with the most literal segments (`issues/comments/{id}` over
            // `issues/{number}/comments`).
            if ok && best.as_ref().is_none_or(|b| literal > b.0) {
                best = Some((literal, template, item, params));
            }
        }
        let (_, _, item, path_params) = best.ok_or(Mismatch::NoPath)?;
        let op = item
            .get(method.to_ascii_lowercase())
            .ok_or(Mismatch::NoMethod)?;
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        Ok(Operation {
            id,
            path_params,
            op: op.clone(),
        })
    }

    /// Whether some operation of path item `item` marks path parameter `name` as
    /// `x-multi-segment` (its value may contain `/`).
    fn multi_segment(&self, item: &Value, name: &str) -> bool {
        item.as_object().is_some_and(|ops| {
            ops.values()
                .filter_map(|op| op.get("parameters").and_then(Value::as_array))
                .flatten()
                .map(|p| self.resolve(p))
                .any(|p| {
                    p.get("name").and_then(Value::as_str) == Some(name)
                        && p.get("x-multi-segment").and_then(Value::as_bool) == Some(true)
                })
        })
    }

    /// Checks path and query parameters and the JSON body against the operation.
    pub fn check_request(
        &self,
        op: &Operation,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<(), String> {
        let params = op
            .op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for p in &params {
            let p = self.resolve(p);
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            let place = p.get("in").and_then(Value::as_str).unwrap_or_default();
            let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = p
                .get("schema")
                .map(|s| self.resolve(s))
                .unwrap_or(&Value::Null);
            let value = match place {
                "path" => op
                    .path_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str()),
                "query" => query
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str()),
                _ => continue,
            };
            match value {
                None if required => {
                    return Err(format!("missing required {place} parameter `{name}`"));
                }
                None => {}
                Some(v) => check_scalar(schema, v)
                    .map_err(|e| format!("{place} parameter `{name}`: {e}"))?,
            }
        }
        if let Some(rb) = op.op.get("requestBody") {
            let rb = self.resolve(rb);
            let required = rb.get("required").and_then(Value::as_bool).unwrap_or(false);
            let schema = rb.pointer("/content/application~1json/schema");
            match (body.filter(|b| !b.is_empty()), schema) {
                (None, _) if required => return Err("request body is required".into()),
                (Some(bytes), Some(schema)) => {
                    let v: Value = serde_json::from_slice(bytes)
                        .map_err(|e| format!("body is not valid JSON: {e}"))?;
                    self.check_value(schema, &v, "body")?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Checks a response the fake is about to send, so the fake cannot drift from GitHub.
    pub fn check_response(&self, op: &Operation, status: u16, body: &Value) -> Result<(), String> {
        let Some(resp) = op
            .op
            .get("responses")
            .and_then(|r| r.get(status.to_string()))
        else {
            return Err(format!("status {status} is not documented for `{}`", op.id));
        };
        match self
            .resolve(resp)
            .pointer("/content/application~1json/schema")
        {
            Some(schema) => self.check_value(schema, body, "response"),
            None => Ok(()),
        }
    }

    /// Validates `v` against an OpenAPI 3.0 schema object.
    pub fn check_value(&self, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
        let schema = self.resolve(schema);
        if v.is_null() {
            let nullable = schema
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let typed = schema.get("type").is_some();
            if nullable || !typed {
                return Ok(());
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check_value(s, v, at)?;
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(any) = schema.get(key).and_then(Value::as_array)
                && !any.iter().any(|s| self.check_value(s, v, at).is_ok())
            {
                return Err(format!("{at}: matches none of the `{key}` alternatives"));
            }
        }
        if let Some(t) = schema.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                return Err(format!("{at}: expected {t}, got {}", kind(v)));
            }
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array)
            && !options.contains(v)
        {
            return Err(format!(
                "{at}: {v} is not one of {}",
                Value::Array(options.clone())
            ));
        }
        if let Some(s) = v.as_str() {
            let n = s.chars().count() as u64;
            if schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n > m)
            {
                return Err(format!("{at}: longer than maxLength"));
            }
            if schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
            {
                return Err(format!("{at}: shorter than minLength"));
            }
        }
        if let Some(obj) = v.as_object() {
            if let Some(req) = schema.get("required").and_then(Value::as_array) {
                for name in req.iter().filter_map(Value::as_str) {
                    if !obj.contains_key(name) {
                        return Err(format!("{at}: missing required property `{name}`"));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => self.check_value(s, val, &format!("{at}.{k}"))?,
                    None => {
                        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
                            return Err(format!("{at}: unexpected property `{k}`"));
                        }
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                self.check_value(items, item, &format!("{at}[{i}]"))?;
            }
        }
        Ok(())
    }
}

/// Checks a path or query parameter (always a string on the wire) against its schema.
fn check_scalar(schema: &Value, raw: &str) -> Result<(), String> {
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => raw
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| format!("`{raw}` is not an integer")),
        Some("number") => raw
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| format!("`{raw}` is not a number")),
        Some("boolean") if raw != "true" && raw != "false" => {
            Err(format!("`{raw}` is not a boolean"))
        }
        _ => Ok(()),
    }
}

/// A short name of a JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn finds_comment_operations() {
        let spec = Spec::load().unwrap();
        let op = spec.find("PATCH", "/repos/o/r/issues/comments/5").unwrap();
        assert_eq!(op.id, "issues/update-comment");
        let op = spec.find("POST", "/repos/o/r/issues/7/comments").unwrap();
        assert_eq!(op.id, "issues/create-comment");
        assert!(matches!(spec.find("GET", "/nope"), Err(Mismatch::NoPath)));
        assert!(matches!(
            spec.find("PUT", "/repos/o/r/issues/7/comments"),
            Err(Mismatch::NoMethod)
        ));
    }

    #[test]
    fn multi_segment_parameters_take_the_rest_of_the_path() {
        let spec = Spec::load().unwrap();
        let op = spec.find("PUT", "/repos/o/r/contents/a/b/c.png").unwrap();
        assert_eq!(op.id, "repos/create-or-update-file-contents");
        assert!(
            op.path_params
                .contains(&("path".into(), "a/b/c.png".into()))
        );
        let op = spec.find("GET", "/repos/o/r/git/ref/heads/x/y").unwrap();
        assert_eq!(op.id, "git/get-ref");
        assert!(op.path_params.contains(&("ref".into(), "heads/x/y".into())));
        // Other parameters still take one segment.
        assert!(spec.find("GET", "/repos/o/r/pulls/1/2").is_err());
    }

    #[test]
    fn rejects_missing_body_and_bad_types() {
        let spec = Spec::load().unwrap();
        let op = spec.find("POST", "/repos/o/r/issues/7/comments").unwrap();
        assert!(
            spec.check_request(&op, &[], Some(br#"{"body":"hi"}"#))
                .is_ok()
        );
        assert!(spec.check_request(&op, &[], Some(b"{}")).is_err());
        assert!(
            spec.check_request(&op, &[], Some(br#"{"body":5}"#))
                .is_err()
        );
        assert!(spec.check_request(&op, &[], None).is_err());
        let op = spec.find("GET", "/repos/o/r/issues/x/comments").unwrap();
        assert!(spec.check_request(&op, &[], None).is_err());
        let op = spec.find("GET", "/repos/o/r/issues/7/comments").unwrap();
        let q = [("per_page".to_owned(), "abc".to_owned())];
        assert!(spec.check_request(&op, &q, None).is_err());
    }
}
