//! Incidents' JSON API: list, report, read, new report versions and every act. The same rules
//! and access checks as the pages (签发 before a report leaves, 签收 by a recipient, the clocks
//! at the server's wall clock); files travel as base64.

use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use zeren_store::incidents::*;
use zeren_store::Level;

use super::incident::*;
use crate::shared::multipart::guess_media;
use crate::shared::prelude::*;

#[derive(Deserialize)]
pub struct ListQuery {
    unit: i64,
    /// `true`: only incidents not closed; `false`: only closed ones.
    open: Option<bool>,
}

pub async fn list_json(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<IncidentSummary>>> {
    access::require(&state.store, &v, q.unit, Level::Read).await?;
    Ok(axum::Json(
        state
            .store
            .reader()
            .await?
            .incidents(&IncidentFilter {
                subtree_of: Some(q.unit),
                open: q.open,
                limit: Some(1000),
                ..IncidentFilter::default()
            })
            .await?,
    ))
}

pub async fn json(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
) -> Result<axum::Json<IncidentJson>> {
    let (l, _) = load_visible(&state, &v, id).await?;
    Ok(axum::Json(incident_json(l, state.now())))
}

#[derive(Deserialize)]
pub struct FileJson {
    file_name: String,
    media_type: Option<String>,
    content_base64: String,
}

fn files(list: Vec<FileJson>) -> Result<Vec<(String, String, Vec<u8>)>> {
    let mut out = Vec::new();
    for f in list {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f.content_base64.trim())
            .map_err(|e| Error::Invalid(format!("{}: not base64 ({e})", f.file_name)))?;
        let media = f
            .media_type
            .unwrap_or_else(|| guess_media(&f.file_name).into());
        out.push((f.file_name, media, bytes));
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct NewJson {
    unit_id: i64,
    #[serde(default)]
    kind: String,
    level: String,
    title: String,
    #[serde(default)]
    place: String,
    /// China time (`2026-12-10T14:30`) or RFC 3339.
    occurred_at: Option<String>,
    known_at: String,
    #[serde(default)]
    facts: std::collections::BTreeMap<String, i64>,
    body: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    attachments: Vec<FileJson>,
}

/// A time from the API as the form parser reads it (China time, minute precision).
fn china_text(s: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(s.trim()) {
        Ok(t) => crate::shared::clock::china_input(&t.with_timezone(&chrono::Utc)),
        Err(_) => s.to_string(),
    }
}

pub async fn create_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    JsonBody(b): JsonBody<NewJson>,
) -> Result<Response> {
    let id = create(
        &state,
        &v,
        NewReport {
            unit_id: b.unit_id,
            kind: b.kind,
            level: b.level,
            title: b.title,
            place: b.place,
            occurred_at: b.occurred_at.as_deref().map(china_text).unwrap_or_default(),
            known_at: china_text(&b.known_at),
            facts: b
                .facts
                .into_iter()
                .map(|(k, x)| (k, x.to_string()))
                .collect(),
            report: RawReport {
                body: b.body,
                measures: b.measures,
                files: files(b.attachments)?,
            },
        },
        lang,
    )
    .await?;
    let l = load(&state, id).await?;
    Ok(created(incident_json(l, state.now())))
}

#[derive(Deserialize)]
pub struct DraftJson {
    /// initial, follow_up_N or final
    report: String,
    body: String,
    #[serde(default)]
    measures: String,
    #[serde(default)]
    attachments: Vec<FileJson>,
    seen: Option<i64>,
}

pub async fn draft_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<DraftJson>,
) -> Result<Response> {
    draft(
        &state,
        &v,
        id,
        &b.report,
        RawReport {
            body: b.body,
            measures: b.measures,
            files: files(b.attachments)?,
        },
        b.seen,
        lang,
    )
    .await?;
    let l = load(&state, id).await?;
    Ok(created(incident_json(l, state.now())))
}

pub async fn act_json(
    State(state): State<AppState>,
    v: Viewer,
    lang: Lang,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ActInput>,
) -> Result<Response> {
    act_input(&state, &v, id, b, lang).await?;
    let l = load(&state, id).await?;
    Ok(axum::Json(incident_json(l, state.now())).into_response())
}
