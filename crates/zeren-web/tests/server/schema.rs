//! Holds every `/api/v1` answer the tests receive to the OpenAPI document: the path and method
//! must be documented, the status must be one the operation lists, and a JSON body must match
//! its schema (objects list every property; none may be missing or extra). So the document
//! cannot drift from what the server says.

use serde_json::Value;

/// The document, built once.
fn spec() -> &'static Value {
    static SPEC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SPEC.get_or_init(zeren_web::openapi::spec)
}

/// Checks an answer; `path` is the request path under `/api/v1` with its query.
pub fn check(method: &str, path: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let spec = spec();
    let path = path.split('?').next().unwrap_or(path);
    let Some((template, ops)) = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(t, _)| matches(t, path))
    else {
        // Unknown paths are refused by the router, as they should be.
        return if status == 404 {
            Ok(())
        } else {
            Err(format!(
                "{method} {path}: undocumented path answered {status}"
            ))
        };
    };
    let Some(op) = ops.get(method.to_ascii_lowercase()) else {
        return if status == 405 {
            Ok(())
        } else {
            Err(format!(
                "{method} {template}: undocumented method answered {status}"
            ))
        };
    };
    let Some(response) = op["responses"].get(status.to_string()) else {
        return Err(format!(
            "{method} {template}: status {status} is not documented (body: {})",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    };
    if let Some(schema) = response["content"]["application/json"].get("schema") {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{method} {template} {status}: not JSON ({e})"))?;
        validate(spec, schema, &value, "$")
            .map_err(|e| format!("{method} {template} {status}: {e}"))?;
    }
    Ok(())
}

fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

fn type_ok(ty: &str, v: &Value) -> bool {
    match ty {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

/// JSON Schema, the parts the document uses.
pub fn validate(spec: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        let target = &spec["components"]["schemas"][name];
        if target.is_null() {
            return Err(format!("{at}: unresolved {r}"));
        }
        return validate(spec, target, v, at);
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            validate(spec, s, v, at)?;
        }
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let errors: Vec<String> = one
            .iter()
            .filter_map(|s| validate(spec, s, v, at).err())
            .collect();
        let passing = one.len() - errors.len();
        if passing != 1 {
            return Err(format!(
                "{at}: matches {passing} of the oneOf alternatives, not one ({errors:?})"
            ));
        }
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => {
            return Err(format!("{at}: expected {t}, found {v}"));
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""), v)) => {
            return Err(format!("{at}: expected one of {ts:?}, found {v}"));
        }
        _ => {}
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return Err(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    if let (Some(obj), true) = (
        v.as_object(),
        schema.get("properties").is_some() || schema.get("required").is_some(),
    ) {
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for req in schema["required"].as_array().into_iter().flatten() {
            let k = req.as_str().unwrap();
            if !obj.contains_key(k) {
                return Err(format!("{at}: required property {k} is missing"));
            }
        }
        for (k, x) in obj {
            match props.get(k) {
                Some(s) => validate(spec, s, x, &format!("{at}.{k}"))?,
                None if schema["additionalProperties"] == Value::Bool(false) => {
                    return Err(format!("{at}: property {k} is not documented"));
                }
                None => {}
            }
        }
    }
    if let Some(arr) = v.as_array() {
        if let Some(prefix) = schema.get("prefixItems").and_then(Value::as_array) {
            for (i, (s, x)) in prefix.iter().zip(arr).enumerate() {
                validate(spec, s, x, &format!("{at}[{i}]"))?;
            }
        } else if let Some(items) = schema.get("items") {
            for (i, x) in arr.iter().enumerate() {
                validate(spec, items, x, &format!("{at}[{i}]"))?;
            }
        }
    }
    Ok(())
}
