//! Units: the tree the viewer may read, a unit with its roles, people and bodies, creating and
//! renaming units. Page and API share the loading and the rules.

use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::service;
use super::views::*;
use crate::shared::clock::today;
use crate::shared::error::Problems;
use crate::shared::extract::field;
use crate::shared::i18n::name_rule;
use crate::shared::prelude::*;
use crate::shared::refusal::Refused;
use crate::shared::view::crumbs;
use zeren_core::names;
use zeren_store::directory::DirectoryRead;

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

/// A unit's page, with a refused form (if any) shown again with what was entered.
pub async fn unit_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<UnitPage> {
    let d = load(state, v, id, lang).await?;
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
    Ok(UnitPage {
        chrome: Chrome::new(lang, Some(v)),
        people: r.people_in_unit(id).await?,
        path: crumbs(&state.store, v, d.path).await?,
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
        refused,
    })
}

/// The unit's page again after a refusal, with its status (422, 409).
pub async fn refused_page(
    state: &AppState,
    v: &Viewer,
    lang: Lang,
    id: i64,
    refused: Refused,
) -> Result<Response> {
    let status = refused.status;
    let page = unit_page(state, v, lang, id, refused).await?;
    Ok((status, render(&page)?).into_response())
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    render(&unit_page(&state, &v, lang, id, Refused::default()).await?)
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

/// A unit's name and kind, checked: 1–100 and 1–20 characters, and no sibling under `parent`
/// (other than the unit itself, `unit`) with the same name.
async fn checked(
    state: &AppState,
    parent: Option<i64>,
    unit: Option<i64>,
    name: &str,
    kind: &str,
    lang: Lang,
) -> Result<(String, String)> {
    let t = Tr(lang);
    let mut problems = Problems::new();
    let name = match names::unit_name(name) {
        Ok(n) => n,
        Err(r) => {
            problems.add("name", t.s(name_rule(r)));
            String::new()
        }
    };
    let kind = match names::unit_kind(kind) {
        Ok(k) => k,
        Err(r) => {
            problems.add("kind", t.s(name_rule(r)));
            String::new()
        }
    };
    if !name.is_empty() {
        let mut r = state.store.reader().await?;
        let keeps_own = match unit {
            Some(id) => r
                .unit(id)
                .await?
                .is_some_and(|u| names::sibling_key(&u.name) == names::sibling_key(&name)),
            None => false,
        };
        if !keeps_own && r.sibling_named(parent, &name, unit).await?.is_some() {
            problems.add("name", name_taken(&name, lang));
        }
    }
    problems.check()?;
    Ok((name, kind))
}

fn name_taken(name: &str, lang: Lang) -> String {
    Tr(lang).f("unit.name_taken", &[("name", name)])
}

/// A store conflict on naming a unit: another sibling took the name meanwhile.
fn taken_meanwhile(e: zeren_store::Error, name: &str, lang: Lang) -> Error {
    match e {
        zeren_store::Error::Conflict(_) => {
            let mut p = Problems::new();
            p.add("name", name_taken(name, lang));
            Error::Fields(p)
        }
        e => e.into(),
    }
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
    let (name, kind) = checked(state, Some(parent), None, name, kind, lang).await?;
    let mut w = state.store.write(&v.actor()).await?;
    let u = w
        .create_unit(Some(parent), &name, &kind)
        .await
        .map_err(|e| taken_meanwhile(e, &name, lang))?;
    w.commit().await?;
    state.obligations_changed();
    Ok(u)
}

pub async fn create_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    match create(&state, &v, id, &field(&f, "name"), &field(&f, "kind"), lang).await {
        Ok(u) => Ok(see_other(&format!("/units/{}", u.id))),
        Err(e) => {
            let refused = Refused::of("child", &f, e, lang)?;
            refused_page(&state, &v, lang, id, refused).await
        }
    }
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
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Administer).await?;
    let outcome = async {
        let (name, kind) = checked(
            &state,
            unit.parent_id,
            Some(id),
            &field(&f, "name"),
            &field(&f, "kind"),
            lang,
        )
        .await?;
        let mut w = state.store.write(&v.actor()).await?;
        w.update_unit(id, &name, &kind)
            .await
            .map_err(|e| taken_meanwhile(e, &name, lang))?;
        w.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/units/{id}"))),
        Err(e) => {
            let refused = Refused::of("rename", &f, e, lang)?;
            refused_page(&state, &v, lang, id, refused).await
        }
    }
}
