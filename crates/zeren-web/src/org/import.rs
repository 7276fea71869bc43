//! Roster import (花名册): the upload page; adding people (all rows or none, a reason for every bad
//! row); updating people (更新模式) — rows matched to people of the unit's subtree by 工号 or
//! 身份证号 update them, the others are added — first as a preview of every change, then applied
//! on an explicit confirmation that carries the previewed file, pinned by its SHA-256; the same
//! over the API; and the templates to fill in.

use crate::shared::multipart::Multipart;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use zeren_store::directory::DirectoryRead;
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::roster::{self, Planned};
use super::views::{mask_id, ChangedView, ImportPage, NewRowView, RosterPreview};
use crate::shared::extract::{field, Bytes};
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::prelude::*;

/// The people of the importing unit's subtree may be placed in; the importing unit first.
async fn subtree_units(state: &AppState, unit: &Unit) -> Result<Vec<Unit>> {
    let mut units = state.store.reader().await?.subtree(unit.id).await?;
    units.sort_by_key(|u| u.id != unit.id);
    Ok(units)
}

/// Imports a roster file into a unit's subtree (edit at the unit): every person, or none and
/// every problem with its row.
async fn import(
    state: &AppState,
    v: &Viewer,
    unit: &Unit,
    bytes: &[u8],
    lang: Lang,
) -> Result<std::result::Result<usize, Vec<roster::Problem>>> {
    let rows = match roster::read(bytes, state.config.upload_limit_bytes() as u64, lang) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(vec![roster::Problem {
                row: 0,
                column: "",
                reason: e,
            }]))
        }
    };
    let units = subtree_units(state, unit).await?;
    // Every number in the file is looked up once; cheap next to parsing the file.
    let mut ids = Vec::new();
    let mut nos = Vec::new();
    for row in &rows {
        for c in row {
            if let roster::Cell::Text(s) = c {
                let s = s.trim();
                if s.len() == 18 {
                    ids.push(s.to_ascii_uppercase());
                }
                if !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    nos.push(s.to_string());
                }
            }
        }
    }
    let taken = state
        .store
        .reader()
        .await?
        .taken_numbers(&ids, &nos)
        .await?;
    let people = match roster::check(&rows, &units, &taken, lang) {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut w = state.store.write(&v.actor()).await?;
    for p in &people {
        w.create_person(p)
            .await
            .map_err(|e| taken_meanwhile(e, lang))?;
    }
    w.commit().await?;
    Ok(Ok(people.len()))
}

/// A number taken by another request between the check and the write.
fn taken_meanwhile(e: zeren_store::Error, lang: Lang) -> Error {
    match e {
        zeren_store::Error::Conflict(_) => Error::Conflict(Tr(lang).s("import.changed").into()),
        e => e.into(),
    }
}

/// What an update-mode import of `bytes` would do, or every problem with its row.
async fn plan_update(
    state: &AppState,
    unit: &Unit,
    bytes: &[u8],
    lang: Lang,
) -> Result<std::result::Result<(Vec<Planned>, Vec<Unit>), Vec<roster::Problem>>> {
    let rows = match roster::read(bytes, state.config.upload_limit_bytes() as u64, lang) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(vec![roster::Problem {
                row: 0,
                column: "",
                reason: e,
            }]))
        }
    };
    let units = subtree_units(state, unit).await?;
    // Numbers are matched, not refused as taken, when updating.
    let checked = match roster::check_rows(&rows, &units, &[], lang) {
        Ok(c) => c,
        Err(problems) => return Ok(Err(problems)),
    };
    let ids: Vec<String> = checked
        .iter()
        .filter_map(|r| r.person.id_number.clone())
        .collect();
    let nos: Vec<String> = checked
        .iter()
        .filter_map(|r| r.person.employee_no.clone())
        .collect();
    let mut r = state.store.reader().await?;
    let people = r.people_in_subtree(unit.id).await?;
    let elsewhere: Vec<Person> = r
        .people_by_numbers(&ids, &nos)
        .await?
        .into_iter()
        .filter(|p| !units.iter().any(|u| u.id == p.unit_id))
        .collect();
    drop(r);
    Ok(roster::plan(checked, &people, &elsewhere, &units, lang).map(|p| (p, units)))
}

/// Applies a plan in one transaction (every change audited): (added, updated).
async fn apply(
    state: &AppState,
    v: &Viewer,
    plan: &[Planned],
    lang: Lang,
) -> Result<(usize, usize)> {
    let (mut added, mut updated) = (0, 0);
    let mut w = state.store.write(&v.actor()).await?;
    for p in plan {
        match p {
            Planned::New(r) => {
                w.create_person(&r.person)
                    .await
                    .map_err(|e| taken_meanwhile(e, lang))?;
                added += 1;
            }
            Planned::Changed { id, after, .. } => {
                w.update_person(*id, after)
                    .await
                    .map_err(|e| taken_meanwhile(e, lang))?;
                updated += 1;
            }
            Planned::Same { .. } => {}
        }
    }
    w.commit().await?;
    Ok((added, updated))
}

fn column_label(column: &str) -> &'static str {
    match column {
        "name" => "field.name",
        "gender" => "field.gender",
        "id_number" => "field.id_number",
        "employee_no" => "field.employee_no",
        "phone" => "field.phone",
        "position" => "field.position",
        "political_status" => "field.political_status",
        _ => "field.unit",
    }
}

/// The preview of a plan, and what the confirmation sends back.
fn preview(plan: &[Planned], units: &[Unit], file_name: &str, bytes: &[u8]) -> RosterPreview {
    let unit_name = |id: i64| {
        units
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let mut p = RosterPreview {
        file_name: file_name.to_string(),
        sha256: crate::shared::auth::sha256_hex_bytes(bytes),
        content: base64::engine::general_purpose::STANDARD.encode(bytes),
        fingerprint: roster::fingerprint(plan),
        new: Vec::new(),
        changed: Vec::new(),
        same: Vec::new(),
    };
    for x in plan {
        match x {
            Planned::New(r) => p.new.push(NewRowView {
                row: r.row,
                name: r.person.name.clone(),
                unit: unit_name(r.person.unit_id),
                employee_no: r.person.employee_no.clone().unwrap_or_default(),
            }),
            Planned::Changed {
                row, name, changes, ..
            } => p.changed.push(ChangedView {
                row: *row,
                name: name.clone(),
                changes: changes
                    .iter()
                    .map(|c| {
                        let shown = |v: &str| {
                            if c.column == "id_number" {
                                mask_id(v)
                            } else {
                                v.to_string()
                            }
                        };
                        (column_label(c.column), shown(&c.old), shown(&c.new))
                    })
                    .collect(),
            }),
            Planned::Same { name, .. } => p.same.push(name.clone()),
        }
    }
    p
}

fn empty_page(v: &Viewer, lang: Lang, unit: Unit) -> ImportPage {
    ImportPage {
        chrome: Chrome::new(lang, Some(v)),
        unit,
        mode: "create".into(),
        imported: None,
        updated: None,
        problems: vec![],
        error: None,
        files_again: false,
        preview: None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    render(&empty_page(&v, lang, unit))
}

pub async fn import_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    super::service::refuse_retired(&unit, lang)?;
    let f = MultipartForm::read(multipart, state.config.upload_limit_bytes() as u64).await?;
    let mut page = empty_page(&v, lang, unit.clone());
    page.mode = if f.text("mode") == "update" {
        "update".into()
    } else {
        "create".into()
    };
    if let Some(limit) = f.too_large() {
        page.error = Some(Error::TooLarge(limit).message(lang));
        page.files_again = true;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&page)?).into_response());
    }
    let Some((file_name, bytes)) = f.file("file") else {
        page.error = Some(Tr(lang).s("import.pick_file").into());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let status = if page.mode == "update" {
        match plan_update(&state, &unit, bytes, lang).await? {
            Ok((plan, units)) => {
                page.preview = Some(preview(&plan, &units, &file_name, bytes));
                StatusCode::OK
            }
            Err(problems) => {
                page.problems = problems;
                page.files_again = true;
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    } else {
        match import(&state, &v, &unit, bytes, lang).await {
            Ok(Ok(n)) => {
                page.imported = Some(n);
                StatusCode::OK
            }
            Ok(Err(problems)) => {
                page.problems = problems;
                page.files_again = true;
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Err(e @ Error::Conflict(_)) => {
                page.error = Some(e.message(lang));
                page.files_again = true;
                StatusCode::CONFLICT
            }
            Err(e) => return Err(e),
        }
    };
    Ok((status, render(&page)?).into_response())
}

/// Applies the previewed update: the file comes back with the confirmation and must be the one
/// previewed (its SHA-256), and still mean the same changes (nobody edited those people since).
pub async fn confirm_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    super::service::refuse_retired(&unit, lang)?;
    let t = Tr(lang);
    let mut page = empty_page(&v, lang, unit.clone());
    page.mode = "update".into();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(field(&f, "content").trim())
        .unwrap_or_default();
    if bytes.is_empty() || crate::shared::auth::sha256_hex_bytes(&bytes) != field(&f, "sha256") {
        page.error = Some(t.s("import.tampered").into());
        page.files_again = true;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let (plan, units) = match plan_update(&state, &unit, &bytes, lang).await? {
        Ok(p) => p,
        Err(problems) => {
            page.problems = problems;
            page.files_again = true;
            return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
        }
    };
    if roster::fingerprint(&plan) != field(&f, "fingerprint") {
        // The people changed since the preview: show the new preview to confirm again.
        page.error = Some(t.s("import.changed").into());
        page.preview = Some(preview(&plan, &units, &field(&f, "file_name"), &bytes));
        return Ok((StatusCode::CONFLICT, render(&page)?).into_response());
    }
    match apply(&state, &v, &plan, lang).await {
        Ok((added, updated)) => {
            page.updated = Some((added, updated, plan.len() - added - updated));
            Ok(render(&page)?.into_response())
        }
        Err(e @ Error::Conflict(_)) => {
            page.error = Some(e.message(lang));
            page.files_again = true;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ImportQuery {
    /// `create` (the default) adds people; `update` updates those matched by 工号 or 身份证号.
    #[serde(default)]
    mode: Option<String>,
    /// With `mode=update`: only say what would change.
    #[serde(default)]
    preview: Option<bool>,
}

fn problems_json(problems: &[roster::Problem]) -> Response {
    let list: Vec<Value> = problems
        .iter()
        .map(|p| json!({ "row": p.row, "reason": p.reason }))
        .collect();
    let body = json!({ "error": "invalid", "message": "the roster has errors; nothing was imported", "problems": list });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}

/// Import a roster: the request body is the XLSX or CSV file. All rows or none.
pub async fn import_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    Query(q): Query<ImportQuery>,
    Bytes(body): Bytes,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    super::service::refuse_retired(&unit, lang)?;
    match q.mode.as_deref() {
        None | Some("create") => match import(&state, &v, &unit, &body, lang).await? {
            Ok(n) => Ok(created(json!({ "imported": n }))),
            Err(problems) => Ok(problems_json(&problems)),
        },
        Some("update") => {
            let (plan, _) = match plan_update(&state, &unit, &body, lang).await? {
                Ok(p) => p,
                Err(problems) => return Ok(problems_json(&problems)),
            };
            let changes: Vec<Value> = plan
                .iter()
                .map(|p| match p {
                    Planned::New(r) => json!({ "row": r.row, "action": "create", "person_id": null, "name": r.person.name, "changes": [] }),
                    Planned::Changed { row, id, name, changes, .. } => json!({ "row": row, "action": "update", "person_id": id, "name": name,
                        "changes": changes.iter().map(|c| json!({ "field": c.column, "old": if c.column == "id_number" { mask_id(&c.old) } else { c.old.clone() }, "new": if c.column == "id_number" { mask_id(&c.new) } else { c.new.clone() } })).collect::<Vec<_>>() }),
                    Planned::Same { row, id, name } => json!({ "row": row, "action": "unchanged", "person_id": id, "name": name, "changes": [] }),
                })
                .collect();
            if q.preview == Some(true) {
                return Ok(axum::Json(json!({ "applied": false, "rows": changes })).into_response());
            }
            apply(&state, &v, &plan, lang).await?;
            Ok(created(json!({ "applied": true, "rows": changes })))
        }
        Some(_) => Err(Error::Invalid("mode: create or update".into())),
    }
}

pub async fn template_xlsx(_v: Viewer) -> Result<Response> {
    let bytes = roster::template_xlsx().map_err(|e| Error::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.xlsx\"; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"),
        ],
        bytes,
    )
        .into_response())
}

pub async fn template_csv(_v: Viewer) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"roster-template.csv\"; filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.csv"),
        ],
        roster::template_csv(),
    )
        .into_response()
}
