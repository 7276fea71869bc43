//! The JSON API's router and its OpenAPI document, kept together: [`ApiRouter`] remembers every
//! route it is given, and each feature documents its own routes with the helpers here, so a test
//! can hold the document to the router (`crate::openapi`).

use axum::handler::Handler;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

use super::state::AppState;

/// A router under `/api/v1` that knows which (method, path) pairs it routes.
#[derive(Default)]
pub struct ApiRouter {
    router: Router<AppState>,
    routes: Vec<(&'static str, &'static str)>,
}

impl ApiRouter {
    pub fn new() -> ApiRouter {
        ApiRouter::default()
    }

    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> ApiRouter
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.routes.push(("get", path));
        self.router = self.router.route(path, get(handler));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> ApiRouter
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.routes.push(("post", path));
        self.router = self.router.route(path, post(handler));
        self
    }

    pub fn merge(mut self, other: ApiRouter) -> ApiRouter {
        self.routes.extend(other.routes);
        self.router = self.router.merge(other.router);
        self
    }

    /// Every (method, path) routed, in the order given.
    #[cfg(test)]
    pub fn routes(&self) -> &[(&'static str, &'static str)] {
        &self.routes
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// A feature's part of the document: its paths and the schemas they refer to.
#[derive(Default)]
pub struct ApiDoc {
    pub paths: Map<String, Value>,
    pub schemas: Map<String, Value>,
}

impl ApiDoc {
    pub fn new() -> ApiDoc {
        ApiDoc::default()
    }

    /// Documents `method` on `path` (the operation object, see [`op`]).
    pub fn path(mut self, path: &str, method: &str, mut operation: Value) -> ApiDoc {
        // An expensive read may be refused while the account runs too many (`super::limits`).
        if method == "get" && super::limits::expensive(path) {
            if let Some(r) = operation["responses"].as_object_mut() {
                r.entry("429").or_insert_with(|| {
                    error_response(
                        "the account has too many exports and statistics running at once; retry after the seconds in Retry-After",
                    )
                });
            }
        }
        let entry = self
            .paths
            .entry(path.to_string())
            .or_insert_with(|| json!({}));
        entry[method] = operation;
        self
    }

    pub fn schema(mut self, name: &str, schema: Value) -> ApiDoc {
        self.schemas.insert(name.to_string(), schema);
        self
    }

    pub fn merge(mut self, other: ApiDoc) -> ApiDoc {
        for (p, ops) in other.paths {
            let entry = self.paths.entry(p).or_insert_with(|| json!({}));
            if let (Some(e), Value::Object(o)) = (entry.as_object_mut(), ops) {
                e.extend(o);
            }
        }
        self.schemas.extend(other.schemas);
        self
    }
}

/// `?unit=` — the unit whose subtree the answer covers.
pub fn unit_param() -> Value {
    json!({ "name": "unit", "in": "query", "required": true, "description": "unit id; the answer covers its subtree", "schema": { "type": "integer", "format": "int64" } })
}

pub fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

pub fn query(name: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "schema": schema })
}

/// `limit`: the rows of a page of a list (1 to 1,000), `default` when not given.
pub fn limit_param(default: i64) -> Value {
    json!({ "name": "limit", "in": "query", "description": "rows per page", "schema": { "type": "integer", "minimum": 1, "maximum": 1000, "default": default } })
}

/// A cursor parameter of a list: the page after (or before) the row it names, as the
/// previous answer's `Link` header gives it.
pub fn cursor_param(name: &str, what: &str) -> Value {
    json!({ "name": name, "in": "query", "description": format!("cursor: {what}, as the `Link` header of the previous page gives it"), "schema": { "type": "integer", "format": "int64" } })
}

/// The answer of a page of a list: `body`, and the `Link` header naming the next page when
/// more rows follow (`example`: such a header).
pub fn paged(mut body: Value, example: &str) -> Value {
    body["headers"] = json!({ "Link": { "description": format!("the next page, when more rows follow (the page is full): `{example}`; the last page has none"), "schema": { "type": "string" } } });
    body
}

/// `$ref` to a schema of the document.
pub fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

pub fn list(name: &str) -> Value {
    json!({ "type": "array", "items": r(name) })
}

/// An object schema: every property listed, those named in `required` always present, nothing
/// else allowed (so an answer that grows a field the document lacks fails the tests).
pub fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties, "additionalProperties": false })
}

/// A JSON answer with `schema`.
pub fn json_body(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": schema } } })
}

/// A file answer of `media` type.
pub fn file_body(description: &str, media: &str) -> Value {
    json!({ "description": description, "content": { media: {} } })
}

fn error_response(description: &str) -> Value {
    json_body(description, r("Error"))
}

/// An operation: a summary, parameters, an optional JSON request body, its success status and
/// answer, and the error statuses it may give beyond those every operation may give (401, 403,
/// 404, 422 and 503; 413 with a body).
pub fn op(
    summary: &str,
    params: Vec<Value>,
    body: Option<Value>,
    success: (u16, Value),
    errors: &[u16],
) -> Value {
    let mut responses = Map::new();
    responses.insert(success.0.to_string(), success.1);
    let mut all: Vec<u16> = vec![401, 403, 404, 422, 503];
    if body.is_some() {
        all.push(413);
    }
    all.extend(errors);
    for code in all {
        let text = match code {
            401 => "no valid session or token",
            403 => "the grant does not cover this unit, or the duty does not allow it",
            404 => "no such object",
            409 => "the object changed since the caller read it, or another request came first",
            413 => "the request is larger than the upload limit",
            422 => "invalid input; the message says what is expected",
            429 => "too many attempts",
            503 => "first-run setup is not done yet",
            _ => "error",
        };
        responses.insert(code.to_string(), error_response(text));
    }
    let mut o = json!({ "summary": summary, "parameters": params, "responses": responses });
    if let Some(b) = body {
        o["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": b } } });
    }
    o
}

/// Schema shorthands for the documents.
pub mod s {
    use serde_json::{json, Value};

    pub fn int() -> Value {
        json!({ "type": "integer", "format": "int64" })
    }
    pub fn int_or_null() -> Value {
        json!({ "type": ["integer", "null"], "format": "int64" })
    }
    pub fn string() -> Value {
        json!({ "type": "string" })
    }
    pub fn string_or_null() -> Value {
        json!({ "type": ["string", "null"] })
    }
    pub fn boolean() -> Value {
        json!({ "type": "boolean" })
    }
    pub fn date() -> Value {
        json!({ "type": "string", "format": "date" })
    }
    pub fn date_or_null() -> Value {
        json!({ "type": ["string", "null"], "format": "date" })
    }
    pub fn time() -> Value {
        json!({ "type": "string", "format": "date-time" })
    }
    pub fn one_of(words: &[&str]) -> Value {
        json!({ "type": "string", "enum": words })
    }
    pub fn array(items: Value) -> Value {
        json!({ "type": "array", "items": items })
    }
    /// An object whose keys are not fixed (e.g. free details).
    pub fn any_object() -> Value {
        json!({ "type": "object" })
    }
}
