//! The JSON API under `/api/v1`, for scripts (Bearer tokens) and integrations. Same checks
//! as the pages; errors come back as `{"error": code, "message": …}` with the status code.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::*;

use crate::access;
use crate::auth::Viewer;
use crate::error::{Error, Result};
use crate::extract::{Json as JsonBody, Path, Query};
use crate::i18n::Lang;
use crate::org;
use crate::pages::{self, PersonForm};
use crate::AppState;

fn created(v: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

pub async fn not_found() -> Error {
    Error::NotFound
}

#[derive(Deserialize)]
pub struct UnitQuery {
    unit: i64,
}

pub async fn units(State(state): State<AppState>, v: Viewer) -> Result<Json<Vec<Unit>>> {
    Ok(Json(access::visible_units(&state.store, &v).await?))
}

#[derive(Deserialize)]
pub struct NewUnit {
    parent_id: i64,
    name: String,
    kind: String,
}

pub async fn create_unit(
    State(state): State<AppState>,
    v: Viewer,
    JsonBody(b): JsonBody<NewUnit>,
) -> Result<Response> {
    access::require(&state.store, &v, b.parent_id, Level::Administer).await?;
    let (name, kind) = (b.name.trim(), b.kind.trim());
    if name.is_empty() || name.chars().count() > 100 || kind.is_empty() || kind.chars().count() > 20
    {
        return Err(Error::Invalid(
            "name: 1–100 characters, kind: 1–20 characters".into(),
        ));
    }
    let mut w = state.store.write(&v.actor()).await?;
    let u = w.create_unit(Some(b.parent_id), name, kind).await?;
    w.commit().await?;
    Ok(created(u))
}

pub async fn unit(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let (unit, level) = access::require(&state.store, &v, id, Level::Read).await?;
    let roles = org::roles(&state.store, &unit, org::today(), lang).await?;
    let mut r = state.store.reader().await?;
    let role_list: Vec<Value> = roles
        .rows
        .iter()
        .map(|x| json!({ "id": x.id, "title": x.title, "holders": x.holders }))
        .collect();
    Ok(Json(json!({
        "unit": unit,
        "level": level,
        "path": r.path(id).await?,
        "children": r.children(id).await?,
        "policy": roles.policy,
        "roles": role_list,
        "warnings": roles.warnings,
    })))
}

pub async fn people(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<Person>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(Json(
        state
            .store
            .reader()
            .await?
            .people_in_subtree(q.unit)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct NewPersonBody {
    unit_id: i64,
    #[serde(flatten)]
    person: PersonForm,
}

pub async fn create_person(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewPersonBody>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, b.unit_id, Level::Edit).await?;
    Ok(created(
        pages::add_person(&state, &v, &unit, b.person, lang).await?,
    ))
}

pub async fn person(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<Value>> {
    let p = state
        .store
        .reader()
        .await?
        .person(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, p.unit_id, Level::Read).await?;
    let assignments = state.store.reader().await?.assignments_of(id).await?;
    Ok(Json(json!({ "person": p, "assignments": assignments })))
}

pub async fn assignments(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<AssignmentView>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(Json(
        state
            .store
            .reader()
            .await?
            .assignments_in_subtree(q.unit)
            .await?,
    ))
}

#[derive(Deserialize)]
pub struct NewAssignment {
    person_id: i64,
    unit_id: i64,
    role_id: String,
    starts_on: NaiveDate,
}

pub async fn create_assignment(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewAssignment>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, b.unit_id, Level::Edit).await?;
    let a = org::assign(
        &state.store,
        &v.actor(),
        &unit,
        b.person_id,
        &b.role_id,
        b.starts_on,
        lang,
    )
    .await?;
    state.obligations_changed();
    Ok(created(a))
}

#[derive(Deserialize)]
pub struct EndAssignment {
    ends_on: NaiveDate,
}

pub async fn end_assignment(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<EndAssignment>,
) -> Result<Json<Assignment>> {
    let a = state
        .store
        .reader()
        .await?
        .assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, a.unit_id, Level::Edit).await?;
    let mut w = state.store.write(&v.actor()).await?;
    let a = w.end_assignment(id, b.ends_on).await?;
    state.obligations_changed();
    w.commit().await?;
    Ok(Json(a))
}

pub async fn policies(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Value>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let mut r = state.store.reader().await?;
    Ok(Json(json!({
        "in_force": r.policy_in_force(q.unit).await?,
        "history": r.policy_history(q.unit).await?,
    })))
}

#[derive(Deserialize)]
pub struct InstallBody {
    unit_id: i64,
    /// A bundled pack's id, or…
    pack: Option<String>,
    /// …a policy text (with an optional file name for the diagnostics).
    text: Option<String>,
    file_name: Option<String>,
}

pub async fn install_policy(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<InstallBody>,
) -> Result<Response> {
    access::require(&state.store, &v, b.unit_id, Level::Administer).await?;
    let (name, text) = match (&b.pack, &b.text) {
        (Some(p), None) => {
            let pack = crate::packs::find(p).ok_or(Error::NotFound)?;
            (format!("{}.toml", pack.id), pack.text.to_string())
        }
        (None, Some(t)) => (
            b.file_name.clone().unwrap_or_else(|| "policy.toml".into()),
            t.clone(),
        ),
        _ => return Err(Error::Invalid("give exactly one of pack and text".into())),
    };
    let policy = match zeren_policy::parse(&name, &text) {
        Ok(p) => p,
        Err(d) => {
            let list: Vec<Value> = d
                .iter()
                .map(|x| json!({ "line": x.line, "column": x.column, "path": x.path, "message": x.to_string(), "message_zh": x.message_zh() }))
                .collect();
            let body = json!({ "error": "invalid", "message": "the policy has errors", "diagnostics": list });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
        }
    };
    let old = state
        .store
        .reader()
        .await?
        .policy_history(b.unit_id)
        .await?
        .into_iter()
        .find(|p| p.current);
    let old = old.as_ref().map(org::parse_installed).transpose()?;
    let mut w = state.store.write(&v.actor()).await?;
    let installed = org::install(&mut w, b.unit_id, &policy, &text, org::today()).await?;
    state.obligations_changed();
    w.commit().await?;
    let diff = org::describe_change(old.as_ref(), &policy, lang);
    Ok(created(json!({ "installed": installed, "changes": diff })))
}

pub async fn bodies(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<Value>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let mut out = Vec::new();
    for b in r.bodies_at(q.unit).await? {
        let members = r.body_members(b.id).await?;
        out.push(json!({ "body": b, "members": members }));
    }
    Ok(Json(out))
}

/// Import a roster: the request body is the XLSX or CSV file. All rows or none.
pub async fn import_roster(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    match pages::check_roster(&state, &unit, &body, lang).await? {
        Ok(people) => {
            let mut w = state.store.write(&v.actor()).await?;
            for p in &people {
                w.create_person(p).await?;
            }
            w.commit().await?;
            Ok(created(json!({ "imported": people.len() })))
        }
        Err(problems) => {
            let list: Vec<Value> = problems
                .iter()
                .map(|p| json!({ "row": p.row, "reason": p.reason }))
                .collect();
            let body = json!({ "error": "invalid", "message": "the roster has errors; nothing was imported", "problems": list });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
        }
    }
}

pub async fn audit(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<pages::AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>> {
    v.require_duty(AdminDuty::Audit)?;
    let (filter, _) = pages::audit_filter(&q)?;
    Ok(Json(
        state.store.reader().await?.audit_search(&filter).await?,
    ))
}

pub async fn audit_verify(State(state): State<AppState>, v: Viewer) -> Result<Json<Verification>> {
    v.require_duty(AdminDuty::Audit)?;
    Ok(Json(state.store.verify_audit().await?))
}
