//! The OpenAPI 3.1 document of `/api/v1`, assembled from each feature's part (`doc()` beside its
//! `api()` routes). A test holds the document to the router: every routed (method, path) is
//! documented and nothing else is; the HTTP tests check every answer against its schema.

use axum::Json;
use serde_json::{json, Value};

use crate::shared::apidoc::{json_body, object, s, ApiDoc};

/// Every feature's part of the document.
fn parts() -> ApiDoc {
    ApiDoc::new()
        .path(
            "/openapi.json",
            "get",
            json!({ "summary": "This document", "security": [], "parameters": [], "responses": { "200": json_body("the document", s::any_object()) } }),
        )
        .schema(
            "Error",
            object(
                &["error", "message"],
                json!({ "error": { "type": "string", "description": "a code: unauthenticated, forbidden, not_found, csrf, invalid, conflict, too_large (the body is over the upload limit, named in the message), locked, setup, internal" }, "message": s::string() }),
            ),
        )
        .merge(crate::accounts::doc())
        .merge(crate::org::doc())
        .merge(crate::audit::doc())
        .merge(crate::jobs::doc())
        .merge(crate::ledger::doc())
        .merge(crate::oversight::doc())
        .merge(crate::assessment::doc())
        .merge(crate::accountability::doc())
        .merge(crate::notify::doc())
        .merge(crate::reviews::doc())
        .merge(crate::incidents::doc())
}

pub fn spec() -> Value {
    let parts = parts();
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Zeren 责任制 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Authenticate with `Authorization: Bearer <token>` (create tokens on the 我的 page). Permissions are granted per unit and cover its subtree."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": parts.paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": parts.schemas
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// Every route of the API router is in the document with its method, and nothing else.
    #[test]
    fn document_matches_the_router() {
        let routed: BTreeSet<(String, String)> = crate::api_router()
            .routes()
            .iter()
            .map(|(m, p)| (m.to_string(), p.to_string()))
            .collect();
        let spec = super::spec();
        let mut documented = BTreeSet::new();
        for (path, ops) in spec["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                documented.insert((method.clone(), path.clone()));
            }
        }
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && unrouted.is_empty(),
            "routed but not documented: {undocumented:?}; documented but not routed: {unrouted:?}"
        );
    }

    /// Every `$ref` points at a schema the document defines.
    #[test]
    fn references_resolve() {
        let spec = super::spec();
        let text = spec.to_string();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(
                spec["components"]["schemas"].get(name).is_some(),
                "unresolved $ref {name}"
            );
        }
    }
}
