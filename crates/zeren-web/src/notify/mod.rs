//! 通知: the signed-in person's in-app inbox — reminders of due-soon and overdue work and notices
//! of what waits for them, put there by the server's notices job. Only the recipient reads it:
//! there is no administrator's page or API over other people's messages. Also a unit's group
//! robots (钉钉, 企业微信, 飞书), set up by its administrators, which take its daily digest.

mod inbox;
pub mod messages;
mod robots;

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
        .route(
            "/units/{id}/robots",
            get(robots::page).post(robots::create_form),
        )
        .route("/units/{id}/robots/{robot}", post(robots::update_form))
        .route("/units/{id}/robots/{robot}/test", post(robots::test_form))
        .route(
            "/units/{id}/robots/{robot}/digest",
            post(robots::digest_form),
        )
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/notifications", inbox::list_json)
        .post("/notifications/{id}/read", inbox::read_json)
        .get("/units/{id}/robots", robots::list_json)
        .post("/units/{id}/robots/{robot}/test", robots::test_json)
}

fn robot_param() -> serde_json::Value {
    json!({ "name": "robot", "in": "path", "required": true, "schema": s::int() })
}

pub fn doc() -> ApiDoc {
    ApiDoc::new()
        .path("/notifications", "get", op("My in-app messages, newest first (at most 200), and how many are unread; an account linked to no person has none", vec![], None, (200, json_body("OK", r("Inbox"))), &[]))
        .path("/notifications/{id}/read", "post", op("Mark one of my messages read (another person's message is not found)", vec![id_param()], None, (200, json_body("OK", r("InboxMessage"))), &[]))
        .path("/units/{id}/robots", "get", op("The unit's group robots (administer at the unit); their addresses and secrets are never shown, only a hint", vec![id_param()], None, (200, json_body("OK", list("Robot"))), &[]))
        .path("/units/{id}/robots/{robot}/test", "post", op("Send a test message to one of the unit's robots now (administer at the unit) and say which setting a refusal names", vec![id_param(), robot_param()], None, (200, json_body("OK", r("RobotTest"))), &[]))
        .schema("Robot", object(&["id", "unit_id", "platform", "name", "webhook_hint", "keyword", "digest", "digest_at", "mention", "active", "from_config", "created_at", "updated_at"], json!({ "id": s::int(), "unit_id": s::int(), "platform": { "type": "string", "enum": ["dingtalk", "wecom", "feishu"] }, "name": s::string(), "webhook_hint": { "type": "string", "description": "the webhook's host and the token's last characters" }, "keyword": s::string(), "digest": s::boolean(), "digest_at": { "type": "string", "description": "HH:MM, China time" }, "mention": s::boolean(), "active": s::boolean(), "from_config": { "type": "boolean", "description": "declared in zeren.toml, changed only there" }, "created_at": s::time(), "updated_at": s::time() })))
        .schema("RobotTest", object(&["accepted", "code", "words", "setting", "advice"], json!({ "accepted": s::boolean(), "code": { "type": "string", "description": "the platform's code; empty when no answer came" }, "words": s::string(), "setting": { "type": "string", "enum": ["", "webhook", "secret", "keyword", "ip_allow_list", "rate_limit", "other"], "description": "the setting the platform's refusal names" }, "advice": s::string() })))
        .schema("Inbox", object(&["unread", "messages"], json!({ "unread": s::int(), "messages": list("InboxMessage") })))
        .schema("InboxMessage", object(&["id", "person_id", "delivery_id", "subject", "body", "link", "urgent", "created_at", "read_at"], json!({ "id": s::int(), "person_id": s::int(), "delivery_id": { "type": "integer", "format": "int64", "description": "its line in the delivery ledger" }, "subject": s::string(), "body": s::string(), "link": { "type": "string", "description": "the page it is about, as a path" }, "urgent": s::boolean(), "created_at": s::time(), "read_at": { "type": ["string", "null"], "format": "date-time" } })))
}
