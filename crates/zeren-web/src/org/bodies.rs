//! Bodies (领导小组 and its office): rebuilding them from the policy and the current role
//! holders, adding a member by name, and the bodies of a unit as JSON.

use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::people::UnitQuery;
use crate::shared::clock::today;
use crate::shared::policies::parse_installed;
use crate::shared::prelude::*;

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

#[derive(Deserialize)]
pub struct MemberForm {
    person_id: i64,
    position: String,
}

pub async fn add_member_form(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<MemberForm>,
) -> Result<Response> {
    let mut r = state.store.reader().await?;
    let body = r.body(id).await?.ok_or(Error::NotFound)?;
    let person = r.person(f.person_id).await?.ok_or(Error::NotFound)?;
    drop(r);
    access::require(&state.store, &v, body.unit_id, Level::Edit).await?;
    access::require(&state.store, &v, person.unit_id, Level::Read).await?;
    if !["chair", "deputy", "member"].contains(&f.position.as_str()) {
        return Err(Error::Invalid("position".into()));
    }
    let mut w = state.store.write(&v.actor()).await?;
    w.add_body_member(id, person.id, &f.position).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{}", body.unit_id)))
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
