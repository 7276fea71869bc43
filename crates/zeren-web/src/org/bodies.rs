//! Bodies (领导小组 and its office): rebuilding them from the policy and the current role
//! holders, adding a member by name, and the bodies of a unit as JSON.

use axum::response::Response;
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::people::UnitQuery;
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;

pub async fn sync_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Edit).await?;
    let installed = state
        .store
        .reader()
        .await?
        .policy_in_force(id)
        .await?
        .ok_or(Error::NotFound)?;
    let policy = parse_installed(&installed)?;
    let mut w = state.store.write(&v.actor()).await?;
    // Only the bodies that exist at this unit are refreshed; a unit that inherits the
    // policy builds them the first time here.
    w.sync_bodies(id, &zeren_store::install::body_specs(&policy), today())
        .await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{id}")))
}

pub async fn add_member_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let t = Tr(lang);
    let body = state
        .store
        .reader()
        .await?
        .body(id)
        .await?
        .ok_or(Error::NotFound)?;
    access::require(&state.store, &v, body.unit_id, Level::Edit).await?;
    let mut problems = Problems::new();
    let person = match field(&f, "person_id").parse::<i64>() {
        Ok(p) => state.store.reader().await?.person(p).await?,
        Err(_) => None,
    };
    match &person {
        None => problems.add("person_id", t.s("assign.pick_person")),
        Some(p) => {
            if access::require(&state.store, &v, p.unit_id, Level::Read)
                .await
                .is_err()
            {
                problems.add("person_id", t.s("assign.person_outside"));
            }
        }
    }
    let position = field(&f, "position");
    if !["chair", "deputy", "member"].contains(&position.as_str()) {
        problems.add("position", t.s("body.pick_position"));
    }
    let outcome = match (problems.check(), person) {
        (Ok(()), Some(person)) => {
            let mut w = state.store.write(&v.actor()).await?;
            match w.add_body_member(id, person.id, &position).await {
                Ok(()) => {
                    w.commit().await?;
                    Ok(())
                }
                Err(zeren_store::Error::Conflict(_)) => Err(Error::Fields(Problems::one(
                    "person_id",
                    t.f("body.already_member", &[("name", &person.name)]),
                ))),
                Err(e) => Err(e.into()),
            }
        }
        (Err(e), _) => Err(e),
        (Ok(()), None) => Err(Error::NotFound),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/units/{}", body.unit_id))),
        Err(e) => {
            let refused = Refused::of(&format!("member-{id}"), &f, e, lang)?;
            super::units::refused_page(&state, &v, lang, body.unit_id, refused).await
        }
    }
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<UnitQuery>,
) -> Result<axum::Json<Vec<Value>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let mut r = state.store.reader().await?;
    let mut out = Vec::new();
    for b in r.bodies_at(q.unit).await? {
        let members = r.body_members(b.id).await?;
        out.push(json!({ "body": b, "members": members }));
    }
    Ok(axum::Json(out))
}
