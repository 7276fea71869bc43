//! The OpenAPI 3.1 document of `/api/v1`, written by hand (no generator to compile) and kept
//! in step with the router by a test that compares their paths.

use axum::Json;
use serde_json::{json, Value};

fn unit_param() -> Value {
    json!({ "name": "unit", "in": "query", "required": true, "description": "unit id; the answer covers its subtree", "schema": { "type": "integer" } })
}

fn id_param() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn ok(schema: Value) -> Value {
    json!({ "description": "OK", "content": { "application/json": { "schema": schema } } })
}

fn errors() -> Value {
    json!({
        "401": { "description": "no valid session or token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "403": { "description": "the grant does not cover this unit, or the duty does not allow it", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "404": { "description": "no such object" },
        "422": { "description": "invalid input", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
    })
}

fn op(summary: &str, params: Vec<Value>, body: Option<Value>, response: Value) -> Value {
    let mut responses = errors();
    responses["200"] = response.clone();
    if body.is_some() {
        responses["201"] =
            json!({ "description": "created", "content": response["content"].clone() });
    }
    let mut o = json!({ "summary": summary, "parameters": params, "responses": responses });
    if let Some(b) = body {
        o["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": b } } });
    }
    o
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn list(name: &str) -> Value {
    json!({ "type": "array", "items": r(name) })
}

pub fn spec() -> Value {
    let any = json!({ "type": "object" });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Zeren 责任制 API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Authenticate with `Authorization: Bearer <token>` (create tokens on the 我的 page). Permissions are granted per unit and cover its subtree."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": {
            "/units": {
                "get": op("Units the caller can read", vec![], None, ok(list("Unit"))),
                "post": op("Create a sub-unit (administer at the parent)", vec![], Some(json!({ "type": "object", "required": ["parent_id", "name", "kind"], "properties": { "parent_id": { "type": "integer" }, "name": { "type": "string" }, "kind": { "type": "string", "examples": ["学校", "党支部", "科室"] } } })), ok(r("Unit")))
            },
            "/units/{id}": {
                "get": op("A unit with its path, children, policy in force, roles and holder warnings", vec![id_param()], None, ok(any.clone()))
            },
            "/units/{id}/roster": {
                "post": {
                    "summary": "Import a roster (花名册); the body is the XLSX or CSV file. All rows or none.",
                    "parameters": [id_param()],
                    "requestBody": { "required": true, "content": { "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } },
                    "responses": { "201": { "description": "imported" }, "422": { "description": "every bad row with its number and reason; nothing imported" }, "401": { "description": "unauthenticated" }, "403": { "description": "forbidden" } }
                }
            },
            "/people": {
                "get": op("People of a unit's subtree", vec![unit_param()], None, ok(list("Person"))),
                "post": op("Create a person (edit at the unit)", vec![], Some(r("NewPerson")), ok(r("Person")))
            },
            "/people/{id}": {
                "get": op("A person and the roles they held", vec![id_param()], None, ok(any.clone()))
            },
            "/assignments": {
                "get": op("Role assignments (current and past) in a unit's subtree", vec![unit_param()], None, ok(list("Assignment"))),
                "post": op("Assign a role of the policy in force", vec![], Some(json!({ "type": "object", "required": ["person_id", "unit_id", "role_id", "starts_on"], "properties": { "person_id": { "type": "integer" }, "unit_id": { "type": "integer" }, "role_id": { "type": "string" }, "starts_on": { "type": "string", "format": "date" } } })), ok(r("Assignment")))
            },
            "/assignments/{id}/end": {
                "post": op("End an assignment (kept as history)", vec![id_param()], Some(json!({ "type": "object", "required": ["ends_on"], "properties": { "ends_on": { "type": "string", "format": "date" } } })), ok(r("Assignment")))
            },
            "/policies": {
                "get": op("The policy in force at a unit and the versions installed there", vec![unit_param()], None, ok(any.clone())),
                "post": op("Install a bundled pack or a policy text at a unit (administer)", vec![], Some(json!({ "type": "object", "required": ["unit_id"], "properties": { "unit_id": { "type": "integer" }, "pack": { "type": "string" }, "text": { "type": "string" }, "file_name": { "type": "string" } } })), ok(any.clone()))
            },
            "/bodies": {
                "get": op("Bodies (领导小组 …) at a unit with their members", vec![unit_param()], None, ok(json!({ "type": "array", "items": any.clone() })))
            },
            "/audit": {
                "get": op("Audit log entries (audit administrator only)", vec![
                    json!({ "name": "actor", "in": "query", "schema": { "type": "integer" } }),
                    json!({ "name": "entity", "in": "query", "schema": { "type": "string" }, "description": "type or type:id, e.g. unit:3" }),
                    json!({ "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } }),
                    json!({ "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } })
                ], None, ok(list("AuditEntry")))
            },
            "/audit/verify": {
                "get": op("Walk the audit chain; names the first broken link (audit administrator only)", vec![], None, ok(any.clone()))
            },
            "/obligations": {
                "get": op("Obligations (待办) of a unit, or of its subtree, with their status", vec![
                    unit_param(),
                    json!({ "name": "subtree", "in": "query", "schema": { "type": "boolean" }, "description": "include every unit below" }),
                    json!({ "name": "person", "in": "query", "schema": { "type": "integer" } }),
                    json!({ "name": "duty", "in": "query", "schema": { "type": "string" } }),
                    json!({ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["upcoming", "due_soon", "overdue", "done_on_time", "done_late"] } }),
                    json!({ "name": "due_from", "in": "query", "schema": { "type": "string", "format": "date" } }),
                    json!({ "name": "due_to", "in": "query", "schema": { "type": "string", "format": "date" } }),
                    json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 10000 } })
                ], None, ok(list("Obligation")))
            },
            "/obligations/{id}": {
                "get": op("An obligation with its records and every version", vec![id_param()], None, ok(any.clone()))
            },
            "/obligations/{id}/records": {
                "post": op("Record the work (edit at the unit, or the person the obligation is for); the duty's evidence is enforced", vec![id_param()], Some(r("NewVersion")), ok(r("RecordHistory")))
            },
            "/records/{id}": {
                "get": op("A record with all its versions and acknowledgements", vec![id_param()], None, ok(r("RecordHistory")))
            },
            "/records/{id}/versions": {
                "post": op("Correct a record: a new version with a reason; `version` is the one corrected (409 if it is no longer current)", vec![id_param()], Some(r("NewVersion")), ok(r("RecordHistory")))
            },
            "/records/{id}/acknowledge": {
                "post": op("Acknowledge (签收) a record reported to the parent unit (edit at the parent)", vec![id_param()], Some(json!({ "type": "object", "properties": { "note": { "type": "string" }, "version": { "type": "integer", "description": "the version read; 409 if the record was corrected since" } } })), ok(any.clone()))
            },
            "/units/{id}/ledger.xlsx": {
                "get": { "summary": "The unit's ledger for a year as XLSX", "parameters": [id_param(), { "name": "year", "in": "query", "schema": { "type": "integer" } }], "responses": { "200": { "description": "the workbook", "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } } } }
            },
            "/units/{id}/ledger.docx": {
                "get": { "summary": "The unit's ledger for a year as DOCX", "parameters": [id_param(), { "name": "year", "in": "query", "schema": { "type": "integer" } }], "responses": { "200": { "description": "the document", "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {} } } } }
            },
            "/units/{id}/evidence.zip": {
                "get": { "summary": "The year's evidence files, a folder per record, with an index sheet", "parameters": [id_param(), { "name": "year", "in": "query", "schema": { "type": "integer" } }], "responses": { "200": { "description": "the archive", "content": { "application/zip": {} } } } }
            },
            "/records/{id}/record.docx": {
                "get": { "summary": "A record as a meeting record (DOCX)", "parameters": [id_param()], "responses": { "200": { "description": "the document", "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {} } } } }
            },
            "/openapi.json": {
                "get": { "summary": "This document", "security": [], "responses": { "200": { "description": "OK" } } }
            }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "properties": { "error": { "type": "string" }, "message": { "type": "string" } } },
                "Unit": { "type": "object", "properties": { "id": { "type": "integer" }, "parent_id": { "type": ["integer", "null"] }, "name": { "type": "string" }, "kind": { "type": "string" }, "created_at": { "type": "string", "format": "date-time" } } },
                "Person": { "type": "object", "properties": { "id": { "type": "integer" }, "unit_id": { "type": "integer" }, "name": { "type": "string" }, "gender": { "type": ["string", "null"] }, "id_number": { "type": ["string", "null"] }, "employee_no": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] }, "position": { "type": ["string", "null"] }, "political_status": { "type": ["string", "null"], "description": "GB/T 4762 code" } } },
                "NewPerson": { "type": "object", "required": ["unit_id", "name"], "properties": { "unit_id": { "type": "integer" }, "name": { "type": "string" }, "gender": { "type": "string", "enum": ["男", "女"] }, "id_number": { "type": "string", "description": "GB 11643, checked" }, "employee_no": { "type": "string" }, "phone": { "type": "string" }, "position": { "type": "string" }, "political_status": { "type": "string", "description": "name or GB/T 4762 code" } } },
                "Assignment": { "type": "object", "properties": { "id": { "type": "integer" }, "person_id": { "type": "integer" }, "unit_id": { "type": "integer" }, "role_id": { "type": "string" }, "starts_on": { "type": "string", "format": "date" }, "ends_on": { "type": ["string", "null"], "format": "date" } } },
                "Obligation": { "type": "object", "properties": { "id": { "type": "integer" }, "policy_id": { "type": "string" }, "duty_id": { "type": "string" }, "title": { "type": "string" }, "unit_id": { "type": "integer" }, "person_id": { "type": ["integer", "null"] }, "every": { "type": "string" }, "period_start": { "type": "string", "format": "date" }, "period_end": { "type": "string", "format": "date" }, "period_label": { "type": "string" }, "due_on": { "type": "string", "format": "date" }, "times": { "type": "integer" }, "evidence": { "type": "string" }, "report_to_parent": { "type": "boolean" }, "status": { "type": "string", "enum": ["upcoming", "due_soon", "overdue", "done_on_time", "done_late"] }, "records": { "type": "integer" } } },
                "NewVersion": { "type": "object", "required": ["work_date"], "properties": { "work_date": { "type": "string", "format": "date", "description": "when the work was done" }, "place": { "type": "string" }, "content": { "type": "string", "description": "content or minutes" }, "participants": { "type": "array", "items": { "type": "integer" }, "description": "people of the unit" }, "attachments": { "type": "array", "items": { "type": "object", "required": ["file_name", "content_base64"], "properties": { "file_name": { "type": "string" }, "media_type": { "type": "string" }, "content_base64": { "type": "string" } } } }, "version": { "type": "integer", "description": "corrections: the version corrected" }, "reason": { "type": "string", "description": "corrections: why" }, "keep": { "type": "array", "items": { "type": "integer" }, "description": "corrections: positions of files to carry over" } } },
                "RecordHistory": { "type": "object", "properties": { "record": { "type": "object" }, "versions": { "type": "array", "items": { "type": "object" } }, "acknowledgements": { "type": "array", "items": { "type": "object" } } } },
                "AuditEntry": { "type": "object", "properties": { "seq": { "type": "integer" }, "at": { "type": "string", "format": "date-time" }, "actor": { "type": "string" }, "action": { "type": "string" }, "entity_type": { "type": "string" }, "entity_id": { "type": "string" }, "state_digest": { "type": "string" }, "prev_hash": { "type": "string" }, "hash": { "type": "string" } } }
            }
        }
    });
    // The reviews' part is kept apart: one json! of everything exceeds the macro recursion limit.
    if let (Some(p), Value::Object(more)) = (doc["paths"].as_object_mut(), review_paths()) {
        p.extend(more);
    }
    if let (Some(p), Value::Object(more)) = (
        doc["components"]["schemas"].as_object_mut(),
        review_schemas(),
    ) {
        p.extend(more);
    }
    doc
}

/// Channels, review items, versions, decisions and risk assessments.
fn review_paths() -> Value {
    let any = json!({ "type": "object" });
    json!({
            "/channels": {
                "get": op("Channels (阵地) registered at a unit", vec![unit_param()], None, ok(list("Channel"))),
                "post": op("Register a channel (edit at the unit)", vec![], Some(json!({ "type": "object", "required": ["unit_id", "kind", "name", "locator"], "properties": { "unit_id": { "type": "integer" }, "kind": { "type": "string", "examples": ["website", "wechat_official", "led_screen"] }, "name": { "type": "string" }, "locator": { "type": "string", "description": "identifier, URL or place" }, "responsible_person_id": { "type": "integer" }, "filed_on": { "type": "string", "format": "date" } } })), ok(r("Channel")))
            },
            "/reviews": {
                "get": op("Review items of a unit's subtree, or those waiting for the caller (`waiting=me`)", vec![
                    json!({ "name": "unit", "in": "query", "schema": { "type": "integer" }, "description": "unit id; the answer covers its subtree (required unless waiting=me)" }),
                    json!({ "name": "waiting", "in": "query", "schema": { "type": "string", "enum": ["me"] } }),
                    json!({ "name": "kind", "in": "query", "schema": { "type": "string", "enum": ["publication", "event", "decision"] } }),
                    json!({ "name": "stage", "in": "query", "schema": { "type": "string", "enum": ["draft", "in_review", "returned", "approved", "rejected", "withdrawn", "published"] } }),
                    json!({ "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } }),
                    json!({ "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } })
                ], None, ok(list("ReviewItem"))),
                "post": op("Submit an item for review (edit at the unit; the account must be linked to a person). Scanned on submit.", vec![], Some(r("NewReviewItem")), ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}": {
                "get": op("An item with its state, who it waits for, versions with scan findings, trail and risk assessments", vec![id_param()], None, ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}/versions": {
                "post": op("A new version by the submitter; scanned; the review starts again at step 1 (一事一审). `version` is the one edited (409 if no longer current)", vec![id_param()], Some(r("NewReviewVersion")), ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}/decisions": {
                "post": op("Decide the current step: approve (every checklist item true; a lawful basis when the scan blocks; a risk assessment first for decisions), return or reject (comment required). Refused: self-approval, not an approver, stale hash. 409 when another decision came first.", vec![id_param()], Some(json!({ "type": "object", "required": ["decision", "hash"], "properties": { "decision": { "type": "string", "enum": ["approve", "return", "reject"] }, "hash": { "type": "string", "description": "hash of the version decided on" }, "checklist": { "type": "array", "items": { "type": "boolean" } }, "lawful_basis": { "type": "string" }, "comment": { "type": "string" }, "seen": { "type": "integer", "description": "the item's `seen` when the caller looked" } } })), ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}/withdraw": {
                "post": op("Withdraw (the submitter, before the first decision of the round)", vec![id_param()], None, ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}/publish": {
                "post": op("Mark an approved publication as published with its URL (the submitter)", vec![id_param()], Some(json!({ "type": "object", "required": ["url"], "properties": { "url": { "type": "string" } } })), ok(r("ReviewItemDetail")))
            },
            "/reviews/{id}/risk-assessments": {
                "post": op("Record a risk assessment (submitter or editor): consultations held, risk level, contingency plan", vec![id_param()], Some(json!({ "type": "object", "required": ["consultations", "risk_level", "contingency"], "properties": { "consultations": { "type": "array", "items": { "type": "object", "required": ["kind", "date", "summary"], "properties": { "kind": { "type": "string", "examples": ["论证会", "座谈会", "公开征求意见"] }, "date": { "type": "string", "format": "date" }, "summary": { "type": "string" } } } }, "risk_level": { "type": "string", "enum": ["low", "medium", "high"] }, "contingency": { "type": "string" } } })), ok(any.clone()))
            },
            "/reviews/{id}/registration.docx": {
                "get": { "summary": "The item's registration form (《上网信息审核登记表》) with its whole trail, as DOCX", "parameters": [id_param()], "responses": { "200": { "description": "the document", "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {} } } } }
            }
    })
}

fn review_schemas() -> Value {
    json!({
                "Channel": { "type": "object", "properties": { "id": { "type": "integer" }, "unit_id": { "type": "integer" }, "kind": { "type": "string" }, "name": { "type": "string" }, "locator": { "type": "string" }, "responsible_person_id": { "type": ["integer", "null"] }, "filed_on": { "type": ["string", "null"], "format": "date" }, "status": { "type": "string", "enum": ["active", "suspended", "closed"] } } },
                "ReviewItem": { "type": "object", "properties": { "id": { "type": "integer" }, "unit_id": { "type": "integer" }, "workflow_id": { "type": "string" }, "kind": { "type": "string" }, "channel_id": { "type": ["integer", "null"] }, "major": { "type": "boolean" }, "submitter_person_id": { "type": "integer" }, "title": { "type": "string" }, "current_version": { "type": "integer" }, "stage": { "type": "string" } } },
                "NewReviewVersion": { "type": "object", "required": ["title"], "properties": { "title": { "type": "string" }, "body": { "type": "string" }, "details": { "type": "object", "description": "events: speakers, starts_at, place, audience" }, "attachments": { "type": "array", "items": { "type": "object", "required": ["file_name", "content_base64"], "properties": { "file_name": { "type": "string" }, "media_type": { "type": "string" }, "content_base64": { "type": "string" } } } }, "version": { "type": "integer", "description": "new versions: the version edited" } } },
                "NewReviewItem": { "allOf": [r("NewReviewVersion"), { "type": "object", "required": ["unit_id", "workflow"], "properties": { "unit_id": { "type": "integer" }, "workflow": { "type": "string", "description": "a workflow id of the policy in force" }, "channel_id": { "type": "integer" }, "major": { "type": "boolean" } } }] },
                "ReviewItemDetail": { "type": "object", "properties": { "item": r("ReviewItem"), "stage": { "type": "string" }, "stage_zh": { "type": "string" }, "step": { "type": ["integer", "null"] }, "waiting_for": { "type": ["object", "null"] }, "checklist": { "type": "array", "items": { "type": "string" } }, "seen": { "type": "integer", "description": "events so far; send it back with a decision" }, "versions": { "type": "array", "items": { "type": "object" } }, "events": { "type": "array", "items": { "type": "object" } }, "risk_assessments": { "type": "array", "items": { "type": "object" } } } }
    })
}

pub async fn document() -> Json<Value> {
    Json(spec())
}

#[cfg(test)]
mod tests {
    /// Every route of the API router is in the document, and nothing else.
    #[test]
    fn document_matches_the_router() {
        let src = include_str!("lib.rs");
        let start = src.find("let api = Router::new()").unwrap();
        let end = src[start..].find(".fallback(api::not_found)").unwrap() + start;
        let mut routes: Vec<String> = src[start..end]
            .split(".route(")
            .skip(1)
            .map(|s| {
                s.trim_start()
                    .trim_start_matches('"')
                    .split('"')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        routes.sort();
        let spec = super::spec();
        let mut documented: Vec<String> =
            spec["paths"].as_object().unwrap().keys().cloned().collect();
        documented.sort();
        assert_eq!(routes, documented);
    }
}
