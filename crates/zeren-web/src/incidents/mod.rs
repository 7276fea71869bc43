//! Incidents (突发事件 / 舆情): reporting one in a minute, the report series (初报 → 续报 → 终报)
//! with 签发 before a report leaves the unit, escalation up the tree with 签收, wall-clock
//! deadlines with their countdowns and 迟报 / 漏报, the handling log and closure review — as
//! pages and as the JSON API. The rules are `zeren_core::incident`; the SQL `zeren_store::incidents`.

mod api;
mod incident;
pub mod messages;
mod pages;
mod statistics;

use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(pages::list).post(pages::create_form))
        .route("/incidents/new", get(pages::new_form))
        .route("/units/{id}/incident-statistics", get(statistics::page))
        .route(
            "/units/{id}/incident-statistics.xlsx",
            get(statistics::xlsx),
        )
        .route("/incidents/{id}", get(pages::page))
        .route("/incidents/{id}/reports", post(pages::draft_form))
        .route("/incidents/{id}/act", post(pages::act_form))
        .route(
            "/incidents/{id}/files/{version}/{position}",
            get(pages::download),
        )
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/incidents", api::list_json)
        .post("/incidents", api::create_json)
        .get("/incidents/{id}", api::json)
        .post("/incidents/{id}/reports", api::draft_json)
        .post("/incidents/{id}/actions", api::act_json)
        .get("/units/{id}/incident-statistics", statistics::json)
}

fn time_or_null() -> serde_json::Value {
    json!({ "type": ["string", "null"], "format": "date-time" })
}

pub fn doc() -> ApiDoc {
    let files = s::array(r("FileUpload"));
    let report_words = json!({ "type": "string", "description": "initial, follow_up_N (N from 1) or final", "examples": ["initial", "follow_up_1", "final"] });
    let time_in = json!({ "type": "string", "description": "China time as a form sends it (2026-12-10T14:30) or RFC 3339" });
    let new_incident = object(
        &["unit_id", "level", "title", "known_at", "body"],
        json!({
            "unit_id": s::int(),
            "kind": { "type": "string", "description": "an incident kind id of the policy in force (required when it names kinds)" },
            "level": { "type": "string", "description": "a level id of the policy in force, chosen by the reporter" },
            "title": { "type": "string", "description": "what happened, in a line" },
            "place": s::string(),
            "occurred_at": time_in.clone(),
            "known_at": { "type": "string", "description": "when the unit learnt of it: the deadlines run from here (China time or RFC 3339)" },
            "facts": { "type": "object", "description": "measure id → number, for the levels' thresholds", "additionalProperties": s::int() },
            "body": { "type": "string", "description": "the 初报: what happened and how it stands" },
            "measures": { "type": "string", "description": "first measures taken" },
            "attachments": files.clone()
        }),
    );
    let draft = object(
        &["report", "body"],
        json!({ "report": report_words, "body": s::string(), "measures": s::string(), "attachments": files, "seen": { "type": "integer", "description": "the incident's `seen` when the caller looked (409 if it moved on)" } }),
    );
    let act = object(
        &["action"],
        json!({
            "action": s::one_of(incident::ACTION_INPUTS),
            "report": { "type": "string", "description": "sign_off, send, relay, receive: the report (initial, follow_up_N, final)" },
            "hash": { "type": "string", "description": "sign_off, send: the hash of the version signed off or sent" },
            "to": { "type": "array", "items": s::int(), "description": "send, phone: recipient units (the incident's `recipients` by default on the page)" },
            "at": { "type": "string", "description": "phone: when the call was made (China time or RFC 3339)" },
            "due": { "type": "string", "description": "request_follow_up: the 续报's deadline (China time or RFC 3339)" },
            "level": { "type": "string", "description": "raise_level: the new, more severe level id" },
            "text": { "type": "string", "description": "raise_level: the reason; instruct: the 批示; log: the entry; accept_closure / return_closure: the opinion" },
            "handling": { "type": "integer", "description": "log: the index of the level's handling requirement the entry fulfils" },
            "summary": { "type": "string", "description": "propose_closure" },
            "lessons": { "type": "string", "description": "propose_closure" },
            "seen": { "type": "integer", "description": "the incident's `seen` when the caller looked (409 if it moved on)" }
        }),
    );
    let incident = object(
        &[
            "id",
            "unit_id",
            "installed_policy_id",
            "kind_id",
            "level_id",
            "suggested_level_id",
            "title",
            "place",
            "occurred_at",
            "known_at",
            "facts",
            "reporter_person_id",
            "reporter_name",
            "created_by",
            "created_at",
        ],
        json!({ "id": s::int(), "unit_id": s::int(), "installed_policy_id": s::int(), "kind_id": s::string(), "level_id": { "type": "string", "description": "the level chosen when reported" }, "suggested_level_id": s::string_or_null(), "title": s::string(), "place": s::string(), "occurred_at": time_or_null(), "known_at": s::time(), "facts": { "type": "object", "additionalProperties": s::int() }, "reporter_person_id": s::int(), "reporter_name": s::string(), "created_by": s::int_or_null(), "created_at": s::time() }),
    );
    let stages = zeren_store::incidents::STAGE_WORDS;
    let minutes = |what: &str| json!({ "type": ["number", "null"], "description": format!("{what} of the wall-clock minutes from becoming known to the first report (null: none reported)") });
    const TALLY: [&str; 8] = [
        "key",
        "count",
        "open",
        "late",
        "missing",
        "reported",
        "median_minutes",
        "p90_minutes",
    ];
    let tally = object(
        &TALLY,
        json!({
            "key": { "type": "string", "description": "the group: a kind or level id, a unit id, a month 1–12; empty for all" },
            "count": s::int(),
            "open": { "type": "integer", "description": "not yet closed" },
            "late": { "type": "integer", "description": "with at least one report made after its deadline (迟报)" },
            "missing": { "type": "integer", "description": "with at least one report past its deadline and not made (漏报)" },
            "reported": { "type": "integer", "description": "with a first report (the times are over these)" },
            "median_minutes": minutes("The median"),
            "p90_minutes": minutes("The 90th percentile (PERCENTILE.INC)")
        }),
    );
    let mut named_props = tally["properties"].clone();
    named_props["title"] = s::string();
    let mut named_required: Vec<&str> = vec!["title"];
    named_required.extend(TALLY);
    let named = object(&named_required, named_props);
    let stats = object(
        &[
            "unit_id",
            "unit_name",
            "year",
            "as_of",
            "truncated",
            "total",
            "by_month",
            "by_level",
            "by_kind",
            "by_unit",
        ],
        json!({
            "unit_id": s::int(), "unit_name": s::string(), "year": s::int(),
            "as_of": { "type": "string", "format": "date-time", "description": "the wall clock the deadlines were judged at" },
            "truncated": { "type": "boolean", "description": "the year held more incidents than are counted (only the latest are)" },
            "total": r("IncidentTally"),
            "by_month": { "type": "array", "items": r("IncidentTallyNamed"), "description": "twelve months, January first" },
            "by_level": { "type": "array", "items": r("IncidentTallyNamed"), "description": "most severe first" },
            "by_kind": { "type": "array", "items": r("IncidentTallyNamed"), "description": "most frequent first" },
            "by_unit": { "type": "array", "items": r("IncidentTallyNamed"), "description": "the units directly below (and the unit itself), most frequent first" }
        }),
    );
    ApiDoc::new()
        .path("/units/{id}/incident-statistics", "get", op("Incident statistics of a unit's subtree (the viewer must read the unit) for a year: by month, level, kind and unit below, late (迟报) and missed (漏报) reports, time to first report", vec![id_param(), query("year", s::int())], None, (200, json_body("OK", r("IncidentStatistics"))), &[]))
        .schema("IncidentTally", tally)
        .schema("IncidentTallyNamed", named)
        .schema("IncidentStatistics", stats)
        .path("/incidents", "get", op("Incidents reported in a unit's subtree, the most recently known first", vec![unit_param(), query("open", s::boolean())], None, (200, json_body("OK", list("IncidentSummary"))), &[]))
        .path("/incidents", "post", op("Report an incident (an editor of the unit or a holder of one of its roles, linked to a person): the facts and the 初报, drafted; it leaves the unit with `send` (after 签发 when the level requires it)", vec![], Some(new_incident), (201, json_body("created", r("IncidentDetail"))), &[409]))
        .path("/incidents/{id}", "get", op("An incident with its reports (every version), events, and every deadline at the server's wall clock (countdown, 迟报, 漏报)", vec![id_param()], None, (200, json_body("OK", r("IncidentDetail"))), &[]))
        .path("/incidents/{id}/reports", "post", op("A new version of a report by the reporting unit: the 初报 corrected before it leaves, a 续报, or the 终报", vec![id_param()], Some(draft), (201, json_body("created", r("IncidentDetail"))), &[409]))
        .path("/incidents/{id}/actions", "post", op("An act on the incident. The reporting unit: sign_off (the role the level names), send (refused before 签发 when required), phone, log, end_handling, propose_closure. A unit above it that received a report: receive (签收), relay, request_follow_up, raise_level, instruct, accept_closure / return_closure (the reviewer the level names). 409 when another act came first.", vec![id_param()], Some(act), (200, json_body("OK", r("IncidentDetail"))), &[409]))
        .schema("Incident", incident)
        .schema("IncidentSummary", object(&["incident", "unit_name", "stage", "level_id"], json!({ "incident": r("Incident"), "unit_name": s::string(), "stage": s::one_of(stages), "level_id": { "type": "string", "description": "the level now (raised or as reported)" } })))
        .schema("IncidentDetail", object(&["incident", "unit_name", "stage", "stage_zh", "level_id", "next_reports", "recipients", "seen", "reports", "events", "clocks"], json!({
            "incident": r("Incident"),
            "unit_name": s::string(),
            "stage": s::one_of(stages),
            "stage_zh": s::string(),
            "level_id": s::string(),
            "next_reports": s::array(s::string()),
            "recipients": { "type": "array", "items": s::int(), "description": "the units a written report goes to directly" },
            "seen": { "type": "integer", "description": "events so far; send it back with an act" },
            "reports": s::array(object(&["id", "incident_id", "report", "version", "body", "measures", "hash", "created_by", "created_by_name", "created_at", "attachments"], json!({
                "id": s::int(), "incident_id": s::int(), "report": s::string(), "version": s::int(), "body": s::string(), "measures": s::string(), "hash": s::string(), "created_by": s::int_or_null(), "created_by_name": s::string(), "created_at": s::time(),
                "attachments": s::array(object(&["version_id", "position", "file_name", "sha256", "size", "media_type"], json!({ "version_id": s::int(), "position": s::int(), "file_name": s::string(), "sha256": s::string(), "size": s::int(), "media_type": s::string() })))
            }))),
            "events": s::array(object(&["seq", "action", "report", "unit_id", "stage", "level_id", "event", "at", "by_account", "by_name", "recorded_at"], json!({
                "seq": s::int(), "action": s::one_of(zeren_store::incidents::ACTION_WORDS), "report": s::string_or_null(), "unit_id": s::int_or_null(), "stage": s::one_of(stages), "level_id": s::string(),
                "event": { "type": "object", "description": "the rules' event; `event` names it" }, "at": s::time(), "by_account": s::int_or_null(), "by_name": s::string(), "recorded_at": s::time()
            }))),
            "clocks": s::array(object(&["clock", "what_zh", "unit_id", "to_unit_id", "due_at", "done_at", "state", "minutes", "state_zh"], json!({
                "clock": s::one_of(incident::CLOCK_WORDS), "what_zh": s::string(), "unit_id": { "type": "integer", "description": "the unit that must act" }, "to_unit_id": s::int_or_null(),
                "due_at": time_or_null(), "done_at": time_or_null(), "state": s::one_of(incident::TIMELINESS_WORDS),
                "minutes": { "type": ["integer", "null"], "description": "minutes left (pending), late (late: 迟报; missing: 漏报) or taken (took, waiting)" }, "state_zh": s::string()
            })))
        })))
}
