//! The ledger (台账): obligations and the records that fulfil them, with versions, corrections and
//! the parent's 签收; a unit's year as a grid with its print view and exports; the 责任清单; the
//! private calendar feed — as pages and as the JSON API.

mod calendar;
mod duties;
mod grid;
mod inbox;
pub mod messages;
mod obligation;
mod records;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::respond::{DOCX, XLSX};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/obligations/{id}", get(obligation::page))
        .route("/obligations/{id}/records", post(records::create_form))
        .route("/records/{id}/correct", post(records::correct_form))
        .route("/records/{id}/acknowledge", post(records::acknowledge_form))
        .route("/records/{id}/return", post(records::return_form))
        .route("/records/{id}/record.docx", get(records::record_docx))
        .route(
            "/records/{id}/files/{version}/{position}",
            get(records::download),
        )
        .route("/units/{id}/ledger", get(grid::page))
        .route("/units/{id}/ledger/print", get(grid::print_page))
        .route("/units/{id}/ledger.xlsx", get(grid::ledger_xlsx))
        .route("/units/{id}/ledger.docx", get(grid::ledger_docx))
        .route("/units/{id}/evidence.zip", get(grid::evidence_zip))
        .route("/units/{id}/inbox", get(inbox::page))
        .route("/units/{id}/duties", get(duties::unit_page))
        .route("/people/{id}/duties", get(duties::person_page))
        .route("/me/calendar", post(calendar::renew_form))
        .route("/calendar/{token}", get(calendar::feed))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/obligations", obligation::list_json)
        .get("/obligations/{id}", obligation::json)
        .post("/obligations/{id}/records", records::create_json)
        .get("/records/{id}", records::json)
        .post("/records/{id}/versions", records::correct_json)
        .post("/records/{id}/acknowledge", records::acknowledge_json)
        .post("/records/{id}/return", records::return_json)
        .get("/units/{id}/ledger.xlsx", grid::ledger_xlsx)
        .get("/units/{id}/ledger.docx", grid::ledger_docx)
        .get("/units/{id}/evidence.zip", grid::evidence_zip)
        .get("/records/{id}/record.docx", records::record_docx)
}

const STATUSES: &[&str] = &[
    "upcoming",
    "due_soon",
    "overdue",
    "done_on_time",
    "done_late",
];

pub fn doc() -> ApiDoc {
    let year = query(
        "year",
        json!({ "type": "integer", "minimum": 2000, "maximum": 2100 }),
    );
    let file = |summary: &str, media: &str| {
        op(
            summary,
            vec![id_param(), year.clone()],
            None,
            (200, file_body("the file", media)),
            &[],
        )
    };
    ApiDoc::new()
        .path("/obligations", "get", op("Obligations (待办) of a unit, or of its subtree, with their status: a page by due date then id, filtered in the database. When more follow, the `Link` header names the next page (`rel=\"next\"`: the same query with `after` set)", vec![
            unit_param(),
            { let mut p = query("subtree", s::boolean()); p["description"] = json!("include every unit below"); p },
            query("person", s::int()),
            query("duty", s::string()),
            { let mut p = query("status", s::one_of(&[&["open"][..], STATUSES].concat())); p["description"] = json!("a status, or `open`: not done yet"); p },
            query("due_from", s::date()),
            query("due_to", s::date()),
            { let mut p = query("limit", json!({ "type": "integer", "minimum": 1, "maximum": 1000, "default": 1000 })); p["description"] = json!("rows per page"); p },
            { let mut p = query("after", json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9]+$" })); p["description"] = json!("cursor: the page after this row (due date_id), as the `Link` header gives it"); p },
        ], None, (200, {
            let mut b = json_body("OK", list("Obligation"));
            b["headers"] = json!({ "Link": { "description": "the next page, when more rows follow: `</api/v1/obligations?…&after=2026-03-31_812>; rel=\"next\"`", "schema": s::string() } });
            b
        }), &[]))
        .path("/obligations/{id}", "get", op("An obligation with its records and every version", vec![id_param()], None, (200, json_body("OK", r("ObligationDetail"))), &[]))
        .path("/obligations/{id}/records", "post", op("Record the work (edit at the unit, or the person the obligation is for); the duty's evidence is enforced", vec![id_param()], Some(r("NewVersion")), (201, json_body("created", r("RecordHistory"))), &[409]))
        .path("/records/{id}", "get", op("A record with all its versions, acknowledgements (签收) and returns (退回)", vec![id_param()], None, (200, json_body("OK", r("RecordHistory"))), &[]))
        .path("/records/{id}/versions", "post", op("Correct a record: a new version with a reason; `version` is the one corrected (409 if it is no longer current)", vec![id_param()], Some(r("NewVersion")), (201, json_body("created", r("RecordHistory"))), &[409]))
        .path("/records/{id}/acknowledge", "post", op("Acknowledge (签收) a record reported to the parent unit (edit at the parent); 409 if the version read was corrected since (the message explains it and names the current version) or is already acknowledged or returned", vec![id_param()], Some(object(&[], json!({ "note": s::string(), "version": { "type": "integer", "description": "the version read; 409 if the record was corrected since" } }))), (201, json_body("created", r("Acknowledgement"))), &[409]))
        .path("/records/{id}/return", "post", op("Return (退回) a record reported to the parent unit, with a reason (edit at the parent): the unit corrects it as a new version, which waits for 签收 again; 409 as for acknowledging", vec![id_param()], Some(object(&["reason"], json!({ "reason": { "type": "string", "minLength": 1, "description": "what the unit is to correct" }, "version": { "type": "integer", "description": "the version read; 409 if the record was corrected since" } }))), (201, json_body("created", r("RecordReturn"))), &[409]))
        .path("/units/{id}/ledger.xlsx", "get", file("The unit's ledger for a year as XLSX", XLSX))
        .path("/units/{id}/ledger.docx", "get", file("The unit's ledger for a year as DOCX", DOCX))
        .path("/units/{id}/evidence.zip", "get", file("The year's evidence files, a folder per record, with an index sheet", "application/zip"))
        .path("/records/{id}/record.docx", "get", op("A record as a meeting record (DOCX)", vec![id_param()], None, (200, file_body("the document", DOCX)), &[]))
        .schema("Obligation", object(&["id", "installed_policy_id", "policy_id", "duty_id", "title", "unit_id", "person_id", "every", "period_start", "period_end", "period_label", "due_on", "times", "evidence", "report_to_parent", "created_at", "status", "records"], obligation_properties()))
        .schema("ObligationDetail", object(&["id", "installed_policy_id", "policy_id", "duty_id", "title", "unit_id", "person_id", "every", "period_start", "period_end", "period_label", "due_on", "times", "evidence", "report_to_parent", "created_at", "status", "records", "history"], {
            let mut p = obligation_properties();
            p["history"] = list("RecordHistory");
            p
        }))
        .schema("NewVersion", object(&["work_date"], json!({ "work_date": { "type": "string", "format": "date", "description": "when the work was done" }, "place": s::string(), "content": { "type": "string", "description": "content or minutes" }, "participants": { "type": "array", "items": s::int(), "description": "people of the unit or a unit below it" }, "guests": { "type": "array", "items": s::string(), "description": "participants not on the roster (来宾), by name: at most 200, each 1–64 characters" }, "attachments": s::array(r("FileUpload")), "version": { "type": "integer", "description": "corrections: the version corrected" }, "reason": { "type": "string", "description": "corrections: why" }, "keep": { "type": "array", "items": s::int(), "description": "corrections: positions of files to carry over" } })))
        .schema("FileUpload", object(&["file_name", "content_base64"], json!({ "file_name": s::string(), "media_type": s::string(), "content_base64": s::string() })))
        .schema("RecordHistory", object(&["record", "versions", "acknowledgements", "returns"], json!({
            "record": object(&["id", "obligation_id", "current_version", "created_by", "created_at"], json!({ "id": s::int(), "obligation_id": s::int(), "current_version": s::int(), "created_by": s::int_or_null(), "created_at": s::time() })),
            "versions": s::array(object(&["version", "participants", "attachments"], json!({
                "version": object(&["id", "record_id", "version", "work_date", "place", "content", "reason", "created_by", "created_by_name", "created_at", "guests"], json!({ "id": s::int(), "record_id": s::int(), "version": s::int(), "work_date": s::date(), "place": s::string(), "content": s::string(), "reason": s::string_or_null(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time(), "guests": { "type": "array", "items": s::string(), "description": "participants not on the roster (来宾)" } })),
                "participants": { "type": "array", "items": { "type": "array", "prefixItems": [s::int(), s::string()], "description": "[person id, name]" } },
                "attachments": s::array(object(&["version_id", "position", "file_name", "sha256", "size", "media_type"], json!({ "version_id": s::int(), "position": s::int(), "file_name": s::string(), "sha256": s::string(), "size": s::int(), "media_type": s::string() })))
            }))),
            "acknowledgements": list("Acknowledgement"),
            "returns": list("RecordReturn")
        })))
        .schema("Acknowledgement", object(&["id", "record_id", "version", "unit_id", "acknowledged_by", "acknowledged_by_name", "acknowledged_at", "note"], json!({ "id": s::int(), "record_id": s::int(), "version": s::int(), "unit_id": s::int(), "acknowledged_by": s::int_or_null(), "acknowledged_by_name": { "type": "string", "description": "签收人: the person's name" }, "acknowledged_at": s::time(), "note": s::string() })))
        .schema("RecordReturn", object(&["id", "record_id", "version", "unit_id", "returned_by", "returned_by_name", "returned_at", "reason"], json!({ "id": s::int(), "record_id": s::int(), "version": s::int(), "unit_id": s::int(), "returned_by": s::int_or_null(), "returned_by_name": { "type": "string", "description": "the person's name" }, "returned_at": s::time(), "reason": s::string() })))
}

fn obligation_properties() -> serde_json::Value {
    json!({ "id": s::int(), "installed_policy_id": s::int(), "policy_id": s::string(), "duty_id": s::string(), "title": s::string(), "unit_id": s::int(), "person_id": s::int_or_null(), "every": s::string(), "period_start": s::date(), "period_end": s::date(), "period_label": s::string(), "due_on": s::date(), "times": s::int(), "evidence": { "type": "string", "description": "evidence words, space separated" }, "report_to_parent": s::boolean(), "created_at": s::time(), "status": s::one_of(STATUSES), "records": s::int() })
}

#[cfg(test)]
mod tests {
    /// Records are stamped with the moment they are entered: only importing history (the
    /// `zeren demo` command, imports from other systems) may set another time, and nothing the
    /// web serves calls it.
    #[test]
    fn nothing_served_back_dates_a_record() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if std::fs::read_to_string(&path)
                    .unwrap_or_default()
                    .contains(concat!("import_history", "_at"))
                {
                    found.push(path.display().to_string());
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
