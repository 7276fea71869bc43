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
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

/// The roles section of a unit page, alone.
async fn roles_part(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    unit: Unit,
    can_edit: bool,
    refused: Refused,
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
        refused,
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
    service::refuse_retired(unit, lang)?;
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

/// The person, role and date an assignment form sent, each checked.
fn parsed(f: &[(String, String)], lang: Lang) -> Result<(i64, String, NaiveDate)> {
    let t = Tr(lang);
    let mut problems = Problems::new();
    let person = field(f, "person_id").parse::<i64>();
    if person.is_err() {
        problems.add("person_id", t.s("assign.pick_person"));
    }
    let role = field(f, "role_id");
    if role.trim().is_empty() {
        problems.add("role_id", t.s("assign.bad_role"));
    }
    let starts = NaiveDate::parse_from_str(field(f, "starts_on").trim(), "%Y-%m-%d");
    if starts.is_err() {
        problems.add("starts_on", t.s("assign.bad_date"));
    }
    problems.check()?;
    Ok((person.unwrap_or_default(), role, starts.unwrap_or_default()))
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let result = match parsed(&f, lang) {
        Ok((person, role, starts)) => assign(&state, &v, &unit, person, &role, starts, lang).await,
        Err(e) => Err(e),
    };
    let refused = match result {
        Ok(_) => Refused::default(),
        Err(e) => Refused::of("assign", &f, e, lang)?,
    };
    if is_htmx(&headers) {
        // htmx swaps the fragment in whatever the status; the refusal shows in it.
        let part = roles_part(&state, &v, lang, unit, true, refused).await?;
        return Ok(render(&part)?.into_response());
    }
    if refused.problems.is_empty() {
        return Ok(see_other(&format!("/units/{id}")));
    }
    super::units::refused_page(&state, &v, lang, id, refused).await
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
    lang: Lang,
) -> Result<(Assignment, Unit)> {
    let t = Tr(lang);
    let a = state
        .store
        .reader()
        .await?
        .assignment(id)
        .await?
        .ok_or(Error::NotFound)?;
    let (unit, _) = access::require(&state.store, v, a.unit_id, Level::Edit).await?;
    if a.ends_on.is_some() {
        return Err(Error::Conflict(t.s("assign.already_ended").into()));
    }
    if ends_on < a.starts_on {
        return Err(Error::Fields(Problems::one(
            "ends_on",
            t.f("assign.ends_before", &[("date", &a.starts_on.to_string())]),
        )));
    }
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
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let result = match NaiveDate::parse_from_str(field(&f, "ends_on").trim(), "%Y-%m-%d") {
        Ok(d) => end(&state, &v, id, d, lang).await,
        Err(_) => Err(Error::Fields(Problems::one(
            "ends_on",
            Tr(lang).s("assign.bad_end_date"),
        ))),
    };
    let (unit, refused) = match result {
        Ok((_, unit)) => (unit, Refused::default()),
        Err(e) => {
            // The assignment's unit, for the page to show again.
            let a = state
                .store
                .reader()
                .await?
                .assignment(id)
                .await?
                .ok_or(Error::NotFound)?;
            let (unit, _) = access::require(&state.store, &v, a.unit_id, Level::Edit).await?;
            (unit, Refused::of("end", &f, e, lang)?)
        }
    };
    if is_htmx(&headers) {
        let part = roles_part(&state, &v, lang, unit, true, refused).await?;
        return Ok(render(&part)?.into_response());
    }
    if refused.problems.is_empty() {
        return Ok(see_other(&format!("/units/{}", unit.id)));
    }
    super::units::refused_page(&state, &v, lang, unit.id, refused).await
}

pub async fn end_json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    lang: Lang,
    JsonBody(b): JsonBody<EndForm>,
) -> Result<axum::Json<Assignment>> {
    Ok(axum::Json(end(&state, &v, id, b.ends_on, lang).await?.0))
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
