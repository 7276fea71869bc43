//! 通知: the signed-in person's in-app inbox — reminders of due-soon and overdue work and notices
//! of what waits for them, put there by the server's notices job. Only the recipient reads it:
//! there is no administrator's page or API over other people's messages.

mod inbox;
pub mod messages;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox::page))
        .route("/notifications/count", get(inbox::count_badge))
        .route("/notifications/email", post(inbox::set_email))
        .route("/notifications/read-all", post(inbox::read_all))
        .route("/notifications/{id}/open", post(inbox::open))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/notifications", inbox::list_json)
        .post("/notifications/{id}/read", inbox::read_json)
}

pub fn doc() -> ApiDoc {
    ApiDoc::new()
        .path("/notifications", "get", op("My in-app messages, newest first (at most 200), and how many are unread; an account linked to no person has none", vec![], None, (200, json_body("OK", r("Inbox"))), &[]))
        .path("/notifications/{id}/read", "post", op("Mark one of my messages read (another person's message is not found)", vec![id_param()], None, (200, json_body("OK", r("InboxMessage"))), &[]))
        .schema("Inbox", object(&["unread", "messages"], json!({ "unread": s::int(), "messages": list("InboxMessage") })))
        .schema("InboxMessage", object(&["id", "person_id", "delivery_id", "subject", "body", "link", "urgent", "created_at", "read_at"], json!({ "id": s::int(), "person_id": s::int(), "delivery_id": { "type": "integer", "format": "int64", "description": "its line in the delivery ledger" }, "subject": s::string(), "body": s::string(), "link": { "type": "string", "description": "the page it is about, as a path" }, "urgent": s::boolean(), "created_at": s::time(), "read_at": { "type": ["string", "null"], "format": "date-time" } })))
}
