//! Accountability (问责): cases opened on a closed incident or a lead, due process as an
//! enforced order (lead → preliminary check → start approved → team → facts shown → statement
//! heard and answered → report discussed → decision per subject → served → carried out → filed
//! with the parent and its 签收 → appeal → correction → archive), the holders of the policy's
//! roles on the day of the failure, the minutes of the decision at fault with each participant's
//! position and the allocation the rule suggests, the ledger of measures, and the 决定书 /
//! 陈述申辩记录 / 报备表 as DOCX — as pages and as the JSON API. The rules are
//! `zeren_core::accountability`; the SQL `zeren_store::accountability`.

mod case;
mod docs;
pub mod messages;
mod pages;

use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::shared::apidoc::{s, *};
use crate::shared::prelude::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accountability", get(pages::list).post(pages::create_form))
        .route("/accountability/new", get(pages::new_form))
        .route("/accountability/{id}", get(pages::page))
        .route("/accountability/{id}/act", post(pages::act_form))
        .route("/accountability/{id}/minutes", post(pages::minutes_form))
        .route(
            "/accountability/{id}/decisions/{position}",
            get(docs::decision),
        )
        .route(
            "/accountability/{id}/statements/{position}",
            get(docs::statement),
        )
        .route("/accountability/{id}/filing", get(docs::filing))
        .route("/units/{id}/accountability-measures", get(pages::measures))
}

async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<case::CaseJson>> {
    let l = case::load(&state, &v, id).await?;
    Ok(axum::Json(case::json(&l)))
}

async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    JsonBody(b): JsonBody<case::NewCaseInput>,
) -> Result<Response> {
    let c = case::open(&state, &v, b).await?;
    let l = case::load(&state, &v, c.id).await?;
    Ok(created(case::json(&l)))
}

async fn act_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<case::ActInput>,
) -> Result<axum::Json<case::CaseJson>> {
    case::act(&state, &v, id, b).await?;
    let l = case::load(&state, &v, id).await?;
    Ok(axum::Json(case::json(&l)))
}

async fn minutes_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<case::MinutesInput>,
) -> Result<Response> {
    case::record_minutes(&state, &v, id, b).await?;
    let l = case::load(&state, &v, id).await?;
    Ok(created(case::json(&l)))
}

pub fn api() -> ApiRouter {
    ApiRouter::new()
        .post("/accountability", create_json)
        .get("/accountability/{id}", json)
        .post("/accountability/{id}/actions", act_json)
        .post("/accountability/{id}/minutes", minutes_json)
}

pub fn doc() -> ApiDoc {
    let new_case = object(
        &["unit_id", "title", "lead", "event_on", "subjects"],
        json!({
            "unit_id": { "type": "integer", "description": "the unit that holds the case (the viewer edits it; a policy with [accountability] governs it)" },
            "source": { "type": "string", "enum": zeren_store::accountability::SOURCE_WORDS, "description": "where the case came from (lead by default)" },
            "source_id": s::int_or_null(),
            "title": s::string(),
            "lead": { "type": "string", "description": "the lead (问题线索)" },
            "event_on": { "type": "string", "format": "date", "description": "the day of the failure: responsibility is of that day's holders" },
            "opened_on": { "type": "string", "format": "date", "description": "the day the case was opened (立案); today by default; acts cannot be dated before it" },
            "subjects": { "type": "array", "items": { "type": "string" }, "description": "unit:ID or person:ID — the unit, units directly below it, or their people" },
            "circumstances": { "type": "array", "items": { "type": "string" }, "description": "circumstance ids of the policy's [accountability]" }
        }),
    );
    let act = object(
        &["action"],
        json!({
            "action": s::one_of(case::ACTION_INPUTS),
            "seen": { "type": "integer", "description": "the case's `seen` when the caller looked (409 if it moved on)" },
            "on": { "type": "string", "description": "the day it happened (YYYY-MM-DD, not after today, not before the last act); today by default" },
            "subject": { "type": "string", "description": "unit:ID or person:ID for the steps per subject (facts, statement, decide, serve, carry_out, appeal, appeal_decision, correct)" },
            "text": { "type": "string", "description": "check: the finding; correct: what is corrected" },
            "proceed": { "type": "boolean", "description": "check: pursue the case (otherwise it ends here)" },
            "members": { "type": "array", "items": s::int(), "description": "team: at least two people, none of them a subject" },
            "points": { "type": "array", "items": object(&["point"], json!({ "point": s::string(), "adopted": s::boolean(), "reason": { "type": "string", "description": "why not adopted (required then)" } })), "description": "statement: each point with its answer" },
            "declined": { "type": "boolean", "description": "statement: the subject chose not to make one" },
            "meeting": { "type": "string", "description": "discuss: the meeting (名称、日期或纪要编号)" },
            "measures": { "type": "array", "items": s::string(), "description": "decide: from the policy's list" },
            "responsibility": { "type": "string", "enum": case::RESPONSIBILITY_WORDS, "description": "decide, people: the allocation; differing from the suggestion needs `reason`" },
            "reason": s::string(),
            "no_commendation": { "type": "boolean", "description": "decide: also takes away the year's 评先评优" },
            "grounds": { "type": "string", "description": "appeal: the grounds (within the policy's window after service)" },
            "upheld": { "type": "boolean", "description": "appeal_decision: the decision is kept" }
        }),
    );
    let minutes = object(
        &["meeting", "participants"],
        json!({
            "meeting": s::string(),
            "alone": { "type": ["integer", "null"], "description": "the person who took the decision alone (one of the participants)" },
            "participants": { "type": "array", "items": object(&["person_id", "seat", "position"], json!({ "person_id": s::int(), "seat": s::one_of(zeren_store::accountability::Seat::WORDS), "position": s::one_of(case::POSITION_WORDS), "words": s::string() })) },
            "seen": { "type": "integer", "description": "the versions of the minutes the caller saw (409 if another came first)" }
        }),
    );
    let obj = s::any_object();
    let detail = object(
        &[
            "case",
            "unit_name",
            "part",
            "seen",
            "circumstances",
            "subjects",
            "next_steps",
            "ended",
            "team",
            "discussed",
            "filed_with",
            "filing_received",
            "archived",
            "acts",
            "minutes",
            "suggestions",
        ],
        json!({
            "case": obj.clone(),
            "unit_name": s::string(),
            "part": { "description": "body, investigator, parent, or {subject: [...]} for a subject who sees only their parts" },
            "seen": { "type": "integer", "description": "acts so far; send it back with an act" },
            "circumstances": s::array(obj.clone()),
            "subjects": s::array(object(&["subject", "key", "name", "part", "suggested", "appeal_until"], json!({ "subject": obj.clone(), "key": s::string(), "name": s::string(), "part": obj.clone(), "suggested": { "type": ["string", "null"], "description": "the allocation the rule suggests from the minutes: main, important or none (whoever recorded 反对)" }, "appeal_until": { "type": ["string", "null"], "format": "date" } }))),
            "next_steps": s::array(s::string()),
            "ended": s::boolean(),
            "team": s::array(s::int()),
            "discussed": { "type": ["string", "null"], "format": "date" },
            "filed_with": s::int_or_null(),
            "filing_received": { "type": ["string", "null"], "format": "date" },
            "archived": { "type": ["string", "null"], "format": "date" },
            "acts": s::array(obj.clone()),
            "minutes": { "type": ["object", "null"] },
            "suggestions": s::array(obj)
        }),
    );
    ApiDoc::new()
        .path("/accountability", "post", op("Open an accountability case (an editor of the unit under a policy with [accountability]): the lead, the day of the failure, the subjects and the policy's circumstances", vec![], Some(new_case), (201, json_body("created", r("AccountabilityCase"))), &[]))
        .path("/accountability/{id}", "get", op("A case as the viewer may see it: the deciding body, its investigators and the parent it was filed with see all; a subject sees only their own parts", vec![id_param()], None, (200, json_body("OK", r("AccountabilityCase"))), &[]))
        .path("/accountability/{id}/actions", "post", op("A step of due process, checked against the case by the rules: a step out of order is refused naming the step it needs; approve by the policy's approver; filing with the parent and its 签收 by the parent; appeal by the subject within the window", vec![id_param()], Some(act), (200, json_body("OK", r("AccountabilityCase"))), &[409]))
        .path("/accountability/{id}/minutes", "post", op("A new version of the minutes of the decision at fault (the body or an investigator): each participant's seat and position (同意/反对/保留) with their words; the suggested allocation follows from it", vec![id_param()], Some(minutes), (201, json_body("created", r("AccountabilityCase"))), &[409]))
        .schema("AccountabilityCase", detail)
}
