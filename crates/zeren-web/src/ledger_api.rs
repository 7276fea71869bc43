//! The ledger's JSON API under `/api/v1`: obligations (filtered by unit, person, duty, status and
//! due range), records with their versions, corrections, acknowledgements. The same access
//! checks and record rules as the pages; files travel as base64 in JSON.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zeren_core::obligations::Status;
use zeren_store::ledger::*;
use zeren_store::Level;

use crate::access;
use crate::auth::Viewer;
use crate::error::{Error, Result};
use crate::extract::{Json as JsonBody, Path, Query};
use crate::i18n::Lang;
use crate::ledger::{
    acknowledge_record, correct_work, load_obligation, progress_status, record_work, today,
    Correction, Failure, RawVersion,
};
use crate::AppState;

#[derive(Serialize)]
pub struct ObligationJson {
    #[serde(flatten)]
    pub obligation: Obligation,
    pub status: Status,
    pub records: i64,
}

#[derive(Deserialize)]
pub struct ObligationQuery {
    /// The unit whose obligations to list (read permission needed there).
    unit: i64,
    /// Include every unit below it.
    #[serde(default)]
    subtree: bool,
    person: Option<i64>,
    duty: Option<String>,
    status: Option<String>,
    due_from: Option<NaiveDate>,
    due_to: Option<NaiveDate>,
    limit: Option<i64>,
}

pub async fn obligations(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ObligationQuery>,
) -> Result<Json<Vec<ObligationJson>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            Error::Invalid(
                "status: one of upcoming, due_soon, overdue, done_on_time, done_late".into(),
            )
        })?),
    };
    let filter = ObligationFilter {
        subtree_of: q.subtree.then_some(q.unit),
        unit: (!q.subtree).then_some(q.unit),
        person: q.person,
        duty: q.duty,
        due_from: q.due_from,
        due_to: q.due_to,
        // The status is computed after the query, so the limit applies after it too.
        limit: None,
    };
    let rows = state.store.reader().await?.obligations(&filter).await?;
    let today = today();
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000) as usize;
    Ok(Json(
        rows.into_iter()
            .map(|p| ObligationJson {
                status: progress_status(&p, today),
                records: p.records,
                obligation: p.obligation,
            })
            .filter(|o| status.is_none_or(|s| o.status == s))
            .take(limit)
            .collect(),
    ))
}

#[derive(Serialize)]
pub struct ObligationDetail {
    #[serde(flatten)]
    pub obligation: ObligationJson,
    pub history: Vec<RecordHistory>,
}

pub async fn obligation(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<ObligationDetail>> {
    let (o, ..) = load_obligation(&state, &v, id).await?;
    let mut r = state.store.reader().await?;
    let history = r.records_of(id).await?;
    let work_dates: Vec<NaiveDate> = history
        .iter()
        .filter_map(|h| h.current().map(|c| c.version.work_date))
        .collect();
    let p = ObligationProgress {
        records: work_dates.len() as i64,
        work_dates,
        last_entered_at: None,
        obligation: o,
    };
    Ok(Json(ObligationDetail {
        obligation: ObligationJson {
            status: progress_status(&p, today()),
            records: p.records,
            obligation: p.obligation,
        },
        history,
    }))
}

#[derive(Deserialize)]
pub struct FileJson {
    file_name: String,
    #[serde(default)]
    media_type: Option<String>,
    /// The file's bytes, base64.
    content_base64: String,
}

#[derive(Deserialize)]
pub struct VersionJson {
    work_date: NaiveDate,
    #[serde(default)]
    place: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    participants: Vec<i64>,
    #[serde(default)]
    attachments: Vec<FileJson>,
    /// For corrections: the version being corrected and why.
    version: Option<i64>,
    reason: Option<String>,
    /// For corrections: positions of the corrected version's files to keep.
    #[serde(default)]
    keep: Vec<i64>,
}

fn raw(b: &VersionJson) -> Result<RawVersion> {
    let mut files = Vec::new();
    for (i, f) in b.attachments.iter().enumerate() {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.as_bytes())
            .map_err(|_| Error::Invalid(format!("attachments[{i}].content_base64: not base64")))?;
        let media = f
            .media_type
            .clone()
            .unwrap_or_else(|| crate::ledger::guess_media(&f.file_name).into());
        files.push((f.file_name.clone(), media, bytes));
    }
    Ok(RawVersion {
        work_date: Some(b.work_date),
        place: b.place.clone(),
        content: b.content.clone(),
        participants: b.participants.clone(),
        files,
    })
}

fn failure(f: Failure) -> Error {
    match f {
        Failure::Error(e) => e,
        Failure::Rejected(msg) => Error::Invalid(msg),
    }
}

pub async fn create_record(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionJson>,
) -> Result<Response> {
    let h = record_work(&state, &v, lang, id, raw(&b)?)
        .await
        .map_err(failure)?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

pub async fn record(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<Json<RecordHistory>> {
    let h = state
        .store
        .reader()
        .await?
        .record_by_id(id)
        .await?
        .ok_or(Error::NotFound)?;
    load_obligation(&state, &v, h.record.obligation_id).await?;
    Ok(Json(h))
}

pub async fn correct_record(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<VersionJson>,
) -> Result<Response> {
    let expected = b
        .version
        .ok_or_else(|| Error::Invalid("version: the version being corrected".into()))?;
    let reason = b.reason.clone().unwrap_or_default();
    let c = Correction {
        record_id: id,
        expected,
        reason,
        keep: b.keep.clone(),
        raw: raw(&b)?,
    };
    let (_, h) = correct_work(&state, &v, lang, c).await.map_err(failure)?;
    Ok((StatusCode::CREATED, Json(h)).into_response())
}

#[derive(Deserialize)]
pub struct AckJson {
    #[serde(default)]
    note: String,
    /// The version read; a record corrected since is a conflict.
    version: Option<i64>,
}

pub async fn acknowledge(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<AckJson>,
) -> Result<Response> {
    let (_, a) = acknowledge_record(&state, &v, id, &b.note, b.version).await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}
