//! The organisation: the unit tree, people, role assignments, bodies, the policy installed at a
//! unit and roster import — as pages and as the JSON API.

mod assignments;
mod bodies;
mod draft;
mod import;
pub mod messages;
mod people;
mod policy;
mod roster;
mod service;
mod units;
mod views;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units", get(units::tree_page))
        .route("/units/{id}", get(units::page))
        .route("/units/{id}/children", post(units::create_form))
        .route("/units/{id}/edit", post(units::update_form))
        .route("/units/{id}/retire", post(units::retire_form))
        .route("/units/{id}/people", post(people::create_form))
        .route("/units/{id}/assignments", post(assignments::create_form))
        .route(
            "/units/{id}/import",
            get(import::page).post(import::import_form),
        )
        .route(
            "/units/{id}/policy",
            get(policy::page).post(policy::install_form),
        )
        .route("/units/{id}/import/confirm", post(import::confirm_form))
        .route("/units/{id}/policy/preview", post(policy::preview_form))
        .route(
            "/units/{id}/policy/draft",
            get(draft::page).post(draft::upload_form),
        )
        .route("/units/{id}/policy/draft/check", post(draft::check_form))
        .route(
            "/units/{id}/policy/draft/install",
            post(draft::install_form),
        )
        .route(
            "/units/{id}/policy/{install}/remove",
            post(policy::remove_form),
        )
        .route("/units/{id}/bodies/sync", post(bodies::sync_form))
        .route("/assignments/{id}/end", post(assignments::end_form))
        .route("/bodies/{id}/members", post(bodies::add_member_form))
        .route("/people/{id}", get(people::page))
        .route("/roster/template.xlsx", get(import::template_xlsx))
        .route("/roster/template.csv", get(import::template_csv))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/units", units::list_json)
        .post("/units", units::create_json)
        .get("/units/{id}", units::json)
        .post("/units/{id}/retire", units::retire_json)
        .post("/units/{id}/roster", import::import_json)
        .get("/people", people::list_json)
        .post("/people", people::create_json)
        .get("/people/{id}", people::json)
        .get("/assignments", assignments::list_json)
        .post("/assignments", assignments::create_json)
        .post("/assignments/{id}/end", assignments::end_json)
        .get("/policies", policy::list_json)
        .post("/policies", policy::install_json)
        .post("/policies/draft", draft::draft_json)
        .post("/policies/{id}/remove", policy::remove_json)
        .get("/bodies", bodies::list_json)
}

pub fn doc() -> ApiDoc {
    let unit_body = object(
        &["parent_id", "name", "kind"],
        json!({ "parent_id": s::int(), "name": { "type": "string", "maxLength": 100 }, "kind": { "type": "string", "maxLength": 20, "examples": ["学校", "党支部", "科室"] } }),
    );
    let assign_body = object(
        &["person_id", "unit_id", "role_id", "starts_on"],
        json!({ "person_id": s::int(), "unit_id": s::int(), "role_id": s::string(), "starts_on": s::date() }),
    );
    let install_body = object(
        &["unit_id"],
        json!({ "unit_id": s::int(), "pack": { "type": "string", "description": "a bundled pack's id" }, "text": { "type": "string", "description": "a policy text (instead of pack)" }, "file_name": { "type": "string", "description": "named in the diagnostics" } }),
    );
    ApiDoc::new()
        .path("/units", "get", op("Units the caller can read, by id: a page (1,000 unless `limit` says otherwise). When more follow, the `Link` header names the next page (`rel=\"next\"`: the same query with `after` set)", vec![
            cursor_param("after", "the units after this id"),
            limit_param(1000),
        ], None, (200, paged(json_body("OK", list("Unit")), "</api/v1/units?after=1042>; rel=\"next\"")), &[]))
        .path("/units", "post", op("Create a sub-unit (administer at the parent)", vec![], Some(unit_body), (201, json_body("created", r("Unit"))), &[409]))
        .path("/units/{id}", "get", op("A unit with its path, children, policy in force, roles and holder warnings", vec![id_param()], None, (200, json_body("OK", r("UnitDetail"))), &[]))
        .path("/units/{id}/retire", "post", op("Retire a unit (撤销) or merge it into another (合并) from a date (administer at its parent, and at the unit it joins). Nothing is deleted: its records and history stay readable; its roles end that day, its unended obligations without records go, a merge moves its people. Refused for the top unit, a unit already retired or with units still below it", vec![id_param()], Some(object(&["on", "reason"], json!({ "on": { "type": "string", "format": "date", "description": "the day it ceases; not in the future" }, "reason": { "type": "string", "maxLength": 200 }, "merged_into": { "type": "integer", "description": "for a merge: the unit it joins" } }))), (200, json_body("OK", r("Unit"))), &[]))
        .path("/units/{id}/roster", "post", {
            let update_rows = object(&["applied", "rows"], json!({ "applied": s::boolean(), "rows": s::array(object(&["row", "action", "person_id", "name", "changes"], json!({ "row": s::int(), "action": s::one_of(&["create", "update", "unchanged"]), "person_id": s::int_or_null(), "name": s::string(), "changes": s::array(object(&["field", "old", "new"], json!({ "field": s::one_of(&["name", "gender", "id_number", "employee_no", "phone", "position", "political_status", "unit"]), "old": s::string(), "new": { "type": "string", "description": "ID numbers masked; political status and unit by name" } }))) }))) }));
            let mut o = op(
                "Import a roster (花名册); the body is the XLSX or CSV file. All rows or none. `mode=update` updates the people of the unit's subtree matched by 工号 or 身份证号 (name, gender, phone, position, political status, unit; blank cells keep what is stored) and adds the others; with `preview=true` it only says what would change.",
                vec![
                    id_param(),
                    { let mut p = query("mode", s::one_of(&["create", "update"])); p["description"] = json!("create (default): every row is a new person; update: see above"); p },
                    { let mut p = query("preview", s::boolean()); p["description"] = json!("with mode=update: answer 200 with the changes, store nothing"); p },
                ],
                None,
                (201, json_body("imported (mode=create: the number added; mode=update: every row and what was done)", json!({ "oneOf": [object(&["imported"], json!({ "imported": s::int() })), update_rows.clone()] }))),
                &[409, 413],
            );
            o["responses"]["200"] = json_body("mode=update&preview=true: what would change; nothing stored", update_rows);
            o["requestBody"] = json!({ "required": true, "content": { "text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {} } });
            o["responses"]["422"] = json_body("every bad row with its number and reason; nothing imported", r("RosterProblems"));
            o
        })
        .path("/people", "get", op("People of a unit's subtree, by name then id: a page (1,000 unless `limit` says otherwise). When more follow, the `Link` header names the next page (`rel=\"next\"`: the same query with `after` set); a cursor that names no person is refused (422)", vec![
            unit_param(),
            cursor_param("after", "the people after this person (by id) in name order"),
            limit_param(1000),
        ], None, (200, paged(json_body("OK", list("Person")), "</api/v1/people?unit=3&after=5120>; rel=\"next\"")), &[]))
        .path("/people", "post", op("Create a person (edit at the unit); checked like a roster row", vec![], Some(r("NewPerson")), (201, json_body("created", r("Person"))), &[409]))
        .path("/people/{id}", "get", op("A person and the roles they held", vec![id_param()], None, (200, json_body("OK", object(&["person", "assignments"], json!({ "person": r("Person"), "assignments": list("AssignmentView") })))), &[]))
        .path("/assignments", "get", op("Role assignments (current and past) in a unit's subtree", vec![unit_param()], None, (200, json_body("OK", list("AssignmentView"))), &[]))
        .path("/assignments", "post", op("Assign a role of the policy in force", vec![], Some(assign_body), (201, json_body("created", r("Assignment"))), &[409]))
        .path("/assignments/{id}/end", "post", op("End an assignment (kept as history)", vec![id_param()], Some(object(&["ends_on"], json!({ "ends_on": s::date() }))), (200, json_body("OK", r("Assignment"))), &[409]))
        .path("/policies", "get", op("The policy in force at a unit and the versions installed there", vec![unit_param()], None, (200, json_body("OK", object(&["in_force", "history"], json!({ "in_force": { "oneOf": [r("InstalledPolicy"), { "type": "null" }] }, "history": list("InstalledPolicy") })))), &[]))
        .path("/policies", "post", {
            let mut o = op("Install a bundled pack or a policy text at a unit (administer)", vec![], Some(install_body), (201, json_body("created", object(&["installed", "changes"], json!({ "installed": r("InstalledPolicy"), "changes": s::string() })))), &[409]);
            o["responses"]["422"] = json_body("the policy's errors, each with its line and column, or a wrong request", r("PolicyErrors"));
            o
        })
        .path("/policies/draft", "post", {
            let body = object(&["unit_id", "text"], json!({ "unit_id": s::int(), "text": { "type": "string", "description": "the plan's text (实施方案, 实施办法, 实施细则), at most 60,000 characters" }, "file_name": { "type": "string", "description": "named in the draft's header; its stem is the policy id when it is one" } }));
            let diag = s::array(object(&["line", "column", "path", "message", "message_zh"], json!({ "line": s::int(), "column": s::int(), "path": s::string(), "message": s::string(), "message_zh": s::string() })));
            op("Draft a policy from a plan's text (administer at the unit; nothing is stored): the policy file, each entry citing its source line, with the questions it could not decide as `# ?` lines (also listed), whether it parses and its diagnostics. Install it with POST /policies once the questions are answered and their lines deleted", vec![], Some(body), (200, json_body("OK", object(&["draft", "valid", "questions", "diagnostics"], json!({ "draft": s::string(), "valid": s::boolean(), "questions": diag.clone(), "diagnostics": diag })))), &[])
        })
        .path("/policies/{id}/remove", "post", op("Remove an installed policy (administer at its unit); its unended obligations without records are cancelled, history stays", vec![id_param()], None, (200, json_body("OK", r("InstalledPolicy"))), &[]))
        .path("/bodies", "get", op("Bodies (领导小组 …) at a unit with their members", vec![unit_param()], None, (200, json_body("OK", s::array(object(&["body", "members"], json!({ "body": r("Body"), "members": list("BodyMember") }))))), &[]))
        .schema("Unit", object(&["id", "parent_id", "name", "kind", "created_at", "retired_on", "retired_reason", "merged_into"], json!({ "id": s::int(), "parent_id": s::int_or_null(), "name": s::string(), "kind": s::string(), "created_at": s::time(), "retired_on": s::date_or_null(), "retired_reason": s::string_or_null(), "merged_into": s::int_or_null() })))
        .schema("UnitDetail", object(&["unit", "level", "path", "children", "policy", "roles", "warnings"], json!({
            "unit": r("Unit"),
            "level": s::one_of(&["read", "edit", "administer"]),
            "path": list("Unit"),
            "children": list("Unit"),
            "policy": { "oneOf": [r("InstalledPolicy"), { "type": "null" }] },
            "roles": s::array(object(&["id", "title", "holders"], json!({ "id": s::string(), "title": s::string(), "holders": list("AssignmentView") }))),
            "warnings": s::array(s::string())
        })))
        .schema("Person", object(&["id", "unit_id", "name", "gender", "id_number", "employee_no", "phone", "position", "political_status", "created_at"], json!({ "id": s::int(), "unit_id": s::int(), "name": s::string(), "gender": s::string_or_null(), "id_number": s::string_or_null(), "employee_no": s::string_or_null(), "phone": s::string_or_null(), "position": s::string_or_null(), "political_status": { "type": ["string", "null"], "description": "GB/T 4762 code" }, "created_at": s::time() })))
        .schema("NewPerson", object(&["unit_id", "name"], json!({ "unit_id": s::int(), "name": s::string(), "gender": s::one_of(&["男", "女"]), "id_number": { "type": "string", "description": "GB 11643, checked" }, "employee_no": s::string(), "phone": s::string(), "position": s::string(), "political_status": { "type": "string", "description": "name or GB/T 4762 code" } })))
        .schema("Assignment", object(&["id", "person_id", "unit_id", "role_id", "starts_on", "ends_on", "created_at"], json!({ "id": s::int(), "person_id": s::int(), "unit_id": s::int(), "role_id": s::string(), "starts_on": s::date(), "ends_on": s::date_or_null(), "created_at": s::time() })))
        .schema("AssignmentView", object(&["id", "person_id", "person_name", "unit_id", "unit_name", "role_id", "starts_on", "ends_on"], json!({ "id": s::int(), "person_id": s::int(), "person_name": s::string(), "unit_id": s::int(), "unit_name": s::string(), "role_id": s::string(), "starts_on": s::date(), "ends_on": s::date_or_null() })))
        .schema("InstalledPolicy", object(&["id", "unit_id", "policy_id", "version", "title", "sha256", "installed_at", "installed_by", "current", "applies_to", "removed_at", "removed_by"], json!({ "id": s::int(), "unit_id": s::int(), "policy_id": s::string(), "version": s::string(), "title": s::string(), "sha256": s::string(), "installed_at": s::time(), "installed_by": s::int_or_null(), "current": { "type": "boolean", "description": "the version in force at its unit (not superseded, not removed)" }, "applies_to": { "type": ["string", "null"], "description": "unit kinds the policy applies to below its unit, space separated; empty: its own unit only" }, "removed_at": { "type": ["string", "null"], "format": "date-time" }, "removed_by": s::int_or_null() })))
        .schema("Body", object(&["id", "unit_id", "body_key", "title", "within_key", "remit", "role_spec", "needs_adjustment", "created_at"], json!({ "id": s::int(), "unit_id": s::int(), "body_key": s::string(), "title": s::string(), "within_key": s::string_or_null(), "remit": s::string_or_null(), "role_spec": s::string(), "needs_adjustment": s::boolean(), "created_at": s::time() })))
        .schema("BodyMember", object(&["id", "body_id", "person_id", "person_name", "position", "role_id"], json!({ "id": s::int(), "body_id": s::int(), "person_id": s::int(), "person_name": s::string(), "position": s::one_of(&["chair", "deputy", "member"]), "role_id": s::string_or_null() })))
        .schema("RosterProblems", object(&["error", "message"], json!({ "error": s::string(), "message": s::string(), "problems": s::array(object(&["row", "reason"], json!({ "row": s::int(), "reason": s::string() }))) })))
        .schema("PolicyErrors", {
            let mut e = object(&["error", "message"], json!({ "error": s::string(), "message": s::string(), "diagnostics": s::array(object(&["line", "column", "path", "message", "message_zh"], json!({ "line": s::int(), "column": s::int(), "path": s::string(), "message": s::string(), "message_zh": s::string() }))) }));
            e["description"] = json!("an error; for a policy text, its diagnostics");
            e
        })
}
