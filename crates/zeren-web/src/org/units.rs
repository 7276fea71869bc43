//! Units: the tree the viewer may read, a unit with its roles, people and bodies, creating and
//! renaming units. Page and API share the loading and the rules.

use axum::response::{Html, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::service;
use super::views::*;
use crate::shared::clock::today;
use crate::shared::prelude::*;
use crate::shared::view::crumbs;

/// Depth-first order for the tree view.
fn walk(all: &[Unit], at: &Unit, depth: usize, out: &mut Vec<TreeNode>) {
    out.push(TreeNode {
        unit: at.clone(),
        depth: depth.min(10),
    });
    let mut kids: Vec<&Unit> = all.iter().filter(|u| u.parent_id == Some(at.id)).collect();
    kids.sort_by(|a, b| a.name.cmp(&b.name));
    for k in kids {
        walk(all, k, depth + 1, out);
    }
}

pub async fn tree_page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
) -> Result<Html<String>> {
    let roots = access::roots(&state.store, &v).await?;
    let mut nodes = Vec::new();
    let mut r = state.store.reader().await?;
    for root in &roots {
        let sub = r.subtree(root.id).await?;
        walk(&sub, root, 0, &mut nodes);
    }
    render(&UnitsPage {
        chrome: Chrome::new(lang, Some(&v)),
        roots,
        nodes,
    })
}

pub async fn list_json(State(state): State<AppState>, v: Viewer) -> Result<axum::Json<Vec<Unit>>> {
    Ok(axum::Json(access::visible_units(&state.store, &v).await?))
}

/// A unit as its page and the API show it: where it sits, its roles and the viewer's level.
pub struct UnitData {
    pub unit: Unit,
    pub level: Level,
    pub path: Vec<Unit>,
    pub children: Vec<Unit>,
    pub roles: service::Roles,
}

/// Loads a unit the viewer may read, with its roles under the policy in force.
pub async fn load(state: &AppState, v: &Viewer, id: i64, lang: Lang) -> Result<UnitData> {
    let (unit, level) = access::require(&state.store, v, id, Level::Read).await?;
    let roles = service::roles(&state.store, &unit, today(), lang).await?;
    let mut r = state.store.reader().await?;
    Ok(UnitData {
        path: r.path(id).await?,
        children: r.children(id).await?,
        unit,
        level,
        roles,
    })
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let d = load(&state, &v, id, lang).await?;
    let can_edit = d.level >= Level::Edit;
    let candidates = if can_edit {
        service::candidates(&state.store, &d.unit).await?
    } else {
        vec![]
    };
    let mut r = state.store.reader().await?;
    let mut bodies = Vec::new();
    for b in r.bodies_at(id).await? {
        let members = r
            .body_members(b.id)
            .await?
            .into_iter()
            .map(|m| MemberView {
                person_name: m.person_name,
                position: m.position,
            })
            .collect();
        bodies.push(BodyView { body: b, members });
    }
    render(&UnitPage {
        chrome: Chrome::new(lang, Some(&v)),
        people: r.people_in_unit(id).await?,
        path: crumbs(&state.store, &v, d.path).await?,
        children: d.children,
        unit: d.unit,
        governs: d.roles.governs,
        installed_at: d.roles.installed_at,
        applies_to: d.roles.applies_to,
        policy: d.roles.policy,
        roles: d.roles.rows,
        warnings: d.roles.warnings,
        history: d.roles.history,
        candidates,
        bodies,
        can_edit,
        can_administer: d.level >= Level::Administer,
        today: today(),
        error: None,
    })
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<axum::Json<Value>> {
    let d = load(&state, &v, id, lang).await?;
    let roles: Vec<Value> = d
        .roles
        .rows
        .iter()
        .map(|x| json!({ "id": x.id, "title": x.title, "holders": x.holders }))
        .collect();
    Ok(axum::Json(json!({
        "unit": d.unit,
        "level": d.level,
        "path": d.path,
        "children": d.children,
        "policy": d.roles.policy,
        "roles": roles,
        "warnings": d.roles.warnings,
    })))
}

/// A unit's name and kind, checked: 1–100 and 1–20 characters.
fn checked(name: &str, kind: &str, lang: Lang) -> Result<(String, String)> {
    let t = Tr(lang);
    let (name, kind) = (name.trim().to_string(), kind.trim().to_string());
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::Invalid(format!("{}？", t.s("field.unit_name"))));
    }
    if kind.is_empty() || kind.chars().count() > 20 {
        return Err(Error::Invalid(format!("{}？", t.s("field.unit_kind"))));
    }
    Ok((name, kind))
}

/// Creates a sub-unit (administer at the parent).
pub async fn create(
    state: &AppState,
    v: &Viewer,
    parent: i64,
    name: &str,
    kind: &str,
    lang: Lang,
) -> Result<Unit> {
    access::require(&state.store, v, parent, Level::Administer).await?;
    let (name, kind) = checked(name, kind, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    let u = w.create_unit(Some(parent), &name, &kind).await?;
    w.commit().await?;
    state.obligations_changed();
    Ok(u)
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    kind: String,
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response> {
    let u = create(&state, &v, id, &f.name, &f.kind, lang).await?;
    Ok(see_other(&format!("/units/{}", u.id)))
}

#[derive(Deserialize)]
pub struct NewUnit {
    parent_id: i64,
    name: String,
    kind: String,
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewUnit>,
) -> Result<Response> {
    let u = create(&state, &v, b.parent_id, &b.name, &b.kind, lang).await?;
    Ok(created(u))
}

pub async fn update_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response> {
    access::require(&state.store, &v, id, Level::Administer).await?;
    let (name, kind) = checked(&f.name, &f.kind, lang)?;
    let mut w = state.store.write(&v.actor()).await?;
    w.update_unit(id, &name, &kind).await?;
    w.commit().await?;
    Ok(see_other(&format!("/units/{id}")))
}
