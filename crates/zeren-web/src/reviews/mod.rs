//! Reviews and approvals (先审后发): publications, events and major decisions through the policy's
//! steps, with the scanner on every version, risk assessments, 转交, publication, the registration
//! form, and the channel registry (阵地) — as pages and as the JSON API.

mod api;
mod channels;
mod items;
pub mod messages;
mod pages;
mod registration;

use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use crate::shared::apidoc::{s, *};
use crate::shared::respond::DOCX;
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(pages::list))
        .route("/reviews/waiting", get(pages::waiting_badge))
        .route("/reviews/{id}", get(pages::page))
        .route("/reviews/{id}/decide", post(pages::decide))
        .route("/reviews/{id}/versions", post(pages::new_version_form))
        .route("/reviews/{id}/withdraw", post(pages::withdraw))
        .route("/reviews/{id}/publish", post(pages::publish))
        .route("/reviews/{id}/correct", post(pages::correct))
        .route("/reviews/{id}/declassify", post(pages::declassify))
        .route("/reviews/{id}/reassign", post(pages::reassign))
        .route("/reviews/{id}/risk", post(pages::risk_form))
        .route(
            "/reviews/{id}/files/{version}/{position}",
            get(pages::download),
        )
        .route(
            "/reviews/{id}/registration.docx",
            get(registration::registration_docx),
        )
        .route("/units/{id}/reviews/new", get(pages::new_form))
        .route("/units/{id}/reviews", post(pages::create_form))
        .route(
            "/units/{id}/channels",
            get(channels::page).post(channels::create_form),
        )
        .route("/channels/{id}/status", post(channels::status_form))
        .route("/channels/{id}/edit", post(channels::edit_form))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/channels", channels::list_json)
        .post("/channels", channels::create_json)
        .post("/channels/{id}", channels::edit_json)
        .post("/channels/{id}/status", channels::status_json)
        .get("/reviews", api::list_json)
        .post("/reviews", api::create_json)
        .get("/reviews/{id}", api::json)
        .post("/reviews/{id}/versions", api::add_version_json)
        .post("/reviews/{id}/decisions", api::decide_json)
        .post("/reviews/{id}/withdraw", api::withdraw_json)
        .post("/reviews/{id}/publish", api::publish_json)
        .post("/reviews/{id}/publication-corrections", api::correct_json)
        .post("/reviews/{id}/declassifications", api::declassify_json)
        .post("/reviews/{id}/risk-assessments", api::add_risk_json)
        .get(
            "/reviews/{id}/registration.docx",
            registration::registration_docx,
        )
}

const STAGES: &[&str] = &[
    "draft",
    "in_review",
    "returned",
    "approved",
    "rejected",
    "withdrawn",
    "published",
];

fn event_schema() -> Value {
    let person = s::int();
    json!({ "oneOf": [
        object(&["event", "by", "version", "hash"], json!({ "event": s::one_of(&["submitted"]), "by": person, "version": s::int(), "hash": s::string() })),
        object(&["event", "step", "by", "hash", "checklist", "lawful_basis", "manual_check", "comment", "completes_step"], json!({ "event": s::one_of(&["approved"]), "step": s::int(), "by": person, "hash": s::string(), "checklist": s::array(s::boolean()), "lawful_basis": s::string_or_null(), "manual_check": s::string_or_null(), "comment": s::string(), "completes_step": s::boolean() })),
        object(&["event", "by", "hash", "decision", "document_no"], json!({ "event": s::one_of(&["marking_cleared"]), "by": person, "hash": s::string(), "decision": s::one_of(&["declassified", "not_classified"]), "document_no": s::string() })),
        object(&["event", "step", "by", "hash", "comment"], json!({ "event": s::one_of(&["returned", "rejected"]), "step": s::int(), "by": person, "hash": s::string(), "comment": s::string() })),
        object(&["event", "by"], json!({ "event": s::one_of(&["withdrawn"]), "by": person })),
        object(&["event", "step", "by", "to", "reason"], json!({ "event": s::one_of(&["reassigned"]), "step": s::int(), "by": { "type": ["integer", "null"], "description": "null: a system administrator without a person record" }, "to": person, "reason": s::string() })),
        object(&["event", "by", "url", "published_at"], json!({ "event": s::one_of(&["published"]), "by": person, "url": s::string(), "published_at": { "type": ["string", "null"], "description": "China time, 2026-12-10T14:30:00" } })),
        object(&["event", "by", "url", "published_at", "reason"], json!({ "event": s::one_of(&["publication_corrected"]), "by": person, "url": s::string(), "published_at": { "type": "string", "description": "China time" }, "reason": s::string() }))
    ] })
}

pub fn doc() -> ApiDoc {
    let files = s::array(r("FileUpload"));
    let decision = object(
        &["decision", "hash"],
        json!({ "decision": s::one_of(&["approve", "return", "reject"]), "hash": { "type": "string", "description": "hash of the version decided on" }, "checklist": s::array(s::boolean()), "lawful_basis": s::string(), "manual_check": { "type": "string", "description": "what was checked by hand in files the scanner could not read (required then)" }, "comment": s::string(), "seen": { "type": "integer", "description": "the item's `seen` when the caller looked" } }),
    );
    let risk = object(
        &["consultations", "risk_level", "contingency"],
        json!({ "consultations": s::array(object(&["kind", "date", "summary"], json!({ "kind": { "type": "string", "examples": ["论证会", "座谈会", "公开征求意见"] }, "date": s::date(), "summary": s::string() }))), "risk_level": s::one_of(&["low", "medium", "high"]), "contingency": s::string() }),
    );
    let channel_body = object(
        &["unit_id", "kind", "name", "locator"],
        json!({ "unit_id": s::int(), "kind": { "type": "string", "examples": ["website", "wechat_official", "led_screen"] }, "name": s::string(), "locator": { "type": "string", "description": "identifier, URL or place" }, "responsible_person_id": s::int_or_null(), "filed_on": s::date_or_null() }),
    );
    let version_properties = json!({ "title": s::string(), "body": s::string(), "details": { "type": "object", "description": "events: speakers, starts_at, place, audience" }, "attachments": files, "version": { "type": "integer", "description": "new versions: the version edited (409 if no longer current)" } });
    let mut item_properties = version_properties.clone();
    for (k, v) in [
        ("unit_id", s::int()),
        (
            "workflow",
            json!({ "type": "string", "description": "a workflow id of the policy in force" }),
        ),
        ("channel_id", s::int_or_null()),
        ("major", s::boolean()),
    ] {
        item_properties[k] = v;
    }
    ApiDoc::new()
        .path("/channels", "get", op("Channels (阵地) registered at a unit", vec![unit_param()], None, (200, json_body("OK", list("Channel"))), &[]))
        .path("/channels", "post", op("Register a channel (edit at the unit; a kind the policy lists)", vec![], Some(channel_body), (201, json_body("created", r("Channel"))), &[409]))
        .path("/channels/{id}", "post", op("Edit a channel (an administrator of its unit or its responsible person), with the reason; its history keeps what changed", vec![id_param()], Some(object(&["name", "locator", "reason"], json!({ "name": s::string(), "locator": s::string(), "responsible_person_id": s::int_or_null(), "filed_on": s::date_or_null(), "reason": s::string() }))), (200, json_body("OK", r("Channel"))), &[]))
        .path("/channels/{id}/status", "post", op("Suspend, close or reopen a channel (an administrator of its unit or its responsible person), with the reason", vec![id_param()], Some(object(&["status", "reason"], json!({ "status": s::one_of(&["active", "suspended", "closed"]), "reason": s::string() }))), (200, json_body("OK", r("Channel"))), &[]))
        .path("/reviews", "get", op("Review items of a unit's subtree, or the caller's lists of 我的工作: steps to decide (`waiting=me`), items returned to them (`waiting=returned`), steps nobody holds that they may 转交 (`waiting=reassignment`)", vec![
            { let mut p = query("unit", s::int()); p["description"] = json!("unit id; the answer covers its subtree (required unless waiting is given)"); p },
            query("waiting", s::one_of(&["me", "returned", "reassignment"])),
            query("kind", s::one_of(&["publication", "event", "decision"])),
            query("stage", s::one_of(STAGES)),
            query("from", s::date()),
            query("to", s::date()),
        ], None, (200, json_body("OK", list("ReviewItem"))), &[]))
        .path("/reviews", "post", op("Submit an item for review (edit at the unit; the account must be linked to a person). Scanned on submit.", vec![], Some(object(&["unit_id", "workflow", "title"], item_properties)), (201, json_body("created", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}", "get", op("An item with its state, who it waits for, versions with scan findings, trail and risk assessments", vec![id_param()], None, (200, json_body("OK", r("ReviewItemDetail"))), &[]))
        .path("/reviews/{id}/versions", "post", op("A new version by the submitter; scanned; the review starts again at step 1 (一事一审). `version` is the one edited (409 if no longer current)", vec![id_param()], Some(object(&["title"], version_properties)), (201, json_body("created", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/decisions", "post", op("Decide the current step: approve (every checklist item true; a lawful basis when the scan found personal data; a `manual_check` naming what was checked when a file could not be read; for a secrecy marking, a confirmed declassification first — no lawful basis clears one; a risk assessment first for decisions), return or reject (comment required). Refused: self-approval, not an approver, stale hash. 409 when another decision came first.", vec![id_param()], Some(decision), (201, json_body("created", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/withdraw", "post", op("Withdraw (the submitter, before the first decision of the round)", vec![id_param()], None, (200, json_body("OK", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/publish", "post", op("Mark an approved publication as published (the submitter): an http(s) URL and the time it went online (China time)", vec![id_param()], Some(object(&["url", "published_at"], json!({ "url": s::string(), "published_at": { "type": "string", "examples": ["2026-12-10T14:30"] } }))), (200, json_body("OK", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/publication-corrections", "post", op("Correct a published item's URL or time (the submitter or an administrator), with the reason; the trail keeps both", vec![id_param()], Some(object(&["url", "published_at", "reason"], json!({ "url": s::string(), "published_at": { "type": "string", "examples": ["2026-12-10T14:30"] }, "reason": s::string() }))), (201, json_body("created", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/declassifications", "post", op("Confirm the 解密/定密 decision that clears the secrecy markings of the current version (a holder of the role the workflow names in `declassified_by`), with its document number. Nothing else clears a marking.", vec![id_param()], Some(object(&["hash", "decision", "document_no"], json!({ "hash": s::string(), "decision": s::one_of(&["declassified", "not_classified"]), "document_no": s::string(), "seen": s::int() }))), (201, json_body("created", r("ReviewItemDetail"))), &[409]))
        .path("/reviews/{id}/risk-assessments", "post", op("Record a risk assessment (submitter or editor): consultations held, risk level, contingency plan", vec![id_param()], Some(risk), (201, json_body("created", r("RiskAssessment"))), &[]))
        .path("/reviews/{id}/registration.docx", "get", op("The item's registration form (《上网信息审核登记表》) with its whole trail, as DOCX", vec![id_param()], None, (200, file_body("the document", DOCX)), &[]))
        .schema("Channel", object(&["id", "unit_id", "kind", "name", "locator", "responsible_person_id", "filed_on", "status", "created_at"], json!({ "id": s::int(), "unit_id": s::int(), "kind": s::string(), "name": s::string(), "locator": s::string(), "responsible_person_id": s::int_or_null(), "filed_on": s::date_or_null(), "status": s::one_of(&["active", "suspended", "closed"]), "created_at": s::time() })))
        .schema("ReviewItem", object(&["id", "unit_id", "installed_policy_id", "workflow_id", "kind", "channel_id", "major", "submitter_person_id", "title", "current_version", "stage", "created_by", "created_at", "updated_at"], json!({ "id": s::int(), "unit_id": s::int(), "installed_policy_id": s::int(), "workflow_id": s::string(), "kind": s::one_of(&["publication", "event", "decision"]), "channel_id": s::int_or_null(), "major": s::boolean(), "submitter_person_id": s::int(), "title": s::string(), "current_version": s::int(), "stage": s::one_of(STAGES), "created_by": s::int_or_null(), "created_at": s::time(), "updated_at": s::time() })))
        .schema("ReviewItemDetail", object(&["item", "stage", "stage_zh", "step", "waiting_for", "checklist", "seen", "versions", "events", "risk_assessments"], json!({
            "item": r("ReviewItem"),
            "stage": s::one_of(STAGES),
            "stage_zh": s::string(),
            "step": s::int_or_null(),
            "waiting_for": { "oneOf": [
                { "type": "null" },
                object(&["kind", "unit", "people"], json!({ "kind": s::one_of(&["holders"]), "unit": s::int(), "people": s::array(s::int()) })),
                object(&["kind"], json!({ "kind": s::one_of(&["administrator"]) })),
                object(&["kind", "person"], json!({ "kind": s::one_of(&["reassigned"]), "person": s::int() }))
            ] },
            "checklist": s::array(s::string()),
            "seen": { "type": "integer", "description": "events so far; send it back with a decision" },
            "versions": s::array(object(&["id", "item_id", "version", "title", "body", "details", "hash", "findings", "blocking", "created_by", "created_by_name", "created_at", "attachments"], json!({
                "id": s::int(), "item_id": s::int(), "version": s::int(), "title": s::string(), "body": s::string(), "details": s::any_object(), "hash": s::string(),
                "findings": list("ScanFinding"), "blocking": s::int(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time(),
                "attachments": s::array(object(&["version_id", "position", "file_name", "sha256", "size", "media_type"], json!({ "version_id": s::int(), "position": s::int(), "file_name": s::string(), "sha256": s::string(), "size": s::int(), "media_type": s::string() })))
            }))),
            "events": s::array(object(&["seq", "event", "by_account", "by_name", "at"], json!({ "seq": s::int(), "event": event_schema(), "by_account": s::int_or_null(), "by_name": s::string(), "at": s::time() }))),
            "risk_assessments": list("RiskAssessment")
        })))
        .schema("ScanFinding", object(&["file", "kind", "kind_zh", "confidence", "location", "masked", "context", "blocks", "code"], json!({ "file": s::string_or_null(), "kind": { "type": "string", "description": "cn_resident_id, cn_mobile, bank_card, cn_passport, secrecy_marking, custom_term, or unreadable (a file the scanner could not read: approval needs a manual check)" }, "kind_zh": s::string(), "confidence": s::string(), "location": s::string(), "masked": { "type": "string", "description": "the suggested replacement, masked; empty for a secrecy marking (it has none)" }, "context": { "type": "string", "description": "the line around it with every identifier masked" }, "blocks": s::boolean(), "code": { "type": ["string", "null"], "description": "why a file is unreadable: empty, corrupt, encrypted, image, no_text_layer, unsupported_format, unknown_binary, over_limit" } })))
        .schema("RiskAssessment", object(&["id", "item_id", "consultations", "risk_level", "contingency", "created_by", "created_by_name", "created_at"], json!({ "id": s::int(), "item_id": s::int(), "consultations": s::array(object(&["kind", "date", "summary"], json!({ "kind": s::string(), "date": s::date(), "summary": s::string() }))), "risk_level": s::one_of(&["low", "medium", "high"]), "contingency": s::string(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time() })))
}
