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
use chrono::NaiveDate;
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

#[derive(Deserialize)]
pub struct UnitListQuery {
    /// The units after this id (the last of the previous page).
    after: Option<i64>,
    limit: Option<i64>,
}

/// A page of the units the viewer can read, by id: those below the highest units where they
/// hold a grant or a role, through the closure table. When more follow, the `Link` header
/// names the next page (`rel="next"`, the same query with `after` set).
pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    Query(q): Query<UnitListQuery>,
) -> Result<(axum::http::HeaderMap, axum::Json<Vec<Unit>>)> {
    use zeren_store::ledger::MAX_PAGE;
    use zeren_store::pages::{PageRead, UnitPageQuery};
    let roots = access::roots(&state.store, &v).await?;
    let limit = q.limit.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE);
    let units = state
        .store
        .reader()
        .await?
        .units_page(&UnitPageQuery {
            roots: roots.iter().map(|u| u.id).collect(),
            after: q.after,
            limit,
        })
        .await?;
    let headers = crate::shared::respond::next_page(
        "/api/v1/units",
        raw.as_deref(),
        units.len(),
        limit,
        "after",
        units.last().map(|u| u.id.to_string()),
    );
    Ok((headers, axum::Json(units)))
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
    // A retired unit is history: read, never added to.
    let retired = d.unit.is_retired();
    let can_edit = d.level >= Level::Edit && !retired;
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
    let merged_into = match d.unit.merged_into {
        Some(t) => r.unit(t).await?,
        None => None,
    };
    let can_retire = !retired
        && d.children.iter().all(Unit::is_retired)
        && match d.unit.parent_id {
            Some(parent) => {
                access::level(&state.store, v, parent).await? >= Some(Level::Administer)
            }
            None => false,
        };
    let retire_targets = if can_retire {
        retire_targets(state, &d.unit).await?
    } else {
        Vec::new()
    };
    let merged_into_link = match &merged_into {
        Some(t) => access::level(&state.store, v, t.id).await?.is_some(),
        None => false,
    };
    let effects = {
        use zeren_store::assessment::AssessmentRead;
        r.unit_effects(id).await?
    };
    Ok(UnitPage {
        chrome: Chrome::new(lang, Some(v)),
        effects,
        merged_into,
        merged_into_link,
        can_retire,
        retire_targets,
        people: r.people_in_unit(id).await?,
        path: crumbs(&state.store, v, d.path).await?,
        children: d.children,
        unit: d.unit,
        governs: d.roles.governs,
        installed_at: d.roles.installed_at,
        applies_to: d.roles.applies_to,
        policy: d.roles.policy,
        roles: d.roles.rows,
        // A retired unit holds no roles: vacancies are not a problem there.
        warnings: if retired {
            Vec::new()
        } else {
            d.roles.warnings
        },
        history: d.roles.history,
        candidates,
        bodies,
        can_edit,
        can_administer: d.level >= Level::Administer && !retired,
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
    let (at, _) = access::require(&state.store, v, parent, Level::Administer).await?;
    service::refuse_retired(&at, lang)?;
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

/// Units a unit may be merged into: its active siblings and its parent. Called only for a viewer
/// who administers the parent, and a grant covers the subtree, so they administer all of them.
async fn retire_targets(state: &AppState, unit: &Unit) -> Result<Vec<Unit>> {
    let Some(parent_id) = unit.parent_id else {
        return Ok(Vec::new());
    };
    let mut r = state.store.reader().await?;
    let parent = r.unit(parent_id).await?;
    Ok(parent
        .into_iter()
        .chain(r.children(parent_id).await?)
        .filter(|u| u.id != unit.id && !u.is_retired())
        .collect())
}

/// What a retirement or merge asks for.
pub struct Retirement {
    pub on: Option<NaiveDate>,
    pub reason: String,
    pub merged_into: Option<i64>,
}

/// The longest reason for retiring a unit, in characters.
const RETIRE_REASON_MAX: usize = 200;

/// Retires a unit (撤销) or merges it into another (合并): administer at its parent (and at the
/// unit it joins). Its history stays; see [`zeren_store::Write::retire_unit`].
pub async fn retire(
    state: &AppState,
    v: &Viewer,
    id: i64,
    b: Retirement,
    lang: Lang,
) -> Result<Unit> {
    let t = Tr(lang);
    let unit = access::require(&state.store, v, id, Level::Read).await?.0;
    let Some(parent) = unit.parent_id else {
        return Err(Error::Fields(Problems::one("", t.s("unit.retire_top"))));
    };
    access::require(&state.store, v, parent, Level::Administer).await?;
    let mut problems = Problems::new();
    if unit.is_retired() {
        problems.add("", t.s("unit.retire_already"));
    }
    let mut r = state.store.reader().await?;
    if r.children(id).await?.iter().any(|c| !c.is_retired()) {
        problems.add("", t.s("unit.retire_children"));
    }
    match b.on {
        None => problems.add("on", t.s("unit.retire_on")),
        Some(d) if d > today() => problems.add("on", t.s("unit.retire_future")),
        Some(_) => {}
    }
    let reason = b.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > RETIRE_REASON_MAX || reason.contains('\0') {
        problems.add(
            "reason",
            t.f(
                "unit.retire_reason",
                &[("max", &RETIRE_REASON_MAX.to_string())],
            ),
        );
    }
    if let Some(target) = b.merged_into {
        let ok = target != id
            && match r.unit(target).await? {
                Some(u) => {
                    !u.is_retired()
                        && access::level(&state.store, v, u.id).await? >= Some(Level::Administer)
                }
                None => false,
            };
        if !ok {
            problems.add("merged_into", t.s("unit.retire_target"));
        }
    }
    drop(r);
    problems.check()?;
    let mut w = state.store.write(&v.actor()).await?;
    let u = w
        .retire_unit(id, b.on.unwrap_or_else(today), &reason, b.merged_into)
        .await?;
    w.commit().await?;
    state.obligations_changed();
    Ok(u)
}

pub async fn retire_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let b = Retirement {
        on: NaiveDate::parse_from_str(&field(&f, "on"), "%Y-%m-%d").ok(),
        reason: field(&f, "reason"),
        merged_into: field(&f, "merged_into").parse().ok(),
    };
    match retire(&state, &v, id, b, lang).await {
        Ok(_) => Ok(see_other(&format!("/units/{id}"))),
        Err(e) => {
            let refused = Refused::of("retire", &f, e, lang)?;
            refused_page(&state, &v, lang, id, refused).await
        }
    }
}

#[derive(Deserialize)]
pub struct RetireJson {
    on: NaiveDate,
    reason: String,
    #[serde(default)]
    merged_into: Option<i64>,
}

pub async fn retire_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<RetireJson>,
) -> Result<axum::Json<Unit>> {
    let b = Retirement {
        on: Some(b.on),
        reason: b.reason,
        merged_into: b.merged_into,
    };
    Ok(axum::Json(retire(&state, &v, id, b, lang).await?))
}
