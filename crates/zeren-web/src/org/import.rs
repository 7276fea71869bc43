//! Roster import (花名册): the upload page, the all-or-nothing import with a reason for every bad
//! row, the same over the API, and the templates to fill in.

use axum::body::Bytes;
use axum::extract::Multipart;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{json, Value};
use zeren_store::*;
// Named, so that the store's Error and Result do not shadow the web layer's.
use crate::shared::error::{Error, Result};

use super::roster;
use super::views::ImportPage;
use crate::shared::multipart::Form as MultipartForm;
use crate::shared::prelude::*;

/// Imports a roster file into a unit's subtree (edit at the unit): every person, or none and
/// every problem with its row.
async fn import(
    state: &AppState,
    v: &Viewer,
    unit: &Unit,
    bytes: &[u8],
    lang: Lang,
) -> Result<std::result::Result<usize, Vec<roster::Problem>>> {
    let rows = match roster::read(bytes, lang) {
        Ok(r) => r,
        Err(e) => return Ok(Err(vec![roster::Problem {
                row: 0,
                column: "",
                reason: e,
            }])),
    };
    let mut r = state.store.reader().await?;
    let mut units = r.subtree(unit.id).await?;
    units.sort_by_key(|u| u.id != unit.id);
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
    let taken = r.taken_numbers(&ids, &nos).await?;
    drop(r);
    let people = match roster::check(&rows, &units, &taken, lang) {
        Ok(p) => p,
        Err(problems) => return Ok(Err(problems)),
    };
    let mut w = state.store.write(&v.actor()).await?;
    for p in &people {
        w.create_person(p).await?;
    }
    w.commit().await?;
    Ok(Ok(people.len()))
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
) -> Result<Html<String>> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    render(&ImportPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        imported: None,
        problems: vec![],
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    let f = MultipartForm::read(multipart, state.config.upload_limit_bytes() as u64).await?.complete()?;
    let Some((_, bytes)) = f.file("file") else {
        return Err(Error::Invalid(Tr(lang).s("import.empty").into()));
    };
    let outcome = import(&state, &v, &unit, bytes, lang).await?;
    let failed = outcome.is_err();
    let page = ImportPage {
        chrome: Chrome::new(lang, Some(&v)),
        unit,
        imported: outcome.as_ref().ok().copied(),
        problems: outcome.err().unwrap_or_default(),
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

/// Import a roster: the request body is the XLSX or CSV file. All rows or none.
pub async fn import_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response> {
    let (unit, _) = access::require(&state.store, &v, id, Level::Edit).await?;
    match import(&state, &v, &unit, &body, lang).await? {
        Ok(n) => Ok(created(json!({ "imported": n }))),
        Err(problems) => {
            let list: Vec<Value> = problems
                .iter()
                .map(|p| json!({ "row": p.row, "reason": p.reason }))
                .collect();
            let body = json!({ "error": "invalid", "message": "the roster has errors; nothing was imported", "problems": list });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response())
        }
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
