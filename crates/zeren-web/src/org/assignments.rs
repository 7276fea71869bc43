//! Role assignments (任职): giving a role of the policy in force, ending one (kept as history),
//! and the roles section of a unit's page, which htmx reloads after either.

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::people::UnitQuery;
use super::service;
use super::views::RolesPart;
use crate::shared::clock::today;
use crate::shared::context::is_htmx;
use crate::shared::prelude::*;

/// The roles section of a unit page, alone.
async fn roles_part(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: Unit,
    can_edit: bool,
    error: Option<String>,
) -> Result<RolesPart> {
    let today = today();
    let roles = service::roles(&state.store, &unit, today, lang).await?;
    let candidates = if can_edit {
        service::candidates(&state.store, &unit).await?
    } else {
        vec![]
    };
    Ok(RolesPart {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        governs: roles.governs,
        installed_at: roles.installed_at,
        applies_to: roles.applies_to,
        policy: roles.policy,
        roles: roles.rows,
        warnings: roles.warnings,
        history: roles.history,
        candidates,
        can_edit,
        today,
        error,
    })
}

/// Gives `role_id` at `unit_id` to a person (edit at the unit); obligations follow at once.
async fn assign(
    state: &AppState,
    v: &Viewer,
    unit: &Unit,
    person_id: i64,
    role_id: &str,
    starts_on: NaiveDate,
    lang: Lang,
) -> Result<Assignment> {
    let a = service::assign(
        &state.store,
        &v.actor(),
        unit,
        person_id,
        role_id,
        starts_on,
        lang,
    )
    .await?;
    state.obligations_changed();
    Ok(a)
}

#[derive(Deserialize)]
pub struct AssignForm {
    person_id: i64,
    role_id: String,
    starts_on: NaiveDate,
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let result = assign(
        &state,
        &v,
        &unit,
        f.person_id,
        &f.role_id,
        f.starts_on,
        lang,
    )
    .await;
    if is_htmx(&headers) {
        let error = result.err().map(|e| e.message(lang));
        let part = roles_part(&state, &v, lang, unit, true, error).await?;
        return Ok(render(&part)?.into_response());
    }
    result?;
    Ok(see_other(&format!("/units/{id}")))
}

#[derive(Deserialize)]
pub struct NewAssignment {
    person_id: i64,
    unit_id: i64,
    role_id: String,
    starts_on: NaiveDate,
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewAssignment>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, b.unit_id, Level::Edit).await?;
    let a = assign(
        &state,
        &v,
        &unit,
        b.person_id,
        &b.role_id,
        b.starts_on,
        lang,
    )
    .await?;
    Ok(created(a))
}

/// Ends an assignment (edit at its unit); returns it and its unit.
async fn end(
    state: &AppState,
    v: &Viewer,
    id: i64,
    ends_on: NaiveDate,
) -> Result<(Assignment, Unit)> {
    let a = state
        .store
        .reader()
        .await?
        .assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    let (unit, _) = access::require(&state.store, v, a.unit_id, Level::Edit).await?;
    let mut w = state.store.write(&v.actor()).await?;
    let a = w.end_assignment(id, ends_on).await?;
    w.commit().await?;
    state.obligations_changed();
    Ok((a, unit))
}

#[derive(Deserialize)]
pub struct EndForm {
    ends_on: NaiveDate,
}

pub async fn end_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<EndForm>,
) -> Result<Response> {
    let (a, unit) = end(&state, &v, id, f.ends_on).await?;
    if is_htmx(&headers) {
        let part = roles_part(&state, &v, lang, unit, true, None).await?;
        return Ok(render(&part)?.into_response());
    }
    Ok(see_other(&format!("/units/{}", a.unit_id)))
}

pub async fn end_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<EndForm>,
) -> Result<axum::Json<Assignment>> {
    Ok(axum::Json(end(&state, &v, id, b.ends_on).await?.0))
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<AssignmentView>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(axum::Json(
        state
            .store
            .reader()
            .await?
            .assignments_in_subtree(q.unit)
            .await?,
    ))
}
