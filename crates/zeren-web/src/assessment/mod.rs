//! Assessment (考核): cycles of a policy's rubric opened by a unit over the units of a kind in its
//! subtree, each unit's sheet with the leaves measured from the ledger and its self-assessment
//! (自评) as versions — as pages and as the JSON API. The rules are `zeren_core::assessment` and
//! `zeren_core::scoring`; the SQL `zeren_store::assessment`.

mod cycle;
mod export;
pub mod messages;
mod ranking;
mod review;
mod sheet;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(cycle::list).post(cycle::create_form))
        .route("/assessment/new", get(cycle::new_form))
        .route("/assessment/{id}", get(cycle::page))
        .route("/assessment/{id}/units/{unit}", get(sheet::page))
        .route("/assessment/{id}/units/{unit}/self", post(sheet::self_form))
        .route(
            "/assessment/{id}/units/{unit}/review",
            post(review::review_form),
        )
        .route(
            "/assessment/{id}/units/{unit}/appeals",
            post(review::appeal_form),
        )
        .route(
            "/assessment/{id}/appeals/{appeal}/answer",
            post(review::answer_form),
        )
        .route("/assessment/{id}/ranking", get(ranking::page))
        .route("/assessment/{id}/export.xlsx", get(export::xlsx))
        .route("/assessment/{id}/export.docx", get(export::docx))
        .route("/assessment/{id}/publish", post(ranking::publish_form))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/assessment/cycles", cycle::list_json)
        .post("/assessment/cycles", cycle::create_json)
        .get("/assessment/cycles/{id}", cycle::json)
        .get("/assessment/cycles/{id}/units/{unit}", sheet::json)
        .post(
            "/assessment/cycles/{id}/units/{unit}/self",
            sheet::self_json,
        )
        .post(
            "/assessment/cycles/{id}/units/{unit}/review",
            review::review_json,
        )
        .post(
            "/assessment/cycles/{id}/units/{unit}/appeals",
            review::appeal_json,
        )
        .post(
            "/assessment/cycles/{id}/appeals/{appeal}/answer",
            review::answer_json,
        )
        .get("/assessment/cycles/{id}/ranking", ranking::json)
        .post("/assessment/cycles/{id}/publish", ranking::publish_json)
}

fn unit_path_param() -> serde_json::Value {
    json!({ "name": "unit", "in": "path", "required": true, "description": "a unit the cycle assesses", "schema": { "type": "integer", "format": "int64" } })
}

fn appeal_param() -> serde_json::Value {
    json!({ "name": "appeal", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } })
}

fn points() -> serde_json::Value {
    json!({ "type": "integer", "description": "hundredths of a point (850 = 8.5 points)" })
}

fn points_or_null() -> serde_json::Value {
    json!({ "type": ["integer", "null"], "description": "hundredths of a point" })
}

pub fn doc() -> ApiDoc {
    let date = s::date();
    let new_cycle = object(
        &[
            "unit_id",
            "title",
            "installed_policy_id",
            "scope_kind",
            "period_start",
            "period_end",
            "self_due_on",
            "review_due_on",
            "appeal_until",
        ],
        json!({
            "unit_id": { "type": "integer", "description": "the opening unit (edited by the caller); it reviews" },
            "title": s::string(),
            "installed_policy_id": { "type": "integer", "description": "an installation at or below the unit (or in force at it) whose policy has an [assessment]" },
            "scope_kind": { "type": "string", "description": "the kind of unit assessed: every unit of that kind below the opening unit, not retired, as it is now" },
            "period_start": date.clone(), "period_end": date.clone(), "self_due_on": date.clone(), "review_due_on": date.clone(),
            "appeal_until": { "type": "string", "format": "date", "description": "the last day an appeal is taken" }
        }),
    );
    let cycle = object(
        &[
            "id",
            "unit_id",
            "installed_policy_id",
            "title",
            "scope_kind",
            "period_start",
            "period_end",
            "self_due_on",
            "review_due_on",
            "appeal_until",
            "published_at",
            "published_by_name",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        json!({ "id": s::int(), "unit_id": s::int(), "installed_policy_id": s::int(), "title": s::string(), "scope_kind": s::string(),
            "period_start": date.clone(), "period_end": date.clone(), "self_due_on": date.clone(), "review_due_on": date.clone(), "appeal_until": date.clone(),
            "published_at": { "type": ["string", "null"], "format": "date-time", "description": "when the ranking was published; the cycle is final" }, "published_by_name": s::string_or_null(),
            "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time() }),
    );
    let cycle_unit = object(
        &[
            "unit_id",
            "name",
            "kind",
            "self_version",
            "self_total",
            "self_at",
            "review_version",
            "review_total",
            "locked",
            "place",
            "grade_id",
            "no_commendation",
        ],
        json!({ "unit_id": s::int(), "name": s::string(), "kind": s::string(), "self_version": s::int_or_null(), "self_total": points_or_null(),
            "self_at": { "type": ["string", "null"], "format": "date-time" }, "review_version": s::int_or_null(), "review_total": points_or_null(),
            "locked": s::boolean(), "place": { "type": ["integer", "null"], "description": "among the reviewed units of its kind, ties sharing a place" }, "grade_id": s::string_or_null(), "no_commendation": s::boolean() }),
    );
    let summary = object(
        &[
            "id",
            "unit_id",
            "unit_name",
            "title",
            "scope_kind",
            "period_start",
            "period_end",
            "self_due_on",
            "units",
            "self_assessed",
        ],
        json!({ "id": s::int(), "unit_id": s::int(), "unit_name": s::string(), "title": s::string(), "scope_kind": s::string(),
            "period_start": date.clone(), "period_end": date.clone(), "self_due_on": date.clone(), "units": s::int(), "self_assessed": s::int() }),
    );
    let input = json!({ "type": "object", "required": ["input"], "description": "a leaf's input: cases (count), deduction ({points, note}), commendations (levels), count, share ({done, total}) or score (points, hundredths)", "properties": { "input": s::one_of(&["cases", "deduction", "commendations", "count", "share", "score"]), "value": {} }, "additionalProperties": false });
    let input_or_null = json!({ "oneOf": [input.clone(), { "type": "null" }] });
    let entry = object(
        &["input", "note", "evidence", "reason"],
        json!({ "input": input_or_null.clone(), "note": s::string(), "evidence": { "type": "array", "items": s::int(), "description": "records of the unit's ledger" }, "reason": { "type": "string", "description": "why a reviewer's value departs from the ledger's" } }),
    );
    let sheet = object(
        &[
            "id",
            "cycle_id",
            "unit_id",
            "side",
            "version",
            "entries",
            "vetoes",
            "inputs",
            "total",
            "locks",
            "created_by",
            "created_by_name",
            "created_at",
        ],
        json!({ "id": s::int(), "cycle_id": s::int(), "unit_id": s::int(), "side": s::one_of(&["self", "review"]), "version": s::int(), "locks": { "type": "boolean", "description": "a review that locks the score" },
            "entries": { "type": "object", "description": "item id → what was entered", "additionalProperties": entry },
            "vetoes": s::array(s::string()),
            "inputs": { "type": "object", "description": "item id → the input scored, measured leaves as the ledger gave them", "additionalProperties": input.clone() },
            "total": points(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time() }),
    );
    let score_sheet = object(
        &[
            "total",
            "max",
            "items",
            "lines",
            "vetoed",
            "zeroed",
            "forced_grade",
            "no_commendation",
            "zero_item",
        ],
        json!({ "total": points(), "max": points(),
            "items": s::array(object(&["id", "score", "max", "deduction"], json!({ "id": s::string(), "score": points(), "max": points(), "deduction": points() }))),
            "lines": s::array(object(&["item", "text", "delta"], json!({ "item": s::string_or_null(), "text": { "type": "string", "description": "the 评分表 line: 缺 1 次 × 0.5 分 = −0.5（上限 8 分）" }, "delta": points() }))),
            "vetoed": s::array(s::string()), "zeroed": s::boolean(), "forced_grade": s::string_or_null(), "no_commendation": s::boolean(), "zero_item": s::boolean() }),
    );
    let raw_entry = object(
        &[],
        json!({ "value": { "type": "string", "description": "as typed: cases or count (an integer), points (up to two decimals), a share as done/total" },
            "note": { "type": "string", "description": "the reason of a range deduction, or what the unit says (up to 500 characters)" },
            "evidence": { "type": "array", "items": s::int(), "description": "records of the unit's ledger linked as evidence (at most 50)" },
            "levels": { "type": "object", "description": "commendation level → how many", "additionalProperties": s::string() },
            "reason": s::string() }),
    );
    let self_body = object(
        &["entries"],
        json!({ "entries": { "type": "object", "description": "item id of a leaf scored by people → its entry; measured leaves are the ledger's (a note and evidence are kept)", "additionalProperties": raw_entry.clone() } }),
    );
    let review_body = object(
        &["entries"],
        json!({ "entries": { "type": "object", "description": "item id of a leaf → its entry (every leaf scored by people; a measured leaf only to change the ledger's value, with `reason`)", "additionalProperties": raw_entry.clone() },
            "vetoes": { "type": "array", "items": s::string(), "description": "veto ids of the rubric found to apply" },
            "lock": { "type": "boolean", "description": "lock the score" } }),
    );
    ApiDoc::new()
        .path("/assessment/cycles", "get", op("Assessment cycles opened in a unit's subtree or assessing units of it, newest first", vec![unit_param()], None, (200, json_body("OK", list("CycleSummary"))), &[]))
        .path("/assessment/cycles", "post", op("Open a cycle (an editor of the unit): the rubric of a policy over the units of a kind below the unit, for a period, with its due dates and appeal window", vec![], Some(new_cycle), (201, json_body("created", r("CycleDetail"))), &[]))
        .path("/assessment/cycles/{id}", "get", op("A cycle with the units the caller reads and their current scores", vec![id_param()], None, (200, json_body("OK", r("CycleDetail"))), &[]))
        .path("/assessment/cycles/{id}/units/{unit}", "get", op("A unit's sheet: each leaf (measured ones with the ledger's value and the obligations counted), its self-assessments (every version) and the scored sheet kept", vec![id_param(), unit_path_param()], None, (200, json_body("OK", r("AssessmentSheet"))), &[]))
        .path("/assessment/cycles/{id}/units/{unit}/self", "post", op("Submit the unit's self-assessment as a new version (an editor of the unit or a holder of one of its roles); measured leaves are filled in from the ledger", vec![id_param(), unit_path_param()], Some(self_body), (201, json_body("created", r("AssessmentSheet"))), &[]))
        .path("/assessment/cycles/{id}/units/{unit}/review", "post", op("Review a unit's sheet as a new version (an editor of the opening unit): every leaf scored, a measured value changed only with a reason (`reason`), the vetoes found; `lock` locks the score (the unit may then appeal within the window). Places and grades of the cycle are recomputed and kept.", vec![id_param(), unit_path_param()], Some(review_body), (201, json_body("created", r("AssessmentSheet"))), &[]))
        .path("/assessment/cycles/{id}/units/{unit}/appeals", "post", op("Appeal against the unit's locked score (an editor of the unit or a holder of one of its roles), until the appeal window closes, one at a time", vec![id_param(), unit_path_param()], Some(object(&["text"], json!({ "text": { "type": "string", "description": "the grounds, up to 1000 characters" } }))), (201, json_body("created", r("AssessmentAppeal"))), &[]))
        .path("/assessment/cycles/{id}/appeals/{appeal}/answer", "post", op("Answer an appeal (an editor of the opening unit), once: upheld opens the unit's score for a new review", vec![id_param(), appeal_param()], Some(object(&["upheld", "text"], json!({ "upheld": s::boolean(), "text": { "type": "string", "description": "the answer, up to 1000 characters" } }))), (200, json_body("OK", r("AssessmentAppeal"))), &[]))
        .path("/assessment/cycles/{id}/ranking", "get", op("The cycle's ranking: each peer group (kind of unit) best first, places and grades as kept. Before publication only for readers of the opening unit.", vec![id_param()], None, (200, json_body("OK", r("AssessmentRanking"))), &[]))
        .path("/assessment/cycles/{id}/publish", "post", op("Publish the results (an editor of the opening unit), once every score is locked and every appeal answered; the cycle is then final and no appeal is taken. Within the appeal window only with `close_appeals_early` (publishing ends the window for every unit).", vec![id_param()], Some(object(&[], json!({ "close_appeals_early": { "type": "boolean", "description": "publish before the appeal window closes, ending it; default false" } }))), (200, json_body("OK", r("AssessmentRanking"))), &[]))
        .schema("AssessmentAppeal", object(&["id", "cycle_id", "unit_id", "unit_name", "text", "created_by", "created_by_name", "created_at", "upheld", "answer", "answered_by_name", "answered_at"], json!({
            "id": s::int(), "cycle_id": s::int(), "unit_id": s::int(), "unit_name": s::string(), "text": s::string(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time(),
            "upheld": { "type": ["boolean", "null"], "description": "null until answered" }, "answer": s::string_or_null(), "answered_by_name": s::string_or_null(), "answered_at": { "type": ["string", "null"], "format": "date-time" } })))
        .schema("AssessmentRanking", object(&["cycle", "units"], json!({ "cycle": r("Cycle"), "units": s::array(object(&["unit_id", "name", "peer_group", "place", "self_total", "review_total", "grade_id", "grade", "locked", "no_commendation"], json!({
            "unit_id": s::int(), "name": s::string(), "peer_group": { "type": "string", "description": "the kind of unit: ranked among its peers" }, "place": s::int_or_null(), "self_total": points_or_null(), "review_total": points_or_null(),
            "grade_id": s::string_or_null(), "grade": { "type": "string", "description": "the grade's title, empty until graded" }, "locked": s::boolean(), "no_commendation": s::boolean() }))) })))
        .schema("Cycle", cycle)
        .schema("CycleSummary", summary)
        .schema("CycleUnit", cycle_unit)
        .schema("CycleDetail", object(&["cycle", "unit_name", "policy_title", "reviewer", "units"], json!({ "cycle": r("Cycle"), "unit_name": s::string(), "policy_title": s::string(), "reviewer": { "type": "boolean", "description": "the caller reviews (an editor of the opening unit)" }, "units": list("CycleUnit") })))
        .schema("ScoreSheet", score_sheet)
        .schema("AssessmentSheetVersion", sheet)
        .schema("AssessmentSheet", object(&["cycle_id", "unit_id", "unit_name", "can_self_assess", "leaves", "self_assessments", "reviews", "appeals", "locked", "place", "grade_id", "score"], json!({
            "cycle_id": s::int(), "unit_id": s::int(), "unit_name": s::string(), "can_self_assess": s::boolean(),
            "leaves": s::array(object(&["item_id", "code", "title", "kind", "measured", "ledger", "obligations"], json!({ "item_id": s::string(), "code": s::string_or_null(), "title": s::string(),
                "kind": s::one_of(&["cases", "deduction", "commendations", "count", "share", "score"]), "measured": s::boolean(), "ledger": input_or_null, "obligations": s::array(s::int()) }))),
            "self_assessments": list("AssessmentSheetVersion"),
            "reviews": list("AssessmentSheetVersion"),
            "appeals": list("AssessmentAppeal"),
            "locked": s::boolean(), "place": s::int_or_null(), "grade_id": s::string_or_null(),
            "score": { "oneOf": [r("ScoreSheet"), { "type": "null" }] }
        })))
}
