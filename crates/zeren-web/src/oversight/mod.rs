//! Oversight of the subtree (督查): a unit's dashboard over the units below it — how their
//! obligations stand by unit, duty and month, the reports waiting for 签收, the open findings by
//! age and severity — with every number leading to what it counts; inspections of units below
//! with their visits and findings, each finding's rectification (整改) up to its 销号, and an
//! inspection's 通报; as pages, JSON, a workbook and a Word document. Read at a unit shows that
//! unit's subtree only.

mod bulletin;
mod dashboard;
mod drill;
mod finding;
mod inspection;
pub mod messages;
mod report_request;
mod svg;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::respond::{DOCX, XLSX};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/dashboard", get(dashboard::page))
        .route("/units/{id}/dashboard.xlsx", get(dashboard::xlsx))
        .route("/units/{id}/dashboard/obligations", get(drill::page))
        .route("/units/{id}/dashboard/reports", get(drill::reports))
        .route(
            "/units/{id}/inspections",
            get(inspection::list).post(inspection::create_form),
        )
        .route("/inspections/{id}", get(inspection::page))
        .route("/inspections/{id}/visits", post(inspection::visit_form))
        .route("/inspections/{id}/findings", post(inspection::finding_form))
        .route(
            "/inspections/{id}/visits/{visit}/files/{position}",
            get(inspection::visit_file),
        )
        .route("/inspections/{id}/bulletin.docx", get(bulletin::docx))
        .route("/findings/{id}", get(finding::page))
        .route("/findings/{id}/act", post(finding::act_form))
        .route("/findings/{id}/files/{seq}/{position}", get(finding::file))
        .route(
            "/units/{id}/reports",
            get(report_request::list).post(report_request::create_form),
        )
        .route("/reports/{id}", get(report_request::page))
        .route("/reports/{id}/submit", post(report_request::submit_form))
        .route("/reports/{id}/answer", post(report_request::answer_form))
        .route(
            "/reports/{id}/files/{submission}/{position}",
            get(report_request::file),
        )
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/units/{id}/dashboard", dashboard::json)
        .get("/units/{id}/dashboard.xlsx", dashboard::xlsx)
        .get("/units/{id}/inspections", inspection::list_json)
        .post("/units/{id}/inspections", inspection::create_json)
        .get("/inspections/{id}", inspection::json)
        .post("/inspections/{id}/visits", inspection::visit_json)
        .post("/inspections/{id}/findings", inspection::finding_json)
        .get("/inspections/{id}/bulletin.docx", bulletin::docx)
        .get("/findings/{id}", finding::json)
        .post("/findings/{id}/actions", finding::act_json)
        .get("/units/{id}/reports", report_request::list_json)
        .post("/units/{id}/reports", report_request::create_json)
        .get("/reports/{id}", report_request::json)
        .post("/reports/{id}/submissions", report_request::submit_json)
        .post("/reports/{id}/answers", report_request::answer_json)
}

pub fn doc() -> ApiDoc {
    let year = query(
        "year",
        json!({ "type": "integer", "minimum": 2000, "maximum": 2100, "description": "the year obligations fall due in; this year when absent" }),
    );
    ApiDoc::new()
        .merge(inspection_doc())
        .merge(report_request_doc())
        .path("/units/{id}/dashboard", "get", op("The dashboard of the unit's subtree for a year (read at the unit): how the obligations due stand in all, per unit directly below (each with its subtree) and the unit's own, per duty, as a heat map of the worst units × duties, by month of due date; and the reports waiting for 签收 below it. Units and duties come worst first.", vec![id_param(), year.clone()], None, (200, json_body("OK", r("Dashboard"))), &[]))
        .path("/units/{id}/dashboard.xlsx", "get", op("The dashboard's tables as XLSX: units, duties, the heat map's rates, each duty by month, months", vec![id_param(), year], None, (200, file_body("the workbook", XLSX)), &[]))
        .schema("Standing", object(&["due", "on_time", "late", "overdue", "ahead", "ahead_done", "upcoming", "completion", "on_time_rate", "heat"], json!({
            "due": { "type": "integer", "description": "obligations due before today" },
            "on_time": { "type": "integer", "description": "of those, done by their due date" },
            "late": { "type": "integer", "description": "of those, done after it" },
            "overdue": { "type": "integer", "description": "of those, not done" },
            "ahead": { "type": "integer", "description": "obligations due today or later" },
            "ahead_done": { "type": "integer", "description": "of those, already done" },
            "upcoming": { "type": "integer", "description": "of those, not done yet" },
            "completion": { "type": ["integer", "null"], "description": "per cent of what was due that was done (on time or late); null when nothing was due" },
            "on_time_rate": { "type": ["integer", "null"], "description": "per cent of what was due that was done on time" },
            "heat": { "type": "string", "enum": ["none", "red", "amber", "green"], "description": "red: something overdue; amber: nothing overdue, something late; green: all on time; none: nothing due" }
        })))
        .schema("MonthPoint", object(&["year", "month", "standing"], json!({ "year": s::int(), "month": s::int(), "standing": r("Standing") })))
        .schema("Dashboard", object(&["unit_id", "year", "today", "units_in_subtree", "standing", "units", "duties", "heat", "months", "duty_months", "pending", "pending_by_age", "pending_oldest"], json!({
            "unit_id": s::int(),
            "year": s::int(),
            "today": s::date(),
            "units_in_subtree": { "type": "integer", "description": "units in the subtree, the unit included" },
            "standing": r("Standing"),
            "units": s::array(object(&["unit_id", "name", "kind", "own", "retired", "standing"], json!({ "unit_id": s::int(), "name": s::string(), "kind": s::string(), "own": { "type": "boolean", "description": "the unit's own obligations, not a unit below" }, "retired": s::boolean(), "standing": r("Standing") }))),
            "duties": s::array(object(&["unit_id", "policy_id", "duty_id", "title", "standing"], json!({ "unit_id": s::int(), "policy_id": s::string(), "duty_id": s::string(), "title": s::string(), "standing": r("Standing") }))),
            "heat": { "type": "array", "description": "the worst units (at most 30) × `duties`, in their order", "items": object(&["unit_id", "own", "cells"], json!({ "unit_id": s::int(), "own": s::boolean(), "cells": { "type": "array", "items": { "oneOf": [r("Standing"), { "type": "null" }] }, "description": "null: the unit has no such obligation" } })) },
            "months": { "type": "array", "items": r("MonthPoint"), "description": "by month of due date, up to this month" },
            "duty_months": { "type": "array", "items": { "type": "array", "items": r("MonthPoint") }, "description": "for each of `duties`, in that order, the same by month" },
            "pending": { "type": "integer", "description": "reports from units below waiting for their parent's 签收" },
            "pending_by_age": s::array(object(&["age", "count"], json!({ "age": s::one_of(&["week", "month", "quarter", "older"]), "count": s::int() }))),
            "pending_oldest": s::array(object(&["record_id", "version", "obligation_id", "title", "period_label", "unit_id", "unit_name", "parent_id", "parent_name", "reported_at"], json!({ "record_id": s::int(), "version": s::int(), "obligation_id": s::int(), "title": s::string(), "period_label": s::string(), "unit_id": s::int(), "unit_name": s::string(), "parent_id": s::int(), "parent_name": s::string(), "reported_at": s::time() })))
        })))
}

fn inspection_doc() -> ApiDoc {
    use zeren_store::inspections::{ACTION_WORDS, CHECK_WORDS, STAGE_WORDS};
    let files = s::array(r("FileUpload"));
    let stored_file = object(
        &[
            "owner",
            "position",
            "file_name",
            "sha256",
            "size",
            "media_type",
        ],
        json!({ "owner": { "type": "integer", "description": "the visit's id, or the finding event's sequence number" }, "position": s::int(), "file_name": s::string(), "sha256": s::string(), "size": s::int(), "media_type": s::string() }),
    );
    let check = object(
        &["item", "result", "note"],
        json!({ "item": { "type": "integer", "description": "the checklist item's index" }, "result": s::one_of(CHECK_WORDS), "note": s::string() }),
    );
    let plan = object(
        &["title", "starts_on", "ends_on"],
        json!({
            "title": s::string(),
            "programme": { "type": "string", "description": "the id of a programme (督查) of the unit's policy it carries out" },
            "starts_on": s::date(), "ends_on": s::date(),
            "scope": { "type": "string", "enum": ["units", "kind"], "description": "units: the `units` listed; kind: every unit of `kind` below the unit" },
            "units": { "type": "array", "items": s::int(), "description": "units below the inspecting unit" },
            "kind": s::string(),
            "team": { "type": "array", "items": s::int(), "description": "people of the inspecting unit" },
            "lead": { "type": "integer", "description": "the team's leader (one of `team`)" },
            "items": { "type": "array", "items": s::string(), "description": "checklist items on offer: `duty:POLICY:DUTY` (a duty of a policy in force below) or `text:WORDS` (an item of a programme)" },
            "free": { "type": "string", "description": "points of one's own, one a line" }
        }),
    );
    let finding_in = json!({
        "unit_id": { "type": "integer", "description": "an inspected unit" },
        "severity": { "type": "string", "description": "a severity id of the policy's [rectification] (required when it has severities)" },
        "item": { "type": "integer", "description": "the index of the checklist item it breaks" },
        "clause": { "type": "string", "description": "the clause in words (required without `item`)" },
        "description": s::string(),
        "due": { "type": "string", "format": "date", "description": "rectify by; from the severity's rule when absent" }
    });
    let mut finding_props = finding_in.clone();
    finding_props["attachments"] = files.clone();
    let mut act_props = json!({
        "action": s::one_of(finding::ACTION_INPUTS),
        "seen": { "type": "integer", "description": "the finding's `seen` when the caller looked (409 if it moved on)" },
        "version": { "type": "integer", "description": "accept, return: the commitment version (the current one when absent)" },
        "kind": { "type": "string", "enum": zeren_policy::RECTIFICATION_KIND_WORDS, "description": "propose: 立行立改, 限期整改, 持续整改" },
        "measures": { "type": "string", "description": "propose" },
        "responsible_person_id": { "type": "integer", "description": "propose: a person of the inspected unit" },
        "due": { "type": "string", "description": "propose: the commitment's due date; correct: the finding's" },
        "text": { "type": "string", "description": "correct, withdraw, return, return_recheck: the reason; progress, apply: what was done; close: the justification (复查意见)" },
        "attachments": files.clone()
    });
    for k in ["severity", "item", "clause", "description"] {
        act_props[k] = finding_in[k].clone();
    }
    let inspection = object(
        &[
            "id",
            "unit_id",
            "installed_policy_id",
            "programme",
            "title",
            "scope",
            "starts_on",
            "ends_on",
            "checklist",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        json!({
            "id": s::int(), "unit_id": { "type": "integer", "description": "the inspecting unit" }, "installed_policy_id": s::int_or_null(), "programme": s::string_or_null(), "title": s::string(),
            "scope": { "type": "string", "description": "units, or kind:KIND" }, "starts_on": s::date(), "ends_on": s::date(),
            "checklist": s::array(object(&["kind", "policy_id", "duty_id", "title", "source"], json!({ "kind": s::one_of(&["duty", "text"]), "policy_id": s::string_or_null(), "duty_id": s::string_or_null(), "title": s::string(), "source": { "type": ["string", "null"], "description": "the seed line (L12, L12-L14)" } }))),
            "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time()
        }),
    );
    let finding_row = object(
        &[
            "id",
            "inspection_id",
            "inspection_title",
            "inspecting_unit_id",
            "unit_id",
            "unit_name",
            "stage",
            "severity",
            "severity_title",
            "summary",
            "due_on",
            "sent_on",
            "applied_on",
            "closed_on",
            "commitment_version",
            "responsible_person_id",
            "created_at",
            "updated_at",
        ],
        json!({
            "id": s::int(), "inspection_id": s::int(), "inspection_title": s::string(), "inspecting_unit_id": s::int(), "unit_id": { "type": "integer", "description": "the inspected unit" }, "unit_name": s::string(),
            "stage": s::one_of(STAGE_WORDS), "severity": s::string_or_null(), "severity_title": s::string(), "summary": s::string(),
            "due_on": { "type": ["string", "null"], "format": "date", "description": "the agreed commitment's due date, else the finding's" },
            "sent_on": s::date_or_null(), "applied_on": s::date_or_null(), "closed_on": s::date_or_null(),
            "commitment_version": s::int(), "responsible_person_id": { "type": ["integer", "null"], "description": "named by the agreed commitment" },
            "created_at": s::time(), "updated_at": s::time()
        }),
    );
    ApiDoc::new()
        .path("/units/{id}/inspections", "get", op("The inspections the unit carries out (read at the unit), and the open findings of the units of its subtree", vec![id_param()], None, (200, json_body("OK", r("InspectionList"))), &[]))
        .path("/units/{id}/inspections", "post", op("Plan an inspection (edit at the unit) of units below it, chosen or by kind, with its team (people of the unit) and checklist", vec![id_param()], Some(plan), (201, json_body("created", r("InspectionDetail"))), &[]))
        .path("/inspections/{id}", "get", op("An inspection (read at the inspecting unit): its plan, units, team, visits, findings and completion", vec![id_param()], None, (200, json_body("OK", r("InspectionDetail"))), &[]))
        .path("/inspections/{id}/visits", "post", op("Record a visit to an inspected unit with what each checklist item showed and evidence (an editor of the inspecting unit or a team member)", vec![id_param()], Some(object(&["unit_id", "visited_on", "notes"], json!({ "unit_id": s::int(), "visited_on": s::date(), "notes": s::string(), "checks": s::array(check.clone()), "attachments": files.clone() }))), (201, json_body("created", r("InspectionDetail"))), &[]))
        .path("/inspections/{id}/findings", "post", op("Send a finding to an inspected unit (an editor of the inspecting unit or a team member, linked to a person): immutable once sent; a correction is a new version", vec![id_param()], Some(object(&["unit_id", "description"], finding_props)), (201, json_body("created", r("FindingRow"))), &[]))
        .path("/inspections/{id}/bulletin.docx", "get", op("The inspection's 通报 as a Word document: the completion rate, each unit's figures and the findings", vec![id_param()], None, (200, file_body("the document", DOCX)), &[]))
        .path("/findings/{id}", "get", op("A finding (read at the inspected unit) with its commitment, history and who the caller is to it", vec![id_param()], None, (200, json_body("OK", r("FindingDetail"))), &[]))
        .path("/findings/{id}/actions", "post", op("An act on a finding. The inspecting side: correct, withdraw, close (销号, with a justification), return_recheck. The inspected unit: progress, apply (for 销号, with evidence). Either side: propose a commitment version (which reopens the other side's acceptance), accept or return the other side's. 409 when another act came first.", vec![id_param()], Some(object(&["action"], act_props)), (200, json_body("OK", r("FindingDetail"))), &[409]))
        .schema("Inspection", inspection)
        .schema("FindingRow", finding_row)
        .schema("InspectionList", object(&["unit_id", "inspections", "open_findings"], json!({ "unit_id": s::int(), "inspections": list("Inspection"), "open_findings": list("FindingRow") })))
        .schema("InspectionDetail", object(&["inspection", "unit_name", "units", "team", "visits", "findings", "completion", "can_act"], json!({
            "inspection": r("Inspection"),
            "unit_name": s::string(),
            "units": s::array(object(&["unit_id", "name"], json!({ "unit_id": s::int(), "name": s::string() }))),
            "team": s::array(object(&["person_id", "name", "lead"], json!({ "person_id": s::int(), "name": s::string(), "lead": s::boolean() }))),
            "visits": s::array(object(&["id", "inspection_id", "unit_id", "unit_name", "visited_on", "notes", "checks", "created_by", "created_by_name", "created_at", "files"], json!({ "id": s::int(), "inspection_id": s::int(), "unit_id": s::int(), "unit_name": s::string(), "visited_on": s::date(), "notes": s::string(), "checks": s::array(check), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time(), "files": s::array(stored_file.clone()) }))),
            "findings": list("FindingRow"),
            "completion": object(&["findings", "closed", "closed_on_time", "open", "overdue", "rate", "text"], json!({ "findings": { "type": "integer", "description": "sent, withdrawn ones excluded" }, "closed": s::int(), "closed_on_time": s::int(), "open": s::int(), "overdue": s::int(), "rate": { "type": ["number", "null"], "description": "closed over sent, per cent, one decimal" }, "text": s::string() })),
            "can_act": { "type": "boolean", "description": "the caller acts for the inspecting side" }
        })))
        .schema("FindingDetail", object(&["finding", "stage_zh", "standing", "part", "version", "clause", "source", "description", "commitment", "seen", "events"], json!({
            "finding": r("FindingRow"),
            "stage_zh": s::string(),
            "standing": { "type": "string", "description": "against its due date, in words" },
            "part": s::one_of(&["inspector", "unit", "reader"]),
            "version": { "type": "integer", "description": "the finding's version (corrections add one)" },
            "clause": s::string(), "source": s::string_or_null(), "description": s::string(),
            "commitment": { "oneOf": [{ "type": "null" }, object(&["version", "kind", "kind_zh", "measures", "responsible_person_id", "responsible_name", "due", "accepted_by_unit", "accepted_by_inspector", "returned", "agreed"], json!({ "version": s::int(), "kind": s::one_of(zeren_policy::RECTIFICATION_KIND_WORDS), "kind_zh": s::string(), "measures": s::string(), "responsible_person_id": s::int(), "responsible_name": s::string(), "due": s::date(), "accepted_by_unit": s::boolean(), "accepted_by_inspector": s::boolean(), "returned": s::boolean(), "agreed": s::boolean() }))] },
            "seen": { "type": "integer", "description": "events so far; send it back with an act" },
            "events": s::array(object(&["seq", "action", "event", "by_account", "by_name", "at", "files"], json!({ "seq": s::int(), "action": s::one_of(ACTION_WORDS), "event": { "type": "object", "description": "the rules' event; `event` names it" }, "by_account": s::int_or_null(), "by_name": s::string(), "at": s::time(), "files": s::array(stored_file) })))
        })))
}

fn report_request_doc() -> ApiDoc {
    use zeren_store::report_requests::TEMPLATE_WORDS;
    let files = s::array(r("FileUpload"));
    let statuses: Vec<&str> = zeren_core::oversight::ReportStatus::ALL
        .iter()
        .map(|x| x.word())
        .collect();
    let request = object(
        &[
            "id",
            "unit_id",
            "title",
            "instructions",
            "template",
            "fields",
            "due_on",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        json!({ "id": s::int(), "unit_id": { "type": "integer", "description": "the requesting unit" }, "title": s::string(), "instructions": s::string(), "template": s::one_of(TEMPLATE_WORDS), "fields": { "type": "array", "items": s::string(), "description": "the form's fields (template form)" }, "due_on": s::date(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time() }),
    );
    let submission = object(
        &[
            "id",
            "request_id",
            "unit_id",
            "version",
            "text",
            "answers",
            "created_by_name",
            "created_at",
            "files",
            "answer",
        ],
        json!({
            "id": s::int(), "request_id": s::int(), "unit_id": s::int(), "version": s::int(), "text": s::string(),
            "answers": { "type": "array", "items": s::string(), "description": "in the order of the fields" },
            "created_by_name": s::string(), "created_at": s::time(),
            "files": s::array(object(&["submission_id", "position", "file_name", "sha256", "size", "media_type"], json!({ "submission_id": s::int(), "position": s::int(), "file_name": s::string(), "sha256": s::string(), "size": s::int(), "media_type": s::string() }))),
            "answer": { "oneOf": [{ "type": "null" }, object(&["kind", "note", "by_name", "at"], json!({ "kind": s::one_of(&["acknowledged", "returned"]), "note": s::string(), "by_name": s::string(), "at": s::time() }))] }
        }),
    );
    ApiDoc::new()
        .path("/units/{id}/reports", "get", op("The reports a unit requested of the units below it, and those requested of it (read at the unit)", vec![id_param()], None, (200, json_body("OK", r("ReportRequestList"))), &[]))
        .path("/units/{id}/reports", "post", op("Request a report of some or all of the units directly below (edit at the unit) by a date, as text, an attachment or a small form", vec![id_param()], Some(object(&["title", "template", "due_on"], json!({ "title": s::string(), "instructions": s::string(), "template": s::one_of(TEMPLATE_WORDS), "fields": { "type": "string", "description": "template form: the fields, one a line" }, "due_on": s::date(), "units": { "type": "array", "items": s::int(), "description": "units directly below" }, "all": { "type": "boolean", "description": "every unit directly below" } }))), (201, json_body("created", r("ReportRequestDetail"))), &[]))
        .path("/reports/{id}", "get", op("A requested report: the requesting unit's readers see every unit asked; a unit asked sees its own part", vec![id_param()], None, (200, json_body("OK", r("ReportRequestDetail"))), &[]))
        .path("/reports/{id}/submissions", "post", op("Submit (or, after a return, submit again) a unit's report (one who acts for the unit asked)", vec![id_param()], Some(object(&["unit_id"], json!({ "unit_id": s::int(), "text": s::string(), "answers": { "type": "array", "items": s::string() }, "attachments": files, "seen": { "type": "integer", "description": "the latest version the caller saw, 0 for none (409 if another came in)" } }))), (201, json_body("created", r("ReportRequestDetail"))), &[409]))
        .path("/reports/{id}/answers", "post", op("Acknowledge (签收) or return (退回, with a reason) the latest version of a unit's report (an editor of the requesting unit); each version is answered once", vec![id_param()], Some(object(&["submission_id", "kind"], json!({ "submission_id": s::int(), "kind": s::one_of(&["acknowledged", "returned"]), "note": s::string() }))), (200, json_body("OK", r("ReportRequestDetail"))), &[409]))
        .schema("ReportRequest", request)
        .schema("ReportRequestList", object(&["unit_id", "made", "received"], json!({ "unit_id": s::int(), "made": list("ReportRequest"), "received": list("ReportRequest") })))
        .schema("ReportRequestDetail", object(&["request", "unit_name", "units", "can_answer", "acting"], json!({
            "request": r("ReportRequest"),
            "unit_name": s::string(),
            "units": s::array(object(&["unit_id", "name", "status", "status_zh", "late", "submissions"], json!({ "unit_id": s::int(), "name": s::string(), "status": s::one_of(&statuses), "status_zh": s::string(), "late": { "type": "boolean", "description": "the first version came in after the deadline" }, "submissions": s::array(submission) }))),
            "can_answer": { "type": "boolean", "description": "the caller acknowledges and returns" },
            "acting": { "type": "array", "items": s::int(), "description": "the units asked the caller submits for" }
        })))
}
