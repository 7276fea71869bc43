//! Oversight of the subtree (督查): a unit's dashboard over the units below it — how their
//! obligations stand by unit, duty and month, the reports waiting for 签收 — with every number
//! leading to the obligations it counts; as pages, JSON and a workbook. Read at the unit is all
//! it takes, and shows that unit's subtree only.

mod dashboard;
mod drill;
pub mod messages;
mod svg;

use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::respond::XLSX;
use crate::shared::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/dashboard", get(dashboard::page))
        .route("/units/{id}/dashboard.xlsx", get(dashboard::xlsx))
        .route("/units/{id}/dashboard/obligations", get(drill::page))
        .route("/units/{id}/dashboard/reports", get(drill::reports))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .get("/units/{id}/dashboard", dashboard::json)
        .get("/units/{id}/dashboard.xlsx", dashboard::xlsx)
}

pub fn doc() -> ApiDoc {
    let year = query(
        "year",
        json!({ "type": "integer", "minimum": 2000, "maximum": 2100, "description": "the year obligations fall due in; this year when absent" }),
    );
    ApiDoc::new()
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
