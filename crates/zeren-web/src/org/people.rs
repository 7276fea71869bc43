//! People: adding one (checked like a roster row), a person's page and JSON, the people of a
//! subtree. Page and API share the loading and the rules.

use axum::response::{Html, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::service;
use super::views::*;
use crate::shared::extract::field;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::view::crumbs;

#[derive(Deserialize)]
pub struct PersonForm {
    pub name: Option<String>,
    pub gender: Option<String>,
    pub id_number: Option<String>,
    pub employee_no: Option<String>,
    pub phone: Option<String>,
    pub position: Option<String>,
    pub political_status: Option<String>,
}

impl PersonForm {
    fn fields(self) -> [Option<String>; 7] {
        [
            self.name,
            self.gender,
            self.id_number,
            self.employee_no,
            self.phone,
            self.position,
            self.political_status,
        ]
    }
}

/// Checks a person against the roster rules and stores it in `unit_id` (edit there).
pub async fn add(
    state: &AppState,
    v: &Viewer,
    unit_id: i64,
    f: PersonForm,
    lang: Lang,
) -> Result<Person> {
    let (unit, _) = access::require(&state.store, v, unit_id, Level::Edit).await?;
    super::service::refuse_retired(&unit, lang)?;
    let ids: Vec<String> = f
        .id_number
        .iter()
        .map(|s| s.trim().to_ascii_uppercase())
        .collect();
    let nos: Vec<String> = f.employee_no.iter().map(|s| s.trim().to_string()).collect();
    let taken = state
        .store
        .reader()
        .await?
        .taken_numbers(&ids, &nos)
        .await?;
    let p = service::check_person(&unit, f.fields(), &taken, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    let p = w.create_person(&p).await.map_err(|e| match e {
        // Another request took the number meanwhile.
        zeren_store::Error::Conflict(_) => Error::Invalid(Tr(lang).s("person.number_taken").into()),
        e => e.into(),
    })?;
    w.commit().await?;
    Ok(p)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let get = |k: &str| Some(field(&f, k));
    let person = PersonForm {
        name: get("name"),
        gender: get("gender"),
        id_number: get("id_number"),
        employee_no: get("employee_no"),
        phone: get("phone"),
        position: get("position"),
        political_status: get("political_status"),
    };
    match add(&state, &v, id, person, lang).await {
        Ok(p) => Ok(see_other(&format!("/people/{}", p.id))),
        Err(e) => {
            let refused = Refused::of("person", &f, e, lang)?;
            super::units::refused_page(&state, &v, lang, id, refused).await
        }
    }
}

#[derive(Deserialize)]
pub struct NewPersonBody {
    unit_id: i64,
    #[serde(flatten)]
    person: PersonForm,
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewPersonBody>,
) -> Result<Response> {
    Ok(created(add(&state, &v, b.unit_id, b.person, lang).await?))
}

/// A person the viewer may read (read at the person's unit).
pub async fn load(state: &AppState, v: &Viewer, id: i64) -> Result<Person> {
    let p = state
        .store
        .reader()
        .await?
        .person(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, v, p.unit_id, Level::Read).await?;
    Ok(p)
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let p = load(&state, &v, id).await?;
    let mut r = state.store.reader().await?;
    render(&PersonPage {
        chrome: Chrome::new(lang, Some(&v)),
        path: crumbs(&state.store, &v, r.path(p.unit_id).await?).await?,
        id_masked: p.id_number.as_deref().map(mask_id).unwrap_or_default(),
        assignments: service::with_titles(&state.store, r.assignments_of(id).await?).await?,
        person: p,
    })
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>> {
    let p = load(&state, &v, id).await?;
    let assignments = state.store.reader().await?.assignments_of(id).await?;
    Ok(axum::Json(
        json!({ "person": p, "assignments": assignments }),
    ))
}

#[derive(Deserialize)]
pub struct UnitQuery {
    pub unit: i64,
}

#[derive(Deserialize)]
pub struct PeopleQuery {
    unit: i64,
    /// The people after this one in name order (the last of the previous page).
    after: Option<i64>,
    limit: Option<i64>,
}

/// A page of the people of a unit's subtree, by name then id. When more follow, the `Link`
/// header names the next page (`rel="next"`, the same query with `after` set).
pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<PeopleQuery>,
) -> Result<(axum::http::HeaderMap, axum::Json<Vec<Person>>)> {
    use zeren_store::ledger::MAX_PAGE;
    use zeren_store::pages::{PageRead, PeoplePageQuery};
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let people = state
        .store
        .reader()
        .await?
        .people_page(&PeoplePageQuery {
            unit: q.unit,
            after: q.after,
            limit,
        })
        .await?;
    let headers = crate::shared::respond::next_page(
        "/api/v1/people",
        raw.as_deref(),
        people.len(),
        limit,
        "after",
        people.last().map(|p| p.id.to_string()),
    );
    Ok((headers, axum::Json(people)))
}
