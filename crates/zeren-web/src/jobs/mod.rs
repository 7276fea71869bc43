//! 后台任务: the system administrator's view of the background jobs — how many are waiting,
//! running, done and failed for good (dead letters) — and the retry of a dead one once what made
//! it fail is fixed (a mail server's setting, say). Only the system administrator sees it.

mod dead;
pub mod messages;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(dead::page))
        .route("/jobs/{id}/retry", post(dead::retry_form))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/jobs", dead::list_json)
        .post("/jobs/{id}/retry", dead::retry_json)
}

pub fn doc() -> ApiDoc {
    ApiDoc::new()
        .path("/jobs", "get", op("Background jobs (system administrator only): the counts by state and the dead letters, newest first (at most 200)", vec![], None, (200, json_body("OK", r("Jobs"))), &[]))
        .path("/jobs/{id}/retry", "post", op("Put a dead job back in the queue, its attempts counted afresh (system administrator only); 404 when it is not dead", vec![id_param()], None, (200, json_body("OK", r("Job"))), &[]))
        .schema("Jobs", object(&["counts", "dead"], json!({ "counts": object(&["queued", "running", "done", "dead"], json!({ "queued": s::int(), "running": s::int(), "done": s::int(), "dead": s::int() })), "dead": list("Job") })))
        .schema("Job", object(&["id", "kind", "payload", "queue", "dedupe_key", "state", "run_at", "attempts", "max_attempts", "claims", "claimed_by", "lease_until", "last_error", "created_at", "finished_at"], json!({ "id": s::int(), "kind": s::string(), "payload": { "type": "string", "description": "what the job works on, as JSON" }, "queue": s::string_or_null(), "dedupe_key": s::string_or_null(), "state": s::one_of(&["queued", "running", "done", "dead"]), "run_at": s::time(), "attempts": s::int(), "max_attempts": s::int(), "claims": s::int(), "claimed_by": s::string_or_null(), "lease_until": { "type": ["string", "null"], "format": "date-time" }, "last_error": s::string(), "created_at": s::time(), "finished_at": { "type": ["string", "null"], "format": "date-time" } })))
}
